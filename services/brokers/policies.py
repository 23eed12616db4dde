"""Who may file and decide broker profiles."""

from services.accounts.policies import Actor
from services.core.errors import Forbidden


def require_applicant(actor: Actor) -> int:
    """A member of an organisation files a broker profile for themselves; returns that organisation."""
    if actor.org_id is None or actor.is_admin:
        raise Forbidden(
            "broker_needs_organisation", "经纪人须属于一个机构", "a broker belongs to an organisation"
        )
    return actor.org_id
