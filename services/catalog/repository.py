"""Queries of the catalogue."""

from collections.abc import AsyncIterator, Iterable
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q

from services.accounts.models import Organisation, User
from services.catalog.models import ConsentRecord, ExpertContact, Listing, ListingRevision


async def get_listing(listing_id: int, listing_type: str | None = None) -> Listing | None:
    query = Listing.filter(id=listing_id)
    if listing_type:
        query = query.filter(type=listing_type)
    return await query.first()


async def create_listing(connection: BaseDBAsyncClient, **values: Any) -> Listing:
    return await Listing.create(using_db=connection, **values)


async def save_listing(
    listing: Listing, connection: BaseDBAsyncClient, update_fields: list[str] | None = None
) -> None:
    await listing.save(using_db=connection, update_fields=update_fields)


async def delete_listing(listing: Listing, connection: BaseDBAsyncClient) -> None:
    await listing.delete(using_db=connection)


async def lock_listing(
    listing_id: int, listing_type: str | None, connection: BaseDBAsyncClient
) -> Listing | None:
    query = Listing.filter(id=listing_id).using_db(connection).select_for_update()
    if listing_type:
        query = query.filter(type=listing_type)
    return await query.first()


async def get_contact(listing_id: int) -> ExpertContact | None:
    return await ExpertContact.get_or_none(listing_id=listing_id)


async def get_contacts(listing_ids: list[int]) -> dict[int, ExpertContact]:
    if not listing_ids:
        return {}
    return {c.listing_id: c for c in await ExpertContact.filter(listing_id__in=listing_ids)}


async def save_contact(
    listing_id: int, phone: str | None, email: str | None, connection: BaseDBAsyncClient
) -> None:
    await ExpertContact.filter(listing_id=listing_id).using_db(connection).delete()
    if phone or email:
        await ExpertContact.create(listing_id=listing_id, phone=phone, email=email, using_db=connection)


async def add_consent(
    *,
    listing_id: int,
    publish: bool,
    contact: bool,
    text_version: str,
    actor_id: int | None,
    connection: BaseDBAsyncClient,
) -> ConsentRecord:
    return await ConsentRecord.create(
        listing_id=listing_id,
        publish=publish,
        contact=contact,
        text_version=text_version,
        recorded_by_id=actor_id,
        using_db=connection,
    )


async def add_revision(
    *,
    listing_id: int,
    version: int,
    actor_id: int | None,
    action: str,
    changes: dict[str, Any],
    connection: BaseDBAsyncClient,
) -> None:
    await ListingRevision.create(
        listing_id=listing_id,
        version=version,
        actor_id=actor_id,
        action=action,
        changes=changes,
        using_db=connection,
    )


async def list_revisions(listing_id: int) -> list[ListingRevision]:
    return await ListingRevision.filter(listing_id=listing_id).order_by("-version", "-id")


async def find_by_external_ref(
    org_id: int, listing_type: str, external_ref: str, connection: BaseDBAsyncClient | None = None
) -> Listing | None:
    return (
        await Listing.filter(org_id=org_id, type=listing_type, external_ref=external_ref)
        .using_db(connection)
        .select_for_update()
        .first()
        if connection
        else await Listing.get_or_none(org_id=org_id, type=listing_type, external_ref=external_ref)
    )


async def page_listings(
    *,
    listing_type: str | None,
    status: str | None,
    org_id: int | None,
    offset: int,
    limit: int,
    order: str = "-id",
) -> tuple[int, list[Listing]]:
    query = Listing.all()
    if listing_type:
        query = query.filter(type=listing_type)
    if status:
        query = query.filter(status=status)
    if org_id is not None:
        query = query.filter(org_id=org_id)
    total = await query.count()
    rows = await query.order_by(order).offset(offset).limit(limit)
    return total, rows


async def page_review_queue(
    *, listing_type: str | None, offset: int, limit: int
) -> tuple[int, list[Listing]]:
    """New listings waiting for review and published ones with a held edit, oldest submission first."""
    query = Listing.filter(Q(status="pending") | Q(status="published", pending_edit__not_isnull=True))
    if listing_type:
        query = query.filter(type=listing_type)
    total = await query.count()
    rows = await query.order_by("submitted_at", "id").offset(offset).limit(limit)
    return total, rows


