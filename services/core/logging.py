"""Structured logging (structlog). Event names are dotted; personal data is never passed in."""

import logging
import sys

import structlog

REDACTED_KEYS = frozenset(
    {"password", "contact", "phone", "email", "token", "authorization", "client_secret"}
)


def _redact(_: object, __: str, event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
    # Last line of defence: even if a caller passes personal data, it never reaches the log sink.
    for key in list(event_dict):
        if key.lower() in REDACTED_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(level: str = "INFO") -> None:
    """Configure structlog and the standard logging bridge once per process."""
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level)
    # Library chatter (one line per engine request, ORM start/stop) drowns the events that matter.
    for noisy in ("opensearch", "tortoise", "urllib3", "httpx", "stripe", "jieba"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            _redact,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structured logger."""
    return structlog.get_logger(name)  # type: ignore[no-any-return]
