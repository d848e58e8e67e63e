"""The facts of a text, in a form that survives rewording: names, numbers, amounts and dates, normalised.

``$5m``, ``$5 million`` and ``5 Millionen Dollar`` are one fact (``5000000``); ``11,000``, ``11 000`` and
``11.000`` another (``11000``); ``2%`` and ``2 per cent`` are ``2%``; ``12 June 2025``, ``June 12, 2025`` and
``12.06.2025`` are ``2025-06-12``, ``September 2023`` is ``2023-09``. Names are the capitalised words of the
text (not those that only start a sentence), lower-cased and without accents: ``Tocorón`` is ``tocoron``.
Units and languages: English, Spanish, German, French, Portuguese and Italian, as the cleaning rules.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import regex

# How many facts a fingerprint keeps: the most specific ones (see ``specificity``).
MAX_FACTS = 32

_MONTHS = {
    1: "january jan enero ene januar jänner janvier janv janeiro gennaio gen",
    2: "february feb febrero februar février fév fevrier fevereiro fev febbraio",
    3: "march mar marzo märz maerz mars março marco",
    4: "april apr abril avril avr aprile",
    5: "may mayo mai maio maggio mag",
    6: "june jun junio juni juin junho giugno giu",
    7: "july jul julio juli juillet juil julho luglio lug",
    8: "august aug agosto ago août aout ago",
    9: "september sep sept septiembre septembre setembro settembre set",
    10: "october oct octubre oktober okt octobre outubro out ottobre ott",
    11: "november nov noviembre novembre novembro",
    12: "december dec diciembre dic dezember dez décembre déc decembre dezembro dicembre",
}
MONTHS: dict[str, int] = {name: number for number, names in _MONTHS.items() for name in names.split()}
# Scale words after a number: "5m", "5 million", "5 Millionen", "3 mil millones" (Spanish: thousand million).
_SCALES = {
    "thousand": 10**3, "k": 10**3, "tausend": 10**3, "mille": 10**3, "mila": 10**3, "mil": 10**3,
    "m": 10**6, "mn": 10**6, "mio": 10**6, "million": 10**6, "millions": 10**6, "millionen": 10**6,
    "millón": 10**6, "millon": 10**6, "millones": 10**6, "milhão": 10**6, "milhao": 10**6, "milhões": 10**6,
    "milhoes": 10**6, "milione": 10**6, "milioni": 10**6, "mln": 10**6,
    "bn": 10**9, "b": 10**9, "billion": 10**9, "billions": 10**9, "mrd": 10**9, "milliarde": 10**9,
    "milliarden": 10**9, "milliard": 10**9, "milliards": 10**9, "miliardo": 10**9, "miliardi": 10**9,
    "bilhão": 10**9, "bilhao": 10**9, "bilhões": 10**9, "bilhoes": 10**9, "mil millones": 10**9,
    "trillion": 10**12, "tn": 10**12, "billionen": 10**12,
}
_PERCENT = r"%|per\s?cent|percent|prozent|por\s?ciento|pour\s?cent|per\s?cento|por\s?cento|pct"
_SCALE_RE = "|".join(sorted((re.escape(s).replace(r"\ ", r"\s+") for s in _SCALES), key=len, reverse=True))
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUM = r"\d{1,3}(?:(?:,|\.|\u00a0|\u202f|\u2009| )\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
# Dates end in a year (or start with one: ISO), so they are looked for before each year only.
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_BEFORE_YEAR = [
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?$", re.I)),
    ("mdy", re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+$", re.I)),
    ("numeric", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.$")),
    ("my", re.compile(rf"\b({_MONTH_RE})\.?\s+(?:de\s+|of\s+)?$", re.I)),
]
_LOWER_MONTH_WORDS = frozenset(("may", "mar", "mag", "set", "out", "gen", "ago", "mai"))
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?P<num>{_NUM})(?:\s*(?P<scale>{_SCALE_RE})\b\.?)?(?:\s*(?P<pct>{_PERCENT}))?(?![\w])",
    re.I)
# A capitalised word: an acronym with dots (U.S.), or a word starting upper case (Tocorón, MS-13, O'Neill).
_CAPITALISED = regex.compile(r"(?<![\p{L}\p{N}'’-])(?:(?:\p{Lu}\.){2,}|\p{Lu}(?:[\p{L}\p{N}'’-]*[\p{L}\p{N}])?)")
# What between two words ends a sentence or opens a quote: the next word may be capitalised for that alone.
_OPENS = re.compile(r"[.!?:;\"“”«»()\[\]–—•]")
# Capitalised words that are not names: sentence openers that also occur mid-sentence in titles and
# quotes, pronouns, articles of the six languages. Names are what is left.
_NOT_NAMES_TEXT = """
i a an the this that these those he she it we they you his her its our their my your me him us them
mr mrs ms dr prof sir madam st in on at of for by with from to and or but if as so not no yes
el la los las un una unos unas lo del al de y o pero en con por para su sus es se
der die das den dem des ein eine einen einem einer und oder aber im am vom zum zur mit von zu auf ist sie er es wir
le la les un une des du de et ou mais dans sur par pour avec il elle ils elles nous vous on ce cette
o a os as um uma uns umas do da dos das no na nos nas em com por para e ou mas ele ela eles elas
il lo la gli le un uno una dei delle degli nel nella con per e o ma che non
monday tuesday wednesday thursday friday saturday sunday
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split()) | frozenset(MONTHS) | frozenset(_SCALES)


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact: its normalised text (``5000000``, ``2%``, ``2025-06-12``, ``tocoron``), its kind, and how
    often the text states it."""

    text: str
    kind: str  # "date", "amount", "number", "name"
    count: int = 1


@functools.lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Lower case without accents, apostrophes or a possessive ``'s`` (``Tocorón's`` -> ``tocoron``)."""
    word = word.casefold().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("'", "").replace(".", "")


