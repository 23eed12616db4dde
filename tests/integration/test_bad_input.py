"""Bad input is a 4xx problem+json naming the field, never a 500 and never half-saved (the API's conventions)."""

import asyncio
import copy
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.factories import create_listing, create_org, create_user, listing_body, publish_listing, valid_uscc
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Processes
from tests.integration.invariants import assert_problem, nothing_saved, row_counts, stripe_signature

pytestmark = pytest.mark.integration

DELETE = object()
HUGE = "测" * 100_000


@dataclass
class Env:
    api: Api
    admin: str
    provider: str
    enterprise: str
    uni: dict[str, Any]
    ent: dict[str, Any]
    instrument_id: int
    slots: int = 0

    def next_slot(self, hours: int = 1) -> tuple[str, str]:
        """A fresh one-hour slot, far enough ahead for the instrument's notice rule and apart from the others."""
        self.slots += 1
        base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
        start = base + timedelta(hours=3 * self.slots)
        return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


@pytest.fixture(scope="module")
async def env(stack: Processes) -> AsyncIterator[Env]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=120) as client:
        api = Api(client)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        uni = await create_org(api, admin, kind="university", region="500106")
        ent = await create_org(api, admin, kind="enterprise", region="500107")
        _, provider = await create_user(api, admin, org_id=uni["id"], role="provider")
        _, enterprise = await create_user(api, admin, org_id=ent["id"], role="enterprise")
        instrument = await create_listing(api, provider, "instrument")
        await publish_listing(api, provider, admin, "instrument", instrument["id"])
        await api.wait_indexed(admin)
        yield Env(api, admin, provider, enterprise, uni, ent, instrument["id"])


# --- valid bodies: each negative case below breaks exactly one thing in one of these ---------------------


def _demand_body() -> dict[str, Any]:
    return {
        "title": "寻找车规级碳化硅器件可靠性测试方案",
        "description": "需要高温反偏与功率循环测试",
        "fields": ["ic"],
        "keywords": ["碳化硅"],
        "kind": "testing",
        "budget": {"min_fen": 10_000_000, "max_fen": 50_000_000},
        "deadline": "2027-06-30",
        "region": "500107",
    }


def _contract_body(env: Env) -> dict[str, Any]:
    return {
        "contract_type": "license",
        "title": "导热膜技术许可合同",
        "buyer_org_id": env.ent["id"],
        "seller_org_id": env.uni["id"],
        "field": "materials",
        "total_fen": 80_000_000,
        "tech_fen": 72_000_000,
        "signed_at": "2026-11-20",
        "milestones": [
            {"name": "首付款", "due": "2026-12-01", "amount_fen": 30_000_000},
            {"name": "验收款", "due": "2027-03-01", "amount_fen": 50_000_000},
        ],
    }


def _booking_body(env: Env) -> dict[str, Any]:
    start, end = env.next_slot()
    return {
        "instrument_id": env.instrument_id,
        "start": start,
        "end": end,
        "mode": "commissioned",
        "note": "测试预约",
    }


def _org_body() -> dict[str, Any]:
    return {"name": "重庆测试材料有限公司", "uscc": valid_uscc(), "kind": "enterprise", "region": "500107"}


def _register_body() -> dict[str, Any]:
    return {
        "email": f"reg-{os.urandom(4).hex()}@suite.example.cn",
        "password": "Register-Pass-2026!",
        "name": "注册用户",
        "role": "enterprise",
        "org": _org_body(),
    }


# target -> (method, path, who calls, body builder, a required key, a free-text key)
TARGETS: dict[str, tuple[str, str, str, Any, str, str]] = {
    "achievement": (
        "POST",
        "/api/v1/achievements",
        "provider",
        lambda e: listing_body("achievement"),
        "title",
        "title",
    ),
    "instrument": (
        "POST",
        "/api/v1/instruments",
        "provider",
        lambda e: listing_body("instrument"),
        "name",
        "name",
    ),
    "expert": ("POST", "/api/v1/experts", "provider", lambda e: listing_body("expert"), "name", "name"),
    "agency": ("POST", "/api/v1/agencies", "provider", lambda e: listing_body("agency"), "name", "name"),
    "demand": ("POST", "/api/v1/demands", "enterprise", lambda e: _demand_body(), "title", "title"),
    "contract": ("POST", "/api/v1/contracts", "provider", _contract_body, "total_fen", "title"),
    "booking": ("POST", "/api/v1/bookings", "enterprise", _booking_body, "start", "note"),
    "org": ("POST", "/api/v1/orgs", "admin", lambda e: _org_body(), "uscc", "name"),
    "register": (
        "POST",
        "/api/v1/auth/register",
        "anonymous",
        lambda e: _register_body(),
        "password",
        "name",
    ),
}


