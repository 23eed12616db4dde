"""Contracts bound to reality: parties from the match, one live contract per match, earned broker attribution,
registration data a registry would accept."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.core.clock import CHINA_TZ
from tests.factories import (
    contract_body,
    create_contract,
    create_listing,
    create_org,
    create_user,
    publish_listing,
    register_contract,
    unique,
)
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Processes, _run_cli
from tests.integration.invariants import assert_problem, nothing_saved

pytestmark = pytest.mark.integration


@dataclass
class Market:
    api: Api
    admin: str
    uni: dict[str, Any]
    ent: dict[str, Any]
    outsider_org: dict[str, Any]
    provider: str
    enterprise: str
    enterprise_id: int
    outsider: str
    broker_id: int
    broker: str
    idle_broker_id: int
    idle_broker: str
    listing_id: int

    async def match(
        self, *, status: str = "negotiating", by: str | None = None, broker_id: int | None = None
    ) -> int:
        """A fresh published demand of the enterprise matched to the university's achievement."""
        demand = await self.api.json(
            "POST",
            "/api/v1/demands",
            token=self.enterprise,
            expect=201,
            json={
                "title": unique("求购钙钛矿电池封装技术"),
                "fields": ["materials"],
                "kind": "tech_problem",
                "keywords": ["钙钛矿"],
            },
        )
        await self.api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=self.enterprise)
        await self.api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=self.admin)
        # Publishing assigns some broker; a test that cares names the one in charge.
        await self.api.json(
            "POST",
            f"/api/v1/demands/{demand['id']}/broker",
            token=self.admin,
            json={"broker_id": broker_id or self.broker_id},
        )
        found = await self.api.json("GET", f"/api/v1/demands/{demand['id']}/matches", token=self.enterprise)
        match_id = next(m["match_id"] for m in found["items"] if m["id"] == self.listing_id)
        if status != "suggested":
            await self.api.json(
                "POST",
                f"/api/v1/matches/{match_id}/status",
                token=by or self.admin,
                json={"status": status, **({"reason": "price"} if status in ("lost", "dismissed") else {})},
            )
        return int(match_id)

    def body(self, match_id: int | None = None, **overrides: Any) -> dict[str, Any]:
        body = contract_body(buyer_org_id=self.ent["id"], seller_org_id=self.uni["id"], **overrides)
        if match_id is not None:
            body["match_id"] = match_id
            body.pop("buyer_org_id")
            body.pop("seller_org_id")
        return body


@pytest.fixture(scope="module")
async def market(stack: Processes) -> AsyncIterator[Market]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=120) as client:
        api = Api(client)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        uni = await create_org(api, admin, verified=True, kind="university", region="500106")
        ent = await create_org(api, admin, verified=True, kind="enterprise", region="500107")
        outsider_org = await create_org(api, admin, verified=True, kind="enterprise", region="510100")
        agency = await create_org(api, admin, verified=True, kind="agency", region="500107")
        _, provider = await create_user(api, admin, org_id=uni["id"], role="provider")
        enterprise_id, enterprise = await create_user(api, admin, org_id=ent["id"], role="enterprise")
        _, outsider = await create_user(api, admin, org_id=outsider_org["id"], role="enterprise")
        broker_id, broker = await create_user(api, admin, org_id=agency["id"], role="broker")
        idle_broker_id, idle_broker = await create_user(api, admin, org_id=agency["id"], role="broker")
        made = await create_listing(
            api,
            provider,
            "achievement",
            title=unique("钙钛矿太阳能电池封装技术"),
            fields=["materials"],
            keywords=["钙钛矿"],
        )
        await publish_listing(api, provider, admin, "achievement", made["id"])
        await api.wait_indexed(admin)
        yield Market(
            api,
            admin,
            uni,
            ent,
            outsider_org,
            provider,
            enterprise,
            enterprise_id,
            outsider,
            broker_id,
            broker,
            idle_broker_id,
            idle_broker,
            made["id"],
        )


async def test_fifty_concurrent_contracts_for_one_match_make_exactly_one(market, db):
    # given a match under negotiation
    match_id = await market.match()

    # when fifty requests record a contract for it at once
    responses = await asyncio.gather(
        *(
            market.api.call("POST", "/api/v1/contracts", token=market.provider, json=market.body(match_id))
            for _ in range(50)
        )
    )

    # then exactly one is created and every other is a 409, never a 500
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 49
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"match_has_contract"}
    assert await db.fetchval("SELECT count(*) FROM deals_contract WHERE match_id = $1", match_id) == 1


