"""送样检测: request → quote → acceptance → sample receipt → PDF report → acceptance or query; who may do each step."""

import hashlib

import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing
from tests.integration.invariants import assert_problem, nothing_saved

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _request_body(listing_id, **overrides):
    body = {
        "listing_id": listing_id,
        "samples": [{"name": "碳化硅功率模块", "quantity": 3, "description": "已去除外壳"}],
        "items": [
            {"method": "高温反偏试验", "standard": "GB/T 4937.4-2012"},
            {"method": "拉伸强度", "standard": "ISO 6892-1:2019"},
        ],
        "accreditation": "cma",
        "turnaround_days": 10,
    }
    body.update(overrides)
    return body


async def test_a_test_request_runs_from_samples_to_an_accepted_report(api, admin_token, db):
    # given a CMA-accredited testing agency, an enterprise, and a stranger
    agency_org = await create_org(api, admin_token, kind="agency")
    ent = await create_org(api, admin_token, kind="enterprise")
    other = await create_org(api, admin_token, kind="enterprise")
    _, lab = await create_user(api, admin_token, org_id=agency_org["id"], role="provider")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    _, stranger = await create_user(api, admin_token, org_id=other["id"], role="enterprise")
    agency = await create_listing(api, lab, "agency", qualifications=["CMA"])
    await publish_listing(api, lab, admin_token, "agency", agency["id"])

    made = await api.json(
        "POST", "/api/v1/test-requests", token=buyer, json=_request_body(agency["id"]), expect=201
    )
    assert made["status"] == "requested"
    rid = made["id"]
    # strangers do not even see it; the requester cannot quote its own request
    await api.call("GET", f"/api/v1/test-requests/{rid}", token=stranger, expect=404)
    quote = {
        "lines": [{"name": "高温反偏试验", "amount_fen": 300_000}, {"name": "拉伸强度", "amount_fen": 45_000}]
    }
    await api.call("POST", f"/api/v1/test-requests/{rid}/quote", token=buyer, json=quote, expect=403)
    await api.call("POST", f"/api/v1/test-requests/{rid}/quote", token=stranger, json=quote, expect=404)

    # a quote with a negative line is refused naming the field, and nothing changes
    bad = {"lines": [{"name": "折扣", "amount_fen": -10_000}]}
    response = await api.call("POST", f"/api/v1/test-requests/{rid}/quote", token=lab, json=bad)
    assert_problem(response, 422, ("body", "lines", 0, "amount_fen"))
    assert await db.fetchval("SELECT status FROM testing_request WHERE id = $1", rid) == "requested"

    quoted = await api.json("POST", f"/api/v1/test-requests/{rid}/quote", token=lab, json=quote)
    assert (quoted["status"], quoted["quote_total_fen"]) == ("quoted", 345_000)
    # the lab cannot accept its own quote
    await api.call("POST", f"/api/v1/test-requests/{rid}/accept", token=lab, expect=403)
    assert (await api.json("POST", f"/api/v1/test-requests/{rid}/accept", token=buyer))[
        "status"
    ] == "accepted"
    # a report before the samples arrived is out of order
    early = await api.call(
        "POST",
        f"/api/v1/test-requests/{rid}/report",
        token=lab,
        files={"file": ("r.pdf", PDF, "application/pdf")},
    )
    assert early.status_code == 409
    await api.call("POST", f"/api/v1/test-requests/{rid}/samples-received", token=buyer, expect=403)
    await api.json("POST", f"/api/v1/test-requests/{rid}/samples-received", token=lab)

    # a report that is not a PDF is refused naming the file
    fake = await api.call(
        "POST",
        f"/api/v1/test-requests/{rid}/report",
        token=lab,
        files={"file": ("r.pdf", b"MZ\x90\x00", "application/pdf")},
    )
    assert_problem(fake, 422, ("file",))
    reported = await api.json(
        "POST",
        f"/api/v1/test-requests/{rid}/report",
        token=lab,
        files={"file": ("r.pdf", PDF, "application/pdf")},
    )
    assert reported["status"] == "reported"
    assert reported["report_sha256"] == hashlib.sha256(PDF).hexdigest()
    # the requester downloads exactly the uploaded bytes; a stranger cannot
    download = await api.call("GET", f"/api/v1/test-requests/{rid}/report", token=buyer, expect=200)
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    await api.call("GET", f"/api/v1/test-requests/{rid}/report", token=stranger, expect=404)

    # the requester queries, the lab uploads again, the requester accepts
    queried = await api.json(
        "POST", f"/api/v1/test-requests/{rid}/query", token=buyer, json={"note": "第2号样品数据缺失"}
    )
    assert (queried["status"], queried["query_note"]) == ("queried", "第2号样品数据缺失")
    second = PDF.replace(b"1.4", b"1.5")
    again = await api.json(
        "POST",
        f"/api/v1/test-requests/{rid}/report",
        token=lab,
        files={"file": ("r2.pdf", second, "application/pdf")},
    )
    assert again["report_sha256"] == hashlib.sha256(second).hexdigest()
    await api.call("POST", f"/api/v1/test-requests/{rid}/accept-result", token=lab, expect=403)
    done = await api.json("POST", f"/api/v1/test-requests/{rid}/accept-result", token=buyer)
    assert done["status"] == "completed"
    assert (
        await api.call("GET", f"/api/v1/test-requests/{rid}/report", token=lab, expect=200)
    ).content == second


