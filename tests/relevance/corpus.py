"""The relevance corpus: seed listings plus hand-written targets and hard negatives, each under a stable key.

Every document goes through the product's own path — the create schema, the catalogue's column split,
``snapshot()`` of an unsaved ``Listing`` and ``search.documents.build_document`` — so the suite measures
what the portal would index.

Keys name what a document *is*, so judgements can be written against them by hand (``judgements.yaml``)
without looking at any ranking:

- ``ach/<org>/<field>/<topic>/<n>`` — an achievement about one topic of the generator's vocabulary
- ``ins/<org>/<category>/<model>/<n>`` — an instrument of one model
- ``exp/<org>/<area>+<area>…/<n>`` — an expert and the research areas named in the bio
- ``agy/<org>/<type>+…/<offering>+…/<n>`` — an agency, its types and the services it offers
- ``hand/<slug>`` — a document from ``documents.yaml``

Seed keys depend only on the seed and the generator, not on the engine, so they are stable across runs.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from devdata import generator as seeddata
from services.catalog.models import Listing
from services.catalog.service import listing_columns, parse_listing, snapshot
from services.reference.vocabulary import ListingType

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 20261126
SCALE = 4000
_PUBLISHED_AT = datetime(2026, 6, 1, tzinfo=UTC)
_AREAS = re.compile("长期从事(.+?)等方向研究")


@dataclass(frozen=True, slots=True)
class CorpusDocument:
    key: str
    snapshot: dict[str, Any]


def _topic_of(payload: dict[str, Any]) -> str:
    title = payload["title"]
    for code in payload["fields"]:
        for topic in seeddata._VOCABS[code].topics:
            if topic.phrase in title:
                return topic.phrase
    raise ValueError(f"no generator topic in {title!r}")


def _seed_key(seed: seeddata.ListingSeed) -> str:
    payload = seed.payload
    ordinal = seed.external_ref.rsplit(":", 1)[1][-4:]
    match seed.type:
        case "achievement":
            return f"ach/{seed.org_key}/{payload['fields'][0]}/{_topic_of(payload)}/{ordinal}"
        case "instrument":
            return f"ins/{seed.org_key}/{payload['category']}/{payload['model']}/{ordinal}"
        case "expert":
            found = _AREAS.search(payload["bio"])
            areas = found.group(1).split("、") if found else []
            return f"exp/{seed.org_key}/{'+'.join(areas)}/{ordinal}"
        case _:
            offerings = "+".join(o["name"].split("（")[0] for o in payload["offerings"])
            return f"agy/{seed.org_key}/{'+'.join(payload['agency_types'])}/{offerings}/{ordinal}"


def _listing_snapshot(doc_id: int, listing_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    data = parse_listing(ListingType(listing_type), payload)
    columns = listing_columns(data)
    # Later ids are a little newer, as in a real catalogue; the tie-break on published_at stays deterministic.
    published = _PUBLISHED_AT + timedelta(minutes=doc_id)
    listing = Listing(
        id=doc_id,
        type=listing_type,
        status="published",
        version=1,
        created_at=published,
        updated_at=published,
        published_at=published,
        **columns,
    )
    listing.org_id = 1
    return snapshot(listing)


def hand_documents() -> list[dict[str, Any]]:
    """The hand-written documents: ``{key, type, payload}`` each."""
    loaded: list[dict[str, Any]] = yaml.safe_load((DATA_DIR / "documents.yaml").read_text(encoding="utf-8"))
    return loaded


@cache
def build_corpus(scale: int = SCALE, seed: int = SEED) -> tuple[CorpusDocument, ...]:
    """Seed listings (experts without publication consent left out, as the catalogue does) and hand documents."""
    orgs = seeddata.generate_orgs(random.Random(seed))
    documents: list[CorpusDocument] = []
    keys: set[str] = set()

    def add(key: str, listing_type: str, payload: dict[str, Any]) -> None:
        if key in keys:
            raise ValueError(f"duplicate corpus key {key!r}")
        keys.add(key)
        documents.append(CorpusDocument(key, _listing_snapshot(len(documents) + 1, listing_type, payload)))

    for listing in seeddata.generate_listings(random.Random(seed), scale=scale, orgs=orgs):
        consent = listing.payload.get("consent") or {}
        if listing.type == "expert" and not consent.get("publish"):
            continue
        add(_seed_key(listing), listing.type, listing.payload)
    for entry in hand_documents():
        add(f"hand/{entry['key']}", entry["type"], entry["payload"])
    return tuple(documents)
