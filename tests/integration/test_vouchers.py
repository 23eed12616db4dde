"""创新券: programmes, applications, split billing on bookings, redemption, and a budget that never overspends."""

import asyncio
import os
from datetime import datetime, timedelta

import pytest

from services.core.clock import CHINA_TZ
from tests.factories import (
    create_listing,
    create_org,
    create_user,
    publish_listing,
    start_booking,
    unique,
    valid_uscc,
)
from tests.integration.invariants import assert_problem, nothing_saved, outbox_settled
from tests.integration.test_service_orders import QUOTE as ORDER_QUOTE
from tests.integration.test_service_orders import _webhook as order_webhook

pytestmark = pytest.mark.integration

PRICE = 40_000  # 400 元 for a one-hour slot


def _programme(**overrides):
    today = datetime.now(CHINA_TZ).date()
    body = {
        "name": unique("2026年度科学城创新券"),
        "budget_fen": 10_000_000,
        "face_value_fen": 60_000,
        "eligible_org_kinds": ["enterprise"],
        "service_categories": ["instrument_booking"],
        "instrument_categories": ["01"],
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat(),
    }
    body.update(overrides)
    return body


async def _lab(api, admin_token, category="0101"):
    lab = await create_org(api, admin_token, kind="university")
    _, owner = await create_user(api, admin_token, org_id=lab["id"], role="provider")
    made = await create_listing(
        api,
        owner,
        "instrument",
        category=category,
        fees=[{"unit": "hour", "price_fen": PRICE}],
        booking={"min_notice_hours": 1, "max_hours": 8},
    )
    await publish_listing(api, owner, admin_token, "instrument", made["id"])
    return lab, owner, made["id"]


async def _book(api, token, instrument_id, n):
    start = (datetime.now(CHINA_TZ) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    start += timedelta(hours=2 * n)
    return await api.json(
        "POST",
        "/api/v1/bookings",
        token=token,
        expect=201,
        json={
            "instrument_id": instrument_id,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "mode": "commissioned",
        },
    )


async def _voucher(api, admin_token, token, programme_id):
    applied = await api.json(
        "POST", f"/api/v1/voucher-programmes/{programme_id}/applications", token=token, expect=201
    )
    assert applied["status"] == "pending"
    assert applied["balance_fen"] == 0
    return await api.json("POST", f"/api/v1/vouchers/{applied['id']}/approve", token=admin_token)


async def test_voucher_splits_the_bill_and_the_provider_redeems_it(api, admin_token, db):
    # given a programme for enterprises on analysis instruments (category 01), and an approved voucher of 600 元
    lab, owner, instrument_id = await _lab(api, admin_token)
    ent = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    other = await create_org(api, admin_token, kind="enterprise")
    _, stranger = await create_user(api, admin_token, org_id=other["id"], role="enterprise")

    # only an admin opens programmes
    await api.call("POST", "/api/v1/voucher-programmes", token=buyer, json=_programme(), expect=403)
    programme = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin_token, json=_programme(), expect=201
    )
    voucher = await _voucher(api, admin_token, buyer, programme["id"])
    # and only an admin approves
    stranger_voucher = await api.json(
        "POST", f"/api/v1/voucher-programmes/{programme['id']}/applications", token=stranger, expect=201
    )
    await api.call("POST", f"/api/v1/vouchers/{stranger_voucher['id']}/approve", token=stranger, expect=403)
    assert voucher["status"] == "active"
    assert voucher["balance_fen"] == 60_000

    # when the enterprise pays a 400 元 booking with it, then the voucher pays all of it
    first = await _book(api, buyer, instrument_id, 0)
    split = await api.json(
        "POST",
        f"/api/v1/bookings/{first['id']}/voucher",
        token=buyer,
        json={"voucher_id": voucher["id"]},
        expect=201,
    )
    assert (split["price_fen"], split["voucher_fen"], split["payable_fen"]) == (40_000, 40_000, 0)
    # and the next booking is split: 200 元 from the voucher, 200 元 paid by the enterprise
    second = await _book(api, buyer, instrument_id, 1)
    split = await api.json(
        "POST",
        f"/api/v1/bookings/{second['id']}/voucher",
        token=buyer,
        json={"voucher_id": voucher["id"]},
        expect=201,
    )
    assert (split["voucher_fen"], split["payable_fen"]) == (20_000, 20_000)
    assert await db.fetchval("SELECT balance_fen FROM vouchers_voucher WHERE id = $1", voucher["id"]) == 0

    # another enterprise cannot spend this voucher on its own booking, nor use it on the buyer's booking
    theirs = await _book(api, stranger, instrument_id, 2)
    async with nothing_saved(db):
        forged = await api.call(
            "POST",
            f"/api/v1/bookings/{theirs['id']}/voucher",
            token=stranger,
            json={"voucher_id": voucher["id"]},
        )
    assert_problem(forged, 422, ("body", "voucher_id"))
    await api.call(
        "POST",
        f"/api/v1/bookings/{first['id']}/voucher",
        token=stranger,
        json={"voucher_id": voucher["id"]},
        expect=403,
    )

    # the provider redeems only after the service is completed, and nobody else can
    await api.json("POST", f"/api/v1/bookings/{first['id']}/approve", token=owner)
    await api.call("POST", f"/api/v1/bookings/{first['id']}/voucher/redeem", token=owner, expect=409)
    await start_booking(api, db, owner, first["id"])
    await api.json("POST", f"/api/v1/bookings/{first['id']}/finish", token=owner, json={"effective_hours": 1})
    await api.call("POST", f"/api/v1/bookings/{first['id']}/voucher/redeem", token=buyer, expect=403)
    redeemed = await api.json("POST", f"/api/v1/bookings/{first['id']}/voucher/redeem", token=owner)
    assert redeemed["status"] == "redeemed"
    await api.call("POST", f"/api/v1/bookings/{first['id']}/voucher/redeem", token=owner, expect=409)
    row = await db.fetchrow(
        "SELECT committed_fen, redeemed_fen FROM vouchers_programme WHERE id = $1", programme["id"]
    )
    assert (row["committed_fen"], row["redeemed_fen"]) == (60_000, 40_000)

    # when the second booking is cancelled (free, days ahead), its 200 元 voucher part goes back to the voucher
    # and the budget on its own: the worker settles it from the cancellation's outbox row
    await api.call("POST", f"/api/v1/bookings/{second['id']}/voucher/release", token=buyer, expect=409)
    await api.json("POST", f"/api/v1/bookings/{second['id']}/cancel", token=buyer)
    await outbox_settled(db)
    assert await _redemption(db, "booking_id", second["id"]) == ("released", 20_000)
    assert (
        await db.fetchval("SELECT balance_fen FROM vouchers_voucher WHERE id = $1", voucher["id"]) == 20_000
    )
    assert (
        await db.fetchval("SELECT committed_fen FROM vouchers_programme WHERE id = $1", programme["id"])
        == 40_000
    )
    # and asking for it again gives nothing back twice; a stranger may not even ask
    async with nothing_saved(db):
        await api.call("POST", f"/api/v1/bookings/{second['id']}/voucher/release", token=stranger, expect=403)
        again = await api.call("POST", f"/api/v1/bookings/{second['id']}/voucher/release", token=buyer)
        assert assert_problem(again, 409)["code"] == "nothing_to_release"
    assert lab["id"] != ent["id"]