async def iter_listings(
    *, status: str | None = "published", batch: int = 1000
) -> AsyncIterator[list[Listing]]:
    last_id = 0
    while True:
        query = Listing.filter(id__gt=last_id)
        if status:
            query = query.filter(status=status)
        rows = await query.order_by("id").limit(batch)
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


async def verified_org_ids(org_ids: Iterable[int], connection: BaseDBAsyncClient | None = None) -> set[int]:
    """The organisations among org_ids an administrator has verified."""
    wanted = sorted(set(org_ids))
    if not wanted:
        return set()
    rows = await Organisation.filter(id__in=wanted, verified_at__isnull=False).using_db(connection).only("id")
    return {int(row.id) for row in rows}


async def bump_published_of_org(org_id: int, connection: BaseDBAsyncClient) -> list[Listing]:
    """Lock an organisation's published listings and raise their versions (their index documents change)."""
    locked = (
        await Listing.filter(org_id=org_id, status="published")
        .using_db(connection)
        .select_for_update()
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not locked:
        return []
    await Listing.filter(id__in=locked).using_db(connection).update(version=F("version") + 1)
    return await Listing.filter(id__in=locked).using_db(connection).order_by("id")


async def similar_titles(org_id: int, listing_type: str, title: str, exclude_id: int | None) -> list[Listing]:
    query = Listing.filter(org_id=org_id, type=listing_type, title=title).exclude(status="archived")
    if exclude_id:
        query = query.exclude(id=exclude_id)
    return await query.limit(5)


LISTING_INSERT_COLUMNS = (
    "type",
    "status",
    "org_id",
    "created_by_id",
    "title",
    "summary",
    "description",
    "fields",
    "keywords",
    "region",
    "maturity",
    "trl",
    "price_mode",
    "price_min_fen",
    "price_max_fen",
    "attributes",
    "external_ref",
    "version",
    "quality_score",
    "quality_missing",
    "submitted_at",
    "published_at",
)
_JSON_COLUMNS = {"fields", "keywords", "attributes", "quality_missing"}


async def insert_listings(rows: list[dict[str, Any]], connection: BaseDBAsyncClient) -> list[Listing]:
    """Multi-row INSERT … RETURNING of listing rows (dicts keyed by column), in chunks."""
    import json

    created: list[Listing] = []
    width = len(LISTING_INSERT_COLUMNS)
    for start in range(0, len(rows), 400):
        chunk = rows[start : start + 400]
        values: list[Any] = []
        groups = []
        for i, row in enumerate(chunk):
            cells = []
            for j, column in enumerate(LISTING_INSERT_COLUMNS):
                cast = "::jsonb" if column in _JSON_COLUMNS else ""
                cells.append(f"${i * width + j + 1}{cast}")
                value = row.get(column)
                values.append(json.dumps(value, ensure_ascii=False) if column in _JSON_COLUMNS else value)
            groups.append(f"({', '.join(cells)}, now(), now())")
        sql = (
            f"INSERT INTO catalog_listing ({', '.join(LISTING_INSERT_COLUMNS)}, created_at, updated_at) VALUES "
            + ", ".join(groups)
            + " RETURNING *"
        )
        records = await connection.execute_query_dict(sql, values)
        created.extend(_listing_from_record(r) for r in records)
    return created


def _listing_from_record(record: dict[str, Any]) -> Listing:
    import json

    data = dict(record)
    for column in _JSON_COLUMNS:
        if isinstance(data.get(column), str):
            data[column] = json.loads(data[column])
    data["tech_fields"] = data.pop("fields")
    listing = Listing(**{k: v for k, v in data.items() if k != "org_id"})
    listing.org_id = data["org_id"]
    listing._saved_in_db = True
    return listing


async def lock_by_external_refs(
    org_id: int, listing_type: str, refs: list[str], connection: BaseDBAsyncClient
) -> dict[str, Listing]:
    rows = (
        await Listing.filter(org_id=org_id, type=listing_type, external_ref__in=refs)
        .using_db(connection)
        .select_for_update()
    )
    return {row.external_ref: row for row in rows if row.external_ref}


async def insert_outbox(
    rows: list[tuple[int, int, dict[str, Any]]], topic: str, connection: BaseDBAsyncClient
) -> None:
    """Bulk outbox rows: (aggregate_id, version, payload)."""
    import json

    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        await connection.execute_query(
            "INSERT INTO core_outbox (topic, aggregate_type, aggregate_id, aggregate_version, payload, created_at, "
            "attempts) SELECT $1, 'listing', a, v, p::jsonb, now(), 0 FROM unnest($2::bigint[], $3::bigint[], "
            "$4::text[]) AS t(a, v, p)",
            [
                topic,
                [r[0] for r in chunk],
                [r[1] for r in chunk],
                [json.dumps(r[2], ensure_ascii=False) for r in chunk],
            ],
        )


async def insert_contacts(
    rows: list[tuple[int, str | None, str | None]], connection: BaseDBAsyncClient
) -> None:
    if not rows:
        return
    await connection.execute_query(
        "INSERT INTO catalog_expert_contact (listing_id, phone, email, updated_at) "
        "SELECT l, p, e, now() FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(l, p, e) "
        "ON CONFLICT (listing_id) DO UPDATE SET phone = EXCLUDED.phone, email = EXCLUDED.email, updated_at = now()",
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
    )


async def insert_consents(
    rows: list[tuple[int, bool, bool]], text_version: str, actor_id: int | None, connection: BaseDBAsyncClient
) -> None:
    if not rows:
        return
    await connection.execute_query(
        "INSERT INTO catalog_consent_record (listing_id, publish, contact, text_version, recorded_by_id, recorded_at) "
        "SELECT l, p, c, $4, $5, now() FROM unnest($1::bigint[], $2::bool[], $3::bool[]) AS t(l, p, c)",
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], text_version, actor_id],
    )


