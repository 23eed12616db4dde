"""Roles that must be earned: nobody makes themselves a broker or an admin; an admin's approval is audited."""

import json
import os

import pytest

from tests.factories import create_org, create_user, valid_uscc
from tests.integration.invariants import assert_problem, nothing_saved

pytestmark = pytest.mark.integration

PROFILE = {"certificate_no": "JJR-500107-2026-018", "title": "高级技术经纪人", "fields": ["materials", "ai"]}


def _registration(role: str) -> dict:
    return {
        "email": f"self-{os.urandom(4).hex()}@suite.example.cn",
        "password": "Register-Pass-2026!",
        "name": "自助注册",
        "role": role,
        "org": {
            "name": f"自助注册机构{os.urandom(3).hex()}",
            "uscc": valid_uscc(),
            "kind": "agency",
            "region": "500107",
        },
    }


@pytest.mark.parametrize("role", ["broker", "admin", "expert"])
async def test_self_registration_cannot_make_a_broker_or_an_admin(api, db, role):
    # when someone registers themselves with a granted role
    async with nothing_saved(db):
        response = await api.call("POST", "/api/v1/auth/register", json=_registration(role))

    # then it is refused, and no account or organisation is created
    body = assert_problem(response, 403)
    assert body["code"] == "role_not_self_service"


@pytest.mark.parametrize("role", ["enterprise", "provider"])
async def test_self_registration_yields_an_enterprise_or_provider_member_of_an_unverified_org(api, db, role):
    made = await api.json("POST", "/api/v1/auth/register", json=_registration(role), expect=201)
    assert made["role"] == role
    audit = await db.fetchrow(
        "SELECT action, detail FROM core_audit_log WHERE object_type = 'user' AND object_id = $1",
        str(made["id"]),
    )
    assert audit["action"] == "user.register"
    assert (
        await db.fetchval("SELECT verified_at FROM accounts_organisation WHERE id = $1", made["org_id"])
        is None
    )


async def test_a_member_cannot_invite_a_broker_or_an_admin(api, admin_token, db):
    org = await create_org(api, admin_token)
    _, member = await create_user(api, admin_token, org_id=org["id"], role="provider")
    for role in ("broker", "admin"):
        async with nothing_saved(db):
            response = await api.call(
                "POST", f"/api/v1/orgs/{org['id']}/invites", token=member, json={"role": role}
            )
        assert assert_problem(response, 403)["code"] == "role_not_invitable"


async def test_a_broker_profile_grants_nothing_until_an_admin_approves_it(api, admin_token, db):
    # given a self-registered provider who files a broker profile
    data = _registration("provider")
    made = await api.json("POST", "/api/v1/auth/register", json=data, expect=201)
    token = await api.token(data["email"], data["password"])
    profile = await api.json("POST", "/api/v1/brokers/profile", token=token, json=PROFILE, expect=201)
    assert (profile["status"], profile["org_id"], profile["fields"]) == (
        "pending",
        made["org_id"],
        ["materials", "ai"],
    )

    # then, while pending, the account has no broker powers
    queue = await api.call("GET", "/api/v1/broker/queue", token=token)
    assert_problem(queue, 403)
    me = await api.json("GET", "/api/v1/me", token=token)
    assert me["role"] == "provider"

    # when an admin approves the profile
    approved = await api.json("POST", f"/api/v1/admin/brokers/{profile['id']}/approve", token=admin_token)

    # then the person is a broker, and the grant is audited with who granted it and what it replaced
    assert approved["status"] == "approved"
    assert (await api.json("GET", "/api/v1/me", token=token))["role"] == "broker"
    await api.json("GET", "/api/v1/broker/queue", token=token)
    grant = await db.fetchrow(
        "SELECT actor_id, detail FROM core_audit_log WHERE action = 'role.grant' AND object_id = $1",
        str(made["id"]),
    )
    detail = json.loads(grant["detail"]) if isinstance(grant["detail"], str) else grant["detail"]
    assert (grant["actor_id"] is not None, detail["role"], detail["previous_role"]) == (
        True,
        "broker",
        "provider",
    )

    # and an approved profile cannot be approved again
    again = await api.call("POST", f"/api/v1/admin/brokers/{profile['id']}/approve", token=admin_token)
    assert assert_problem(again, 409)["code"] == "invalid_transition"


async def test_a_rejected_profile_grants_nothing_and_may_be_filed_again(api, admin_token):
    data = _registration("enterprise")
    await api.json("POST", "/api/v1/auth/register", json=data, expect=201)
    token = await api.token(data["email"], data["password"])
    profile = await api.json("POST", "/api/v1/brokers/profile", token=token, json=PROFILE, expect=201)
    rejected = await api.json(
        "POST",
        f"/api/v1/admin/brokers/{profile['id']}/reject",
        token=admin_token,
        json={"reason": "证书编号无法核实"},
    )
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "证书编号无法核实")
    assert (await api.json("GET", "/api/v1/me", token=token))["role"] == "enterprise"
    refiled = await api.json("POST", "/api/v1/brokers/profile", token=token, json=PROFILE, expect=201)
    assert (refiled["id"], refiled["status"]) == (profile["id"], "pending")


async def test_a_broker_cannot_approve_their_own_profile(api, admin_token, db):
    data = _registration("provider")
    await api.json("POST", "/api/v1/auth/register", json=data, expect=201)
    token = await api.token(data["email"], data["password"])
    profile = await api.json("POST", "/api/v1/brokers/profile", token=token, json=PROFILE, expect=201)
    async with nothing_saved(db):
        response = await api.call("POST", f"/api/v1/admin/brokers/{profile['id']}/approve", token=token)
    assert_problem(response, 403)
    assert (await api.json("GET", "/api/v1/me", token=token))["role"] == "provider"
