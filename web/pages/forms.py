"""Portal forms: posted fields bound to Pydantic models, with every error said in Chinese next to its field."""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from starlette.datastructures import FormData

from services.core.errors import DomainError, LocalizedValueError
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


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


YuanFen = Annotated[int | None, BeforeValidator(_parse_yuan)]
BlankIsNone = BeforeValidator(_blank_to_none)


def _zh(error: Any) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return "此项为必填"
    if kind == "string_too_short":
        return (
            "此项不能为空" if context.get("min_length") == 1 else f"至少 {context.get('min_length')} 个字符"
        )
    if kind == "string_too_long":
        return f"不能超过 {context.get('max_length')} 个字符"
    if kind == "string_pattern_mismatch":
        return "格式不正确"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "请输入整数"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {context.get('ge', context.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {context.get('le', context.get('lt'))}"
    if kind.startswith("date"):
        return "请输入有效的日期"
    if kind.startswith("time"):
        return "请输入有效的时间"
    if kind in ("enum", "literal_error"):
        return "请从选项中选择"
    if kind == "too_long":
        return f"最多选择 {context.get('max_length')} 项"
    if kind == "value_error":
        cause = context.get("error")
        if isinstance(cause, LocalizedValueError):
            return cause.message_zh
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return "输入无效"


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
