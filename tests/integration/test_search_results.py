"""Search over the real engine and server: relaxed queries say so, one card per model, maintenance ranks last."""

import random
import string
from typing import Any

import httpx
import pytest

from tests.factories import create_listing, create_org, create_user, publish_listing, unique
from tests.integration.test_indexing import run_cli

pytestmark = pytest.mark.integration


async def page(stack: Any, path: str) -> str:
    async with httpx.AsyncClient(base_url=stack.base, timeout=60) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text[:400]
    return response.text


def card_of(html: str, href: str) -> str:
    """The search page's result card that links to ``href``."""
    anchor = html.index(f'href="{href}"')
    return html[html.rindex("<article", 0, anchor) : html.index("</article>", anchor)]


async def published_instrument(api: Any, admin: str, **overrides: Any) -> dict[str, Any]:
    org = await create_org(api, admin, kind="university", region="500106")
    _, provider = await create_user(api, admin, org_id=org["id"], role="provider")
    made = await create_listing(api, provider, "instrument", **overrides)
    await publish_listing(api, provider, admin, "instrument", made["id"])
    return made


async def test_one_model_at_two_institutions_is_one_card_and_maintenance_ranks_below(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given one model at two institutions, the one under maintenance published first
    model = unique("Qz")
    down = await published_instrument(
        api, admin_token, model=model, availability="maintenance", location={"campus": "西南大学北碚校区"}
    )
    up = await published_instrument(
        api, admin_token, model=model, availability="available", location={"campus": "重庆大学虎溪校区"}
    )
    await api.wait_indexed(admin_token)

    # when the model is searched through the API
    found = await api.json("GET", "/api/v1/search", params={"q": model, "type": "instrument"})

    # then both are found, the available one first
    assert [item["id"] for item in found["items"]][:2] == [up["id"], down["id"]]
    assert found["relaxed"] is False

    # when it is searched grouped by model
    grouped = await api.json(
        "GET", "/api/v1/search", params={"q": model, "type": "instrument", "group": "true"}
    )

    # then the engine returns one item for the model, the available one, standing for both
    mine = [item for item in grouped["items"] if item["id"] in (up["id"], down["id"])]
    assert [item["id"] for item in mine] == [up["id"]]
    assert mine[0]["same_model_count"] == 2
    assert [(o["id"], o["availability"]) for o in mine[0]["same_model"]] == [(down["id"], "maintenance")]
    assert grouped["total_groups"] == len(grouped["items"])

    # and grouping cannot be combined with a cursor
    refused = await api.call(
        "GET", "/api/v1/search", params={"q": model, "group": "true", "search_after": "[1.0, 1]"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["query", "group"]

    # and the page shows one card naming the institution, its availability and the other institution
    html = await page(stack, f"/search?q={model}")
    assert html.count(f'href="/listings/instrument/{up["id"]}"') == 1
    assert "重庆大学虎溪校区" in html
    assert "2 家机构提供" in html
    assert "西南大学北碚校区</a>（维护中，企业价 400.00 元/小时" in html
    # and an anonymous visitor sees the price of the group everyone else pays
    assert "企业价 400.00 元/小时" in html


async def test_english_names_find_the_instrument_and_a_query_that_finds_nothing_is_relaxed(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given a scanning electron microscope of a model name nobody else uses
    model = "Zq" + "".join(random.choice(string.ascii_lowercase) for _ in range(5))
    sem = await published_instrument(api, admin_token, model=model, name="场发射扫描电子显微镜")
    await api.wait_indexed(admin_token)

    # when it is searched for in English, in the plural and with a slip
    for q in ("scanning electron microscope", "scanning electron microscopes", "scaning electron microscop"):
        found = await api.json("GET", "/api/v1/search", params={"q": q, "type": "instrument", "size": 100})
        assert sem["id"] in [item["id"] for item in found["items"]], q

    # when its model (seven letters) is typed with two slips: the strict query allows one
    slipped = model[:-2] + "".join("j" if char != "j" else "k" for char in model[-2:])
    found = await api.json("GET", "/api/v1/search", params={"q": slipped, "type": "instrument"})

    # then the relaxed query finds it and says so, and so does the page
    assert found["relaxed"] is True
    assert sem["id"] in [item["id"] for item in found["items"]]
    assert "已为您放宽条件" in await page(stack, f"/search?q={slipped}&type=instrument")


async def test_search_vocab_lists_an_acronym_the_listings_spell_out(api: Any, admin_token: str) -> None:
    # given published listings that write a term with its acronym in brackets
    acronym = "".join(random.choice(string.ascii_uppercase) for _ in range(5))
    for sentence in (f"本仪器可开展量子级联光谱({acronym})测试。", f"采用量子级联光谱（{acronym}）方法。"):
        await published_instrument(api, admin_token, description=sentence, model=unique("M"))
    await api.wait_indexed(admin_token)

    # when the vocabulary is mined without review
    done = run_cli("search-vocab", "--limit", "500")

    # then the pair is listed for a person to decide on, and nothing is written
    assert done.returncode == 0, done.stderr
    assert f"[acronym] {acronym.lower()}, 量子级联光谱" in done.stdout


async def test_facets_are_disjunctive_two_values_of_one_facet_return_the_union(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given an instrument, an achievement and an expert that share a word nobody else uses
    word = "Fx" + "".join(random.choice(string.ascii_lowercase) for _ in range(6))
    org = await create_org(api, admin_token, kind="university", region="500106")
    _, provider = await create_user(api, admin_token, org_id=org["id"], role="provider")
    made = {}
    for kind in ("instrument", "achievement", "expert"):
        listing = await create_listing(api, provider, kind, keywords=[word], description=f"关键词 {word}。")
        await publish_listing(api, provider, admin_token, kind, listing["id"])
        made[kind] = listing["id"]
    await api.wait_indexed(admin_token)

    # when the word is searched with one type picked
    one = await api.json("GET", "/api/v1/search", params={"q": word, "type": "instrument"})

    # then only the instrument is listed, but the other types keep their counts (they can still be added)
    assert [item["id"] for item in one["items"]] == [made["instrument"]]
    assert one["total"] == 1
    counts = {bucket["key"]: bucket["count"] for bucket in one["facets"]["type"]}
    assert counts == {"instrument": 1, "achievement": 1, "expert": 1}

    # when a second value of the same facet is added
    two = await api.json("GET", "/api/v1/search", params={"q": word, "type": "instrument,achievement"})

    # then the hits are the union of both values
    assert sorted((item["type"], item["id"]) for item in two["items"]) == sorted(
        [("instrument", made["instrument"]), ("achievement", made["achievement"])]
    )
    assert two["total"] == 2

    # and another facet counts under the type selection only (the expert's field is not counted)
    fields = {bucket["key"]: bucket["count"] for bucket in two["facets"]["field"]}
    assert fields == {"materials": 2}

    # when the portal shows the one-type page, its 科技成果 link adds the second value to the first
    html = await page(stack, f"/search?q={word}&type=instrument")
    link = f'href="/search?q={word}&amp;type=instrument%2Cachievement"'
    assert link in html
    both = await page(stack, f"/search?q={word}&type=instrument%2Cachievement")

    # then the page lists both listings, each ticked value marked active
    assert f'href="/listings/instrument/{made["instrument"]}"' in both
    assert f'href="/listings/achievement/{made["achievement"]}"' in both
    assert f'href="/listings/expert/{made["expert"]}"' not in both
    assert both.count('class="active" aria-current="true"') == 2


async def test_cards_and_listing_pages_show_verified_once_an_admin_verifies_the_organisation(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given an unverified organisation's published achievement, with a word nobody else uses
    word = "Vf" + "".join(random.choice(string.ascii_lowercase) for _ in range(6))
    org = await create_org(api, admin_token, verified=False, kind="university", region="500106")
    _, provider = await create_user(api, admin_token, org_id=org["id"], role="provider")
    made = await create_listing(api, provider, "achievement", keywords=[word], description=f"关键词 {word}。")
    await publish_listing(api, provider, admin_token, "achievement", made["id"])
    await api.wait_indexed(admin_token)
    listing_path = f"/listings/achievement/{made['id']}"

    # then neither its card nor its page says 已认证
    found = await api.json("GET", "/api/v1/search", params={"q": word})
    assert [(item["id"], item["org_verified"]) for item in found["items"]] == [(made["id"], False)]
    assert "已认证" not in card_of(await page(stack, f"/search?q={word}"), listing_path)
    assert "已认证" not in await page(stack, listing_path)

    # when its own member tries to verify it, they are refused and nothing changes
    refused = await api.call("POST", f"/api/v1/orgs/{org['id']}/verify", token=provider)
    assert refused.status_code == 403
    await api.wait_indexed(admin_token)
    assert "已认证" not in card_of(await page(stack, f"/search?q={word}"), listing_path)

    # when an administrator verifies it
    await api.json("POST", f"/api/v1/orgs/{org['id']}/verify", token=admin_token)
    await api.wait_indexed(admin_token)

    # then the index caught up through the outbox: the card and the page say 已认证
    found = await api.json("GET", "/api/v1/search", params={"q": word})
    assert [(item["id"], item["org_verified"]) for item in found["items"]] == [(made["id"], True)]
    html = card_of(await page(stack, f"/search?q={word}"), listing_path)
    assert '<span class="badge badge-verified" title="发布机构已通过平台认证">已认证</span>' in html
    assert "已认证" in await page(stack, listing_path)


async def test_a_short_form_and_taiwan_wording_find_the_listing_written_out(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given an attitude-control instrument and a tele-rehabilitation one, written out in mainland terms
    model = "Zk" + "".join(random.choice(string.ascii_lowercase) for _ in range(5))
    attitude = await published_instrument(api, admin_token, model=model, name="小卫星姿态控制仿真转台")
    rehab = await published_instrument(api, admin_token, model=model + "r", name="远程康复训练评估系统")
    await api.wait_indexed(admin_token)

    # when the first is searched by its short form (each character starts a word of the title)
    found = await api.json("GET", "/api/v1/search", params={"q": "姿控", "type": "instrument", "size": 100})

    # then it is found without relaxing the query
    assert attitude["id"] in [item["id"] for item in found["items"]]
    assert found["relaxed"] is False

    # when the second is searched in Taiwan wording (遠距 = 远程, 復健 = 康复)
    found = await api.json(
        "GET", "/api/v1/search", params={"q": "遠距復健", "type": "instrument", "size": 100}
    )

    # then it is found, and the short form of the first does not find it
    assert rehab["id"] in [item["id"] for item in found["items"]]
    assert found["relaxed"] is False
    found = await api.json("GET", "/api/v1/search", params={"q": "姿控", "type": "instrument", "size": 100})
    assert rehab["id"] not in [item["id"] for item in found["items"]]


async def test_a_query_that_fills_less_than_a_page_is_followed_by_listings_like_its_results(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given a calorimeter of a unique model and a battery-safety instrument that shares its tags, not its model
    tag = "zq" + "".join(random.choice(string.ascii_lowercase) for _ in range(6))
    model = "Zr" + "".join(random.choice(string.ascii_lowercase) for _ in range(5))
    calorimeter = await published_instrument(
        api,
        admin_token,
        model=model,
        name="绝热加速量热仪",
        keywords=["热失控", "电池安全", tag],
        category="1201",
    )
    neighbour = await published_instrument(
        api,
        admin_token,
        model=model[::-1] + "x",
        name="电池包安全测试系统",
        keywords=["热失控", "电池安全", tag],
    )
    # and an instrument of the calorimeter's category that shares no word with it (named by its own tag)
    cousin_tag = "zq" + "".join(random.choice(string.ascii_lowercase) for _ in range(6))
    cousin = await published_instrument(
        api,
        admin_token,
        model=unique("Yk"),
        name="高低温交变湿热试验箱",
        keywords=[cousin_tag],
        category="1201",
    )
    await api.wait_indexed(admin_token)

    # when the calorimeter's model is searched: one result, far less than a page
    found = await api.json("GET", "/api/v1/search", params={"q": model, "type": "instrument"})

    # then the result is the calorimeter alone, and the neighbour comes after it as related, not as a result
    assert [item["id"] for item in found["items"]] == [calorimeter["id"]]
    assert found["total"] == 1
    related = [item["id"] for item in found["related"]]
    assert neighbour["id"] in related
    assert calorimeter["id"] not in related
    # the same-category instrument is a neighbour too, though it shares no word with the calorimeter
    assert cousin["id"] in related

    # when a later page is asked for, or a full page is found, nothing related is added
    later = await api.json("GET", "/api/v1/search", params={"q": model, "type": "instrument", "page": 2})
    assert later["related"] == []

    # and the portal shows them apart, under 相关推荐
    html = await page(stack, f"/search?q={model}&type=instrument")
    assert "相关推荐" in html
    assert (
        html.index(f"/listings/instrument/{calorimeter['id']}")
        < html.index("相关推荐")
        < html.index(f"/listings/instrument/{neighbour['id']}")
    )


async def published_experts(api: Any, admin: str, topic: str, **experts: dict[str, Any]) -> dict[str, int]:
    """Experts of one new organisation on ``topic``, published and indexed: their ids by the names given."""
    org = await create_org(api, admin, kind="university", region="500106")
    _, provider = await create_user(api, admin, org_id=org["id"], role="provider")
    ids = {}
    for label, fields in experts.items():
        made = await create_listing(api, provider, "expert", name="王立新", keywords=[topic], **fields)
        await publish_listing(api, provider, admin, "expert", made["id"])
        ids[label] = made["id"]
    await api.wait_indexed(admin)
    return ids


async def test_a_price_ceiling_in_the_query_puts_affordable_experts_first_and_keeps_the_rest(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given two experts on the same rare topic, the dearer one saying it twice (so it leads on the text alone)
    topic = unique("锂硫电池界面")
    ids = await published_experts(
        api,
        admin_token,
        topic,
        affordable={"bio": f"长期从事{topic}研究，发表论文多篇。", "rate_fen_per_hour": 30_000},
        dear={"bio": f"长期从事{topic}研究，{topic}方向带头人。", "rate_fen_per_hour": 120_000},
    )

    async def order(q: str) -> list[int]:
        found = await api.json("GET", "/api/v1/search", params={"q": q, "type": "expert", "size": 50})
        return [item["id"] for item in found["items"] if item["id"] in ids.values()]

    # when the topic is searched without a ceiling, then the dearer one leads
    assert await order(f"{topic} 专家") == [ids["dear"], ids["affordable"]]
    # when the user types what they will pay per hour, then the affordable one leads and the other stays found
    assert await order(f"{topic} 专家 每小时500元以内") == [ids["affordable"], ids["dear"]]
    # and the answer and the page say which ceiling was read
    found = await api.json("GET", "/api/v1/search", params={"q": f"{topic} 每小时500元以内"})
    assert found["price_ceiling_fen"] == 50_000
    assert "价格上限 ¥500.00" in await page(stack, f"/search?q={topic} 每小时500元以内")
    assert (await api.json("GET", "/api/v1/search", params={"q": topic}))["price_ceiling_fen"] is None
    # and an amount no engine number can hold is no ceiling, not a failed search
    absurd = await api.json("GET", "/api/v1/search", params={"q": f"{topic} 不超过{'9' * 40}万元"})
    assert absurd["price_ceiling_fen"] is None
    assert {ids["affordable"], ids["dear"]} <= {item["id"] for item in absurd["items"]}


@pytest.mark.parametrize(
    ("seed", "asked", "meets", "other", "read"),
    [
        # an award: the other says every word of it apart (重庆市 … 技术 … 发明奖)
        (
            "钠离子电池正极",
            "有没有获得过重庆市技术发明奖的{topic}专家",
            "长期从事{topic}研究，曾获重庆市技术发明奖二等奖。",
            "主持重庆市技术创新与应用发展专项，获得发明奖提名，长期从事{topic}技术研究，{topic}方向带头人。",
            "重庆市技术发明奖",
        ),
        # a minimum: the other holds 5 patents and has "30项以上" more pending
        (
            "固态锂金属负极",
            "想找授权发明专利30项以上的{topic}专家",
            "长期从事{topic}研究，发表论文20篇，授权发明专利31项。",
            "长期从事{topic}研究，{topic}方向带头人，授权发明专利5项，另有发明专利申请30项以上在审。",
            "授权发明专利≥30",
        ),
    ],
)
async def test_a_fact_typed_in_the_query_ranks_the_listing_that_states_it_first(
    api: Any, admin_token: str, stack: Any, seed: str, asked: str, meets: str, other: str, read: str
) -> None:
    # given two experts on the same rare topic: one states the fact; the other does not, but says the topic twice
    # and the fact's words apart, so on the words alone it leads
    topic = unique(seed)
    ids = await published_experts(
        api,
        admin_token,
        topic,
        meets={"bio": meets.format(topic=topic)},
        other={"bio": other.format(topic=topic)},
    )

    async def order(q: str) -> list[int]:
        found = await api.json("GET", "/api/v1/search", params={"q": q, "size": 50})
        return [item["id"] for item in found["items"] if item["id"] in ids.values()]

    # when the topic alone is searched, then the other leads
    assert await order(f"{topic} 专家") == [ids["other"], ids["meets"]]
    # when the fact is asked for, then the expert stating it leads and the other is still found
    question = asked.format(topic=topic)
    assert await order(question) == [ids["meets"], ids["other"]]
    # and the answer and the page say which fact was read, in the listings' wording
    found = await api.json("GET", "/api/v1/search", params={"q": question})
    assert found["query_facts"] == [read]
    assert "已识别条件" in await page(stack, f"/search?q={question}")
    assert (await api.json("GET", "/api/v1/search", params={"q": topic}))["query_facts"] == []


async def test_a_homophone_slip_of_a_catalogue_term_is_searched_as_the_term_and_the_page_says_so(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given two experts on one rare topic: one won the award, the other says its words apart
    topic = unique("钠离子电池负极")
    ids = await published_experts(
        api,
        admin_token,
        topic,
        winner={"bio": f"长期从事{topic}研究，曾获重庆市技术发明奖二等奖。"},
        other={"bio": f"长期从事{topic}技术研究，{topic}方向带头人，发明专利多项，获得提名奖。"},
    )

    async def search(q: str) -> dict[str, Any]:
        return dict(await api.json("GET", "/api/v1/search", params={"q": q, "size": 50}))

    # when the award is typed with a homophone slip (名 for 明)
    slipped = await search(f"{topic} 技术发名奖")

    # then it is searched as the award: the winner leads, the other is still found
    assert [item["id"] for item in slipped["items"] if item["id"] in ids.values()] == [
        ids["winner"],
        ids["other"],
    ]
    assert slipped["query_facts"] == ["重庆市技术发明奖"]
    # and the answer says what was searched, in the catalogue's wording
    assert slipped["corrected_q"] == f"{topic} 技术发明奖".lower()
    assert "已按“" in await page(stack, f"/search?q={topic} 技术发名奖")
    # and a query typed right, or a word that is no slip of a term, is searched as typed and says nothing
    assert (await search(f"{topic} 技术发明奖"))["corrected_q"] is None
    assert (await search(f"{topic} 服务企业"))["corrected_q"] is None
    assert "已按“" not in await page(stack, f"/search?q={topic}")


async def test_what_an_instrument_kind_measures_finds_it_when_its_own_text_does_not_say_so(
    api: Any, admin_token: str, stack: Any
) -> None:
    # given one model at two instruments: a materials testing machine and an incubator, neither of whose texts
    # says 拉伸强度 or 屈服强度
    model = unique("Qz")
    tester = await published_instrument(
        api, admin_token, name="电子万能材料试验机", model=model, category="0201"
    )
    other = await published_instrument(api, admin_token, name="恒温培养箱", model=model)
    await api.wait_indexed(admin_token)

    # when the model is searched with two things to be measured (a listing must match two of the three words)
    found = await api.json(
        "GET", "/api/v1/search", params={"q": f"{model} 拉伸强度 屈服强度", "type": "instrument", "size": 50}
    )

    # then the testing machine is found as asked, through the table of what its kind measures, and the
    # incubator, which matches the model alone, is not
    assert [item["id"] for item in found["items"] if item["id"] in (tester["id"], other["id"])] == [
        tester["id"]
    ]
    assert found["relaxed"] is False