def number_value(text: str) -> float | None:
    """A number as written in any of the six languages: ``11,000`` = ``11.000`` = ``11 000`` = 11000;
    ``1.5`` and ``1,5`` are 1.5 (a separator followed by exactly three digits groups thousands)."""
    parts = re.split(r"[,.\u00a0\u202f\u2009 ]", text)
    if not all(part.isdigit() for part in parts):
        return None
    if len(parts) == 1 or all(len(part) == 3 for part in parts[1:]):
        return float("".join(parts))
    return float("".join(parts[:-1]) + "." + parts[-1])


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.6g}"


def _date_before(text: str, year: int, start: int) -> tuple[str, int] | None:
    """The date ending in the year at ``start``, and where it begins; None when the year stands alone."""
    window = text[max(0, start - 40):start]
    offset = start - len(window)
    for kind, pattern in _BEFORE_YEAR:
        match = pattern.search(window)
        if match is None:
            continue
        if kind == "dmy":
            month, day = MONTHS[match[2].lower()], int(match[1])
        elif kind == "mdy":
            month, day = MONTHS[match[1].lower()], int(match[2])
        elif kind == "numeric":
            month, day = int(match[2]), int(match[1])
        else:
            if match[1].lower() in _LOWER_MONTH_WORDS and not match[1][0].isupper():
                return None  # "may 2025" in lower case is more likely the verb
            return f"{year:04d}-{MONTHS[match[1].lower()]:02d}", offset + match.start()
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}", offset + match.start()
    return None


def _dates(text: str) -> tuple[list[Fact], str]:
    """Dates with their day or month, and the text with them blanked out (so their numbers are not counted)."""
    found: list[Fact] = []
    spans: list[tuple[int, int]] = []
    for match in _ISO_DATE.finditer(text):
        month, day = int(match[2]), int(match[3])
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.append(Fact(f"{match[1]}-{month:02d}-{day:02d}", "date"))
            spans.append(match.span())
    for match in _YEAR.finditer(text):
        if any(a <= match.start() < b for a, b in spans):
            continue
        date = _date_before(text, int(match[0]), match.start())
        if date is not None:
            found.append(Fact(date[0], "date"))
            spans.append((date[1], match.end()))
    if not spans:
        return found, text
    pieces, last = [], 0
    for a, b in sorted(spans):
        pieces.append(text[last:a])
        last = max(last, b)
    pieces.append(text[last:])
    return found, " ".join(pieces)


def _amounts(text: str) -> list[Fact]:
    found = []
    for match in _AMOUNT.finditer(text):
        value = number_value(match["num"])
        if value is None:
            continue
        scale = match["scale"]
        if scale:
            value *= _SCALES.get(re.sub(r"\s+", " ", scale.lower()), 1)
        if match["pct"]:
            found.append(Fact(_number_text(value) + "%", "amount"))
        else:
            found.append(Fact(_number_text(value), "amount" if scale else "number"))
    return found


def _names(text: str) -> list[Fact]:
    """Capitalised words that are not sentence openers only, folded (``U.S.`` -> ``us``, ``MS-13`` -> ``ms-13``)."""
    inside: Counter[str] = Counter()
    opening: Counter[str] = Counter()
    for match in _CAPITALISED.finditer(text):
        word = match[0]
        key = fold(word)
        if len(key) < 2 or (key in _NOT_NAMES and not (word.isupper() and len(word) > 1)):
            continue
        before = text[max(0, match.start() - 4):match.start()].rstrip(" \t")
        after_initials = before.endswith(".") and len(before) > 1 and before[-2].isupper()  # "the U.S. Army"
        starts = not before or before.endswith("\n") or (_OPENS.search(before[-1:]) is not None
                                                         and not after_initials)
        (opening if starts else inside)[key] += 1
    return [Fact(key, "name", inside[key] + opening[key]) for key in inside]


def specificity(fact: Fact) -> float:
    """How much a fact says about one story: dates and amounts more than names (a rewrite keeps its numbers),
    exact dates and odd amounts more than years and round numbers, names stated often more than once."""
    if fact.kind == "date":
        return 9.0 if len(fact.text) == 10 else 6.0
    if fact.kind in ("amount", "number"):
        value = float(fact.text.rstrip("%"))
        if fact.kind == "number" and 1900 <= value <= 2100 and value == int(value):
            return 2.0  # a year
        if value < 100 and not fact.text.endswith("%"):
            return 0.5 if value < 10 else 1.0
        digits = fact.text.rstrip("%").replace(".", "").rstrip("0") or "0"
        return 3.0 + min(len(digits), 5) + (0.5 if fact.kind == "amount" else 0.0)
    return 1.0 + min(fact.count, 4) * 0.5 + min(len(fact.text), 12) / 12


def extract_facts(text: str, limit: int = MAX_FACTS) -> tuple[str, ...]:
    """The ``limit`` most specific facts of ``text``, normalised and sorted, each once.

    Numbers carry their kind in the text: ``2%``, dates ``YYYY-MM(-DD)``, names are words; a bare number is
    prefixed ``#`` (``#11000``) so that it never equals a name.
    """
    dates, rest = _dates(text)
    facts: dict[str, Fact] = {}
    for fact in [*dates, *_amounts(rest), *_names(rest)]:
        key = "#" + fact.text if fact.kind in ("number", "amount") and not fact.text.endswith("%") else fact.text
        old = facts.get(key)
        facts[key] = Fact(fact.text, fact.kind, fact.count + (old.count if old else 0)) if old else fact
    ranked = sorted(facts, key=lambda k: (-specificity(facts[k]), k))[:limit]
    return tuple(sorted(ranked))
