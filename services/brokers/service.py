"""Broker profiles: a person files one, an admin approves it, and only then does the account act as a broker."""

from typing import Any

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_admin
from services.brokers import policies, repository
from services.brokers.models import BrokerProfile
from services.brokers.schemas import BrokerApply, BrokerRead, BrokerReject, BrokerStatus
from services.core import clock
from services.core.audit import record_audit
from services.core.bodies import parse_body
from services.core.db import transaction
from services.core.errors import Invalid, NotFound
from services.core.transitions import TransitionTable, next_state
from services.reference.vocabulary import Role

# A profile without a row is "new"; filing again after a rejection starts a fresh review.
BROKER_TRANSITIONS: TransitionTable[BrokerStatus] = {
    ("new", "apply"): BrokerStatus.PENDING,
    (BrokerStatus.REJECTED, "apply"): BrokerStatus.PENDING,
    (BrokerStatus.PENDING, "apply"): BrokerStatus.PENDING,
    (BrokerStatus.PENDING, "approve"): BrokerStatus.APPROVED,
    (BrokerStatus.PENDING, "reject"): BrokerStatus.REJECTED,
}
_SUBJECT = ("经纪人资料", "broker profile")


def broker_read(profile: BrokerProfile) -> BrokerRead:
    """Schema of a broker profile."""
    return BrokerRead(
        id=profile.id,
        user_id=profile.user_id,
        org_id=profile.org_id,
        certificate_no=profile.certificate_no,
        title=profile.title,
        fields=list(profile.tech_fields),
        status=BrokerStatus(profile.status),
        decided_at=profile.decided_at,
        reject_reason=profile.reject_reason,
        created_at=profile.created_at,
    )


async def apply_as_broker(*, actor: Actor, body: Any) -> BrokerRead:
    """File (or re-file) the caller's broker profile for an admin's review; grants nothing by itself."""
    data = parse_body(BrokerApply, body)
    org_id = policies.require_applicant(actor)
    async with transaction() as conn:
        current = await repository.profile_of_user(actor.user_id, conn)
        status = next_state(
            BROKER_TRANSITIONS, current.status if current else "new", "apply", subject=_SUBJECT
        )
        profile = await repository.upsert_application(
            actor.user_id,
            {
                "org_id": org_id,
                "certificate_no": data.certificate_no,
                "title": data.title,
                "tech_fields": data.fields,
                "status": status.value,
                "decided_by_id": None,
                "decided_at": None,
                "reject_reason": None,
            },
            conn,
        )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="broker.apply",
            object_type="broker_profile",
            object_id=profile.id,
            detail={"certificate_no": data.certificate_no},
        )
    return broker_read(profile)


async def my_broker_profile(*, actor: Actor) -> BrokerRead:
    """The caller's own broker profile."""
    profile = await repository.profile_of_user(actor.user_id)
    if profile is None:
        raise NotFound("broker_profile_not_found", "尚未提交经纪人资料", "no broker profile filed")
    return broker_read(profile)


async def _decide(actor: Actor, profile_id: int, action: str, reason: str | None) -> BrokerRead:
    require_admin(actor)
    async with transaction() as conn:
        profile = await repository.lock_profile(profile_id, conn)
        if profile is None:
            raise NotFound(
                "broker_profile_not_found", f"经纪人资料 {profile_id} 不存在", "broker profile not found"
            )
        status = next_state(BROKER_TRANSITIONS, profile.status, action, subject=_SUBJECT)
        await repository.update_profile(
            profile.id,
            conn,
            status=status.value,
            decided_by_id=actor.user_id,
            decided_at=clock.now(),
            reject_reason=reason,
        )
        if status is BrokerStatus.APPROVED:
            await accounts_service.grant_role(
                actor=actor,
                user_id=profile.user_id,
                role=Role.BROKER,
                reason=f"broker profile {profile.id} approved",
                connection=conn,
            )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action=f"broker.{action}",
            object_type="broker_profile",
            object_id=profile.id,
            detail={"reason": reason} if reason else {},
        )
        decided = await repository.lock_profile(profile.id, conn)
        assert decided is not None
    return broker_read(decided)


async def approve_broker(*, actor: Actor, profile_id: int) -> BrokerRead:
    """An admin approves a broker profile: the person becomes a broker (audited grant)."""
    return await _decide(actor, profile_id, "approve", None)


async def reject_broker(*, actor: Actor, profile_id: int, body: Any) -> BrokerRead:
    """An admin refuses a broker profile with a reason."""
    data = parse_body(BrokerReject, body)
    return await _decide(actor, profile_id, "reject", data.reason)


async def list_broker_profiles(*, actor: Actor, status: str | None, page: int, size: int) -> dict[str, Any]:
    """Broker profiles for the admin's review queue."""
    require_admin(actor)
    if status is not None and status not in {s.value for s in BrokerStatus}:
        raise Invalid.field(["query", "status"], f"未知状态 {status}", "unknown status")
    total, rows = await repository.page_profiles(status=status, offset=(page - 1) * size, limit=size)
    return {"total": total, "page": page, "size": size, "items": [broker_read(p) for p in rows]}
