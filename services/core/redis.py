"""One Redis client per process; every key the project writes is built here, each with its TTL."""

from redis.asyncio import Redis

from services.core.settings import get_settings

_client: Redis | None = None

LOGIN_FAILURES_TTL = 15 * 60
SEARCH_CACHE_PREFIX = "tm:search:v1"
OUTBOX_WAKEUP_CHANNEL = "tm:outbox:wakeup"
SEARCH_GENERATION_KEY = "tm:search:generation"


def get_redis() -> Redis:
    """Return the process-wide Redis client (created lazily)."""
    global _client
    if _client is None:
        _client = Redis.from_url(get_settings().redis_url, decode_responses=True)
    return _client


async def close_redis() -> None:
    """Close the process-wide Redis client."""
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


def login_failures_key(scope: str, value: str) -> str:
    """Counter of failed logins per account or per IP."""
    return f"tm:login-fail:{scope}:{value}"


def session_key(session_id: str) -> str:
    """Server-side portal session."""
    return f"tm:session:{session_id}"
