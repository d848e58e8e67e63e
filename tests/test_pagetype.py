"""Pages that are not articles never become articles: page types of hand-written pages, and the
crawl's validate stage and the bulk re-clean dropping them (unless asked to keep them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scraper import CleanJob, clean
from scraper.clean import parse_html
from scraper.pagetype import PAGE_TYPES, is_article, not_article_reason, page_signals
from scraper.reclean import run
from tests.conftest import BODY

STORY = "".join(f"<p>{p}</p>" for p in BODY)


def _ld(obj: dict[str, Any]) -> str:
    return f"<script type='application/ld+json'>{json.dumps(obj)}</script>"


def _html(body: str, head: str = "", title: str = "Reservoir levels fall to a record low") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body>{body}</body></html>")


ARTICLE = _html(
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Reservoir levels fall to a record low</h1>"
    "<p class='byline'>By Ana Ruiz</p><time datetime='2025-06-12T08:00:00+02:00'>12 June 2025</time>"
    f"{STORY}</article>",
    _ld({"@type": "NewsArticle", "headline": "Reservoir levels fall to a record low",
         "datePublished": "2025-06-12T08:00:00+02:00", "author": {"@type": "Person", "name": "Ana Ruiz"}})
    + "<meta property='og:type' content='article'>",
)

PRODUCT = _html(
    "<main><h1>Trail Runner 3 shoe</h1><div class='gallery'><img src='a.jpg'><img src='b.jpg'></div>"
    "<p class='price'>$129.99</p><p class='was'>$159.99</p><select name='size'><option>9</option></select>"
    "<button>Add to cart</button><button>Add to wishlist</button><p>In stock</p>"
    "<h2>Details</h2><ul><li>Breathable mesh upper keeps feet cool on long runs in summer heat</li>"
    "<li>Grippy rubber outsole for wet rock and muddy forest trails alike</li>"
    "<li>Cushioned midsole that softens every landing on hard-packed ground</li></ul>"
    "<h2>Reviews</h2><p>4.6 out of 5 stars from 212 reviews</p></main>",
    _ld({"@type": "Product", "name": "Trail Runner 3", "offers": {"@type": "Offer", "price": "129.99"}})
    + "<meta property='og:type' content='product'>",
    title="Trail Runner 3 shoe | Example Outdoor Store",
)

POST = ("<div class='post'><div class='post-author'>{user}</div><div class='post-meta'>Joined: 2019</div>"
        "<div class='post-body'><p>{text}</p></div><a href='#'>Reply</a> <a href='#'>Quote</a></div>")
FORUM = _html(
    "<main><h1>Which tent for a week in the Alps?</h1>"
    + "".join(POST.format(user=u, text=t) for u, t in [
        ("hikerjo", "I am planning a week in the Alps in July and cannot decide between a light tent and a sturdy "
                    "one that handles storms. What do you all use up there?"),
        ("alpine_mark", "Go for the sturdy one. Afternoon storms above the tree line are no joke and a light tent "
                        "will flap all night long in the wind."),
        ("sue_k", "I used a two-pole dome for years and it never let me down, even in hail storms near Chamonix "
                  "last summer when everyone else packed up."),
        ("hikerjo", "Thanks everyone, I will take the dome and accept the extra weight in my pack for the trip."),
    ]) + "</main>",
    _ld({"@type": "DiscussionForumPosting", "headline": "Which tent for a week in the Alps?",
         "author": {"@type": "Person", "name": "hikerjo"}}),
    title="Which tent for a week in the Alps? - Hiking Forum",
)

TEASER = ("<div class='card'><h3><a href='/2025/06/{n}/story-{n}'>Council approves new budget for schools and roads "
          "number {n}</a></h3><p>Short teaser text.</p></div>")
LISTING = _html(
    "<main><h1>News</h1>" + "".join(TEASER.format(n=n) for n in range(1, 25))
    + "<a href='?page=2'>Next</a> <a href='?page=2'>2</a> <a href='?page=3'>3</a></main>",
    "<meta property='og:type' content='website'>", title="News | The Courier",
)

LIVE = _html(
    f"<article><h1>Election night: live updates</h1>{STORY}</article>",
    _ld({"@type": "LiveBlogPosting", "headline": "Election night: live updates",
         "coverageStartTime": "2025-06-12T18:00:00Z"}),
)


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (ARTICLE, "https://news.example.com/2025/06/12/reservoir-levels-fall-to-a-record-low", "article"),
        (PRODUCT, "https://shop.example.com/products/trail-runner-3", "product"),
        (FORUM, "https://forum.example.com/t/which-tent-for-a-week-in-the-alps/123", "forum"),
        (LISTING, "https://news.example.com/news", "listing"),
        (LIVE, "https://news.example.com/2025/06/12/election-night-live", "liveblog"),
    ],
)
def test_page_types(html: str, url: str, expected: str) -> None:
    article = clean(html, url)
    assert article.page_type == expected
    assert article.page_type in PAGE_TYPES


def test_every_golden_article_is_an_article() -> None:
    from tests.conftest import GOLDEN  # noqa: PLC0415

    for case in sorted(GOLDEN.glob("*/*/page.html")):
        meta = json.loads((case.parent / "meta.json").read_text(encoding="utf-8"))
        assert clean(case.read_bytes(), meta["url"]).page_type == "article", case.parent.name


def test_is_article_and_the_drop_reason() -> None:
    assert is_article({"page_type": "article"}) and is_article({})  # records from before page types
    assert not is_article({"page_type": "listing"})
    assert not_article_reason({"page_type": "product"}) == "not-article: product"
    assert not_article_reason({"page_type": "article"}) is None


def _outputs(out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    articles, errors = [], []
    for path in sorted(out.glob("*.jsonl")):
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        (errors if path.name.endswith(".errors.jsonl") else articles).extend(lines)
    return articles, errors


def test_reclean_writes_non_articles_as_errors_unless_kept(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "story.html").write_text(ARTICLE, encoding="utf-8")
    (src / "shoe.html").write_text(PRODUCT, encoding="utf-8")
    summary = run([str(src)], tmp_path / "out", jobs=1, job=CleanJob(min_words=10))
    assert summary.total.articles == 1 and dict(summary.total.errors) == {"not-article-product": 1}
    articles, errors = _outputs(tmp_path / "out")
    assert [a["page_type"] for a in articles] == ["article"]
    assert errors[0]["stage"] == "validate" and errors[0]["reason"] == "not-article-product"
    assert errors[0]["source"]["file"].endswith("shoe.html")
    kept = run([str(src)], tmp_path / "kept", jobs=1, job=CleanJob(min_words=10, keep_non_articles=True))
    assert kept.total.articles == 2 and not kept.total.errors


def test_page_signals_count_the_page_as_one_walk_of_it_would() -> None:
    """Words are counted per text node: an element's own text and its children's tails, not the text
    of scripts, styles or an svg itself (an svg's children's are); link words are those inside links."""
    page = parse_html(
        "<html><head><title>t</title><script>var hidden = 1;</script></head><body>"
        "<nav><a href='/'>Home page</a> <a href='/news'>2</a></nav>"
        "<div class='card x'>one two <i>three</i> <b>four</b> five</div><div class='card'>six</div>"
        "<p>" + " ".join(["word"] * 30) + " <a href='tel:+100'>call us now please</a></p>"
        "<svg>ignored<text>drawn</text></svg><script>var also = 'not counted';</script>"
        "<button>Get started</button><input type='checkbox'><input type='text'><input type='hidden'>"
        "<span>€ 12,00</span><h2>Pricing</h2><pre>code</pre><p><code>inline</code></p><time>today</time>"
        "</body></html>")
    s = page_signals(page)
    # Home page, 2, one two three four five, six, 30 words, call us now please, drawn, Get started,
    # 12 00, Pricing, code, inline, today
    assert s.words == 2 + 1 + 5 + 1 + 30 + 4 + 1 + 2 + 2 + 1 + 1 + 1 + 1
    assert s.link_words == 2 + 1 + 4
    assert (s.chrome_links, s.pagination, s.phone_links, s.teasers) == (2, 1, 1, 0)
    assert (s.paragraph_words, s.main_share) == (34, 1.0)
    assert (s.repeated, s.calls_to_action, s.filters, s.inputs) == (2, 1, 1, 1)
    assert (s.prices, s.service_marks, s.headings, s.code_blocks, s.time_elements) == (1, 1, 1, 1, 1)
