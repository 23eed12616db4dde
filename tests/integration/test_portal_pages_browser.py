"""More of the portal in a real browser: facets that add a second value, a failed booking on a phone that
opens at its error, and the pages that had no screenshot (the enterprise's demand with its matches, 我的合同,
通知, 需求大厅, 我的资源, password reset, 开放共享), each checked and screenshotted at both sizes."""

import re
from typing import Any

from tests.factories import create_listing, create_org, publish_listing, unique
from tests.integration.browser import CHROMIUM_ARGS, DESKTOP, PHONE, at_both_sizes, check, snap
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal_browser import (
    CHROMIUM,
    PASSWORD,
    make_user,
    pytestmark,  # noqa: F401 - the same marks: integration, slow, skipped without chromium
    registered_contracts_this_year,
)

IMPORT_CSV = "仪器名称,仪器分类代码,服务方式,收费标准\n导入的原子力显微镜,0101,self,hour:30000\n收费写错的离心机,0101,self,hour:三百\n"


async def _signed_in(browser: Any, base: str, email: str, password: str, viewport: dict[str, int]) -> Any:
    """A browser context signed in through the login page."""
    phone = viewport is PHONE
    context = await browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
    page = await context.new_page()
    await page.goto(base + "/login")
    await page.get_by_label("邮箱").fill(email)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/$|/\?"))
    await page.close()
    return context


