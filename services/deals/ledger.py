"""The money ledger: admins see all of it, an organisation its own statement; reconcile checks it against the provider."""

from typing import Any

from services.accounts import service as accounts_service
from services.accounts.policies import Actor, require_admin, require_member
from services.core.audit import record_audit
from services.core.bodies import parse_body
from services.core.db import transaction
from services.deals import repository
from services.deals.schemas import PayoutAccountSet

# Event outcomes that moved money (payments/service.py): what the provider told us happened.
RECEIVED = ("succeeded", "succeeded_duplicate")
REFUNDED = ("refunded", "partially_refunded")


async def list_ledger(*, actor: Actor, page: int, size: int) -> dict[str, Any]:
    """Every ledger row with the balance of each account (admins)."""
    require_admin(actor)
    total, rows = await repository.page_ledger(contract_ids=None, offset=(page - 1) * size, limit=size)
    balances = await repository.account_balances(None)
    return {"total": total, "page": page, "size": size, "items": rows, "balances": balances}


async def org_statement(*, actor: Actor, org_id: int, page: int, size: int) -> dict[str, Any]:
    """An organisation's own statement: the ledger rows of the contracts it bought or sold."""
    require_member(actor, org_id)
    contract_ids = await repository.contract_ids_of_org(org_id)
    total, rows = await repository.page_ledger(
        contract_ids=contract_ids, offset=(page - 1) * size, limit=size
    )
    balances = await repository.account_balances(contract_ids)
    return {"org_id": org_id, "total": total, "page": page, "size": size, "items": rows, "balances": balances}


def _intent_of(payload: dict[str, Any]) -> str | None:
    obj = payload.get("data", {}).get("object", {})
    intent = obj.get("payment_intent") if obj.get("object") == "charge" else obj.get("id")
    return intent if isinstance(intent, str) else None


async def reconcile() -> list[dict[str, Any]]:
    """Every difference between the ledger and what the provider reported (empty when they agree)."""
    differences: list[dict[str, Any]] = [
        {"kind": "unbalanced_group", **group} for group in await repository.unbalanced_groups()
    ]
    received: dict[str, int] = {}
    refunded: dict[str, int] = {}
    for event in await repository.accepted_events((*RECEIVED, *REFUNDED)):
        intent = _intent_of(event["payload"])
        if intent is None:
            continue
        obj = event["payload"]["data"]["object"]
        if event["outcome"] in RECEIVED:
            received[intent] = int(obj["amount"])
        else:
            refunded[intent] = max(refunded.get(intent, 0), int(obj["amount_refunded"]))
    booked = await repository.cash_by_payment()
    kept = await repository.destination_fees()
    for payment in await repository.payments_with_intents():
        intent = payment["provider_ref"]
        expected = received.get(intent, 0) - refunded.get(intent, 0)
        if payment["id"] in kept and intent in received:
            # A destination charge leaves only the application fee on the platform's balance.
            expected -= received[intent] - kept[payment["id"]]
        actual = booked.get(payment["id"], 0)
        if expected != actual:
            differences.append(
                {
                    "kind": "cash_mismatch",
                    "payment_id": payment["id"],
                    "provider_ref": intent,
                    "provider_fen": expected,
                    "ledger_fen": actual,
                }
            )
    return differences


async def set_payout_account(*, actor: Actor, org_id: int, body: Any) -> dict[str, Any]:
    """An admin records the organisation's connected account that receives its sales (audited)."""
    require_admin(actor)
    data = parse_body(PayoutAccountSet, body)
    await accounts_service.get_org(org_id=org_id)
    async with transaction() as conn:
        await repository.set_payout_account(org_id, data.account_ref, actor.user_id, conn)
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="org.payout_account",
            object_type="organisation",
            object_id=org_id,
            detail={"account_ref": data.account_ref},
        )
    return {"org_id": org_id, "provider": "stripe", "account_ref": data.account_ref}
