"""送样检测 in the portal, from the instrument page to the accepted report: the enterprise requests from the lab's
catalogue, the lab quotes line by line, the enterprise accepts, the lab records the samples and uploads the PDF
report, the enterprise queries it, the lab answers with a new report, and the enterprise accepts the result.
Refusals are said on the page and change nothing; each side's steps are its own, and a third organisation sees
neither the request nor its report."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_org, unique
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
    published_instrument,
)

pytestmark = pytest.mark.integration
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _status(db: asyncpg.Connection, request_id: int) -> str:
    return str(await db.fetchval("SELECT status FROM testing_request WHERE id = $1", request_id))


async def _member(api: Any, admin: str, portal: Any, name: str) -> dict[str, Any]:
    org = await create_org(api, admin, kind="enterprise", region="500107")
    email = await make_user(api, admin, org_id=org["id"], role="enterprise", name=name)
    await portal.login(email)
    return {"org": org, "email": email}


async def test_a_test_request_runs_from_the_instrument_page_to_the_accepted_report(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a lab's published instrument offering 送样检测 with one catalogue method, and an enterprise member
    supply = await published_instrument(api, admin_token, name=unique("激光导热仪"))
    instrument_id = supply["instrument"]["id"]
    method = await api.json(
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
    buyer = portal_factory()
    await _member(api, admin_token, buyer, "企业研发部赵工")
    assert f'href="/test-requests/new?listing_id={instrument_id}"' in await buyer.page(
        f"/listings/instrument/{instrument_id}"
    )
    form_url = f"/test-requests/new?listing_id={instrument_id}"
    assert "热扩散系数与导热系数测试" in await buyer.page(form_url)

    # when the buyer submits with no method and no sample, then the form says so and nothing is saved
    before = await db.fetchval("SELECT count(*) FROM testing_request WHERE listing_id = $1", instrument_id)
    refused = await buyer.post(
        form_url, {"turnaround_days": "7"}, token=await buyer.token(form_url), expect=422
    )
    assert 'class="field-error"' in refused.text
    assert (
        await db.fetchval("SELECT count(*) FROM testing_request WHERE listing_id = $1", instrument_id)
        == before
    )

    # when the buyer asks for three samples by the catalogue method, then the request waits for the lab's quote
    made = await buyer.post(
        form_url,
        {
            "method_ids": str(method["id"]),
            "sample_name_0": "石墨烯导热膜",
            "sample_quantity_0": "3",
            "turnaround_days": "7",
            "accreditation": "none",
        },
        token=await buyer.token(form_url),
    )
    detail = made.headers["location"].split("?")[0]
    request_id = int(detail.rsplit("/", 1)[1])
    assert await _status(db, request_id) == "requested"
    assert f'data-test-request-id="{request_id}"' in await buyer.page("/me/test-requests")

    # when a third organisation opens it or takes a step, then it does not exist for them
    stranger = portal_factory()
    stranger_member = await _member(api, admin_token, stranger, "他企员工")
    await stranger.page(detail, expect=404)
    stranger_token = await api.token(stranger_member["email"], PASSWORD)
    for side in ("requested", "received"):
        listed = await api.json("GET", f"/api/v1/test-requests?side={side}", token=stranger_token)
        assert request_id not in [r["id"] for r in listed["items"]]
    await api.call("GET", "/api/v1/test-requests?side=everything", token=stranger_token, expect=422)
    await stranger.post(f"{detail}/accept", {}, token=await stranger.token("/me/test-requests"), expect=404)
    # and the buyer cannot take the lab's step: quoting its own request is refused
    await buyer.post(
        f"{detail}/quote",
        {"line_name_0": "自报价", "line_amount_0": "1"},
        token=await buyer.token(detail),
        expect=403,
    )
    assert await _status(db, request_id) == "requested"

    # when the lab quotes a line whose amount is not a number, then the row is named and nothing changes
    lab = portal_factory()
    await lab.login(supply["provider_email"])
    assert f'data-test-request-id="{request_id}"' in await lab.page("/me/test-requests?side=received")
    bad = await lab.post(
        f"{detail}/quote",
        {"line_name_0": "热导率测试", "line_amount_0": "abc"},
        token=await lab.token(detail),
        expect=422,
    )
    assert "第 1 行" in bad.text
    assert await _status(db, request_id) == "requested"

    # when the lab quotes two lines, then the total is their sum and the buyer accepts it
    await lab.post(
        f"{detail}/quote",
        {
            "line_name_0": "热导率测试 × 3 样",
            "line_amount_0": "2,400",
            "line_name_1": "制样",
            "line_amount_1": "150.50",
        },
        token=await lab.token(detail),
    )
    assert (
        await db.fetchval("SELECT quote_total_fen FROM testing_request WHERE id = $1", request_id) == 255_050
    )
    page = await buyer.page(detail)
    assert "2,550.50" in page or "2550.50" in page
    await buyer.post(f"{detail}/accept", {}, token=await buyer.token(detail))
    assert await _status(db, request_id) == "accepted"

    # when the lab records the samples and uploads something that is not a PDF, then that is refused
    await lab.post(f"{detail}/samples-received", {}, token=await lab.token(detail))
    not_pdf = await lab.client.post(
        f"{detail}/report",
        data={"csrf_token": await lab.token(detail)},
        files={"file": ("report.pdf", b"plain text", "application/pdf")},
    )
    assert not_pdf.status_code == 422
    assert "PDF" in not_pdf.text
    assert await _status(db, request_id) == "samples_received"

    # when the lab uploads the PDF, then both parties can download it and the stranger cannot
    uploaded = await lab.client.post(
        f"{detail}/report",
        data={"csrf_token": await lab.token(detail)},
        files={"file": ("报告.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 303
    assert await _status(db, request_id) == "reported"
    # (the page links the API's download, which the portal session opens)
    assert f'href="/api/v1/test-requests/{request_id}/report"' in await buyer.page(detail)
    report = await buyer.client.get(f"/api/v1/test-requests/{request_id}/report")
    assert report.status_code == 200
    assert report.content == PDF
    assert (await stranger.client.get(f"/api/v1/test-requests/{request_id}/report")).status_code == 404

    # when the buyer queries with an empty note, then it is refused; with a note, the lab answers with a new PDF
    await buyer.post(f"{detail}/query", {"note": " "}, token=await buyer.token(detail), expect=422)
    assert await _status(db, request_id) == "reported"
    await buyer.post(
        f"{detail}/query", {"note": "样品 2 的数据偏低，请复核"}, token=await buyer.token(detail)
    )
    assert await _status(db, request_id) == "queried"
    assert "样品 2 的数据偏低" in await lab.page(detail)
    revised = await lab.client.post(
        f"{detail}/report",
        data={"csrf_token": await lab.token(detail)},
        files={"file": ("报告v2.pdf", PDF + b"% revised\n", "application/pdf")},
    )
    assert revised.status_code == 303

    # when the buyer accepts the result, then the request is completed and no step is left to anyone
    await buyer.post(f"{detail}/accept-result", {}, token=await buyer.token(detail))
    assert await _status(db, request_id) == "completed"
    page = await buyer.page(detail)
    assert "已完成" in page
    assert f'action="{detail}/accept-result"' not in page
    assert f'action="{detail}/report"' not in await lab.page(detail)


async def test_the_lab_keeps_its_catalogue_of_methods_and_no_other_organisation_can(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a lab's published instrument offering 送样检测, its provider signed in
    supply = await published_instrument(api, admin_token, name=unique("同步热分析仪"))
    instrument_id = supply["instrument"]["id"]
    url = f"/me/listings/{instrument_id}/test-methods"
    lab = portal_factory()
    await lab.login(supply["provider_email"])
    assert f'href="{url}"' in await lab.page("/me/listings")

    # when it adds a method whose price is not a number, then the price is named and nothing is saved
    method = {"test_item": "热重-差示扫描量热联用分析", "standard": "GB/T 27761-2011", "turnaround_days": "4"}
    bad = await lab.post(url, {**method, "price": "abc"}, token=await lab.token(url), expect=422)
    assert 'id="err-price"' in bad.text
    assert await db.fetchval("SELECT count(*) FROM testing_method WHERE listing_id = $1", instrument_id) == 0

    # when it adds it at 650 元 per sample, then requesters choose it from the request form
    await lab.post(
        url, {**method, "price": "650", "unit": "sample", "accreditation": "none"}, token=await lab.token(url)
    )
    row = await db.fetchrow(
        "SELECT id, price_fen, active FROM testing_method WHERE listing_id = $1", instrument_id
    )
    assert (row["price_fen"], row["active"]) == (65_000, True)
    buyer = portal_factory()
    await _member(api, admin_token, buyer, "企业质检部")
    assert "热重-差示扫描量热联用分析" in await buyer.page(f"/test-requests/new?listing_id={instrument_id}")

    # when another organisation opens the catalogue page, adds to it or withdraws from it, then 403 and no change
    await buyer.page(url, expect=403)
    buyer_token = await buyer.token("/me/test-requests")
    await buyer.post(url, {**method, "price": "1"}, token=buyer_token, expect=403)
    await buyer.post(f"{url}/{row['id']}/withdraw", {}, token=buyer_token, expect=403)
    assert await db.fetchval("SELECT count(*) FROM testing_method WHERE listing_id = $1", instrument_id) == 1
    assert await db.fetchval("SELECT active FROM testing_method WHERE id = $1", row["id"]) is True

    # when the lab withdraws it, then the request form no longer offers it
    await lab.post(f"{url}/{row['id']}/withdraw", {}, token=await lab.token(url))
    assert "热重-差示扫描量热联用分析" not in await buyer.page(
        f"/test-requests/new?listing_id={instrument_id}"
    )