async def _redemption(db, column, bill_id):
    row = await db.fetchrow(
        f"SELECT status, amount_fen FROM vouchers_redemption WHERE {column} = $1", bill_id
    )
    return (row["status"], row["amount_fen"]) if row else None


async def test_a_booking_that_falls_through_gives_its_voucher_back_all_but_the_fee(api, admin_token, db):
    # given an approved 400 元 booking three hours ahead (free cancellation ends 24 h before, then 50 %),
    # a pending one days ahead, and a 600 元 voucher paying 400 元 of the first and 200 元 of the second
    lab, owner, instrument_id = await _lab(api, admin_token)
    ent = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    programme = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin_token, json=_programme(), expect=201
    )
    voucher = await _voucher(api, admin_token, buyer, programme["id"])
    soon = (datetime.now(CHINA_TZ) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    late = await api.json(
        "POST",
        "/api/v1/bookings",
        token=buyer,
        expect=201,
        json={
            "instrument_id": instrument_id,
            "start": soon.isoformat(),
            "end": (soon + timedelta(hours=1)).isoformat(),
            "mode": "commissioned",
        },
    )
    await api.json("POST", f"/api/v1/bookings/{late['id']}/approve", token=owner)
    pending = await _book(api, buyer, instrument_id, 0)
    for booking in (late, pending):
        await api.json(
            "POST",
            f"/api/v1/bookings/{booking['id']}/voucher",
            token=buyer,
            json={"voucher_id": voucher["id"]},
            expect=201,
        )

    # when the owner rejects the pending one, then its whole voucher part goes back without anyone asking
    await api.json("POST", f"/api/v1/bookings/{pending['id']}/reject", token=owner, json={"reason": "检修"})
    await outbox_settled(db)
    assert await _redemption(db, "booking_id", pending["id"]) == ("released", 20_000)
    # when the booker cancels the approved one after the cut-off, the fee is 200 元: the voucher keeps paying
    # that much, the other 200 元 go back to the voucher and to the budget
    cancelled = await api.json("POST", f"/api/v1/bookings/{late['id']}/cancel", token=buyer)
    assert cancelled["cancel_fee_fen"] == 20_000
    await outbox_settled(db)
    assert await _redemption(db, "booking_id", late["id"]) == ("reserved", 20_000)
    assert (
        await db.fetchval("SELECT balance_fen FROM vouchers_voucher WHERE id = $1", voucher["id"]) == 40_000
    )
    assert (
        await db.fetchval("SELECT committed_fen FROM vouchers_programme WHERE id = $1", programme["id"])
        == 20_000
    )
    # the fee part is not given back on request either
    async with nothing_saved(db):
        kept = await api.call("POST", f"/api/v1/bookings/{late['id']}/voucher/release", token=buyer)
        assert assert_problem(kept, 409)["code"] == "nothing_to_release"
        await api.call("POST", f"/api/v1/bookings/{late['id']}/voucher/redeem", token=buyer, expect=403)

    # when the owner redeems it, the programme pays the fee: the booker's debt for it is settled in the ledger
    redeemed = await api.json("POST", f"/api/v1/bookings/{late['id']}/voucher/redeem", token=owner)
    assert (redeemed["status"], redeemed["voucher_fen"]) == ("redeemed", 20_000)
    owed = await db.fetch(
        "SELECT account, sum(amount_fen) AS fen FROM deals_ledger_entry WHERE entry_group LIKE $1 "
        "GROUP BY account ORDER BY account",
        f"booking-fee%-{late['id']}",
    )
    assert [(r["account"], r["fen"]) for r in owed] == [
        (f"fee_receivable:org-{ent['id']}", 0),
        (f"seller_payable:org-{lab['id']}", -20_000),
        (f"voucher_receivable:programme-{programme['id']}", 20_000),
    ]
    row = await db.fetchrow(
        "SELECT committed_fen, redeemed_fen FROM vouchers_programme WHERE id = $1", programme["id"]
    )
    assert (row["committed_fen"], row["redeemed_fen"]) == (20_000, 20_000)


async def test_vouchers_on_ineligible_services_or_organisations_are_refused(api, admin_token, db):
    # given a programme for analysis instruments (01) and enterprises only
    _, _, physical = await _lab(api, admin_token, category="0201")
    ent = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    programme = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin_token, json=_programme(), expect=201
    )
    voucher = await _voucher(api, admin_token, buyer, programme["id"])

    # a booking of a physical-testing instrument (02) is not covered: 422 naming voucher_id, nothing saved
    booking = await _book(api, buyer, physical, 0)
    async with nothing_saved(db):
        refused = await api.call(
            "POST",
            f"/api/v1/bookings/{booking['id']}/voucher",
            token=buyer,
            json={"voucher_id": voucher["id"]},
        )
    assert_problem(refused, 422, ("body", "voucher_id"))
    assert (
        await db.fetchval("SELECT committed_fen FROM vouchers_programme WHERE id = $1", programme["id"]) == 0
    )

    # a university may not apply to an enterprise programme, nor may an unverified enterprise
    uni = await create_org(api, admin_token, kind="university")
    _, professor = await create_user(api, admin_token, org_id=uni["id"], role="provider")
    ineligible = await api.call(
        "POST", f"/api/v1/voucher-programmes/{programme['id']}/applications", token=professor, expect=403
    )
    assert ineligible.json()["code"] == "org_not_eligible"
    unverified = await create_org(api, admin_token, kind="enterprise", verified=False)
    _, newcomer = await create_user(api, admin_token, org_id=unverified["id"], role="enterprise")
    refused = await api.call(
        "POST", f"/api/v1/voucher-programmes/{programme['id']}/applications", token=newcomer, expect=403
    )
    assert refused.json()["code"] == "org_not_verified"
    # and a programme whose face value exceeds its budget is refused naming the field
    bad = await api.call(
        "POST",
        "/api/v1/voucher-programmes",
        token=admin_token,
        json=_programme(budget_fen=100, face_value_fen=200),
    )
    assert_problem(bad, 422, ("body", "face_value_fen"))


