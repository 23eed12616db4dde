"""The catalogue: create, edit and move listings through their life-cycle; every change hits the outbox."""

from typing import Any, TypeVar

from pydantic import BaseModel

from services.accounts.policies import Actor, require_admin, require_organisation
from services.catalog import repository
from services.catalog.models import Listing
from services.catalog.moderation import MATERIAL_KEYS, contact_flags
from services.catalog.policies import (
    is_moderation,
    may_see_private,
    require_consent_of_person,
    require_may_change,
    require_may_link_person,
    require_may_transition,
)
from services.catalog.quality import assess_quality
from services.catalog.schemas import (
    CREATE_SCHEMAS,
    AchievementCreate,
    AgencyCreate,
    ConsentRecordRead,
    ExpertCreate,
    ExpertProfileRead,
    InstrumentCreate,
    ListingCommon,
    ListingPage,
    PersonLink,
    RevisionRead,
)
from services.core import clock
from services.core.audit import record_audit
from services.core.bodies import parse_body
from services.core.db import Connection, transaction
from services.core.errors import Conflict, Invalid, NotFound
from services.core.outbox import erase_payloads, record_event
from services.reference.vocabulary import ListingStatus, ListingType, Role

CONSENT_TEXT_VERSION = "2026-03"
_M = TypeVar("_M", bound=BaseModel)
LISTING_TOPIC = "listing.changed"

# Allowed transitions of the listing life-cycle: (from, action) -> to.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "pending",
    ("rejected", "submit"): "pending",
    ("pending", "publish"): "published",
    ("pending", "reject"): "rejected",
    ("draft", "archive"): "archived",
    ("pending", "archive"): "archived",
    ("published", "archive"): "archived",
    ("rejected", "archive"): "archived",
    ("published", "unpublish"): "draft",
    ("pending", "unpublish"): "draft",
    # A held edit to a published listing: approving applies it, rejecting discards it; it stays published.
    ("published", "approve_edit"): "published",
    ("published", "reject_edit"): "published",
}
COMMON_KEYS = ("summary", "description", "keywords", "region")


def parse_listing(listing_type: ListingType, body: Any) -> ListingCommon:
    """Validate a create body for a listing type."""
    return parse_body(CREATE_SCHEMAS[listing_type], body)


def listing_columns(data: ListingCommon) -> dict[str, Any]:
    """Split a validated listing into table columns and type-specific attributes."""
    dumped = data.model_dump(mode="json", exclude={"external_ref", "contact"})
    columns: dict[str, Any] = {key: dumped.pop(key) for key in COMMON_KEYS}
    columns["tech_fields"] = dumped.pop("fields")
    columns["external_ref"] = data.external_ref
    price_min = price_max = None
    price_mode: str | None = None
    maturity = trl = None
    match data:
        case AchievementCreate():
            title = data.title
            maturity, trl = data.maturity.value, data.trl
            price_mode, price_min, price_max = data.price.mode.value, data.price.min_fen, data.price.max_fen
            for key in ("title", "maturity", "trl"):
                dumped.pop(key)
        case InstrumentCreate():
            title = data.title or data.name
            dumped.pop("title")
            fees = [fee.price_fen for fee in data.fees]
            if fees:
                price_mode, price_min, price_max = "range", min(fees), max(fees)
        case ExpertCreate():
            title = data.name
            if data.rate_fen_per_hour is not None:
                price_mode, price_min, price_max = "fixed", data.rate_fen_per_hour, data.rate_fen_per_hour
        case AgencyCreate():
            title = data.title or data.name
            dumped.pop("title")
            prices = [o.price for o in data.offerings if o.price.min_fen is not None]
            if prices:
                price_mode = "range"
                price_min = min(p.min_fen for p in prices if p.min_fen is not None)
                price_max = max(p.max_fen or p.min_fen or 0 for p in prices)
        case _:
            raise Invalid.field(["type"], "未知的成果类型", "unknown listing type")
    columns.update(
        title=title,
        maturity=maturity,
        trl=trl,
        price_mode=price_mode,
        price_min_fen=price_min,
        price_max_fen=price_max,
        attributes=dumped,
    )
    return columns


