"""Boilerplate rules: the Rule model, loading from TOML data, and compiling each rule once.

A rule is data (``id``, ``kind``, pattern, ``why``); this module only validates and compiles it.
Applying rules lives in ``prune.py`` (the HTML tree) and ``blocks.py`` (the extracted text).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, get_args

from lxml import etree
from lxml.cssselect import CSSSelector

from scraper.backtrack import catastrophic
from scraper.errors import ProfileError

RuleKind = Literal["prune", "prune_class", "heading", "shape", "drop_line", "cut_after", "link_run", "repeat_meta"]
# How much a heading rule removes: its section, the teaser links after it, or the rest of the page.
HeadingExtent = Literal["section", "links", "rest"]
# How strong a rule's evidence is (see Rule.evidence).
Evidence = Literal["strong", "weak", "edge"]
KINDS: tuple[RuleKind, ...] = get_args(RuleKind)
EXTENTS: tuple[HeadingExtent, ...] = get_args(HeadingExtent)
# The shape detectors of scraper/shapes.py, by name.
SHAPES: tuple[str, ...] = ("comment-thread", "signup-box", "share-bar", "teaser-list", "author-box")
_SHAPE_NEEDS = {"comment-thread": "phrases", "share-bar": "tokens", "author-box": "tokens"}
EVIDENCE: tuple[Evidence, ...] = get_args(Evidence)
CATEGORIES: tuple[str, ...] = (
    "comments", "promo", "related", "newsletter", "share", "ads", "paywall", "nav", "consent", "bio", "meta",
    "legal",
)

_ID = re.compile(r"^[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*$")
_ALLOWED_KEYS = frozenset(
    {"id", "kind", "why", "pattern", "phrases", "xpath", "css", "tokens", "extent", "since", "until",
     "min_items", "max_words", "min_link_ratio", "fields", "kinds", "max_position", "shape", "evidence",
     "max_chars", "min_chars", "levels", "max_share", "max_block_chars"}
)
_PARAM_KEYS = ("min_items", "max_words", "min_link_ratio", "fields", "kinds", "max_position", "tokens", "shape",
               "phrases", "max_chars", "min_chars", "levels", "max_share", "max_block_chars")
# Trailing punctuation, counters and arrows that headings carry ("Comments (3)", "Read more »").
_HEADING_TAIL = r"[\s:.!?…»›>→\-–—|()\[\]0-9]*"


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled boilerplate rule.

    Attributes:
        id: ``<category>.<kebab-name>``, unique across all loaded files.
        kind: one of ``KINDS``.
        why: the reason the rule exists (reported, never empty).
        source: the file it came from, for error messages.
        regex: compiled text pattern (heading, drop_line, cut_after, prune_class tokens).
        xpath: compiled tree selector (prune).
        extent: for headings, ``section`` (until the next heading), ``links`` (the teaser links right
            after it) or ``rest`` (to the end, once enough article precedes it).
        since/until: the rule applies only to pages fetched in this window.
        params: parameters of ``link_run`` / ``repeat_meta`` / ``shape`` rules.
        evidence: ``strong`` (an XPath, a shape) may remove article-like prose in the middle of the
            article; ``weak`` (a class token, a heading's words) may not; ``edge`` removes only what
            lies before or after the article's run of paragraphs.
    """

    id: str
    kind: RuleKind
    why: str
    source: str
    regex: re.Pattern[str] | None = None
    xpath: etree.XPath | None = None
    extent: HeadingExtent = "section"
    since: dt.date | None = None
    until: dt.date | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: Evidence = "weak"

    @property
    def category(self) -> str:
        """The part of the id before the dot."""
        return self.id.split(".", 1)[0]

    def active_on(self, day: dt.date | None) -> bool:
        """Whether the rule applies to a page fetched on ``day`` (always, when the day is unknown)."""
        if day is None:
            return True
        return (self.since is None or day >= self.since) and (self.until is None or day < self.until)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """An ordered, compiled set of rules (global first, then site rules)."""

    rules: tuple[Rule, ...] = ()

    def of_kind(self, *kinds: RuleKind) -> tuple[Rule, ...]:
        """Rules whose kind is one of ``kinds``, in order."""
        return tuple(r for r in self.rules if r.kind in kinds)

    def without(self, ids: Iterable[str]) -> RuleSet:
        """A copy without the rules whose ids are listed."""
        drop = set(ids)
        return RuleSet(tuple(r for r in self.rules if r.id not in drop))

    def active_on(self, day: dt.date | None) -> RuleSet:
        """A copy holding only the rules valid for a page fetched on ``day``."""
        return RuleSet(tuple(r for r in self.rules if r.active_on(day)))

    def __add__(self, other: RuleSet) -> RuleSet:
        seen = {r.id for r in self.rules}
        for rule in other.rules:
            if rule.id in seen:
                raise ProfileError(f"{rule.source}: rule id {rule.id!r} is already defined")
        return RuleSet(self.rules + other.rules)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every rule id, in order."""
        return tuple(r.id for r in self.rules)

    def any_match(self, *kinds: RuleKind) -> re.Pattern[str] | None:
        """One pattern that matches where any whole-line pattern of these kinds matches: a text
        that fails it needs no rule-by-rule test (compiled once per rule set)."""
        rules = [r for r in self.of_kind(*kinds) if r.regex is not None]
        if not rules:
            return None
        key = tuple(r.regex.pattern for r in rules if r.regex is not None)
        found = _ANY.get(key)
        if found is None:
            if len(_ANY) > _ANY_LIMIT:
                _ANY.clear()
            found = _ANY[key] = re.compile("|".join(f"(?:{p})" for p in key), re.IGNORECASE)
        return found


T = TypeVar("T")


class RuleCache(Generic[T]):
    """Values computed once per compiled rule (or tuple of rules), keyed by the rule objects
    themselves: two profile folders may give different rules the same id."""

    def __init__(self, limit: int = 1024) -> None:
        self._entries: dict[tuple[int, ...], tuple[tuple[Rule, ...], T]] = {}
        self._limit = limit

    def get(self, rules: tuple[Rule, ...], build: Callable[[], T]) -> T:
        """The value for ``rules``, built by ``build`` the first time."""
        key = tuple(map(id, rules))
        entry = self._entries.get(key)
        if entry is not None and all(a is b for a, b in zip(entry[0], rules, strict=True)):
            return entry[1]
        if len(self._entries) >= self._limit:
            self._entries.clear()
        value = build()
        self._entries[key] = (rules, value)
        return value


_ANY: dict[tuple[str, ...], re.Pattern[str]] = {}
_ANY_LIMIT = 256


def phrases_regex(phrases: Sequence[str], *, tail: str = _HEADING_TAIL) -> str:
    """Anchor a list of regex phrase fragments so that they must make up a whole line."""
    return r"^\W*(?:" + "|".join(f"(?:{p})" for p in phrases) + r")" + tail + "$"


def _class_regex(tokens: Sequence[str]) -> str:
    """Match class/id strings holding a token as a whole word part (split on space, ``-``, ``_``)."""
    alts = "|".join(re.escape(t) for t in tokens)
    return rf"(?:^|[\s_-])(?:{alts})(?:$|[\s_-])"


def _fail(source: str, rule_id: str, message: str) -> ProfileError:
    return ProfileError(f"{source}: rule {rule_id!r}: {message}")


def _date(source: str, rule_id: str, key: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _fail(source, rule_id, f"{key} must be a date (YYYY-MM-DD), got {value!r}") from exc


def _compile_regex(source: str, rule_id: str, raw: Mapping[str, Any]) -> re.Pattern[str]:
    kind = raw["kind"]
    if "phrases" in raw:
        phrases = raw["phrases"]
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) for p in phrases):
            raise _fail(source, rule_id, "phrases must be a non-empty list of strings")
        tail = _HEADING_TAIL if kind in ("heading", "cut_after", "shape") else r"[\s:.!?…»›>→|]*"
        pattern = phrases_regex(phrases, tail=tail)
    elif "tokens" in raw:
        tokens = raw["tokens"]
        if not isinstance(tokens, list) or not tokens or not all(isinstance(t, str) for t in tokens):
            raise _fail(source, rule_id, "tokens must be a non-empty list of strings")
        pattern = _class_regex(tokens)
    elif isinstance(raw.get("pattern"), str):
        pattern = raw["pattern"]
    else:
        raise _fail(source, rule_id, f"kind {kind!r} needs 'phrases' or 'pattern'")
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
        why = catastrophic(pattern, re.IGNORECASE)
    except re.error as exc:
        raise _fail(source, rule_id, f"bad regular expression: {exc}") from exc
    if why is not None:
        raise _fail(source, rule_id, f"refused regular expression: {why}; make the repeat possessive (a++) or "
                    "atomic ((?>...)), or bound it")
    return compiled


def _compile_selector(source: str, rule_id: str, raw: Mapping[str, Any]) -> etree.XPath:
    try:
        if "css" in raw:
            return etree.XPath(CSSSelector(raw["css"]).path)
        if "xpath" in raw:
            return etree.XPath(raw["xpath"])
    except (etree.XPathSyntaxError, SyntaxError, ValueError) as exc:
        raise _fail(source, rule_id, f"bad selector: {exc}") from exc
    raise _fail(source, rule_id, "kind 'prune' needs 'xpath' or 'css'")


def compile_rule(raw: Mapping[str, Any], source: str) -> Rule:
    """Validate and compile one rule table.

    Raises:
        ProfileError: naming the file and rule id, for any missing or invalid key.
    """
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise ProfileError(f"{source}: rule id {rule_id!r} must look like '<category>.<kebab-name>'")
    unknown = set(raw) - _ALLOWED_KEYS
    if unknown:
        raise _fail(source, rule_id, f"unknown keys {sorted(unknown)}")
    if rule_id.split(".")[0] not in CATEGORIES:
        raise _fail(source, rule_id, f"category must be one of {', '.join(CATEGORIES)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _fail(source, rule_id, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    why = raw.get("why")
    if not isinstance(why, str) or not why.strip():
        raise _fail(source, rule_id, "every rule needs a non-empty 'why'")
    extent = raw.get("extent", "section")
    if extent not in EXTENTS:
        raise _fail(source, rule_id, f"extent must be one of {', '.join(EXTENTS)}")
    regex = xpath = None
    if kind == "prune":
        xpath = _compile_selector(source, rule_id, raw)
    elif kind in ("prune_class", "heading", "drop_line", "cut_after"):
        regex = _compile_regex(source, rule_id, raw)
    elif kind == "shape":
        regex = _compile_shape(source, rule_id, raw)
    evidence = raw.get("evidence", "strong" if kind in ("prune", "shape") else "weak")
    if evidence not in EVIDENCE:
        raise _fail(source, rule_id, f"evidence must be one of {', '.join(EVIDENCE)}")
    params = {k: raw[k] for k in _PARAM_KEYS if k in raw}
    return Rule(
        id=rule_id, kind=kind, why=why.strip(), source=source, regex=regex, xpath=xpath, extent=extent,
        since=_date(source, rule_id, "since", raw.get("since")),
        until=_date(source, rule_id, "until", raw.get("until")), params=params, evidence=evidence,
    )


def _compile_shape(source: str, rule_id: str, raw: Mapping[str, Any]) -> re.Pattern[str] | None:
    """Check a ``shape`` rule names a known detector and gives the pattern it needs."""
    shape = raw.get("shape")
    if shape not in SHAPES:
        raise _fail(source, rule_id, f"shape must be one of {', '.join(SHAPES)}")
    needs = _SHAPE_NEEDS.get(shape)
    if needs is None:
        return None
    value = raw.get(needs)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _fail(source, rule_id, f"shape {shape!r} needs {needs!r}: a non-empty list of strings")
    return _compile_regex(source, rule_id, raw) if needs == "phrases" else None


def compile_rules(tables: Iterable[Mapping[str, Any]], source: str) -> RuleSet:
    """Compile a list of rule tables from one file, rejecting duplicate ids.

    Raises:
        ProfileError: any rule is invalid or an id repeats.
    """
    rules: list[Rule] = []
    seen: set[str] = set()
    for raw in tables:
        if not isinstance(raw, Mapping):
            raise ProfileError(f"{source}: every [[rules]] entry must be a table")
        rule = compile_rule(raw, source)
        if rule.id in seen:
            raise _fail(source, rule.id, "duplicate id")
        seen.add(rule.id)
        rules.append(rule)
    return RuleSet(tuple(rules))


def load_rules_file(path: Path) -> tuple[dict[str, Any], RuleSet]:
    """Read a TOML rules/profile file; return its other tables and its compiled rules.

    Raises:
        ProfileError: the file cannot be read or parsed, or a rule is invalid.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read rules file: {exc}") from exc
    tables = data.pop("rules", [])
    if not isinstance(tables, list):
        raise ProfileError(f"{path}: 'rules' must be an array of tables ([[rules]])")
    return data, compile_rules(tables, str(path))
