"""The one place that maps domain errors to HTTP: problem+json for the API, a page for the portal."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from search.client import EngineError, EngineUnavailable
from services.core import metrics
from services.core.errors import DomainError, ErrorKind, RateLimited, Unavailable
from services.core.faults import Fault, classify
from services.core.logging import get_logger
from web.pages.forms import human_message
from web.pages.shell import error_page, is_page_request

log = get_logger("web.errors")

STATUS = {
    ErrorKind.MALFORMED: 400,
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    messages: dict[str, str] | None = None,
) -> JSONResponse:
    """An RFC 9457 problem+json response."""
    body: dict[str, Any] = {
        "type": f"https://techmarket.example.cn/problems/{code or status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if messages:
        body["messages"] = messages
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def prefers_english(request: Request) -> bool:
    """Whether the caller asked for English messages: a `lang` cookie, else the Accept-Language tag it ranks
    highest. The platform's language is zh-CN; anything else, or nothing, keeps Chinese."""
    cookie = request.cookies.get("lang")
    if cookie:
        return cookie.strip().lower().startswith("en")
    best, best_q = "", 0.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip().removeprefix("q=")) if params.strip().startswith("q=") else 1.0
        except ValueError:
            continue
        if tag and q > best_q:
            best, best_q = tag.strip().lower(), q
    return best.startswith("en")


def localised_detail(exc: DomainError, *, english: bool) -> str:
    """problem+json's `detail`: "中文 (English)" by default, the English sentence alone when English is asked
    for (a field's location stays in front of it)."""
    if not english or not exc.message_en:
        return exc.detail
    bilingual = f"{exc.message_zh} ({exc.message_en})"
    prefix = exc.detail.removesuffix(bilingual) if exc.detail.endswith(bilingual) else ""
    return prefix + exc.message_en


def _clean_loc(loc: Any) -> list[Any]:
    return [part for part in loc if part not in ("function-after", "function-before")]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if is_page_request(request):
            text = human_message(exc)
            return await error_page(request, STATUS[exc.kind], text)
        headers = None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        elif isinstance(exc, Unavailable):
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        messages = {"zh-CN": exc.message_zh, "en": exc.message_en} if exc.message_en else None
        english = prefers_english(request)
        headers = {
            **(headers or {}),
            "Content-Language": "en" if english and exc.message_en else "zh-CN",
            "Vary": "Accept-Language, Cookie",
        }
        return problem(
            STATUS[exc.kind],
            localised_detail(exc, english=english),
            code=exc.code,
            errors=exc.errors or None,
            headers=headers,
            messages=messages,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if is_page_request(request):
            return await error_page(request, 422, "请求参数有误，请返回上一页重试。")
        errors = [
            {
                "loc": _clean_loc(err.get("loc", [])),
                "msg": str(err.get("msg", "")).removeprefix("Value error, "),
            }
            for err in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        detail = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        return problem(422, detail, code="validation_failed", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_page_request(request):
            message = "您访问的页面不存在。" if exc.status_code == 404 else "请求无法处理。"
            return await error_page(request, exc.status_code, message)
        return problem(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(EngineUnavailable)
    async def _engine_down(request: Request, exc: EngineUnavailable) -> Response:
        log.warning("search.engine_unavailable", path=request.url.path)
        metrics.ENGINE_ERRORS.labels("unavailable").inc()
        if is_page_request(request):
            return await error_page(request, 503, "搜索服务暂不可用，请稍后重试。")
        return problem(
            503,
            "搜索服务暂不可用，请稍后重试 (search engine unavailable)",
            code="search_unavailable",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(EngineError)
    async def _engine_error(request: Request, exc: EngineError) -> JSONResponse:
        log.error("search.engine_error", path=request.url.path, error=str(exc)[:500])
        metrics.ENGINE_ERRORS.labels("error").inc()
        return problem(
            400, "搜索请求无法执行 (the search request could not be executed)", code="search_failed"
        )

    app.add_exception_handler(Exception, unexpected_error)


RETRY_AFTER_SECONDS = 5
_DOWN_MESSAGES = {
    Fault.DATABASE_DOWN: (
        "database_unavailable",
        "服务暂时不可用，请稍后重试",
        "the database is unavailable",
    ),
    Fault.REDIS_DOWN: ("cache_unavailable", "服务暂时不可用，请稍后重试", "the session store is unavailable"),
}


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """What escaped every other handler: bad values are 422, a dependency down is 503, the rest 500."""
    fault = classify(exc)
    if fault is Fault.BAD_VALUE:
        log.warning("web.bad_value", path=request.url.path, error_type=type(exc).__name__)
        if is_page_request(request):
            return await error_page(request, 422, "请求参数有误，请返回上一页重试。")
        return problem(
            422, "数值超出允许范围 (a value is out of range or too long)", code="value_out_of_range"
        )
    if fault is not None:
        log.warning("web.dependency_down", path=request.url.path, fault=fault.value)
        metrics.DEPENDENCY_DOWN.labels(fault.value).inc()
        code, zh, en = _DOWN_MESSAGES[fault]
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if is_page_request(request):
            try:
                page = await error_page(request, 503, f"{zh}。")
                page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
                return page
            except Exception:
                log.warning("web.error_page_failed", path=request.url.path)
        return problem(503, f"{zh} ({en})", code=code, headers=headers, messages={"zh-CN": zh, "en": en})
    log.exception("web.unhandled", path=request.url.path, error_type=type(exc).__name__)
    if is_page_request(request):
        try:
            return await error_page(request, 500, "服务器内部错误，请稍后重试。")
        except Exception:
            log.exception("web.error_page_failed", path=request.url.path)
    return problem(500, "服务器内部错误 (internal error)", code="internal_error")