async def test_a_budget_with_100_concurrent_redemptions_never_goes_negative(api, admin_token, db):
    # given a programme whose budget covers 37 one-hour bookings, and 10 enterprises with 10 bookings each
    budget = 37 * PRICE
    _, _, instrument_id = await _lab(api, admin_token)
    programme = await api.json(
        "POST",
        "/api/v1/voucher-programmes",
        token=admin_token,
        json=_programme(budget_fen=budget, face_value_fen=10 * PRICE),
        expect=201,
    )
    calls = []
    slot = 0
    for _ in range(10):
        org = await create_org(api, admin_token, kind="enterprise", uscc=valid_uscc())
        _, token = await create_user(api, admin_token, org_id=org["id"], role="enterprise")
        voucher = await _voucher(api, admin_token, token, programme["id"])
        for _ in range(10):
            booking = await _book(api, token, instrument_id, slot)
            slot += 1
            calls.append((token, booking["id"], voucher["id"]))

    # when all 100 apply their vouchers at once
    responses = await asyncio.gather(
        *(
            api.call(
                "POST", f"/api/v1/bookings/{booking_id}/voucher", token=token, json={"voucher_id": voucher_id}
            )
            for token, booking_id, voucher_id in calls
        )
    )

    # then exactly the budget's worth succeed, the rest are told the budget is spent, and nothing overspends
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 37, codes
    assert codes.count(409) == 63, codes
    assert all(r.json()["code"] == "budget_exhausted" for r in responses if r.status_code == 409)
    row = await db.fetchrow(
        "SELECT budget_fen, committed_fen FROM vouchers_programme WHERE id = $1", programme["id"]
    )
    assert row["committed_fen"] == budget
    assert row["budget_fen"] - row["committed_fen"] == 0
    assert (
        await db.fetchval(
            "SELECT sum(r.amount_fen) FROM vouchers_redemption r JOIN vouchers_voucher v ON v.id = r.voucher_id "
            "WHERE v.programme_id = $1",
            programme["id"],
        )
        == budget
    )
    # and the database itself refuses an overspend that bypassed the service
    with pytest.raises(Exception, match="vouchers_programme_within_budget"):
        await db.execute(
            "UPDATE vouchers_programme SET committed_fen = budget_fen + 1 WHERE id = $1", programme["id"]
        )


