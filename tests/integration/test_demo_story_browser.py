"""The README's story with the seeded demo accounts, in a real browser: a private stack loaded by
`python -m devdata` (the same loader `make run` uses), every demo account doing its part by clicking. Each
account's pages pass the shared checks (no sideways overflow, no English for a zh-CN user) at desktop and phone
sizes. If the README promises something a demo account cannot do, this test fails."""

import asyncio
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from devdata.seeding import DEMO_PASSWORD
from tests.factories import unique
from tests.integration.browser import CHROMIUM_ARGS, DESKTOP, PHONE, at_both_sizes, check
from tests.integration.conftest import ROOT, Processes, drop_private_stack, private_env, private_stack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEMO = "@demo.techmarket.cn"
README = (ROOT / "README.md").read_text(encoding="utf-8")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def demo_stack() -> Any:
    """A private stack (server + worker) with the demo data of `make run`, at a small scale."""
    env = private_env("demo")
    processes = private_stack(env, "-demo", worker=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "devdata", "--scale", "200", "--demands", "5"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        yield processes
    finally:
        drop_private_stack(processes)


async def _login(page: Any, base: str, who: str, next_path: str) -> None:
    await page.goto(f"{base}/login?next={next_path}")
    await page.get_by_label("邮箱").fill(f"{who}{DEMO}")
    await page.get_by_label("密码").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(re.escape(next_path.split("?")[0])))


async def _eventually(page: Any, url: str, locator: str, has_text: str, seconds: float = 90) -> Any:
    """Reload until the locator shows up (matches are computed by the worker after a demand is published)."""
    deadline = time.monotonic() + seconds
    while True:
        await page.goto(url)
        found = page.locator(locator, has_text=has_text)
        if await found.count() > 0:
            return found.first
        assert time.monotonic() < deadline, f"{has_text!r} not on {url} after {seconds}s"
        await asyncio.sleep(1)


def _accept_dialogs(page: Any) -> None:
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))


def test_the_readme_names_the_accounts_and_steps_this_test_walks():
    # The story below is the README's: if the README changes, this test must change with it.
    for words in (
        "`重庆大学 扫描电镜`",
        "`enterprise@`",
        "`provider@`",
        "`broker@`",
        "`admin@demo.techmarket.cn`",
        "我的预约",
        "预约审批",
        "我的资源",
        "发布科研仪器",
        "我的需求",
        "审核队列",
        "经纪人工作台",
        "`匹配的需求`",
        "我的合同",
        "合同登记",
        "成交额看板",
    ):
        assert words in README, words


