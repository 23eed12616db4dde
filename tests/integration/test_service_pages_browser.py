"""The service pages in a real browser, by clicking: an enterprise asks a lab for 送样检测 from the instrument's
page, the lab quotes on the request's page; the enterprise's 服务订单 and 创新券 (and the admin's 创新券管理); the lab's 检测项目目录 and 开放管理; a
member's 技术经纪人备案 and the admin's 经纪人审核. Each page is checked (no sideways overflow, no squeezed table cells, no English to a zh-CN
user, no script error) and screenshotted at desktop and phone size."""

import re
from typing import Any

from tests.factories import create_listing, create_org, publish_listing
from tests.integration.browser import CHROMIUM_ARGS, DESKTOP, at_both_sizes
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal import PASSWORD as LAB_PASSWORD
from tests.integration.test_portal import published_instrument
from tests.integration.test_portal_browser import (
    CHROMIUM,
    PASSWORD,
    make_user,
    pytestmark,  # noqa: F401 - the same marks: integration, slow, skipped without chromium
)
from tests.integration.test_portal_pages_browser import _signed_in


async def test_test_requests_lab_pages_and_broker_filing_work_by_clicking_at_both_sizes(
    api: Any, admin_token: str, stack: Any
) -> None:
    from playwright.async_api import async_playwright, expect

    # given a lab's instrument offering 送样检测 with a catalogue method, an enterprise member, and an agency member
    supply = await published_instrument(api, admin_token, name="激光导热仪 LFA 467")
    instrument_id = supply["instrument"]["id"]
    await api.json(
        "POST",
        "/api/v1/test-methods",
        token=supply["provider"],
        expect=201,
        json={
            "listing_id": instrument_id,
            "test_item": "热扩散系数与导热系数测试",
            "standard": "GB/T 22588-2008",
            "turnaround_days": 5,
            "price_fen": 80_000,
        },
    )
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_email = await make_user(
        api, admin_token, org_id=ent["id"], role="enterprise", name="企业研发部赵工"
    )
    agency = await create_org(api, admin_token, kind="agency")
    applicant_email = await make_user(api, admin_token, org_id=agency["id"], role="enterprise", name="刘经纪")
    # and a consultancy's order from the enterprise, quoted in two milestones
    agency_org = await create_org(api, admin_token, kind="agency")
    consultant_email = await make_user(
        api, admin_token, org_id=agency_org["id"], role="provider", name="咨询顾问"
    )
    consultant = await api.token(consultant_email, PASSWORD)
    consultancy = await create_listing(
        api, consultant, "agency", agency_types=["consulting"], qualifications=[]
    )
    await publish_listing(api, consultant, admin_token, "agency", consultancy["id"])
    buyer_token = await api.token(buyer_email, PASSWORD)
    order = await api.json(
        "POST",
        "/api/v1/service-orders",
        token=buyer_token,
        expect=201,
        json={
            "listing_id": consultancy["id"],
            "title": "齿轮热处理变形控制咨询",
            "description": "渗碳淬火后变形超差",
        },
    )
    await api.json(
        "POST",
        f"/api/v1/service-orders/{order['id']}/quote",
        token=consultant,
        json={
            "lines": [
                {"name": "现场诊断", "amount_fen": 600_000},
                {"name": "工艺方案", "amount_fen": 400_000},
            ],
            "milestones": [
                {"name": "预付款", "amount_fen": 300_000},
                {"name": "验收款", "amount_fen": 700_000},
            ],
        },
    )
    base = stack.base

    async with async_playwright() as play:
        browser = await play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # --- the enterprise asks for 送样检测 from the instrument's page --------------------------------------
        buyer = await _signed_in(browser, base, buyer_email, PASSWORD, DESKTOP)
        page = await buyer.new_page()
        await page.goto(f"{base}/listings/instrument/{instrument_id}")
        await page.get_by_role("link", name="委托送样检测").click()
        await page.wait_for_url(re.compile(r"/test-requests/new"))
        await at_both_sizes(browser, buyer, page.url, "test-request-form")
        await page.get_by_label(re.compile("热扩散系数与导热系数测试")).check()
        await page.get_by_label("样品 1 名称").fill("石墨烯导热膜")
        await page.get_by_label("数量").first.fill("3")
        await page.get_by_role("button", name="提交委托").click()
        await page.wait_for_url(re.compile(r"/me/test-requests/\d+"))
        detail = page.url.split("?")[0]
        await expect(page.locator("[data-status=requested]")).to_be_visible()
        await at_both_sizes(browser, buyer, detail, "test-request-requested")
        await at_both_sizes(browser, buyer, f"{base}/me/test-requests", "test-requests", ready="table")
        await at_both_sizes(browser, buyer, f"{base}/me/service-orders", "service-orders", ready="table")
        await at_both_sizes(browser, buyer, f"{base}/me/vouchers", "vouchers")
        await at_both_sizes(browser, buyer, f"{base}/me/service-orders/{order['id']}", "service-order-quoted")
        await at_both_sizes(
            browser, buyer, f"{base}/service-orders/new?listing_id={consultancy['id']}", "service-order-form"
        )
        await buyer.close()

        # --- the lab quotes, and keeps its catalogue and its instrument's closures and trainings -------------
        lab = await _signed_in(browser, base, supply["provider_email"], LAB_PASSWORD, DESKTOP)
        page = await lab.new_page()
        await page.goto(detail)
        await at_both_sizes(browser, lab, detail, "test-request-quote-form")
        await page.get_by_label("项目 1").fill("热导率测试 × 3 样")
        await page.get_by_label("金额（元）").first.fill("2400")
        await page.get_by_role("button", name="发送报价").click()
        await expect(page.locator("[data-status=quoted]")).to_be_visible()
        await expect(page.locator("table.quote")).to_contain_text("2,400.00")
        await at_both_sizes(
            browser, lab, f"{base}/me/test-requests?side=received", "test-requests-received", ready="table"
        )
        await at_both_sizes(browser, lab, f"{base}/me/listings/{instrument_id}/test-methods", "test-methods")
        await at_both_sizes(
            browser, lab, f"{base}/me/listings/instrument/{instrument_id}/schedule", "instrument-schedule"
        )
        await lab.close()

        # --- a member files a broker profile, and the admin sees it for review ------------------------------
        applicant = await _signed_in(browser, base, applicant_email, PASSWORD, DESKTOP)
        page = await applicant.new_page()
        await page.goto(f"{base}/account")
        await page.get_by_role("link", name="提交技术经纪人备案").click()
        await page.get_by_label("技术经纪人证书编号").fill("JJR-2026-0031")
        await page.get_by_label("职称/职务").fill("高级技术经纪人")
        await page.get_by_label("高端新材料").check()
        await page.get_by_role("button", name="提交审核").click()
        await expect(page.locator("[data-broker-status=pending]")).to_be_visible()
        await at_both_sizes(browser, applicant, f"{base}/me/broker-profile", "broker-profile")
        await applicant.close()

        admin = await _signed_in(browser, base, ADMIN_EMAIL, ADMIN_PASSWORD, DESKTOP)
        await at_both_sizes(browser, admin, f"{base}/admin/brokers", "admin-brokers", ready="table")
        await at_both_sizes(browser, admin, f"{base}/admin/vouchers", "admin-vouchers")
        await admin.close()

        await browser.close()
