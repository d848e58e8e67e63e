"""Apply structural rules to the parsed HTML tree before extraction.

``prune`` and ``prune_class`` rules remove matched elements; ``heading`` rules find a heading whose
whole text matches a phrase and remove it with the section it introduces. An element that holds more
than ``protect_ratio`` of the page's text is never removed: it is the page, not a widget.
"""

from __future__ import annotations

import re

from lxml import etree

from scraper.article import Removal
from scraper.rules import Rule, RuleSet

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_INLINE = frozenset({"a", "span", "strong", "b", "em", "i", "font", "small", "u", "label", "abbr", "time"})
_NEVER = frozenset({"html", "body", "head", "main", "article"})
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template"})
_SPACE = re.compile(r"\s+")
_TEXT_NODES = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]")
_HAS_BIG_HEADING = etree.XPath("boolean(self::h1 or .//h1 or self::article or .//article or self::main or .//main)")
_MAX_HEADING_CHARS = 90
# Paragraphs with this much text outside links are article prose (or comments), not teasers.
_PROSE_CHARS = 120
# An inline box opened by a heading (bio, newsletter, "read more") holds at most this much text.
_BOX_MAX_CHARS = 1200
_HEADING_PROTECT_RATIO = 0.85


_STRING_LENGTH = etree.XPath("string-length(.)")
_SCRIPTS = etree.XPath(".//script|.//style|.//noscript|.//template")


_PARAGRAPHS = etree.XPath("descendant-or-self::p")


def _paragraph_length(el: etree._Element) -> int:
    """Characters of ``<p>`` text under ``el``: the article body lives in paragraphs."""
    return sum(int(_STRING_LENGTH(p)) for p in _PARAGRAPHS(el))


def text_length(el: etree._Element) -> int:
    """Characters of text under ``el``, less the text of scripts and styles inside it."""
    hidden = sum(int(_STRING_LENGTH(s)) for s in _SCRIPTS(el))
    return int(_STRING_LENGTH(el)) - hidden


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


def _attached(el: etree._Element, root: etree._Element) -> bool:
    top = el
    for top in el.iterancestors():  # noqa: B007 - we want the last ancestor
        pass
    return top is root or el is root


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
        if _norm("".join(_TEXT_NODES(parent))) != heading_text:
            break
        anchor = parent
    if anchor.tag in _INLINE or anchor.tag in _NEVER:
        return None
    return anchor


_HEADING_TAGS = etree.XPath("//h1|//h2|//h3|//h4|//h5|//h6|//*[@role='heading']|//legend")
# Elements with these in their class name often are headings; only small ones are considered.
_HEADING_CLASS_WORDS = ("title", "heading")
_HEADING_CLASS_MAX_CHILDREN = 3


def _short_owners(root: etree._Element, classed: list[etree._Element]) -> list[tuple[etree._Element, str]]:
    """Heading-like elements whose text is short: h1-h6, role=heading, and *title*/*heading* classes."""
    out: list[tuple[etree._Element, str]] = []
    seen: set[etree._Element] = set()
    for owner in [*_HEADING_TAGS(root), *classed]:
        if owner in seen:
            continue
        seen.add(owner)
        full = _norm("".join(_TEXT_NODES(owner)))
        if full and len(full) <= _MAX_HEADING_CHARS:
            out.append((owner, full))
    return out


def _heading_anchors(short: list[tuple[etree._Element, str]], rule: Rule) -> list[etree._Element]:
    """Anchors of the headings whose whole text matches ``rule``."""
    assert rule.regex is not None
    anchors: list[etree._Element] = []
    seen: set[int] = set()
    for owner, full in short:
        if not rule.regex.match(full):
            continue
        anchor = _anchor_for(owner, full)
        if anchor is not None and id(anchor) not in seen:
            seen.add(id(anchor))
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
    return bool(_CARD_MARKS(el)) or el.tag in ("h2", "h3", "h4", "h5", "h6", "li")


def _box(anchor: etree._Element, rule: Rule) -> etree._Element | None:
    """The container a heading opens, when the heading comes first in it: the whole box goes
    (an author bio, a newsletter box, a comment thread), prose included."""
    parent = anchor.getparent()
    if parent is None or parent.tag in _NEVER or (anchor.getprevious() is not None and any(
        _norm("".join(_TEXT_NODES(prev))) for prev in anchor.itersiblings(preceding=True)
    )):
        return None
    if (parent.text or "").strip():
        return None
    if rule.extent != "rest" and text_length(parent) > _BOX_MAX_CHARS:
        return None
    if _HAS_BIG_HEADING(parent):
        return None  # the heading opens the article's own container, not a widget
    return parent


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
        if _ends_section(sibling, level):
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


_PART_SPLIT = re.compile(r"[\s_-]+")


