"""The only module that talks to the search engine (OpenSearch 2.19, Elasticsearch REST API and DSL)."""

from collections.abc import Sequence
from typing import Any

import orjson
from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, RequestError, TransportError
from opensearchpy.serializer import JSONSerializer

from services.core.settings import get_settings

__all__ = [
    "EngineConnectionError",
    "EngineError",
    "EngineUnavailable",
    "close_engine",
    "get_engine",
]

_client: AsyncOpenSearch | None = None


class FastJSONSerializer(JSONSerializer):
    """orjson for request and response bodies: the `_bulk` of a catch-up is megabytes of JSON per request."""

    def loads(self, s: str) -> Any:
        return orjson.loads(s)

    def dumps(self, data: Any) -> Any:
        if isinstance(data, str):
            return data
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return super().dumps(data)


class EngineError(Exception):
    """The engine answered with an error we cannot fix by retrying."""


class EngineUnavailable(Exception):
    """The engine could not be reached (or timed out); the caller may retry later."""


def get_engine() -> AsyncOpenSearch:
    """The process-wide async engine client."""
    global _client
    if _client is None:
        _client = AsyncOpenSearch(
            hosts=[url.strip() for url in get_settings().search_url.split(",")],
            timeout=10,
            max_retries=2,
            retry_on_timeout=True,
            http_compress=False,
            serializer=FastJSONSerializer(),
        )
    return _client


async def close_engine() -> None:
    """Close the engine client."""
    global _client
    if _client is not None:
        await _client.close()
        _client = None


async def _call(coro: Any) -> Any:
    try:
        return await coro
    except (EngineConnectionError, ConnectionTimeout) as exc:
        raise EngineUnavailable(str(exc)) from exc


async def ping() -> dict[str, Any]:
    """Cluster health (raises EngineUnavailable)."""
    return await _call(get_engine().cluster.health(request_timeout=3))  # type: ignore[no-any-return]


async def index_exists(name: str) -> bool:
    return bool(await _call(get_engine().indices.exists(index=name)))


async def create_index(name: str, body: dict[str, Any]) -> None:
    await _call(get_engine().indices.create(index=name, body=body))


async def create_index_if_missing(name: str, body: dict[str, Any]) -> bool:
    """Create an index unless it exists (a concurrent creator may win); True when this call created it."""
    try:
        await _call(get_engine().indices.create(index=name, body=body))
    except RequestError as exc:
        if exc.error == "resource_already_exists_exception":
            return False
        raise
    return True


async def delete_index(name: str) -> None:
    try:
        await _call(get_engine().indices.delete(index=name))
    except NotFoundError:
        return


async def alias_targets(alias: str) -> list[str]:
    """The concrete indices behind an alias (empty when the alias does not exist)."""
    try:
        found = await _call(get_engine().indices.get_alias(name=alias))
    except NotFoundError:
        return []
    return sorted(found)


async def swap_alias(alias: str, new_index: str, old_indices: list[str]) -> None:
    """Point an alias at a new index atomically (one request: remove and add)."""
    actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": alias}} for old in old_indices]
    actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
    await _call(get_engine().indices.update_aliases(body={"actions": actions}))


async def refresh(index: str) -> None:
    await _call(get_engine().indices.refresh(index=index))


async def put_settings(index: str, body: dict[str, Any]) -> None:
    await _call(get_engine().indices.put_settings(index=index, body=body))


async def put_mapping(index: str, body: dict[str, Any]) -> None:
    await _call(get_engine().indices.put_mapping(index=index, body=body))


async def bulk(operations: Sequence[dict[str, Any] | str], *, refresh_after: bool = False) -> dict[str, Any]:
    """One `_bulk` request; operations are action/source lines already paired (a str is sent as is)."""
    try:
        result = await _call(get_engine().bulk(body=operations, refresh="true" if refresh_after else "false"))
    except TransportError as exc:
        if isinstance(exc.status_code, int) and exc.status_code >= 500:
            raise EngineUnavailable(str(exc)) from exc
        raise EngineError(str(exc)) from exc
    return result  # type: ignore[no-any-return]


async def search(
    index: str, body: dict[str, Any], *, request_cache: bool | None = None, search_type: str | None = None
) -> dict[str, Any]:
    """Run one search."""
    params: dict[str, Any] = {}
    if request_cache is not None:
        params["request_cache"] = "true" if request_cache else "false"
    if search_type is not None:
        params["search_type"] = search_type
    try:
        return await _call(  # type: ignore[no-any-return]
            get_engine().search(index=index, body=body, params=params, ignore_unavailable=True)
        )
    except TransportError as exc:
        if isinstance(exc.status_code, int) and exc.status_code >= 500:
            raise EngineUnavailable(str(exc)) from exc
        raise EngineError(str(exc)) from exc


async def count(index: str, body: dict[str, Any] | None = None) -> int:
    try:
        result = await _call(get_engine().count(index=index, body=body or {"query": {"match_all": {}}}))
    except NotFoundError:
        return 0
    return int(result["count"])


async def get_document(index: str, doc_id: str) -> dict[str, Any] | None:
    try:
        return await _call(get_engine().get(index=index, id=doc_id))  # type: ignore[no-any-return]
    except NotFoundError:
        return None


async def scan_ids_versions(index: str, page: int = 5000) -> dict[str, int]:
    """Every document id with its version, via search_after over the id (for search-check)."""
    found: dict[str, int] = {}
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {
            "size": page,
            "_source": False,
            "version": True,
            "sort": [{"id": "asc"}],
            "query": {"match_all": {}},
        }
        if after is not None:
            body["search_after"] = after
        result = await search(index, body)
        hits = result["hits"]["hits"]
        if not hits:
            return found
        for hit in hits:
            found[hit["_id"]] = int(hit.get("_version", 0))
        after = hits[-1]["sort"]
