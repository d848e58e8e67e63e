"""Bytes to text: the HTTP ``Content-Encoding`` and gzip expansion, strictly and within a limit, then BOM,
declared charset, mostly-UTF-8, detection."""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Callable

from charset_normalizer import from_bytes

from scraper.errors import DecodingError, NotHTMLError, PageTooLargeError, TruncatedError, UnreadableError

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BINARY_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"RIFF", "a RIFF media file"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
)
# A declared or UTF-8 page may carry a few stray bytes (a pasted cp1252 quote): up to this share of
# invalid sequences among the non-ASCII bytes it still decodes as UTF-8, with replacement characters.
_STRAY_SHARE = 0.05


def gunzip_limited(data: bytes, max_bytes: int) -> bytes:
    """Expand gzip/zlib-wrapped bytes, refusing to produce more than ``max_bytes``.

    Raises:
        PageTooLargeError: the expansion exceeds ``max_bytes`` (a compression bomb).
        NotHTMLError: the gzip stream is corrupt.
        TruncatedError: the gzip stream ends before its end.
    """
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(wbits=47)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise NotHTMLError(f"corrupt gzip body: {exc}") from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise PageTooLargeError(f"gzip body expands beyond max_bytes={max_bytes}")
    if not inflater.eof:
        raise TruncatedError(f"truncated gzip body: it ends before its end ({len(data)} bytes, {len(out)} expanded)")
    return out


def _inflate(data: bytes, max_bytes: int, wbits: int, name: str) -> tuple[bytes, bool]:
    """Expand a zlib-family stream: (bytes, whether it reached its end)."""
    inflater = zlib.decompressobj(wbits=wbits)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        if name == "deflate" and wbits == zlib.MAX_WBITS:  # servers send raw deflate as often as zlib's
            return _inflate(data, max_bytes, -zlib.MAX_WBITS, name)
        raise UnreadableError(f"corrupt {name} body: {exc}") from exc
    if inflater.unconsumed_tail:
        return out + b"?", True  # longer than the limit: the caller reports it
    return out, inflater.eof


def _gzip(data: bytes, max_bytes: int) -> tuple[bytes, bool]:
    return _inflate(data, max_bytes, 16 + zlib.MAX_WBITS, "gzip")


def _deflate(data: bytes, max_bytes: int) -> tuple[bytes, bool]:
    return _inflate(data, max_bytes, zlib.MAX_WBITS, "deflate")


def _brotli(data: bytes, max_bytes: int) -> tuple[bytes, bool]:
    try:
        import brotli  # noqa: PLC0415 - optional, as in Scrapy (it asks for br only when brotli is installed)
    except ImportError as exc:
        raise UnreadableError("a br (Brotli) body, and the brotli package is not installed") from exc
    decompressor = brotli.Decompressor()
    try:
        out = decompressor.process(data, output_buffer_limit=max_bytes + 1)
    except brotli.error as exc:
        raise UnreadableError(f"corrupt br body: {exc}") from exc
    return out, bool(decompressor.is_finished())


def _zstd(data: bytes, max_bytes: int) -> tuple[bytes, bool]:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # noqa: PLC0415 - Python 3.14
    except ImportError:
        try:
            from backports import zstd  # noqa: PLC0415 - optional, as in Scrapy
        except ImportError as exc:
            raise UnreadableError("a zstd body, and no zstd module is installed") from exc
    decompressor = zstd.ZstdDecompressor()
    try:
        out = decompressor.decompress(data, max_length=max_bytes + 1)
    except zstd.ZstdError as exc:
        raise UnreadableError(f"corrupt zstd body: {exc}") from exc
    return out, bool(decompressor.eof)


def _already_decoded(data: bytes) -> bool:
    """A body that is markup already, whatever its headers say: some archivers decode the body and keep the
    ``Content-Encoding`` header (warcio's own reader falls back the same way)."""
    head = data[:1024].lstrip()
    return head.startswith(b"<") or any(head.startswith(bom) for bom, _ in _BOMS)


