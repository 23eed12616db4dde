"""One Redis client per process; every key the project writes is built here, each with its TTL."""

from redis.asyncio import Redis

from services.core.settings import get_settings

_client: Redis | None = None

SEARCH_CACHE_PREFIX = "tm:search:v1"
OUTBOX_WAKEUP_CHANNEL = "tm:outbox:wakeup"
SEARCH_GENERATION_KEY = "tm:search:generation"


def get_redis() -> Redis:
    """Return the process-wide Redis client (created lazily)."""
    global _client
    if _client is None:
        # Short timeouts: a Redis that hangs must degrade a request (cache skipped, sign in again), not stall it.
        _client = Redis.from_url(
            get_settings().redis_url, decode_responses=True, socket_connect_timeout=2, socket_timeout=5
        )
    return _client


async def close_redis() -> None:
    """Close the process-wide Redis client."""
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


def notification_channel(user_id: int) -> str:
    """Pub/sub channel that wakes a person's open notification streams (the worker publishes, from the outbox)."""
    return f"tm:notify:{user_id}"


def session_key(session_id: str) -> str:
    """Server-side portal session."""
    return f"tm:session:{session_id}"


def user_sessions_key(user_id: int) -> str:
    """The ids of a user's portal sessions (ended together on a password change or deactivation)."""
    return f"tm:user-sessions:{user_id}"


def login_attempts_key(scope: str, value: str) -> str:
    """Counter of login attempts being or having been evaluated, per account+address or per address."""
    return f"tm:login-attempts:{scope}:{value}"