_CLASS_ATTRS = etree.XPath("//@class | //@id")
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
        self._cache: dict[str, tuple[Rule | None, bool]] = {}

    def _match(self, value: str) -> tuple[Rule | None, bool]:
        lowered = value.lower()
        heading = any(w in lowered for w in _HEADING_CLASS_WORDS)
        parts = lowered.replace("_", " ").replace("-", " ").split()
        if not self.single.keys().isdisjoint(parts):
            return next(self.single[p] for p in parts if p in self.single), heading
        firsts = [self.compound[p] for p in parts if p in self.compound]
        if firsts:
            key = "-" + "-".join(parts) + "-"
            return next((r for group in firsts for needle, r in group if needle in key), None), heading
        return None, heading

    def lookup(self, value: str) -> tuple[Rule | None, bool]:
        """The rule whose token the class/id string holds (if any), and whether it names a heading."""
        hit = self._cache.get(value)
        if hit is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            hit = self._cache[value] = self._match(value)
        return hit


_INDEXES: dict[tuple[str, ...], _ClassIndex] = {}


def _scan_classes(root: etree._Element, rules: tuple[Rule, ...]
                  ) -> tuple[list[tuple[Rule, etree._Element]], list[etree._Element]]:
    """One pass over every class/id string: elements a ``prune_class`` rule matches, and small
    elements whose class names them a title or heading."""
    key = tuple(r.id for r in rules)
    index = _INDEXES.get(key)
    if index is None:
        index = _INDEXES[key] = _ClassIndex(rules)
    hits: list[tuple[Rule, etree._Element]] = []
    headings: list[etree._Element] = []
    seen: set[etree._Element] = set()
    lookup = index.lookup
    for value in _CLASS_ATTRS(root):
        rule, is_heading = lookup(value)
        if rule is None and not is_heading:
            continue
        is_heading = is_heading and value.attrname == "class"
        el = value.getparent()
        if el is None or el.tag in _NEVER:
            continue
        if is_heading and len(el) <= _HEADING_CLASS_MAX_CHILDREN:
            headings.append(el)
        if rule is not None and el not in seen:
            seen.add(el)
            hits.append((rule, el))
    return hits, headings


def _groups(root: etree._Element, rules: RuleSet) -> list[tuple[Rule, list[etree._Element]]]:
    """Every (rule, elements) group the tree rules would remove, in rule-kind order."""
    groups: list[tuple[Rule, list[etree._Element]]] = []
    for rule in rules.of_kind("prune"):
        assert rule.xpath is not None
        groups.extend((rule, [el]) for el in rule.xpath(root) if isinstance(el, etree._Element))
    class_hits, classed_headings = _scan_classes(root, rules.of_kind("prune_class"))
    groups.extend((rule, [el]) for rule, el in class_hits)
    headings = rules.of_kind("heading")
    if headings:
        short = _short_owners(root, classed_headings)
        for rule in headings:
            sections = (_section(anchor, rule) for anchor in _heading_anchors(short, rule))
            groups.extend((rule, members) for members in sections if members)
    return groups


def _drop_empty_parents(parent: etree._Element | None) -> None:
    """Remove ancestors left with no text and no media after a removal."""
    while parent is not None and parent.tag not in _NEVER and parent.getparent() is not None:
        if _norm(parent.text_content()) or parent.find(".//img") is not None:
            return
        grand = parent.getparent()
        remove_element(parent)
        parent = grand


def apply_structural(root: etree._Element, rules: RuleSet, protect_ratio: float = 0.5) -> list[Removal]:
    """Remove what the tree rules match, in rule order; return one Removal per removed group.

    Args:
        root: the parsed page, modified in place.
        rules: the rule set; only ``prune``, ``prune_class`` and ``heading`` rules are used here.
        protect_ratio: groups holding more than this share of the page text are left alone.

    Returns:
        The removals, in the order they were made.
    """
    total = text_length(root)
    paragraphs = _paragraph_length(root)
    removals: list[Removal] = []
    for rule, group in _groups(root, rules):
        live = [el for el in group if _attached(el, root)]
        if not live or live[0].tag in _NEVER:
            continue
        chars = sum(text_length(el) for el in live)
        # A heading names what it opens, so its section may be most of an aggregator page (whole
        # related stories); a class token is weaker evidence and may sit on the page wrapper.
        ratio = max(protect_ratio, _HEADING_PROTECT_RATIO) if rule.kind == "heading" else protect_ratio
        if chars > ratio * total or sum(map(_paragraph_length, live)) > ratio * paragraphs:
            continue
        parent = live[0].getparent()
        for el in live:
            remove_element(el)
        if rule.kind == "heading":
            _drop_empty_parents(parent)
        removals.append(Removal(rule=rule.id, kind=rule.kind, chars=chars))
    return removals
