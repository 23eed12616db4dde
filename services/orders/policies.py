"""Who may do what with a service order."""

from services.accounts.policies import Actor
from services.core.errors import Forbidden, NotFound
from services.orders.lifecycle import Side


def require_verified_buyer(verified: bool) -> None:
    """Only an organisation an admin has verified orders services."""
    if not verified:
        raise Forbidden(
            "org_not_verified", "机构通过管理员认证后才能委托服务", "the organisation must be verified"
        )


def require_dispute_judge(actor: Actor) -> None:
    """Disputes are ruled on by a platform admin."""
    if not actor.is_admin:
        raise Forbidden("admin_only", "争议由平台管理员裁决", "an admin resolves disputes")


def require_party(actor: Actor, order_id: int, provider_org_id: int, buyer_org_id: int) -> None:
    """The two parties (and admins) see an order; anyone else gets a 404, as if it did not exist."""
    if not (actor.is_admin or actor.org_id in (provider_org_id, buyer_org_id)):
        raise NotFound("service_order_not_found", f"服务订单 {order_id} 不存在", "service order not found")


def require_side(actor: Actor, side: Side, *, provider_org_id: int, buyer_org_id: int) -> None:
    """A step belongs to the provider, the buyer or an admin; nobody moves another side's step."""
    if side is Side.ADMIN:
        require_dispute_judge(actor)
        return
    expected = provider_org_id if side is Side.PROVIDER else buyer_org_id
    if actor.org_id != expected:
        raise Forbidden(
            "wrong_party",
            "该步骤应由服务方办理" if side is Side.PROVIDER else "该步骤应由委托方办理",
            "the provider's step" if side is Side.PROVIDER else "the buyer's step",
        )
