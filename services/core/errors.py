"""Domain errors: every service raises these; only web/errors.py maps them to HTTP."""

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


class DomainError(Exception):
    kind: ErrorKind = ErrorKind.INVALID

    def __init__(self, code: str, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors or []


class Invalid(DomainError):
    kind = ErrorKind.INVALID

    @classmethod
    def field(cls, loc: list[str | int], msg: str, code: str = "invalid_field") -> "Invalid":
        """One invalid field, named by its location."""
        return cls(code, f"{'.'.join(str(p) for p in loc)}: {msg}", errors=[{"loc": loc, "msg": msg}])


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

    def __init__(self, code: str, detail: str, *, retry_after: int) -> None:
        super().__init__(code, detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    kind = ErrorKind.UNAVAILABLE