def snapshot(listing: Listing, *, org_verified: bool | None = None) -> dict[str, Any]:
    """The public representation of a listing: what anyone allowed to see it may see, never contacts.

    ``org_verified`` (whether an administrator verified the owner) is added where it is known: the search
    index's snapshots carry it, so result cards can show 已认证.
    """
    attributes = dict(listing.attributes or {})
    data: dict[str, Any] = {
        "id": listing.id,
        "type": listing.type,
        "status": listing.status,
        "org_id": listing.org_id,
        "title": listing.title,
        "summary": listing.summary,
        "description": listing.description,
        "fields": list(listing.tech_fields or []),
        "keywords": list(listing.keywords or []),
        "region": listing.region,
        "created_at": listing.created_at.isoformat(),
        "updated_at": listing.updated_at.isoformat(),
        "published_at": listing.published_at.isoformat() if listing.published_at else None,
        "version": listing.version,
    }
    if listing.type == ListingType.ACHIEVEMENT:
        data.update(maturity=listing.maturity, trl=listing.trl)
    elif listing.type == ListingType.EXPERT or "name" not in attributes:
        data["name"] = listing.title
    data.update(attributes)
    if listing.type == ListingType.EXPERT:
        # The listing title is the expert's name; the professional title lives in attributes.
        data["title"] = attributes.get("title", "")
        data["name"] = listing.title
    data["price_min_fen"] = listing.price_min_fen
    data["price_max_fen"] = listing.price_max_fen
    if org_verified is not None:
        data["org_verified"] = org_verified
    return data


async def read_listings(listings: list[Listing], actor: Actor | None) -> list[dict[str, Any]]:
    """Listings as this caller may see them; private expert contacts fetched in one query."""
    private = {listing.id for listing in listings if may_see_private(actor, listing)}
    contacts = await repository.get_contacts(
        [x.id for x in listings if x.id in private and x.type == ListingType.EXPERT]
    )
    items = []
    for listing in listings:
        data = snapshot(listing)
        if listing.id in private:
            data["quality"] = {"score": listing.quality_score, "missing": listing.quality_missing}
            data["external_ref"] = listing.external_ref
            data["reject_reason"] = listing.reject_reason
            if listing.pending_edit is not None:
                edit = listing.pending_edit
                data["pending_edit"] = {
                    "text": edit["text"],
                    "flags": edit["flags"],
                    "submitted_at": edit["submitted_at"],
                }
            if listing.type == ListingType.EXPERT:
                data["person_linked"] = listing.person_id is not None
                contact = contacts.get(listing.id)
                data["contact"] = {"phone": contact.phone, "email": contact.email} if contact else None
        items.append(data)
    return items


async def read_listing(listing: Listing, actor: Actor | None) -> dict[str, Any]:
    """A listing as this caller may see it."""
    return (await read_listings([listing], actor))[0]


async def _emit(listing: Listing, connection: Connection, *, org_verified: bool | None = None) -> None:
    if org_verified is None:
        org_verified = listing.org_id in await repository.verified_org_ids([listing.org_id], connection)
    await record_event(
        connection=connection,
        topic=LISTING_TOPIC,
        aggregate_type="listing",
        aggregate_id=listing.id,
        aggregate_version=listing.version,
        payload={"snapshot": snapshot(listing, org_verified=org_verified)},
    )


async def reindex_org_listings(*, org_id: int, verified: bool, connection: Connection) -> int:
    """An organisation's verification changed: its published listings go to the index again (a new version
    and an outbox event each, in the caller's transaction), so their cards show 已认证. Returns how many."""
    listings = await repository.bump_published_of_org(org_id, connection)
    for listing in listings:
        await _emit(listing, connection, org_verified=verified)
    return len(listings)