async def test_a_contract_takes_its_parties_from_the_match(market):
    match_id = await market.match(status="won")
    made = await market.api.json(
        "POST", "/api/v1/contracts", token=market.enterprise, json=market.body(match_id), expect=201
    )
    assert (made["buyer_org_id"], made["seller_org_id"]) == (market.ent["id"], market.uni["id"])
    assert made["buyer_confirmed_at"] is not None
    assert made["seller_confirmed_at"] is None


@pytest.mark.parametrize("status", ["suggested", "shortlisted", "contacted", "lost"])
async def test_a_match_not_in_negotiation_cannot_become_a_contract(market, db, status):
    match_id = await market.match(status=status)
    async with nothing_saved(db):
        response = await market.api.call(
            "POST", "/api/v1/contracts", token=market.provider, json=market.body(match_id)
        )
    assert assert_problem(response, 409)["code"] == "match_not_in_negotiation"


async def test_forged_parties_on_a_match_are_refused(market, db):
    match_id = await market.match()
    forged = market.body(match_id) | {
        "buyer_org_id": market.outsider_org["id"],
        "seller_org_id": market.uni["id"],
    }
    swapped = market.body(match_id) | {"buyer_org_id": market.uni["id"], "seller_org_id": market.ent["id"]}
    for body in (forged, swapped):
        async with nothing_saved(db):
            response = await market.api.call("POST", "/api/v1/contracts", token=market.provider, json=body)
        assert assert_problem(response, 409)["code"] == "parties_not_from_match"


async def test_an_outsider_cannot_record_a_contract_on_someone_elses_match(market, db):
    match_id = await market.match()
    for token in (market.outsider, market.idle_broker):
        async with nothing_saved(db):
            response = await market.api.call(
                "POST", "/api/v1/contracts", token=token, json=market.body(match_id)
            )
        assert assert_problem(response, 403)["code"] == "not_a_party"


async def test_a_direct_contract_between_other_organisations_is_refused(market, db):
    body = contract_body(
        buyer_org_id=market.ent["id"],
        seller_org_id=market.uni["id"],
        total_fen=10**15,
        tech_fen=10**15,
        milestones=[{"name": "全款", "amount_fen": 10**15}],
    )
    for token in (market.outsider, market.broker):
        async with nothing_saved(db):
            response = await market.api.call("POST", "/api/v1/contracts", token=token, json=body)
        assert assert_problem(response, 403)["code"] == "not_a_party"


async def test_broker_id_must_be_an_approved_broker_who_worked_the_match(market, db):
    # given a match the broker moved to negotiating
    match_id = await market.match(status="contacted", broker_id=market.broker_id)
    await market.api.json(
        "POST", f"/api/v1/matches/{match_id}/status", token=market.broker, json={"status": "negotiating"}
    )

    # when the buyer names itself, an unknown user or a broker who never touched the match
    for broker_id, code in (
        (market.enterprise_id, "broker_not_approved"),
        (999_999, "broker_not_approved"),
        (market.idle_broker_id, "broker_did_not_work_match"),
    ):
        async with nothing_saved(db):
            response = await market.api.call(
                "POST",
                "/api/v1/contracts",
                token=market.enterprise,
                json=market.body(match_id, broker_id=broker_id),
            )
        assert assert_problem(response, 403)["code"] == code

    # when the commission would leave the seller less than nothing after the 1% platform fee (80万元 total)
    async with nothing_saved(db):
        greedy = await market.api.call(
            "POST",
            "/api/v1/contracts",
            token=market.enterprise,
            json=market.body(
                match_id, broker_id=market.broker_id, broker_commission_fen=80_000_000 - 800_000 + 1
            ),
        )
    assert_problem(greedy, 422, ("body", "broker_commission_fen"))

    # then the broker who worked it is accepted, and sees the contract; the idle broker does not
    made = await market.api.json(
        "POST",
        "/api/v1/contracts",
        token=market.enterprise,
        expect=201,
        json=market.body(match_id, broker_id=market.broker_id, broker_commission_fen=800_000),
    )
    assert (made["broker_id"], made["broker_commission_fen"]) == (market.broker_id, 800_000)
    await market.api.json("GET", f"/api/v1/contracts/{made['id']}", token=market.broker)
    hidden = await market.api.call("GET", f"/api/v1/contracts/{made['id']}", token=market.idle_broker)
    assert_problem(hidden, 404)
    hidden = await market.api.call("GET", f"/api/v1/contracts/{made['id']}", token=market.outsider)
    assert_problem(hidden, 404)


