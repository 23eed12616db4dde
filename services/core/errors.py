"""Domain errors: every service raises these; only web/errors.py maps them to HTTP."""

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    MALFORMED = "malformed"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


class DomainError(Exception):
    """A stable `code`, the message in Chinese (`message_zh`) and in English (`message_en`), kept apart.

    `detail` is the problem+json text for API clients: the Chinese sentence with the English gloss.
    """

    kind: ErrorKind = ErrorKind.INVALID

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.detail = f"{message_zh} ({message_en})" if message_en else message_zh
        self.errors = errors or []
        super().__init__(self.detail)

    def message(self, locale: str = "zh-CN") -> str:
        """The message in the reader's language; Chinese unless English is asked for and written."""
        if locale.lower().startswith("en") and self.message_en:
            return self.message_en
        return self.message_zh


class Invalid(DomainError):
    kind = ErrorKind.INVALID

    @classmethod
    def field(
        cls,
        loc: list[str | int],
        message_zh: str,
        message_en: str | None = None,
        *,
        code: str = "invalid_field",
    ) -> "Invalid":
        """One invalid field, named by its location; `detail` and `errors[].msg` keep the bilingual text."""
        text = f"{message_zh} ({message_en})" if message_en else message_zh
        error = cls(
            code, message_zh, message_en, errors=[{"loc": loc, "msg": text, "message_zh": message_zh}]
        )
        error.detail = f"{'.'.join(str(p) for p in loc)}: {text}"
        return error


class Malformed(DomainError):
    """A request whose body cannot be used at all (a 400, not a field-level 422)."""

    kind = ErrorKind.MALFORMED


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN


class Unauthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED


class RateLimited(DomainError):
    kind = ErrorKind.RATE_LIMITED

    def __init__(
        self, code: str, message_zh: str, message_en: str | None = None, *, retry_after: int
    ) -> None:
        super().__init__(code, message_zh, message_en)
        self.retry_after = retry_after


class Unavailable(DomainError):
    kind = ErrorKind.UNAVAILABLE


class Problem(str):
    """What a check found wrong with a value, in Chinese and in English as separate fields. As a string it
    reads "中文 / English" (the CLI and logs); errors raised from it take the two apart, never by splitting."""

    zh: str
    en: str

    def __new__(cls, zh: str, en: str) -> "Problem":
        self = super().__new__(cls, f"{zh} / {en}")
        self.zh, self.en = zh, en
        return self


class LocalizedValueError(ValueError):
    """A validator's message in both languages; pydantic keeps the exception in the error's `ctx`."""

    def __init__(self, message_zh: str, message_en: str | None = None) -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_zh} ({message_en})" if message_en else message_zh)

    @classmethod
    def of(cls, problem: Problem) -> "LocalizedValueError":
        return cls(problem.zh, problem.en)


def validation_message_zh(error: Any) -> str:
    """A pydantic error said in Chinese: the validator's own Chinese when it gave one, else by its kind."""
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
