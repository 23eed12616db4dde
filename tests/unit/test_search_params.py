"""Search parameters are parsed once (web/search_params.py): strict for the API, forgiving for the page."""

import pytest

from services.core.errors import Invalid
from web import search_params


def test_the_api_names_every_value_it_does_not_know() -> None:
    cases = [
        ({"types": "instrument,robot"}, "type"),
        ({"maturity": "ripe"}, "maturity"),
        ({"regions": "500106,cq"}, "region"),
        ({"sort": "cheapest"}, "sort"),
        ({"min_price_fen": 500, "max_price_fen": 100}, "min_price_fen"),
        ({"search_after": "not json"}, "search_after"),
        ({"search_after": '{"a": 1}'}, "search_after"),
        ({"search_after": "[1.5, 7]", "group": True}, "group"),
    ]
    for case, name in cases:
        with pytest.raises(Invalid) as raised:
            search_params.parse(**case)  # type: ignore[arg-type]
        assert raised.value.errors[0]["loc"] == ["query", name], case


def test_the_page_drops_what_it_does_not_know_and_keeps_the_rest() -> None:
    params = search_params.parse(
        q="  扫描电镜 ",
        types="instrument,robot,instrument",
        maturity="ripe,pilot",
        regions="500106,cq",
        sort="cheapest",
        min_price_fen=50_000,
        max_price_fen=10_000,
        page=99_999,
        size=20,
        search_after="[1]",
        strict=False,
    )

    assert params.q == "扫描电镜"
    assert params.types == ("instrument",)
    assert params.maturity == ("pilot",)
    assert params.regions == ("500106",)
    assert params.sort == "relevance"
    assert (params.min_price_fen, params.max_price_fen) == (None, None)
    assert params.page == 500
    assert params.search_after is None


def test_both_build_the_same_parameters_from_the_same_valid_values() -> None:
    values = {"q": "SEM", "types": "instrument", "regions": "500106", "maturity": "pilot", "sort": "newest"}

    assert search_params.parse(**values) == search_params.parse(**values, strict=False)  # type: ignore[arg-type]