@dataclass(frozen=True)
class Bad:
    target: str
    name: str
    loc: tuple[Any, ...]
    changes: dict[str, Any] = field(default_factory=dict)
    whole: str | None = None  # "list" (a JSON array instead of an object) or "not-json"


def _set(body: Any, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        body = body[int(part)] if isinstance(body, list) else body[part]
    if isinstance(body, list):
        body[int(last)] = value
    elif value is DELETE:
        del body[last]
    else:
        body[last] = value


SPECIFIC = [
    # achievements
    Bad("achievement", "patent-check-digit", ("ip", 0), {"ip.0.number": "202110123456.8"}),
    Bad("achievement", "patent-kind-number-mismatch", ("ip", 0), {"ip.0.kind": "utility"}),
    Bad("achievement", "patent-number-missing", ("ip", 0), {"ip.0.number": DELETE}),
    Bad("achievement", "unknown-field-code", ("fields",), {"fields": ["ai", "warp_drive"]}),
    Bad("achievement", "unknown-region", ("region",), {"region": "999999"}),
    Bad("achievement", "trl-inconsistent-with-maturity", ("trl",), {"maturity": "lab", "trl": 9}),
    Bad("achievement", "trl-out-of-range", ("trl",), {"trl": 10}),
    Bad(
        "achievement",
        "price-min-above-max",
        ("price",),
        {"price": {"mode": "range", "min_fen": 2, "max_fen": 1}},
    ),
    Bad(
        "achievement",
        "fixed-price-min-ne-max",
        ("price",),
        {"price": {"mode": "fixed", "min_fen": 1, "max_fen": 2}},
    ),
    Bad("achievement", "negative-money", ("price", "min_fen"), {"price.min_fen": -1}),
    Bad("achievement", "float-fen", ("price", "min_fen"), {"price.min_fen": 50_000_000.5}),
    Bad("achievement", "integral-float-fen", ("price", "max_fen"), {"price.max_fen": 120_000_000.0}),
    Bad("achievement", "string-for-int", ("trl",), {"trl": "6"}),
    Bad("achievement", "string-for-fen", ("price", "min_fen"), {"price.min_fen": "50000000"}),
    Bad("achievement", "unknown-transfer-mode", ("transfer_modes", 0), {"transfer_modes": ["steal"]}),
    Bad("achievement", "unknown-maturity", ("maturity",), {"maturity": "mature"}),
    # instruments
    Bad("instrument", "unknown-category", ("category",), {"category": "9901"}),
    Bad("instrument", "malformed-category", ("category",), {"category": "01A"}),
    Bad("instrument", "unknown-region", ("region",), {"region": "123456"}),
    Bad("instrument", "negative-fee", ("fees", 0, "price_fen"), {"fees.0.price_fen": -100}),
    Bad("instrument", "float-value", ("original_value_fen",), {"original_value_fen": 350_000_000.5}),
    Bad("instrument", "string-for-int", ("booking", "max_hours"), {"booking.max_hours": "8"}),
    Bad("instrument", "unknown-fee-unit", ("fees", 0, "unit"), {"fees.0.unit": "minute"}),
    Bad("instrument", "no-service-mode", ("service_modes",), {"service_modes": []}),
    Bad("instrument", "unknown-field-code", ("fields",), {"fields": ["materials", "alchemy"]}),
    # experts
    Bad("expert", "negative-rate", ("rate_fen_per_hour",), {"rate_fen_per_hour": -1}),
    Bad("expert", "float-rate", ("rate_fen_per_hour",), {"rate_fen_per_hour": 100_000.0}),
    Bad("expert", "string-for-bool", ("consent", "publish"), {"consent.publish": "yes"}),
    Bad("expert", "bad-contact-email", ("contact", "email"), {"contact.email": "not-an-email"}),
    Bad("expert", "unknown-service", ("services", 0), {"services": ["fortune_telling"]}),
    Bad("expert", "unknown-region", ("region",), {"region": "000000"}),
    # agencies
    Bad("agency", "fixed-price-min-ne-max", ("offerings", 0, "price"), {"offerings.0.price.max_fen": 90_000}),
    Bad(
        "agency",
        "price-min-above-max",
        ("offerings", 0, "price"),
        {"offerings.0.price": {"mode": "range", "min_fen": 9, "max_fen": 1}},
    ),
    Bad(
        "agency",
        "string-for-fen",
        ("offerings", 0, "price", "min_fen"),
        {"offerings.0.price.min_fen": "80000"},
    ),
    Bad("agency", "unknown-agency-type", ("agency_types", 0), {"agency_types": ["magic"]}),
    Bad("agency", "unknown-field-code", ("fields",), {"fields": ["astrology"]}),
    # demands
    Bad("demand", "budget-min-above-max", ("budget",), {"budget": {"min_fen": 5, "max_fen": 1}}),
    Bad("demand", "negative-budget", ("budget", "min_fen"), {"budget.min_fen": -5}),
    Bad("demand", "float-budget", ("budget", "max_fen"), {"budget.max_fen": 50_000_000.0}),
    Bad("demand", "string-budget", ("budget", "min_fen"), {"budget.min_fen": "100"}),
    Bad("demand", "unknown-field-code", ("fields",), {"fields": ["ic", "xx"]}),
    Bad("demand", "unknown-region", ("region",), {"region": "990000"}),
    Bad("demand", "unknown-kind", ("kind",), {"kind": "wish"}),
    Bad("demand", "bad-deadline", ("deadline",), {"deadline": "tomorrow"}),
    # contracts
    Bad("contract", "milestones-sum-ne-total", ("milestones",), {"milestones.1.amount_fen": 40_000_000}),
    Bad("contract", "tech-above-total", ("tech_fen",), {"tech_fen": 90_000_000}),
    Bad("contract", "negative-total", ("total_fen",), {"total_fen": -80_000_000}),
    Bad("contract", "float-total", ("total_fen",), {"total_fen": 80_000_000.0}),
    Bad("contract", "string-total", ("total_fen",), {"total_fen": "80000000"}),
    Bad("contract", "zero-milestone", ("milestones", 0, "amount_fen"), {"milestones.0.amount_fen": 0}),
    Bad("contract", "no-milestones", ("milestones",), {"milestones": []}),
    Bad("contract", "unknown-field-code", ("field",), {"field": "alchemy"}),
    Bad("contract", "unknown-contract-type", ("contract_type",), {"contract_type": "gift"}),
    Bad("contract", "string-for-org-id", ("buyer_org_id",), {"buyer_org_id": "1"}),
    # bookings
    Bad("booking", "end-before-start", ("end",), {"end": "2026-01-01T00:00:00+08:00"}),
    Bad("booking", "naive-start", ("start",), {"start": "2030-01-01T09:00:00"}),
    Bad("booking", "unknown-mode", ("mode",), {"mode": "remote"}),
    Bad("booking", "string-instrument-id", ("instrument_id",), {"instrument_id": "1"}),
    Bad("booking", "float-samples", ("samples",), {"samples": 2.5}),
    # organisations
    Bad("org", "uscc-check-digit", ("uscc",), {"uscc": "91440300708461136X"}),
    Bad("org", "uscc-length", ("uscc",), {"uscc": "9144030070846113"}),
    Bad("org", "uscc-forbidden-letter", ("uscc",), {"uscc": "91440300708461136I"}),
    Bad("org", "unknown-region", ("region",), {"region": "999999"}),
    Bad("org", "unknown-kind", ("kind",), {"kind": "club"}),
    # registration
    Bad("register", "uscc-check-digit", ("org", "uscc"), {"org.uscc": "91440300708461136X"}),
    Bad("register", "unknown-region", ("org", "region"), {"org.region": "999999"}),
    Bad("register", "bad-email", ("email",), {"email": "nobody"}),
    Bad("register", "short-password", ("password",), {"password": "short"}),
    Bad("register", "unknown-role", ("role",), {"role": "king"}),
    Bad("register", "org-and-invite", ("org",), {"invite": "whatever"}),
    Bad("register", "neither-org-nor-invite", ("org",), {"org": DELETE}),
]

GENERIC = [
    case
    for target, (_, _, _, _, required, text) in TARGETS.items()
    for case in (
        Bad(target, "extra-unknown-field", ("colour",), {"colour": "red"}),
        Bad(target, "missing-required-field", (required,), {required: DELETE}),
        Bad(target, "huge-string", (text,), {text: HUGE}),
        Bad(target, "list-instead-of-object", ("body",), whole="list"),
        Bad(target, "not-json", ("body",), whole="not-json"),
    )
]


def _token(env: Env, who: str) -> str | None:
    return {"provider": env.provider, "enterprise": env.enterprise, "admin": env.admin, "anonymous": None}[
        who
    ]


@pytest.mark.parametrize("target", list(TARGETS))
async def test_valid_body_is_accepted(env, target):
    # given the valid body every negative case starts from
    method, path, who, build, _, _ = TARGETS[target]

    # when it is sent unchanged
    response = await env.api.call(method, path, token=_token(env, who), json=build(env))

    # then it is created (so each refusal below is caused by the one thing the case breaks)
    assert response.status_code == 201, response.text[:500]


@pytest.mark.parametrize("case", SPECIFIC + GENERIC, ids=lambda c: f"{c.target}-{c.name}")
async def test_bad_input_is_refused_and_nothing_is_saved(env, db, case):
    # given a valid body with one thing broken
    method, path, who, build, _, _ = TARGETS[case.target]
    body = copy.deepcopy(build(env))
    for dotted, value in case.changes.items():
        _set(body, dotted, value)
    request: dict[str, Any] = {"json": body}
    if case.whole == "list":
        request = {"json": [body]}
    elif case.whole == "not-json":
        request = {"content": json.dumps(body)[:-7].encode(), "headers": {"Content-Type": "application/json"}}

    # when it is sent
    async with nothing_saved(db):
        response = await env.api.call(method, path, token=_token(env, who), **request)

    # then a 422 problem names the field
    assert_problem(response, 422, case.loc)


async def test_patch_with_bad_input_leaves_the_listing_unchanged(env, db):
    # given a draft achievement
    made = await create_listing(env.api, env.provider, "achievement")
    before = await db.fetchrow("SELECT l::text AS row FROM catalog_listing l WHERE id = $1", made["id"])

    # when patches break one field each
    for patch, loc in (
        ({"trl": "6"}, ("trl",)),
        ({"maturity": "industrial", "trl": 2}, ("trl",)),
        ({"price": {"mode": "fixed", "min_fen": 1, "max_fen": 3}}, ("price",)),
        ({"region": "999999"}, ("region",)),
        ({"colour": "red"}, ("colour",)),
    ):
        async with nothing_saved(db):
            response = await env.api.call(
                "PATCH", f"/api/v1/achievements/{made['id']}", token=env.provider, json=patch
            )
        assert_problem(response, 422, loc)

    # then the row is byte for byte what it was
    after = await db.fetchrow("SELECT l::text AS row FROM catalog_listing l WHERE id = $1", made["id"])
    assert after == before


# --- bookings: the database refuses overlaps, even under a race ----------------------------------------


async def test_overlapping_booking_is_refused_with_409(env, db):
    # given a booking from 10:00 to 12:00
    start, _ = env.next_slot()
    begin = datetime.fromisoformat(start)
    first = {"instrument_id": env.instrument_id, "mode": "commissioned"}
    await env.api.json(
        "POST",
        "/api/v1/bookings",
        token=env.enterprise,
        expect=201,
        json={**first, "start": begin.isoformat(), "end": (begin + timedelta(hours=2)).isoformat()},
    )

    # when another booking overlaps it by one hour, or exactly covers it
    for offset, hours in ((1, 2), (0, 2), (-1, 2)):
        async with nothing_saved(db):
            response = await env.api.call(
                "POST",
                "/api/v1/bookings",
                token=env.provider,
                json={
                    **first,
                    "start": (begin + timedelta(hours=offset)).isoformat(),
                    "end": (begin + timedelta(hours=offset + hours)).isoformat(),
                },
            )
        # then it is refused as a conflict
        body = assert_problem(response, 409)
        assert body["code"] == "slot_taken"

    # and a booking that starts exactly when the first ends is fine (half-open ranges)
    await env.api.json(
        "POST",
        "/api/v1/bookings",
        token=env.provider,
        expect=201,
        json={
            **first,
            "start": (begin + timedelta(hours=2)).isoformat(),
            "end": (begin + timedelta(hours=3)).isoformat(),
        },
    )


@pytest.mark.parametrize("round_no", range(5))
async def test_concurrent_overlapping_bookings_exactly_one_wins(env, db, round_no):
    # given one free slot and two clients that want overlapping parts of it
    start, _ = env.next_slot()
    begin = datetime.fromisoformat(start)
    bodies = [
        {
            "instrument_id": env.instrument_id,
            "mode": "commissioned",
            "start": (begin + timedelta(minutes=30 * i)).isoformat(),
            "end": (begin + timedelta(minutes=30 * i + 90)).isoformat(),
        }
        for i in range(2)
    ]
    before = await row_counts(db)

    # when both are sent at the same moment
    responses = await asyncio.gather(
        env.api.call("POST", "/api/v1/bookings", token=env.enterprise, json=bodies[0]),
        env.api.call("POST", "/api/v1/bookings", token=env.provider, json=bodies[1]),
    )

    # then the exclusion constraint lets exactly one through
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text[:300] for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert assert_problem(loser, 409)["code"] == "slot_taken"
    assert (await row_counts(db))["deals_booking"] == before["deals_booking"] + 1
    live = await db.fetchval(
        "SELECT count(*) FROM deals_booking WHERE instrument_id = $1 AND status IN ('pending', 'approved') "
        "AND tstzrange(starts_at, ends_at, '[)') && tstzrange($2::timestamptz, $3::timestamptz, '[)')",
        env.instrument_id,
        begin,
        begin + timedelta(hours=2),
    )
    assert live == 1


async def test_twelve_simultaneous_requests_for_one_slot_give_one_booking_and_eleven_409s(env, db):
    # given one free slot, and twelve overlapping requests for it sent at once (exclusion checks that wait for
    # each other deadlock in PostgreSQL: the loser of a deadlock must still hear 409, never 500)
    start, _ = env.next_slot()
    begin = datetime.fromisoformat(start)
    bodies = [
        {
            "instrument_id": env.instrument_id,
            "mode": "commissioned",
            "start": (begin + timedelta(minutes=5 * i)).isoformat(),
            "end": (begin + timedelta(minutes=5 * i + 90)).isoformat(),
        }
        for i in range(12)
    ]
    before = await row_counts(db)

    responses = await asyncio.gather(
        *(
            env.api.call(
                "POST", "/api/v1/bookings", token=env.enterprise if i % 2 else env.provider, json=body
            )
            for i, body in enumerate(bodies)
        )
    )

    # then exactly one is booked and every other request is told the slot is taken
    assert sorted(r.status_code for r in responses) == [201] + [409] * 11, [r.text[:200] for r in responses]
    assert {assert_problem(r, 409)["code"] for r in responses if r.status_code == 409} == {"slot_taken"}
    assert (await row_counts(db))["deals_booking"] == before["deals_booking"] + 1


# --- search parameters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "loc"),
    [
        ("/api/v1/search", {"size": 101}, ("query", "size")),
        ("/api/v1/search", {"size": 0}, ("query", "size")),
        ("/api/v1/search", {"size": "ten"}, ("query", "size")),
        ("/api/v1/search", {"page": 0}, ("query", "page")),
        ("/api/v1/search", {"page": 501, "size": 20}, ("query", "page")),
        ("/api/v1/search", {"page": 10**9}, ("query", "page")),
        ("/api/v1/search", {"sort": "cheapest"}, ("query", "sort")),
        ("/api/v1/search", {"type": "achievement,robot"}, ("query", "type")),
        ("/api/v1/search", {"maturity": "ripe"}, ("query", "maturity")),
        ("/api/v1/search", {"region": "5001"}, ("query", "region")),
        ("/api/v1/search", {"min_price_fen": -1}, ("query", "min_price_fen")),
        ("/api/v1/search", {"min_price_fen": 9, "max_price_fen": 1}, ("query", "min_price_fen")),
        ("/api/v1/search", {"q": "材" * 201}, ("query", "q")),
        ("/api/v1/search", {"search_after": "not json"}, ("query", "search_after")),
        ("/api/v1/search", {"search_after": '{"a": 1}'}, ("query", "search_after")),
        ("/api/v1/search/suggest", {"q": "材" * 51}, ("query", "q")),
        ("/api/v1/search/suggest", {"q": "材", "size": 21}, ("query", "size")),
    ],
    ids=lambda v: json.dumps(v, ensure_ascii=False)[:40] if isinstance(v, dict) else str(v),
)
async def test_bad_search_parameters_are_refused(env, path, params, loc):
    # when a search is asked with one bad parameter
    response = await env.api.call("GET", path, params=params)

    # then a 422 problem names the parameter
    assert_problem(response, 422, loc)


