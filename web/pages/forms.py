"""Portal forms: posted fields bound to Pydantic models, with every error said in Chinese next to its field."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from starlette.datastructures import FormData

from services.core.clock import CHINA_TZ
from services.core.errors import DomainError
from services.core.errors import validation_message_zh as _zh
from web.pages.csrf import FIELD as CSRF_FIELD

_M = TypeVar("_M", bound=BaseModel)
GENERAL = "__all__"
PORTAL_LOCALE = "zh-CN"


def human_message(exc: DomainError) -> str:
    """A service refusal as the portal's reader sees it: the message in the portal's language."""
    return exc.message(PORTAL_LOCALE)


def _parse_yuan(value: Any) -> int | None:
    """'12,345.6' 元 -> 1234560 分; empty -> None. Decimal arithmetic: money never passes through a float."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError("请输入金额（元），如 12345.00") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError("金额不能为负数")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("金额最多保留两位小数")
    if amount > Decimal(10) ** 13:
        raise ValueError("金额过大")
    return int(amount * 100)


def beijing(moment: datetime) -> datetime:
    """Form times (datetime-local) are Beijing wall-clock time unless they say otherwise."""
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)


def form_int(value: Any) -> Any:
    """A form's digits as an integer (API bodies are strict about JSON types); anything else as typed, for the
    API to name as the field's error; blank as None."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() else (text or None)


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


YuanFen = Annotated[int | None, BeforeValidator(_parse_yuan)]
BlankIsNone = BeforeValidator(_blank_to_none)


def form_values(form: FormData, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted fields as a dict: strings trimmed, multi-valued fields (checkboxes) as lists."""
    values: dict[str, Any] = {key: [] for key in lists}
    for key in form:
        if key == CSRF_FIELD:
            continue
        if key in lists:
            values[key] = [v.strip() for v in form.getlist(key) if isinstance(v, str) and v.strip()]
        else:
            value = form.get(key)
            values[key] = value.strip() if isinstance(value, str) else ""
    return values


def field_errors(exc: ValidationError, *, dotted: bool = False) -> dict[str, str]:
    """The first error of each field, in Chinese, keyed by field name ('__all__' for the whole form).

    With ``dotted``, nested places are named in full (``fees.1.price``), as the inputs of nested forms are.
    """
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        loc = [part for part in error.get("loc", ()) if dotted or isinstance(part, str)]
        name = ".".join(str(part) for part in loc) if dotted else (str(loc[0]) if loc else "")
        errors.setdefault(name or GENERAL, _zh(error))
    return errors


def bind(
    model: type[_M], values: dict[str, Any], *, dotted: bool = False
) -> tuple[_M | None, dict[str, str]]:
    """Validate the form against its model: the model, or None with the field errors."""
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        return None, field_errors(exc, dotted=dotted)


def domain_errors(exc: DomainError, *, fields: dict[str, str] | None = None) -> dict[str, str]:
    """A service refusal as form errors: messages on the fields they name (renamed by `fields`), else general."""
    errors: dict[str, str] = {}
    renames = fields or {}
    for error in exc.errors:
        names = [str(part) for part in error.get("loc", []) if isinstance(part, str) and part != "body"]
        name = renames.get(names[0], names[0]) if names else GENERAL
        errors.setdefault(name, str(error.get("message_zh") or error.get("msg", "")))
    if not errors:
        errors[GENERAL] = human_message(exc)
    return errors


class _MoneyRow(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    amount: YuanFen


def money_rows(values: dict[str, Any], prefix: str, count: int) -> tuple[list[dict[str, Any]], str | None]:
    """The filled rows `{prefix}_name_{i}` / `{prefix}_amount_{i}` (元) of a form (a quote's lines, its
    milestones) as `{"name", "amount_fen"}` in order, blank rows skipped; or the first bad row's error in Chinese,
    named by its number."""
    rows: list[dict[str, Any]] = []
    for i in range(count):
        name, amount = values.get(f"{prefix}_name_{i}", ""), values.get(f"{prefix}_amount_{i}", "")
        if not name and not amount:
            continue
        row, errors = bind(_MoneyRow, {"name": name, "amount": amount})
        if row is None or row.amount is None:
            return [], f"第 {i + 1} 行：{errors.get('amount') or errors.get('name') or '请填写金额（元）'}"
        rows.append({"name": row.name, "amount_fen": row.amount})
    return rows, None
