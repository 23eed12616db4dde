"""Apply listing events to the engine in bulk, with external versions so order never matters."""

from typing import Any

from search import client
from search.documents import document_of, is_indexable
from search.indices import alias_name


def bulk_operations(
    events: list[tuple[int, dict[str, Any]]], prefix: str | None = None
) -> list[dict[str, Any] | str]:
    """Bulk lines for (version, snapshot) pairs: index published ones, delete the rest (pure)."""
    latest: dict[int, tuple[int, dict[str, Any]]] = {}
    for version, snap in events:
        known = latest.get(snap["id"])
        if known is None or version > known[0]:
            latest[snap["id"]] = (version, snap)
    operations: list[dict[str, Any] | str] = []
    for version, snap in latest.values():
        meta = {
            "_index": alias_name(snap["type"], prefix),
            "_id": str(snap["id"]),
            "version": version,
            "version_type": "external",
        }
        if is_indexable(snap):
            operations.append({"index": meta})
            operations.append(document_of(snap))
        else:
            operations.append({"delete": meta})
    return operations


def failed_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Items that really failed: a version conflict means a newer version is already there, which is fine."""
    failures = []
    for item in result.get("items", []):
        ((action, outcome),) = item.items()
        status = outcome.get("status", 200)
        if status < 300 or status == 409 or (action == "delete" and status == 404):
            continue
        failures.append(
            {"action": action, "id": outcome.get("_id"), "status": status, "error": outcome.get("error")}
        )
    return failures


async def apply_events(
    events: list[tuple[int, dict[str, Any]]], *, prefix: str | None = None, refresh_after: bool = False
) -> list[dict[str, Any]]:
    """Send one bulk request; return the failed items (raises EngineUnavailable when unreachable)."""
    operations = bulk_operations(events, prefix)
    if not operations:
        return []
    result = await client.bulk(operations, refresh_after=refresh_after)
    return failed_items(result) if result.get("errors") else []
