"""Limits instead of hangs: oversized and pathological pages fail fast with a clear error.

How long each case takes is measured by bench/pathological.py, not here.
"""

from __future__ import annotations

import pytest

from scraper import CleanOptions, clean
from scraper.errors import PageTooLargeError, TruncatedPageError

URL = "https://news.example.com/a"
PARA = "<p>The council met on Tuesday to discuss the budget for the coming year and agreed a plan.</p>"


def test_a_million_sibling_paragraphs_is_refused_before_parsing() -> None:
    html = "<html><body>" + "<p>x</p>" * 1_000_000 + "</body></html>"
    with pytest.raises(PageTooLargeError, match="elements, over max_elements"):
        clean(html, URL)


def test_bytes_over_max_bytes_are_refused() -> None:
    with pytest.raises(PageTooLargeError, match="max_bytes"):
        clean(b"<html><body>" + b"a" * 2000 + b"</body></html>", URL, options=CleanOptions(max_bytes=1000))


def test_element_limit_is_an_option() -> None:
    html = "<html><body>" + PARA * 50 + "</body></html>"
    with pytest.raises(PageTooLargeError):
        clean(html, URL, options=CleanOptions(max_elements=20))
    assert clean(html, URL, options=CleanOptions(max_elements=100)).text


def test_nesting_past_libxml2_default_keeps_the_text() -> None:
    # libxml2 silently drops everything below depth 256 unless told to keep huge trees.
    html = "<html><body>" + "<div>" * 300 + PARA * 8 + "</div>" * 300 + "<p>After the nest.</p></body></html>"
    article = clean(html, URL)
    assert "discuss the budget for the coming year" in article.text


def test_nesting_past_the_parser_ceiling_is_reported_not_truncated() -> None:
    html = "<html><body>" + "<div>" * 5000 + PARA + "</div>" * 5000 + "</body></html>"
    with pytest.raises(TruncatedPageError, match="cut the page"):
        clean(html, URL)


def test_one_huge_text_node_still_gives_a_whole_article() -> None:
    html = "<html><body><p>" + "word " * 200_000 + "</p></body></html>"
    article = clean(html, URL)
    assert article.word_count == 200_000
