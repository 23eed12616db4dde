"""Who may see and act on a contract and its payments."""

from services.accounts.policies import Actor, organisation_scope
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


def require_party_to_record(actor: Actor, buyer_org_id: int, seller_org_id: int) -> None:
    """A contract recorded directly (no match) is recorded by a member of one party or an admin."""
    if not (actor.is_admin or actor.org_id in (buyer_org_id, seller_org_id)):
        raise Forbidden(
            "not_a_party", "仅合同当事方或管理员可直接登记合同", "only a party or an admin records a contract"
        )


def require_may_record_from_match(
    actor: Actor, buyer_org_id: int, seller_org_id: int, worked_by: list[int]
) -> None:
    """From a match: a member of one party, a broker who worked the match, or an admin."""
    if actor.is_admin or actor.org_id in (buyer_org_id, seller_org_id):
        return
    if actor.role == "broker" and actor.user_id in worked_by:
        return
    raise Forbidden(
        "not_a_party",
        "仅合同当事方、经办该匹配的经纪人或管理员可登记合同",
        "only a party, the broker who worked the match or an admin records this contract",
    )


def require_attributable_broker(
    broker_id: int, role: str | None, worked_by: list[int], *, through_match: bool
) -> None:
    """The attributed broker is an approved broker and, for a match, one who worked it."""
    if role != "broker":
        raise Forbidden(
            "broker_not_approved",
            f"用户 {broker_id} 不是经审核的技术经纪人",
            "broker_id is not an approved broker",
        )
    if through_match and broker_id not in worked_by:
        raise Forbidden(
            "broker_did_not_work_match", "该经纪人未经办此匹配", "the broker did not work this match"
        )


def recording_broker(actor: Actor) -> int | None:
    """A broker who records a contract from a match is its attributed broker unless the body names one."""
    return actor.user_id if actor.role == "broker" else None


def contract_list_scope(actor: Actor) -> tuple[int | None, int | None]:
    """(organisation, broker) whose contracts a list shows: admins see all, a broker also its attributed ones."""
    return organisation_scope(actor), recording_broker(actor)


def require_party_or_admin(actor: Actor, contract: Contract) -> None:
    """A party's members (or an admin) withdraw a contract."""
    if not actor.is_admin:
        party_side(actor, contract)


def party_side(actor: Actor, contract: Contract) -> str:
    """Which party the caller acts for: `buyer` or `seller`."""
    if actor.org_id == contract.buyer_org_id:
        return "buyer"
    if actor.org_id == contract.seller_org_id:
        return "seller"
    raise Forbidden("party_only", "仅合同当事方可执行此操作", "only a party to the contract may do this")


def require_buyer(actor: Actor, contract: Contract) -> None:
    """Only the buyer's members (or an admin) pay."""
    if not (actor.is_admin or actor.org_id == contract.buyer_org_id):
        raise Forbidden("buyer_only", "仅买方可支付", "only the buyer pays")


def require_registrant(actor: Actor, contract: Contract) -> None:
    """The seller registers (docs/domain.md §1.2); its broker or an admin may file on its behalf."""
    if not (actor.is_admin or actor.org_id == contract.seller_org_id or actor.user_id == contract.broker_id):
        raise Forbidden("seller_only", "认定登记由卖方提交", "the seller registers the contract")


def require_refunder(actor: Actor, contract: Contract) -> None:
    """The seller's members (who give the money back) or an admin refund a payment."""
    if not (actor.is_admin or actor.org_id == contract.seller_org_id):
        raise Forbidden("seller_only", "仅卖方或管理员可退款", "only the seller or an admin refunds")


def require_licensee(actor: Actor, contract: Contract) -> None:
    """Only the licensee's (the buyer's) members file a royalty statement."""
    if actor.org_id != contract.buyer_org_id:
        raise Forbidden(
            "licensee_only", "仅被许可方可提交提成报表", "only the licensee files royalty statements"
        )


def require_royalty_reader(actor: Actor, contract: Contract) -> None:
    """The licensee, the licensor and admins read royalty statements."""
    if not (actor.is_admin or actor.org_id in (contract.buyer_org_id, contract.seller_org_id)):
        raise Forbidden(
            "parties_only", "仅合同当事方可查看提成报表", "only the parties read royalty statements"
        )
