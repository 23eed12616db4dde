"""技术经纪人备案 in the portal: a member files a broker profile (errors beside the fields, nothing saved), an admin
rejects it with a reason or approves it on 经纪人审核, and only then does the account open the workbench. A
self-registered account and the applicant themselves cannot approve anything."""

from typing import Any

import asyncpg
import pytest

from tests.factories import create_org, self_register, unique
from tests.integration.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
)

pytestmark = pytest.mark.integration


async def _profile(db: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT p.id, p.status, p.reject_reason, u.role FROM brokers_profile p "
        "JOIN accounts_user u ON u.id = p.user_id WHERE u.email = $1",
        email,
    )


async def test_a_member_files_an_admin_rejects_then_approves_and_only_then_the_workbench_opens(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a member of a service agency, signed in
    agency = await create_org(api, admin_token, kind="agency")
    person = unique("刘经纪")
    email = await make_user(api, admin_token, org_id=agency["id"], role="enterprise", name=person)
    applicant = portal_factory()
    await applicant.login(email)
    assert "提交技术经纪人备案" in await applicant.page("/account")
    assert "提交备案资料" in await applicant.page("/me/broker-profile")

    # when they file a certificate number with a stray character and no field, then each error is beside its
    # field, what they typed is kept, and nothing is saved
    refused = await applicant.post(
        "/me/broker-profile",
        {"certificate_no": "JJR#2026", "title": "技术经纪人"},
        token=await applicant.token("/me/broker-profile"),
        expect=422,
    )
    assert 'id="certificate_no"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert "JJR#2026" in refused.text
    assert await _profile(db, email) is None

    # when they file a valid profile, then it waits for review and the account has no broker powers yet
    certificate = f"JJR-{unique('c')[-8:]}"
    await applicant.post(
        "/me/broker-profile",
        {"certificate_no": certificate, "title": "高级技术经纪人", "fields": ["materials", "biotech"]},
        token=await applicant.token("/me/broker-profile"),
    )
    filed = await _profile(db, email)
    assert filed is not None
    assert (filed["status"], filed["role"]) == ("pending", "enterprise")
    page = await applicant.page("/me/broker-profile")
    assert "待审核" in page
    assert certificate in page
    assert "新材料" in page
    await applicant.page("/broker", expect=403)

    # when the applicant, or a self-registered account of another organisation, posts the approval, then it is
    # refused and nothing changes
    await applicant.post(
        f"/admin/brokers/{filed['id']}/approve", {}, token=await applicant.token("/account"), expect=403
    )
    stranger_email = await self_register(api, PASSWORD, name="自注册用户")
    stranger = portal_factory()
    await stranger.login(stranger_email)
    await stranger.post(
        f"/admin/brokers/{filed['id']}/approve", {}, token=await stranger.token("/account"), expect=403
    )
    await stranger.page("/admin/brokers", expect=403)
    assert (await _profile(db, email))["status"] == "pending"  # type: ignore[index]

    # when the admin opens 经纪人审核, then the profile is listed with its person and organisation
    admin = portal_factory()
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    queue = await admin.page("/admin/brokers")
    assert f'id="profile-{filed["id"]}"' in queue
    assert person in queue
    assert agency["name"] in queue

    # when the admin rejects without a reason, then it is refused beside the profile and it stays pending
    no_reason = await admin.post(
        f"/admin/brokers/{filed['id']}/reject",
        {"reason": " "},
        token=await admin.token("/admin/brokers"),
        expect=422,
    )
    assert f'id="err-profile-{filed["id"]}"' in no_reason.text
    assert "驳回理由" in no_reason.text
    assert (await _profile(db, email))["status"] == "pending"  # type: ignore[index]

    # when the admin rejects with a reason, then the applicant reads it and may file again
    await admin.post(
        f"/admin/brokers/{filed['id']}/reject",
        {"reason": "证书编号与登记系统不符，请核对"},
        token=await admin.token("/admin/brokers"),
    )
    page = await applicant.page("/me/broker-profile")
    assert "已驳回" in page
    assert "证书编号与登记系统不符" in page
    assert "修改并重新提交" in page
    await applicant.post(
        "/me/broker-profile",
        {"certificate_no": certificate, "title": "高级技术经纪人", "fields": ["materials"]},
        token=await applicant.token("/me/broker-profile"),
    )
    refiled = await _profile(db, email)
    assert refiled is not None
    assert (refiled["status"], refiled["reject_reason"]) == ("pending", None)

    # when the admin approves, then the account is a broker (audited) and the workbench opens
    await admin.post(f"/admin/brokers/{filed['id']}/approve", {}, token=await admin.token("/admin/brokers"))
    approved = await _profile(db, email)
    assert approved is not None
    assert (approved["status"], approved["role"]) == ("approved", "broker")
    audited = await db.fetchval(
        "SELECT count(*) FROM core_audit_log WHERE action = 'broker.approve' AND object_id = $1",
        str(filed["id"]),
    )
    assert audited == 1
    await applicant.page("/broker")
    page = await applicant.page("/me/broker-profile")
    assert "已批准" in page
    assert "提交审核" not in page
    # and deciding it again is refused, said beside the profile
    again = await admin.post(
        f"/admin/brokers/{filed['id']}/approve", {}, token=await admin.token("/admin/brokers"), expect=409
    )
    assert "经纪人资料" in again.text