def quality_input(listing_type: str, columns: dict[str, Any]) -> dict[str, Any]:
    data = {**columns, **columns.get("attributes", {})}
    data["fields"] = columns.get("tech_fields", [])
    if listing_type == ListingType.ACHIEVEMENT:
        data["price"] = {"mode": columns.get("price_mode")}
    return data


async def _duplicate_warnings(
    listing_type: str, org_id: int, columns: dict[str, Any], exclude_id: int | None
) -> list[dict[str, Any]]:
    """Near-duplicates flagged on create and import: same patent number, or same title in one organisation."""
    warnings: list[dict[str, Any]] = []
    same_title = await repository.similar_titles(org_id, listing_type, columns["title"], exclude_id)
    warnings.extend({"kind": "same_title", "listing_id": other.id} for other in same_title)
    numbers = [ip.get("number") for ip in columns["attributes"].get("ip", []) if ip.get("number")]
    for number in numbers:
        others = await repository.with_patent_number(listing_type, number, limit=3)
        warnings.extend(
            {"kind": "same_patent", "listing_id": other.id, "number": number}
            for other in others
            if other.id != exclude_id
        )
    return warnings


async def create_listing(
    *, actor: Actor, listing_type: ListingType, body: Any, status: str = "draft"
) -> dict[str, Any]:
    """Create a draft owned by the caller's organisation."""
    org_id = require_organisation(actor)
    data = parse_listing(listing_type, body)
    columns = listing_columns(data)
    score, missing = assess_quality(listing_type.value, quality_input(listing_type.value, columns))
    warnings = await _duplicate_warnings(listing_type.value, org_id, columns, None)
    async with transaction() as conn:
        try:
            listing = await repository.create_listing(
                conn,
                type=listing_type.value,
                status=status,
                org_id=org_id,
                created_by_id=actor.user_id,
                quality_score=score,
                quality_missing=missing,
                **columns,
            )
        except Exception as exc:
            if "catalog_listing_external_ref_uniq" in str(exc):
                raise Conflict(
                    "external_ref_taken", "external_ref 已存在", "external_ref already used"
                ) from exc
            raise
        if isinstance(data, ExpertCreate):
            await _record_expert_private(listing, data, actor, conn)
        await repository.add_revision(
            listing_id=listing.id,
            version=listing.version,
            actor_id=actor.user_id,
            action="create",
            changes={"fields": sorted(data.model_fields_set)},
            connection=conn,
        )
        await _emit(listing, conn)
    result = await read_listing(listing, actor)
    result["warnings"] = warnings
    return result


async def _record_expert_private(
    listing: Listing, data: ExpertCreate, actor: Actor, connection: Connection
) -> None:
    if data.contact is not None:
        await repository.save_contact(listing.id, data.contact.phone, data.contact.email, connection)
    await _record_consent(listing, data, actor, connection)
    await repository.save_listing(listing, connection, update_fields=["attributes"])


async def get_listing(*, actor: Actor | None, listing_type: ListingType, listing_id: int) -> dict[str, Any]:
    """One listing; unpublished ones only for their organisation and admins."""
    listing = await repository.get_listing(listing_id, listing_type.value)
    if listing is None or (listing.status != "published" and not may_see_private(actor, listing)):
        raise NotFound("listing_not_found", f"{listing_type.value} {listing_id} 不存在", "not found")
    return await read_listing(listing, actor)


def _to_body(listing: Listing, contact: dict[str, Any] | None) -> dict[str, Any]:
    """The stored listing as a create body, so an edit is validated exactly like a create."""
    body: dict[str, Any] = {
        "summary": listing.summary,
        "description": listing.description,
        "fields": listing.tech_fields,
        "keywords": listing.keywords,
        "region": listing.region,
        "external_ref": listing.external_ref,
    }
    attributes = dict(listing.attributes)
    if listing.type == ListingType.ACHIEVEMENT:
        body.update(title=listing.title, maturity=listing.maturity, trl=listing.trl)
    elif listing.type == ListingType.EXPERT:
        body["name"] = listing.title
        consent = attributes.pop("consent", {})
        attributes["consent"] = {
            "publish": consent.get("publish", False),
            "contact": consent.get("contact", False),
        }
        if contact:
            body["contact"] = contact
    else:
        body["title"] = listing.title
    body.update(attributes)
    return body