_DECODERS: dict[str, Callable[[bytes, int], tuple[bytes, bool]]] = {
    "gzip": _gzip, "x-gzip": _gzip, "deflate": _deflate, "br": _brotli, "zstd": _zstd,
}


def decode_content(data: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """Undo an HTTP ``Content-Encoding`` (``gzip``, ``deflate``, ``br``, ``zstd``, in the order applied), strictly:
    a body that does not decompress to its end is an error, never a shorter page.

    Raises:
        TruncatedError: a coding stops before its end (the body was cut short).
        PageTooLargeError: the body expands beyond ``max_bytes``.
        UnreadableError: a coding is corrupt, unknown, or needs a decoder that is not installed.
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity" or _already_decoded(data):
            continue
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise UnreadableError(f"unknown Content-Encoding {coding!r}")
        size = len(data)
        data, complete = decoder(data, max_bytes)
        if len(data) > max_bytes:
            raise PageTooLargeError(f"{coding} body expands beyond max_bytes={max_bytes}")
        if not complete:
            raise TruncatedError(f"the {coding} body ends before its end ({size} bytes received, {len(data)} "
                                 "decoded): the response was cut short")
    return data


def _codec(name: str | None) -> str | None:
    """Canonical Python codec name for a declared charset, or None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        name = "cp1252"  # WHATWG: these labels mean windows-1252 on the web
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _mostly_utf8(data: bytes) -> bool:
    """Whether the bytes are UTF-8 apart from a few stray invalid bytes."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    valid = len(text.encode("utf-8", errors="ignore")) - len(text.encode("ascii", errors="ignore"))
    valid_chars = valid // 2 - bad  # rough count of real multi-byte characters (2-4 bytes each)
    return bad == 0 or (valid_chars > 0 and bad <= max(1, _STRAY_SHARE * valid_chars))


def _strict_utf8(data: bytes) -> str | None:
    """The text when the bytes are valid UTF-8 holding non-ASCII characters, else None."""
    if data.isascii():
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def check_not_binary(data: bytes) -> None:
    """Reject known binary formats and bytes with NULs (outside UTF-16/32 BOM documents).

    Raises:
        NotHTMLError: the data is empty or binary.
    """
    if not data.strip():
        raise NotHTMLError("empty document")
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise NotHTMLError(f"not HTML: looks like {what}")
    head = data[:4096]
    if b"\x00" in head and not any(data.startswith(bom) for bom, _ in _BOMS):
        raise NotHTMLError("not HTML: binary data (NUL bytes)")


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:  # noqa: PLR0911 - one return per step of the cascade
    """Decode page bytes into text.

    Order: byte-order mark; valid multi-byte UTF-8; the declared charset (HTTP header, else
    ``<meta>``) when it decodes cleanly; UTF-8 when the bytes are UTF-8 apart from a few stray bytes; detection
    (charset-normalizer); cp1252 as a last resort.

    Args:
        data: the raw body (already gunzipped).
        declared: the charset from the HTTP ``Content-Type`` header, if any.

    Returns:
        The text and the codec name used.

    Raises:
        DecodingError: nothing decodes the bytes.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    # Valid multi-byte UTF-8 is almost never legacy text by accident, while a wrong or default
    # "iso-8859-1" header on a UTF-8 page is common: such bytes are UTF-8 whatever the label says.
    strict = _strict_utf8(data)
    if strict is not None:
        return strict, "utf-8"
    meta = _META_CHARSET.search(data[:8192])
    candidates = [_codec(declared), _codec(meta.group(1).decode("ascii", "ignore") if meta else None)]
    for name in (c for c in candidates if c is not None):
        if name == "utf-8" and _mostly_utf8(data):
            return data.decode("utf-8", errors="replace"), "utf-8"
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="replace"), "utf-8"
    best = from_bytes(data[:262144]).best()
    if best is not None and best.encoding:
        name = codecs.lookup(best.encoding).name
        try:
            return data.decode(name, errors="replace"), name
        except LookupError:
            pass
    try:
        return data.decode("cp1252", errors="replace"), "cp1252"
    except LookupError as exc:  # pragma: no cover - cp1252 always exists
        raise DecodingError(str(exc)) from exc
