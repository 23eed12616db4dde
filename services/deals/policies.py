"""Who may see and act on a contract and its payments."""

from services.accounts.policies import Actor
from services.core.errors import Forbidden, NotFound
from services.deals.models import Contract


def can_see_contract(actor: Actor, contract: Contract) -> bool:
    """Parties' members, the attributed broker and admins see a contract."""
    return (
        actor.is_admin
        or actor.org_id in (contract.buyer_org_id, contract.seller_org_id)
        or (contract.broker_id is not None and actor.user_id == contract.broker_id)
    )


def require_visible_contract(actor: Actor, contract: Contract | None, contract_id: int) -> Contract:
    """The contract if the caller may see it; otherwise it does not exist for them."""
    if contract is None or not can_see_contract(actor, contract):
        raise NotFound("contract_not_found", f"合同 {contract_id} 不存在", "contract not found")
    return contract


def require_may_record_contract(actor: Actor, buyer_org_id: int, seller_org_id: int) -> None:
    """Members of a party, a broker or an admin record a contract."""
    if not (actor.is_admin or actor.role == "broker" or actor.org_id in (buyer_org_id, seller_org_id)):
        raise Forbidden(
            "not_a_party", "仅合同当事方、技术经纪人或管理员可登记合同", "not a party to this contract"
        )


def require_buyer(actor: Actor, contract: Contract) -> None:
    """Only the buyer's members (or an admin) pay."""
    if not (actor.is_admin or actor.org_id == contract.buyer_org_id):
        raise Forbidden("buyer_only", "仅买方可支付", "only the buyer pays")


def require_registrant(actor: Actor, contract: Contract) -> None:
    """The seller registers (DOMAIN.md); its broker or an admin may file on its behalf."""
    if not (actor.is_admin or actor.org_id == contract.seller_org_id or actor.user_id == contract.broker_id):
        raise Forbidden("seller_only", "认定登记由卖方提交", "the seller registers the contract")