async def update_listing(
    *, actor: Actor, listing_type: ListingType, listing_id: int, patch: Any
) -> dict[str, Any]:
    """Edit a listing (members of its organisation); re-validated as a whole."""
    if not isinstance(patch, dict):
        raise Invalid.field(["body"], "需要 JSON 对象", "a JSON object is required")
    async with transaction() as conn:
        listing = await repository.lock_listing(listing_id, listing_type.value, conn)
        if listing is None:
            raise NotFound("listing_not_found", f"{listing_type.value} {listing_id} 不存在", "not found")
        require_may_change(actor, listing)
        if listing.status == "archived":
            raise Conflict("listing_archived", "已归档的条目不能修改", "archived listings cannot change")
        if listing_type == ListingType.EXPERT and "consent" in patch:
            patch = _consent_patch(actor, listing, patch)
        contact = await repository.get_contact(listing.id) if listing_type == ListingType.EXPERT else None
        current = _to_body(listing, {"phone": contact.phone, "email": contact.email} if contact else None)
        if listing.pending_edit is not None:
            # A further edit builds on the edit under review, never on the older published text.
            current = {**current, **listing.pending_edit["body"]}
        merged = {**current, **patch}
        data = parse_listing(listing_type, merged)
        columns = listing_columns(data)
        score, missing = assess_quality(listing_type.value, quality_input(listing_type.value, columns))
        consent_before = listing.attributes.get("consent") if listing_type == ListingType.EXPERT else None
        held = listing.status == "published" and (
            listing.pending_edit is not None or _changes_public_text(current, patch)
        )
        if held:
            hold_edit(listing, body=merged, columns=columns, score=score, missing=missing, by=actor.user_id)
        else:
            listing.update_from_dict({**columns, "quality_score": score, "quality_missing": missing})
        listing.version += 1
        if isinstance(data, ExpertCreate):
            if consent_before is not None:
                listing.attributes["consent"] = consent_before
            if "contact" in patch and data.contact is not None:
                await repository.save_contact(listing.id, data.contact.phone, data.contact.email, conn)
            elif "contact" in patch:
                await repository.save_contact(listing.id, None, None, conn)
            if "consent" in patch:
                await repository.save_listing(listing, conn)
                await _record_consent(listing, data, actor, conn)
                if not data.consent.publish and listing.status in ("published", "pending"):
                    # Withdrawn consent unpublishes at once: the outbox event below removes it from the index.
                    listing.status = TRANSITIONS[(listing.status, "unpublish")]
        await repository.save_listing(listing, conn)
        await repository.add_revision(
            listing_id=listing.id,
            version=listing.version,
            actor_id=actor.user_id,
            action="edit_submitted" if held else "update",
            changes={"fields": sorted(k for k in patch if k != "contact")},
            connection=conn,
        )
        await _emit(listing, conn)
    return await read_listing(listing, actor)


def _consent_patch(actor: Actor, listing: Listing, patch: dict[str, Any]) -> dict[str, Any]:
    """A patch's consent, checked: a changed consent of a profile with its person must come from that person; the
    same consent sent back by anyone but that person is no new consent and is dropped, so nothing is re-recorded."""
    asked = patch["consent"]
    if not isinstance(asked, dict):
        return patch  # the schema names the problem
    current = listing.attributes.get("consent") or {}
    changed = any(
        bool(asked.get(key, False)) != bool(current.get(key, False)) for key in ("publish", "contact")
    )
    if changed or (listing.person_id is not None and listing.person_id == actor.user_id):
        # The person confirming the consent their organisation recorded makes it their own: recorded as theirs.
        require_consent_of_person(actor, listing)
        return patch
    return {key: value for key, value in patch.items() if key != "consent"}


