"""The whole mission once, every step real: listing → index → search → demand → match → contract → pay → register → indicator."""

import hashlib
import hmac
import json
import os
import time

import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing

pytestmark = pytest.mark.integration


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The real Stripe-Signature scheme: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<raw body>")."""
    ts = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


async def test_marketplace_thin_path(api, admin_token, db):
    # given a university and an enterprise with one user each
    uni = await create_org(api, admin_token, verified=True, kind="university", region="500106")
    ent = await create_org(api, admin_token, verified=True, kind="enterprise", region="500107")
    _, provider = await create_user(api, admin_token, org_id=uni["id"], role="provider")
    _, enterprise = await create_user(api, admin_token, org_id=ent["id"], role="enterprise")

    # when the provider lists an achievement and an admin publishes it
    made = await create_listing(
        api,
        provider,
        "achievement",
        title="碳化硅功率器件可靠性测试技术",
        summary="面向新能源汽车的碳化硅MOSFET可靠性评价",
        fields=["ic"],
        keywords=["碳化硅", "可靠性"],
    )
    assert made["status"] == "draft"
    published = await publish_listing(api, provider, admin_token, "achievement", made["id"])
    assert published["status"] == "published"

    # then the outbox worker indexes it and search finds it by a Chinese word of its title
    status = await api.wait_indexed(admin_token)
    assert status["indexed"]["achievement"] >= 1
    found = await api.json("GET", "/api/v1/search", params={"q": "碳化硅"})
    assert [item["id"] for item in found["items"]][:1] == [made["id"]]
    assert found["items"][0]["type"] == "achievement"
    assert "<em>" in json.dumps(found["items"][0]["highlight"], ensure_ascii=False)

    # when the enterprise posts a demand and an admin publishes it
    demand = await api.json(
        "POST",
        "/api/v1/demands",
        token=enterprise,
        expect=201,
        json={
            "title": "寻找碳化硅功率器件可靠性测试技术",
            "description": "用于车规级碳化硅MOSFET的可靠性验证",
            "fields": ["ic"],
            "kind": "tech_problem",
            "budget": {"min_fen": 30_000_000, "max_fen": 100_000_000},
            "region": "500107",
        },
    )
    await api.json("POST", f"/api/v1/demands/{demand['id']}/submit", token=enterprise)
    await api.json("POST", f"/api/v1/demands/{demand['id']}/publish", token=admin_token)

    # then its matches list the achievement with reasons
    matches = await api.json("GET", f"/api/v1/demands/{demand['id']}/matches", token=enterprise)
    top = matches["items"][0]
    assert (top["type"], top["id"]) == ("achievement", made["id"])
    features = {reason["feature"] for reason in top["reasons"]}
    assert {"keywords", "field", "budget"} <= features
    assert all(reason["detail"] for reason in top["reasons"])

    # the provider puts its achievement forward for the demand: a contact between the parties
    await api.json(
        "POST", f"/api/v1/listings/{made['id']}/matches/{top['match_id']}/interest", token=provider
    )

    # when the parties negotiate and sign a contract for it
    await api.json(
        "POST", f"/api/v1/matches/{top['match_id']}/status", token=admin_token, json={"status": "negotiating"}
    )
    contract = await api.json(
        "POST",
        "/api/v1/contracts",
        token=provider,
        expect=201,
        json={
            "contract_type": "license",
            "title": "碳化硅可靠性测试技术许可合同",
            "buyer_org_id": ent["id"],
            "seller_org_id": uni["id"],
            "match_id": top["match_id"],
            "field": "ic",
            "total_fen": 80_000_000,
            "tech_fen": 72_000_000,
            "signed_at": "2026-11-20",
            "milestones": [
                {"name": "首付款", "due": "2026-12-01", "amount_fen": 30_000_000},
                {"name": "验收款", "due": "2027-03-01", "amount_fen": 50_000_000},
            ],
        },
    )
    assert contract["status"] == "signed"
    assert contract["rule_set"] == "2026"
    first = contract["milestones"][0]

    # and the buyer pays the first milestone through a Stripe PaymentIntent on stripe-mock
    payment = await api.json(
        "POST",
        f"/api/v1/contracts/{contract['id']}/milestones/{first['id']}/pay",
        token=enterprise,
        json={"methods": ["card", "alipay", "wechat_pay"]},
    )
    assert payment["provider_ref"].startswith("pi_")
    assert payment["client_secret"]
    assert payment["status"] in ("requires_payment_method", "processing")
    assert payment["amount_fen"] == 30_000_000

    # then a webhook signed with the real Stripe scheme marks it paid, exactly once
    event = {
        "id": f"evt_suite_{contract['id']}",
        "type": "payment_intent.succeeded",
        "object": "event",
        "data": {
            "object": {
                "id": payment["provider_ref"],
                "object": "payment_intent",
                "status": "succeeded",
                "amount": 30_000_000,
                "currency": "cny",
                "metadata": {"payment_id": str(payment["payment_id"])},
            }
        },
    }
    raw = json.dumps(event).encode()
    secret = os.environ["STRIPE_WEBHOOK_SECRET"]
    for duplicate in (False, True):
        hook = await api.json(
            "POST",
            "/api/v1/payments/stripe/webhook",
            content=raw,
            headers={"Stripe-Signature": stripe_signature(raw, secret), "Content-Type": "application/json"},
        )
        assert hook["duplicate"] is duplicate
    paid = await api.json("GET", f"/api/v1/contracts/{contract['id']}", token=enterprise)
    assert [m["status"] for m in paid["milestones"]] == ["paid", "unpaid"]
    assert paid["paid_fen"] == 30_000_000
    ledger = await db.fetch(
        "SELECT account, amount_fen FROM deals_ledger_entry WHERE payment_id = $1", payment["payment_id"]
    )
    assert sorted(r["amount_fen"] for r in ledger) == [-29_700_000, -300_000, 30_000_000]

    # when the buyer confirms it, the seller submits it for registration and an admin approves it
    confirmed = await api.json("POST", f"/api/v1/contracts/{contract['id']}/confirm", token=enterprise)
    assert confirmed["buyer_confirmed_at"]
    assert confirmed["seller_confirmed_at"]
    await api.wait_indexed(admin_token)  # the indicator's roll-up follows contract events through the outbox
    before = await api.json(
        "GET", "/api/v1/indicators/tech-contract-turnover", params={"group_by": "contract_type"}
    )
    await api.json("POST", f"/api/v1/contracts/{contract['id']}/registration", token=provider)
    registered = await api.json(
        "POST",
        f"/api/v1/contracts/{contract['id']}/registration/approve",
        token=admin_token,
        json={"registration_no": "20265001070042"},
    )
    assert registered["status"] == "registered"

    # then the turnover indicator includes its amount
    await api.wait_indexed(admin_token)
    after = await api.json(
        "GET", "/api/v1/indicators/tech-contract-turnover", params={"group_by": "contract_type"}
    )
    assert after["total_fen"] - before["total_fen"] == 80_000_000
    assert after["tech_fen"] - before["tech_fen"] == 72_000_000
    assert after["count"] - before["count"] == 1
    license_row = next(row for row in after["series"] if row["key"] == "license")
    assert license_row["total_fen"] >= 80_000_000
    assert after["target"]["target_fen"] > 0

    # and the contract is traceable to where it began
    trace = await api.json("GET", f"/api/v1/contracts/{contract['id']}/trace", token=enterprise)
    assert trace["came_through"] == "marketplace"
    assert (trace["origin"]["listing"]["id"], trace["origin"]["demand"]["id"]) == (made["id"], demand["id"])
    assert [step["to_status"] for step in trace["origin"]["history"]] == ["negotiating"]
    # with the contacts between the parties (kinds, sides and times only)
    assert [(c["kind"], c["from"]) for c in trace["origin"]["contacts"]] == [("interest", "seller")]
    assert [(p["id"], p["status"]) for p in trace["payments"]] == [(payment["payment_id"], "succeeded")]
    assert (trace["registration"]["status"], trace["registration"]["registration_no"]) == (
        "registered",
        "20265001070042",
    )
    outsider_org = await create_org(api, admin_token, kind="enterprise")
    _, outsider = await create_user(api, admin_token, org_id=outsider_org["id"], role="enterprise")
    hidden = await api.call("GET", f"/api/v1/contracts/{contract['id']}/trace", token=outsider)
    assert hidden.status_code == 404
