"""Regular expressions that could backtrack for ever, refused when a rule is loaded.

Rule phrases and patterns run on every block of every page with Python's backtracking ``re`` (the rules need
its Unicode ``\\w`` and ``\\b``; RE2's are ASCII), so a pattern whose failure costs exponential time, ``(a+)+$``
on a 40-character line, would stall a worker for ever. ``catastrophic`` reads the pattern's parse tree and
names the shapes that do: a repeat inside a repeat where either is unbounded (or both are large) and nothing
between them marks where an iteration ends (``(?:\\d+\\.)+`` passes); an unbounded repeat over alternatives
that can start alike (``(?:a|ab)+``); an unbounded repeat of several parts that can all match nothing
(``(?:a?b?)+``). Possessive repeats and atomic groups never backtrack and pass. It finds these shapes, not
every slow pattern: adjacent overlapping repeats (``\\s*\\W*``) cost polynomial time, bounded by a block's
length.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]  # the parser's opcodes
from re import _parser  # type: ignore[attr-defined]  # the stdlib's own parser; no public equivalent
from typing import Any

# Repeats both bounded but together allowing more than this many ways to split a text are refused too.
_NESTED_PRODUCT = 10_000
# The characters first-character sets are computed over: ASCII, Latin-1 and a sample of the rest that rules meet.
_ALPHABET = "".join(chr(c) for c in range(256)) + "€…’‘“”—–«»›‹→•·\u200b\u2009\u3000éñüßçœłšžπжд中あ한"
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
    C.CATEGORY_LINEBREAK: r"\n", C.CATEGORY_NOT_LINEBREAK: r"[^\n]",
}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)


def catastrophic(pattern: str, flags: int = 0) -> str | None:
    """Why ``pattern`` can take exponential time to fail, or None.

    Raises:
        re.error: the pattern does not parse.
    """
    tree = _parser.parse(pattern, flags)
    return _scan(list(tree), [], bool(tree.state.flags & re.IGNORECASE))


# A repeat around the items being scanned: its maximum, and the first characters of each item of its body that
# must match (a separator: when one cannot start inside an inner repeat, the iterations cannot be re-split).
_Around = tuple[int, list[set[str]]]


def _scan(items: list[tuple[Any, Any]], outer: list[_Around], fold: bool) -> str | None:
    """Walk the tree looking for nested and ambiguous repeats."""
    for op, av in items:
        if op in _REPEATS and av[1] > 1:
            found = _repeat(av, outer, fold)
        elif op in _REPEATS:
            found = _scan(list(av[2]), outer, fold)
        elif op is C.SUBPATTERN:
            found = _scan(list(av[-1]), outer, fold)
        elif op is C.BRANCH:
            found = next((w for branch in av[1] if (w := _scan(list(branch), outer, fold))), None)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            found = _scan(list(av[1]), outer, fold)
        else:  # literals, classes; atomic groups and possessive repeats never give back what they matched
            found = None
        if found:
            return found
    return None


def _repeat(av: Any, outer: list[_Around], fold: bool) -> str | None:
    _, high, sub = av
    body = _flat(list(sub))
    inner = _first(body, fold)
    for around, separators in outer:
        if (C.MAXREPEAT in (around, high) or around * high > _NESTED_PRODUCT) and \
                not any(sep.isdisjoint(inner) for sep in separators):
            return "a repeated group holds another repeat (like (a+)+), which backtracks exponentially"
    if high == C.MAXREPEAT and len(body) > 1 and _nullable(body):
        return "a repeated group can match nothing (like (a?b?)+), so a text splits into its iterations in " \
               "exponentially many ways"
    if high == C.MAXREPEAT and (why := _ambiguous(body, fold)):
        return why
    for index, (op, item) in enumerate(body):
        others = [_first_one(o, a, fold)[0] for i, (o, a) in enumerate(body)
                  if i != index and not _first_one(o, a, fold)[1]]
        if found := _scan([(op, item)], [*outer, (high, others)], fold):
            return found
    return None


def _flat(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A sequence with its non-capturing and capturing groups opened (they add no choices)."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is C.SUBPATTERN:
            out += _flat(list(av[-1]))
        else:
            out.append((op, av))
    return out


def _ambiguous(body: list[tuple[Any, Any]], fold: bool) -> str | None:
    """Why the body of an unbounded repeat matches some text in more than one way: two alternatives that can
    start alike (an empty alternative starts like what follows it, or like the next iteration)."""
    for index, (op, av) in enumerate(body):
        if op is not C.BRANCH:
            continue
        rest = body[index + 1:]
        after = _first(rest, fold) | (_first(body, fold) if _nullable(rest) else set())
        seen: set[str] = set()
        for alternative in av[1]:
            branch = list(alternative)
            first = _first(branch, fold) | (after if _nullable(branch) else set())
            if first & seen:
                return "a repeated group's alternatives can match the same text (like (a|ab)+), which " \
                       "backtracks exponentially"
            seen |= first
    return None


def _first(items: list[tuple[Any, Any]], fold: bool) -> set[str]:
    """The characters of ``_ALPHABET`` a match of ``items`` can start with (all of them when unsure)."""
    out: set[str] = set()
    for op, av in items:
        chars, nullable = _first_one(op, av, fold)
        out |= chars
        if not nullable:
            return out
    return out


def _first_one(op: Any, av: Any, fold: bool) -> tuple[set[str], bool]:  # noqa: PLR0911 - one case per opcode
    """The first characters of one item, and whether it can match nothing."""
    if op is C.LITERAL:
        return _chars(chr(av), fold), False
    if op is C.NOT_LITERAL:
        return set(_ALPHABET) - _chars(chr(av), fold), False
    if op is C.ANY:
        return set(_ALPHABET) - {"\n"}, False
    if op is C.IN:
        return _in(av, fold), False
    if op in _REPEATS or op is C.POSSESSIVE_REPEAT:
        return _first(list(av[2]), fold), av[0] == 0
    if op is C.SUBPATTERN or op is C.ATOMIC_GROUP:
        sub = list(av[-1] if op is C.SUBPATTERN else av)
        return _first(sub, fold), _nullable(sub)
    if op is C.BRANCH:
        branches = [list(b) for b in av[1]]
        return set().union(*(_first(b, fold) for b in branches)), any(_nullable(b) for b in branches)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return set(), True
    return set(_ALPHABET), True  # group references and anything unforeseen: assume the worst


def _nullable(items: list[tuple[Any, Any]]) -> bool:
    return all(_first_one(op, av, False)[1] for op, av in items)


def _chars(char: str, fold: bool) -> set[str]:
    return {char, char.lower(), char.upper()} if fold else {char}


def _in(members: list[tuple[Any, Any]], fold: bool) -> set[str]:
    """The characters of ``_ALPHABET`` in a character class."""
    negate = any(op is C.NEGATE for op, _ in members)
    found: set[str] = set()
    for op, av in members:
        if op is C.LITERAL:
            found |= _chars(chr(av), fold)
        elif op is C.RANGE:
            found |= {c for c in _ALPHABET if av[0] <= ord(c) <= av[1]}
        elif op is C.CATEGORY:
            test = re.compile(_CATEGORIES.get(av, r"[\s\S]"))
            found |= {c for c in _ALPHABET if test.fullmatch(c)}
    if fold:
        found |= {c.lower() for c in found} | {c.upper() for c in found}
    return set(_ALPHABET) - found if negate else found
