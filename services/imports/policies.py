"""Who may import into which organisation, and who sees an import job."""

from services.accounts.policies import Actor, require_admin
from services.core.errors import Forbidden
from services.core.models import Job


def import_target_org(actor: Actor, *, org_id: int | None, publish: bool) -> int:
    """The organisation an import writes into: the caller's own; admins may name any and publish at once."""
    if publish:
        require_admin(actor)
    if org_id is None or org_id == actor.org_id:
        org_id = actor.org_id
    elif not actor.is_admin:
        raise Forbidden("not_a_member", "只能导入到本机构", "you may import into your own organisation only")
    if org_id is None:
        raise Forbidden(
            "no_organisation", "需要先加入一个机构，或由管理员指定 org_id", "join an organisation first"
        )
    return org_id


def may_see_job(actor: Actor, job: Job) -> bool:
    """A job is seen by its owner, its organisation's members and admins; to anyone else it does not exist."""
    return (
        actor.is_admin
        or job.owner_id == actor.user_id
        or (job.org_id is not None and job.org_id == actor.org_id)
    )
