"""Bytes in, right text out: BOM, declared charset, stray bytes, detection, gzip."""

from __future__ import annotations

import codecs
import gzip
import zlib

import brotli
import pytest
from backports import zstd

from scraper import clean
from scraper.decode import decode_bytes, decode_content, gunzip_limited
from scraper.errors import NotHTMLError, PageTooLargeError, TruncatedError, UnreadableError
from tests.conftest import page

URL = "https://news.example.com/a"
FRENCH = (
    "Le garçon a déjà mangé à la cafétéria. Il était très content de la journée, même si la pluie "
    "tombait sur la ville depuis le matin. À bientôt, écrivit-il à sa sœur."
)


def test_bom_wins_over_everything() -> None:
    data = codecs.BOM_UTF16_LE + "<p>Grüße aus Köln</p>".encode("utf-16-le")
    assert decode_bytes(data, declared="iso-8859-1") == ("<p>Grüße aus Köln</p>", "utf-16-le")


def test_declared_header_charset_is_used() -> None:
    data = "<p>Привет, мир</p>".encode("koi8-r")
    assert decode_bytes(data, declared="koi8-r") == ("<p>Привет, мир</p>", "koi8-r")


def test_meta_charset_is_used_without_a_header() -> None:
    data = '<meta charset="windows-1251"><p>Новости дня</p>'.encode("cp1251")
    text, used = decode_bytes(data)
    assert "Новости дня" in text
    assert used == "cp1251"


def test_latin1_label_means_windows_1252() -> None:
    data = "<p>“Quoted” — dash</p>".encode("cp1252")
    text, used = decode_bytes(data, declared="ISO-8859-1")
    assert text == "<p>“Quoted” — dash</p>"
    assert used == "cp1252"


def test_utf8_page_with_one_stray_cp1252_byte_stays_utf8() -> None:
    good = ('<meta charset="utf-8"><p>' + FRENCH + "</p>").encode()
    cut = good.index(b"<p>")
    data = good[:cut] + b"\x92" + good[cut:]  # one pasted cp1252 apostrophe
    text, used = decode_bytes(data)
    assert used == "utf-8"
    assert "déjà mangé à la cafétéria" in text
    assert text.count("\ufffd") == 1


def test_utf8_stray_byte_even_when_declared_otherwise_missing() -> None:
    good = ("<p>" + FRENCH + "</p>").encode()
    text, used = decode_bytes(good + b"\x96")
    assert used == "utf-8"
    assert "écrivit-il à sa sœur" in text


def test_valid_utf8_beats_a_wrong_latin1_header() -> None:
    data = ("<p>" + FRENCH + "</p>").encode()
    text, used = decode_bytes(data, declared="iso-8859-1")
    assert used == "utf-8"
    assert FRENCH in text


def test_undeclared_cp1252_is_detected() -> None:
    text, _ = decode_bytes(("<p>" + FRENCH + "</p>").encode("cp1252"))
    assert FRENCH in text


def test_clean_records_the_encoding_used() -> None:
    html = page().replace("<meta charset='utf-8'>", "<meta charset='windows-1252'>")
    html = html.replace("record low", "record low — “worst” since 1976")
    article = clean(html.encode("cp1252"), URL)
    assert article.encoding == "cp1252"
    assert "“worst”" in (article.title or "")


def test_gzip_expands_within_the_limit() -> None:
    assert gunzip_limited(gzip.compress(b"<p>hello</p>"), 1000) == b"<p>hello</p>"


def test_gzip_bomb_is_refused_before_it_expands() -> None:
    bomb = gzip.compress(b"<html><body><div>" + b"a" * 10_000_000 + b"</div></body></html>")
    assert len(bomb) < 30_000
    with pytest.raises(PageTooLargeError, match="expands beyond"):
        clean(bomb, URL)


def test_corrupt_gzip_is_not_html() -> None:
    with pytest.raises(NotHTMLError, match="corrupt gzip body"):
        clean(gzip.compress(b"<p>x</p>")[:10] + b"\xff" * 20, URL)  # an invalid deflate block


def test_gzip_cut_short_is_truncated_not_a_shorter_page() -> None:
    body = gzip.compress(page().encode())
    with pytest.raises(TruncatedError, match="truncated gzip body"):
        clean(body[: len(body) * 7 // 10], URL)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_a_content_encoding_cut_short_is_truncated_whole_bodies_decode(coding: str) -> None:
    html = page().encode() * 3
    encoded = _encode(html, coding)
    assert decode_content(encoded, coding, 1 << 20) == html
    with pytest.raises(TruncatedError, match=f"the {coding} body ends before its end"):
        decode_content(encoded[: len(encoded) * 7 // 10], coding, 1 << 20)
    with pytest.raises(PageTooLargeError, match="max_bytes=100"):
        decode_content(encoded, coding, 100)


def test_content_encodings_apply_in_order_and_unknown_ones_are_errors() -> None:
    html = page().encode()
    assert decode_content(_encode(_encode(html, "deflate"), "gzip"), "deflate, gzip", 1 << 20) == html
    assert decode_content(zlib.compress(html)[2:-4], "deflate", 1 << 20) == html  # raw deflate, as some servers send
    assert decode_content(html, None, 10) == html and decode_content(html, "identity", 10) == html
    with pytest.raises(UnreadableError, match="unknown Content-Encoding 'compress'"):
        decode_content(zlib.compress(html), "compress", 1 << 20)
    assert decode_content(html, "gzip", 1 << 20) == html  # decoded already by an archiver that kept the header
    with pytest.raises(UnreadableError, match="corrupt gzip body"):
        decode_content(b"\x1f\x8b\x08\x00" + b"\xff" * 20, "gzip", 1 << 20)


def _encode(data: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(data)
    if coding == "deflate":
        return zlib.compress(data)
    if coding == "br":
        return bytes(brotli.compress(data))
    return bytes(zstd.compress(data))
