"""The values of the story index: an article as the index holds it (``Entry``), a story (``Story``), what a new
article brings (``Newcomer``, from an article record) and where it lands (``Placement``, the record's ``story``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urlsplit

from courlan import extract_domain, normalize_url

from scraper.stories.fingerprint import Fingerprint, fingerprint
from scraper.stories.keys import band_keys, looked_up


def record_id(url: str | None, content_hash: str) -> str:
    """An article record's id: the same page with the same text has the same id in every run and both doors."""
    return hashlib.sha256(f"{url or ''}\n{content_hash}".encode()).hexdigest()[:20]


def domain_of(url_or_host: str | None) -> str | None:
    """The registered domain (``www.bbc.co.uk`` -> ``bbc.co.uk``) of a URL or host, or None."""
    if not url_or_host:
        return None
    text = url_or_host if "://" in url_or_host else f"http://{url_or_host}"
    parts = urlsplit(text)
    return _domain_of_site(f"{parts.scheme}://{parts.netloc}")


@functools.lru_cache(maxsize=1 << 16)
def _domain_of_site(site: str) -> str | None:
    """``domain_of`` a URL's scheme and host, which is all it depends on (kept: a crawl meets few sites)."""
    with contextlib.suppress(ValueError, TypeError):
        found = extract_domain(site)
        if found:
            return str(found)
    host = (urlsplit(site).hostname or "").lower()  # no public suffix (a test domain, an address)
    return host.removeprefix("www.") or None


def _url_key(url: str) -> str:
    """A URL as a mark: normalised (courlan: host case, query order, tracking parameters), no fragment."""
    with contextlib.suppress(ValueError):
        url = normalize_url(url)
    return "u:" + urldefrag(url).url


def marks_of(url: str | None, canonical_url: str | None, site_name: str | None) -> tuple[str, ...]:
    """How other articles may name this one's origin: its URLs, its site's domain and its outlet's name."""
    marks = {_url_key(u) for u in (url, canonical_url) if u}
    marks |= {f"d:{d}" for d in (domain_of(url), domain_of(canonical_url)) if d}
    if site_name:
        marks.add("n:" + site_name.casefold().strip())
    return tuple(sorted(marks))


def claims_of(original_url: str | None, original_source: str | None) -> tuple[str, ...]:
    """The marks of the origin an article names (``original_url``, ``original_source``)."""
    claims: set[str] = set()
    if original_url:
        claims.add(_url_key(original_url))
        if domain_of(original_url):
            claims.add(f"d:{domain_of(original_url)}")
    if original_source:
        source = original_source.strip()
        host_like = "." in source and " " not in source
        claims.add(f"d:{domain_of(source)}" if host_like and domain_of(source) else "n:" + source.casefold())
    return tuple(sorted(claims))


def when(value: str | None) -> dt.datetime | None:
    """An ISO 8601 time as an aware UTC datetime (a date alone is its midnight UTC), or None."""
    if not value:
        return None
    return _when(value)


@functools.lru_cache(maxsize=1 << 16)
def _when(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class Newcomer:
    """An article on its way into the index (from an article record).

    Attributes:
        site: the registered domain of its URL.
        bands, listed: the keys it is filed and looked up under (``keys``), computed here: with the record, in
            the worker processes of ``scraper stories``.
    """

    id: str
    url: str | None
    title: str | None
    published: str | None
    seen: str | None
    content_hash: str
    fingerprint: Fingerprint
    marks: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    site: str | None = field(init=False, compare=False)
    bands: list[int] = field(init=False, repr=False, compare=False)
    listed: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "site", domain_of(self.url))
        object.__setattr__(self, "bands", band_keys(self.fingerprint.minhash))
        object.__setattr__(self, "listed", looked_up(self.fingerprint.facts))

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Newcomer:
        """From an article record (as written); the fingerprint is computed when the record has none.

        Raises:
            KeyError, TypeError: not an article record.
        """
        text = record["text"]
        content_hash = str(record.get("content_hash") or hashlib.sha256(
            " ".join(text.split()).casefold().encode()).hexdigest())
        source = record.get("source") or {}
        url = source.get("final_url") or record.get("url") or source.get("url")
        print_ = Fingerprint.from_dict(record.get("fingerprint")) or fingerprint(text)
        return cls(
            id=str(record.get("id") or record_id(url, content_hash)), url=url, title=record.get("title"),
            published=record.get("published"), seen=source.get("fetched_at"), content_hash=content_hash,
            fingerprint=print_, marks=marks_of(url, record.get("canonical_url"), record.get("site_name")),
            claims=claims_of(record.get("original_url"), record.get("original_source")))


@dataclass(slots=True)
class Entry:
    """An article as the index holds it.

    Attributes:
        key: the index's own number for it (the order articles came in).
        relation, matched, score: what it was found to be when it came (``original`` when it matched nothing),
            and the id of the article it matched.
    """

    key: int
    id: str
    url: str | None
    site: str | None
    title: str | None
    published: str | None
    seen: str | None
    content_hash: str
    fingerprint: Fingerprint
    story: str
    relation: str = "original"
    matched: str | None = None
    score: float = 0.0
    marks: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    run: str = ""

    def earlier_than(self, other: Entry) -> bool:
        """Whether this article was published (or, not knowing that, seen) before ``other``."""
        mine, theirs = when(self.published), when(other.published)
        if mine is None or theirs is None:
            mine, theirs = when(self.published) or when(self.seen), when(other.published) or when(other.seen)
        if mine is not None and theirs is not None and mine != theirs:
            return mine < theirs
        if mine is not None and theirs is None:
            return True
        if theirs is not None and mine is None:
            return False
        return self.key < other.key

    def brief(self) -> dict[str, Any]:
        """How a record names this article: id, URL, site and publication time."""
        return {"id": self.id, "url": self.url, "site": self.site, "published": self.published}


@dataclass(slots=True)
class Story:
    """One story: its id, its original (the key of the article the others copy or rewrite), whether some member
    named it as the origin, how many members it has, when they were seen, and the origins members name."""

    id: str
    original: int
    attributed: bool = False
    size: int = 1
    first_seen: str | None = None
    last_seen: str | None = None
    claims: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a new article landed: the record's ``story`` object."""

    story: str
    relation: str
    original: dict[str, Any] | None
    matched: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.story, "relation": self.relation, "original": self.original, "matched": self.matched}
