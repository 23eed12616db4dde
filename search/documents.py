"""Turn a listing snapshot (from the outbox or a rebuild) into the engine document (pure)."""

from typing import Any

from search.analysis import (
    inner_words,
    latin_text,
    normalise,
    pinyin_syllables,
    segment,
    segment_words,
    suggest_inputs,
    words,
)
from search.facts import counts_of
from search.measures import measures_of

# Fields shown in a search hit; everything a result card needs, so no per-hit database round trip.
DISPLAY_KEYS = (
    "id",
    "type",
    "title",
    "name",
    "summary",
    "org_id",
    "fields",
    "region",
    "maturity",
    "trl",
    "price",
    "price_min_fen",
    "price_max_fen",
    "institution",
    "model",
    "manufacturer",
    "category",
    "availability",
    "agency_types",
    "qualifications",
    "services",
    "rate_fen_per_hour",
    "fees",
    "transfer_modes",
    "published_at",
    "keywords",
    "location",
    "org_verified",
)


def is_indexable(snapshot: dict[str, Any]) -> bool:
    """Only published listings are searchable."""
    return snapshot.get("status") == "published"


def _body_text(snapshot: dict[str, Any]) -> str:
    parts = [snapshot.get("summary") or "", snapshot.get("description") or ""]
    for key in ("bio", "institution", "model", "manufacturer"):
        if snapshot.get(key):
            parts.append(str(snapshot[key]))
    for offering in snapshot.get("offerings") or []:
        parts.append(f"{offering.get('name', '')} {offering.get('description', '')}")
    return "\n".join(p for p in parts if p)


def group_of(snapshot: dict[str, Any]) -> str:
    """Listings a visitor cannot tell apart by their title share a group: one instrument model (by maker and
    model) wherever it stands; anything else is its own group."""
    if snapshot.get("type") == "instrument" and snapshot.get("model"):
        maker = normalise(str(snapshot.get("manufacturer") or ""))
        return f"instrument:{maker}:{normalise(str(snapshot['model']))}"
    return f"{snapshot.get('type')}:{snapshot.get('id')}"


def build_document(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The engine document of a published listing. Never includes private contact data."""
    title = snapshot.get("name") if snapshot.get("type") == "expert" else snapshot.get("title")
    title = title or ""
    if snapshot.get("type") == "instrument" and snapshot.get("model") and snapshot["model"] not in title:
        title_text = f"{title} {snapshot.get('model', '')}"
    else:
        title_text = title
    body = _body_text(snapshot)
    body_words = words(body)
    keywords = [str(k) for k in snapshot.get("keywords") or []]
    # Titles and keywords are what a user names when typing pinyin or slipping a homophone; bodies are not. An
    # instrument's maker is named too: brands are typed in pinyin (yingsitelang: 英斯特朗(Instron)).
    named = [title, *keywords]
    if snapshot.get("type") == "instrument" and snapshot.get("manufacturer"):
        named.append(str(snapshot["manufacturer"]))
    region = snapshot.get("region")
    display = {key: snapshot[key] for key in DISPLAY_KEYS if key in snapshot and key != "contact"}
    if snapshot.get("type") == "expert":
        display["title"] = title
        display["professional_title"] = snapshot.get("title", "")
    return {
        "id": snapshot["id"],
        "type": snapshot["type"],
        "status": snapshot["status"],
        "org_id": snapshot.get("org_id"),
        "title": title_text,
        "title_seg": segment(title_text),
        "title_pinyin": [" ".join(pinyin_syllables(text)) for text in named],
        "title_initials": [" ".join(pinyin_syllables(text, initials=True)) for text in named],
        "body": body,
        "body_seg": segment_words(body_words),
        # Runs inside the body's longer words (search.analysis.inner_words): matching's 粗糙度 in 表面粗糙度.
        "body_inner": inner_words(body_words),
        "latin": latin_text(" ".join([title_text, *keywords, body])),
        "keywords": [normalise(k) for k in keywords],
        "keywords_seg": segment(" ".join(keywords)),
        # What the instrument's kind measures (search.measures): retrieved over by matching, never shown.
        "measures_seg": segment(measures_of(snapshot)),
        "fields": snapshot.get("fields") or [],
        "region": region,
        "city": f"{region[:4]}00" if region else None,
        "maturity": snapshot.get("maturity"),
        "trl": snapshot.get("trl"),
        # The numbers the text states (授权发明专利31项, 专业服务人员15名): a query may ask a minimum of them.
        "counts": counts_of(body),
        "category": snapshot.get("category"),
        "availability": snapshot.get("availability"),
        "group": group_of(snapshot),
        "price_min_fen": snapshot.get("price_min_fen"),
        "price_max_fen": snapshot.get("price_max_fen"),
        "published_at": snapshot.get("published_at"),
        "updated_at": snapshot.get("updated_at"),
        "suggest": suggest_inputs(title),
        "suggest_alias": list(dict.fromkeys(entry for k in keywords for entry in suggest_inputs(k))),
        "display": display,
    }


# Key under which a listing event carries its finished engine document (see outbox enrichers).
DOCUMENT_KEY = "_document"


def with_document(payload: dict[str, Any]) -> dict[str, Any]:
    """Outbox enricher: attach the engine document of a published listing's snapshot."""
    snapshot = payload.get("snapshot")
    if isinstance(snapshot, dict) and is_indexable(snapshot):
        snapshot = {**snapshot, DOCUMENT_KEY: build_document(snapshot)}
        return {**payload, "snapshot": snapshot}
    return payload


def document_of(snapshot: dict[str, Any]) -> dict[str, Any] | str:
    """The engine document: the one built at write time if the event carries it (as a dict, or as the raw
    JSON text the worker detached from the outbox row), else built now."""
    prebuilt = snapshot.get(DOCUMENT_KEY)
    return prebuilt if isinstance(prebuilt, dict | str) else build_document(snapshot)
