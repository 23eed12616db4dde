"""Facts typed in a query: a title, an award, a project, a qualification, a service mode (dictionary/facts.txt).

获得过重庆市技术发明奖的电池专家 asks for 电池 experts whose bio says 重庆市技术发明奖. As words, 重庆市 / 技术 /
发明奖 are in hundreds of bios and the need drowns; as one fact the listing must state it whole. ``find_facts``
takes the facts out of a normalised query (with the verb typed before them: 获得过, 主持过) and returns what is
left for the word analysis; search.queries matches each fact as a phrase.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from search.analysis import DICTIONARY_DIR, words

FACTS_PATH: Final = DICTIONARY_DIR / "facts.txt"


@dataclass(frozen=True, slots=True)
class Facts:
    """The listing wording of every alias, and the verbs typed before a fact."""

    aliases: dict[str, str]
    leads: tuple[str, ...]
    longest: int
    # A word naming a technology field → the field's code (人工智能 → ai).
    fields: dict[str, str]
    # The kind of listing that states a fact (主任技师 → expert).
    kinds: dict[str, str]


def load_facts(path: Path = FACTS_PATH) -> Facts:
    aliases: dict[str, str] = {}
    leads: list[str] = []
    fields: dict[str, str] = {}
    kinds: dict[str, str] = {}
    kind = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("lead:"):
            leads.extend(line.removeprefix("lead:").split())
            continue
        if line.startswith("kind:"):
            kind = line.removeprefix("kind:").strip()
            continue
        wording, arrow, typed = line.partition("=>")
        wording = wording.strip()
        if not arrow or not wording:
            raise ValueError(f"{path.name}:{number}: expected `wording => alias, alias`")
        if wording.startswith("field "):
            code = wording.removeprefix("field ").strip()
            fields.update((word.strip().lower(), code) for word in typed.split(",") if word.strip())
            continue
        if kind:
            kinds[wording] = kind
        for alias in [wording, *typed.split(",")]:
            alias = " ".join(alias.lower().split())
            if alias:
                # The first line naming an alias keeps it (a more specific fact is listed first).
                aliases.setdefault(alias, wording)
    longest = max((len(alias) for alias in aliases), default=0)
    return Facts(aliases, tuple(sorted(set(leads), key=len, reverse=True)), longest, fields, kinds)


@functools.cache
def _facts() -> Facts:
    return load_facts()


def kind_of(wording: str) -> str | None:
    """The kind of listing that states a fact (主任技师 → expert), or None."""
    return _facts().kinds.get(wording)


def field_of(word: str) -> str | None:
    """The code of the technology field a query word names (人工智能 → ai), or None."""
    return _facts().fields.get(word)


def _boundaries(text: str) -> set[int]:
    """Offsets where a word of the normalised text starts or ends (or a space or punctuation sits)."""
    edges = {0, len(text)}
    position = 0
    for word in words(text):
        found = text.find(word, position)
        if found < 0:
            continue
        edges.update((found, found + len(word)))
        position = found + len(word)
    edges.update(index for index, char in enumerate(text) if not char.isalnum())
    edges.update(index + 1 for index, char in enumerate(text) if not char.isalnum())
    return edges


def find_facts(text: str, facts: Facts | None = None) -> tuple[str, list[str]]:
    """The normalised query without the facts it names (and their verbs), and those facts' listing wording.

    An alias counts only where it starts and ends on word edges: 高工 is a title, 提高工作效率 holds none.
    """
    facts = facts or _facts()
    if not facts.aliases:
        return text, []
    edges = _boundaries(text)
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        if start not in edges:
            start += 1
            continue
        for size in range(min(facts.longest, len(text) - start), 0, -1):
            end = start + size
            wording = facts.aliases.get(text[start:end])
            if wording is not None and end in edges:
                spans.append(
                    (_lead_start(text, start, edges, facts.leads), _lead_end(text, end, edges, facts.leads))
                )
                if wording not in found:
                    found.append(wording)
                start = end
                break
        else:
            start += 1
    if not found:
        return text, []
    rest, position = [], 0
    for begin, end in spans:
        rest.append(text[position:begin])
        position = end
    rest.append(text[position:])
    left = " ".join(" ".join(rest).split())
    return left, found


def _lead_start(text: str, start: int, edges: set[int], leads: tuple[str, ...]) -> int:
    """Where the verb typed before a fact (获得过, 主持, winning) begins, or the fact's own start."""
    before = text[:start].rstrip()
    for lead in leads:
        begin = len(before) - len(lead)
        if before.endswith(lead) and begin in edges:
            return begin
    return start


