"""Judge extracted blocks by the page structure around their source, after extraction.

trafilatura extracts from the page as given; every block is then mapped back to its source element
(``align.py``), and the tree rules name the elements that are boilerplate: ``prune`` (XPath/CSS),
``prune_class`` (class/id tokens), ``heading`` (a heading and the box or section it opens) and the
``shape`` detectors (``shapes.py``). A block goes when its first and last characters both sit in
such an element, unless the evidence is too weak for what it would remove: an element that holds
most of the article is the page wrapper, and prose in the middle of the article's run of
paragraphs is only removed on strong evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from scraper.align import Span
from scraper.article import Removal
from scraper.blocks import Block, is_prose
from scraper.rules import Rule, RuleCache, RuleSet
from scraper.shapes import find_shapes

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_INLINE = frozenset({"a", "span", "strong", "b", "em", "i", "font", "small", "u", "label", "abbr", "time"})
_NEVER = frozenset({"html", "body", "head", "main", "article"})
_SPACE = re.compile(r"\s+")
_STRING = etree.XPath("string(.)")  # scripts and styles are gone before the rules run


def _text_of(el: etree._Element) -> str:
    return _norm(str(_STRING(el)))
_HAS_BIG_HEADING = etree.XPath("boolean(self::h1 or .//h1 or self::article or .//article or self::main or .//main)")
_MAX_HEADING_CHARS = 90
# Paragraphs with this much text outside links are article prose (or comments), not teasers.
_PROSE_CHARS = 120
# An inline box opened by a heading (bio, newsletter, "read more") holds at most this much text.
_BOX_MAX_CHARS = 1200
_HEADING_PROTECT_RATIO = 0.85
# Text outside the posts of a related-posts box (ad slots, empty wrappers) is at most this long.
_OTHER_TEXT = 200
# Prose inside the article's run that weak evidence may still remove: teaser blurbs, not paragraphs.
_WEAK_PROSE_CHARS = 400
_STRING_LENGTH = etree.XPath("string-length(.)")
_PARAGRAPHS = etree.XPath("descendant-or-self::p")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def remove_element(el: etree._Element) -> None:
    """Detach ``el`` from its parent, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def text_length(el: etree._Element) -> int:
    """Characters of text under ``el`` (scripts and styles are gone before this runs)."""
    return int(_STRING_LENGTH(el))


# ---------------------------------------------------------------- headings and the sections they open

