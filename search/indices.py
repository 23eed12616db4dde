"""Index definitions: one versioned index per listing type behind an alias (pure)."""

from typing import Any

from search.analysis import SYNONYM_RULES
from services.core import clock
from services.core.settings import get_settings
from services.reference.vocabulary import ListingType

LISTING_TYPES = tuple(ListingType)
# Published demands are searchable too (`type=demand`), in their own index with the same analysis; a search
# without a type still means the four kinds of supply.
DEMAND_TYPE = "demand"
SEARCHABLE_TYPES = (*LISTING_TYPES, DEMAND_TYPE)


def alias_name(listing_type: str, prefix: str | None = None) -> str:
    """The stable alias every read and write goes through."""
    return f"{prefix or get_settings().search_index_prefix}-{listing_type}"


def new_index_name(listing_type: str, prefix: str | None = None) -> str:
    """A fresh concrete index name for a rebuild."""
    return f"{alias_name(listing_type, prefix)}-{clock.now().strftime('%Y%m%d%H%M%S%f')}"


def search_target(types: list[str] | None = None, prefix: str | None = None) -> str:
    """Comma list of aliases to search."""
    return ",".join(alias_name(t, prefix) for t in (types or LISTING_TYPES))


def engine_synonym_rules(rules: list[str]) -> list[str]:
    """Our synonym lines as the engine should apply them: multi-word terms as one-way rules.

    Single-token equivalents stacked at one position become one blended term (Lucene's
    SynonymQuery: one IDF for the whole set), so a title saying 扫描电子显微镜 scores like one
    saying 扫描电镜. A multi-word term in the same line turns the set into a graph of separate
    terms, each with its own IDF, and the rare spelling wins. Multi-word terms therefore only
    expand to the set, one way: "scanning electron microscope" still finds 扫描电镜.
    """
    engine_rules: list[str] = []
    for rule in rules:
        terms = [term.strip() for term in rule.split(",")]
        phrases = [term for term in terms if " " in term]
        if "=>" in rule or not phrases:
            engine_rules.append(rule)
            continue
        single = [term for term in terms if " " not in term]
        if len(single) > 1:
            engine_rules.append(", ".join(single))
        engine_rules.extend(f"{phrase} => {', '.join(terms)}" for phrase in phrases)
    return engine_rules


def index_body(*, replicas: int = 0, shards: int = 1) -> dict[str, Any]:
    """Settings and mappings shared by the four listing indices."""
    analysis = {
        "filter": {
            "tm_synonyms": {
                "type": "synonym_graph",
                "synonyms": engine_synonym_rules(SYNONYM_RULES),
                "lenient": True,
            },
            "tm_edge": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
            "tm_bigram": {"type": "cjk_bigram", "output_unigrams": False},
            "tm_english_possessive": {"type": "stemmer", "language": "possessive_english"},
            "tm_english_stemmer": {"type": "stemmer", "language": "english"},
        },
        "analyzer": {
            # Text pre-segmented by jieba (search/analysis.py) on both sides: whitespace is the word boundary.
            "tm_seg": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
            "tm_seg_search": {
                "type": "custom",
                "tokenizer": "whitespace",
                "filter": ["lowercase", "tm_synonyms"],
            },
            # Recall for anything the dictionary missed: CJK bigrams over the raw text.
            "tm_cjk": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "tm_bigram"],
            },
            "tm_suggest": {"type": "custom", "tokenizer": "keyword", "filter": ["lowercase", "tm_edge"]},
            "tm_suggest_search": {"type": "custom", "tokenizer": "keyword", "filter": ["lowercase"]},
            # One token per character (Latin words whole): a short form typed as the first characters of
            # a term's words (网安 for 网络安全) matches as an ordered phrase with gaps (search.queries).
            "tm_chars": {"type": "custom", "tokenizer": "standard", "filter": ["cjk_width", "lowercase"]},
            # The Latin words of a listing (search.analysis.latin_text), in English: microscopes = microscope.
            "tm_english": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["asciifolding", "tm_english_possessive", "lowercase", "tm_english_stemmer"],
            },
            # One token per syllable (or initial), written by search/analysis.py; queries match runs of them.
            "tm_pinyin": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
        },
        "normalizer": {"tm_lower": {"type": "custom", "filter": ["lowercase"]}},
    }
    seg = {"type": "text", "analyzer": "tm_seg", "search_analyzer": "tm_seg_search"}
    cjk = {"type": "text", "analyzer": "tm_cjk"}
    chars = {"type": "text", "analyzer": "tm_chars"}
    # A title with many keywords must not score lower for it: these fields say "contains", not "is about".
    pinyin = {"type": "text", "analyzer": "tm_pinyin", "norms": False}
    suggest = {
        "type": "text",
        "analyzer": "tm_suggest",
        "search_analyzer": "tm_suggest_search",
        "norms": False,
    }
    mappings = {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "long"},
            "type": {"type": "keyword"},
            "status": {"type": "keyword"},
            "org_id": {"type": "long"},
            "title": {**cjk, "fields": {"kw": {"type": "keyword", "ignore_above": 256}, "chars": chars}},
            "title_seg": seg,
            "title_pinyin": pinyin,
            "title_initials": pinyin,
            "body": cjk,
            "body_seg": seg,
            # Looked up whole by matching (search.queries.build_match_candidates), never through synonyms.
            "body_inner": {"type": "text", "analyzer": "tm_seg", "index_options": "freqs"},
            "latin": {"type": "text", "analyzer": "tm_english"},
            "keywords": {"type": "keyword", "normalizer": "tm_lower"},
            "keywords_seg": {**seg, "fields": {"chars": chars}},
            "measures_seg": seg,
            "fields": {"type": "keyword"},
            "region": {"type": "keyword"},
            "city": {"type": "keyword"},
            "maturity": {"type": "keyword"},
            "trl": {"type": "integer"},
            "counts": {
                "properties": {
                    name: {"type": "integer"} for name in ("patents", "papers", "projects", "staff", "served")
                }
            },
            "category": {"type": "keyword"},
            "availability": {"type": "keyword"},
            # Listings that are the same thing (one instrument model at many institutions) share a group.
            "group": {"type": "keyword"},
            "price_min_fen": {"type": "long"},
            "price_max_fen": {"type": "long"},
            "published_at": {"type": "date"},
            "updated_at": {"type": "date"},
            "suggest": suggest,
            "suggest_alias": suggest,
            "display": {"type": "object", "enabled": False},
        },
    }
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "refresh_interval": "1s",
                # Idle shards skip scheduled refreshes; a freshly published listing must show within a second.
                "search.idle.after": "3650d",
                "max_result_window": 10_000,
                # Deletes keep their tombstone version long enough that a late, older update cannot resurrect.
                "gc_deletes": "1h",
            },
            "analysis": analysis,
        },
        "mappings": mappings,
    }