def _lead_end(text: str, end: int, edges: set[int], leads: tuple[str, ...]) -> int:
    """Where an English verb typed after a fact (China Patent Award winning) ends, or the fact's own end."""
    after = text[end:]
    gap = len(after) - len(after.lstrip())
    for lead in leads:
        stop = end + gap + len(lead)
        if lead.isascii() and after.lstrip().startswith(lead) and stop in edges:
            return stop
    return end


@dataclass(frozen=True, slots=True)
class Count:
    """A number a listing states about itself (授权发明专利31项) that a searcher may ask a minimum of."""

    name: str
    label: str
    # In the listing's text: the number is the first group, at most nine digits, so a bio claiming more cannot
    # overflow the engine's integer field and have its document refused.
    stated: re.Pattern[str]
    # In a query: the words naming it, and the units typed after the number.
    nouns: str
    units: str
    # The kind of listing that states it.
    kind: str


COUNTS: Final = (
    Count(
        "patents",
        "授权发明专利",
        re.compile(r"授权发明专利(\d{1,9})项"),
        r"授权发明专利|发明专利|授权专利|专利",
        "项|件|个",
        "expert",
    ),
    Count(
        "papers",
        "发表论文",
        re.compile(r"发表论文(\d{1,9})篇"),
        r"发表论文|发表文章|论文|文章",
        "篇",
        "expert",
    ),
    Count(
        "projects",
        "主持科研项目",
        re.compile(r"科研项目(\d{1,9})项"),
        r"主持科研项目|科研项目|主持项目|项目|课题",
        "项|个",
        "expert",
    ),
    Count(
        "staff",
        "专业服务人员",
        re.compile(r"专业服务人员(\d{1,9})名"),
        r"专业服务人员|服务人员|专业人员|员工|人员",
        "名|人|位",
        "agency",
    ),
    Count(
        "served",
        "累计服务企业",
        re.compile(r"累计服务企业(\d{1,9})家次"),
        r"近三年累计服务企业|累计服务企业|累计服务|服务企业|服务客户|服务过",
        "家次|家|次",
        "agency",
    ),
)
_AT_LEAST_BEFORE: Final = r"(?:数量|数)?\s*(?:达到|达|超过|不少于|不低于|至少|大于|多于|高于|在)?\s*"
_AT_LEAST_AFTER: Final = r"\s*(?:以上|及以上|或以上|多|\+)"
# Technology readiness typed as a floor (TRL7以上, 成熟度6级以上): the achievements' own `trl` field.
_TRL: Final = re.compile(r"(?:trl|技术成熟度|成熟度)\s*-?\s*([1-9])\s*级?\s*(?:以上|及以上|或以上|\+)?")


def counts_of(text: str) -> dict[str, int]:
    """The numbers a listing's text states (授权发明专利31项 → patents 31), for the engine document."""
    found: dict[str, int] = {}
    for count in COUNTS:
        stated = count.stated.search(text)
        if stated is not None:
            found[count.name] = int(stated.group(1))
    return found


@dataclass(frozen=True, slots=True)
class Minimum:
    """A minimum typed in a query: the engine field, the least value, what the page shows, the kind stating it."""

    field: str
    least: int
    label: str
    kind: str


def find_minimums(text: str) -> tuple[str, list[Minimum]]:
    """Minimums typed in a normalised query (授权发明专利30项以上, 专业服务人员100名以上, trl7以上): the query
    without them, and each minimum. A floor of ten digits or more is no minimum (it stays text): past the
    engine's integer it could fail the whole search."""
    found: list[Minimum] = []
    for count in COUNTS:
        pattern = re.compile(
            f"(?:{count.nouns}){_AT_LEAST_BEFORE}(\\d{{1,9}})\\s*(?:{count.units})(?:{_AT_LEAST_AFTER})"
        )
        typed = pattern.search(text)
        if typed is not None:
            least = int(typed.group(1))
            found.append(Minimum(f"counts.{count.name}", least, f"{count.label}≥{least}", count.kind))
            text = text[: typed.start()] + " " + text[typed.end() :]
    trl = _TRL.search(text)
    if trl is not None:
        least = int(trl.group(1))
        found.append(Minimum("trl", least, f"TRL≥{least}", "achievement"))
        text = text[: trl.start()] + " " + text[trl.end() :]
    return " ".join(text.split()), found
