"""我的资源 for every kind of listing: instruments, experts and agencies created, edited and submitted in the
portal through the catalogue's own validation, with the quality hints per type; 下架 after a confirmation; and
nobody outside the organisation opens, changes or archives them."""

import json
from typing import Any

import asyncpg
import pytest

from tests.factories import unique, valid_uscc
from tests.integration.test_portal import PASSWORD, Portal, make_user, portal_factory  # noqa: F401 - fixture
from tests.integration.test_portal_listings import provider

pytestmark = pytest.mark.integration
DESCRIPTION = "场发射扫描电子显微镜，分辨率 0.8 nm（15 kV），配备能谱仪，可做形貌观察与微区成分分析。"


def instrument_form(name: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": name,
        "model": "",
        "manufacturer": "",
        "category": "0101",
        "summary": "材料形貌与成分分析",
        "description": "",
        "fields": ["materials"],
        "keywords": "扫描电镜，SEM",
        "service_modes": ["self", "commissioned"],
        "location.campus": "",
        "location.building": "",
        "location.room": "",
        "booking.min_notice_hours": "24",
        "booking.max_hours": "8",
        "booking.response_hours": "48",
        "booking.cancel_free_hours": "",
        "booking.cancel_fee_percent": "",
        "original_value": "",
        "availability": "available",
        "region": "500106",
        # two fee rows and one left blank, as a browser posts them
        "fees.0.unit": "",
        "fees.0.group": "",
        "fees.0.price": "",
        "fees.1.unit": "",
        "fees.1.group": "",
        "fees.1.price": "",
    }
    values.update(overrides)
    return values


FEES = {
    "fees.0.unit": "hour",
    "fees.0.group": "",
    "fees.0.price": "400",
    "fees.1.unit": "hour",
    "fees.1.group": "enterprise",
    "fees.1.price": "650.50",
}


