"""Result cards people can tell apart: snippets without repetition, one card per instrument model (pure)."""

from typing import Any

from search.analysis import latin_text
from search.documents import group_of
from search.service import distinct_fragments
from web.pages.portal import Visitor, _hit, group_cards


def test_a_sentence_already_shown_is_not_shown_again() -> None:
    # given highlight fragments from the summary and the description that repeat one sentence
    fragments = [
        "可开展<em>扫描电镜</em>形貌观察。收费400元/小时。",
        "可开展<em>扫描电镜</em>形貌观察。配备EDS能谱。",
        "收费400元/小时。",
    ]

    # then each sentence appears once and an emptied fragment goes
    assert distinct_fragments(fragments) == [
        "可开展<em>扫描电镜</em>形貌观察。收费400元/小时。",
        "配备EDS能谱。",
    ]


def test_identical_models_share_a_group_and_other_listings_do_not() -> None:
    sem = {"type": "instrument", "id": 1, "model": "Sigma 300", "manufacturer": "ZEISS"}
    same = {**sem, "id": 2, "manufacturer": "zeiss"}
    expert = {"type": "expert", "id": 3, "model": "Sigma 300"}

    assert group_of(sem) == group_of(same) == "instrument:zeiss:sigma 300"
    assert group_of(expert) == "expert:3"


def instrument(listing_id: int, campus: str, availability: str) -> dict[str, Any]:
    return {
        "type": "instrument",
        "id": listing_id,
        "title": "场发射扫描电子显微镜",
        "model": "Sigma 300",
        "manufacturer": "ZEISS",
        "location": {"campus": campus},
        "availability": availability,
        "fees": [{"unit": "hour", "price_fen": 40_000}],
    }


def test_one_card_per_model_names_the_other_institutions_and_their_availability() -> None:
    # given three hits of one model and an achievement between them
    items = [
        instrument(1, "重庆大学虎溪校区", "available"),
        {"type": "achievement", "id": 9, "title": "石墨烯导热膜"},
        instrument(2, "西南大学", "maintenance"),
        instrument(3, "重庆理工大学", "available"),
    ]

    # when the page builds its cards
    cards = group_cards([_hit(item) for item in items])

    # then the model is one card at its best rank, with the institution, availability and the others
    assert [card["href"] for card in cards] == ["/listings/instrument/1", "/listings/achievement/9"]
    first = cards[0]
    assert (first["institution"], first["availability"], first["unavailable"]) == (
        "重庆大学虎溪校区",
        "可预约",
        False,
    )
    assert first["also_at"] == [
        {
            "institution": "西南大学",
            "href": "/listings/instrument/2",
            "availability": "维护中",
            "price": "企业价 400.00 元/小时",
        },
        {
            "institution": "重庆理工大学",
            "href": "/listings/instrument/3",
            "availability": "可预约",
            "price": "企业价 400.00 元/小时",
        },
    ]
    assert first["offered_by"] == 3
    assert cards[1]["availability"] == ""
    assert cards[1]["also_at"] == []


def test_the_english_field_holds_only_the_latin_words() -> None:
    assert latin_text("场发射扫描电镜（ZEISS Sigma 300），配备EDS能谱; 0.8 nm") == "zeiss sigma eds nm"


def test_a_card_shows_the_price_group_the_visitor_would_pay() -> None:
    # given an instrument of organisation 7 with a general fee and cheaper fees for two groups
    item = {
        **instrument(1, "重庆大学虎溪校区", "available"),
        "org_id": 7,
        "fees": [
            {"unit": "hour", "price_fen": 40_000},
            {"unit": "hour", "price_fen": 10_000, "group": "own"},
            {"unit": "hour", "price_fen": 25_000, "group": "academic"},
        ],
    }

    # then an anonymous visitor or a company sees the general fee, a university its group's, the owner its own
    assert _hit(item)["price"] == "企业价 400.00 元/小时"
    assert _hit(item, Visitor(org_id=9, kind="enterprise"))["price"] == "企业价 400.00 元/小时"
    assert _hit(item, Visitor(org_id=9, kind="university"))["price"] == "校外价 250.00 元/小时"
    assert _hit(item, Visitor(org_id=7, kind="university"))["price"] == "校内价 100.00 元/小时"


def test_an_engine_grouped_item_becomes_one_card_listing_the_others_with_their_price() -> None:
    # given an item the engine collapsed, standing for three listings of one model (two returned as members)
    item = {
        **instrument(1, "重庆大学虎溪校区", "available"),
        "same_model_count": 3,
        "same_model": [
            {**instrument(2, "西南大学", "maintenance"), "org_id": 4},
            {
                "type": "instrument",
                "id": 3,
                "location": {"campus": "重庆理工大学"},
                "availability": "available",
            },
        ],
    }

    # when a university visitor of organisation 4 sees the card
    card = _hit(item, Visitor(org_id=4, kind="university"))

    # then it says how many institutions offer the model and what each other one would cost this visitor
    assert card["offered_by"] == 3
    assert card["also_at"] == [
        {
            "institution": "西南大学",
            "href": "/listings/instrument/2",
            "availability": "维护中",
            "price": "校内价 400.00 元/小时",
        },
        {
            "institution": "重庆理工大学",
            "href": "/listings/instrument/3",
            "availability": "可预约",
            "price": "",
        },
    ]