async def test_registration_needs_both_parties_to_confirm(market, db):
    made = await create_contract(
        market.api, market.provider, buyer_org_id=market.ent["id"], seller_org_id=market.uni["id"]
    )
    async with nothing_saved(db):
        early = await market.api.call(
            "POST", f"/api/v1/contracts/{made['id']}/registration", token=market.provider
        )
    assert assert_problem(early, 409)["code"] == "contract_not_confirmed"
    await market.api.json("POST", f"/api/v1/contracts/{made['id']}/confirm", token=market.enterprise)
    submitted = await market.api.json(
        "POST", f"/api/v1/contracts/{made['id']}/registration", token=market.provider
    )
    assert submitted["status"] == "registration_pending"


async def test_contracts_of_unverified_organisations_are_not_registrable(market, db):
    # given two organisations nobody verified, with members, and a contract both confirmed
    seller = await create_org(market.api, market.admin, verified=False, kind="university")
    buyer = await create_org(market.api, market.admin, verified=False, kind="enterprise")
    _, seller_token = await create_user(market.api, market.admin, org_id=seller["id"], role="provider")
    _, buyer_token = await create_user(market.api, market.admin, org_id=buyer["id"], role="enterprise")
    made = await create_contract(
        market.api, seller_token, buyer_org_id=buyer["id"], seller_org_id=seller["id"]
    )
    await market.api.json("POST", f"/api/v1/contracts/{made['id']}/confirm", token=buyer_token)

    # when the seller submits it, then it is refused until an admin verifies both
    response = await market.api.call(
        "POST", f"/api/v1/contracts/{made['id']}/registration", token=seller_token
    )
    assert assert_problem(response, 409)["code"] == "organisation_not_verified"
    for org in (seller, buyer):
        await market.api.json("POST", f"/api/v1/orgs/{org['id']}/verify", token=market.admin)
    await market.api.json("POST", f"/api/v1/contracts/{made['id']}/registration", token=seller_token)


async def test_tech_amount_is_total_minus_non_technical_items_and_both_figures_are_returned(market):
    made = await create_contract(
        market.api,
        market.provider,
        buyer_org_id=market.ent["id"],
        seller_org_id=market.uni["id"],
        tech_fen=None,
        non_technical_items=[
            {"name": "封装设备一套", "amount_fen": 6_000_000},
            {"name": "原材料", "amount_fen": 2_000_000},
        ],
    )
    assert made["tech_fen"] == 80_000_000 - 8_000_000
    assert [i["amount_fen"] for i in made["non_technical_items"]] == [6_000_000, 2_000_000]
    registered = await register_contract(
        market.api,
        market.provider,
        market.admin,
        made["id"],
        buyer=market.enterprise,
        certified_tech_fen=70_000_000,
    )
    assert (registered["tech_fen"], registered["certified_tech_fen"], registered["counted_tech_fen"]) == (
        72_000_000,
        70_000_000,
        70_000_000,
    )
    assert registered["tech_cny_fen"] == 70_000_000


async def test_a_declared_tech_amount_without_items_keeps_the_difference_visible(market):
    made = await create_contract(
        market.api, market.provider, buyer_org_id=market.ent["id"], seller_org_id=market.uni["id"]
    )
    assert made["tech_fen"] == 72_000_000
    assert [(i["name"], i["amount_fen"]) for i in made["non_technical_items"]] == [
        ("非技术性费用（未分项）", 8_000_000)
    ]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        (
            {"tech_fen": 75_000_000, "non_technical_items": [{"name": "设备", "amount_fen": 8_000_000}]},
            "non_technical_items",
        ),
        ({"signed_at": (datetime.now(UTC) + timedelta(days=2)).date().isoformat()}, "signed_at"),
        ({"signed_at": "2030-01-01"}, "signed_at"),
        ({"signed_at": "0001-01-01"}, "signed_at"),
        ({"signed_at": "1998-12-31"}, "signed_at"),
        ({"currency": "xyz"}, "currency"),
        ({"currency": "rmb"}, "currency"),
        ({"contract_type": "license", "subtype": "patent_exclusive", "signed_at": "2026-02-28"}, "subtype"),
        ({"contract_type": "license", "subtype": "patent_license", "signed_at": "2026-03-01"}, "subtype"),
        ({"contract_type": "transfer", "subtype": "patent_exclusive"}, "subtype"),
    ],
)
async def test_registration_data_a_registry_would_refuse_is_a_422(market, db, changes, loc):
    body = market.body() | changes
    async with nothing_saved(db):
        response = await market.api.call("POST", "/api/v1/contracts", token=market.provider, json=body)
    assert_problem(response, 422, ("body", loc))