async def test_bad_test_requests_are_refused_naming_the_field(api, admin_token, db):
    uni = await create_org(api, admin_token, kind="university")
    ent = await create_org(api, admin_token, kind="enterprise")
    _, owner = await create_user(api, admin_token, org_id=uni["id"], role="provider")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    self_only = await create_listing(api, owner, "instrument", service_modes=["self"])
    await publish_listing(api, owner, admin_token, "instrument", self_only["id"])
    plain_agency = await create_listing(api, owner, "agency", qualifications=[])
    await publish_listing(api, owner, admin_token, "agency", plain_agency["id"])
    unverified = await create_org(api, admin_token, kind="enterprise", verified=False)
    _, newcomer = await create_user(api, admin_token, org_id=unverified["id"], role="enterprise")

    cases = [
        (buyer, _request_body(self_only["id"]), ("body", "listing_id")),  # self-operated only
        (buyer, _request_body(plain_agency["id"]), ("body", "accreditation")),  # no CMA
        (
            buyer,
            _request_body(
                plain_agency["id"], accreditation="none", items=[{"method": "x", "standard": "随便"}]
            ),
            ("body", "items", 0, "standard"),
        ),
        (buyer, _request_body(plain_agency["id"], accreditation="none", samples=[]), ("body", "samples")),
    ]
    for token, body, loc in cases:
        async with nothing_saved(db):
            response = await api.call("POST", "/api/v1/test-requests", token=token, json=body)
        assert_problem(response, 422, loc)
    async with nothing_saved(db):
        refused = await api.call(
            "POST",
            "/api/v1/test-requests",
            token=newcomer,
            json=_request_body(plain_agency["id"], accreditation="none"),
        )
    assert refused.status_code == 403