async def test_facets_add_values_a_phone_booking_error_is_in_view_and_the_remaining_pages_pass(
    api, admin_token, stack, db
):
    from playwright.async_api import async_playwright, expect

    # given a university (verified) with a published instrument and achievement sharing a word, and contracts
    word = unique("导热膜")
    uni = await create_org(api, admin_token, kind="university", region="500106")
    provider_email = await make_user(
        api, admin_token, org_id=uni["id"], role="provider", name="成果转化办李老师"
    )
    provider = await api.token(provider_email, PASSWORD)
    instrument = await create_listing(api, provider, "instrument", name=f"{word}激光导热仪", keywords=[word])
    achievement = await create_listing(
        api, provider, "achievement", title=f"{word}卷对卷制备技术", keywords=[word, "石墨烯"]
    )
    await publish_listing(api, provider, admin_token, "instrument", instrument["id"])
    await publish_listing(api, provider, admin_token, "achievement", achievement["id"])
    await registered_contracts_this_year(api, admin_token, db, uni, provider)

    # and an enterprise whose published demand is matched
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_email = await make_user(
        api, admin_token, org_id=ent["id"], role="enterprise", name="企业研发部赵工"
    )
    buyer = await api.token(buyer_email, PASSWORD)
    demand = await api.json(
        "POST",
        "/api/v1/demands",
        token=buyer,
        expect=201,
        json={
            "title": f"寻找{word}连续化制备技术",
            "description": f"用于5G基站散热，需要卷对卷连续化制备的{word}技术，并需要导热系数测试。",
            "kind": "tech_problem",
            "fields": ["materials"],
            "keywords": [word, "石墨烯"],
            "region": "500107",
        },
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=buyer)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)
    await api.wait_indexed(admin_token)
    base = stack.base
    listing_url = f"{base}/listings/instrument/{instrument['id']}"

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        problems: list[str] = []

        # --- facets: ticking a second type adds it (the union), the first stays ticked -----------------------
        visitor = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = await visitor.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        await page.goto(f"{base}/search?q={word}")
        facets = page.locator("aside.facets")
        await facets.get_by_role("link", name=re.compile("^科研仪器")).click()
        await page.wait_for_url(re.compile(r"type=instrument$"))
        await expect(page.locator(f'a[href="/listings/achievement/{achievement["id"]}"]')).to_have_count(0)
        # the other type still shows its count and can be added
        await facets.get_by_role("link", name=re.compile("^科技成果")).click()
        await page.wait_for_url(re.compile(r"type=instrument%2Cachievement"))
        await expect(facets.locator("a[aria-current]")).to_have_count(2)
        await expect(page.locator(f'.hit a[href="/listings/instrument/{instrument["id"]}"]')).to_be_visible()
        await expect(
            page.locator(f'.hit a[href="/listings/achievement/{achievement["id"]}"]')
        ).to_be_visible()
        # and the verified university's cards say so
        await expect(page.locator(".hit .badge-verified").first).to_have_text("已认证")
        await check(page, "多选筛选")

        # the password reset page, for a visitor
        await at_both_sizes(browser, visitor, f"{base}/password-reset/request", "password-reset")
        await visitor.close()

        # --- on a phone, a booking that clashes opens at its error -------------------------------------------
        phone = await _signed_in(browser, base, buyer_email, PASSWORD, PHONE)
        page = await phone.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        await page.goto(listing_url)
        start = await page.locator("#start").input_value()
        end = await page.locator("#end").input_value()
        await page.get_by_role("button", name="提交预约").click()
        await page.wait_for_url(re.compile(r"/me/bookings"))
        # the same slot again (the page now suggests another free one): it is taken, by this very user
        await page.goto(listing_url)
        await page.locator("#start").fill(start)
        await page.locator("#end").fill(end)
        await page.get_by_role("button", name="提交预约").click()
        errors = page.locator("[data-form-errors]")
        await expect(errors).to_be_visible()
        await page.wait_for_load_state("networkidle")
        box = await errors.evaluate(
            "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom,"
            " height: window.innerHeight, focused: document.activeElement === e,"
            " active: document.activeElement && document.activeElement.outerHTML.slice(0, 80), has: document.hasFocus()}; }"
        )
        # (within a pixel: the phone's device scale factor leaves sub-pixel scroll offsets such as -0.25)
        assert box["top"] >= -1, f"the error starts above the screen on a phone: {box}"
        assert box["bottom"] <= box["height"] + 1, f"the error is below the screen on a phone: {box}"
        assert box["focused"], f"the error summary does not have the focus: {box}"
        await check(page, "预约失败（手机）")
        await snap(page, "booking-error")
        await phone.close()

        # --- the enterprise: its demand with the matches, 需求大厅, 通知 -----------------------------------------
        enterprise = await _signed_in(browser, base, buyer_email, PASSWORD, DESKTOP)
        page = await enterprise.new_page()
        await page.goto(f"{base}/demands/{demand['id']}?all=1")
        await expect(page.locator(".match").first).to_be_visible()
        await at_both_sizes(
            browser, enterprise, f"{base}/demands/{demand['id']}", "demand-matches", ready=".match"
        )
        await at_both_sizes(browser, enterprise, f"{base}/hall", "demand-hall")
        await at_both_sizes(browser, enterprise, f"{base}/me/notifications", "notifications")
        await enterprise.close()

        # --- the provider: 我的资源 and 我的合同 -------------------------------------------------------------------
        owner = await _signed_in(browser, base, provider_email, PASSWORD, DESKTOP)
        await at_both_sizes(browser, owner, f"{base}/me/listings", "my-listings")
        for kind in ("expert", "agency"):
            await at_both_sizes(browser, owner, f"{base}/me/listings/{kind}/new", f"listing-form-{kind}")
        await at_both_sizes(browser, owner, f"{base}/me/listings/import", "listing-import")
        # an upload with a bad row: the job's page lists the row's errors, readable on a phone
        importer = await owner.new_page()
        await importer.goto(f"{base}/me/listings/import")
        await importer.get_by_label("全部正确才导入").check()
        await importer.get_by_label("文件").set_input_files(
            {"name": "仪器.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode("utf-8")}
        )
        await importer.get_by_role("button", name="上传并导入").click()
        await importer.wait_for_url(re.compile(r"/me/listings/import/[0-9a-f-]{36}"))
        await expect(importer.locator("[data-status=failed]")).to_be_visible(timeout=60_000)
        await expect(importer.locator("table.import-errors")).to_contain_text("不是整数")
        await at_both_sizes(browser, owner, importer.url, "listing-import-job", ready="table.import-errors")
        await importer.close()
        await at_both_sizes(browser, owner, f"{base}/me/contracts", "my-contracts", ready="table")
        await owner.close()

        # --- the administrator: 开放共享 ---------------------------------------------------------------------------
        admin = await _signed_in(browser, base, ADMIN_EMAIL, ADMIN_PASSWORD, DESKTOP)
        await at_both_sizes(browser, admin, f"{base}/admin/open-sharing", "open-sharing")
        await admin.close()

        await browser.close()
    assert problems == []
