"""Prometheus metrics of this process; the web app serves them at /metrics.

Counters live in the process that observes them. Figures that belong to the whole deployment (outbox lag,
work waiting per worker lane) are read from PostgreSQL when /metrics is scraped, so one scrape of any web
process tells the truth about the workers too.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "tm_http_requests",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "tm_http_request_duration_seconds",
    "HTTP request latency by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
ENGINE_ERRORS = Counter(
    "tm_engine_errors", "Search engine failures by kind (unavailable, error)", ["kind"], registry=REGISTRY
)
STRIPE_ERRORS = Counter(
    "tm_stripe_errors", "Payment provider failures by kind (transient, terminal)", ["kind"], registry=REGISTRY
)
DEPENDENCY_DOWN = Counter(
    "tm_dependency_unavailable",
    "Requests answered in degraded mode because a dependency was down",
    ["dependency"],
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "tm_outbox_pending", "Outbox rows not yet processed, by worker lane", ["lane"], registry=REGISTRY
)
OUTBOX_LAG = Gauge(
    "tm_outbox_lag_seconds",
    "Age of the oldest unprocessed outbox row, by worker lane",
    ["lane"],
    registry=REGISTRY,
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one request and its latency."""
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def set_outbox(lanes: dict[str, tuple[int, float]]) -> None:
    """Set the pending count and lag (seconds) of each lane."""
    for lane, (pending, lag) in lanes.items():
        OUTBOX_PENDING.labels(lane).set(pending)
        OUTBOX_LAG.labels(lane).set(lag)


def exposition() -> bytes:
    """The text exposition format of every metric."""
    return bytes(generate_latest(REGISTRY))