def _changes_public_text(current: dict[str, Any], patch: dict[str, Any]) -> bool:
    """Whether a patch changes the public text (title, name, summary, description, keywords)."""
    return any(key in MATERIAL_KEYS and current.get(key) != value for key, value in patch.items())


def _public_text(columns: dict[str, Any]) -> dict[str, Any]:
    return {key: columns[key] for key in ("title", "summary", "description", "keywords")}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _flags_of(columns: dict[str, Any]) -> list[str]:
    """Spam signals anywhere in a listing's public text, type-specific attributes included."""
    return contact_flags(_strings([_public_text(columns), columns.get("attributes", {})]))


def hold_edit(
    listing: Listing,
    *,
    body: dict[str, Any],
    columns: dict[str, Any],
    score: int,
    missing: list[str],
    by: int | None,
) -> None:
    """Hold an edit of a published listing for review: its columns, its public text with spam flags, never
    private contacts; the published columns stay as they are until an admin approves."""
    listing.pending_edit = {
        "body": {key: value for key, value in body.items() if key != "contact"},
        "columns": {**columns, "quality_score": score, "quality_missing": missing},
        "text": _public_text(columns),
        "flags": _flags_of(columns),
        "submitted_by": by,
        "submitted_at": clock.now().isoformat(),
    }
    listing.submitted_at = clock.now()


def needs_review(listing: Listing, columns: dict[str, Any]) -> bool:
    """Whether writing these columns to a published listing must wait for review (imports, by reference)."""
    if listing.status != "published":
        return False
    return listing.pending_edit is not None or _public_text(listing_columns_of(listing)) != _public_text(
        columns
    )


async def approve_edit(*, actor: Actor, listing_type: ListingType, listing_id: int) -> dict[str, Any]:
    """Apply a published listing's held edit (admins); the index follows through the outbox."""
    return await _review_edit(actor, listing_type, listing_id, "approve_edit", None)


async def reject_edit(
    *, actor: Actor, listing_type: ListingType, listing_id: int, reason: str | None
) -> dict[str, Any]:
    """Discard a published listing's held edit with a reason (admins); the published text stays."""
    return await _review_edit(actor, listing_type, listing_id, "reject_edit", reason)


async def _review_edit(
    actor: Actor, listing_type: ListingType, listing_id: int, action: str, reason: str | None
) -> dict[str, Any]:
    async with transaction() as conn:
        listing = await repository.lock_listing(listing_id, listing_type.value, conn)
        if listing is None:
            raise NotFound("listing_not_found", f"{listing_type.value} {listing_id} 不存在", "not found")
        require_may_transition(actor, listing, action)
        target = TRANSITIONS.get((listing.status, action))
        if target is None or listing.pending_edit is None:
            raise Conflict(
                "no_pending_edit", "没有待审核的修改", "the listing has no edit waiting for review"
            )
        pending = listing.pending_edit
        if action == "approve_edit":
            columns = dict(pending["columns"])
            consent = listing.attributes.get("consent")
            if consent is not None:
                columns["attributes"] = {**columns["attributes"], "consent": consent}
            listing.update_from_dict(columns)
            listing.reject_reason = None
        else:
            listing.reject_reason = reason
        listing.pending_edit = None
        listing.status = target
        listing.version += 1
        await repository.save_listing(listing, conn)
        await repository.add_revision(
            listing_id=listing.id,
            version=listing.version,
            actor_id=actor.user_id,
            action=action,
            changes={"flags": pending.get("flags", []), **({"reason": reason} if reason else {})},
            connection=conn,
        )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action=f"listing.{action}",
            object_type="listing",
            object_id=listing.id,
            detail={"reason": reason} if reason else None,
        )
        await _emit(listing, conn)
    return await read_listing(listing, actor)


