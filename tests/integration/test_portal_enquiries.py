"""咨询: the inbox of questions to an organisation's experts and the sender's sent box; replies in the portal;
another organisation neither sees nor answers them."""

import pytest

from tests.factories import create_listing, publish_listing
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    Portal,
    portal_factory,
    published_instrument,
    signed_in_enterprise,
)

pytestmark = pytest.mark.integration


async def test_the_experts_organisation_replies_and_the_sender_reads_it(api, admin_token, db, portal_factory):  # noqa: F811
    # given a published expert (contact consent given) and an enterprise user who asks a question on its page
    supply = await published_instrument(api, admin_token)
    expert = await create_listing(
        api, supply["provider"], "expert", consent={"publish": True, "contact": True}
    )
    await publish_listing(api, supply["provider"], admin_token, "expert", expert["id"])
    buyer: Portal = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)
    await buyer.post(
        f"/listings/expert/{expert['id']}/enquire",
        {"subject": "碳化硅模块热仿真咨询", "message": "希望请教碳化硅功率模块封装的热仿真方法与验证方案。"},
    )
    enquiry_id = await db.fetchval("SELECT id FROM catalog_enquiry WHERE listing_id = $1", expert["id"])

    # when the provider opens 咨询, the question waits for a reply, linked from the navigation
    owner: Portal = portal_factory()
    await owner.login(supply["provider_email"])
    assert 'href="/me/enquiries"' in await owner.page("/")
    inbox = await owner.page("/me/enquiries")
    assert "碳化硅模块热仿真咨询" in inbox
    assert f'data-enquiry-id="{enquiry_id}" data-status="open"' in inbox

    # an empty reply is refused in Chinese and nothing is sent
    refused = await owner.post(f"/me/enquiries/{enquiry_id}/reply", {"message": ""}, expect=422)
    assert 'role="alert"' in refused.text
    assert await db.fetchval("SELECT status FROM catalog_enquiry WHERE id = $1", enquiry_id) == "open"

    # when they reply and share the expert's contact, then the sender reads both in the sent box
    done = await owner.post(
        f"/me/enquiries/{enquiry_id}/reply",
        {"message": "可以，建议先做稳态热阻测试，再用瞬态热阻校准模型。", "share_contact": "true"},
    )
    assert done.headers["location"] == "/me/enquiries?notice=enquiry_replied"
    sent = await buyer.page("/me/enquiries?box=sent")
    assert "建议先做稳态热阻测试" in sent
    assert "13800000000" in sent
    assert f'data-enquiry-id="{enquiry_id}" data-status="replied"' in sent


async def test_another_organisation_neither_sees_nor_answers_the_enquiry(
    api,
    admin_token,
    db,
    portal_factory,  # noqa: F811
):
    supply = await published_instrument(api, admin_token)
    expert = await create_listing(api, supply["provider"], "expert")
    await publish_listing(api, supply["provider"], admin_token, "expert", expert["id"])
    buyer: Portal = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)
    await buyer.post(
        f"/listings/expert/{expert['id']}/enquire",
        {"subject": "仅本机构可见的咨询", "message": "这是一条只应由专家所在机构看到的咨询内容。"},
    )
    enquiry_id = await db.fetchval("SELECT id FROM catalog_enquiry WHERE listing_id = $1", expert["id"])

    # a provider of another university: not in their inbox, and a forged reply is refused
    other = await published_instrument(api, admin_token)
    intruder: Portal = portal_factory()
    await intruder.login(other["provider_email"])
    assert "仅本机构可见的咨询" not in await intruder.page("/me/enquiries")
    await intruder.post(f"/me/enquiries/{enquiry_id}/reply", {"message": "冒充专家的回复内容"}, expect=422)
    row = await db.fetchrow("SELECT status, reply FROM catalog_enquiry WHERE id = $1", enquiry_id)
    assert (row["status"], row["reply"]) == ("open", None)
    # and the sender cannot answer their own question either
    await buyer.post(f"/me/enquiries/{enquiry_id}/reply", {"message": "自问自答的回复内容"}, expect=422)
    assert await db.fetchval("SELECT reply FROM catalog_enquiry WHERE id = $1", enquiry_id) is None
