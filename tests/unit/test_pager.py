"""The shared list pager: previous/next, first and last page, a window around the current page, a 跳转 box."""

from web.pages.shell import page_numbers, pager
from web.templating import templates


def test_the_window_keeps_the_first_and_last_page_and_marks_gaps() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(6, 12) == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert page_numbers(12, 12) == [1, None, 10, 11, 12]


def test_every_link_and_the_jump_box_keep_the_lists_other_parameters() -> None:
    # given the sixth of 12 pages of a broker queue filtered by a demand and a stage
    paging = pager("/broker", 6, 235, 20, "&demand_id=3&status=contacted")

    # then each number links to its page with the filters kept, and the box carries them as hidden fields
    assert paging["last"] == 12
    assert paging["prev"] == "/broker?page=5&demand_id=3&status=contacted"
    assert paging["next"] == "/broker?page=7&demand_id=3&status=contacted"
    assert paging["numbers"][0] == (1, "/broker?page=1&demand_id=3&status=contacted")
    assert paging["numbers"][-1] == (12, "/broker?page=12&demand_id=3&status=contacted")
    assert (None, "") in paging["numbers"]
    assert paging["hidden"] == [("demand_id", "3"), ("status", "contacted")]


def test_the_macro_draws_numbers_the_current_page_and_a_jump_form() -> None:
    macro = templates.env.get_template("_macros.html").module.pager  # type: ignore[attr-defined]

    html = str(macro(pager("/me/enquiries", 6, 235, 20, "&box=sent")))

    assert '<a href="/me/enquiries?page=1&amp;box=sent" aria-label="第 1 页">1</a>' in html
    assert '<a href="/me/enquiries?page=12&amp;box=sent" aria-label="第 12 页">12</a>' in html
    assert '<span class="current" aria-current="page">6</span>' in html
    assert html.count('class="gap"') == 2
    assert '<form method="get" action="/me/enquiries" class="pager-jump">' in html
    assert '<input type="hidden" name="box" value="sent">' in html
    assert 'name="page" min="1" max="12" value="6"' in html
    assert ">跳转</button>" in html
    # a single page draws nothing
    assert str(macro(pager("/me/enquiries", 1, 5, 20))).strip() == ""