async def test_a_request_picks_its_items_from_the_labs_catalogue_of_methods(api, admin_token, db):
    # given a CMA-only agency, its member, a buyer and another organisation's member
    agency_org = await create_org(api, admin_token, kind="agency")
    ent = await create_org(api, admin_token, kind="enterprise")
    _, lab = await create_user(api, admin_token, org_id=agency_org["id"], role="provider")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    agency = await create_listing(api, lab, "agency", qualifications=["CMA"])
    await publish_listing(api, lab, admin_token, "agency", agency["id"])
    method = {
        "listing_id": agency["id"],
        "test_item": "金属材料室温拉伸试验",
        "standard": "GB/T 228.1-2021",
        "accreditation": "cma",
        "turnaround_days": 5,
        "price_fen": 30_000,
    }

    # only the lab keeps its catalogue; it cannot claim CNAS it does not hold, nor a free or bad line
    async with nothing_saved(db):
        await api.call("POST", "/api/v1/test-methods", token=buyer, json=method, expect=403)
        for overrides, loc in (
            ({"accreditation": "cnas"}, ("body", "accreditation")),
            ({"price_fen": 0}, ("body", "price_fen")),
            ({"standard": "随便"}, ("body", "standard")),
            ({"turnaround_days": 0}, ("body", "turnaround_days")),
        ):
            bad = await api.call("POST", "/api/v1/test-methods", token=lab, json={**method, **overrides})
            assert_problem(bad, 422, loc)
    tensile = await api.json("POST", "/api/v1/test-methods", token=lab, json=method, expect=201)
    plain = await api.json(
        "POST",
        "/api/v1/test-methods",
        token=lab,
        json={
            **method,
            "test_item": "硬度",
            "standard": "ISO 6508-1:2023",
            "accreditation": "none",
            "turnaround_days": 2,
            "price_fen": 8_000,
        },
        expect=201,
    )
    listed = await api.json("GET", f"/api/v1/test-methods?listing_id={agency['id']}")
    assert [(m["test_item"], m["standard"], m["accreditation"], m["price_fen"]) for m in listed] == [
        ("金属材料室温拉伸试验", "GB/T 228.1-2021", "cma", 30_000),
        ("硬度", "ISO 6508-1:2023", "none", 8_000),
    ]

    base = _request_body(
        agency["id"], items=[{"method_id": tensile["id"]}], accreditation="cma", turnaround_days=7
    )
    # with a catalogue, free-text items, unknown methods, methods lacking the accreditation asked for, and a
    # turnaround shorter than a method's are refused naming the field; nothing is saved
    cases = [
        ({"items": [{"method": "自拟项目"}]}, ("body", "items", 0, "method_id")),
        (
            {"items": [{"method_id": tensile["id"]}, {"method_id": 999_999}]},
            ("body", "items", 1, "method_id"),
        ),
        ({"items": [{"method_id": plain["id"]}]}, ("body", "accreditation")),
        ({"turnaround_days": 3}, ("body", "turnaround_days")),
        ({"items": [{}]}, ("body", "items", 0)),
    ]
    for overrides, loc in cases:
        async with nothing_saved(db):
            assert_problem(
                await api.call("POST", "/api/v1/test-requests", token=buyer, json={**base, **overrides}),
                422,
                loc,
            )

    made = await api.json("POST", "/api/v1/test-requests", token=buyer, json=base, expect=201)
    assert made["items"] == [
        {
            "method_id": tensile["id"],
            "method": "金属材料室温拉伸试验",
            "standard": "GB/T 228.1-2021",
            "accreditation": "cma",
            "turnaround_days": 5,
            "price_fen": 30_000,
            "unit": "sample",
        }
    ]

    # another organisation cannot withdraw the lab's method; the lab can, and requests keep their terms
    await api.call("DELETE", f"/api/v1/test-methods/{tensile['id']}", token=buyer, expect=403)
    await api.call("DELETE", f"/api/v1/test-methods/{tensile['id']}", token=lab, expect=204)
    assert [m["id"] for m in await api.json("GET", f"/api/v1/test-methods?listing_id={agency['id']}")] == [
        plain["id"]
    ]
    withdrawn = await api.call("POST", "/api/v1/test-requests", token=buyer, json=base)
    assert_problem(withdrawn, 422, ("body", "items", 0, "method_id"))
    kept = await api.json("GET", f"/api/v1/test-requests/{made['id']}", token=buyer)
    assert kept["items"][0]["price_fen"] == 30_000


