"""Boilerplate recognised by its shape, whatever its class names and in every language.

Each detector is the code behind a ``shape`` rule of the profiles (``shape = "..."``); the rule
gives its id, reason and parameters. A detector returns the elements it recognises:

- ``comment-thread``: repeated sibling items that each carry a reply/like/report action and a
  time or an avatar (a list of reader posts), with the box around them;
- ``signup-box``: an e-mail input with a submit control, and the short box around it;
- ``share-bar``: several links to share or follow endpoints in a box with little text;
- ``teaser-list``: three or more sibling items that are each a short linked headline with at
  most a blurb, a time or a picture;
- ``author-box``: a short box with a picture and a link to an author page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lxml import etree

from scraper.rules import SHAPES, Rule, RuleCache

_SPACE = re.compile(r"\s+")
_STRING_LENGTH = etree.XPath("string-length(normalize-space(.))")
_NEVER = frozenset({"html", "body", "head", "main", "article"})
_EMAIL_INPUTS = etree.XPath(
    "//input[translate(@type,'EMAIL','email')='email' or contains(translate(@name,'EMAIL','email'),'email')"
    " or contains(translate(@placeholder,'EMAILR','emailr'),'mail')"
    " or contains(translate(@id,'EMAIL','email'),'email')]"
)
_SUBMITS = etree.XPath(".//button|.//input[@type='submit' or @type='button' or @type='image']|.//*[@role='button']")
_REL_AUTHOR = etree.XPath("//a[@rel='author']")
_TIMES = etree.XPath("boolean(.//time | .//*[@datetime])")
_IMAGES = etree.XPath("boolean(.//img | .//picture | .//*[contains(@class,'avatar')])")
_RELATIVE_TIME = re.compile(
    r"\b(?:\d+\s*(?:s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?|months?|years?|y)"
    r"\s+ago|(?:a|an|one)\s+(?:minute|hour|day|week|month|year)\s+ago|yesterday|just now|"
    r"hace\s+\d+\s+\w+|vor\s+\d+\s+\w+|il y a\s+\d+\s+\w+|há\s+\d+\s+\w+|\d+\s+\w+\s+fa|"
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}:\d{2}\s*(?:am|pm)?)\b",
    re.I,
)
_HEADLINE_WORDS = 3


def _text(el: etree._Element) -> str:
    return _SPACE.sub(" ", el.text_content()).strip()


def _length(el: etree._Element) -> int:
    return int(_STRING_LENGTH(el))


def _link_length(el: etree._Element) -> int:
    return sum(_length(a) for a in el.iter("a"))


def _grow(el: etree._Element, max_chars: int, stop: Mapping[etree._Element, None] | None = None) -> etree._Element:
    """The largest ancestor-or-self of ``el`` whose text stays within ``max_chars``."""
    best = el
    for anc in el.iterancestors():
        if anc.tag in _NEVER or _length(anc) > max_chars:
            break
        best = anc
    return best


# ---------------------------------------------------------------- comment threads

def _thread_items(actions: list[etree._Element], levels: int) -> dict[etree._Element, set[etree._Element]]:
    """For each container, its child items that hold an action (climbing at most ``levels``)."""
    items: dict[etree._Element, set[etree._Element]] = {}
    for action in actions:
        child = action
        for _ in range(levels):
            parent = child.getparent()
            if parent is None or parent.tag in ("html", "body"):
                break
            items.setdefault(parent, set()).add(child)
            child = parent
    return items


def _is_post(item: etree._Element) -> bool:
    """A reader post: a time (marked up, or relative / dated text) or an avatar picture."""
    return bool(_TIMES(item)) or bool(_IMAGES(item)) or bool(_RELATIVE_TIME.search(_text(item)[:400]))


_SHORT_CONTROLS = etree.XPath(
    "(//a|//button|//*[@role='button']|//span)[string-length(normalize-space(.)) < 30]")


def _actions(root: etree._Element, rule: Rule) -> list[etree._Element]:
    """Short links, buttons and labels whose whole text is one of the rule's action phrases."""
    assert rule.regex is not None
    match = rule.regex.match
    return [el for el in _SHORT_CONTROLS(root) if len(el) <= 3 and match(_text(el))]


def comment_threads(page: _Page, rule: Rule) -> list[etree._Element]:
    """Containers of at least ``min_items`` sibling posts, each with an action and a time or avatar."""
    min_items = int(rule.params.get("min_items", 2))
    actions = _actions(page.root, rule)
    if len(actions) < min_items:
        return []
    found: list[etree._Element] = []
    for container, items in _thread_items(actions, int(rule.params.get("levels", 8))).items():
        posts = [i for i in items if _is_post(i)]
        if len(items) >= min_items and len(posts) * 2 >= len(items) and _signature_repeats(items):
            found.append(container)
    return _outermost(found)


def _signature_repeats(items: Iterable[etree._Element]) -> bool:
    """Whether most items share a tag (and class), as the posts of one thread do."""
    keys = [(i.tag, (i.get("class") or "").split()[:1]) for i in items]
    tags = [k[0] for k in keys]
    return max(tags.count(t) for t in set(tags)) * 2 > len(tags)


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = set(elements)
    return [el for el in elements if not any(anc in chosen for anc in el.iterancestors())]


# ---------------------------------------------------------------- sign-up boxes

