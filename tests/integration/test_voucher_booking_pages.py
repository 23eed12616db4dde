"""创新券 on an instrument booking and on a test request, in the portal: the enterprise applies its approved voucher on
我的预约 or on the request's page (the part it still pays drops), the provider redeems it on 预约审批 or on the
request's page once the service is done, and the enterprise gives a booking's voucher back once it fell through.
A voucher not yet approved is refused beside the form; another organisation can neither apply a voucher to these
bills nor redeem them, the enterprise cannot redeem its own, and a form without its CSRF token changes nothing."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_org, start_booking, unique
from tests.integration.invariants import outbox_settled
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
    published_instrument,
)
from tests.integration.test_test_request_pages import PDF
from tests.integration.test_vouchers import _accepted_test_request, _book, _programme, _voucher

pytestmark = pytest.mark.integration


async def _member(
    api: Any, admin: str, portal: Any, *, kind: str = "enterprise", role: str = "enterprise"
) -> Any:
    """A signed-in member of a new organisation: its organisation and an API token."""
    org = await create_org(api, admin, kind=kind, region="500107")
    email = await make_user(api, admin, org_id=org["id"], role=role, name=unique("成员"))
    await portal.login(email)
    return org, await api.token(email, PASSWORD)


async def _programme_id(api: Any, admin: str, **overrides: Any) -> int:
    made = await api.json(
        "POST", "/api/v1/voucher-programmes", token=admin, json=_programme(**overrides), expect=201
    )
    return int(made["id"])


async def _pending_voucher(api: Any, token: str, programme_id: int) -> int:
    applied = await api.json(
        "POST", f"/api/v1/voucher-programmes/{programme_id}/applications", token=token, expect=201
    )
    return int(applied["id"])


async def _stranger_posts_voucher(
    api: Any, admin: str, portal: Any, programme_id: int, url: str, page: str, expect: int
) -> int:
    """A member of another enterprise (signed in on `portal`) posts its own approved voucher to `url`, a bill
    that is not its own, and is refused with `expect`: its voucher."""
    _, token = await _member(api, admin, portal)
    theirs = int((await _voucher(api, admin, token, programme_id))["id"])
    await portal.post(url, {"voucher_id": str(theirs)}, token=await portal.token(page), expect=expect)
    return theirs


async def _redemption(db: asyncpg.Connection, column: str, bill_id: int) -> tuple[str, int] | None:
    row = await db.fetchrow(
        f"SELECT status, amount_fen FROM vouchers_redemption WHERE {column} = $1", bill_id
    )
    return (row["status"], row["amount_fen"]) if row else None


async def _balance(db: asyncpg.Connection, voucher_id: int) -> int:
    return int(await db.fetchval("SELECT balance_fen FROM vouchers_voucher WHERE id = $1", voucher_id))


async def test_a_booking_is_paid_in_part_by_a_voucher_and_the_owner_redeems_it(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a lab's instrument (category 0101, 400 元 an hour), an enterprise with an approved 300 元 voucher for
    # analysis instruments and a pending one, and its one-hour booking
    supply = await published_instrument(api, admin_token, name=unique("场发射扫描电镜"))
    instrument_id = supply["instrument"]["id"]
    buyer = portal_factory()
    ent, buyer_token = await _member(api, admin_token, buyer)
    programme_id = await _programme_id(api, admin_token, face_value_fen=30_000)
    voucher = (await _voucher(api, admin_token, buyer_token, programme_id))["id"]
    pending = await _pending_voucher(api, buyer_token, await _programme_id(api, admin_token))
    booking_id = (await _book(api, buyer_token, instrument_id, 0))["id"]

    # then 我的预约 offers the approved voucher only, saying what it pays and what is left to pay
    page = await buyer.page("/me/bookings")
    assert f'action="/bookings/{booking_id}/voucher"' in page
    assert f"创新券 #{voucher}（余额 300.00 元，抵扣 300.00 元，还需支付 100.00 元）" in page
    assert f'value="{pending}"' not in page

    # when the pending voucher is posted, then it is refused in Chinese beside the booking, nothing reserved
    refused = await buyer.post(
        f"/bookings/{booking_id}/voucher",
        {"voucher_id": str(pending)},
        token=await buyer.token("/me/bookings"),
        expect=422,
    )
    assert (
        f'<p class="field-error" id="err-voucher-{booking_id}" role="alert">创新券尚未批准或已被驳回</p>'
        in refused.text
    )
    # and a post without its CSRF token is refused too
    await buyer.post(f"/bookings/{booking_id}/voucher", {"voucher_id": str(voucher)}, token=None, expect=403)
    assert await _redemption(db, "booking_id", booking_id) is None

    # when another enterprise posts its own approved voucher to this booking, then 403 and nothing changes
    theirs = await _stranger_posts_voucher(
        api,
        admin_token,
        portal_factory(),
        programme_id,
        f"/bookings/{booking_id}/voucher",
        "/me/bookings",
        403,
    )
    assert await _redemption(db, "booking_id", booking_id) is None
    assert (await _balance(db, theirs), await _balance(db, voucher)) == (30_000, 30_000)

    # when the enterprise applies its voucher, then 300 元 are reserved and 100 元 remain to pay
    used = await buyer.post(
        f"/bookings/{booking_id}/voucher",
        {"voucher_id": str(voucher)},
        token=await buyer.token("/me/bookings"),
    )
    assert used.headers["location"] == "/me/bookings?notice=voucher_used"
    assert await _redemption(db, "booking_id", booking_id) == ("reserved", 30_000)
    assert await _balance(db, voucher) == 0
    page = await buyer.page("/me/bookings")
    assert f"创新券 #{voucher} · 面额 300.00 元 · 抵扣 300.00 元 · 还需支付 100.00 元" in page
    assert f'action="/bookings/{booking_id}/voucher"' not in page
    assert f'action="/bookings/{booking_id}/voucher/release"' not in page  # the booking is still live

    # given the owner approved the booking: it sees the voucher part, with nothing to redeem before the service
    owner = portal_factory()
    await owner.login(supply["provider_email"])
    await owner.post(f"/bookings/{booking_id}/approve", {}, token=await owner.token("/me/booking-approvals"))
    approvals = await owner.page("/me/booking-approvals")
    assert f"创新券 #{voucher} · 面额 300.00 元 · 抵扣 300.00 元" in approvals
    assert f'action="/bookings/{booking_id}/voucher/redeem"' not in approvals
    early = await owner.post(
        f"/bookings/{booking_id}/voucher/redeem",
        {},
        token=await owner.token("/me/booking-approvals"),
        expect=422,
    )
    assert f'id="err-usage-{booking_id}" role="alert">服务完成后才能核销创新券' in early.text
    assert await _redemption(db, "booking_id", booking_id) == ("reserved", 30_000)

    # when the service is done (started, then finished with one effective hour)
    await start_booking(api, db, supply["provider"], booking_id)
    await api.json(
        "POST", f"/api/v1/bookings/{booking_id}/finish", token=supply["provider"], json={"effective_hours": 1}
    )

    # then the enterprise cannot redeem its own voucher part, nor can another lab
    await buyer.post(
        f"/bookings/{booking_id}/voucher/redeem", {}, token=await buyer.token("/me/bookings"), expect=403
    )
    rival = portal_factory()
    await _member(api, admin_token, rival, kind="university", role="provider")
    await rival.post(
        f"/bookings/{booking_id}/voucher/redeem",
        {},
        token=await rival.token("/me/booking-approvals"),
        expect=403,
    )
    await owner.post(f"/bookings/{booking_id}/voucher/redeem", {}, token=None, expect=403)
    assert await _redemption(db, "booking_id", booking_id) == ("reserved", 30_000)

    # when the owner redeems it from 预约审批 (confirmed first), then it counts as redeemed for the programme
    approvals = await owner.page("/me/booking-approvals")
    assert (
        f'action="/bookings/{booking_id}/voucher/redeem" class="inline" data-confirm="确认服务已完成并核销创新券 300.00 元吗？'
        in approvals
    )
    redeemed = await owner.post(
        f"/bookings/{booking_id}/voucher/redeem", {}, token=await owner.token("/me/booking-approvals")
    )
    assert redeemed.headers["location"] == "/me/booking-approvals?notice=voucher_redeemed"
    assert await _redemption(db, "booking_id", booking_id) == ("redeemed", 30_000)
    assert (
        await db.fetchval("SELECT redeemed_fen FROM vouchers_programme WHERE id = $1", programme_id) == 30_000
    )
    assert "已核销" in await buyer.page("/me/bookings")
    assert ent["id"] != supply["org"]["id"]


async def test_the_enterprise_gives_the_voucher_of_a_cancelled_booking_back(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    stack: Any,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given an enterprise's booking paid in full by its 600 元 voucher (400 元 used, 200 元 left)
    supply = await published_instrument(api, admin_token, name=unique("X射线衍射仪"))
    buyer = portal_factory()
    _, buyer_token = await _member(api, admin_token, buyer)
    programme_id = await _programme_id(api, admin_token)
    voucher = (await _voucher(api, admin_token, buyer_token, programme_id))["id"]
    booking_id = (await _book(api, buyer_token, supply["instrument"]["id"], 0))["id"]
    await buyer.post(
        f"/bookings/{booking_id}/voucher",
        {"voucher_id": str(voucher)},
        token=await buyer.token("/me/bookings"),
    )
    assert await _balance(db, voucher) == 20_000

    # when the enterprise cancels it days ahead (no fee), before the worker gives the part back on its own
    await outbox_settled(db)
    stack.stop_worker()
    try:
        await buyer.post(f"/bookings/{booking_id}/cancel", {}, token=await buyer.token("/me/bookings"))
        page = await buyer.page("/me/bookings")
        # then 我的预约 offers 退回创新券, confirmed before it is posted
        assert (
            f'action="/bookings/{booking_id}/voucher/release" class="inline" data-confirm="确定退回创新券吗？'
            in page
        )
        # and another organisation may not give it back, nor may a post without its CSRF token
        stranger = portal_factory()
        await _member(api, admin_token, stranger)
        await stranger.post(
            f"/bookings/{booking_id}/voucher/release",
            {},
            token=await stranger.token("/me/bookings"),
            expect=403,
        )
        await buyer.post(f"/bookings/{booking_id}/voucher/release", {}, token=None, expect=403)
        assert await _redemption(db, "booking_id", booking_id) == ("reserved", 40_000)

        # when the enterprise gives it back, then the 400 元 return to the voucher and to the programme's budget
        released = await buyer.post(
            f"/bookings/{booking_id}/voucher/release", {}, token=await buyer.token("/me/bookings")
        )
        assert released.headers["location"] == "/me/bookings?notice=voucher_released"
        assert await _redemption(db, "booking_id", booking_id) == ("released", 40_000)
        assert await _balance(db, voucher) == 60_000
        assert (
            await db.fetchval("SELECT committed_fen FROM vouchers_programme WHERE id = $1", programme_id) == 0
        )
        page = await buyer.page("/me/bookings")
        assert f"创新券 #{voucher} · 面额 600.00 元 · 已退回本机构" in page
        assert f'action="/bookings/{booking_id}/voucher/release"' not in page
    finally:
        stack.start_worker()

    # and when the worker catches up with the cancellation, nothing is given back twice
    await outbox_settled(db)
    assert await _balance(db, voucher) == 60_000
    assert await db.fetchval("SELECT committed_fen FROM vouchers_programme WHERE id = $1", programme_id) == 0


async def test_a_test_request_is_paid_in_part_by_a_voucher_and_the_lab_redeems_it(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a lab's accepted 3,450 元 test request of an enterprise holding an approved 2,000 元 voucher for
    # 送样检测, a pending one, and an approved one for instrument bookings only
    supply = await published_instrument(api, admin_token, name=unique("高温反偏试验台"))
    buyer = portal_factory()
    _, buyer_token = await _member(api, admin_token, buyer)
    tests_only = {"service_categories": ["test_request"], "instrument_categories": []}
    programme_id = await _programme_id(api, admin_token, face_value_fen=200_000, **tests_only)
    voucher = (await _voucher(api, admin_token, buyer_token, programme_id))["id"]
    pending = await _pending_voucher(api, buyer_token, await _programme_id(api, admin_token, **tests_only))
    bookings_only = (await _voucher(api, admin_token, buyer_token, await _programme_id(api, admin_token)))[
        "id"
    ]
    request_id = await _accepted_test_request(
        api, supply["provider"], buyer_token, supply["instrument"]["id"]
    )
    detail = f"/me/test-requests/{request_id}"

    # then the request's page offers the 送样检测 voucher only, saying what it pays and what is left to pay
    page = await buyer.page(detail)
    assert f'action="{detail}/voucher"' in page
    assert f"创新券 #{voucher}（余额 2,000.00 元，抵扣 2,000.00 元，还需支付 1,450.00 元）" in page
    assert f'value="{pending}"' not in page
    assert f'value="{bookings_only}"' not in page

    # when the pending voucher is posted, then it is refused in Chinese beside the form, nothing reserved
    refused = await buyer.post(
        f"{detail}/voucher", {"voucher_id": str(pending)}, token=await buyer.token(detail), expect=422
    )
    assert '<p class="field-error" id="err-voucher_id">创新券尚未批准或已被驳回</p>' in refused.text
    await buyer.post(f"{detail}/voucher", {"voucher_id": str(voucher)}, token=None, expect=403)
    assert await _redemption(db, "test_request_id", request_id) is None

    # when another enterprise, or the lab itself, posts a voucher to this request, then 404 / 403, nothing changes
    stranger = portal_factory()
    theirs = await _stranger_posts_voucher(
        api, admin_token, stranger, programme_id, f"{detail}/voucher", "/me/test-requests", 404
    )
    lab = portal_factory()
    await lab.login(supply["provider_email"])
    await lab.post(
        f"{detail}/voucher", {"voucher_id": str(voucher)}, token=await lab.token(detail), expect=403
    )
    assert await _redemption(db, "test_request_id", request_id) is None
    assert (await _balance(db, theirs), await _balance(db, voucher)) == (200_000, 200_000)

    # when the enterprise applies its voucher, then 2,000 元 are reserved and 1,450 元 remain to pay
    used = await buyer.post(
        f"{detail}/voucher", {"voucher_id": str(voucher)}, token=await buyer.token(detail)
    )
    assert used.headers["location"] == f"{detail}?notice=voucher_used"
    assert await _redemption(db, "test_request_id", request_id) == ("reserved", 200_000)
    page = await buyer.page(detail)
    assert f"创新券 #{voucher} · 面额 2,000.00 元 · 抵扣 2,000.00 元 · 还需支付 1,450.00 元" in page
    assert f'action="{detail}/voucher"' not in page

    # the lab sees the part but redeems only once the result is accepted
    assert f'action="{detail}/voucher-redeem"' not in await lab.page(detail)
    early = await lab.post(f"{detail}/voucher-redeem", {}, token=await lab.token(detail), expect=409)
    assert "检测完成后才能核销创新券" in early.text
    await api.json("POST", f"/api/v1/test-requests/{request_id}/samples-received", token=supply["provider"])
    await api.json(
        "POST",
        f"/api/v1/test-requests/{request_id}/report",
        token=supply["provider"],
        files={"file": ("report.pdf", PDF, "application/pdf")},
    )
    await api.json("POST", f"/api/v1/test-requests/{request_id}/accept-result", token=buyer_token)

    # when the enterprise or the stranger posts the redemption, then 403 / 404 and it stays reserved
    await buyer.post(f"{detail}/voucher-redeem", {}, token=await buyer.token(detail), expect=403)
    await stranger.post(
        f"{detail}/voucher-redeem", {}, token=await stranger.token("/me/test-requests"), expect=404
    )
    await lab.post(f"{detail}/voucher-redeem", {}, token=None, expect=403)
    assert await _redemption(db, "test_request_id", request_id) == ("reserved", 200_000)

    # when the lab redeems it from the request's page (confirmed first), then it is redeemed for the programme
    assert (
        f'action="{detail}/voucher-redeem" class="inline" data-confirm="确认委托方已验收检测结果并核销创新券 2,000.00 元吗？'
        in await lab.page(detail)
    )
    redeemed = await lab.post(f"{detail}/voucher-redeem", {}, token=await lab.token(detail))
    assert redeemed.headers["location"] == f"{detail}?notice=voucher_redeemed"
    assert await _redemption(db, "test_request_id", request_id) == ("redeemed", 200_000)
    assert (
        await db.fetchval("SELECT redeemed_fen FROM vouchers_programme WHERE id = $1", programme_id)
        == 200_000
    )
    assert "已核销" in await buyer.page(detail)