@pytest.mark.parametrize(
    ("signed_at", "subtype", "registered_type", "rule_set"),
    [
        ("2026-02-28", "patent_license", "transfer", "2000"),
        ("2026-03-01", "patent_exclusive", "license", "2026"),
        ("2026-03-01", "patent_sole", "license", "2026"),
        ("2026-03-01", "patent_ordinary", "license", "2026"),
    ],
)
async def test_the_rule_set_of_the_signing_date_decides_what_a_licence_counts_as(
    market, signed_at, subtype, registered_type, rule_set
):
    made = await create_contract(
        market.api,
        market.provider,
        buyer_org_id=market.ent["id"],
        seller_org_id=market.uni["id"],
        contract_type="license",
        subtype=subtype,
        signed_at=signed_at,
    )
    assert (made["subtype"], made["registered_type"], made["rule_set"]) == (
        subtype,
        registered_type,
        rule_set,
    )


async def test_a_foreign_currency_contract_counts_in_cny_at_the_rate_recorded_at_registration(market, db):
    # given a USD contract of 10,000.00 dollars (minor units: cents)
    made = await create_contract(
        market.api,
        market.provider,
        buyer_org_id=market.ent["id"],
        seller_org_id=market.uni["id"],
        currency="USD",
        total_fen=1_000_000,
        tech_fen=None,
        non_technical_items=[{"name": "样机", "amount_fen": 100_000}],
        milestones=[{"name": "全款", "amount_fen": 1_000_000}],
    )
    assert made["currency"] == "usd"
    await market.api.json("POST", f"/api/v1/contracts/{made['id']}/confirm", token=market.enterprise)
    await market.api.json("POST", f"/api/v1/contracts/{made['id']}/registration", token=market.provider)

    # when it is approved without a rate, then it is refused
    approve = f"/api/v1/contracts/{made['id']}/registration/approve"
    async with nothing_saved(db):
        missing = await market.api.call(
            "POST", approve, token=market.admin, json={"registration_no": "20265001079901"}
        )
    assert_problem(missing, 422, ("body", "exchange_rate"))

    # when approved with a rate of the future, or one long out of date, then it is refused too
    today = datetime.now(CHINA_TZ).date()
    rate = {"rate": "7.1234500000", "date": today.isoformat(), "source": "中国外汇交易中心 人民币汇率中间价"}
    for stale in (today + timedelta(days=1), today - timedelta(days=16), date(2001, 1, 1)):
        async with nothing_saved(db):
            wrong = await market.api.call(
                "POST",
                approve,
                token=market.admin,
                json={
                    "registration_no": "20265001079901",
                    "exchange_rate": {**rate, "date": stale.isoformat()},
                },
            )
        assert_problem(wrong, 422, ("body", "exchange_rate", "date"))

    # when approved with the day's rate, then it counts 71,234.50 元 (and 64,111.05 元 technical)
    registered = await market.api.json(
        "POST", approve, token=market.admin, json={"registration_no": "20265001079901", "exchange_rate": rate}
    )
    assert (registered["total_cny_fen"], registered["tech_cny_fen"]) == (7_123_450, 6_411_105)
    assert registered["exchange_rate"] == {**rate, "rate": "7.1234500000"}


async def test_a_terminated_contract_leaves_the_indicator(market, db):
    # given a registered contract, dated into a year no other test uses
    made = await create_contract(
        market.api, market.provider, buyer_org_id=market.ent["id"], seller_org_id=market.uni["id"]
    )
    await register_contract(market.api, market.provider, market.admin, made["id"], buyer=market.enterprise)
    await market.api.wait_indexed(market.admin)
    await db.execute(
        "UPDATE deals_contract SET registered_at = '2018-06-01T12:00:00+08:00' WHERE id = $1", made["id"]
    )
    _run_cli("indicators", "rebuild")  # the date was changed behind the application's back
    window = {"from": "2018-01-01", "to": "2018-12-31", "group_by": "contract_type"}
    before = await market.api.json("GET", "/api/v1/indicators/tech-contract-turnover", params=window)
    assert (before["count"], before["total_fen"]) == (1, 80_000_000)

    # when an admin records the registry's cancellation
    ended = await market.api.json(
        "POST",
        f"/api/v1/contracts/{made['id']}/terminate",
        token=market.admin,
        json={"reason": "双方协议解除"},
    )

    # then, once the worker has applied the change, it no longer counts
    assert ended["status"] == "terminated"
    await market.api.wait_indexed(market.admin)
    after = await market.api.json("GET", "/api/v1/indicators/tech-contract-turnover", params=window)
    assert (after["count"], after["total_fen"], after["series"]) == (0, 0, [])