async def listings_by_id(ids: list[int], listing_type: str) -> list[Listing]:
    return await Listing.filter(id__in=ids, type=listing_type)


async def published_by_id(ids: list[int]) -> list[Listing]:
    return await Listing.filter(id__in=ids, status="published")


async def titles_by_id(ids: list[int]) -> dict[int, str]:
    rows = await Listing.filter(id__in=ids).values_list("id", "title")
    return {int(row[0]): str(row[1]) for row in rows}


async def with_patent_number(listing_type: str, number: str, *, limit: int) -> list[Listing]:
    """Live listings of a type that claim this patent number."""
    return (
        await Listing.filter(type=listing_type, attributes__contains={"ip": [{"number": number}]})
        .exclude(status="archived")
        .limit(limit)
    )


async def published_booking_rules(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The booking rules of the published instruments among `ids`."""
    rows = await Listing.filter(id__in=ids, type="instrument", status="published").values_list(
        "id", "attributes"
    )
    return {int(row[0]): dict((row[1] or {}).get("booking") or {}) for row in rows}


async def status_versions(ids: list[int]) -> dict[int, tuple[str, int]]:
    rows = await Listing.filter(id__in=ids).values_list("id", "status", "version")
    return {int(row[0]): (str(row[1]), int(row[2])) for row in rows}


async def expert_of_person(user_id: int, connection: BaseDBAsyncClient | None = None) -> Listing | None:
    """The (not archived) expert profile linked to a person's account."""
    query = Listing.filter(person_id=user_id, type="expert").exclude(status="archived")
    if connection is not None:
        query = query.using_db(connection).select_for_update()
    return await query.first()


async def set_person(listing_id: int, user_id: int | None, connection: BaseDBAsyncClient) -> None:
    await Listing.filter(id=listing_id).using_db(connection).update(person_id=user_id)


async def consent_history(listing_id: int, limit: int = 50) -> list[ConsentRecord]:
    """A profile's consents, newest first."""
    return await ConsentRecord.filter(listing_id=listing_id).order_by("-recorded_at", "-id").limit(limit)


async def member_with_role(org_id: int, email: str, role: str) -> int | None:
    """The id of an active member of an organisation with this role and email (case-insensitive), or None."""
    user = await User.filter(org_id=org_id, email=email.strip().lower(), role=role, is_active=True).first()
    return user.id if user is not None else None