async def test_a_provider_creates_edits_and_submits_an_instrument(api, admin_token, db, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    who = await provider(api, admin_token, portal)
    name = unique("场发射扫描电子显微镜")

    # 我的资源 offers every kind of listing, and the instrument form shows the instrument's hints
    listings = await portal.page("/me/listings")
    for kind in ("achievement", "instrument", "expert", "agency"):
        assert f'href="/me/listings/{kind}/new"' in listings
    page = await portal.page("/me/listings/instrument/new")
    assert "发布科研仪器" in page
    assert "待补充：收费标准" in page
    assert 'name="fees.0.price"' in page

    # the hints follow what is typed: fees, model and maker, and the location take their lines away
    token = await portal.token("/me/listings/instrument/new")
    bare = (
        await portal.post("/me/listings/instrument/quality", instrument_form(name), expect=200, token=token)
    ).json()
    typed = instrument_form(
        name,
        model="SU8020",
        manufacturer="日立",
        description=DESCRIPTION,
        **{"location.building": "材料楼"},
        **FEES,
    )
    fuller = (await portal.post("/me/listings/instrument/quality", typed, expect=200, token=token)).json()
    assert {"收费标准", "型号与厂商", "放置地点"} <= set(bare["missing"])
    assert fuller["missing"] == []
    assert (bare["score"], fuller["score"]) < (fuller["score"], 100)

    # saving a draft stores the fees in fen per price group and the booking rules, as the API would
    saved = await portal.post(
        "/me/listings/instrument/new", {**typed, "booking.needs_training": "1", "action": "save"}
    )
    assert saved.headers["location"].startswith("/me/listings?notice=listing_saved")
    row = await db.fetchrow(
        "SELECT id, status, attributes, price_min_fen, price_max_fen FROM catalog_listing WHERE title = $1",
        name,
    )
    attributes = json.loads(row["attributes"]) if isinstance(row["attributes"], str) else row["attributes"]
    assert row["status"] == "draft"
    assert attributes["fees"] == [
        {"unit": "hour", "price_fen": 40_000, "group": None},
        {"unit": "hour", "price_fen": 65_050, "group": "enterprise"},
    ]
    assert attributes["booking"]["needs_training"] is True
    assert attributes["booking"]["max_hours"] == 8
    assert (row["price_min_fen"], row["price_max_fen"]) == (40_000, 65_050)

    # opening hours set through the API survive an edit in the portal, which does not show them
    owner_token = await api.token(who["email"], PASSWORD)
    hours = [{"weekday": 1, "open": "09:00", "close": "17:00"}]
    booking = {**attributes["booking"], "opening_hours": hours}
    await api.json("PATCH", f"/api/v1/instruments/{row['id']}", token=owner_token, json={"booking": booking})

    # the edit form shows the stored values in 元, and a renamed instrument is submitted for review
    edit_path = f"/me/listings/instrument/{row['id']}/edit"
    form_page = await portal.page(edit_path)
    assert 'value="650.50"' in form_page
    assert name in form_page
    renamed = name + "（升级）"
    done = await portal.post(
        edit_path, {**typed, "name": renamed, "booking.max_hours": "12", "action": "submit"}
    )
    assert done.headers["location"].startswith("/me/listings?notice=listing_submitted")
    after = await db.fetchrow(
        "SELECT title, status, attributes FROM catalog_listing WHERE id = $1", row["id"]
    )
    stored = json.loads(after["attributes"]) if isinstance(after["attributes"], str) else after["attributes"]
    assert (after["title"], after["status"]) == (renamed, "pending")
    assert stored["booking"]["max_hours"] == 12
    assert stored["booking"]["opening_hours"] == hours


async def test_bad_instrument_input_is_said_in_chinese_on_its_field(api, admin_token, db, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    await provider(api, admin_token, portal)
    name = unique("输入有误的仪器")
    # a price that is not an amount: the form's own check, on the fee row it belongs to
    answer = await portal.post(
        "/me/listings/instrument/new",
        {**instrument_form(name, **FEES), "fees.1.price": "abc", "action": "save"},
        expect=422,
    )
    assert 'id="err-fees.1.price"' in answer.text
    assert "请输入金额（元）" in answer.text
    assert 'value="abc"' in answer.text  # what was typed is shown again
    # the catalogue's checks: a fee row without its unit, no service mode, and an hour count out of range
    answer = await portal.post(
        "/me/listings/instrument/new",
        {
            **instrument_form(name, service_modes=[], **FEES),
            "fees.0.unit": "",
            "booking.max_hours": "0",
            "action": "save",
        },
        expect=422,
    )
    assert 'aria-describedby="err-fees.0.unit"' in answer.text
    assert 'id="err-service_modes"' in answer.text
    assert 'id="err-booking.max_hours"' in answer.text
    assert "Input should" not in answer.text
    assert await db.fetchval("SELECT count(*) FROM catalog_listing WHERE title = $1", name) == 0


async def test_an_expert_profile_keeps_its_contact_private(api, admin_token, db, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    await provider(api, admin_token, portal)
    name = unique("周教授")
    phone, email = "13912345678", f"{unique('expert')}@mail.example.cn"
    form = {
        "name": name,
        "title": "教授",
        "institution": "重庆理工大学",
        "summary": "储能材料与电池热管理",
        "fields": ["energy"],
        "keywords": "锂电池，热管理",
        "bio": "",
        "services": ["consulting", "review"],
        "rate": "800",
        "consent.publish": "1",
        "contact.phone": phone,
        "contact.email": email,
        "region": "500107",
    }
    page = await portal.page("/me/listings/expert/new")
    assert "待补充：公开信息的个人同意" in page
    hints = await portal.post(
        "/me/listings/expert/quality", form, expect=200, token=await portal.token("/me/listings/expert/new")
    )
    assert "公开信息的个人同意" not in hints.json()["missing"]
    assert "研究方向简介（≥40 字）" in hints.json()["missing"]

    # a wrong e-mail is refused on its field, in Chinese, and nothing is saved
    bad = await portal.post(
        "/me/listings/expert/new", {**form, "contact.email": "not-an-email", "action": "save"}, expect=422
    )
    assert 'id="err-contact.email"' in bad.text
    assert await db.fetchval("SELECT count(*) FROM catalog_listing WHERE title = $1", name) == 0

    await portal.post("/me/listings/expert/new", {**form, "action": "submit"})
    row = await db.fetchrow(
        "SELECT id, status, price_min_fen, attributes FROM catalog_listing WHERE title = $1", name
    )
    assert (row["status"], row["price_min_fen"]) == ("pending", 80_000)
    contact = await db.fetchrow(
        "SELECT phone, email FROM catalog_expert_contact WHERE listing_id = $1", row["id"]
    )
    assert (contact["phone"], contact["email"]) == (phone, email)
    consents = await db.fetchval(
        "SELECT count(*) FROM catalog_consent_record WHERE listing_id = $1", row["id"]
    )

    # the edit form never puts the contact back in the page; saving with it blank keeps it, and unchanged
    # consent is not recorded again
    edit_path = f"/me/listings/expert/{row['id']}/edit"
    edit = await portal.page(edit_path)
    assert phone not in edit
    assert email not in edit
    assert name in edit
    await portal.post(
        edit_path, {**form, "contact.phone": "", "contact.email": "", "rate": "900", "action": "save"}
    )
    contact = await db.fetchrow(
        "SELECT phone, email FROM catalog_expert_contact WHERE listing_id = $1", row["id"]
    )
    assert (contact["phone"], contact["email"]) == (phone, email)
    assert (
        await db.fetchval("SELECT count(*) FROM catalog_consent_record WHERE listing_id = $1", row["id"])
        == consents
    )

    # published, the profile's public page and an enterprise's view show no contact
    await api.json("POST", f"/api/v1/experts/{row['id']}/publish", token=admin_token)
    visitor: Portal = portal_factory()
    public = await visitor.page(f"/listings/expert/{row['id']}")
    assert name in public
    assert phone not in public
    assert email not in public


async def test_an_agency_with_priced_offerings(api, admin_token, db, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    await provider(api, admin_token, portal)
    name = unique("两江检测认证中心")
    form = {
        "name": name,
        "agency_types": ["testing"],
        "summary": "材料与电子元器件检测",
        "description": "具备 CMA、CNAS 资质的第三方检测机构，提供材料成分、力学性能与可靠性测试，平均 5 天出具报告。",
        "fields": ["materials"],
        "keywords": "检测，CMA",
        "qualifications": "CMA、CNAS",
        "offerings.0.name": "拉伸试验",
        "offerings.0.description": "GB/T 228.1",
        "offerings.0.price_min": "300",
        "offerings.0.price_max": "",
        "offerings.1.name": "",
        "offerings.1.description": "",
        "offerings.1.price_min": "",
        "offerings.1.price_max": "",
        "offerings.2.name": "盐雾试验",
        "offerings.2.description": "",
        "offerings.2.price_min": "800",
        "offerings.2.price_max": "1500",
        "region": "500107",
    }
    quality = await portal.post(
        "/me/listings/agency/quality", form, expect=200, token=await portal.token("/me/listings/agency/new")
    )
    assert quality.json() == {"score": 100, "missing": []}

    # a range whose top is below its bottom is refused on that offering's price (renumbered: blank row dropped)
    bad = await portal.post(
        "/me/listings/agency/new", {**form, "offerings.2.price_max": "500", "action": "save"}, expect=422
    )
    assert 'id="err-offerings.1.price_min"' in bad.text
    assert 'name="offerings.1.name" maxlength="200" value="盐雾试验"' in bad.text
    assert await db.fetchval("SELECT count(*) FROM catalog_listing WHERE title = $1", name) == 0

    await portal.post("/me/listings/agency/new", {**form, "action": "save"})
    row = await db.fetchrow(
        "SELECT id, attributes, price_min_fen, price_max_fen FROM catalog_listing WHERE title = $1", name
    )
    attributes = json.loads(row["attributes"]) if isinstance(row["attributes"], str) else row["attributes"]
    assert [o["price"] for o in attributes["offerings"]] == [
        {"mode": "fixed", "min_fen": 30_000, "max_fen": 30_000},
        {"mode": "range", "min_fen": 80_000, "max_fen": 150_000},
    ]
    assert attributes["qualifications"] == ["CMA", "CNAS"]
    assert (row["price_min_fen"], row["price_max_fen"]) == (30_000, 150_000)
    assert 'value="盐雾试验"' in await portal.page(f"/me/listings/agency/{row['id']}/edit")


async def _signup_provider(portal: Portal) -> None:
    form = {
        "org_name": unique("重庆自注册仪器共享有限公司"),
        "uscc": valid_uscc(),
        "kind": "enterprise",
        "region": "500107",
        "role": "provider",
        "name": "自注册用户",
        "email": f"{unique('selfreg')}@register.example.cn",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    await portal.post("/register", form, token=await portal.token("/register"))


async def test_a_published_listing_is_archived_after_confirming_and_only_by_its_owner(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    owner: Portal = portal_factory()
    await provider(api, admin_token, owner)
    name = unique("待下架的电镜")
    await owner.post("/me/listings/instrument/new", {**instrument_form(name, **FEES), "action": "submit"})
    listing_id = await db.fetchval("SELECT id FROM catalog_listing WHERE title = $1", name)
    await api.json("POST", f"/api/v1/instruments/{listing_id}/publish", token=admin_token)
    archive = f"/me/listings/instrument/{listing_id}/archive"
    edit = f"/me/listings/instrument/{listing_id}/edit"
    assert f'href="{archive}"' in await owner.page("/me/listings")

    # another organisation's provider and a self-registered provider can neither open, change nor archive it
    rival: Portal = portal_factory()
    await provider(api, admin_token, rival)
    signup: Portal = portal_factory()
    await _signup_provider(signup)
    for intruder in (rival, signup):
        token = await intruder.token("/me/listings")
        assert (await intruder.client.get(edit)).status_code == 404
        assert (await intruder.client.get(archive)).status_code == 404
        changed = await intruder.client.post(
            edit, data={**instrument_form("改名的仪器"), "action": "save", "csrf_token": token}
        )
        archived = await intruder.client.post(archive, data={"csrf_token": token})
        assert (changed.status_code, archived.status_code) == (404, 404)
        assert f'href="{archive}"' not in await intruder.page("/me/listings")
    # and the owner's own post without the CSRF token is refused
    assert (await owner.client.post(archive, data={})).status_code == 403
    row = await db.fetchrow("SELECT title, status FROM catalog_listing WHERE id = $1", listing_id)
    assert tuple(row) == (name, "published")

    # the owner is asked first, then 确认下架 takes it down
    confirm = await owner.page(archive)
    assert f"确认下架「{name}」" in confirm
    done = await owner.post(archive, {}, token=await owner.token(archive))
    assert done.headers["location"] == "/me/listings?notice=listing_archived"
    assert await db.fetchval("SELECT status FROM catalog_listing WHERE id = $1", listing_id) == "archived"
    assert "已下架" in await owner.page("/me/listings?notice=listing_archived")


async def test_an_unknown_kind_of_listing_is_not_found(api, admin_token, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    await provider(api, admin_token, portal)
    assert (await portal.client.get("/me/listings/spaceship/new")).status_code == 404
