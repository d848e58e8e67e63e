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


def test_a_start_tag_flooded_with_attributes_is_refused_before_parsing() -> None:
    attributes = " ".join(f"a{i}=1" for i in range(100_000))  # 1.5 MB in one tag: 25 s in libxml2 alone
    html = f"<html><body><p {attributes}>{PARA}</p>" + PARA * 6 + "</body></html>"
    with pytest.raises(PageTooLargeError, match="has 100000 attributes, over max_attributes=1000"):
        clean(html, URL)


@pytest.mark.parametrize("hidden", [
    '<p a=">" {}>',                    # a quoted ">" does not end the tag
    "<p a b <c {}>",                   # neither does "<": it starts an attribute name
    "<!--> <p {}>",                    # "<!-->" is a whole comment
    "<!-- x --!> <p {}>",              # so is one ending "--!>"
    "<script>x</script ><p {}>",       # raw text ends at its end tag
    "<title>x</TITLE><p {}>",
])
def test_attribute_floods_are_found_where_the_parser_would_meet_them(hidden: str) -> None:
    html = "<html><body>" + hidden.format(" ".join(f"a{i}" for i in range(5000))) + PARA * 6 + "</body></html>"
    with pytest.raises(PageTooLargeError, match=r"has 50[0-9][0-9] attributes"):
        clean(html, URL)


@pytest.mark.parametrize("inert", ["<script>var s = '<p {}>';</script>", "<!-- <p {}> -->",
                                   "<textarea><p {}></textarea>", "<p title='{}'>", '<div data-props="{}"></div>'])
def test_what_the_parser_reads_as_text_or_a_value_is_not_counted(inert: str) -> None:
    html = "<html><body>" + inert.format(" ".join(f"a{i}" for i in range(5000))) + PARA * 6 + "</body></html>"
    assert "discuss the budget" in clean(html, URL).text


def test_attribute_limit_is_an_option() -> None:
    html = "<html><body><p " + " ".join(f"a{i}" for i in range(50)) + ">x</p>" + PARA * 6 + "</body></html>"
    with pytest.raises(PageTooLargeError, match="max_attributes=20"):
        clean(html, URL, options=CleanOptions(max_attributes=20))
    assert clean(html, URL, options=CleanOptions(max_attributes=50)).text


def test_a_page_whose_tags_carry_too_many_attributes_together_is_refused() -> None:
    # 625 tags of 1,000 attributes each (8 MB): within the per-tag limit, 12 s of cleaning without this one.
    tag = "<div " + " ".join(f"data-a{i}=1" for i in range(1000)) + ">" + PARA + "</div>"
    with pytest.raises(PageTooLargeError, match="the page's start tags have 625000 attributes, over "
                                                "max_page_attributes=200000"):
        clean("<html><body>" + tag * 625 + "</body></html>", URL)
    html = "<html><body>" + "<p a b c>x</p>" * 40 + PARA * 6 + "</body></html>"
    with pytest.raises(PageTooLargeError, match="max_page_attributes=100"):
        clean(html, URL, options=CleanOptions(max_page_attributes=100))
    assert clean(html, URL, options=CleanOptions(max_page_attributes=120)).text