def _level(el: etree._Element) -> int:
    """Heading level of an anchor: 1-6 for h1-h6 (itself or inside), 7 for styled text headings."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _HEADINGS:
        return int(tag[1])
    inner = [int(h.tag[1]) for h in el.iter(*_HEADINGS)]
    return min(inner) if inner else 7


def _ends_section(sibling: etree._Element, level: int) -> bool:
    """Whether ``sibling`` starts new content that a heading of ``level`` does not own."""
    if not isinstance(sibling.tag, str):
        return False
    if _HAS_BIG_HEADING(sibling):
        return True
    return any(int(h.tag[1]) <= level for h in sibling.iter(*_HEADINGS))


def _anchor_for(node_owner: etree._Element, heading_text: str) -> etree._Element | None:
    """Climb from the element owning the heading text to the largest element holding only that text."""
    anchor = node_owner
    while True:
        parent = anchor.getparent()
        if parent is None or parent.tag in _NEVER:
            break
        # same length first: one call into libxml2 rules out almost every parent
        if int(_NORM_LENGTH(parent)) != len(heading_text) or _text_of(parent) != heading_text:
            break
        anchor = parent
    if anchor.tag in _INLINE or anchor.tag in _NEVER:
        return None
    return anchor


_HEADING_OWNERS = etree.XPath(
    "(//h1|//h2|//h3|//h4|//h5|//h6|//*[@role='heading']|//legend"
    "|//*[(contains(@class,'title') or contains(@class,'heading') or contains(@class,'Title')"
    " or contains(@class,'Heading')) and count(*) <= 3])"
    f"[string-length(normalize-space(.)) <= {_MAX_HEADING_CHARS} and normalize-space(.) != '']"
)
_NORM_LENGTH = etree.XPath("string-length(normalize-space(.))")


def _short_owners(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """Heading-like elements whose text is short: h1-h6, role=heading, and *title*/*heading* classes."""
    out: list[tuple[etree._Element, str]] = []
    for owner in _HEADING_OWNERS(root):
        if owner.tag in _NEVER:
            continue
        full = _text_of(owner)
        if full and len(full) <= _MAX_HEADING_CHARS:
            out.append((owner, full))
    return out


def _heading_anchors(short: list[tuple[etree._Element, str]], rule: Rule) -> list[etree._Element]:
    """Anchors of the headings whose whole text matches ``rule``."""
    assert rule.regex is not None
    anchors: list[etree._Element] = []
    seen: set[etree._Element] = set()
    for owner, full in short:
        if not rule.regex.match(full):
            continue
        anchor = _anchor_for(owner, full)
        if anchor is not None and anchor not in seen:
            seen.add(anchor)
            anchors.append(anchor)
    return anchors


def _is_prose(el: etree._Element) -> bool:
    """Whether ``el`` holds article prose: ``_PROSE_CHARS`` characters of paragraph text outside links."""
    prose = 0
    for par in _PARAGRAPHS(el):
        prose += int(_STRING_LENGTH(par)) - sum(int(_STRING_LENGTH(a)) for a in par.iter("a"))
        if prose >= _PROSE_CHARS:
            return True
    return False


_CARD_MARKS = etree.XPath("boolean(.//h2 | .//h3 | .//h4 | .//h5 | .//h6 | .//li[string-length(.) > 120])")


def _is_cards(el: etree._Element) -> bool:
    """Whether prose sits in story cards or list items (teasers, whole related stories, comments),
    unlike the bare paragraphs of an article body."""
    return bool(_CARD_MARKS(el)) or el.tag in ("h2", "h3", "h4", "h5", "h6", "li", "article")


def _box(anchor: etree._Element, rule: Rule) -> etree._Element | None:
    """The container a heading opens, when the heading comes first in it: the whole box goes
    (an author bio, a newsletter box, a comment thread), prose included."""
    parent = anchor.getparent()
    if parent is None or parent.tag in _NEVER - {"article"} or (anchor.getprevious() is not None and any(
        _text_of(prev) for prev in anchor.itersiblings(preceding=True)
    )):
        return None
    if (parent.text or "").strip():
        return None
    if rule.extent != "rest" and text_length(parent) > _BOX_MAX_CHARS:
        return None
    if parent.tag == "article" and rule.extent != "rest":
        return None
    if _HAS_BIG_HEADING(parent) and not (parent.tag == "article" and _only_nested_articles(parent, anchor)):
        return None  # the heading opens the article's own container, not a widget
    return parent


def _only_nested_articles(parent: etree._Element, anchor: etree._Element) -> bool:
    """Whether what follows the heading is a list of whole posts: ``<article>`` siblings, and
    nothing else with text worth keeping (an ad slot, an empty wrapper)."""
    rest = [s for s in anchor.itersiblings() if isinstance(s.tag, str)]
    posts = [s for s in rest if s.tag == "article"]
    others = sum(text_length(s) for s in rest if s.tag != "article")
    return len(posts) >= 2 and others < _OTHER_TEXT and parent.find(".//h1") is None


def _section(anchor: etree._Element, rule: Rule) -> list[etree._Element]:
    """The anchor and the following siblings it introduces, or nothing.

    A heading that opens its container takes the container (see ``_box``). Otherwise the section
    runs to the next heading of its level or higher, and never takes bare prose: an inline box
    (``extent = "section"``) stops before it, and a ``rest`` heading followed by article-like prose
    is left for the text rules, which see where the article ends. Prose in cards or list items
    (related stories, comments) belongs to a ``rest`` section.
    """
    box = _box(anchor, rule)
    if box is not None:
        return [box]
    level = _level(anchor)
    members = [anchor]
    for sibling in anchor.itersiblings():
        if _ends_section(sibling, level) and not (rule.extent == "rest" and sibling.tag == "article"):
            break
        if isinstance(sibling.tag, str) and _is_prose(sibling):
            if rule.extent == "rest" and _is_cards(sibling):
                members.append(sibling)
                continue
            if rule.extent == "rest":
                return []
            break
        members.append(sibling)
    return members


# ---------------------------------------------------------------- class and id tokens

_PART_SPLIT = re.compile(r"[\s_-]+")
_CACHE_LIMIT = 100_000


class _ClassIndex:
    """``prune_class`` tokens compiled for fast lookups of class/id strings, cached per string.

    Single-word tokens must equal a part of a class/id (split on space, ``-``, ``_``); compound
    tokens (``related-posts``) must appear as consecutive parts.
    """

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.single: dict[str, Rule] = {}
        self.compound: dict[str, list[tuple[str, Rule]]] = {}
        for rule in rules:
            for token in rule.params.get("tokens", ()):
                parts = [p for p in _PART_SPLIT.split(token.lower()) if p]
                if len(parts) == 1:
                    self.single.setdefault(parts[0], rule)
                elif parts and parts[0] not in self.single:
                    self.compound.setdefault(parts[0], []).append((f"-{'-'.join(parts)}-", rule))
        self._cache: dict[str, Rule | None] = {}

    def _match(self, value: str) -> Rule | None:
        parts = value.lower().replace("_", " ").replace("-", " ").split()
        if not self.single.keys().isdisjoint(parts):
            return next(self.single[p] for p in parts if p in self.single)
        firsts = [self.compound[p] for p in parts if p in self.compound]
        if firsts:
            key = "-" + "-".join(parts) + "-"
            return next((r for group in firsts for needle, r in group if needle in key), None)
        return None

    def lookup(self, value: str) -> Rule | None:
        """The rule whose token the class/id string holds, if any."""
        try:
            return self._cache[value]
        except KeyError:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            hit = self._cache[value] = self._match(value)
            return hit


_INDEXES: RuleCache[_ClassIndex] = RuleCache(limit=64)


def _class_index(rules: tuple[Rule, ...]) -> _ClassIndex:
    return _INDEXES.get(rules, lambda: _ClassIndex(rules))


def _class_hits(sources: Iterable[etree._Element], rules: tuple[Rule, ...]) -> list[tuple[Rule, etree._Element]]:
    """Among the ancestors of the blocks' sources, the elements a class/id token names."""
    index = _class_index(rules)
    hits: list[tuple[Rule, etree._Element]] = []
    for el in sources:
        if el.tag in _NEVER:
            continue
        for attr in ("class", "id"):
            value = el.get(attr)
            rule = index.lookup(value) if value else None
            if rule is not None and not (attr == "id" and _named_after_text(el, value)):  # type: ignore[arg-type]
                hits.append((rule, el))
                break
    return hits


_SLUG_WORDS = re.compile(r"[^\W_]+")
_SLUG_PREFIXES = frozenset({"h", "toc", "section", "heading", "anchor", "title", "ez"})


def _named_after_text(el: etree._Element, value: str) -> bool:
    """Whether an id is an anchor made from the element's own opening words ("menu-innovation-strategies" on
    the heading "Menu Innovation Strategies"): it names the text, not the page's layout."""
    words = [w for w in _SLUG_WORDS.findall(value.lower()) if not w.isdigit()]
    while words and words[0] in _SLUG_PREFIXES:
        words.pop(0)
    if len(words) < 2:
        return False
    opening = set(_SLUG_WORDS.findall(" ".join(el.text_content().split()[:25]).lower()))
    return all(w in opening for w in words)


# ---------------------------------------------------------------- judging the blocks


@dataclass(frozen=True, slots=True)
class Group:
    """Elements that one rule names as boilerplate, and how strong that evidence is."""

    rule: Rule
    members: tuple[etree._Element, ...]

    @property
    def strong(self) -> bool:
        """Whether the evidence may remove article-like prose in the middle of the article."""
        return self.rule.evidence == "strong"


def _ancestry(spans: Sequence[Span | None]) -> dict[etree._Element, None]:
    """Every source element of the blocks and all their ancestors, in a stable order."""
    seen: dict[etree._Element, None] = {}
    for span in spans:
        if span is None:
            continue
        for owner in (span.first, span.last):
            if owner in seen:
                continue
            for el in (owner, *owner.iterancestors()):
                if el in seen:
                    break
                seen[el] = None
    return seen


def find_groups(root: etree._Element, rules: RuleSet, spans: Sequence[Span | None]) -> list[Group]:
    """Every element group the tree rules name, in rule order."""
    ancestry = _ancestry(spans)
    by_rule: dict[str, list[etree._Element]] = {}
    for rule, el in _class_hits(ancestry, rules.of_kind("prune_class")):
        by_rule.setdefault(rule.id, []).append(el)
    headings = rules.of_kind("heading")
    anyone = rules.any_match("heading")
    short = [(o, t) for o, t in _short_owners(root) if anyone is not None and anyone.match(t)] if headings else []
    shapes = find_shapes(root, rules.of_kind("shape"), ancestry)
    groups: list[Group] = []
    for rule in rules.rules:
        if rule.kind == "prune":
            assert rule.xpath is not None
            groups.extend(Group(rule, (el,)) for el in rule.xpath(root) if isinstance(el, etree._Element))
        elif rule.kind == "prune_class":
            groups.extend(Group(rule, (el,)) for el in by_rule.get(rule.id, ()))
        elif rule.kind == "heading":
            sections = (_section(anchor, rule) for anchor in _heading_anchors(short, rule))
            groups.extend(Group(rule, tuple(members)) for members in sections if members)
        elif rule.kind == "shape":
            groups.extend(Group(rule, (el,)) for el in shapes.get(rule.id, ()))
    return groups


def _claims(groups: Sequence[Group], spans: Sequence[Span | None]) -> list[list[int]]:
    """For each group, the blocks whose first and last characters both lie inside it."""
    where: dict[etree._Element, list[int]] = {}
    for index, group in enumerate(groups):
        for el in group.members:
            where.setdefault(el, []).append(index)
    claims: list[list[int]] = [[] for _ in groups]
    if not where:
        return claims
    cache: dict[etree._Element, frozenset[int]] = {}

    def inside(el: etree._Element) -> frozenset[int]:
        hit = cache.get(el)
        if hit is None:
            found: set[int] = set()
            for anc in (el, *el.iterancestors()):
                found.update(where.get(anc, ()))
            hit = cache[el] = frozenset(found)
        return hit

    for block_index, span in enumerate(spans):
        if span is None:
            continue
        both = inside(span.first)
        if span.last is not span.first:
            both = both & inside(span.last)
        for group_index in both:
            claims[group_index].append(block_index)
    return claims


def _core(blocks: Sequence[Block], claimed: set[int]) -> tuple[int, int]:
    """First and last index of the article's run: the prose that no rule claims.

    When rules claim all of the prose, there is no run to trust and every block counts as inside
    it (weak evidence then removes no prose at all).
    """
    free = [i for i, b in enumerate(blocks) if is_prose(b) and i not in claimed]
    if not free:
        return -1, len(blocks)
    return free[0], free[-1]


def _by_rule(groups: Sequence[Group], claims: Sequence[list[int]], blocks: Sequence[Block],
             protect_ratio: float) -> list[tuple[Rule, list[int]]]:
    """The blocks each rule claims through its groups, in rule order.

    A group holding more than its share of the text (``protect_ratio``; 85 % for a heading's
    section) is the page wrapper, not a widget, and claims nothing.
    """
    total = sum(len(b.text) for b in blocks) or 1
    merged: dict[str, tuple[Rule, list[int]]] = {}
    for group, claim in zip(groups, claims, strict=True):
        rule = group.rule
        entry = merged.setdefault(rule.id, (rule, []))
        if sum(len(blocks[i].text) for i in claim) <= _ratio(rule, protect_ratio) * total:
            longest = rule.params.get("max_block_chars")
            entry[1].extend(i for i in claim if longest is None or len(blocks[i].text) <= longest)
    return [(rule, sorted(set(found))) for rule, found in merged.values()]


def _ratio(rule: Rule, protect_ratio: float) -> float:
    # A heading names what it opens, so its section may be most of an aggregator page (whole
    # related stories); a class token is weaker evidence and may sit on the page wrapper. A rule
    # whose tokens also name layout wrappers (menu, sidebar, author) says how small its box is.
    if "max_share" in rule.params:
        return min(float(rule.params["max_share"]), protect_ratio)
    return max(protect_ratio, _HEADING_PROTECT_RATIO) if rule.kind == "heading" else protect_ratio


@dataclass(frozen=True, slots=True)
class Judgement:
    """The structural verdict: removed blocks (index -> rule id), the removals, the article's run."""

    removed: dict[int, str]
    removals: list[Removal]
    first: int
    last: int

    def inner(self, index: int) -> bool:
        """Whether block ``index`` lies inside the article's run of paragraphs."""
        return self.first < index < self.last


def judge(blocks: Sequence[Block], spans: Sequence[Span | None], groups: Sequence[Group],
          protect_ratio: float) -> Judgement:
    """Which blocks the groups remove, one Removal per rule that removed, and the article's run.

    A group is left alone when it holds more than ``protect_ratio`` of the article's text (85 % for
    a heading's section): it is the page wrapper. A rule is left alone when its groups together
    hold more than that, or when they hold article-like prose in the middle
    of the article's run of paragraphs and its evidence is weak (a class name, a heading's words).
    A rule of ``edge`` evidence removes only what lies before or after the article's run.
    """
    claims = _claims(groups, spans)
    first, last = _core(blocks, {i for c in claims for i in c})
    total = sum(len(b.text) for b in blocks) or 1
    removed: dict[int, str] = {}
    removals: list[Removal] = []
    for rule, claim in _by_rule(groups, claims, blocks, protect_ratio):
        todo = [i for i in claim if i not in removed and (rule.evidence != "edge" or not first < i < last)]
        if not todo:
            continue
        chars = sum(len(blocks[i].text) for i in todo)
        if chars > _ratio(rule, protect_ratio) * total:
            continue  # many small groups of one rule that together are the article
        inner = sum(len(blocks[i].text) for i in todo if first < i < last and is_prose(blocks[i]))
        if inner > _WEAK_PROSE_CHARS and rule.evidence != "strong":
            continue
        removed.update(dict.fromkeys(todo, rule.id))
        removals.append(Removal(rule=rule.id, kind=rule.kind, chars=chars))
    return Judgement(removed, removals, first, last)
