"""Queries of bulk import: near-duplicate look-ups for a whole file in one round trip each."""

from typing import Any

from tortoise import connections


async def listings_with_patents(listing_type: str, numbers: list[str]) -> list[dict[str, Any]]:
    """Live listings of a type citing any of these (normalised) patent numbers: id, org_id, external_ref, number."""
    if not numbers:
        return []
    rows: list[dict[str, Any]] = await connections.get("default").execute_query_dict(
        "SELECT l.id, l.org_id, l.external_ref, right_.value->>'number' AS number "
        "FROM catalog_listing l CROSS JOIN LATERAL jsonb_array_elements("
        "CASE WHEN jsonb_typeof(l.attributes->'ip') = 'array' THEN l.attributes->'ip' ELSE '[]'::jsonb END"
        ") AS right_ WHERE l.type = $1 AND l.status <> 'archived' AND right_.value->>'number' = ANY($2::text[]) "
        "ORDER BY l.id LIMIT 5000",
        [listing_type, numbers],
    )
    return rows


async def listings_with_titles(org_id: int, listing_type: str, titles: list[str]) -> list[dict[str, Any]]:
    """Live listings of one organisation and type with any of these titles: id, title, external_ref."""
    if not titles:
        return []
    rows: list[dict[str, Any]] = await connections.get("default").execute_query_dict(
        "SELECT id, title, external_ref FROM catalog_listing "
        "WHERE org_id = $1 AND type = $2 AND status <> 'archived' AND title = ANY($3::text[]) "
        "ORDER BY id LIMIT 5000",
        [org_id, listing_type, titles],
    )
    return rows
