"""The outermost request guard: input limits every route shares, security headers, metrics, no 500 resets.

One pure-ASGI middleware so that each request pays for one wrapper, not four:
- input every handler would otherwise have to re-check: NUL bytes anywhere, integers outside PostgreSQL's
  int64 in the path, the query or a JSON body, JSON nested deeper than any schema of ours, oversized JSON;
- cookie-authenticated API writes must come from our own origin (bearer-token calls carry no ambient
  credential, so they are exempt);
- security headers on every response (CSP, frame-ancestors, nosniff, Referrer-Policy, HSTS over HTTPS);
- request count and latency per route for /metrics;
- an unexpected exception becomes a problem+json 500 here and is not re-raised, so the server keeps the
  keep-alive connection instead of resetting it.
"""

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core import metrics
from services.core.logging import get_logger

log = get_logger("web.middleware")

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_JSON_DEPTH = 32
MAX_JSON_BYTES = 1024 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SESSION_COOKIE = "tm_session"
FREE_TEXT_PARAMS = frozenset({b"q", b"next", b"search_after"})

# The portal ships one external script and one stylesheet; templates set a few widths with style attributes.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's interactive docs load Swagger UI / ReDoc with an inline bootstrap script from a CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "worker-src 'self' blob:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"

UnexpectedHandler = Callable[[Request, Exception], Awaitable[Response]]
ProblemFactory = Callable[..., Response]


class InputRejected(Exception):
    """Input refused before routing: status, stable code and a bilingual message."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def _check_number_text(text: str, where: str) -> None:
    stripped = text[1:] if text[:1] in "+-" else text
    if stripped.isascii() and stripped.isdigit() and len(stripped) >= 19:
        value = int(text)
        if not INT64_MIN <= value <= INT64_MAX:
            raise InputRejected(
                422, "number_out_of_range", f"{where}: 数值超出范围 (integer outside the 64-bit range)"
            )


def check_target(path: str, query: bytes) -> None:
    """Refuse NUL bytes and out-of-range integers in the path and the query string."""
    if "\x00" in path:
        raise InputRejected(422, "nul_byte", "path: 不允许包含空字符 (NUL byte in the path)")
    for segment in path.split("/"):
        _check_number_text(segment, "path")
    if not query:
        return
    raw = unquote_to_bytes(query.replace(b"+", b" "))
    if b"\x00" in raw:
        raise InputRejected(422, "nul_byte", "query: 不允许包含空字符 (NUL byte in the query string)")
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name in FREE_TEXT_PARAMS:
            continue  # a long number typed into the search box is a query, not an id
        text = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8", "replace")
        _check_number_text(text.strip(), f"query.{name.decode('latin-1')[:40]}")


def check_json(value: Any, depth: int = 0) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH, NUL in any string and integers outside int64."""
    if depth > MAX_JSON_DEPTH:
        raise InputRejected(
            422, "too_deep", f"body: JSON 嵌套超过 {MAX_JSON_DEPTH} 层 (JSON nested too deeply)"
        )
    if isinstance(value, str):
        if "\x00" in value:
            raise InputRejected(422, "nul_byte", "body: 不允许包含空字符 (NUL character in a string)")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise InputRejected(
                422, "number_out_of_range", "body: 数值超出范围 (integer outside the 64-bit range)"
            )
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputRejected(422, "not_a_number", "body: 数值无效 (NaN or infinity)")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_json(key, depth + 1)
            check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json(item, depth + 1)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def check_body(content_type: str, body: bytes) -> None:
    """Check a JSON or urlencoded body; other bodies (uploads) are the handler's business."""
    if content_type.startswith("application/json") or content_type.endswith("+json"):
        if len(body) > MAX_JSON_BYTES:
            raise InputRejected(413, "body_too_large", "body: 请求体过大 (JSON body larger than 1 MiB)")
        if not body.strip():
            return
        try:
            # The stdlib parser recurses once per level; a 100,000-deep array would hit the recursion limit.
            if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _nesting(body) > MAX_JSON_DEPTH:
                raise InputRejected(
                    422, "too_deep", f"body: JSON 嵌套超过 {MAX_JSON_DEPTH} 层 (JSON nested too deeply)"
                )
            parsed = json.loads(body, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            return  # malformed JSON: FastAPI answers 422 with the parser's message
        check_json(parsed)
    elif content_type.startswith("application/x-www-form-urlencoded") and b"\x00" in unquote_to_bytes(
        body.replace(b"+", b" ")
    ):
        raise InputRejected(422, "nul_byte", "form: 不允许包含空字符 (NUL byte in a form field)")


def _nesting(body: bytes) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _is_https(scope: Scope) -> bool:
    return scope.get("scheme") == "https"


def check_origin(scope: Scope) -> None:
    """A cookie-authenticated API write must come from a page of ours (the cookie rides along anywhere)."""
    if scope["method"] in SAFE_METHODS or not scope["path"].startswith("/api/"):
        return
    if _header(scope, b"authorization").lower().startswith("bearer "):
        return
    if f"{SESSION_COOKIE}=" not in _header(scope, b"cookie"):
        return
    host = _header(scope, b"host")
    origin = _header(scope, b"origin")
    if not origin:
        referer = _header(scope, b"referer")
        origin = "" if not referer else "{0.scheme}://{0.netloc}".format(urlsplit(referer))
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site == "cross-site" or not origin or urlsplit(origin).netloc != host:
        raise InputRejected(
            403,
            "origin_refused",
            "请求来源无法验证 (cookie-authenticated writes must come from this site's own pages)",
        )


class GuardMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, problem: ProblemFactory, unexpected: UnexpectedHandler) -> None:
        self.app = app
        self.problem = problem
        self.unexpected = unexpected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}
        https = _is_https(scope)
        docs = scope["path"].startswith(DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                names = {key.lower() for key, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                    (b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if https:
                    extra.append((b"strict-transport-security", HSTS.encode()))
                headers.extend(item for item in extra if item[0] not in names)
                message = {**message, "headers": headers}
            await send(message)

        try:
            receive = await self._guard(scope, receive)
        except InputRejected as rejected:
            response = self.problem(rejected.status, rejected.detail, code=rejected.code)
            await response(scope, receive, send_with_headers)
            self._observe(scope, started, rejected.status)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if status_holder["started"]:
                raise
            response = await self.unexpected(Request(scope, receive), exc)
            await response(scope, receive, send_with_headers)
        self._observe(scope, started, int(status_holder["status"]))

    async def _guard(self, scope: Scope, receive: Receive) -> Receive:
        check_target(scope["path"], scope.get("query_string", b""))
        check_origin(scope)
        content_type = _header(scope, b"content-type").lower()
        if scope["method"] in SAFE_METHODS or not (
            "json" in content_type or content_type.startswith("application/x-www-form-urlencoded")
        ):
            return receive
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                raise InputRejected(413, "body_too_large", "body: 请求体过大 (body larger than 1 MiB)")
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        check_body(content_type, body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    @staticmethod
    def _observe(scope: Scope, started: float, status: int) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or ("/static" if scope["path"].startswith("/static") else "?")
        seconds = time.perf_counter() - started
        metrics.observe_request(scope["method"], template, status, seconds)
        # The route template, never the path or the query: ids and search words stay out of the log.
        log.info(
            "http.request", method=scope["method"], route=template, status=status, ms=round(seconds * 1000, 1)
        )