async def review_queue(
    *, actor: Actor, listing_type: ListingType | None, page: int, size: int
) -> ListingPage:
    """New listings and held edits waiting for review, oldest first, each with its spam flags (admins)."""
    require_admin(actor)
    total, rows = await repository.page_review_queue(
        listing_type=listing_type.value if listing_type else None, offset=(page - 1) * size, limit=size
    )
    items = await read_listings(rows, actor)
    for item, row in zip(items, rows, strict=True):
        edit = row.pending_edit
        item["flags"] = edit["flags"] if edit is not None else _flags_of(listing_columns_of(row))
    return ListingPage(total=total, page=page, size=size, items=items)


def listing_columns_of(listing: Listing) -> dict[str, Any]:
    """The public-text columns of a stored listing, in the shape listing_columns produces."""
    return {
        "title": listing.title,
        "summary": listing.summary,
        "description": listing.description,
        "keywords": list(listing.keywords or []),
        "attributes": dict(listing.attributes or {}),
    }


async def _record_consent(listing: Listing, data: ExpertCreate, actor: Actor, connection: Connection) -> None:
    """Append the consent to its history and mirror the current one, timestamped, on the listing."""
    recorded = await repository.add_consent(
        listing_id=listing.id,
        publish=data.consent.publish,
        contact=data.consent.contact,
        text_version=CONSENT_TEXT_VERSION,
        actor_id=actor.user_id,
        connection=connection,
    )
    listing.attributes = {
        **listing.attributes,
        "consent": {
            "publish": recorded.publish,
            "contact": recorded.contact,
            "recorded_at": recorded.recorded_at.isoformat(),
            "text_version": recorded.text_version,
        },
    }


async def transition_listing(
    *, actor: Actor, listing_type: ListingType, listing_id: int, action: str, reason: str | None = None
) -> dict[str, Any]:
    """Move a listing along its life-cycle (submit, publish, reject, archive)."""
    async with transaction() as conn:
        listing = await repository.lock_listing(listing_id, listing_type.value, conn)
        if listing is None:
            raise NotFound("listing_not_found", f"{listing_type.value} {listing_id} 不存在", "not found")
        require_may_transition(actor, listing, action)
        target = TRANSITIONS.get((listing.status, action))
        if target is None:
            raise Conflict(
                "invalid_transition",
                f"状态 {listing.status} 不能执行 {action}",
                f"cannot {action} a {listing.status} listing",
            )
        consented = (listing.attributes.get("consent") or {}).get("publish")
        if action == "publish" and listing.type == ListingType.EXPERT and not consented:
            raise Conflict(
                "consent_missing",
                "专家未同意公开，不能发布",
                "the expert has not consented to publication",
            )
        now = clock.now()
        listing.status = target
        listing.version += 1
        if action == "submit":
            listing.submitted_at = now
            listing.reject_reason = None
        elif action == "publish":
            listing.published_at = now
        elif action == "reject":
            listing.reject_reason = reason
        await repository.save_listing(listing, conn)
        await repository.add_revision(
            listing_id=listing.id,
            version=listing.version,
            actor_id=actor.user_id,
            action=action,
            changes={"status": target, **({"reason": reason} if reason else {})},
            connection=conn,
        )
        if is_moderation(actor, action):
            await record_audit(
                connection=conn,
                actor_id=actor.user_id,
                action=f"listing.{action}",
                object_type="listing",
                object_id=listing.id,
                detail={"reason": reason} if reason else None,
            )
        await _emit(listing, conn)
    return await read_listing(listing, actor)


async def erase_expert(*, actor: Actor, listing_id: int) -> None:
    """Really delete an expert profile and its personal data (PIPL Art. 47); the index follows via outbox."""
    async with transaction() as conn:
        listing = await repository.lock_listing(listing_id, ListingType.EXPERT.value, conn)
        if listing is None:
            raise NotFound("listing_not_found", f"expert {listing_id} 不存在", "not found")
        require_may_change(actor, listing)
        version = listing.version + 1
        await erase_payloads(connection=conn, aggregate_type="listing", aggregate_id=listing.id)
        await record_event(
            connection=conn,
            topic=LISTING_TOPIC,
            aggregate_type="listing",
            aggregate_id=listing.id,
            aggregate_version=version,
            payload={
                "snapshot": {"id": listing.id, "type": "expert", "status": "erased", "version": version}
            },
        )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="expert.erase",
            object_type="listing",
            object_id=listing.id,
        )
        await repository.delete_listing(listing, conn)