async def test_an_instrument_keeps_its_own_catalogue_of_methods(api, admin_token, db):
    # given a university lab's instrument offering commissioned tests, one offering self-operation only,
    # a testing agency with a catalogue of its own, the lab's member, a buyer and another lab's member
    lab_org = await create_org(api, admin_token, kind="university")
    rival_org = await create_org(api, admin_token, kind="university")
    ent = await create_org(api, admin_token, kind="enterprise")
    _, lab = await create_user(api, admin_token, org_id=lab_org["id"], role="provider")
    _, rival = await create_user(api, admin_token, org_id=rival_org["id"], role="provider")
    _, buyer = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")
    instrument = await create_listing(api, lab, "instrument", service_modes=["commissioned"])
    await publish_listing(api, lab, admin_token, "instrument", instrument["id"])
    self_only = await create_listing(api, lab, "instrument", service_modes=["self"])
    await publish_listing(api, lab, admin_token, "instrument", self_only["id"])
    agency = await create_listing(api, rival, "agency", qualifications=["CMA"])
    await publish_listing(api, rival, admin_token, "agency", agency["id"])
    method = {
        "listing_id": instrument["id"],
        "test_item": "扫描电镜形貌观察",
        "standard": "GB/T 16594-2008",
        "accreditation": "none",
        "turnaround_days": 3,
        "price_fen": 50_000,
    }

    # only the instrument's lab keeps its catalogue, and only for an instrument that tests samples
    async with nothing_saved(db):
        await api.call("POST", "/api/v1/test-methods", token=rival, json=method, expect=403)
        await api.call("POST", "/api/v1/test-methods", token=buyer, json=method, expect=403)
        refused = await api.call(
            "POST", "/api/v1/test-methods", token=lab, json={**method, "listing_id": self_only["id"]}
        )
        assert_problem(refused, 422, ("body", "listing_id"))
    sem = await api.json("POST", "/api/v1/test-methods", token=lab, json=method, expect=201)
    foreign = await api.json(
        "POST",
        "/api/v1/test-methods",
        token=rival,
        json={**method, "listing_id": agency["id"], "test_item": "能谱分析"},
        expect=201,
    )
    # the instrument's catalogue lists its own method only (public)
    listed = await api.json("GET", f"/api/v1/test-methods?listing_id={instrument['id']}")
    assert [(m["id"], m["test_item"], m["price_fen"]) for m in listed] == [
        (sem["id"], "扫描电镜形貌观察", 50_000)
    ]

    # a request to the instrument picks its items from that catalogue: free text or another provider's
    # method is refused naming the item, nothing saved
    base = _request_body(
        instrument["id"], items=[{"method_id": sem["id"]}], accreditation="none", turnaround_days=5
    )
    for items in ([{"method": "自拟项目", "standard": "GB/T 16594-2008"}], [{"method_id": foreign["id"]}]):
        async with nothing_saved(db):
            bad = await api.call("POST", "/api/v1/test-requests", token=buyer, json={**base, "items": items})
            assert_problem(bad, 422, ("body", "items", 0, "method_id"))
    made = await api.json("POST", "/api/v1/test-requests", token=buyer, json=base, expect=201)
    assert made["provider_org_id"] == lab_org["id"]
    assert [(i["method_id"], i["method"], i["standard"], i["price_fen"]) for i in made["items"]] == [
        (sem["id"], "扫描电镜形貌观察", "GB/T 16594-2008", 50_000)
    ]
    # and the lab quotes it as any test request
    await api.json(
        "POST",
        f"/api/v1/test-requests/{made['id']}/quote",
        token=lab,
        json={"lines": [{"name": "扫描电镜形貌观察", "amount_fen": 50_000}]},
    )
    await api.call(
        "POST",
        f"/api/v1/test-requests/{made['id']}/quote",
        token=rival,
        json={"lines": [{"name": "x", "amount_fen": 1}]},
        expect=404,
    )
