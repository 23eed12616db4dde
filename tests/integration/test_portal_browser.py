"""The portal in a real browser (Debian chromium driven by Playwright): suggestions, the booking form, the chart."""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.factories import create_listing, create_org, publish_listing, unique
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("TM_SCREENSHOTS", "/tmp/techmarket-screenshots"))
PASSWORD = "Browser-Pass-2026!"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install chromium)"
    ),
]


@pytest.fixture
def screenshots() -> Path:
    return SCREENSHOTS


async def test_story_in_a_real_browser(api, admin_token, stack, screenshots):
    # Imported here: without chromium the test skips above; with chromium, a missing playwright must fail.
    from playwright.async_api import async_playwright, expect

    # given a published scanning electron microscope and an enterprise user
    uni = await create_org(api, admin_token, kind="university", region="500106")
    provider_email = f"{unique('provider')}@browser.example.cn"
    await api.json(
        "POST",
        "/api/v1/admin/users",
        token=admin_token,
        expect=201,
        json={
            "email": provider_email,
            "password": PASSWORD,
            "name": "仪器管理员",
            "role": "provider",
            "org_id": uni["id"],
        },
    )
    provider = await api.token(provider_email, PASSWORD)
    name = unique("扫描电子显微镜")
    instrument = await create_listing(api, provider, "instrument", name=name, keywords=["扫描电镜"])
    await publish_listing(api, provider, admin_token, "instrument", instrument["id"])
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_email = f"{unique('buyer')}@browser.example.cn"
    await api.json(
        "POST",
        "/api/v1/admin/users",
        token=admin_token,
        expect=201,
        json={
            "email": buyer_email,
            "password": PASSWORD,
            "name": "浏览器测试企业",
            "role": "enterprise",
            "org_id": ent["id"],
        },
    )
    await api.wait_indexed(admin_token)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = await context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))

        # when a visitor opens the home page, then the Chinese portal shows its counts
        await page.goto(stack.base + "/")
        await expect(page.get_by_role("heading", name="一站式科技服务超市")).to_be_visible()
        await expect(page.locator('[data-type="instrument"] strong')).not_to_have_text("0")
        await page.screenshot(path=str(screenshots / "home.png"), full_page=True)

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
        await page.screenshot(path=str(screenshots / "search.png"), full_page=True)

        # when the sort order is changed, then the page reloads sorted without a submit button
        await page.select_option("#sort", "newest")
        await page.wait_for_url(re.compile(r"sort=newest"))

        # when they open the microscope, sign in from its page and book the suggested slot
        await page.goto(stack.base + f"/listings/instrument/{instrument['id']}")
        await page.get_by_role("link", name="登录后预约").click()
        await page.get_by_label("邮箱").fill(buyer_email)
        await page.get_by_label("密码").fill(PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_url(re.compile(rf"/listings/instrument/{instrument['id']}"))
        await expect(page.locator(".who strong")).to_have_text("浏览器测试企业")
        await expect(page.locator("[data-estimate]")).to_contain_text("预计费用：¥800.00")
        await page.get_by_role("button", name="提交预约").click()

        # then 我的预约 shows it, priced and pending
        await page.wait_for_url(re.compile(r"/me/bookings"))
        await expect(page.get_by_role("status")).to_contain_text("预约已提交")
        await expect(page.locator("table.bookings")).to_contain_text("¥800.00")
        await expect(page.locator("table.bookings")).to_contain_text("待审批")

        # when the admin opens the turnover dashboard, then the server-drawn chart is there
        admin = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        admin_page = await admin.new_page()
        await admin_page.goto(stack.base + "/login")
        await admin_page.get_by_label("邮箱").fill(ADMIN_EMAIL)
        await admin_page.get_by_label("密码").fill(ADMIN_PASSWORD)
        await admin_page.get_by_role("button", name="登录").click()
        await admin_page.goto(stack.base + "/admin/dashboard")
        await expect(admin_page.locator("svg.chart rect")).to_have_count(12)
        await expect(admin_page.get_by_role("heading", name="按地区 · 吸纳（买方所在地）")).to_be_visible()
        await admin_page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

        await browser.close()
    assert problems == []
