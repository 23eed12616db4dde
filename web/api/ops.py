"""Operations: Prometheus metrics."""

from fastapi import APIRouter
from fastapi.responses import Response

from services.core import metrics, outbox
from services.core.logging import get_logger

router = APIRouter(tags=["health"])
log = get_logger("web.ops")


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    """Requests, latencies, engine and payment errors, and the outbox lag of each worker lane."""
    try:
        metrics.set_outbox(await outbox.lag_by_lane())
    except Exception as exc:  # the database being down must not hide the other metrics
        log.warning("metrics.outbox_unavailable", error_type=type(exc).__name__)
    return Response(metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")
