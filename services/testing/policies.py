"""Who may do what with a test request."""

from services.accounts.policies import Actor
from services.core.errors import Forbidden, NotFound


def require_verified_requester(verified: bool) -> None:
    """Only an organisation an admin has verified sends samples for testing."""
    if not verified:
        raise Forbidden(
            "org_not_verified", "机构通过管理员认证后才能委托检测", "the organisation must be verified"
        )


def require_party(actor: Actor, request_id: int, provider_org_id: int, requester_org_id: int) -> None:
    """The two parties (and admins) see a request; anyone else gets a 404."""
    if not (actor.is_admin or actor.org_id in (provider_org_id, requester_org_id)):
        raise NotFound("test_request_not_found", f"检测委托 {request_id} 不存在", "test request not found")


def require_side(actor: Actor, *, provider: bool, provider_org_id: int, requester_org_id: int) -> None:
    """The provider's steps are the lab's, the requester's steps are the requester's."""
    expected = provider_org_id if provider else requester_org_id
    if actor.org_id != expected:
        raise Forbidden(
            "wrong_party",
            "该步骤应由检测机构办理" if provider else "该步骤应由委托方办理",
            "the provider's step" if provider else "the requester's step",
        )


def require_provider_member(actor: Actor, org_id: int) -> None:
    """A lab's catalogue is kept by the members of the organisation that owns the listing (and admins)."""
    if not (actor.is_admin or actor.org_id == org_id):
        raise Forbidden("not_a_member", "仅该机构成员可维护检测项目目录", "members of the organisation only")
