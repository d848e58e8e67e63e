"""clean() and clean_text(): the Article they return, the boilerplate they cut, the errors they raise."""

from __future__ import annotations

import gzip
import json

import pytest

import scraper
from scraper import Article, CleanOptions, clean, clean_text
from scraper.errors import EmptyArticleError, NotHTMLError
from scraper.profiles import ProfileRegistry
from scraper.rules import compile_rules
from tests.conftest import BODY, FIXTURES, page

URL = "https://news.example.com/2025/06/reservoirs"


def test_clean_returns_article_with_body_and_provenance(article_page: str) -> None:
    article = clean(article_page, URL)
    assert isinstance(article, Article)
    for paragraph in BODY:
        assert paragraph in article.text
    assert article.text.count("\n\n") == len(BODY) - 1  # paragraphs separated by one blank line
    assert article.title == "Reservoir levels fall to a record low"
    assert article.title not in article.text  # the repeated headline is cut from the text
    assert article.word_count == len(article.text.split()) or article.word_count > 100
    assert len(article.content_hash) == 64
    assert article.trafilatura_version.startswith("2.3")
    assert article.cleaner_version == scraper.__version__
    assert article.schema_version == scraper.SCHEMA_VERSION
    assert article.language == "en"
    assert [r.rule for r in article.removed] == ["meta.repeated-title"]


def test_bytes_and_str_give_the_same_text(article_page: str) -> None:
    assert clean(article_page.encode(), URL).text == clean(article_page, URL).text


def test_gzip_bytes_are_accepted(article_page: str) -> None:
    assert clean(gzip.compress(article_page.encode()), URL).text == clean(article_page, URL).text


def test_metadata_prefers_json_ld_and_keeps_time_and_offset() -> None:
    head = (
        '<meta property="article:published_time" content="2025-06-01">'
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Reservoir levels fall to a record low",'
        '"datePublished":"2025-06-02T07:15:00+02:00","dateModified":"2025-06-02T09:00:00Z",'
        '"author":[{"@type":"Person","name":"Ana Ruiz"},{"@type":"Person","name":"Ben Cole"}],'
        '"isAccessibleForFree":false,"publisher":{"@type":"Organization","name":"The Example"}}</script>'
        '<link rel="canonical" href="/2025/06/reservoirs-canonical">'
    )
    article = clean(page(head=head), URL)
    assert article.published == "2025-06-02T07:15:00+02:00"
    assert article.modified == "2025-06-02T09:00:00+00:00"
    assert article.authors == ("Ana Ruiz", "Ben Cole")
    assert article.paywalled is True
    assert article.site_name == "The Example"
    assert article.canonical_url == "https://news.example.com/2025/06/reservoirs-canonical"


def test_reader_comments_are_never_extracted() -> None:
    comments = (
        "<div id='comments'><h3>3 Comments</h3><ol class='commentlist'>"
        "<li class='comment'><p>I have lived here forty years and never seen the lake this low, it is shocking "
        "and the authority should have acted years ago instead of waiting.</p></li></ol></div>"
    )
    article = clean(page(comments), URL)
    assert "forty years" not in article.text
    assert "Comments" not in article.text


def test_comments_that_trafilatura_keeps_are_removed_by_our_rules() -> None:
    # Neutral class names: trafilatura's own comment filter does not see this thread; our heading does.
    thread = (
        "<section class='x-discuss'><h3>3 Comments</h3>"
        + "".join(f"<div class='x-post'><p>Reader {i} has lived here forty years and never seen the lake this low, "
                  "it is shocking and the authority should have acted years ago.</p></div>" for i in range(3))
        + "</section>"
    )
    article = clean(page(thread), URL)
    assert "forty years" not in article.text
    assert any(r.rule.startswith("comments.") for r in article.removed)


def test_removed_lists_each_block_with_rule_kind_and_size() -> None:
    promo = "<div class='x9'><h3>Try Our AI Features</h3><p>Explore what Acme AI can do for you:</p></div>"
    article = clean(page(promo), URL)
    assert "Try Our AI Features" not in article.text
    hits = [r for r in article.removed if r.rule == "promo.heading"]
    assert hits and hits[0].kind == "heading" and hits[0].chars > 0


def test_over_pruning_guard_keeps_a_page_the_rules_would_empty() -> None:
    # The whole article sits in a container whose class names it "related": the class rule would
    # remove the article itself. The guard must notice and keep the text.
    html = (
        "<html><body><div class='related-wrapper'><h1>Reservoir levels fall</h1>"
        + "".join(f"<p>{p}</p>" for p in BODY)
        + "</div></body></html>"
    )
    article = clean(html, URL)
    assert BODY[0] in article.text


def test_guard_restores_text_when_rules_leave_too_little() -> None:
    options = CleanOptions(protect_ratio=1.0)  # allow the class rule to take the whole article
    rules = compile_rules([{"id": "promo.wrap", "kind": "prune_class", "tokens": ["story-wrap"], "evidence": "strong",
                            "why": "a rule that is wrong for this page"}], "test.toml")
    html = (
        "<html><body><div class='story-wrap'><h1>Reservoir levels fall</h1>"
        + "".join(f"<p>{p}</p>" for p in BODY)
        + "</div></body></html>"
    )
    article = clean(html, URL, options=options, registry=ProfileRegistry(rules, {}))
    assert BODY[0] in article.text
    assert article.warnings == ("over-pruning guard: structural rules skipped",)
    assert article.removed == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"%PDF-1.7 binary", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"just a line of plain text with no markup at all", "no HTML tags"),
        (b"\x00\x01\x02\x03<html>", "binary"),
    ],
)
def test_not_html_is_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(NotHTMLError, match=message):
        clean(data, URL)


def test_page_without_article_text_raises_empty_article() -> None:
    with pytest.raises(EmptyArticleError):
        clean("<html><body><nav><a href='/'>Home</a></nav></body></html>", URL)


def test_errors_are_typed_scraper_errors_never_none() -> None:
    with pytest.raises(scraper.ScraperError) as info:
        clean(b"", URL)
    assert info.value.reason == "not-html"


def test_clean_text_cuts_aggregator_boilerplate() -> None:
    text = (FIXTURES / "text" / "aggregator_dump.txt").read_text(encoding="utf-8")
    article = clean_text(text)
    assert article.title == "What is the Harbour Syndicate, the smuggling ring targeted by ministers?"
    assert "forty tonnes of undeclared tobacco" in article.text
    assert "agreed to share cargo inspection data" in article.text
    for leak in ("Hashtags", "Try Our AI Features", "Explore what", "No comments yet", "Related Articles",
                 "Dock workers walk out", "Tobacco prices climb", "42 minutes ago"):
        assert leak not in article.text


def test_clean_text_cuts_blog_bio_and_reply_form() -> None:
    text = (FIXTURES / "text" / "blog_dump.txt").read_text(encoding="utf-8")
    article = clean_text(text)
    assert article.title == "Understanding the Harbour Syndicate: The Smuggling Ring Ministers Want Stopped"
    assert "why enforcement agencies are being pushed to cooperate" in article.text
    for leak in ("About Sofia Marin", "feature writer", "View all posts", "Leave a Reply", "will not be published"):
        assert leak not in article.text


def test_clean_text_rejects_empty_text() -> None:
    with pytest.raises(NotHTMLError):
        clean_text("  \n ")


def test_article_json_is_serialisable(article_page: str) -> None:
    data = clean(article_page, URL).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data)[:3] == ["url", "canonical_url", "site_name"]
