"""Accounts: invitations, token expiry and revocation, login throttling, organisation verification."""

import os

import pytest
from redis.asyncio import Redis

from tests.factories import create_org, create_user, unique, valid_uscc

pytestmark = pytest.mark.integration
PASSWORD = "Suite-Pass-2026!"


async def test_register_with_new_org_then_invite_a_colleague(api, admin_token, db):
    # given a university registered by its first member
    email = f"{unique('first')}@suite.example.cn"
    org = {
        "name": unique("西南测试大学"),
        "uscc": valid_uscc(prefix="12"),
        "kind": "university",
        "region": "500106",
    }
    first = await api.json(
        "POST",
        "/api/v1/auth/register",
        expect=201,
        json={"email": email, "password": PASSWORD, "name": "张一", "role": "provider", "org": org},
    )
    token = await api.token(email, PASSWORD)
    me = await api.json("GET", "/api/v1/me", token=token)
    assert me["org"]["verified"] is False
    assert me["org_id"] == first["org_id"]

    # when a member invites a colleague, who registers with the invitation
    invite = await api.json(
        "POST", f"/api/v1/orgs/{first['org_id']}/invites", token=token, expect=201, json={"role": "expert"}
    )
    colleague = f"{unique('second')}@suite.example.cn"
    joined = await api.json(
        "POST",
        "/api/v1/auth/register",
        expect=201,
        json={
            "email": colleague,
            "password": PASSWORD,
            "name": "李二",
            "role": "enterprise",
            "invite": invite["invite"],
        },
    )

    # then the colleague is in the same organisation with the invited role, and the invitation is spent
    assert (joined["org_id"], joined["role"]) == (first["org_id"], "expert")
    again = await api.call(
        "POST",
        "/api/v1/auth/register",
        expect=422,
        json={
            "email": f"{unique('third')}@suite.example.cn",
            "password": PASSWORD,
            "name": "王三",
            "role": "provider",
            "invite": invite["invite"],
        },
    )
    assert again.json()["errors"][0]["loc"][-1] == "invite"

    # and nobody joins by knowing the organisation's id
    by_id = await api.call(
        "POST",
        "/api/v1/auth/register",
        expect=422,
        json={
            "email": f"{unique('x')}@suite.example.cn",
            "password": PASSWORD,
            "name": "赵四",
            "role": "provider",
            "org_id": first["org_id"],
        },
    )
    assert "org_id" in str(by_id.json()["errors"])
    assert await db.fetchval("SELECT count(*) FROM accounts_user WHERE org_id = $1", first["org_id"]) == 2


async def test_invitations_are_for_members_only(api, admin_token):
    org = await create_org(api, admin_token)
    other = await create_org(api, admin_token)
    _, outsider = await create_user(api, admin_token, org_id=other["id"], role="provider")
    refused = await api.call(
        "POST", f"/api/v1/orgs/{org['id']}/invites", token=outsider, json={"role": "provider"}
    )
    assert refused.status_code == 403


async def test_logout_revokes_and_expired_tokens_are_refused(api, admin_token, db):
    org = await create_org(api, admin_token)
    _, token = await create_user(api, admin_token, org_id=org["id"])
    await api.json("GET", "/api/v1/me", token=token)

    await api.call("POST", "/api/v1/auth/logout", token=token, expect=204)
    revoked = await api.call("GET", "/api/v1/me", token=token, expect=401)
    assert revoked.headers["content-type"].startswith("application/problem+json")

    _, second = await create_user(api, admin_token, org_id=org["id"])
    await db.execute(
        "UPDATE accounts_access_token SET expires_at = now() - interval '1 second' "
        "WHERE revoked_at IS NULL AND user_id = (SELECT user_id FROM accounts_access_token "
        "ORDER BY id DESC LIMIT 1)"
    )
    assert (await api.call("GET", "/api/v1/me", token=second)).status_code == 401


async def test_login_is_throttled_per_account_and_per_ip(api, admin_token):
    org = await create_org(api, admin_token)
    email = f"{unique('victim')}@suite.example.cn"
    await api.json(
        "POST",
        "/api/v1/admin/users",
        token=admin_token,
        expect=201,
        json={
            "email": email,
            "password": PASSWORD,
            "name": "受害者",
            "role": "provider",
            "org_id": org["id"],
        },
    )
    redis = Redis.from_url(os.environ["REDIS_URL"])
    ip_key = "tm:login-attempts:ip:127.0.0.1"
    try:
        await redis.delete(ip_key)
        # five wrong passwords lock the account, even against the right password, with Retry-After
        for _ in range(5):
            await api.call(
                "POST",
                "/api/v1/auth/token",
                json={"email": email, "password": "wrong-password-1"},
                expect=401,
            )
        locked = await api.call(
            "POST", "/api/v1/auth/token", json={"email": email, "password": PASSWORD}, expect=429
        )
        assert int(locked.headers["retry-after"]) > 0
        assert locked.json()["code"] == "too_many_attempts"

        # thirty failures from one address lock that address for every account
        for number in range(25):
            await api.call(
                "POST",
                "/api/v1/auth/token",
                json={"email": f"nobody{number}@suite.example.cn", "password": "x"},
                expect=401,
            )
        blocked = await api.call(
            "POST",
            "/api/v1/auth/token",
            json={"email": "admin@suite.techmarket.cn", "password": "Suite-Admin-2026!"},
        )
        assert blocked.status_code == 429
    finally:
        # the rest of the suite logs in from this address too
        await redis.delete(ip_key)
        await redis.aclose()
    assert await api.token("admin@suite.techmarket.cn", "Suite-Admin-2026!")


async def test_admin_verifies_an_organisation_and_it_is_audited(api, admin_token, db):
    org = await create_org(api, admin_token, verified=False)
    assert org["verified"] is False
    queue = await api.json(
        "GET", "/api/v1/admin/orgs", token=admin_token, params={"verified": "false", "size": 100}
    )
    assert queue["total"] >= 1
    verified = await api.json("POST", f"/api/v1/orgs/{org['id']}/verify", token=admin_token)
    assert verified["verified"] is True
    action = await db.fetchval(
        "SELECT action FROM core_audit_log WHERE object_type = 'organisation' AND object_id = $1 ORDER BY id DESC",
        str(org["id"]),
    )
    assert action == "org.verify"