TEST_PRICE = 345_000


async def _testing_agency(api, admin_token):
    agency_org = await create_org(api, admin_token, kind="agency")
    _, lab = await create_user(api, admin_token, org_id=agency_org["id"], role="provider")
    agency = await create_listing(api, lab, "agency", qualifications=["CMA"])
    await publish_listing(api, lab, admin_token, "agency", agency["id"])
    return lab, agency["id"]


async def _accepted_test_request(api, lab, buyer, agency_id, price=TEST_PRICE):
    body = {
        "listing_id": agency_id,
        "samples": [{"name": "碳化硅功率模块", "quantity": 3}],
        "items": [{"method": "高温反偏试验", "standard": "GB/T 4937.4-2012"}],
        "turnaround_days": 10,
    }
    made = await api.json("POST", "/api/v1/test-requests", token=buyer, json=body, expect=201)
    quote = {"lines": [{"name": "高温反偏试验", "amount_fen": price}]}
    await api.json("POST", f"/api/v1/test-requests/{made['id']}/quote", token=lab, json=quote)
    await api.json("POST", f"/api/v1/test-requests/{made['id']}/accept", token=buyer)
    return made["id"]


async def test_a_voucher_splits_a_test_request_bill_and_the_lab_redeems_it(api, admin_token, db):
    # given a testing agency, an enterprise with a 2,000 元 voucher for 送样检测, and a stranger
    lab, agency_id = await _testing_agency(api, admin_token)
    ent = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    other = await create_org(api, admin_token, kind="enterprise")
    _, stranger = await create_user(api, admin_token, org_id=other["id"], role="enterprise")
    programme = await api.json(
        "POST",
        "/api/v1/voucher-programmes",
        token=admin_token,
        json=_programme(
            service_categories=["test_request"], instrument_categories=[], face_value_fen=200_000
        ),
        expect=201,
    )
    voucher = await _voucher(api, admin_token, buyer, programme["id"])
    body = {
        "listing_id": agency_id,
        "samples": [{"name": "样品", "quantity": 1}],
        "items": [{"method": "拉伸强度", "standard": "ISO 6892-1:2019"}],
        "turnaround_days": 5,
    }
    unquoted = await api.json("POST", "/api/v1/test-requests", token=buyer, json=body, expect=201)
    rid = await _accepted_test_request(api, lab, buyer, agency_id)
    use = {"voucher_id": voucher["id"]}

    # before the quote is accepted there is no price to split; strangers and the lab cannot apply it
    async with nothing_saved(db):
        early = await api.call(
            "POST", f"/api/v1/test-requests/{unquoted['id']}/voucher", token=buyer, json=use
        )
        assert assert_problem(early, 409)["code"] == "test_request_not_payable"
        await api.call("POST", f"/api/v1/test-requests/{rid}/voucher", token=stranger, json=use, expect=404)
        await api.call("POST", f"/api/v1/test-requests/{rid}/voucher", token=lab, json=use, expect=403)

    # when the requester applies it, the bill splits: the voucher part and the part the requester pays
    split = await api.json("POST", f"/api/v1/test-requests/{rid}/voucher", token=buyer, json=use, expect=201)
    assert (split["test_request_id"], split["booking_id"]) == (rid, None)
    assert (split["price_fen"], split["voucher_fen"], split["payable_fen"]) == (TEST_PRICE, 200_000, 145_000)
    assert split["status"] == "reserved"
    row = await db.fetchrow(
        "SELECT committed_fen, redeemed_fen FROM vouchers_programme WHERE id = $1", programme["id"]
    )
    assert (row["committed_fen"], row["redeemed_fen"]) == (200_000, 0)
    # a replay is refused and reserves nothing more
    async with nothing_saved(db):
        again = await api.call("POST", f"/api/v1/test-requests/{rid}/voucher", token=buyer, json=use)
        assert assert_problem(again, 409)["code"] in (
            "voucher_already_used",
            "nothing_to_pay",
            "invalid_field",
        )
    assert await db.fetchval("SELECT balance_fen FROM vouchers_voucher WHERE id = $1", voucher["id"]) == 0

    # the lab redeems only once the requester accepted the result; the requester cannot redeem
    redeem = f"/api/v1/test-requests/{rid}/voucher/redeem"
    assert assert_problem(await api.call("POST", redeem, token=lab), 409)["code"] == "service_not_completed"
    await api.json("POST", f"/api/v1/test-requests/{rid}/samples-received", token=lab)
    pdf = b"%PDF-1.4\n%%EOF\n"
    await api.json(
        "POST",
        f"/api/v1/test-requests/{rid}/report",
        token=lab,
        files={"file": ("r.pdf", pdf, "application/pdf")},
    )
    await api.json("POST", f"/api/v1/test-requests/{rid}/accept-result", token=buyer)
    await api.call("POST", redeem, token=buyer, expect=403)
    await api.call("POST", redeem, token=stranger, expect=404)
    redeemed = await api.json("POST", redeem, token=lab)
    assert redeemed["status"] == "redeemed"
    row = await db.fetchrow(
        "SELECT committed_fen, redeemed_fen FROM vouchers_programme WHERE id = $1", programme["id"]
    )
    assert (row["committed_fen"], row["redeemed_fen"]) == (200_000, 200_000)
    await api.call("POST", redeem, token=lab, expect=409)