async def test_every_demo_account_does_its_part_of_the_story(demo_stack: Processes) -> None:
    from playwright.async_api import async_playwright, expect

    base = demo_stack.base
    demand_title = unique("求购扫描电镜形貌与能谱分析服务")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        problems: list[str] = []

        async def context(viewport: dict[str, int] = DESKTOP) -> tuple[Any, Any]:
            made = await browser.new_context(
                viewport=viewport, locale="zh-CN", is_mobile=viewport is PHONE, has_touch=viewport is PHONE
            )
            page = await made.new_page()
            page.on("pageerror", lambda error: problems.append(str(error)))
            _accept_dialogs(page)
            return made, page

        # --- a visitor, then enterprise@ on a phone: search, open 重庆大学's microscope, sign in, book ----------
        buyer, page = await context(PHONE)
        await page.goto(base + "/")
        box = page.get_by_role("combobox", name="搜索")
        await box.fill("重庆大学 扫描电镜")
        await box.press("Enter")
        await page.wait_for_url(re.compile(r"/search\?q="))
        await check(page, "演示：搜索")
        hit = page.locator(".hit", has_text="重庆大学").filter(has_text="扫描电子显微镜").first
        await hit.locator("a[href^='/listings/instrument/']").first.click()
        await page.wait_for_url(re.compile(r"/listings/instrument/\d+"))
        listing_url = page.url
        await expect(page.locator("dl")).to_contain_text("重庆大学")
        await check(page, "演示：仪器详情")
        await page.get_by_role("link", name="登录后预约").click()
        await page.get_by_label("邮箱").fill(f"enterprise{DEMO}")
        await page.get_by_label("密码").fill(DEMO_PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_url(re.compile(re.escape(listing_url)))
        # the week calendar offers free slots; choosing one fills the form, and the price group is stated
        await expect(page.locator(".price-group")).to_contain_text("企业价")
        chosen = page.locator(".week a.slot").nth(1)
        href = await chosen.get_attribute("href") or ""
        slot_start = re.search(r"start=([0-9T:-]+)", href)
        assert slot_start, href
        await chosen.click()
        await expect(page.locator("#start")).to_have_value(slot_start.group(1))
        await check(page, "演示：预约表单（手机）")
        await at_both_sizes(browser, buyer, page.url, "demo-instrument-booking", ready=".week")
        await page.get_by_role("button", name="提交预约").click()
        await page.wait_for_url(re.compile(r"/me/bookings"))
        await expect(page.locator("table.bookings")).to_contain_text("待审批")
        await check(page, "演示：我的预约（手机）")

        # --- provider@ (重庆大学) approves it on 预约审批 ---------------------------------------------------------
        provider, owner = await context()
        await _login(owner, base, "provider", "/me/booking-approvals")
        card = owner.locator(".approval", has_text="扫描电子显微镜").first
        await expect(card).to_be_visible()
        await check(owner, "演示：预约审批")
        await card.get_by_role("button", name="批准").click()
        await expect(owner.get_by_role("status")).to_contain_text("已批准该预约")
        await at_both_sizes(browser, provider, base + "/me/booking-approvals", "demo-provider-approvals")

        # provider@ opens 我的资源 and starts an achievement: the quality hints update as they type
        await owner.get_by_role("link", name="我的资源").click()
        await owner.wait_for_url(re.compile(r"/me/listings"))
        await owner.get_by_role("link", name="发布科技成果").click()
        hints = owner.locator("[data-quality-missing]")
        await expect(hints).to_contain_text("量化的效益或性能指标")
        await owner.get_by_label("成果名称").fill("高导热氮化硅陶瓷基板制备技术")
        await owner.get_by_label("技术描述").fill(
            "梯度烧结制备的氮化硅陶瓷基板，导热系数达 90 W/mK，较氧化铝基板提高 3 倍，已完成中试，良率 95%。"
        )
        await expect(hints).not_to_contain_text("量化的效益或性能指标")
        await check(owner, "演示：发布科技成果")
        await at_both_sizes(browser, provider, owner.url, "demo-provider-listing-form")

        # provider@ also lists an instrument in 我的资源: fees per unit, booking rules, hints as they type
        instrument_name = unique("演示原子力显微镜")
        await owner.goto(base + "/me/listings")
        await owner.get_by_role("link", name="发布科研仪器").click()
        await owner.wait_for_url(re.compile(r"/me/listings/instrument/new"))
        hints = owner.locator("[data-quality-missing]")
        await expect(hints).to_contain_text("收费标准")
        await owner.get_by_label("仪器名称").fill(instrument_name)
        await owner.locator("#category").select_option("0101")
        await owner.get_by_label("型号").fill("Dimension Icon")
        await owner.get_by_label("生产厂商").fill("Bruker")
        await owner.locator("[name='fees.0.unit']").select_option("hour")
        await owner.locator("[name='fees.0.price']").fill("300")
        await owner.locator("[name='fees.1.unit']").select_option("hour")
        await owner.locator("[name='fees.1.group']").select_option("enterprise")
        await owner.locator("[name='fees.1.price']").fill("450")
        await expect(hints).not_to_contain_text("收费标准")
        await expect(hints).not_to_contain_text("型号与厂商")
        await check(owner, "演示：发布科研仪器")
        await at_both_sizes(browser, provider, owner.url, "demo-provider-instrument-form")
        await owner.get_by_role("button", name="保存草稿").click()
        await owner.wait_for_url(re.compile(r"/me/listings\?notice=listing_saved"))
        await expect(owner.locator("table.my-listings")).to_contain_text(instrument_name)
        await check(owner, "演示：我的资源")
        await at_both_sizes(browser, provider, base + "/me/enquiries", "demo-provider-enquiries")
        await page.goto(base + "/me/bookings")
        await expect(page.locator("table.bookings")).to_contain_text("已批准")

        # --- enterprise@ posts a demand on 我的需求 (on the phone) ---------------------------------------------
        await page.get_by_role("link", name="我的需求").first.click()
        await page.wait_for_url(re.compile(r"/me/demands"))
        await page.get_by_label("需求标题").fill(demand_title)
        await page.get_by_label("需求描述").fill(
            "我司研发高镍正极材料，需要对粉体颗粒形貌和元素分布进行表征，"
            "希望使用场发射扫描电镜并配能谱分析，每月约20个样品。"
        )
        await page.locator("input[name=fields][value=materials]").check()
        await page.get_by_label("关键词").fill("扫描电镜，能谱，形貌分析")
        await page.get_by_role("button", name="提交需求").click()
        await expect(page.locator("body")).to_contain_text(demand_title)
        await check(page, "演示：我的需求（手机）")
        await at_both_sizes(browser, buyer, base + "/me/demands", "demo-enterprise-demands")

        # --- admin@demo publishes it on 审核队列 ---------------------------------------------------------------
        _admin, admin_page = await context()
        await _login(admin_page, base, "admin", "/")
        await admin_page.get_by_role("link", name="审核队列").click()
        await admin_page.wait_for_url(re.compile(r"/admin/review"))
        item = admin_page.locator(".review-item", has_text=demand_title)
        await item.get_by_role("button", name="通过并发布").click()
        await expect(admin_page.locator(".review-item", has_text=demand_title)).to_have_count(0)
        await check(admin_page, "演示：审核队列")

        # --- broker@ works 重庆大学's match to 成交 and records the contract on 经纪人工作台 ------------------------
        broker, broker_page = await context()
        await _login(broker_page, base, "broker", "/broker")
        await check(broker_page, "演示：经纪人工作台")
        await at_both_sizes(browser, broker, base + "/broker", "demo-broker-workbench")

        # --- provider@ finds the new demand under 匹配的需求 of its microscope and expresses interest; the
        # broker's open workbench receives the notification live (server-sent events) -------------------------
        await owner.goto(listing_url)
        await owner.get_by_role("link", name="查看匹配的需求").click()
        await owner.wait_for_url(re.compile(r"/me/listings/\d+/demands"))
        matched = await _eventually(owner, owner.url, "li[data-demand-id]", demand_title)
        await expect(matched.locator(".reasons li").first).to_be_visible()
        await check(owner, "演示：匹配的需求")
        await at_both_sizes(browser, provider, owner.url, "demo-provider-matched-demands")
        await matched.get_by_role("button", name="表达合作意向").click()
        await expect(owner.get_by_role("status")).to_contain_text("已表达合作意向")
        await expect(owner.locator("li[data-demand-id]", has_text=demand_title)).to_contain_text(
            "已表达合作意向"
        )
        await expect(broker_page.locator("[data-live-notices]")).to_contain_text(
            "表达了合作意向", timeout=30_000
        )
        await broker_page.locator("select[name=sort]").select_option("newest")
        await broker_page.get_by_role("button", name="筛选").click()
        group = await _eventually(broker_page, broker_page.url, ".queue-group", demand_title)
        await expect(group.locator(".provider").first).not_to_be_empty()
        await group.get_by_role("link", name=demand_title).click()
        await broker_page.wait_for_url(re.compile(r"/demands/\d+"))
        demand_url = broker_page.url.split("?")[0]
        card = broker_page.locator("li.match", has_text="重庆大学")
        if await card.count() == 0:
            await broker_page.get_by_role("link", name=re.compile("显示全部")).click()
        card = broker_page.locator("li.match", has_text="重庆大学").first
        await expect(card.locator(".provider")).to_have_text("提供方：重庆大学")
        match_id = await card.get_attribute("data-match-id")
        await check(broker_page, "演示：需求与匹配")
        for step in ("已联系", "洽谈中", "已成交"):
            await (
                broker_page.locator(f"li.match[data-match-id='{match_id}']")
                .get_by_role("button", name=f"标记为{step}", exact=True)
                .click()
            )
            await broker_page.wait_for_url(re.compile(re.escape(demand_url)))
        card = broker_page.locator(f"li.match[data-match-id='{match_id}']")
        await expect(card.locator(".status")).to_have_text("已成交")
        await card.get_by_role("link", name="登记技术合同").click()
        contract_title = unique("扫描电镜形貌与能谱分析技术服务合同")
        await broker_page.get_by_label("合同名称").fill(contract_title)
        await broker_page.get_by_label("合同成交额（元）").fill("60000")
        await broker_page.get_by_label("其中技术交易额（元）").fill("54000")
        await broker_page.get_by_label("签订日期").fill(time.strftime("%Y-%m-%d"))
        await check(broker_page, "演示：登记技术合同")
        await broker_page.get_by_role("button", name="创建合同").click()
        await expect(broker_page.get_by_role("status")).to_contain_text("技术合同已创建")

        # --- the parties under 我的合同: each confirms, the seller (provider@) submits 认定登记 -----------------
        for party_page, label in ((page, "买方"), (owner, "卖方")):
            await party_page.goto(base + "/")
            await party_page.get_by_role("link", name="我的合同").first.click()
            await party_page.wait_for_url(re.compile(r"/me/contracts"))
            await party_page.get_by_role("link", name=contract_title).click()
            await party_page.get_by_role("button", name="确认合同").click()
            await expect(party_page.locator("[aria-labelledby=reg-title] dl.facts")).to_contain_text(
                f"{label}确认已确认"
            )
            await check(party_page, f"演示：合同（{label}）")
        await owner.get_by_role("button", name="提交认定登记").click()
        contract_url = owner.url.split("?")[0]
        await expect(owner.locator("[data-status]")).not_to_have_text("已登记")
        await at_both_sizes(browser, provider, contract_url, "demo-contract")

        # --- admin@demo registers it on 合同登记; the contract reads 已登记 and the dashboard counts it ----------
        await admin_page.get_by_role("link", name="合同登记").click()
        await admin_page.wait_for_url(re.compile(r"/admin/contracts"))
        entry = admin_page.locator("li, tr, article", has_text=contract_title).last
        await entry.get_by_label("登记号").fill(f"{time.strftime('%Y')}5001{int(time.time()) % 10**6:06d}")
        await entry.get_by_role("button", name="登记通过").click()
        await expect(admin_page.get_by_role("status")).to_be_visible()
        await check(admin_page, "演示：合同登记")
        await page.goto(contract_url)
        await expect(page.locator("[data-status]")).to_have_text("已登记")
        await admin_page.get_by_role("link", name="成交额看板").click()
        await expect(admin_page.locator("[data-chart] canvas").first).to_be_visible()
        await check(admin_page, "演示：成交额看板")

        # --- enterprise@ can cancel a booking on 我的预约 (confirming the dialog); the slot is freed ------------
        await page.goto(base + "/me/bookings")
        booked = page.locator("table.bookings tbody tr", has_text="扫描电子显微镜").first
        booking_id = await booked.get_attribute("data-booking-id")
        await booked.get_by_role("button", name="取消预约").click()
        await expect(page.get_by_role("status")).to_contain_text("预约已取消")
        await expect(page.locator(f"tr[data-booking-id='{booking_id}']")).to_contain_text("已取消")
        await check(page, "演示：取消预约（手机）")

        # --- expert@ signs in and sees the pages the README gives every member ---------------------------------
        expert, expert_page = await context()
        await _login(expert_page, base, "expert", "/account")
        await expect(expert_page.locator("body")).to_contain_text("重庆大学")
        await at_both_sizes(browser, expert, base + "/account", "demo-expert-account")
        # 我的专家资料: the profile 重庆大学 linked to them, the consent the university recorded on their behalf,
        # and they withdraw being contacted themselves; the history says who gave which
        await expert_page.get_by_role("link", name="我的专家资料").click()
        await expert_page.wait_for_url(re.compile(r"/me/expert-profile$"))
        history = expert_page.locator("table.consents tbody tr")
        await expect(history.first).to_contain_text("所在机构代为登记")
        await expect(expert_page.locator("[data-status]")).to_have_attribute("data-status", "published")
        await check(expert_page, "演示：我的专家资料")
        await expert_page.get_by_label("同意企业通过平台向我发送咨询", exact=False).uncheck()
        await expert_page.get_by_role("button", name="保存我的选择").click()
        await expect(expert_page.get_by_role("status")).to_contain_text("您的选择已记录")
        await expect(history.first).to_contain_text("本人")
        await expect(history.first.locator("td").nth(2)).to_have_text("不同意")
        await expect(expert_page.locator("[data-status]")).to_have_attribute("data-status", "published")
        await at_both_sizes(browser, expert, base + "/me/expert-profile", "demo-expert-profile")

        await browser.close()
    assert problems == []
