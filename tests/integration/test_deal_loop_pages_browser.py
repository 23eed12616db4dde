"""The deal-loop pages in a real browser, by clicking: the admin gives a demand to a broker on 需求分配 (confirming
the dialog); the broker opens the match's 跟进记录 from the workbench and records a note for the buyer; the
enterprise saves the matched listing (收藏) from its demand's match card, reads the broker's note and finds the
listing in 我的收藏. Each page is checked (no sideways overflow, no English to a zh-CN user, no script error) and
screenshotted at desktop and phone size."""

import asyncio
import re
from typing import Any

from tests.factories import create_org, unique
from tests.integration.browser import CHROMIUM_ARGS, DESKTOP, at_both_sizes
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_match_record_pages import _published_demand_with_a_match
from tests.integration.test_portal import PASSWORD, make_user
from tests.integration.test_portal_browser import (
    CHROMIUM,
    pytestmark,  # noqa: F401 - the same marks: integration, slow, skipped without chromium
)
from tests.integration.test_portal_pages_browser import _signed_in


def _accept_dialogs(page: Any) -> None:
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))


async def test_assignment_follow_up_record_and_favourites_work_by_clicking_at_both_sizes(
    api: Any, admin_token: str, stack: Any
) -> None:
    from playwright.async_api import async_playwright, expect

    # given a published demand matched to an instrument, and a broker
    buyer_email, demand_id, match_id = await _published_demand_with_a_match(api, admin_token)
    agency = await create_org(api, admin_token, kind="agency")
    broker_name = unique("孙经纪")
    broker_email = await make_user(api, admin_token, org_id=agency["id"], role="broker", name=broker_name)
    base = stack.base
    note = "已与设备方确认，下周二可安排现场看样"

    async with async_playwright() as play:
        browser = await play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # --- the admin names the broker on 需求分配 -------------------------------------------------------
        admin = await _signed_in(browser, base, ADMIN_EMAIL, ADMIN_PASSWORD, DESKTOP)
        page = await admin.new_page()
        _accept_dialogs(page)
        await page.goto(f"{base}/admin/demands?page=1")
        row = page.locator(f"tr[data-demand-id='{demand_id}']")
        while not await row.count():
            await page.get_by_role("link", name="下一页").click()
        await row.get_by_label("技术经纪人").select_option(label=broker_name)
        await row.get_by_role("button").click()
        await expect(page.locator(f"tr[data-demand-id='{demand_id}'] td.broker")).to_have_text(broker_name)
        await at_both_sizes(browser, admin, page.url.split("#")[0], "admin-demands", ready="table")
        await admin.close()

        # --- the broker opens 跟进记录 from the workbench and leaves a note for the buyer ----------------------
        broker = await _signed_in(browser, base, broker_email, PASSWORD, DESKTOP)
        page = await broker.new_page()
        await page.goto(f"{base}/broker?demand_id={demand_id}")
        await page.locator(f"tr[data-match-id='{match_id}']").get_by_role("link", name="跟进记录").click()
        await page.wait_for_url(re.compile(rf"/matches/{match_id}$"))
        await page.get_by_label("追加备注").fill(note)
        await page.get_by_label("可见范围").select_option(label="需求方可见")
        await page.get_by_role("button", name="记录备注").click()
        await expect(page.locator("ol.notes .note-shared").first).to_contain_text(note)
        await at_both_sizes(browser, broker, f"{base}/matches/{match_id}", "match-record")
        await broker.close()

        # --- the enterprise saves the match from its card, reads the note, and finds it in 我的收藏 ------------
        buyer = await _signed_in(browser, base, buyer_email, PASSWORD, DESKTOP)
        page = await buyer.new_page()
        await page.goto(f"{base}/demands/{demand_id}")
        card = page.locator(f"li[data-match-id='{match_id}']")
        await card.get_by_role("button", name="收藏").click()
        await expect(
            page.locator(f"li[data-match-id='{match_id}']").get_by_role("button", name="已收藏")
        ).to_be_visible()
        await (
            page.locator(f"li[data-match-id='{match_id}']")
            .get_by_role("link", name=re.compile("跟进记录"))
            .click()
        )
        await expect(page.locator("ol.notes")).to_contain_text(note)
        await page.goto(f"{base}/me/favorites")
        await expect(page.locator("main")).to_contain_text("场发射扫描电镜")
        await at_both_sizes(browser, buyer, f"{base}/me/favorites", "favorites")
        await buyer.close()

        await browser.close()
