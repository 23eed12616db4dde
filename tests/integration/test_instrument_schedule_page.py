"""开放管理 of an instrument in the portal: its organisation adds and removes closures (the slots leave the public
closures) and records or revokes who is trained to operate it, by the trainee's e-mail; self-operated booking
follows the record. Another organisation can neither read nor change any of it, nor probe e-mails through it."""

from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from services.core.clock import CHINA_TZ
from tests.factories import create_org, unique
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
    make_user,
    portal_factory,
    published_instrument,
)
from tests.integration.test_workbench_day import _weekday_slot

pytestmark = pytest.mark.integration


def _local(day_offset: int, hour: int) -> str:
    """A datetime-local value (Beijing wall clock), as the closure form sends it."""
    day = (datetime.now(CHINA_TZ) + timedelta(days=day_offset)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


async def _self_booking(api: Any, token: str, instrument_id: int, days_ahead: int, expect: int) -> Any:
    start, end = _weekday_slot(days_ahead)
    return await api.call(
        "POST",
        "/api/v1/bookings",
        token=token,
        expect=expect,
        json={"instrument_id": instrument_id, "start": start, "end": end, "mode": "self"},
    )


async def test_the_owner_manages_closures_and_trainings_and_nobody_else_can(
    api: Any,
    admin_token: str,
    db: asyncpg.Connection,
    portal_factory: Any,  # noqa: F811
) -> None:
    # given a published instrument that needs training, its owner signed in, and an enterprise member
    booking = {"min_notice_hours": 24, "max_hours": 8, "needs_training": True}
    supply = await published_instrument(api, admin_token, name=unique("透射电子显微镜"), booking=booking)
    instrument_id = supply["instrument"]["id"]
    base = f"/me/listings/instrument/{instrument_id}/schedule"
    owner = portal_factory()
    await owner.login(supply["provider_email"])
    assert f'href="{base}"' in await owner.page("/me/listings")
    page = await owner.page(base)
    assert "停用时段" in page
    assert "自主上机须先通过培训" in page
    ent = await create_org(api, admin_token, kind="enterprise", region="500107")
    buyer_email = await make_user(
        api, admin_token, org_id=ent["id"], role="enterprise", name="企业研发工程师"
    )
    buyer = await api.token(buyer_email, PASSWORD)

    # when the owner closes it with the end before the start, then the error is beside the end, nothing saved
    refused = await owner.post(
        f"{base}/closures",
        {"start": _local(9, 18), "end": _local(9, 9), "kind": "maintenance"},
        token=await owner.token(base),
        expect=422,
    )
    assert 'id="err-end"' in refused.text
    assert (
        await db.fetchval("SELECT count(*) FROM bookings_closure WHERE instrument_id = $1", instrument_id)
        == 0
    )

    # when the owner closes it for a day's maintenance, then the public closures list it
    await owner.post(
        f"{base}/closures",
        {"start": _local(9, 8), "end": _local(9, 20), "kind": "maintenance", "note": "年度保养"},
        token=await owner.token(base),
    )
    closures = await api.json("GET", f"/api/v1/instruments/{instrument_id}/closures")
    assert [(c["kind"], c["note"]) for c in closures] == [("maintenance", "年度保养")]
    assert "年度保养" in await owner.page(base)

    # when another university's provider opens the page or posts to it, then 403 and nothing changes
    rival_org = await create_org(api, admin_token, kind="university")
    rival = portal_factory()
    await rival.login(
        await make_user(api, admin_token, org_id=rival_org["id"], role="provider", name="他校管理员")
    )
    await rival.page(base, expect=403)
    rival_token = await rival.token("/me/listings")
    await rival.post(f"{base}/closures/{closures[0]['id']}/delete", {}, token=rival_token, expect=403)
    await rival.post(
        f"{base}/closures",
        {"start": _local(10, 8), "end": _local(10, 20), "kind": "holiday"},
        token=rival_token,
        expect=403,
    )
    # and it learns nothing about who is registered: the e-mail is not even looked up
    probe = await rival.post(
        f"{base}/trainings",
        {"email": buyer_email, "expires_on": _local(90, 0)[:10]},
        token=rival_token,
        expect=403,
    )
    assert "未找到" not in probe.text
    assert len(await api.json("GET", f"/api/v1/instruments/{instrument_id}/closures")) == 1

    # when the owner removes the closure, then it is gone
    await owner.post(f"{base}/closures/{closures[0]['id']}/delete", {}, token=await owner.token(base))
    assert await api.json("GET", f"/api/v1/instruments/{instrument_id}/closures") == []

    # given the untrained buyer is refused self-operated time
    assert (await _self_booking(api, buyer, instrument_id, 3, 403)).json()["code"] == "training_required"

    # when the owner names an e-mail nobody registered, then it says so beside the field and records nothing
    unknown = await owner.post(
        f"{base}/trainings",
        {"email": f"{unique('nobody')}@example.cn", "expires_on": _local(90, 0)[:10]},
        token=await owner.token(base),
        expect=422,
    )
    assert 'id="err-email"' in unknown.text
    assert "未找到使用该邮箱注册的用户" in unknown.text
    assert (
        await db.fetchval("SELECT count(*) FROM bookings_training WHERE instrument_id = $1", instrument_id)
        == 0
    )

    # when the owner records the buyer's training until a date in 90 days, then the buyer may book self-operated
    await owner.post(
        f"{base}/trainings",
        {"email": buyer_email.upper(), "expires_on": _local(90, 0)[:10]},
        token=await owner.token(base),
    )
    page = await owner.page(base)
    assert "企业研发工程师" in page
    assert "有效" in page
    await _self_booking(api, buyer, instrument_id, 3, 201)
    training_id = await db.fetchval(
        "SELECT id FROM bookings_training WHERE instrument_id = $1", instrument_id
    )

    # when the rival posts the revocation, then 403 and the record stays valid
    await rival.post(f"{base}/trainings/{training_id}/revoke", {}, token=rival_token, expect=403)
    assert await db.fetchval("SELECT revoked_at FROM bookings_training WHERE id = $1", training_id) is None

    # when the owner revokes it, then it shows as 已撤销 and self-operated booking is refused again
    await owner.post(f"{base}/trainings/{training_id}/revoke", {}, token=await owner.token(base))
    assert "已撤销" in await owner.page(base)
    assert (await _self_booking(api, buyer, instrument_id, 5, 403)).json()["code"] == "training_required"
