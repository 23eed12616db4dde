"""Password reset over real HTTP: mail through the outbox table, single-use tokens, the dev mail viewer."""

import os
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from tests.factories import create_org, unique
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal import Portal, portal_factory  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.integration
PASSWORD = "Suite-Pass-2026!"
NEW_PASSWORD = "Jinyun-Shan-Lab-7391"
RESET = "/api/v1/auth/password-reset"
LINK = re.compile(r"/password-reset\?token=([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
async def fresh_reset_counters() -> AsyncIterator[None]:
    # Every request of the suite comes from one address; earlier runs must not use up its allowance.
    redis = Redis.from_url(os.environ["REDIS_URL"])
    async for key in redis.scan_iter("tm:login-attempts:reset-*"):
        await redis.delete(key)
    yield
    await redis.aclose()


async def _user(api: Any, admin: str, role: str = "provider") -> tuple[int, str]:
    email = f"{unique('reset')}@suite.example.cn"
    org = await create_org(api, admin)
    body = {"email": email, "password": PASSWORD, "name": "王建国", "role": role, "org_id": org["id"]}
    user = await api.json("POST", "/api/v1/admin/users", token=admin, expect=201, json=body)
    return int(user["id"]), email


async def _mail_token(db: Any, email: str) -> str:
    # Whether the worker has delivered it yet is tests/integration/test_mail_sender.py's concern.
    rows = await db.fetch('SELECT subject, body FROM mail_outbox WHERE "to" = $1', email)
    assert len(rows) == 1
    assert "重置密码" in rows[0]["subject"]
    match = LINK.search(rows[0]["body"])
    assert match, rows[0]["body"]
    return match.group(1)


async def test_full_reset_flow_revokes_old_sessions(api, admin_token, db):
    user_id, email = await _user(api, admin_token)
    old_token = await api.token(email, PASSWORD)

    # when the owner asks for a reset, a mail row and a hashed single-use token are written
    answer = await api.call("POST", RESET, json={"email": email.upper()}, expect=202)
    token = await _mail_token(db, email)
    stored = await db.fetchrow(
        "SELECT token_hash, expires_at - created_at AS ttl, used_at FROM accounts_password_reset WHERE user_id = $1",
        user_id,
    )
    assert stored["token_hash"] != token
    assert len(stored["token_hash"]) == 64
    assert stored["ttl"].total_seconds() == pytest.approx(1800, abs=5)
    assert stored["used_at"] is None
    assert token not in answer.text

    # and confirms with a strong password
    await api.call(
        "POST", f"{RESET}/confirm", json={"token": token, "new_password": NEW_PASSWORD}, expect=204
    )

    # then the old password fails, the new one works and the old token is dead
    await api.call("POST", "/api/v1/auth/token", json={"email": email, "password": PASSWORD}, expect=401)
    assert await api.token(email, NEW_PASSWORD)
    await api.call("GET", "/api/v1/me", token=old_token, expect=401)

    # and the token cannot be used twice
    again = await api.call(
        "POST",
        f"{RESET}/confirm",
        json={"token": token, "new_password": "Another-Strong-Pass-5820"},
        expect=422,
    )
    assert again.json()["code"] == "invalid_reset_token"
    assert await api.token(email, NEW_PASSWORD)


async def test_unknown_email_gets_the_same_answer_and_no_mail(api, admin_token, db):
    _, email = await _user(api, admin_token)
    known = await api.call("POST", RESET, json={"email": email}, expect=202)
    nobody = f"{unique('nobody')}@suite.example.cn"
    unknown = await api.call("POST", RESET, json={"email": nobody}, expect=202)
    assert unknown.json() == known.json()
    assert await db.fetchval('SELECT count(*) FROM mail_outbox WHERE "to" = $1', nobody) == 0


async def test_deactivated_account_gets_no_mail(api, admin_token, db):
    user_id, email = await _user(api, admin_token)
    await api.json("POST", f"/api/v1/admin/users/{user_id}/deactivate", token=admin_token)
    await api.call("POST", RESET, json={"email": email}, expect=202)
    assert await db.fetchval('SELECT count(*) FROM mail_outbox WHERE "to" = $1', email) == 0


async def test_expired_token_is_refused(api, admin_token, db):
    user_id, email = await _user(api, admin_token)
    await api.call("POST", RESET, json={"email": email}, expect=202)
    token = await _mail_token(db, email)
    await db.execute(
        "UPDATE accounts_password_reset SET expires_at = now() - interval '1 minute' WHERE user_id = $1",
        user_id,
    )
    refused = await api.call(
        "POST", f"{RESET}/confirm", json={"token": token, "new_password": NEW_PASSWORD}, expect=422
    )
    assert refused.json()["code"] == "invalid_reset_token"
    assert await api.token(email, PASSWORD)


async def test_forged_token_is_refused(api):
    refused = await api.call(
        "POST", f"{RESET}/confirm", json={"token": "x" * 43, "new_password": NEW_PASSWORD}, expect=422
    )
    assert refused.json()["code"] == "invalid_reset_token"


async def test_weak_password_is_refused_naming_the_field_and_the_token_stays_usable(api, admin_token, db):
    _, email = await _user(api, admin_token)
    await api.call("POST", RESET, json={"email": email}, expect=202)
    token = await _mail_token(db, email)
    weak = await api.call(
        "POST", f"{RESET}/confirm", json={"token": token, "new_password": "password123"}, expect=422
    )
    assert weak.json()["code"] == "weak_password"
    assert weak.json()["errors"][0]["loc"][-1] == "new_password"
    assert await api.token(email, PASSWORD)
    await api.call(
        "POST", f"{RESET}/confirm", json={"token": token, "new_password": NEW_PASSWORD}, expect=204
    )


async def test_requests_are_limited_per_email(api, admin_token, db):
    _, email = await _user(api, admin_token)
    for _ in range(3):
        await api.call("POST", RESET, json={"email": email}, expect=202)
    limited = await api.call("POST", RESET, json={"email": email}, expect=429)
    assert limited.headers.get("retry-after")
    assert await db.fetchval('SELECT count(*) FROM mail_outbox WHERE "to" = $1', email) == 3


async def test_portal_reset_and_dev_mail_viewer(api, admin_token, db, portal_factory):  # noqa: F811
    _, email = await _user(api, admin_token)
    visitor: Portal = portal_factory()

    # the login page links to 忘记密码, whose form leads to the confirmation page
    assert 'href="/password-reset/request"' in await visitor.page("/login")
    token = await visitor.token("/password-reset/request")
    sent = await visitor.post("/password-reset/request", {"email": email}, token=token, expect=200)
    assert "请查收邮件" in sent.text

    # an administrator finds the mail, newest first, in the development mail viewer
    admin: Portal = portal_factory()
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    listing = await admin.page("/dev/mail")
    mail_id = await db.fetchval('SELECT max(id) FROM mail_outbox WHERE "to" = $1', email)
    assert f'href="/dev/mail/{mail_id}"' in listing
    message = await admin.page(f"/dev/mail/{mail_id}")
    reset_token = LINK.search(message)
    assert reset_token

    # the link's page sets the new password and sends the user to the login page
    path = f"/password-reset?token={reset_token.group(1)}"
    form_token = await visitor.token(path)
    done = await visitor.post(
        "/password-reset",
        {"token": reset_token.group(1), "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        token=form_token,
    )
    assert done.headers["location"] == "/login?notice=password_reset"
    assert await api.token(email, NEW_PASSWORD)


async def test_non_admins_cannot_open_the_mail_viewer(api, admin_token, portal_factory):  # noqa: F811
    _, email = await _user(api, admin_token, role="broker")
    member: Portal = portal_factory()
    await member.login(email, PASSWORD)
    await member.page("/dev/mail", expect=403)
    await member.page("/dev/mail/1", expect=403)
    anonymous: Portal = portal_factory()
    response = await anonymous.client.get("/dev/mail")
    assert response.status_code in (401, 403) or response.headers.get("location", "").startswith("/login")
    bearer = await api.token(email, PASSWORD)
    await api.call("GET", "/dev/mail", token=bearer, expect=403)