async def list_listings(
    *,
    actor: Actor | None,
    listing_type: ListingType | None,
    status: ListingStatus | None,
    mine: bool,
    page: int,
    size: int,
) -> ListingPage:
    """A page of listings: published ones for everyone; own organisation's or the review queue otherwise."""
    org_id: int | None = None
    if mine:
        org_id = require_organisation(actor)
    elif status is not None and status != ListingStatus.PUBLISHED:
        require_admin(actor)
    effective_status = status.value if status else (None if mine else "published")
    total, rows = await repository.page_listings(
        listing_type=listing_type.value if listing_type else None,
        status=effective_status,
        org_id=org_id,
        offset=(page - 1) * size,
        limit=size,
        order="submitted_at" if effective_status == "pending" else "-id",
    )
    items = await read_listings(rows, actor)
    return ListingPage(total=total, page=page, size=size, items=items)


async def list_revisions(*, actor: Actor, listing_type: ListingType, listing_id: int) -> list[RevisionRead]:
    """The edit history of a listing (its organisation and admins)."""
    listing = await repository.get_listing(listing_id, listing_type.value)
    if listing is None:
        raise NotFound("listing_not_found", f"{listing_type.value} {listing_id} 不存在", "not found")
    require_may_change(actor, listing)
    rows = await repository.list_revisions(listing_id)
    return [
        RevisionRead(
            version=r.version,
            action=r.action,
            actor_id=r.actor_id,
            changes=r.changes,
            created_at=r.created_at,
        )
        for r in rows
    ]


async def published_snapshots(batch: int = 1000) -> Any:
    """Every published listing's snapshot, in id order, in batches (reindex, search-check)."""
    async for rows in repository.iter_listings(status="published", batch=batch):
        verified = await repository.verified_org_ids(row.org_id for row in rows)
        yield [snapshot(row, org_verified=row.org_id in verified) for row in rows]


async def listing_versions(ids: list[int]) -> dict[int, tuple[str, int]]:
    """Status and version of listings by id."""
    return await repository.status_versions(ids)


async def instrument_for_booking(*, instrument_id: int) -> dict[str, Any]:
    """The instrument's booking-relevant facts (any status; the booking rules decide)."""
    listing = await repository.get_listing(instrument_id, ListingType.INSTRUMENT.value)
    if listing is None:
        raise NotFound("instrument_not_found", f"仪器 {instrument_id} 不存在", "instrument not found")
    return snapshot(listing)


async def instruments_for_booking(*, instrument_ids: list[int]) -> dict[int, dict[str, Any]]:
    """instrument_for_booking of several instruments, by id, in one query (unknown ids are left out)."""
    rows = await repository.listings_by_id(sorted(set(instrument_ids)), ListingType.INSTRUMENT.value)
    return {listing.id: snapshot(listing) for listing in rows}