# --- the Stripe webhook -----------------------------------------------------------------------------------


def _event(event_id: str, event_type: str, intent_id: str, payment_id: int) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "data": {
                "object": {
                    "id": intent_id,
                    "object": "payment_intent",
                    "amount": 30_000_000,
                    "currency": "cny",
                    "metadata": {"payment_id": str(payment_id)},
                }
            },
        }
    ).encode()


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=1,v1=deadbeef",
        "garbage",
        "wrong-secret",
        "stale",
        "other-body",
    ],
)
async def test_webhook_with_bad_signature_is_refused_and_not_stored(env, db, signature):
    # given an event signed wrongly (or not at all)
    event_id = f"evt_bad_{os.urandom(6).hex()}"
    raw = _event(event_id, "payment_intent.succeeded", "pi_nothing", 1)
    headers = {"Content-Type": "application/json"}
    if signature == "wrong-secret":
        headers["Stripe-Signature"] = stripe_signature(raw, "whsec_not_ours")
    elif signature == "stale":
        headers["Stripe-Signature"] = stripe_signature(
            raw, timestamp=int(datetime.now(UTC).timestamp()) - 3600
        )
    elif signature == "other-body":
        headers["Stripe-Signature"] = stripe_signature(raw + b" ")
    elif signature is not None:
        headers["Stripe-Signature"] = signature

    # when it is delivered
    async with nothing_saved(db):
        response = await env.api.call("POST", "/api/v1/payments/stripe/webhook", content=raw, headers=headers)

    # then it is refused and no event row exists
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)
    assert await db.fetchval("SELECT count(*) FROM deals_stripe_event WHERE id = $1", event_id) == 0


