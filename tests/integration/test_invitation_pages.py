"""邀请同事 in the portal: a member generates a single-use invitation on 我的账户 (mailed when an e-mail is given),
the colleague registers through the link without organisation fields and joins with the invited role; the link
works once, for the named e-mail only, and a broker or admin cannot be invited."""

import re
from typing import Any

import asyncpg
import pytest

from tests.factories import create_org, unique
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
)

pytestmark = pytest.mark.integration
LINK = re.compile(r'value="(https?://[^"]+/register\?invite=([^"]+))"')


async def test_a_member_invites_a_colleague_who_joins_once_with_the_invited_role(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a university's provider signed in on 我的账户
    uni = await create_org(api, admin_token, kind="university", region="500106")
    member = portal_factory()
    await member.login(
        await make_user(api, admin_token, org_id=uni["id"], role="provider", name="成果转化办")
    )
    assert 'action="/account/invites"' in await member.page("/account")

    # when they try to invite a broker (a forged form), then it is refused and no invitation exists
    before = await db.fetchval("SELECT count(*) FROM accounts_invitation WHERE org_id = $1", uni["id"])
    await member.post(
        "/account/invites", {"role": "broker"}, token=await member.token("/account"), expect=422
    )
    assert (
        await db.fetchval("SELECT count(*) FROM accounts_invitation WHERE org_id = $1", uni["id"]) == before
    )

    # when they invite an expert by e-mail, then the link is shown once and mailed to that address
    colleague = f"{unique('expert')}@portal.example.cn"
    shown = await member.post(
        "/account/invites",
        {"role": "expert", "email": colleague},
        token=await member.token("/account"),
        expect=201,
    )
    _link, token = LINK.search(shown.text).groups()  # type: ignore[union-attr]
    assert token not in await member.page("/account")
    mailed = await db.fetchval('SELECT body FROM mail_outbox WHERE "to" = $1', colleague)
    assert f"/register?invite={token}" in mailed

    # when someone else registers with the link, then it is refused: the invitation is for the named e-mail
    visitor = portal_factory()
    form = await visitor.page(f"/register?invite={token}")
    assert 'name="org_name"' not in form
    assert f'name="invite" value="{token}"' in form
    person = {
        "invite": token,
        "name": "王教授",
        "password": "Join-Pass-2026!x",
        "password2": "Join-Pass-2026!x",
    }
    refused = await visitor.post(
        "/register",
        {**person, "email": f"{unique('other')}@portal.example.cn"},
        token=await visitor.token("/register"),
        expect=422,
    )
    assert "邀请码不属于该邮箱" in refused.text

    # when the colleague registers with it, then they join the university as an expert, signed in
    joined = await visitor.post(
        "/register", {**person, "email": colleague}, token=await visitor.token("/register")
    )
    assert joined.headers["location"].startswith("/account")
    row = await db.fetchrow("SELECT org_id, role FROM accounts_user WHERE email = $1", colleague)
    assert (row["org_id"], row["role"]) == (uni["id"], "expert")

    # and the link is spent: a second registration with it is refused
    again = portal_factory()
    spent = await again.post(
        "/register",
        {**person, "email": f"{unique('late')}@portal.example.cn"},
        token=await again.token(f"/register?invite={token}"),
        expect=422,
    )
    assert "邀请码无效或已过期" in spent.text
