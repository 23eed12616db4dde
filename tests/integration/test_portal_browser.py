"""The portal in a real browser (Debian chromium driven by Playwright), each role by clicking, at desktop and
phone sizes. Every page visited passes the shared checks (no sideways overflow, no English for a zh-CN user)
and the main pages are screenshotted at both sizes into docs/screenshots/."""

import csv
import io
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from services.core.clock import CHINA_TZ
from tests.factories import (
    create_contract,
    create_listing,
    create_org,
    create_user,
    publish_listing,
    register_contract,
    unique,
)
from tests.integration.browser import CHROMIUM_ARGS, DESKTOP, PHONE, at_both_sizes, check, english_words
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "Browser-Pass-2026!"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install chromium)"
    ),
]


async def make_user(api: Any, admin: str, *, org_id: int, role: str, name: str) -> str:
    email = f"{unique(role)}@browser.example.cn"
    await api.json(
        "POST",
        "/api/v1/admin/users",
        token=admin,
        expect=201,
        json={"email": email, "password": PASSWORD, "name": name, "role": role, "org_id": org_id},
    )
    return email


async def registered_contracts_this_year(
    api: Any, admin: str, db: Any, seller: dict[str, Any], token: str
) -> None:
    """Four registered contracts of different types, fields and buyers, spread over this year's months."""
    now = datetime.now(CHINA_TZ)
    buyers = [
        await create_org(api, admin, kind="enterprise", region=region)
        for region in ("500107", "500120", "510107")
    ]
    buyer_tokens = [(await create_user(api, admin, org_id=b["id"], role="enterprise"))[1] for b in buyers]
    plan = [
        ("development", "ai", 0, 380_000_000, 1),
        ("transfer", "materials", 1, 120_000_000, max(1, now.month // 2)),
        ("license", "ic", 2, 64_000_000, max(1, now.month - 1)),
        ("service", "medtech", 0, 18_500_000, now.month),
    ]
    for kind, field, buyer, total, month in plan:
        made = await create_contract(
            api,
            token,
            buyer_org_id=buyers[buyer]["id"],
            seller_org_id=seller["id"],
            contract_type=kind,
            field=field,
            total_fen=total,
            tech_fen=total * 9 // 10,
            signed_at=f"{now.year}-{month:02d}-01",
            milestones=[{"name": "合同价款", "amount_fen": total}],
        )
        await register_contract(api, token, admin, made["id"], buyer=buyer_tokens[buyer])
        await db.execute(
            "UPDATE deals_contract SET registered_at = $2 WHERE id = $1",
            made["id"],
            datetime(now.year, month, 1, 10, tzinfo=CHINA_TZ),
        )


def test_the_english_check_catches_ui_words_and_lets_product_names_pass():
    assert (
        english_words(["ZEISS Sigma 300", "导热系数超过1500 W/mK", "enterprise@demo.techmarket.cn", "TRL 6"])
        == []
    )
    assert english_words(["状态：pending"]) == ["状态：pending"]
    assert english_words(["Internal Server Error"]) == ["Internal Server Error"]
    assert english_words(["This is a chart about 成交额"]) == ["This is a chart about 成交额"]


async def test_each_role_by_clicking_at_desktop_and_phone_sizes(api, admin_token, stack, db):
    # Imported here: without chromium the test skips above; with chromium, a missing playwright must fail.
    from playwright.async_api import async_playwright, expect

    # given a university with a provider and a published scanning electron microscope, an enterprise user,
    # and registered contracts this year
    uni = await create_org(api, admin_token, kind="university", region="500106")
    provider_email = await make_user(
        api, admin_token, org_id=uni["id"], role="provider", name="仪器管理员王老师"
    )
    provider = await api.token(provider_email, PASSWORD)
    name = unique("扫描电子显微镜")
    instrument = await create_listing(api, provider, "instrument", name=name, keywords=["扫描电镜"])
    await publish_listing(api, provider, admin_token, "instrument", instrument["id"])
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_email = await make_user(
        api, admin_token, org_id=ent["id"], role="enterprise", name="浏览器测试企业"
    )
    await registered_contracts_this_year(api, admin_token, db, uni, provider)
    await api.wait_indexed(admin_token)
    listing_url = stack.base + f"/listings/instrument/{instrument['id']}"

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = await context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))

        # --- a visitor --------------------------------------------------------------------------------------
        # when a visitor opens the home page, then the Chinese portal shows its counts
        await page.goto(stack.base + "/")
        await expect(page.get_by_role("heading", name="一站式科技服务超市")).to_be_visible()
        await expect(page.locator('[data-type="instrument"] strong')).not_to_have_text("0")
        await check(page, "首页")
        await at_both_sizes(browser, context, stack.base + "/", "home")

        # when they type into the search box, then suggestions drop down and the keyboard can pick one
        box = page.get_by_role("combobox", name="搜索")
        await box.press_sequentially("扫描电子", delay=40)
        suggestion = page.locator("#site-q-list li", has_text=name)
        await expect(suggestion).to_be_visible()
        await expect(box).to_have_attribute("aria-expanded", "true")
        await box.press("Escape")
        await expect(page.locator("#site-q-list")).to_be_hidden()

        # when they search 扫描电镜, then the microscope is a result with highlighted words
        await box.fill("扫描电镜")
        await box.press("Enter")
        await page.wait_for_url(re.compile(r"/search\?q="))
        hit = page.locator(f'a[href="/listings/instrument/{instrument["id"]}"]')
        await expect(hit).to_be_visible()
        await expect(page.locator(".hit em").first).to_be_visible()
        await check(page, "搜索结果")
        search_url = page.url
        await at_both_sizes(browser, context, search_url, "search", ready=".hit")

        # when the sort order is changed, then the page reloads sorted without a submit button
        await page.select_option("#sort", "newest")
        await page.wait_for_url(re.compile(r"sort=newest"))

        # when a price of "abc" is typed, then the page says it is not a price (it is not read as 0)
        await page.locator("#min_price").fill("abc")
        await page.locator(".price-form button").click()
        await page.wait_for_url(re.compile(r"min_price=abc"))
        await expect(page.get_by_role("alert")).to_contain_text("最低价格“abc”不是有效金额")
        await expect(page.locator("#min_price")).to_have_attribute("aria-invalid", "true")
        await expect(page.locator("#min_price")).to_have_value("abc")
        await check(page, "价格筛选有误")

        # on a phone, the results come before the facets, and a link jumps to the facets
        phone = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        phone_page = await phone.new_page()
        await phone_page.goto(search_url)
        results_top = await phone_page.locator("section.results").evaluate(
            "e => e.getBoundingClientRect().top"
        )
        facets_top = await phone_page.locator("aside.facets").evaluate("e => e.getBoundingClientRect().top")
        assert results_top < facets_top
        assert results_top < PHONE["height"]
        await expect(phone_page.locator(".jump-facets")).to_be_visible()
        await phone.close()

        # when they open the microscope, its page passes the checks at both sizes
        await at_both_sizes(browser, context, listing_url, "listing-instrument")

        # --- the enterprise ----------------------------------------------------------------------------------
        # when they sign in from its page and book the suggested slot
        await page.goto(listing_url)
        await page.get_by_role("link", name="登录后预约").click()
        await check(page, "登录")
        await at_both_sizes(browser, context, page.url, "login")
        await page.get_by_label("邮箱").fill(buyer_email)
        await page.get_by_label("密码").fill(PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_url(re.compile(rf"/listings/instrument/{instrument['id']}"))
        await expect(page.locator(".who strong")).to_have_text("浏览器测试企业")
        await expect(page.locator("[data-estimate]")).to_contain_text("预计费用：¥800.00")
        await check(page, "预约表单")
        await page.get_by_role("button", name="提交预约").click()

        # then 我的预约 shows it, priced and pending
        await page.wait_for_url(re.compile(r"/me/bookings"))
        await expect(page.get_by_role("status")).to_contain_text("预约已提交")
        await expect(page.locator("table.bookings")).to_contain_text("¥800.00")
        await expect(page.locator("table.bookings")).to_contain_text("待审批")
        await check(page, "我的预约")
        await at_both_sizes(browser, context, stack.base + "/me/bookings", "my-bookings")

        # --- the provider --------------------------------------------------------------------------------------
        owner = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
        owner_page = await owner.new_page()
        owner_page.on("pageerror", lambda error: problems.append(str(error)))
        await owner_page.goto(stack.base + "/login?next=/me/booking-approvals")
        await owner_page.get_by_label("邮箱").fill(provider_email)
        await owner_page.get_by_label("密码").fill(PASSWORD)
        await owner_page.get_by_role("button", name="登录").click()
        await owner_page.wait_for_url(re.compile(r"/me/booking-approvals"))
        card = owner_page.locator(".approval", has_text=name)
        await expect(card).to_be_visible()
        await check(owner_page, "预约审批")
        await at_both_sizes(browser, owner, stack.base + "/me/booking-approvals", "booking-approvals")

        # when they press 拒绝 with no reason, then the browser asks for one and nothing is sent
        await card.get_by_role("button", name="拒绝").click()
        assert await card.get_by_label("拒绝理由（必填）").evaluate("e => !e.validity.valid")
        await expect(card).to_be_visible()

        # when they press 批准 and dismiss the confirmation, then nothing changes
        dialogs: list[str] = []

        async def dismiss(dialog: Any) -> None:
            dialogs.append(dialog.message)
            await dialog.dismiss()

        owner_page.once("dialog", dismiss)
        await card.get_by_role("button", name="批准").click()
        await expect(card).to_be_visible()
        assert len(dialogs) == 1
        assert "确定批准" in dialogs[0]

        # when they confirm, then the booking is approved
        owner_page.once("dialog", lambda dialog: dialog.accept())
        await card.get_by_role("button", name="批准").click()
        await expect(owner_page.get_by_role("status")).to_contain_text("已批准该预约")
        await expect(owner_page.locator("table")).to_contain_text("已批准")

        # and the enterprise sees it approved
        await page.goto(stack.base + "/me/bookings")
        await expect(page.locator("table.bookings")).to_contain_text("已批准")

        # --- the zone administrator ---------------------------------------------------------------------------
        admin = await browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
        admin_page = await admin.new_page()
        admin_page.on("pageerror", lambda error: problems.append(str(error)))
        await admin_page.goto(stack.base + "/login")
        await admin_page.get_by_label("邮箱").fill(ADMIN_EMAIL)
        await admin_page.get_by_label("密码").fill(ADMIN_PASSWORD)
        await admin_page.get_by_role("button", name="登录").click()
        await admin_page.wait_for_url(re.compile(r"/$|/\?"))

        # when the admin opens the turnover dashboard, then ECharts draws every chart, the target is stated in
        # 亿元 and the tables in 万元
        await admin_page.get_by_role("link", name="成交额看板").click()
        await admin_page.wait_for_url(re.compile(r"/admin/dashboard"))
        await expect(admin_page.locator("[data-chart] canvas")).to_have_count(5)
        await expect(admin_page.locator(".kpi").nth(2)).to_contain_text("20.00")
        await expect(admin_page.get_by_role("heading", name="按地区 · 吸纳（买方所在地）")).to_be_visible()
        units = await admin_page.locator(".unit").all_inner_texts()
        assert units[:2] == ["单位：亿元", "单位：亿元"]
        assert set(units[2:6]) == {"单位：万元"}
        await check(admin_page, "成交额看板")
        await at_both_sizes(
            browser, admin, admin_page.url, "dashboard", ready="[data-chart] canvas", full_page=True
        )

        # then each table's figures sit under their headers (right-aligned in the same column)
        table = admin_page.locator("#view-contract_type table")
        header_right = await table.locator("thead th").nth(1).evaluate("e => e.getBoundingClientRect().right")
        cell_right = await table.locator("tbody td").first.evaluate("e => e.getBoundingClientRect().right")
        assert abs(header_right - cell_right) < 1

        # when they download the month export, then it has Chinese headers and amounts in 元
        async with admin_page.expect_download() as download_info:
            await admin_page.locator("#view-month .exports a", has_text="CSV").click()
        download = await download_info.value
        text = (await download.path()).read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["月份", "合同成交额（元）", "其中技术交易额（元）", "合同数（份）", "占比（%）"]
        assert rows[-1][0] == "合计"
        assert (
            float(rows[-1][1]) >= 5_825_000.00
        )  # the four contracts above: 3,800,000 + 1,200,000 + 640,000 + 185,000
        assert download.suggested_filename.endswith(".csv")

        # when the admin opens the review queue and the contract registry, then both pass the checks
        await at_both_sizes(browser, admin, stack.base + "/admin/review", "admin-review")
        await at_both_sizes(browser, admin, stack.base + "/admin/contracts", "admin-contracts")

        # the print stylesheet hides the navigation and the export links
        await admin_page.emulate_media(media="print")
        await expect(admin_page.locator("nav.nav")).to_be_hidden()
        await expect(admin_page.locator(".exports").first).to_be_hidden()
        await admin_page.emulate_media(media="screen")

        await browser.close()
    assert problems == []


async def test_a_visitor_registers_and_the_admin_verifies_the_organisation(stack, db):
    from playwright.async_api import async_playwright, expect

    from tests.factories import valid_uscc

    org_name = unique("重庆凤鸣新材料科技有限公司")
    email = f"{unique('signup')}@browser.example.cn"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = await context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))

        # when a visitor follows 注册 from the header, the form passes the checks at both sizes
        await page.goto(stack.base + "/")
        await page.locator("a.register-link").click()
        await page.wait_for_url(re.compile(r"/register$"))
        await at_both_sizes(browser, context, page.url, "register")

        # when they fill it in with mismatching passwords, then the form says so and keeps what they typed
        await page.get_by_label("机构全称").fill(org_name)
        await page.get_by_label("统一社会信用代码").fill(valid_uscc())
        await page.get_by_label("所在区县").select_option("500107")
        await page.get_by_label("成果/仪器提供方").check()
        await page.get_by_label("姓名").fill("刘晓燕")
        await page.get_by_label("邮箱").fill(email)
        await page.locator("#password").fill(PASSWORD)
        await page.get_by_label("再次输入密码").fill("Another-Pass-2026!")
        await page.get_by_role("button", name="注册并登录").click()
        await expect(page.locator("#err-password2")).to_have_text("两次输入的密码不一致")
        await expect(page.get_by_label("机构全称")).to_have_value(org_name)
        await check(page, "注册表单有误")

        # when they correct it, then they are signed in and 我的账户 shows the organisation pending verification
        await page.locator("#password").fill(PASSWORD)
        await page.get_by_label("再次输入密码").fill(PASSWORD)
        await page.get_by_role("button", name="注册并登录").click()
        await page.wait_for_url(re.compile(r"/account"))
        await expect(page.get_by_role("status")).to_contain_text("注册成功")
        await expect(page.locator(".unverified")).to_have_text("待平台核验")
        await expect(page.locator(".who small")).to_contain_text("待核验")
        await at_both_sizes(browser, context, stack.base + "/account", "account")

        # when the admin verifies it on 机构核验 (confirming the dialog)
        admin = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
        admin_page = await admin.new_page()
        await admin_page.goto(stack.base + "/login?next=/admin/orgs")
        await admin_page.get_by_label("邮箱").fill(ADMIN_EMAIL)
        await admin_page.get_by_label("密码").fill(ADMIN_PASSWORD)
        await admin_page.get_by_role("button", name="登录").click()
        await admin_page.wait_for_url(re.compile(r"/admin/orgs"))
        await at_both_sizes(browser, admin, stack.base + "/admin/orgs", "admin-orgs")
        row = admin_page.locator("tr", has_text=org_name)
        admin_page.once("dialog", lambda dialog: dialog.accept())
        await row.get_by_role("button", name="核验通过").click()
        await expect(admin_page.get_by_role("status")).to_contain_text("已核验该机构")

        # then the member sees the organisation verified
        await page.reload()
        await expect(page.locator(".verified")).to_have_text("已核验")
        await browser.close()
    assert problems == []
    assert await db.fetchval(
        "SELECT verified_at IS NOT NULL FROM accounts_user u JOIN accounts_organisation o ON o.id = u.org_id WHERE u.email = $1",
        email,
    )
