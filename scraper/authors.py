"""Bylines into people: split, strip prefixes and job descriptions, keep wire services apart.

The words of each language (prefixes, conjunctions, roles, organisation words, wire services) are
data in ``bylines.toml``; this module only applies them. ``split_byline`` is what metadata uses.
"""

from __future__ import annotations

import html
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("bylines.toml")
_KEY = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")
_URLISH = re.compile(r"https?://|www\.|@|\S+\.(?:com|org|net|de|fr|it|es|lt|uk|ru|info|io)\b", re.I)
# A template's unfilled field ("page.head.extra.author", "{{ author.name }}", "%author%"): no name.
_TEMPLATE_KEY = re.compile(r"^[a-z_]+(?:\.[a-z_]+)*\.(?:author|authors|name|byline|writer|creator)$|[{}%$]", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_HANDLE = re.compile(r"(?:^|\s)@\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# Korean: "홍길동 기자" (reporter), "특파원" (correspondent) and their kin follow the name.
_KO_BYLINE = re.compile(
    r"([가-힣]{2,4})\s?(?:선임|수석|객원|수습|인턴)?\s?(?:기자|특파원|논설위원|편집위원|칼럼니스트|통신원)"
)
# Chinese: "记者 张三", "文/李四", "编辑：王五" put the role first; Japanese "山田太郎記者" puts it after.
_ZH_BYLINE = re.compile(
    r"(?:本报记者|本報記者|记者|記者|编辑|編輯|责编|責編|责任编辑|責任編輯|作者|撰文|文|通讯员|通訊員|实习生|實習生)"
    r"\s*[:：/|丨]?\s*((?:[\u4e00-\u9fff·]{2,4}(?:[\s、,，]+|$))+)"
)
_JA_BYLINE = re.compile(r"([\u4e00-\u9fff\u3040-\u30ff]{2,8}?)\s?(?:記者|特派員|編集委員|論説委員)")
_JA_PREFIX = re.compile(r"(?:文|取材・文|写真・文|執筆)\s*[:：/]\s*([\u4e00-\u9fff\u3040-\u30ff・]{2,10})")
_CJK_NAME_SPLIT = re.compile(r"[\s、,，]+")
_MAX_NAME_WORDS = 5
MARKED, STRUCTURED = 1, 2  # how far a source vouches for what it holds being names (see split_byline)
_STRUCTURED = STRUCTURED
_PAREN = re.compile(r"\s*[(（][^)）]*[)）]\s*$")  # "Jean-Luc Aufranc (CNXSoft)": an affiliation in brackets
_MAX_BYLINE = 300
# A footnote mark glued to a name or a credential: "Angela Holliday-Bell, MD*", "Jan Koch†" (not a
# number: "Rapid7" is a name).
# A scholarly affiliation number glued to the last word of a full name: "Jennifer Huberty1, PhD",
# "Chong Lee1,2" (a one-word piece keeps its digits: "Rapid7").
_AFFILIATION_MARK = re.compile(r"^(\S.*\s\S*[^\W\d_]{2})\d{1,2}$")
_FOOTNOTE = re.compile(r"(?<=[^\W\d_])[*†‡§]+(?=[\s,;|]|$)")


# UTF-8 read as Latin-1 or Windows-1252 and encoded again ("Investorâ\x80\x99s", "Investorâ€™s"): a CMS
# habit in titles. Undone only when the whole string turns back into valid UTF-8, which text that
# merely holds "â" or "Ã" ("pâte", "SÃO") never does.
# Any two-byte lead (Â-ß: "Ã©" é, "Å\x84" ń, "Ä\x87" ć, "Å\x9f" ş) or the three-byte lead of "â€™".
_DOUBLE_UTF8 = re.compile("[Â-ßâ][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")


def undo_double_utf8(text: str) -> str:
    """The text with UTF-8 read as Latin-1 or Windows-1252 turned back ("JaroÅ\\x84" -> "Jaroń"), else as is."""
    if not _DOUBLE_UTF8.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def _key(text: str) -> str:
    """A name's comparison key: NFKC, case-folded, word characters only."""
    return _KEY.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True, slots=True)
class _Words:
    """The byline vocabulary of ``bylines.toml``, compiled."""

    prefix: re.Pattern[str]
    stop: re.Pattern[str]
    splitter: re.Pattern[str]
    particles: frozenset[str]
    honorifics: frozenset[str]
    credentials: frozenset[str]
    roles: frozenset[str]
    organisations: frozenset[str]
    not_names: frozenset[str]
    section_labels: frozenset[str]
    departments: frozenset[str]
    agencies: dict[str, str] = field(default_factory=dict)  # alias (exact) -> agency name
    agency_keys: dict[str, str] = field(default_factory=dict)  # key of a long alias -> agency name


@cache
def _words() -> _Words:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    prefixes = sorted(data["prefixes"], key=len, reverse=True)
    # "By Jane", "By: Jane", "BySummer Swann" (a CMS glued the label to the name)
    prefix = re.compile(
        r"^(?:" + "|".join(re.escape(p) for p in prefixes) + r")(?:\s*[:：\-–—]\s*|\s+|$)"
        r"|^by(?=[A-Z][a-z])", re.I,
    )
    stop = re.compile(r"(?:^|\s|\|)(?:" + "|".join(re.escape(w) for w in data["stop_labels"]) + r")\b", re.I)
    conj = "|".join(re.escape(c) for c in sorted(data["conjunctions"], key=len, reverse=True))
    splitter = re.compile(r"\s*(?:[;|/•·,，、&＆+\n]|\s[-–—]\s)\s*|\s+(?:" + conj + r")\s+", re.I)
    agencies: dict[str, str] = {}
    agency_keys: dict[str, str] = {}
    for name, aliases in data["agencies"].items():
        for alias in [name, *aliases]:
            agencies[alias] = name
            if len(alias) > 4:
                agency_keys[_key(alias)] = name
    lower = lambda items: frozenset(i.casefold() for i in items)  # noqa: E731
    return _Words(prefix, stop, splitter, lower(data["particles"]), lower(data["honorifics"]),
                  lower(data["credentials"]), lower(data["roles"]), lower(data["organisation_words"]),
                  lower(data["not_names"]), lower(data["section_labels"]), lower(data["departments"]),
                  agencies, agency_keys)


@dataclass(frozen=True, slots=True)
class Byline:
    """The people and the wire services a byline names, each once, in order."""

    people: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()


def agency_name(text: str) -> str | None:
    """The wire service ``text`` names ("Associated Press" -> "AP"), or None."""
    words = _words()
    text = text.strip(" .,:;()[]")
    return words.agencies.get(text) or words.agency_keys.get(_key(text))


def _clean(raw: str) -> str:
    text = undo_double_utf8(html.unescape(html.unescape(raw)))
    text = _EMAIL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    return _SPACE.sub(" ", text.replace("\u200b", "")).strip()


def _strip_prefix(text: str) -> str:
    words = _words()
    for _ in range(3):  # "Text: Von Jan Koch"
        stripped = words.prefix.sub("", text, count=1).strip()
        if stripped == text:
            break
        text = stripped
    return text


def _is_credential(piece: str) -> bool:
    """``MD``, ``Ph.D.``, ``E-RYT 200``: a qualification printed after a name, kept with it."""
    tokens = piece.split()
    if not tokens or len(tokens) > 3:
        return False
    words = _words()
    return all(t.casefold() in words.credentials
               or (re.fullmatch(r"[A-Z][A-Z0-9.\-]*[A-Z][A-Z0-9.\-]*®?", t) is not None and len(t) <= 8)
               for t in tokens)


def _name_tokens(piece: str, trusted: int = 0, first_name: bool = True) -> list[str] | None:  # noqa: PLR0911 - one reason each
    """The piece's tokens when they read as a person's name, else None (role, sentence, junk)."""
    words = _words()
    tokens = piece.split()
    # a job description after the name: "Keith Barry Senior Autos Reporter" -> "Keith Barry"; after
    # a first name it is a line of its own ("Executive Digital Editor") and goes whole
    for i, token in enumerate(tokens):
        if token.casefold().strip(".,:") in words.roles:
            if i == 0 or not first_name:
                return None
            if i == 1 and not trusted:
                return None  # "Community Editor", "Kev Writer": one word before a role is a role
            tokens = tokens[:i]
            break
    if not tokens or len(tokens) > _MAX_NAME_WORDS:
        return None
    if len(tokens) == 1 and tokens[0].isupper() and tokens[0].isalpha() and len(tokens[0]) >= 4:
        return None  # "KWCHCIK", "WDAY": a station's call sign or an acronym, not a person's one name
    if not trusted and len(tokens) == 1 and tokens[0].islower():
        return None  # "by filing your taxes": a lower-case word after "by" in running text is no name
    for i, token in enumerate(tokens):
        low = token.casefold()
        if any(ch.isdigit() for ch in token) or "*" in token or low.endswith(":"):
            return None
        if low in words.particles or low in words.honorifics or (i and low in words.credentials):
            continue
        first = token.lstrip("\"'‘“(")[:1]
        lower_ok = trusted >= _STRUCTURED or (trusted and all(t.islower() for t in tokens))
        if not lower_ok and len(tokens) > 1 and first and first.isalpha() and first.islower() and not _CJK.match(first):
            return None  # a lower-case word inside a multi-word piece: a sentence, not a name
    return tokens


def _classify(  # noqa: PLR0911 - one verdict per kind of piece
    piece: str, publishers: frozenset[str], trusted: int = 0, first_name: bool = True
              ) -> tuple[str, str] | None:
    """``("person", name)``, ``("agency", name)`` or None (organisation, place, role, junk)."""
    piece = _PAREN.sub("", piece).strip(" .,:;-–—|()[]\"'“”‘’«»")
    if not piece or len(piece) > 80 or _URLISH.search(piece) or _TEMPLATE_KEY.search(piece):
        return None
    agency = agency_name(piece)
    if agency:
        return "agency", agency
    key = _key(piece)
    if not key or _is_publisher(key, " " not in piece.strip(), publishers, first_name):
        return None
    words = _words()
    if any(t.casefold().strip(".,") in words.organisations or t.casefold().strip(".,") in words.not_names
           or (not first_name and t.casefold().strip(".,") in words.departments)
           for t in re.split(r"[\s\-]+", piece)):
        return None
    tokens = _name_tokens(piece, trusted, first_name)
    if tokens is None:
        return None
    name = " ".join(tokens).strip(" ,")
    if name.casefold() in words.roles or name.casefold() in words.organisations:
        return None
    return ("person", name) if name else None


def _is_publisher(key: str, one_word: bool, publishers: frozenset[str], first: bool = True) -> bool:
    """Whether a byline piece is the publisher's own name.

    ``publishers`` holds prefixed keys (see ``metadata._publisher_keys``): ``org:`` names of the
    publishing organisation always count; ``site:`` and ``host:`` names count for a one-word piece
    ("VnExpress"), for a piece after a name ("Brian Truitt, USA TODAY") and for a piece holding the
    site name and more ("Motley Fool Staff"), but not for a lone full name equal to them: a blog named
    after its author (bennadel.com, "Ben Nadel").
    """
    for entry in publishers:
        kind, _, p = entry.partition(":")
        if kind == "org" and (key == p or (len(p) >= 4 and p in key)):
            return True
        if kind in ("site", "host") and key == p and (one_word or not first):
            return True
        if kind == "site" and len(p) >= 4 and p in key and key != p:
            return True
    return False


def _cjk_names(text: str) -> list[str]:
    """Names from Chinese, Japanese and Korean bylines (the role word marks them)."""
    names: list[str] = []
    for match in _KO_BYLINE.finditer(text):
        names.append(match.group(1))
    for match in _ZH_BYLINE.finditer(text):
        names.extend(n for n in _CJK_NAME_SPLIT.split(match.group(1)) if n)
    for pattern in (_JA_PREFIX, _JA_BYLINE):
        for match in pattern.finditer(text):
            names.append(match.group(1))
    return list(dict.fromkeys(names))


def _cjk_byline(text: str, publishers: frozenset[str]) -> Byline:
    """People and agencies of a Chinese, Japanese or Korean byline."""
    agencies = [a for a in (agency_name(p) for p in re.split(r"[\s=/()（）]+", text)) if a]
    people = [n for n in _cjk_names(text) if not _is_publisher(_key(n), True, publishers) and not agency_name(n)]
    return Byline(tuple(dict.fromkeys(people)), tuple(dict.fromkeys(agencies)))


def _add_piece(piece: str, people: list[str], agencies: list[str], publishers: frozenset[str],  # noqa: PLR0917 - the loop's state
               trusted: int, previous_multiword: bool) -> bool:
    """Add one byline piece to ``people`` or ``agencies``; return whether the last name added has
    several words (a single word after it is a place or an affiliation)."""
    words = _words()
    if people and _is_credential(piece) and not agency_name(piece) and not any(
            t.casefold() in words.organisations for t in piece.split()) and (
            not people[-1].isupper() or all(t.casefold() in words.credentials for t in piece.split())):
        # after a name in capitals ("LISA MASCARO, MARY CLARE JALONICK"), capitals say nothing: only the
        # credentials listed are credentials
        people[-1] = f"{people[-1]}, {piece}"
        return previous_multiword
    if all(t.casefold() in _words().credentials for t in piece.split()):
        return previous_multiword  # "PhD" of a name that did not read as one: no person of its own
    result = _classify(piece, publishers, trusted, not people)
    if result is None:
        return False
    kind, name = result
    if kind == "agency":
        agencies.append(name)
        return True  # "Reuters, Washington": a single word after the agency is its dateline's place
    if previous_multiword and " " not in name and (people or agencies):
        return previous_multiword  # "Birgit Baumann, Frankfurt": a place or an affiliation after the name
    people.append(name)
    return " " in name


def split_byline(
    raw: str | None, publishers: frozenset[str] = frozenset(), *, trusted: int = 0
) -> Byline:
    """Turn one byline string into people and wire services.

    Prefixes ("By", "Von", "Por", "Text:") go; the string is split on commas, semicolons, slashes,
    ``&`` and each language's "and"; credentials after a name stay with it ("Jane Doe, MD"); a single
    word after a name is a place or an affiliation and goes ("Birgit Baumann, Frankfurt"); pieces that
    name the publisher (``publishers``: comparison keys of its names), an organisation or only a job
    are dropped; wire services ("AP", "dpa") are returned apart.

    Args:
        raw: the byline as found (meta content, JSON-LD name, text of the byline element).
        publishers: comparison keys (``_key``) of the site's own names.
        trusted: how far the source vouches for names: ``STRUCTURED`` (JSON-LD Person, meta author: a
            name in lower case, "kirstin boatto", is still a name), ``MARKED`` (a link to an author
            page: a user name, "jsteinhardt", is one), 0 (byline class or text: names are capitalised).

    Returns:
        The people and agencies, each once, in the order given.
    """
    if not raw:
        return Byline()
    text = _clean(raw)[:_MAX_BYLINE]
    if not text:
        return Byline()
    if _CJK.search(text) and not re.search(r"[A-Za-z]{3}", text):
        cjk = _cjk_byline(text, publishers)
        if cjk.people or cjk.agencies:
            return cjk
    text = _strip_prefix(_FOOTNOTE.sub("", text).strip(" |"))
    if text[:1] in ",;":
        return Byline()  # ", USA TODAY": the template's name field was empty, only the affiliation is left
    people: list[str] = []
    agencies: list[str] = []
    previous_multiword = False
    text = _words().stop.split(text, maxsplit=1)[0]  # "Jane Doe | Reviewed by John Roe": only the author
    for raw_piece in _words().splitter.split(text):
        piece = _AFFILIATION_MARK.sub(r"\1", _strip_prefix(raw_piece.strip()))
        if not piece:
            continue
        if piece.casefold() in _words().section_labels:
            break  # "By Jane Doe | in | Politics": the rest names sections
        head, _, last = piece.rpartition(" ")
        if head and last in _words().section_labels:  # "By Jane Doe in | Politics" (the label in lower case)
            previous_multiword = _add_piece(head, people, agencies, publishers, trusted, previous_multiword)
            break
        previous_multiword = _add_piece(piece, people, agencies, publishers, trusted, previous_multiword)
    if any(" " in p for p in people):
        # "Jane Doe | Follow | Share": single words beside a full name are labels, not people
        people = [p for p in people if " " in p or ", " in p]
    return Byline(tuple(dict.fromkeys(people)), tuple(dict.fromkeys(agencies)))


def after_stop_label(text: str) -> tuple[str, str] | None:
    """A reviewer's, editor's or photographer's label in ``text`` and what follows it ("Fact-checked by
    Frank Bass" -> ("Fact-checked by", "Frank Bass"), "Reviewed by:" -> ("Reviewed by", "")), or None
    (the labels are ``stop_labels`` in bylines.toml)."""
    match = _words().stop.search(text)
    if not match:
        return None
    return match.group().strip(" |"), text[match.end():].strip(" :：|-–—")


def name_pieces(text: str) -> list[str]:
    """The pieces a byline splits into: at , ; / | & and each language's "and" ("Claire Dubois et Marc Petit")."""
    return [p for p in _words().splitter.split(text) if p.strip()]


def is_section_label(word: str) -> bool:
    """Whether ``word`` is the label between a byline and the sections the article is filed in ("in")."""
    return word.casefold() in _words().section_labels


def is_role(text: str) -> bool:
    """Whether ``text`` is a job and nothing else ("Senior Writer", "Redakteurin")."""
    tokens = [t.casefold().strip(".,:") for t in text.split()]
    return bool(tokens) and all(t in _words().roles for t in tokens)


def opens_byline(text: str) -> bool:
    """Whether ``text`` opens with a byline's label ("By", "Von", "Por", "Text:")."""
    return _words().prefix.match(text.lstrip()) is not None


def name_key(name: str) -> str:
    """The comparison key of a name or a site name (NFKC, case-folded, word characters only)."""
    return _key(name)


def person_key(name: str) -> str:
    """The comparison key of a person's name without the title before it or the credentials after it
    ("Dr Marna van der Merwe" and "Marna van der Merwe, PhD" share one)."""
    tokens = name.split(",", 1)[0].split()
    honorifics = _words().honorifics
    while len(tokens) > 1 and tokens[0].casefold() in honorifics:
        tokens = tokens[1:]
    return _key(" ".join(tokens))