async def test_a_booking_voucher_is_refused_on_a_test_request(api, admin_token, db):
    lab, agency_id = await _testing_agency(api, admin_token)
    ent = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    programme = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin_token, json=_programme(), expect=201
    )
    voucher = await _voucher(api, admin_token, buyer, programme["id"])
    rid = await _accepted_test_request(api, lab, buyer, agency_id)
    async with nothing_saved(db):
        response = await api.call(
            "POST", f"/api/v1/test-requests/{rid}/voucher", token=buyer, json={"voucher_id": voucher["id"]}
        )
        assert_problem(response, 422, ("body", "voucher_id"))
    # and the database refuses a redemption that names no bill, or two
    for booking_id, request_id in ((None, None), (1, rid)):
        with pytest.raises(Exception, match="vouchers_redemption_one_target"):
            await db.execute(
                "INSERT INTO vouchers_redemption (voucher_id, booking_id, test_request_id, provider_org_id, "
                "amount_fen, status, created_at, updated_at) VALUES ($1, $2, $3, 1, 1, 'reserved', now(), now())",
                voucher["id"],
                booking_id,
                request_id,
            )


async def test_a_test_request_budget_with_100_concurrent_applications_never_goes_negative(
    api, admin_token, db
):
    # given a programme whose budget covers 37 test requests, and 10 enterprises with 10 accepted requests each
    price = 10_000
    budget = 37 * price
    lab, agency_id = await _testing_agency(api, admin_token)
    programme = await api.json(
        "POST",
        "/api/v1/voucher-programmes",
        token=admin_token,
        json=_programme(
            budget_fen=budget,
            face_value_fen=10 * price,
            service_categories=["test_request"],
            instrument_categories=[],
        ),
        expect=201,
    )
    calls = []
    for _ in range(10):
        org = await create_org(api, admin_token, kind="enterprise", uscc=valid_uscc())
        _, token = await create_user(api, admin_token, org_id=org["id"], role="enterprise")
        voucher = await _voucher(api, admin_token, token, programme["id"])
        for _ in range(10):
            rid = await _accepted_test_request(api, lab, token, agency_id, price=price)
            calls.append((token, rid, voucher["id"]))

    # when all 100 apply their vouchers at once
    responses = await asyncio.gather(
        *(
            api.call(
                "POST", f"/api/v1/test-requests/{rid}/voucher", token=token, json={"voucher_id": voucher_id}
            )
            for token, rid, voucher_id in calls
        )
    )

    # then exactly the budget's worth succeed and nothing overspends
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 37, codes
    assert codes.count(409) == 63, codes
    assert all(r.json()["code"] == "budget_exhausted" for r in responses if r.status_code == 409)
    assert (
        await db.fetchval("SELECT committed_fen FROM vouchers_programme WHERE id = $1", programme["id"])
        == budget
    )
    spent = await db.fetchval(
        "SELECT sum(r.amount_fen) FROM vouchers_redemption r JOIN vouchers_voucher v ON v.id = r.voucher_id "
        "WHERE v.programme_id = $1 AND r.test_request_id IS NOT NULL",
        programme["id"],
    )
    assert spent == budget
    balances = await db.fetch(
        "SELECT balance_fen FROM vouchers_voucher WHERE programme_id = $1", programme["id"]
    )
    assert all(b["balance_fen"] >= 0 for b in balances)
    assert sum(10 * price - b["balance_fen"] for b in balances) == budget


