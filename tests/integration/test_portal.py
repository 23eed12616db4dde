"""The portal story through its pages, over real HTTP: search, book, approve, broker a deal, register it, watch the total."""

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.factories import create_listing, create_org, publish_listing, unique

pytestmark = pytest.mark.integration

BEIJING = ZoneInfo("Asia/Shanghai")
PASSWORD = "Portal-Pass-2026!"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Portal:
    """A browser without JavaScript: cookies kept, redirects not followed, forms posted with their CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def page(self, path: str, expect: int = 200) -> str:
        response = await self.client.get(path)
        assert response.status_code == expect, f"GET {path} -> {response.status_code}: {response.text[:400]}"
        return response.text

    async def token(self, path: str = "/") -> str:
        found = CSRF.search(await self.page(path))
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    async def post(
        self, path: str, data: dict[str, Any], *, expect: int = 303, token: str | None = "page"
    ) -> httpx.Response:
        form = dict(data)
        if token == "page":
            form["csrf_token"] = await self.token()
        elif token is not None:
            form["csrf_token"] = token
        response = await self.client.post(path, data=form)
        assert response.status_code == expect, f"POST {path} -> {response.status_code}: {response.text[:600]}"
        return response

    async def login(self, email: str, password: str = PASSWORD) -> None:
        token = await self.token("/login")
        response = await self.post("/login", {"email": email, "password": password}, token=token)
        assert response.headers["location"].startswith("/")


@pytest.fixture
async def portal_factory(stack: Any) -> AsyncIterator[Any]:
    clients: list[httpx.AsyncClient] = []

    def make() -> Portal:
        client = httpx.AsyncClient(base_url=stack.base, timeout=60, follow_redirects=False)
        clients.append(client)
        return Portal(client)

    yield make
    for client in clients:
        await client.aclose()


async def make_user(api: Any, admin: str, *, org_id: int | None, role: str, name: str) -> str:
    email = f"{unique(role)}@portal.example.cn"
    await api.json(
        "POST",
        "/api/v1/admin/users",
        token=admin,
        expect=201,
        json={"email": email, "password": PASSWORD, "name": name, "role": role, "org_id": org_id},
    )
    return email


def slot(days: int, start_hour: int, hours: int) -> tuple[str, str]:
    """A datetime-local pair in Beijing time, as the booking form sends it."""
    day = (datetime.now(BEIJING) + timedelta(days=days)).date()
    start = datetime(day.year, day.month, day.day, start_hour, tzinfo=BEIJING)
    end = start + timedelta(hours=hours)
    return start.strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M")


async def published_instrument(api: Any, admin: str, **overrides: Any) -> dict[str, Any]:
    """A university with a provider and one published instrument (400 元/小时)."""
    uni = await create_org(api, admin, kind="university", region="500106")
    provider_email = await make_user(api, admin, org_id=uni["id"], role="provider", name="仪器管理员")
    provider = await api.token(provider_email, PASSWORD)
    made = await create_listing(api, provider, "instrument", **overrides)
    await publish_listing(api, provider, admin, "instrument", made["id"])
    return {"org": uni, "provider_email": provider_email, "provider": provider, "instrument": made}


async def signed_in_enterprise(api: Any, admin: str, portal: Portal) -> dict[str, Any]:
    ent = await create_org(api, admin, kind="enterprise", region="500107")
    email = await make_user(api, admin, org_id=ent["id"], role="enterprise", name="企业采购张经理")
    await portal.login(email)
    return {"org": ent, "email": email}


def first(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    assert found, f"{pattern.pattern} not found"
    return found.group(1)


def year_total(html: str) -> int:
    found = re.search(r'data-year-total-fen="(\d+)"', html)
    assert found, "dashboard shows no year total"
    return int(found.group(1))


async def test_portal_story_end_to_end(api, admin_token, db, portal_factory):
    # given a university with a published scanning electron microscope and a graphene achievement
    supply = await published_instrument(
        api, admin_token, name=unique("场发射扫描电子显微镜"), keywords=["扫描电镜", "SEM"]
    )
    instrument = supply["instrument"]
    achievement = await create_listing(
        api,
        supply["provider"],
        "achievement",
        title=unique("石墨烯导热膜连续化制备技术"),
        summary="石墨烯导热膜卷对卷连续化制备，导热系数超过1500 W/mK",
        fields=["materials"],
        keywords=["石墨烯", "导热膜"],
    )
    await publish_listing(api, supply["provider"], admin_token, "achievement", achievement["id"])
    broker_org = await create_org(api, admin_token, kind="agency", region="500107")
    broker_email = await make_user(
        api, admin_token, org_id=broker_org["id"], role="broker", name="经纪人王磊"
    )
    await api.wait_indexed(admin_token)
    visitor = portal_factory()

    # when an anonymous visitor opens the home page, then it counts the listings by type
    home = await visitor.page("/")
    counts = dict(re.findall(r'data-type="(\w+)" data-count="(\d+)"', home))
    assert set(counts) == {"achievement", "instrument", "expert", "agency"}
    assert int(counts["instrument"]) >= 1
    assert int(counts["achievement"]) >= 1
    assert "一站式科技服务超市" in home

    # when they search 扫描电镜, then the microscope is a hit with the words highlighted
    results = await visitor.page("/search?q=扫描电镜")
    assert f'href="/listings/instrument/{instrument["id"]}"' in results
    assert "<em>" in results
    assert "“扫描电镜”的搜索结果" in results

    # when an enterprise user signs in through the login form, then the header names them
    buyer = portal_factory()
    enterprise = await signed_in_enterprise(api, admin_token, buyer)
    assert "企业采购张经理" in await buyer.page("/")

    # when they book the microscope for two hours through the form on its page
    detail = await buyer.page(f"/listings/instrument/{instrument['id']}")
    assert f'action="/listings/instrument/{instrument["id"]}/book#booking"' in detail
    start, end = slot(days=2, start_hour=9, hours=2)
    booked = await buyer.post(
        f"/listings/instrument/{instrument['id']}/book",
        {"start": start, "end": end, "mode": "self", "samples": "", "note": "观察碳化硅断口形貌"},
        token=first(CSRF, detail),
    )

    # then it redirects to 我的预约, which lists the booking priced from the fee schedule, pending
    assert booked.headers["location"] == "/me/bookings?notice=booked"
    mine = await buyer.page(booked.headers["location"])
    assert instrument["name"] in mine
    assert "¥800.00" in mine
    assert "待审批" in mine
    booking_id = await db.fetchval("SELECT id FROM deals_booking WHERE instrument_id = $1", instrument["id"])
    assert f'data-booking-id="{booking_id}"' in mine

    # when the same slot is booked again, then a friendly 409 re-renders the form and nothing is added
    again = await buyer.post(
        f"/listings/instrument/{instrument['id']}/book",
        {"start": start, "end": end, "mode": "self"},
        expect=409,
    )
    assert "该时段已被其他用户预约" in again.text
    assert (
        await db.fetchval("SELECT count(*) FROM deals_booking WHERE instrument_id = $1", instrument["id"])
        == 1
    )

    # when the instrument's owner approves it on 预约审批
    owner = portal_factory()
    await owner.login(supply["provider_email"])
    approvals = await owner.page("/me/booking-approvals")
    assert f'action="/bookings/{booking_id}/approve"' in approvals
    await owner.post(f"/bookings/{booking_id}/approve", {})

    # then the booking is approved, and the enterprise sees it so
    assert await db.fetchval("SELECT status FROM deals_booking WHERE id = $1", booking_id) == "approved"
    assert "已批准" in await buyer.page("/me/bookings")

    # when the enterprise posts a demand on 我的需求 and an admin publishes it from the review queue
    posted = await buyer.post(
        "/me/demands",
        {
            "title": "寻找石墨烯导热膜连续化制备技术",
            "kind": "tech_problem",
            "description": "用于5G基站散热，需要卷对卷连续化制备的石墨烯导热膜技术",
            "fields": "materials",
            "keywords": "石墨烯，导热膜",
            "budget_min": "300000",
            "budget_max": "1500000",
            "region": "500107",
        },
    )
    demand_id = int(first(re.compile(r"/demands/(\d+)"), posted.headers["location"]))
    assert await db.fetchval("SELECT status FROM demand_demand WHERE id = $1", demand_id) == "pending"
    assert (
        await db.fetchval("SELECT budget_max_fen FROM demand_demand WHERE id = $1", demand_id) == 150_000_000
    )
    admin = portal_factory()
    await admin.login("admin@suite.techmarket.cn", "Suite-Admin-2026!")
    assert f'action="/admin/demands/{demand_id}/publish"' in await admin.page("/admin/review")
    await admin.post(f"/admin/demands/{demand_id}/publish", {})
    # publishing assigns a broker by field and load; the story's broker is given the demand explicitly
    broker_id = await db.fetchval("SELECT id FROM accounts_user WHERE email = $1", broker_email)
    await api.json(
        "POST", f"/api/v1/demands/{demand_id}/broker", token=admin_token, json={"broker_id": broker_id}
    )

    # then a broker sees the achievement among the demand's matches, with the reasons in words
    broker = portal_factory()
    await broker.login(broker_email)
    demand_page = await broker.page(f"/demands/{demand_id}")
    assert f'href="/listings/achievement/{achievement["id"]}"' in demand_page
    assert "同属技术领域：高端新材料" in demand_page
    match_id = await db.fetchval(
        "SELECT id FROM demand_match WHERE demand_id = $1 AND listing_id = $2", demand_id, achievement["id"]
    )
    assert f'data-match-id="{match_id}"' in await broker.page(f"/broker?demand_id={demand_id}")

    # when the broker works the match through the pipeline to won
    for step in ("shortlisted", "contacted", "negotiating"):
        moved = await broker.post(f"/matches/{match_id}/status", {"status": step, "back": "/broker"})
        assert moved.headers["location"] == "/broker?notice=match_moved"
    won = await broker.post(f"/matches/{match_id}/status", {"status": "won", "back": "/broker"})

    # then the match is won and its demand page offers to register the contract
    assert won.headers["location"] == f"/demands/{demand_id}?notice=match_won"
    assert await db.fetchval("SELECT status FROM demand_match WHERE id = $1", match_id) == "won"
    contract_href = f"/demands/{demand_id}/matches/{match_id}/contract"
    assert contract_href in await broker.page(won.headers["location"])

    # when the broker records the signed contract
    form = await broker.page(contract_href)
    signed_at = first(re.compile(r'name="signed_at" type="date" required value="([\d-]+)"'), form)
    await broker.post(
        contract_href,
        {
            "title": "石墨烯导热膜制备技术许可合同",
            "contract_type": "license",
            "field": "materials",
            "total": "800,000.00",
            "tech": "720000",
            "signed_at": signed_at,
        },
    )
    contract = await db.fetchrow(
        "SELECT id, status, total_fen, tech_fen, buyer_org_id, seller_org_id FROM deals_contract WHERE match_id = $1",
        match_id,
    )
    assert dict(contract) == {
        "id": contract["id"],
        "status": "signed",
        "total_fen": 80_000_000,
        "tech_fen": 72_000_000,
        "buyer_org_id": enterprise["org"]["id"],
        "seller_org_id": supply["org"]["id"],
    }

    # and both parties (admin-verified organisations) confirm it and the seller submits it for 认定登记
    for org_id in (enterprise["org"]["id"], supply["org"]["id"]):
        await api.json("POST", f"/api/v1/orgs/{org_id}/verify", token=admin_token)
    buyer_token = await api.token(enterprise["email"], PASSWORD)
    await api.json("POST", f"/api/v1/contracts/{contract['id']}/confirm", token=buyer_token)
    await api.json("POST", f"/api/v1/contracts/{contract['id']}/confirm", token=supply["provider"])
    await api.json("POST", f"/api/v1/contracts/{contract['id']}/registration", token=supply["provider"])
    assert await db.fetchval("SELECT status FROM deals_contract WHERE id = $1", contract["id"]) == (
        "registration_pending"
    )

    # when the admin registers it with a registration number
    # The dashboard reads the roll-up the worker keeps from contract events.
    await api.wait_indexed(admin_token)
    before = year_total(await admin.page("/admin/dashboard"))
    month_export = "/admin/dashboard/export?group_by=month&format=csv"
    csv_before = await admin.page(month_export)
    queue = await admin.page("/admin/contracts")
    assert f'action="/admin/contracts/{contract["id"]}/approve"' in queue
    registered = await admin.post(
        f"/admin/contracts/{contract['id']}/approve",
        {"registration_no": "20265001078888", "certified_tech": ""},
    )
    assert registered.headers["location"] == "/admin/contracts?notice=registered"

    # then the dashboard's year total moves by the contract's amount, with the chart data and the tables
    await api.wait_indexed(admin_token)
    dashboard = await admin.page("/admin/dashboard")
    assert year_total(dashboard) - before == 80_000_000
    assert 'id="dashboard-data"' in dashboard
    assert "/static/vendor/echarts/echarts-5.6.0.min.js" in dashboard
    assert "按地区 · 输出（卖方所在地）" in dashboard
    assert "按地区 · 吸纳（买方所在地）" in dashboard
    assert "format=xlsx" in dashboard
    assert "format=csv" in dashboard
    # and the month export (Chinese headers, amounts in 元) moves this month's row by 800,000.00 元
    csv_after = await admin.page(month_export)
    header = csv_after.splitlines()[0].lstrip("\ufeff")
    assert header == "月份,合同成交额（元）,其中技术交易额（元）,合同数（份）,占比（%）"
    this_month = f"{datetime.now(BEIJING).year}年{datetime.now(BEIJING).month}月"

    def month_row(text: str) -> list[str]:
        return next(line.split(",") for line in text.splitlines() if line.startswith(this_month + ","))

    old_row, new_row = month_row(csv_before), month_row(csv_after)
    assert round(float(new_row[1]) - float(old_row[1]), 2) == 800_000.00
    assert round(float(new_row[2]) - float(old_row[2]), 2) == 720_000.00
    assert int(new_row[3]) - int(old_row[3]) == 1
    assert (
        await db.fetchval("SELECT status FROM deals_contract WHERE id = $1", contract["id"]) == "registered"
    )


async def test_post_without_csrf_token_is_refused_and_changes_nothing(api, admin_token, db, portal_factory):
    # given a signed-in enterprise user on a published instrument's page
    supply = await published_instrument(api, admin_token)
    instrument_id = supply["instrument"]["id"]
    buyer = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)
    start, end = slot(days=3, start_hour=14, hours=1)

    # when the booking form is posted without a token, and with someone else's token
    missing = await buyer.post(
        f"/listings/instrument/{instrument_id}/book",
        {"start": start, "end": end, "mode": "self"},
        token=None,
        expect=403,
    )
    forged = await buyer.post(
        f"/listings/instrument/{instrument_id}/book",
        {"start": start, "end": end, "mode": "self"},
        token="forged-token",
        expect=403,
    )

    # then both are refused with the error page, and no booking exists
    assert "页面已过期或请求来源无法验证" in missing.text
    assert "页面已过期或请求来源无法验证" in forged.text
    assert (
        await db.fetchval("SELECT count(*) FROM deals_booking WHERE instrument_id = $1", instrument_id) == 0
    )

    # and logging out without the token leaves the session alive
    await buyer.post("/logout", {}, token=None, expect=403)
    assert "退出" in await buyer.page("/")


async def test_failed_booking_form_rerenders_with_the_field_error(api, admin_token, db, portal_factory):
    # given a signed-in enterprise user
    supply = await published_instrument(api, admin_token)
    instrument_id = supply["instrument"]["id"]
    buyer = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)
    start, end = slot(days=4, start_hour=10, hours=2)

    # when the end is before the start, or the start is not a time at all
    backwards = await buyer.post(
        f"/listings/instrument/{instrument_id}/book",
        {"start": end, "end": start, "mode": "self", "note": "保留我的备注"},
        expect=422,
    )
    garbage = await buyer.post(
        f"/listings/instrument/{instrument_id}/book",
        {"start": "明天上午", "end": end, "mode": "self"},
        expect=422,
    )

    # then the form comes back with the message next to the field and the values kept, and nothing is booked
    assert 'id="err-end"' in backwards.text
    assert "结束时间必须晚于开始时间" in backwards.text
    assert "保留我的备注" in backwards.text
    assert 'id="err-start"' in garbage.text
    assert 'aria-invalid="true"' in garbage.text
    assert (
        await db.fetchval("SELECT count(*) FROM deals_booking WHERE instrument_id = $1", instrument_id) == 0
    )


async def test_failed_demand_form_rerenders_with_the_field_error(api, admin_token, db, portal_factory):
    # given a signed-in enterprise user
    buyer = portal_factory()
    enterprise = await signed_in_enterprise(api, admin_token, buyer)

    # when the demand has no title and a budget that is not money
    failed = await buyer.post(
        "/me/demands", {"title": "", "kind": "tech_problem", "budget_min": "三十万"}, expect=422
    )

    # then both fields say what is wrong and no demand is stored
    assert 'id="err-title"' in failed.text
    assert 'id="err-budget_min"' in failed.text
    assert "请输入金额（元）" in failed.text
    assert (
        await db.fetchval("SELECT count(*) FROM demand_demand WHERE org_id = $1", enterprise["org"]["id"])
        == 0
    )


async def test_failed_login_rerenders_with_the_error_and_no_session(api, admin_token, portal_factory):
    # given a user
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    email = await make_user(api, admin_token, org_id=ent["id"], role="enterprise", name="登录测试")
    visitor = portal_factory()

    # when they sign in with a wrong password, or post the login form without its token
    token = await visitor.token("/login")
    wrong = await visitor.post(
        "/login", {"email": email, "password": "wrong-password"}, token=token, expect=401
    )
    await visitor.post("/login", {"email": email, "password": PASSWORD}, token=None, expect=403)

    # then the form says so, keeps the e-mail, never echoes the password, and no session exists
    assert "邮箱或密码错误" in wrong.text
    assert f'value="{email}"' in wrong.text
    assert "wrong-password" not in wrong.text
    assert "tm_session" not in visitor.client.cookies
    assert (await visitor.page("/me/bookings", expect=303)) == ""

    # when they sign in correctly and then sign out, then the session is gone
    await visitor.login(email)
    assert "tm_session" in visitor.client.cookies
    assert "登录测试" in await visitor.page("/")
    out = await visitor.post("/logout", {})
    assert out.headers["location"] == "/?notice=signed_out"
    assert (await visitor.client.get("/me/bookings")).headers["location"].startswith("/login?next=")


async def test_pages_are_role_aware(api, admin_token, portal_factory):
    # given an enterprise user
    buyer = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)

    # then their navigation offers their pages only, and admin and broker pages are refused
    home = await buyer.page("/")
    assert 'href="/me/demands"' in home
    assert 'href="/me/bookings"' in home
    assert 'href="/admin/dashboard"' not in home
    assert 'href="/broker"' not in home
    assert "没有权限" in await buyer.page("/admin/dashboard", expect=403)
    assert "没有权限" in await buyer.page("/admin/dashboard/export?group_by=region&format=xlsx", expect=403)
    assert "没有权限" in await buyer.page("/broker", expect=403)

    # and an anonymous visitor is sent to the login page with the way back
    visitor = portal_factory()
    response = await visitor.client.get("/admin/contracts")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fcontracts"


async def test_search_page_filters_sorts_and_explains_empty_results(api, admin_token, portal_factory):
    # given a published instrument
    supply = await published_instrument(api, admin_token, name=unique("透射电子显微镜"), fields=["materials"])
    await api.wait_indexed(admin_token)
    visitor = portal_factory()

    # when the type facet is clicked and the results sorted by newest
    page = await visitor.page("/search?q=电子显微镜&type=instrument&sort=newest")

    # then the facet is active, removable, and the sort selected
    assert 'aria-current="true"' in page
    assert "移除筛选：科研仪器" in page
    assert '<option value="newest" selected>' in page
    assert f'href="/listings/instrument/{supply["instrument"]["id"]}"' in page

    # when nothing matches, then the page gives hints instead of a blank list
    empty = await visitor.page("/search?q=不存在的资源名称xyzzy&type=expert")
    assert "没有找到" in empty
    assert "清除筛选条件" in empty
    assert "jcdl" in empty

    # and a listing's detail page never shows an expert's private contact
    expert = await create_listing(api, supply["provider"], "expert")
    await publish_listing(api, supply["provider"], admin_token, "expert", expert["id"])
    profile = await visitor.page(f"/listings/expert/{expert['id']}")
    assert "13800000000" not in profile
    assert "expert@contact.example.cn" not in profile
    owner = portal_factory()
    await owner.login(supply["provider_email"])
    assert "13800000000" not in await owner.page(f"/listings/expert/{expert['id']}")


async def test_expert_enquiry_form_relays_the_question_without_showing_contacts(
    api, admin_token, db, portal_factory
):
    # given a published expert and a signed-in enterprise user on the expert's page
    supply = await published_instrument(api, admin_token)
    expert = await create_listing(api, supply["provider"], "expert")
    await publish_listing(api, supply["provider"], admin_token, "expert", expert["id"])
    buyer = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)
    profile = await buyer.page(f"/listings/expert/{expert['id']}")
    assert f'action="/listings/expert/{expert["id"]}/enquire"' in profile

    # when the enquiry is too short, then the form says so and nothing is sent
    short = await buyer.post(
        f"/listings/expert/{expert['id']}/enquire", {"subject": "咨询", "message": "你好"}, expect=422
    )
    assert 'id="err-message"' in short.text
    assert await db.fetchval("SELECT count(*) FROM catalog_enquiry WHERE listing_id = $1", expert["id"]) == 0

    # when a proper enquiry is sent
    sent = await buyer.post(
        f"/listings/expert/{expert['id']}/enquire",
        {"subject": "石墨烯导热膜应用咨询", "message": "希望了解石墨烯导热膜在5G基站散热中的应用方案。"},
    )

    # then it is stored for the expert's organisation, and the page still shows no contact
    assert sent.headers["location"] == f"/listings/expert/{expert['id']}?notice=enquiry_sent"
    stored = await db.fetchrow(
        "SELECT subject, expert_org_id FROM catalog_enquiry WHERE listing_id = $1", expert["id"]
    )
    assert dict(stored) == {"subject": "石墨烯导热膜应用咨询", "expert_org_id": supply["org"]["id"]}
    after = await buyer.page(sent.headers["location"])
    assert "咨询已发送" in after
    assert "13800000000" not in after


async def test_a_booking_is_rejected_only_with_a_reason(api, admin_token, db, portal_factory):
    # given a pending booking on a provider's instrument
    supply = await published_instrument(api, admin_token)
    instrument_id = supply["instrument"]["id"]
    buyer = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)
    start, end = slot(days=5, start_hour=9, hours=2)
    await buyer.post(
        f"/listings/instrument/{instrument_id}/book", {"start": start, "end": end, "mode": "self"}
    )
    booking_id = await db.fetchval("SELECT id FROM deals_booking WHERE instrument_id = $1", instrument_id)
    owner = portal_factory()
    await owner.login(supply["provider_email"])

    # when the owner rejects it with no reason, or only spaces
    empty = await owner.post(f"/bookings/{booking_id}/reject", {"reason": ""}, expect=422)
    spaces = await owner.post(f"/bookings/{booking_id}/reject", {"reason": "   "}, expect=422)

    # then the approvals page says a reason is needed next to that booking, and it is still pending
    for response in (empty, spaces):
        assert f'id="err-reason-{booking_id}"' in response.text
        assert "请填写拒绝理由" in response.text
    assert await db.fetchval("SELECT status FROM deals_booking WHERE id = $1", booking_id) == "pending"

    # when they give a reason, then it is rejected with that reason for the applicant
    await owner.post(f"/bookings/{booking_id}/reject", {"reason": "该时段设备维护"})
    row = await db.fetchrow("SELECT status, reject_reason FROM deals_booking WHERE id = $1", booking_id)
    assert dict(row) == {"status": "rejected", "reject_reason": "该时段设备维护"}


async def test_a_price_that_is_not_a_number_is_reported_not_read_as_zero(portal_factory):
    visitor = portal_factory()

    # when the price filter is "abc", or the lowest price is above the highest
    letters = await visitor.page("/search?q=%E6%89%AB%E6%8F%8F%E7%94%B5%E9%95%9C&min_price=abc")
    crossed = await visitor.page("/search?min_price=9000&max_price=100")

    # then the page says why, keeps what was typed, marks the field, and filters by no price
    assert "最低价格“abc”不是有效金额" in letters
    assert 'value="abc"' in letters
    assert 'aria-invalid="true"' in letters
    assert "价格 0–" not in letters  # no chip for a price filter that was never applied
    assert "最低价格不能高于最高价格" in crossed
    assert "价格 9,000–100 元" not in crossed
