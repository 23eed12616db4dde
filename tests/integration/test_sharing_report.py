"""The 开放共享 report: 有效机时 equals the recorded effective hours; external figures; exports; who may read it."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import openpyxl
import pytest

from services.core.clock import CHINA_TZ
from tests.factories import create_listing, create_org, create_user, publish_listing, start_booking
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.invariants import assert_problem
from tests.integration.test_portal import CSRF

pytestmark = pytest.mark.integration

WEEKDAYS_9_TO_17 = [{"weekday": d, "open": "09:00", "close": "17:00"} for d in range(1, 6)]


def _slot(days: int, hour: int, hours: int) -> tuple[str, str]:
    day = (datetime.now(CHINA_TZ) + timedelta(days=days)).date()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=CHINA_TZ)
    return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


async def _used(api, db, booker, owner, instrument_id, days, hours, effective):
    start, end = _slot(days, 10, hours)
    made = await api.json(
        "POST",
        "/api/v1/bookings",
        token=booker,
        expect=201,
        json={"instrument_id": instrument_id, "start": start, "end": end, "mode": "commissioned"},
    )
    await api.json("POST", f"/api/v1/bookings/{made['id']}/approve", token=owner)
    await start_booking(api, db, owner, made["id"])
    return await api.json(
        "POST", f"/api/v1/bookings/{made['id']}/finish", token=owner, json={"effective_hours": effective}
    )


async def test_report_sums_recorded_effective_hours_and_external_service(api, admin_token, db):
    # given a lab with two instruments, used by itself, an institute and an enterprise
    lab = await create_org(api, admin_token, kind="university")
    institute = await create_org(api, admin_token, kind="institute")
    ent = await create_org(api, admin_token, kind="enterprise")
    rival_org = await create_org(api, admin_token, kind="university")
    _, owner = await create_user(api, admin_token, org_id=lab["id"], role="provider")
    _, member = await create_user(api, admin_token, org_id=lab["id"], role="provider")
    _, researcher = await create_user(api, admin_token, org_id=institute["id"], role="provider")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    _, rival = await create_user(api, admin_token, org_id=rival_org["id"], role="provider")
    rules = {"min_notice_hours": 1, "max_hours": 8, "opening_hours": WEEKDAYS_9_TO_17}
    fees = [{"unit": "hour", "price_fen": 30_050}, {"unit": "hour", "price_fen": 10_000, "group": "own"}]
    first = await create_listing(api, owner, "instrument", booking=rules, fees=fees)
    second = await create_listing(api, owner, "instrument", booking={"min_notice_hours": 1, "max_hours": 8})
    for made in (first, second):
        await publish_listing(api, owner, admin_token, "instrument", made["id"])

    days = [d for d in range(2, 30) if (datetime.now(CHINA_TZ) + timedelta(days=d)).isoweekday() <= 5]
    used = [
        await _used(api, db, buyer, owner, first["id"], days[0], 4, 3.5),
        await _used(api, db, member, owner, first["id"], days[1], 3, 2.25),
        await _used(api, db, researcher, owner, first["id"], days[2], 2, 1.75),
        await _used(api, db, buyer, owner, second["id"], days[3], 8, 7.5),
    ]
    # an open booking counts as booked time but has no effective hours yet
    start, end = _slot(days[4], 9, 2)
    await api.json(
        "POST",
        "/api/v1/bookings",
        token=buyer,
        expect=201,
        json={"instrument_id": first["id"], "start": start, "end": end, "mode": "commissioned"},
    )
    period = {
        "from": datetime.now(CHINA_TZ).date().isoformat(),
        "to": (datetime.now(CHINA_TZ) + timedelta(days=35)).date().isoformat(),
    }

    # when the lab reads its report
    report = await api.json("GET", "/api/v1/reports/open-sharing", token=owner, params=period)

    # then 有效机时 equals the sum of the effective hours recorded on its bookings
    recorded = await db.fetchval(
        "SELECT sum(effective_hours) FROM deals_booking WHERE instrument_id = ANY($1::bigint[])",
        [first["id"], second["id"]],
    )
    assert Decimal(str(report["totals"]["effective_hours"])) == recorded == Decimal("15.00")
    rows = {row["instrument_id"]: row for row in report["instruments"]}
    assert set(rows) == {first["id"], second["id"]}
    one = rows[first["id"]]
    assert one["effective_hours"] == 7.5
    # 对外服务机时: only other organisations' use (the institute and the enterprise, not the lab's member)
    assert one["external_hours"] == 5.25
    assert one["external_users"] == 2
    assert one["booked_hours"] == 4 + 3 + 2  # the pending request holds no approved time
    assert one["income_fen"] == sum(b["price_fen"] for b in used[:3])
    assert used[1]["price_fen"] == 30_000  # the lab's own member paid the own-institution price
    # available hours follow the opening hours: 8 a weekday in the period
    weekdays = sum(
        1 for d in range(36) if (datetime.now(CHINA_TZ).date() + timedelta(days=d)).isoweekday() <= 5
    )
    assert one["available_hours"] == 8 * weekdays
    assert rows[second["id"]]["available_hours"] == 24 * 36  # no opening hours: around the clock
    institution = next(i for i in report["institutions"] if i["org_id"] == lab["id"])
    assert institution["external_users"] == 2  # the enterprise used both instruments: counted once
    assert institution["effective_hours"] == 15.0

    # and the CSV has Chinese headers and amounts in 元
    response = await api.call(
        "GET", "/api/v1/reports/open-sharing", token=owner, params={**period, "format": "csv"}, expect=200
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [
        "仪器编号",
        "仪器名称",
        "所属单位",
        "可用机时(小时)",
        "预约机时(小时)",
        "有效机时(小时)",
        "对外服务机时(小时)",
        "对外服务用户数",
        "服务收入(元)",
    ]
    first_line = next(line for line in lines if line[0] == str(first["id"]))
    assert first_line[5] == "7.50"
    income = one["income_fen"]
    assert first_line[8] == f"{income // 100}.{income % 100:02d}"
    assert lines[-1][0] == "合计"
    assert lines[-1][5] == "15.00"
    # and the workbook carries the same figures as numbers
    response = await api.call(
        "GET", "/api/v1/reports/open-sharing", token=owner, params={**period, "format": "xlsx"}, expect=200
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["仪器开放共享"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][5] == "有效机时(小时)"
    assert (
        next(v for v in values if v[0] == first["id"])[5] == Decimal("7.50")
        or next(v for v in values if v[0] == first["id"])[5] == 7.5
    )

    # another university's provider can neither read the lab's report nor see its instruments in its own
    refused = await api.call(
        "GET", "/api/v1/reports/open-sharing", token=rival, params={**period, "org_id": lab["id"]}
    )
    assert_problem(refused, 403)
    own = await api.json("GET", "/api/v1/reports/open-sharing", token=rival, params=period)
    assert own["instruments"] == []
    # the admin sees the lab's figures
    admin_view = await api.json(
        "GET", "/api/v1/reports/open-sharing", token=admin_token, params={**period, "org_id": lab["id"]}
    )
    assert admin_view["totals"] == report["totals"]
    # anonymous callers are refused, and a period over two years is a 422 naming `to`
    await api.call("GET", "/api/v1/reports/open-sharing", params=period, expect=401)
    too_long = await api.call(
        "GET", "/api/v1/reports/open-sharing", token=owner, params={"from": "2020-01-01", "to": "2026-01-01"}
    )
    assert_problem(too_long, 422, ("to",))


async def test_admin_sharing_page_shows_the_chart_and_exports(api, admin_token, stack, db):
    # given a lab whose instrument recorded 2.5 effective hours for an enterprise this year
    lab = await create_org(api, admin_token, kind="university")
    ent = await create_org(api, admin_token, kind="enterprise")
    _, owner = await create_user(api, admin_token, org_id=lab["id"], role="provider")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    made = await create_listing(api, owner, "instrument", booking={"min_notice_hours": 1, "max_hours": 8})
    await publish_listing(api, owner, admin_token, "instrument", made["id"])
    year = (datetime.now(CHINA_TZ) + timedelta(days=2)).year
    await _used(api, db, buyer, owner, made["id"], 2, 3, 2.5)

    # when an admin opens the page in the portal
    async with httpx.AsyncClient(base_url=stack.base, timeout=60, follow_redirects=False) as client:
        login = await client.get("/login")
        token = CSRF.search(login.text).group(1)
        await client.post(
            "/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token}
        )
        page = await client.get(f"/admin/open-sharing?year={year}")
    async with httpx.AsyncClient(base_url=stack.base, timeout=60, follow_redirects=False) as client:
        anonymous = await client.get("/admin/open-sharing")

    # then it shows the institution in the chart and table, with both exports
    assert page.status_code == 200, page.text[:300]
    assert lab["name"] in page.text
    assert '<svg class="chart"' in page.text
    assert "/api/v1/reports/open-sharing?" in page.text
    assert "format=csv" in page.text
    assert "format=xlsx" in page.text
    row = next(line for line in page.text.splitlines() if f"<td>{lab['name']}</td>" in line)
    assert '<td class="num">2.50</td>' in row  # its effective hours
    # and a visitor who is not signed in is sent to the login page
    assert anonymous.status_code == 303