ORDERS = "/api/v1/service-orders"


async def _consultancy(api, admin_token):
    agency_org = await create_org(api, admin_token, kind="agency")
    _, provider = await create_user(api, admin_token, org_id=agency_org["id"], role="provider")
    agency = await create_listing(api, provider, "agency", agency_types=["consulting"], qualifications=[])
    await publish_listing(api, provider, admin_token, "agency", agency["id"])
    return provider, agency["id"]


async def _order(api, provider, buyer, listing_id, *, accept=True):
    body = {"listing_id": listing_id, "title": "热处理工艺优化咨询", "description": "降低零件变形"}
    made = await api.json("POST", ORDERS, token=buyer, json=body, expect=201)
    quoted = await api.json("POST", f"{ORDERS}/{made['id']}/quote", token=provider, json=ORDER_QUOTE)
    if accept:
        acceptance = {"quote_version": quoted["quote_version"]}
        await api.json("POST", f"{ORDERS}/{made['id']}/accept", token=buyer, json=acceptance)
    return made["id"]


def _order_programme(**overrides):
    return _programme(service_categories=["service_order"], instrument_categories=[], **overrides)


async def test_a_voucher_pays_part_of_a_service_order_and_the_provider_redeems_it(api, admin_token, db):
    # given a consultancy, an enterprise with a 5,000 元 service-order voucher, and another enterprise with one
    provider, listing_id = await _consultancy(api, admin_token)
    ent = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    other = await create_org(api, admin_token, kind="enterprise")
    _, stranger = await create_user(api, admin_token, org_id=other["id"], role="enterprise")
    programme = await api.json(
        "POST",
        "/api/v1/voucher-programmes",
        token=admin_token,
        json=_order_programme(face_value_fen=500_000),
        expect=201,
    )
    voucher = await _voucher(api, admin_token, buyer, programme["id"])
    theirs = await _voucher(api, admin_token, stranger, programme["id"])
    booking_programme = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin_token, json=_programme(), expect=201
    )
    booking_voucher = await _voucher(api, admin_token, buyer, booking_programme["id"])
    quoted_only = await _order(api, provider, buyer, listing_id, accept=False)
    oid = await _order(api, provider, buyer, listing_id)  # 10,000 元: milestones of 3,000 and 7,000 元
    use = f"{ORDERS}/{oid}/voucher"

    # before the quote is accepted there is nothing to split; a booking voucher, another organisation's
    # voucher and a milestone the order does not have are refused naming the field; the provider and
    # strangers cannot apply one; nothing is saved by any of it
    async with nothing_saved(db):
        early = await api.call(
            "POST", f"{ORDERS}/{quoted_only}/voucher", token=buyer, json={"voucher_id": voucher["id"]}
        )
        assert assert_problem(early, 409)["code"] == "order_not_payable"
        for body, field in (
            ({"voucher_id": booking_voucher["id"]}, "voucher_id"),
            ({"voucher_id": theirs["id"]}, "voucher_id"),
            ({"voucher_id": voucher["id"], "milestone_seq": 3}, "milestone_seq"),
            ({"voucher_id": voucher["id"], "milestone_seq": 0}, "milestone_seq"),
        ):
            assert_problem(await api.call("POST", use, token=buyer, json=body), 422, ("body", field))
        await api.call("POST", use, token=stranger, json={"voucher_id": theirs["id"]}, expect=404)
        await api.call("POST", use, token=provider, json={"voucher_id": voucher["id"]}, expect=403)

    # when the buyer applies it to the order, it pays the first milestone in full and 2,000 元 of the second
    split = await api.json("POST", use, token=buyer, json={"voucher_id": voucher["id"]}, expect=201)
    assert (split["service_order_id"], split["booking_id"], split["test_request_id"]) == (oid, None, None)
    assert (split["price_fen"], split["voucher_fen"], split["payable_fen"]) == (1_000_000, 500_000, 500_000)
    seen = await api.json("GET", f"{ORDERS}/{oid}", token=buyer)
    assert seen["voucher_cover"] == {"1": 300_000, "2": 200_000}
    async with nothing_saved(db):
        again = await api.call("POST", use, token=buyer, json={"voucher_id": voucher["id"]})
        assert assert_problem(again, 409)["code"] == "voucher_already_used"
    row = await db.fetchrow(
        "SELECT committed_fen, redeemed_fen FROM vouchers_programme WHERE id = $1", programme["id"]
    )
    assert (row["committed_fen"], row["redeemed_fen"]) == (500_000, 0)

    # then the first milestone needs no payment, and the second is charged through the port less the voucher
    pay = {"methods": ["card"]}
    covered = await api.call("POST", f"{ORDERS}/{oid}/milestones/1/pay", token=buyer, json=pay)
    assert assert_problem(covered, 409)["code"] == "milestone_covered_by_voucher"
    payment = await api.json("POST", f"{ORDERS}/{oid}/milestones/2/pay", token=buyer, json=pay)
    assert payment["amount_fen"] == 500_000
    assert (await order_webhook(api, payment, f"evt_{os.urandom(8).hex()}"))["outcome"] == "succeeded"
    received = await db.fetchval(
        "SELECT sum(amount_fen) FROM deals_ledger_entry WHERE payment_id = $1 AND account = 'provider_clearing'",
        payment["payment_id"],
    )
    assert received == 500_000

    # the provider redeems only once the order is completed; the buyer and strangers cannot
    redeem = f"{ORDERS}/{oid}/voucher/redeem"
    assert (
        assert_problem(await api.call("POST", redeem, token=provider), 409)["code"] == "service_not_completed"
    )
    await api.json("POST", f"{ORDERS}/{oid}/deliver", token=provider, data={"note": "方案已提交"})
    await api.json("POST", f"{ORDERS}/{oid}/accept-delivery", token=buyer)
    await api.call("POST", redeem, token=buyer, expect=403)
    await api.call("POST", redeem, token=stranger, expect=404)
    redeemed = await api.json("POST", redeem, token=provider)
    assert redeemed["status"] == "redeemed"
    await api.call("POST", redeem, token=provider, expect=409)
    row = await db.fetchrow(
        "SELECT committed_fen, redeemed_fen FROM vouchers_programme WHERE id = $1", programme["id"]
    )
    assert (row["committed_fen"], row["redeemed_fen"]) == (500_000, 500_000)
    # and with the voucher redeemed, the milestone it paid in full counts as paid (the other was paid by card)
    contract_id = await db.fetchval("SELECT contract_id FROM orders_service_order WHERE id = $1", oid)
    milestones = await db.fetch(
        "SELECT seq, status FROM deals_milestone WHERE contract_id = $1 ORDER BY seq", contract_id
    )
    assert [(m["seq"], m["status"]) for m in milestones] == [(1, "paid"), (2, "paid")]


