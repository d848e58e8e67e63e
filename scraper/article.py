"""The values that flow through the project: RawPage (a page as fetched or saved, the input of cleaning)
and Article (what every cleaning path returns), with stable dict/JSON forms. ``records.py`` wraps them
into the lines written to JSONL."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

SCHEMA_VERSION = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Removal:
    """One block the cleaner removed: which rule, of which kind, and how many characters of text."""

    rule: str
    kind: str
    chars: int

    def to_dict(self) -> dict[str, Any]:
        """Return the removal as a plain dict."""
        return {"rule": self.rule, "kind": self.kind, "chars": self.chars}


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """A cleaned article with its metadata and provenance.

    ``text`` holds paragraphs separated by one blank line. Dates are ISO 8601 strings, with time and UTC
    offset whenever the page gives them. ``authors`` names people only; wire services are in
    ``agencies``. ``language_source`` says where ``language`` came from (``html-lang``, ``meta``,
    ``json-ld``, ``detected``). ``page_type`` is one of ``pagetype.PAGE_TYPES`` (None when not
    assessed: text input). ``removed`` lists every block the rules cut, in page order.
    """

    url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    language_source: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: str | None = None
    paywalled: bool | None = None
    page_type: str | None = None
    text: str = ""
    word_count: int = 0
    content_hash: str = ""
    removed: tuple[Removal, ...] = ()
    profile: str | None = None
    schema_version: int = SCHEMA_VERSION
    cleaner_version: str = ""
    trafilatura_version: str = ""
    encoding: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the article as a JSON-ready dict with a stable key order (declaration order)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "removed":
                value = [r.to_dict() for r in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build an Article from ``to_dict()`` output; unknown keys are rejected."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown Article keys: {sorted(unknown)}")
        values = dict(data)
        for key in ("authors", "agencies", "categories", "tags", "warnings"):
            if key in values:
                values[key] = tuple(values[key])
        if "removed" in values:
            values["removed"] = tuple(Removal(**r) for r in values["removed"])
        return cls(**values)


@dataclass(frozen=True, slots=True, kw_only=True)
class RawPage:
    """One page as fetched or saved: the input of every cleaning job (crawl and re-clean alike).

    Attributes:
        url: the URL requested; ``final_url`` the URL after redirects (None when unknown, e.g. a loose file).
        status: HTTP status (None when the page did not come from an HTTP response: a file, a JSONL line).
        fetched_at: ISO 8601 UTC time of the fetch, if known.
        body: the response body (decompressed by the HTTP client), or the saved file's bytes.
        text: already-extracted text instead of HTML (re-clean of ``.txt`` files): cleaned with ``clean_text``.
        headers: the response headers as (name, value) pairs.
        encoding: the charset from the ``Content-Type`` header, if any.
        site: the profile id the page was found through, if any.
        discovered: what the feed or sitemap said about the page (title, published, keywords).
        warc_file, warc_record_id, warc_offset: the WARC record holding the page (set by the crawl's archive,
            or read from the WARC being re-cleaned).
        file, line: the saved file holding the page, and its line for a JSONL file.
    """

    url: str | None
    final_url: str | None = None
    status: int | None = None
    fetched_at: str | None = None
    body: bytes = b""
    text: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    encoding: str | None = None
    site: str | None = None
    discovered: dict[str, Any] | None = None
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None
    file: str | None = None
    line: int | None = None

    def header(self, name: str) -> str | None:
        """The first value of a response header (case-insensitive), or None."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)
