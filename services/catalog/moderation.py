"""Spam signals in public text: contact details that bypass the platform are flagged for the reviewer."""

import re
from collections.abc import Iterable

# Which of a listing's fields are its public text: an edit to any of them on a published listing is reviewed.
MATERIAL_KEYS = frozenset({"title", "name", "summary", "description", "keywords"})

_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mobile", re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")),
    ("wechat", re.compile(r"加微|微信|wechat|weixin|\bvx\b|\bwx\b", re.IGNORECASE)),
    ("qq", re.compile(r"(?:qq|扣扣)\s*[:：号]?\s*\d{5,11}", re.IGNORECASE)),
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("url", re.compile(r"https?://|www\.|(?<![@.\w-])[\w-]+\.(?:com|cn|net|org|top|xyz)\b", re.IGNORECASE)),
)


def contact_flags(texts: Iterable[str]) -> list[str]:
    """The kinds of contact detail found in these texts, in a fixed order, each once."""
    joined = "\n".join(texts)
    return [kind for kind, pattern in _SIGNALS if pattern.search(joined)]