async def test_a_cancelled_service_order_gives_its_voucher_back(api, admin_token, db):
    # given an order whose second milestone a voucher pays in part
    provider, listing_id = await _consultancy(api, admin_token)
    ent = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    programme = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin_token, json=_order_programme(), expect=201
    )
    voucher = await _voucher(api, admin_token, buyer, programme["id"])
    oid = await _order(api, provider, buyer, listing_id)
    body = {"voucher_id": voucher["id"], "milestone_seq": 2}
    split = await api.json("POST", f"{ORDERS}/{oid}/voucher", token=buyer, json=body, expect=201)
    assert split["voucher_fen"] == 60_000
    assert await db.fetchval("SELECT voucher_cover FROM orders_service_order WHERE id = $1", oid) == (
        '{"2": 60000}'
    )
    payment = await api.json(
        "POST", f"{ORDERS}/{oid}/milestones/2/pay", token=buyer, json={"methods": ["card"]}
    )
    assert payment["amount_fen"] == 700_000 - 60_000

    # when the delivery is disputed and an admin cancels the order
    await api.json("POST", f"{ORDERS}/{oid}/deliver", token=provider, data={"note": "方案已提交"})
    await api.json("POST", f"{ORDERS}/{oid}/dispute", token=buyer, json={"reason": "方案未覆盖淬火工序"})
    ruling = {"outcome": "cancel", "note": "双方协商解除"}
    await api.json("POST", f"{ORDERS}/{oid}/resolve", token=admin_token, json=ruling)

    # then the voucher part goes back to the voucher and the budget without anyone asking, once
    await outbox_settled(db)
    assert await _redemption(db, "service_order_id", oid) == ("released", 60_000)
    assert (
        await db.fetchval("SELECT balance_fen FROM vouchers_voucher WHERE id = $1", voucher["id"]) == 60_000
    )
    assert (
        await db.fetchval("SELECT committed_fen FROM vouchers_programme WHERE id = $1", programme["id"]) == 0
    )
    assert await db.fetchval("SELECT voucher_cover FROM orders_service_order WHERE id = $1", oid) is None
    # and the provider cannot redeem it
    await api.call("POST", f"{ORDERS}/{oid}/voucher/redeem", token=provider, expect=409)


