"""Errors carry a code and the Chinese and English messages as separate fields; nobody splits text."""

import ast
import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from services.core.errors import Conflict, Invalid, LocalizedValueError
from web.pages.forms import domain_errors, field_errors, human_message

ROOT = Path(__file__).resolve().parents[2]
_ERRORS = {
    "Invalid",
    "NotFound",
    "Conflict",
    "Forbidden",
    "Unauthenticated",
    "RateLimited",
    "Unavailable",
    "LocalizedValueError",
    "ValueError",
    "RowError",
    "_file_error",
}
_GLOSSED = re.compile(r"[\u4e00-\u9fff].*\([\x20-\x7e]+\)\s*$")


def test_a_domain_error_keeps_both_languages_apart() -> None:
    error = Conflict("slot_taken", "该时段已被预约", "the slot overlaps another booking")

    assert error.code == "slot_taken"
    assert error.message("zh-CN") == "该时段已被预约"
    assert error.message("en") == "the slot overlaps another booking"
    assert error.detail == "该时段已被预约 (the slot overlaps another booking)"


def test_a_message_without_english_falls_back_to_chinese() -> None:
    assert Conflict("x", "仅中文").message("en") == "仅中文"


def test_a_field_error_names_its_field_in_the_detail_but_not_in_the_reader_message() -> None:
    error = Invalid.field(["body", "total_fen"], "金额过大", "amount too large")

    assert error.detail == "body.total_fen: 金额过大 (amount too large)"
    assert human_message(error) == "金额过大"
    assert domain_errors(error) == {"total_fen": "金额过大"}


class _Form(BaseModel):
    price: int

    @field_validator("price")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise LocalizedValueError("价格须大于零", "price must be positive")
        return value


def test_a_validator_message_reaches_the_portal_in_chinese_and_the_api_glossed() -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({"price": 0})

    assert field_errors(caught.value) == {"price": "价格须大于零"}
    assert caught.value.errors()[0]["msg"] == "Value error, 价格须大于零 (price must be positive)"


def _text_of(node: ast.expr) -> str:
    """A string argument's literal text; an f-string's literal parts, one placeholder as `x`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text_of(part) if isinstance(part, ast.Constant) else "x" for part in node.values)
    return ""


def _glossed_single_strings(path: Path) -> list[str]:
    """Where an error (a domain error, an import row or file error, a validator's) is raised with one string
    that glues the English to the Chinese, instead of passing the two apart."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in _ERRORS and not (name == "field" and isinstance(func, ast.Attribute)):
            continue
        if any(_GLOSSED.search(_text_of(arg)) for arg in node.args):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_error_is_raised_with_english_glued_to_the_chinese() -> None:
    offenders = [
        place
        for package in ("services", "search", "matching", "web", "entry")
        for path in sorted((ROOT / package).rglob("*.py"))
        for place in _glossed_single_strings(path)
    ]

    assert offenders == []


def test_the_english_detail_is_the_english_sentence_with_a_fields_location_in_front() -> None:
    from web.errors import localised_detail

    field = Invalid.field(
        ["body", "listing_id"], "不能向本机构委托服务", "an organisation cannot order from itself"
    )
    plain = Conflict("slot_taken", "该时段已被预约", "the slot overlaps another booking")
    chinese_only = Conflict("legacy", "仅中文")

    assert (
        localised_detail(field, english=True) == "body.listing_id: an organisation cannot order from itself"
    )
    assert localised_detail(field, english=False) == field.detail
    assert localised_detail(plain, english=True) == "the slot overlaps another booking"
    assert localised_detail(plain, english=False) == "该时段已被预约 (the slot overlaps another booking)"
    assert localised_detail(chinese_only, english=True) == "仅中文"
