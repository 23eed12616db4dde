"""Transition tables of vouchers and redemptions."""

from enum import StrEnum

from services.core.errors import Conflict
from services.vouchers.schemas import RedemptionStatus, VoucherStatus


class VoucherAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class RedemptionAction(StrEnum):
    REDEEM = "redeem"
    RELEASE = "release"


VOUCHER_TRANSITIONS: dict[tuple[VoucherStatus, VoucherAction], VoucherStatus] = {
    (VoucherStatus.PENDING, VoucherAction.APPROVE): VoucherStatus.ACTIVE,
    (VoucherStatus.PENDING, VoucherAction.REJECT): VoucherStatus.REJECTED,
}
REDEMPTION_TRANSITIONS: dict[tuple[RedemptionStatus, RedemptionAction], RedemptionStatus] = {
    (RedemptionStatus.RESERVED, RedemptionAction.REDEEM): RedemptionStatus.REDEEMED,
    (RedemptionStatus.RESERVED, RedemptionAction.RELEASE): RedemptionStatus.RELEASED,
}


def next_voucher_status(status: str, action: VoucherAction) -> VoucherStatus:
    """The voucher's next status, or a Conflict."""
    target = VOUCHER_TRANSITIONS.get((VoucherStatus(status), action))
    if target is None:
        raise Conflict(
            "invalid_transition", f"状态 {status} 的创新券不能 {action.value}", f"cannot {action.value}"
        )
    return target


def next_redemption_status(status: str, action: RedemptionAction) -> RedemptionStatus:
    """The redemption's next status, or a Conflict."""
    target = REDEMPTION_TRANSITIONS.get((RedemptionStatus(status), action))
    if target is None:
        raise Conflict(
            "invalid_transition", f"状态 {status} 的抵扣不能 {action.value}", f"cannot {action.value}"
        )
    return target