async def test_a_service_order_budget_with_100_concurrent_applications_never_goes_negative(
    api, admin_token, db
):
    # given a programme whose budget covers 37 of the orders' 10,000 元, and 10 enterprises with 10 orders each
    price = 1_000_000
    budget = 37 * price
    provider, listing_id = await _consultancy(api, admin_token)
    programme = await api.json(
        "POST",
        "/api/v1/voucher-programmes",
        token=admin_token,
        json=_order_programme(budget_fen=budget, face_value_fen=10 * price),
        expect=201,
    )
    calls = []
    for _ in range(10):
        org = await create_org(api, admin_token, kind="enterprise", uscc=valid_uscc())
        _, token = await create_user(api, admin_token, org_id=org["id"], role="enterprise")
        voucher = await _voucher(api, admin_token, token, programme["id"])
        for _ in range(10):
            calls.append((token, await _order(api, provider, token, listing_id), voucher["id"]))

    # when all 100 apply their vouchers at once
    responses = await asyncio.gather(
        *(
            api.call("POST", f"{ORDERS}/{oid}/voucher", token=token, json={"voucher_id": voucher_id})
            for token, oid, voucher_id in calls
        )
    )

    # then exactly the budget's worth succeed, each order records its cover, and nothing overspends
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 37, codes
    assert codes.count(409) == 63, codes
    assert all(r.json()["code"] == "budget_exhausted" for r in responses if r.status_code == 409)
    assert (
        await db.fetchval("SELECT committed_fen FROM vouchers_programme WHERE id = $1", programme["id"])
        == budget
    )
    covered = await db.fetchval(
        "SELECT count(*) FROM orders_service_order WHERE id = ANY($1::bigint[]) AND voucher_cover IS NOT NULL",
        [oid for _, oid, _ in calls],
    )
    assert covered == 37
    balances = await db.fetch(
        "SELECT balance_fen FROM vouchers_voucher WHERE programme_id = $1", programme["id"]
    )
    assert all(b["balance_fen"] >= 0 for b in balances)
    assert sum(10 * price - b["balance_fen"] for b in balances) == budget


async def test_the_contract_of_an_order_charges_no_more_than_the_order_whichever_way_it_is_paid(
    api, admin_token, db
):
    # given two accepted orders of 10,000 元 (milestones 3,000 and 7,000 元) with a 5,000 元 voucher each: the
    # first order's contract is made before the voucher is applied, the second one's after
    provider, listing_id = await _consultancy(api, admin_token)
    ent = await create_org(api, admin_token, kind="enterprise")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    early, late = (
        await _order(api, provider, buyer, listing_id),
        await _order(api, provider, buyer, listing_id),
    )
    early_contract = await api.json("POST", f"{ORDERS}/{early}/contract", token=buyer, expect=201)
    for oid in (early, late):  # one voucher per organisation and programme: a programme each
        programme = await api.json(
            "POST",
            "/api/v1/voucher-programmes",
            token=admin_token,
            json=_order_programme(face_value_fen=500_000),
            expect=201,
        )
        voucher = await _voucher(api, admin_token, buyer, programme["id"])
        await api.json(
            "POST", f"{ORDERS}/{oid}/voucher", token=buyer, json={"voucher_id": voucher["id"]}, expect=201
        )
    late_contract = await api.json("POST", f"{ORDERS}/{late}/contract", token=buyer, expect=201)

    # when the buyer pays through the contract's own endpoint instead of the order's, then the milestone the
    # voucher pays in full is not charged, and the other is charged less the voucher's part, as on the order
    pay = {"methods": ["card"]}
    for contract in (early_contract, late_contract):
        first, second = sorted(contract["milestones"], key=lambda m: m["seq"])
        async with nothing_saved(db):
            covered = await api.call(
                "POST",
                f"/api/v1/contracts/{contract['id']}/milestones/{first['id']}/pay",
                token=buyer,
                json=pay,
            )
            assert assert_problem(covered, 409)["code"] == "milestone_covered_by_voucher"
        payment = await api.json(
            "POST", f"/api/v1/contracts/{contract['id']}/milestones/{second['id']}/pay", token=buyer, json=pay
        )
        assert payment["amount_fen"] == 700_000 - 200_000
