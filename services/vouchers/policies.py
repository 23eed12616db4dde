"""Who may do what with vouchers."""

from services.accounts.policies import Actor
from services.core.errors import Forbidden, Invalid


def require_eligible_org(*, kind: str, verified: bool, eligible_kinds: list[str]) -> None:
    """Only verified organisations of the programme's kinds may apply."""
    if not verified:
        raise Forbidden(
            "org_not_verified", "机构通过管理员认证后才能申请创新券", "the organisation must be verified"
        )
    if kind not in eligible_kinds:
        raise Forbidden(
            "org_not_eligible", "该机构类型不在本期创新券支持范围内", "organisation kind not eligible"
        )


def require_payer(actor: Actor, booker_org_id: int) -> None:
    """The booking organisation applies its own voucher to its own booking."""
    if actor.org_id != booker_org_id:
        raise Forbidden("not_the_booker", "仅预约方可使用本机构的创新券", "only the booking organisation")


def require_voucher_holder(actor: Actor, voucher_org_id: int) -> None:
    """A voucher is used only by its organisation (a forged voucher id is refused, never resolved)."""
    if actor.org_id != voucher_org_id:
        raise Invalid.field(["body", "voucher_id"], "创新券不属于本机构", "not your organisation's voucher")


def require_provider(actor: Actor, provider_org_id: int) -> None:
    """The service provider (the instrument's owner) redeems the voucher part of its bill."""
    if not actor.is_admin and actor.org_id != provider_org_id:
        raise Forbidden("not_the_provider", "仅服务提供方可核销创新券", "only the service provider redeems")


def require_either_party(actor: Actor, booker_org_id: int, provider_org_id: int) -> None:
    """The booker or the provider (or an admin) may give back the voucher part of a booking that fell through."""
    if not actor.is_admin and actor.org_id not in (booker_org_id, provider_org_id):
        raise Forbidden("not_a_party", "仅预约双方可退回创新券", "only the parties of the booking")


def may_see_part(actor: Actor, payer_org_id: int, provider_org_id: int) -> bool:
    """A bill's voucher part is shown to the organisation paying with it and to the provider paid (and admins)."""
    return actor.is_admin or actor.org_id in (payer_org_id, provider_org_id)