async def test_duplicate_webhook_event_is_applied_once(env, db):
    # given a milestone payment started by the buyer
    contract = await env.api.json(
        "POST", "/api/v1/contracts", token=env.provider, expect=201, json=_contract_body(env)
    )
    milestone = contract["milestones"][0]
    payment = await env.api.json(
        "POST",
        f"/api/v1/contracts/{contract['id']}/milestones/{milestone['id']}/pay",
        token=env.enterprise,
        json={"methods": ["card"]},
    )
    event_id = f"evt_dup_{payment['payment_id']}"
    raw = _event(event_id, "payment_intent.succeeded", payment["provider_ref"], payment["payment_id"])

    # when Stripe delivers the same event three times, the last one re-typed as a failure
    outcomes = []
    for body in (raw, raw, _event(event_id, "payment_intent.payment_failed", payment["provider_ref"], 0)):
        hook = await env.api.json(
            "POST",
            "/api/v1/payments/stripe/webhook",
            content=body,
            headers={"Stripe-Signature": stripe_signature(body), "Content-Type": "application/json"},
        )
        outcomes.append(hook["duplicate"])

    # then it was applied exactly once
    assert outcomes == [False, True, True]
    assert await db.fetchval("SELECT count(*) FROM deals_stripe_event WHERE id = $1", event_id) == 1
    ledger = await db.fetch(
        "SELECT amount_fen FROM deals_ledger_entry WHERE payment_id = $1", payment["payment_id"]
    )
    assert sorted(r["amount_fen"] for r in ledger) == [-29_700_000, -300_000, 30_000_000]
    status = await db.fetchval("SELECT status FROM deals_payment WHERE id = $1", payment["payment_id"])
    assert status == "succeeded"
    paid = await env.api.json("GET", f"/api/v1/contracts/{contract['id']}", token=env.enterprise)
    assert [m["status"] for m in paid["milestones"]] == ["paid", "unpaid"]
