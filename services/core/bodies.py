"""Decoded JSON bodies validated against a schema: JSON's own types, every bad field named."""

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.core.errors import Invalid, LocalizedValueError

_M = TypeVar("_M", bound=BaseModel)


def validation_errors(exc: ValidationError, prefix: list[str | int] | None = None) -> Invalid:
    """Turn a pydantic error into our Invalid with every field named."""
    errors: list[dict[str, Any]] = []
    for err in exc.errors(include_url=False):
        entry: dict[str, Any] = {
            "loc": [*(prefix or []), *err["loc"]],
            "msg": err["msg"].removeprefix("Value error, "),
        }
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, LocalizedValueError):
            entry["message_zh"] = cause.message_zh
        errors.append(entry)
    first = errors[0]
    invalid = Invalid("validation_failed", first.get("message_zh") or first["msg"], errors=errors)
    invalid.detail = f"{'.'.join(str(p) for p in first['loc']) or 'body'}: {first['msg']}"
    return invalid


def validate_json_body(model: type[_M], body: dict[str, Any]) -> _M:
    """Validate a decoded JSON body with JSON's own types: no "6" or 6.0 for an integer, no "yes" for true."""
    # Lax mode would quietly turn "100" into 100 fen; spreadsheets (bulk.py) stay lax, API clients do not.
    text = json.dumps(
        body, default=lambda value: value.isoformat() if hasattr(value, "isoformat") else str(value)
    )
    return model.model_validate_json(text, strict=True)


def parse_body(model: type[_M], body: Any) -> _M:
    """Validate a decoded JSON body against a schema, naming every bad field."""
    if not isinstance(body, dict):
        raise Invalid.field(["body"], "需要 JSON 对象", "a JSON object is required")
    try:
        return validate_json_body(model, body)
    except ValidationError as exc:
        raise validation_errors(exc, ["body"]) from exc
