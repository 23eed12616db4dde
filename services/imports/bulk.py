"""Bulk writes of listings (import and seed): validate every row, then one transaction per file or batch."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from services.catalog import repository
from services.catalog.quality import assess_quality
from services.catalog.schemas import CREATE_SCHEMAS, ExpertCreate, ListingCommon
from services.catalog.service import (
    CONSENT_TEXT_VERSION,
    LISTING_TOPIC,
    TRANSITIONS,
    hold_edit,
    listing_columns,
    needs_review,
    quality_input,
    snapshot,
)
from services.core import clock
from services.core.db import transaction
from services.core.errors import LocalizedValueError, validation_message_zh
from services.core.outbox import enrich_payload
from services.core.transitions import TransitionTable, next_state
from services.reference.vocabulary import ListingStatus, ListingType

# A trusted import (an admin's file or the demo seed, `publish=True`) publishes every row it writes, whatever
# state the listing was in: the rows were checked where they came from. The whole file is one transaction,
# so each row takes this step with next_state rather than a transaction of its own (run_transition).
IMPORT_TRANSITIONS: TransitionTable[ListingStatus] = {
    (state, "import_publish"): ListingStatus.PUBLISHED for state in ListingStatus
}
_LISTING = ("资源", "listing")


@dataclass(slots=True)
class RowError:
    """One problem of an import, located by row and column, said in Chinese and in English."""

    row: int
    column: str
    zh: str
    en: str = ""

    @property
    def msg(self) -> str:
        """The API's one-line form (`msg` of the job's errors): "中文 (English)"."""
        return f"{self.zh} ({self.en})" if self.en else self.zh


@dataclass(slots=True)
class BulkResult:
    created: int = 0
    updated: int = 0
    # Rows that change the public text of a published listing: held for review, the published text stays.
    held: int = 0
    errors: list[RowError] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)


def _bilingual(error: Any) -> tuple[str, str]:
    """A schema error in Chinese and in English, like every other import error."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, LocalizedValueError):
        return cause.message_zh, cause.message_en or ""
    return validation_message_zh(error), str(error["msg"]).removeprefix("Value error, ")


def validate_rows(
    listing_type: ListingType, rows: list[tuple[int, dict[str, Any]]]
) -> tuple[list[tuple[int, ListingCommon]], list[RowError]]:
    """Validate each (row number, body); errors name row and column."""
    schema = CREATE_SCHEMAS[listing_type]
    valid: list[tuple[int, ListingCommon]] = []
    errors: list[RowError] = []
    for row_no, body in rows:
        try:
            valid.append((row_no, schema.model_validate(body)))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
                errors.append(RowError(row_no, "_".join(loc) or "*", *_bilingual(err)))
    return valid, errors


async def save_rows(
    *,
    org_id: int,
    actor_id: int | None,
    listing_type: ListingType,
    rows: list[tuple[int, ListingCommon]],
    publish: bool,
) -> BulkResult:
    """Create or update (by external_ref) validated rows in one transaction, with their outbox events."""
    result = BulkResult()
    now = clock.now()
    status = "published" if publish else "draft"
    async with transaction() as conn:
        refs = [data.external_ref for _, data in rows if data.external_ref]
        existing = (
            await repository.lock_by_external_refs(org_id, listing_type.value, refs, conn) if refs else {}
        )
        inserts: list[dict[str, Any]] = []
        insert_data: list[ListingCommon] = []
        touched = []
        for _, data in rows:
            columns = listing_columns(data)
            score, missing = assess_quality(listing_type.value, quality_input(listing_type.value, columns))
            if listing_type == ListingType.EXPERT and isinstance(data, ExpertCreate):
                columns["attributes"]["consent"] = {
                    "publish": data.consent.publish,
                    "contact": data.consent.contact,
                    "recorded_at": now.isoformat(),
                    "text_version": CONSENT_TEXT_VERSION,
                }
            withdrawn = isinstance(data, ExpertCreate) and not data.consent.publish
            row_status = "draft" if withdrawn else status
            current = existing.get(data.external_ref or "")
            if current is not None:
                if withdrawn and current.status in ("published", "pending"):
                    # Consent withdrawn by re-import unpublishes at once, as an edit in the portal does.
                    current.status = TRANSITIONS[(current.status, "unpublish")]
                if not publish and needs_review(current, columns):
                    body = data.model_dump(mode="json", exclude={"contact"})
                    hold_edit(current, body=body, columns=columns, score=score, missing=missing, by=actor_id)
                    if "consent" in columns["attributes"]:
                        # Consent is the expert's decision, not public text: it takes effect at once.
                        current.attributes = {
                            **current.attributes,
                            "consent": columns["attributes"]["consent"],
                        }
                    result.held += 1
                else:
                    current.update_from_dict({**columns, "quality_score": score, "quality_missing": missing})
                    if publish and row_status == "published":
                        current.status = next_state(
                            IMPORT_TRANSITIONS, current.status, "import_publish", subject=_LISTING
                        ).value
                        current.published_at = current.published_at or now
                current.version += 1
                await repository.save_listing(current, conn)
                touched.append((current, data))
                result.updated += 1
                continue
            inserts.append(
                {
                    **{k: v for k, v in columns.items() if k != "tech_fields"},
                    "fields": columns["tech_fields"],
                    "type": listing_type.value,
                    "status": row_status,
                    "org_id": org_id,
                    "created_by_id": actor_id,
                    "version": 1,
                    "quality_score": score,
                    "quality_missing": missing,
                    "submitted_at": now if row_status == "published" else None,
                    "published_at": now if row_status == "published" else None,
                }
            )
            insert_data.append(data)
        created = await repository.insert_listings(inserts, conn)
        result.created = len(created)
        touched.extend(zip(created, insert_data, strict=True))
        contacts = []
        consents = []
        for listing, data in touched:
            if isinstance(data, ExpertCreate):
                if data.contact is not None:
                    contacts.append((listing.id, data.contact.phone, data.contact.email))
                consents.append((listing.id, data.consent.publish, data.consent.contact))
        await repository.insert_contacts(contacts, conn)
        await repository.insert_consents(consents, CONSENT_TEXT_VERSION, actor_id, conn)
        verified = await repository.verified_org_ids((listing.org_id for listing, _ in touched), conn)
        await repository.insert_outbox(
            [
                (
                    listing.id,
                    listing.version,
                    enrich_payload(
                        LISTING_TOPIC,
                        {"snapshot": snapshot(listing, org_verified=listing.org_id in verified)},
                    ),
                )
                for listing, _ in touched
            ],
            LISTING_TOPIC,
            conn,
        )
        result.ids = [listing.id for listing, _ in touched]
    return result
