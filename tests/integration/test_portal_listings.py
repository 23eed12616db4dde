"""我的资源: a provider creates, edits and submits a technology achievement in the portal; the quality hints
are recomputed from the form as typed; another organisation can neither open nor change it."""

from typing import Any

import pytest

from tests.factories import create_org, unique
from tests.integration.test_portal import Portal, make_user, portal_factory  # noqa: F401 - fixture by name

pytestmark = pytest.mark.integration
BENEFIT = (
    "采用梯度烧结工艺制备的高导热氮化硅陶瓷基板，导热系数达到 90 W/mK，较现有氧化铝基板提高 3 倍，"
    "抗弯强度 800 MPa，已完成中试验证，良率 95%，可用于新能源汽车功率模块与轨道交通变流器的散热封装。"
)


def form(title: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": title,
        "summary": "高导热氮化硅陶瓷基板中试技术",
        "description": "",
        "fields": ["materials"],
        "keywords": "氮化硅，陶瓷基板，功率模块",
        "maturity": "pilot",
        "trl": "6",
        "ip_kind": "",
        "ip_number": "",
        "transfer_modes": [],
        "price_mode": "negotiable",
        "price_min": "",
        "price_max": "",
        "region": "500106",
    }
    values.update(overrides)
    return values


async def provider(api: Any, admin: str, portal: Portal) -> dict[str, Any]:
    uni = await create_org(api, admin, kind="university", region="500106")
    email = await make_user(api, admin, org_id=uni["id"], role="provider", name="成果转化办刘老师")
    await portal.login(email)
    return {"org": uni, "email": email}


async def test_a_provider_creates_edits_and_submits_an_achievement(api, admin_token, db, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    await provider(api, admin_token, portal)
    title = unique("高导热氮化硅陶瓷基板制备技术")

    # 我的资源 is in the provider's navigation, and the new form shows every hint while it is empty
    assert 'href="/me/listings"' in await portal.page("/")
    page = await portal.page("/me/listings/achievement/new")
    assert "待补充：量化的效益或性能指标" in page

    # the hints follow what is typed: a quantified benefit and a price take their lines away
    token = await portal.token("/me/listings/achievement/new")
    bare = await portal.post("/me/listings/achievement/quality", form(title), expect=200, token=token)
    fuller = await portal.post(
        "/me/listings/achievement/quality",
        form(title, description=BENEFIT, price_mode="range", price_min="300000", price_max="800000"),
        expect=200,
        token=token,
    )
    assert "量化的效益或性能指标（相对现有方案）" in bare.json()["missing"]
    assert "价格或价格区间" in bare.json()["missing"]
    assert "量化的效益或性能指标（相对现有方案）" not in fuller.json()["missing"]
    assert "价格或价格区间" not in fuller.json()["missing"]
    assert fuller.json()["score"] > bare.json()["score"]

    # saving a draft lists it under 我的资源 with what it still lacks
    saved = await portal.post("/me/listings/achievement/new", {**form(title), "action": "save"})
    assert saved.headers["location"].startswith("/me/listings?notice=listing_saved")
    row = await db.fetchrow("SELECT id, status, price_mode FROM catalog_listing WHERE title = $1", title)
    assert row["status"] == "draft"
    listing = await portal.page("/me/listings")
    assert title in listing
    assert "待补充：" in listing

    # editing it with a price and submitting sends it to review with the new values
    edit_path = f"/me/listings/achievement/{row['id']}/edit"
    assert title in await portal.page(edit_path)
    submitted = await portal.post(
        edit_path,
        {
            **form(title, description=BENEFIT, price_mode="range", price_min="300000", price_max="800000"),
            "action": "submit",
        },
    )
    assert submitted.headers["location"].startswith("/me/listings?notice=listing_submitted")
    after = await db.fetchrow(
        "SELECT status, price_min_fen, price_max_fen, quality_score FROM catalog_listing WHERE id = $1",
        row["id"],
    )
    assert after["status"] == "pending"
    assert (after["price_min_fen"], after["price_max_fen"]) == (30_000_000, 80_000_000)


async def test_bad_input_is_said_in_chinese_and_nothing_is_saved(api, admin_token, db, portal_factory):  # noqa: F811
    portal: Portal = portal_factory()
    await provider(api, admin_token, portal)
    title = unique("成熟度与就绪度矛盾的成果")
    # 产业化 with TRL 2 contradicts itself; the price "abc" is not an amount
    answer = await portal.post(
        "/me/listings/achievement/new",
        {**form(title, maturity="industrial", trl="2"), "action": "save"},
        expect=422,
    )
    assert 'aria-invalid="true"' in answer.text
    answer = await portal.post(
        "/me/listings/achievement/new",
        {**form(title, price_mode="fixed", price_min="abc"), "action": "save"},
        expect=422,
    )
    assert "请输入金额（元）" in answer.text
    assert await db.fetchval("SELECT count(*) FROM catalog_listing WHERE title = $1", title) == 0


async def test_another_organisation_cannot_change_the_achievement(api, admin_token, db, portal_factory):  # noqa: F811
    owner: Portal = portal_factory()
    await provider(api, admin_token, owner)
    title = unique("他人不可修改的成果")
    await owner.post("/me/listings/achievement/new", {**form(title), "action": "save"})
    listing_id = await db.fetchval("SELECT id FROM catalog_listing WHERE title = $1", title)

    intruder: Portal = portal_factory()
    await provider(api, admin_token, intruder)
    path = f"/me/listings/achievement/{listing_id}/edit"
    # a draft of another organisation is not theirs to open, and a forged post changes nothing
    opened = await intruder.client.get(path)
    assert opened.status_code == 404
    await intruder.post(path, {**form("改名后的成果"), "action": "submit"}, expect=404)
    row = await db.fetchrow("SELECT title, status FROM catalog_listing WHERE id = $1", listing_id)
    assert (row["title"], row["status"]) == (title, "draft")
    # and the intruder's 我的资源 does not list it
    assert title not in await intruder.page("/me/listings")


async def test_the_edit_page_shows_the_listing_history_with_who_did_what(
    api,
    admin_token,
    db,
    portal_factory,  # noqa: F811
):
    # given a provider's achievement saved, then submitted, then published by an admin
    owner: Portal = portal_factory()
    await provider(api, admin_token, owner)
    title = unique("有修改记录的成果")
    await owner.post("/me/listings/achievement/new", {**form(title), "action": "save"})
    listing_id = await db.fetchval("SELECT id FROM catalog_listing WHERE title = $1", title)
    path = f"/me/listings/achievement/{listing_id}/edit"
    await owner.post(path, {**form(title), "action": "submit"})
    await api.json("POST", f"/api/v1/achievements/{listing_id}/publish", token=admin_token)

    # then its edit page lists each step, newest first, with the person who took it
    page = await owner.page(path)
    history = page[page.index('id="history-title"') :]
    steps = [step for step in ("审核通过并发布", "提交审核", "创建") if step in history]
    assert steps == ["审核通过并发布", "提交审核", "创建"]
    assert history.index("审核通过并发布") < history.index("提交审核") < history.index("创建")
    assert "成果转化办刘老师" in history