async def booking_rules(*, instrument_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Booking rules (opening hours, notice) of published instruments, by id (the matcher's availability)."""
    return await repository.published_booking_rules(instrument_ids)


async def published_instruments(*, org_id: int | None, limit: int = 20_000) -> list[dict[str, Any]]:
    """Published instruments (of one organisation, or all), as public snapshots: the sharing report's rows."""
    _, rows = await repository.page_listings(
        listing_type=ListingType.INSTRUMENT.value,
        status="published",
        org_id=org_id,
        offset=0,
        limit=limit,
        order="id",
    )
    return [snapshot(listing) for listing in rows]


async def published_listing(*, listing_id: int) -> dict[str, Any] | None:
    """A published listing's public snapshot, or None (test requests, service orders)."""
    listing = await repository.get_listing(listing_id)
    return snapshot(listing) if listing is not None and listing.status == "published" else None


async def owner_org_of(listing_id: int) -> int | None:
    """The organisation that owns a listing."""
    listing = await repository.get_listing(listing_id)
    return listing.org_id if listing else None


async def published_snapshots_by_id(*, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Public snapshots of the published listings among ids, in one query (match cards)."""
    rows = await repository.published_by_id(sorted(set(ids))) if ids else []
    return {listing.id: snapshot(listing) for listing in rows}


async def listing_titles(*, ids: list[int]) -> dict[int, str]:
    """Titles (experts: names) of listings by id, any status, in one query (lists of bookings, contracts)."""
    return await repository.titles_by_id(sorted(set(ids))) if ids else {}


# --- Expert self-service: a profile linked to its person, who alone gives or withdraws consent ------------------


async def link_person(*, actor: Actor, listing_id: int, link: PersonLink) -> dict[str, Any]:
    """The organisation links an expert profile to its person's expert account (or unlinks it)."""
    async with transaction() as conn:
        listing = await repository.lock_listing(listing_id, ListingType.EXPERT.value, conn)
        if listing is None:
            raise NotFound("listing_not_found", f"expert {listing_id} 不存在", "not found")
        require_may_link_person(actor, listing)
        person_id = None
        if link.email is not None:
            person_id = await repository.member_with_role(listing.org_id, link.email, Role.EXPERT.value)
            if person_id is None:
                raise Invalid.field(
                    ["body", "email"],
                    "本机构没有使用该邮箱的专家账号",
                    "no expert account of the organisation",
                )
            other = await repository.expert_of_person(person_id, conn)
            if other is not None and other.id != listing.id:
                raise Conflict("person_already_linked", "该专家账号已关联另一份专家资料", "already linked")
        # Who the person is never reaches the index or the public view: no new version, no outbox event.
        listing.person_id = person_id
        await repository.save_listing(listing, conn)
        await repository.add_revision(
            listing_id=listing.id,
            version=listing.version,
            actor_id=actor.user_id,
            action="person_linked" if person_id else "person_unlinked",
            changes={"fields": ["person"]},
            connection=conn,
        )
        await record_audit(
            connection=conn,
            actor_id=actor.user_id,
            action="expert.person_linked" if person_id else "expert.person_unlinked",
            object_type="listing",
            object_id=listing.id,
            detail={"person_id": person_id},
        )
    return await read_listing(listing, actor)


async def _own_profile(actor: Actor) -> Listing:
    listing = await repository.expert_of_person(actor.user_id)
    if listing is None:
        raise NotFound(
            "no_expert_profile",
            "您的账号尚未关联专家资料，请联系所在机构",
            "no expert profile is linked to you",
        )
    return listing


async def my_expert_profile(*, actor: Actor) -> ExpertProfileRead:
    """The expert's own profile with their contact, and every consent recorded for it (PIPL Art. 45 access)."""
    listing = await _own_profile(actor)
    records = await repository.consent_history(listing.id)
    return ExpertProfileRead(
        listing=await read_listing(listing, actor),
        consent_text_version=CONSENT_TEXT_VERSION,
        consents=[
            ConsentRecordRead(
                publish=r.publish,
                contact=r.contact,
                text_version=r.text_version,
                recorded_at=r.recorded_at,
                by_self=r.recorded_by_id == actor.user_id,
            )
            for r in records
        ],
    )


async def update_my_expert_profile(*, actor: Actor, patch: dict[str, Any]) -> ExpertProfileRead:
    """The expert gives or withdraws consent, or corrects their contact (withdrawn publishing unpublishes)."""
    unknown = sorted(set(patch) - {"consent", "contact"})
    if unknown:
        raise Invalid.field(
            ["body", unknown[0]],
            "本人只能更改同意与联系方式，其他资料请联系所在机构",
            "consent and contact only",
        )
    listing = await _own_profile(actor)
    await update_listing(actor=actor, listing_type=ListingType.EXPERT, listing_id=listing.id, patch=patch)
    return await my_expert_profile(actor=actor)
