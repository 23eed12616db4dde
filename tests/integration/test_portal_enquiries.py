"""咨询: the inbox of questions to an organisation's experts and the sender's sent box; replies in the portal;
another organisation neither sees nor answers them."""

import pytest

from tests.factories import create_listing, publish_demand, publish_listing, thermal_film_demand, unique
from tests.integration.test_portal import (  # noqa: F401 - portal_factory is a fixture used by name
    PASSWORD,
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


async def test_unread_badges_start_from_the_server_and_only_the_recipient_marks_a_notification_read(
    api,
    admin_token,
    db,
    portal_factory,  # noqa: F811
):
    # given an enterprise user who asks an expert two questions
    supply = await published_instrument(api, admin_token)
    expert = await create_listing(api, supply["provider"], "expert")
    await publish_listing(api, supply["provider"], admin_token, "expert", expert["id"])
    buyer: Portal = portal_factory()
    await signed_in_enterprise(api, admin_token, buyer)
    for subject in ("第一个问题：热阻测试", "第二个问题：样品制备"):
        await buyer.post(
            f"/listings/expert/{expert['id']}/enquire",
            {"subject": subject, "message": "请问具体应当怎么安排测试与付费？"},
        )
    first, second = [
        row["id"]
        for row in await db.fetch(
            "SELECT id FROM catalog_enquiry WHERE listing_id = $1 ORDER BY id", expert["id"]
        )
    ]

    # then the expert's organisation sees two questions waiting, in the navigation and on the inbox tab
    owner: Portal = portal_factory()
    await owner.login(supply["provider_email"])
    assert 'aria-label="2 条待处理">2</span>' in await owner.page("/")
    assert 'data-unread-box="inbox">待回复 2</span>' in await owner.page("/me/enquiries")

    # when it answers the first, the sender's header starts from the server's unread count
    await owner.post(f"/me/enquiries/{first}/reply", {"message": "可以，先做稳态热阻测试。"})
    home = await buyer.page("/")
    assert '<span class="badge" data-unread>1</span>' in home
    assert 'aria-label="1 条待处理">1</span>' in home
    notification_id = await db.fetchval(
        "SELECT id FROM notifications_notification WHERE kind = 'enquiry_answered' "
        "AND user_id = (SELECT sender_id FROM catalog_enquiry WHERE id = $1)",
        first,
    )
    listed = await buyer.page("/me/notifications")
    assert "未读 1 条" in listed
    assert f'action="/me/notifications/{notification_id}/read"' in listed

    # another user (the expert's organisation) cannot mark it read, by page or API, nor see it in their list
    intruder: Portal = portal_factory()
    await intruder.login(supply["provider_email"])
    await intruder.post(f"/me/notifications/{notification_id}/read", {}, expect=404)
    refused = await api.call(
        "POST", f"/api/v1/notifications/{notification_id}/read", token=supply["provider"]
    )
    assert refused.status_code == 404
    theirs = await api.json("GET", "/api/v1/notifications", token=supply["provider"])
    assert notification_id not in [item["id"] for item in theirs["items"]]
    assert (
        await db.fetchval("SELECT read_at FROM notifications_notification WHERE id = $1", notification_id)
        is None
    )

    # when the recipient marks that one read on the page, the badges go
    done = await buyer.post(f"/me/notifications/{notification_id}/read", {})
    assert done.headers["location"] == "/me/notifications?notice=notification_read"
    assert await db.fetchval("SELECT read_at FROM notifications_notification WHERE id = $1", notification_id)
    home = await buyer.page("/")
    assert "data-unread hidden" in home
    assert "条待处理" not in home

    # when the second is answered, opening the sent box shows it as new and marks the answer seen
    await owner.post(f"/me/enquiries/{second}/reply", {"message": "样品尺寸不超过 10 mm 即可。"})
    assert '<span class="badge" data-unread>1</span>' in await buyer.page("/")
    assert 'data-unread-box="sent">新回复 1</span>' in await buyer.page("/me/enquiries?box=sent")
    assert "data-unread hidden" in await buyer.page("/")


async def test_match_cards_of_achievements_and_agencies_offer_contact_and_the_provider_receives_it(
    api,
    admin_token,
    db,
    portal_factory,  # noqa: F811
):
    # given a university that publishes a graphene achievement and a testing agency
    supply = await published_instrument(api, admin_token)
    word = unique("石墨烯导热膜")
    achievement = await create_listing(
        api, supply["provider"], "achievement", title=f"{word}卷对卷制备技术", keywords=[word, "导热膜"]
    )
    agency = await create_listing(
        api, supply["provider"], "agency", name=f"{word}导热系数检测中心", keywords=[word, "导热系数测试"]
    )
    for kind, made in (("achievement", achievement), ("agency", agency)):
        await publish_listing(api, supply["provider"], admin_token, kind, made["id"])
    draft = await create_listing(api, supply["provider"], "achievement", title=f"{word}未发布成果")

    # and an enterprise whose published demand asks for both
    buyer: Portal = portal_factory()
    who = await signed_in_enterprise(api, admin_token, buyer)
    buyer_token = await api.token(who["email"], PASSWORD)
    demand = await publish_demand(api, buyer_token, admin_token, thermal_film_demand(word))
    await api.wait_indexed(admin_token)

    # when the enterprise opens its demand, both match cards carry a 联系 action to the listing's enquiry form
    page = await buyer.page(f"/demands/{demand['id']}?all=1")
    assert f'href="/listings/achievement/{achievement["id"]}#enquiry">联系成果方</a>' in page
    assert f'href="/listings/agency/{agency["id"]}#enquiry">联系服务机构</a>' in page
    listing_page = await buyer.page(f"/listings/achievement/{achievement['id']}")
    assert f'action="/listings/achievement/{achievement["id"]}/enquire"' in listing_page

    # when it sends a question from the achievement's page, and another through the API about the agency
    sent = await buyer.post(
        f"/listings/achievement/{achievement['id']}/enquire",
        {"subject": "成果转让条件咨询", "message": "请问该成果是否支持独占许可，费用如何约定？"},
    )
    assert sent.headers["location"] == f"/listings/achievement/{achievement['id']}?notice=enquiry_sent"
    about_agency = await api.json(
        "POST",
        f"/api/v1/agencies/{agency['id']}/enquiries",
        token=buyer_token,
        expect=201,
        json={"subject": "检测周期咨询", "message": "导热系数测试一般需要多久才能出具报告？"},
    )
    assert (about_agency["listing_type"], about_agency["expert_id"]) == ("agency", agency["id"])

    # then both land in the providing organisation's inbox, naming what they are about
    owner: Portal = portal_factory()
    await owner.login(supply["provider_email"])
    inbox = await owner.page("/me/enquiries")
    assert f'科技成果：<a href="/listings/achievement/{achievement["id"]}">' in inbox
    assert f'服务机构：<a href="/listings/agency/{agency["id"]}">' in inbox
    rows = await db.fetch(
        "SELECT listing_id, expert_org_id FROM catalog_enquiry WHERE listing_id = ANY($1::bigint[])",
        [achievement["id"], agency["id"]],
    )
    assert {(row["listing_id"], row["expert_org_id"]) for row in rows} == {
        (achievement["id"], supply["org"]["id"]),
        (agency["id"], supply["org"]["id"]),
    }

    # and another organisation does not see them; an unpublished listing or an instrument takes no enquiry
    other = await published_instrument(api, admin_token)
    intruder: Portal = portal_factory()
    await intruder.login(other["provider_email"])
    assert "成果转让条件咨询" not in await intruder.page("/me/enquiries")
    hidden = await api.call(
        "POST",
        f"/api/v1/achievements/{draft['id']}/enquiries",
        token=buyer_token,
        json={"subject": "未发布", "message": "未发布的成果不能接受任何咨询"},
    )
    assert hidden.status_code == 404
    wrong_type = await api.call(
        "POST",
        f"/api/v1/agencies/{achievement['id']}/enquiries",
        token=buyer_token,
        json={"subject": "类型不符", "message": "科技成果不是服务机构，不能这样咨询"},
    )
    assert wrong_type.status_code == 404
    await buyer.post(
        f"/listings/instrument/{supply['instrument']['id']}/enquire",
        {"subject": "仪器咨询", "message": "仪器应当预约上机而不是发送咨询"},
        expect=422,
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM catalog_enquiry WHERE listing_id = $1", supply["instrument"]["id"]
        )
        == 0
    )
