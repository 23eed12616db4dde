"""Self-service accounts in the portal over real HTTP: registration, 我的账户, password change, 机构核验."""

from typing import Any

import pytest

from tests.factories import unique, valid_uscc
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal import Portal, portal_factory  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.integration

PASSWORD = "Qianfeng-Tech-2026!"


def registration(**overrides: Any) -> dict[str, str]:
    form = {
        "org_name": unique("重庆凤鸣新材料科技有限公司"),
        "uscc": valid_uscc(),
        "kind": "enterprise",
        "region": "500107",
        "role": "enterprise",
        "name": "刘晓燕",
        "email": f"{unique('signup')}@register.example.cn",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    form.update(overrides)
    return form


async def test_registration_signs_in_with_the_organisation_pending_verification(db, portal_factory):  # noqa: F811
    visitor: Portal = portal_factory()
    form = registration()

    # when a visitor registers an organisation and themselves
    page = await visitor.page("/register")
    assert 'name="uscc"' in page
    done = await visitor.post("/register", form, token=await visitor.token("/register"))

    # then they are signed in on 我的账户, which says the organisation awaits verification
    assert done.headers["location"] == "/account?notice=signed_up"
    account = await visitor.page("/account?notice=signed_up")
    assert "注册成功" in account
    assert "待平台核验" in account
    assert form["org_name"] in account
    assert "· 待核验" in account  # in the header next to the organisation
    row = await db.fetchrow(
        "SELECT u.role, o.verified_at, o.uscc FROM accounts_user u JOIN accounts_organisation o ON o.id = u.org_id"
        " WHERE u.email = $1",
        form["email"],
    )
    assert row["role"] == "enterprise"
    assert row["verified_at"] is None
    assert row["uscc"] == form["uscc"]


async def test_registration_errors_come_back_on_their_fields_and_nothing_is_saved(db, portal_factory):  # noqa: F811
    visitor: Portal = portal_factory()
    token = await visitor.token("/register")
    bad_code = registration(uscc="91500107MA5U0ABCD0")
    mismatch = registration(password2="Something-Else-2026!")
    weak = registration(password="12345678", password2="12345678")
    broker = registration(role="broker")

    wrong_code = await visitor.post("/register", bad_code, token=token, expect=422)
    wrong_repeat = await visitor.post("/register", mismatch, token=token, expect=422)
    too_weak = await visitor.post("/register", weak, token=token, expect=422)
    not_self_service = await visitor.post("/register", broker, token=token, expect=422)

    assert 'id="err-uscc"' in wrong_code.text
    assert bad_code["org_name"] in wrong_code.text  # what was typed is kept
    assert "两次输入的密码不一致" in wrong_repeat.text
    assert 'id="err-password"' in too_weak.text
    assert PASSWORD not in wrong_repeat.text  # passwords are never echoed
    assert 'id="err-role"' in not_self_service.text
    for form in (bad_code, mismatch, weak, broker):
        assert await db.fetchval("SELECT count(*) FROM accounts_user WHERE email = $1", form["email"]) == 0
        assert (
            await db.fetchval("SELECT count(*) FROM accounts_organisation WHERE uscc = $1", form["uscc"]) == 0
        )


async def test_a_taken_email_is_refused_in_chinese(portal_factory):  # noqa: F811
    first: Portal = portal_factory()
    form = registration()
    await first.post("/register", form, token=await first.token("/register"))
    second: Portal = portal_factory()
    again = await second.post(
        "/register", registration(email=form["email"]), token=await second.token("/register"), expect=422
    )
    assert "邮箱或统一社会信用代码已注册" in again.text
    assert "(e-mail" not in again.text


async def test_the_admin_verifies_a_registered_organisation(db, portal_factory):  # noqa: F811
    member: Portal = portal_factory()
    form = registration(role="provider", kind="university", org_name=unique("重庆某某理工学院"))
    await member.post("/register", form, token=await member.token("/register"))
    org_id = await db.fetchval("SELECT id FROM accounts_organisation WHERE uscc = $1", form["uscc"])

    # a member cannot open the verification queue nor verify their own organisation
    assert "没有权限" in await member.page("/admin/orgs", expect=403)
    await member.post(f"/admin/orgs/{org_id}/verify", {}, expect=403)
    assert await db.fetchval("SELECT verified_at FROM accounts_organisation WHERE id = $1", org_id) is None

    # when the admin opens 机构核验, the organisation waits there; they verify it
    admin: Portal = portal_factory()
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    queue = await admin.page("/admin/orgs")
    assert f'action="/admin/orgs/{org_id}/verify"' in queue
    assert 'data-confirm="确定核验通过' in queue
    done = await admin.post(f"/admin/orgs/{org_id}/verify", {})
    assert done.headers["location"] == "/admin/orgs?notice=org_verified"

    # then the member's account shows it verified and the queue no longer lists it
    assert (
        await db.fetchval("SELECT verified_at FROM accounts_organisation WHERE id = $1", org_id) is not None
    )
    assert "已核验" in await member.page("/account")
    assert f'action="/admin/orgs/{org_id}/verify"' not in await admin.page("/admin/orgs")


async def test_password_change_needs_the_current_password_and_ends_the_session(portal_factory):  # noqa: F811
    member: Portal = portal_factory()
    form = registration()
    await member.post("/register", form, token=await member.token("/register"))
    new = "Jinfeng-Lake-Walk-2027!"

    wrong = await member.post(
        "/account/password",
        {"current_password": "not-my-password", "new_password": new, "new_password2": new},
        expect=422,
    )
    assert 'id="err-current_password"' in wrong.text
    assert "当前密码错误" in wrong.text

    done = await member.post(
        "/account/password", {"current_password": PASSWORD, "new_password": new, "new_password2": new}
    )
    assert done.headers["location"].startswith("/login?next=/account")
    assert (await member.client.get("/account")).status_code == 303  # signed out everywhere
    await member.login(form["email"], new)
    assert form["name"] in await member.page("/account")
