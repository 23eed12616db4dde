"""The engine document of a listing snapshot (search/documents.py), without an engine."""

from typing import Any

from search.documents import build_document


def instrument(**overrides: Any) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "id": 7,
        "type": "instrument",
        "status": "published",
        "org_id": 3,
        "title": "场发射扫描电子显微镜（ZEISS Sigma 300）",
        "name": "场发射扫描电子显微镜",
        "model": "Sigma 300",
        "summary": "重庆大学分析测试中心｜微观形貌观察",
        "description": "分辨率0.8 nm@15 kV",
        "keywords": ["SEM", "扫描电镜"],
        "fields": ["materials"],
        "region": "500106",
        "category": "0101",
        "contact": {"phone": "13000000000"},
    }
    snapshot.update(overrides)
    return snapshot


def test_pinyin_fields_hold_title_and_keywords_one_syllable_per_token() -> None:
    # given an instrument whose title says 扫描电子显微镜 and whose keyword says 扫描电镜
    document = build_document(instrument())

    # then both are searchable by syllables and initials, each value on its own
    assert document["title_pinyin"] == [
        "chang fa she sao miao dian zi xian wei jing zeiss sigma 300",
        "sem",
        "sao miao dian jing",
    ]
    assert document["title_initials"] == ["c f s s m d z x w j zeiss sigma 300", "sem", "s m d j"]


def test_an_instruments_maker_is_searchable_by_pinyin_but_no_other_listings_field_is() -> None:
    # given an instrument made by 英斯特朗 and an achievement whose snapshot happens to carry a manufacturer
    made = build_document(instrument(keywords=[], manufacturer="英斯特朗(Instron)"))
    other = build_document({**instrument(keywords=[], manufacturer="英斯特朗"), "type": "achievement"})

    # then the maker's syllables are a value of the instrument's pinyin field (yingsitelang finds it) ...
    assert "ying si te lang instron" in made["title_pinyin"]
    assert "y s t l instron" in made["title_initials"]
    # ... and only an instrument names its maker
    assert not [value for value in other["title_pinyin"] if "ying si te lang" in value]


def test_keywords_are_normalised_for_exact_matching() -> None:
    document = build_document(instrument(keywords=["SEM", "掃描電鏡", "ＦＥＳＥＭ"]))

    assert document["keywords"] == ["sem", "扫描电镜", "fesem"]
    assert document["display"]["keywords"] == ["SEM", "掃描電鏡", "ＦＥＳＥＭ"]


def test_keywords_feed_suggestions_apart_from_the_title() -> None:
    document = build_document(instrument())

    assert "smdj" in document["suggest_alias"]
    assert "saomiaodianjing" in document["suggest_alias"]
    assert not any(entry.startswith("smdj") for entry in document["suggest"])
    assert document["suggest"][0] == "场发射扫描电子显微镜(zeiss sigma 300)"


def test_document_never_carries_contact_data() -> None:
    document = build_document(instrument())

    assert "contact" not in document
    assert "contact" not in document["display"]
    assert "13000000000" not in str(document)