def signup_boxes(page: _Page, rule: Rule) -> list[etree._Element]:
    """The short box around each e-mail input that has a submit control near it."""
    max_chars = int(rule.params.get("max_chars", 700))
    boxes: list[etree._Element] = []
    for field in _EMAIL_INPUTS(page.root):
        form = next((a for a in field.iterancestors() if a.tag == "form"), None)
        scope = form if form is not None else field.getparent()
        for _ in range(3):
            if scope is None or _SUBMITS(scope):
                break
            scope = scope.getparent()
        if scope is None or not _SUBMITS(scope):
            continue
        boxes.append(_grow(scope, max_chars))
    return _outermost(boxes)


# ---------------------------------------------------------------- share and follow bars

_HREFS = etree.XPath("//a/@href")
_LITERALS: RuleCache[re.Pattern[str]] = RuleCache()


class _Page:
    """The page as the detectors see it; the link targets are read once for all of them."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._hrefs: list[Any] | None = None

    def links(self, rule: Rule) -> list[etree._Element]:
        """Links whose ``href`` holds one of the rule's ``tokens`` (literal; host names are lower case)."""
        pattern = _LITERALS.get((rule,), lambda: re.compile("|".join(map(re.escape, rule.params.get("tokens", ())))))
        if self._hrefs is None:
            self._hrefs = _HREFS(self.root)
        search = pattern.search
        return [href.getparent() for href in self._hrefs if search(href)]


def share_bars(page: _Page, rule: Rule) -> list[etree._Element]:
    """Boxes holding ``min_items`` share/follow links and at most ``max_chars`` of text."""
    min_items = int(rule.params.get("min_items", 3))
    max_chars = int(rule.params.get("max_chars", 300))
    links = page.links(rule)
    counts: dict[etree._Element, int] = {}
    for link in links:
        for anc in link.iterancestors():
            if anc.tag in _NEVER or _length(anc) > max_chars:
                break
            counts[anc] = counts.get(anc, 0) + 1
    bars = [el for el, n in counts.items() if n >= min_items]
    return _outermost(bars)


# ---------------------------------------------------------------- teaser lists

def _teaser(item: etree._Element, max_chars: int) -> bool:
    """A short item whose text is mostly a linked headline (plus a blurb, time or picture) of another page (a
    link to a place on this page, ``#section``, is a table of contents, which repeats the article's headings)."""
    length = _length(item)
    if not 0 < length <= max_chars:
        return False
    heads = [a for a in item.iter("a") if len(_text(a).split()) >= _HEADLINE_WORDS
             and not (a.get("href") or "").lstrip().startswith("#")]
    return bool(heads) and _link_length(item) * 2.5 >= length


def teaser_lists(root: etree._Element, rule: Rule, ancestry: Mapping[etree._Element, None]) -> list[etree._Element]:
    """Containers (among the blocks' ancestors) of ``min_items`` sibling teasers and nothing else (their text
    is at least 80 % of the container's: a paragraph whose sentence links four stories is not a teaser list)."""
    min_items = int(rule.params.get("min_items", 3))
    max_chars = int(rule.params.get("max_chars", 300))
    found: list[etree._Element] = []
    for el in ancestry:
        if el.tag in _NEVER or len(el) < min_items:
            continue
        children = [c for c in el if isinstance(c.tag, str) and _length(c) > 0]
        if len(children) < min_items:
            continue
        teasers = [c for c in children if _teaser(c, max_chars)]
        # The teasers are most of the container and of its text: links inside a sentence of prose are not.
        if (len(teasers) >= min_items and len(teasers) * 10 >= 8 * len(children)
                and sum(_length(c) for c in teasers) * 10 >= 8 * _length(el)):
            found.append(el)
    return _outermost(found)


# ---------------------------------------------------------------- author boxes

def author_boxes(page: _Page, rule: Rule) -> list[etree._Element]:
    """Short boxes with a picture and a link to an author page (the bio under an article)."""
    max_chars = int(rule.params.get("max_chars", 900))
    min_chars = int(rule.params.get("min_chars", 80))
    boxes: list[etree._Element] = []
    for link in [*page.links(rule), *_REL_AUTHOR(page.root)]:
        for anc in link.iterancestors():
            if anc.tag in _NEVER or _length(anc) > max_chars:
                break
            if _IMAGES(anc) and _length(anc) >= min_chars:
                boxes.append(anc)
                break
    return _outermost(boxes)


_Detector = Callable[[_Page, Rule], list[etree._Element]]
_DETECTORS: dict[str, _Detector] = {
    "comment-thread": comment_threads,
    "signup-box": signup_boxes,
    "share-bar": share_bars,
    "author-box": author_boxes,
}
assert set(SHAPES) == {*_DETECTORS, "teaser-list"}, "rules.SHAPES names every detector"


def find_shapes(root: etree._Element, rules: Iterable[Rule],
                ancestry: Mapping[etree._Element, None]) -> dict[str, list[etree._Element]]:
    """The elements each ``shape`` rule recognises, by rule id."""
    out: dict[str, list[etree._Element]] = {}
    page = _Page(root)
    for rule in rules:
        shape: Any = rule.params.get("shape")
        if shape == "teaser-list":
            out[rule.id] = teaser_lists(root, rule, ancestry)
        else:
            out[rule.id] = _DETECTORS[shape](page, rule)
    return out
