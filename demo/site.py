"""Render the demo news site: each story of demo/articles.toml wrapped in one of five boilerplate-heavy
layouts (aggregator with AI box and related stories, blog with bio and reply form, comment thread,
inline read-more and newsletter boxes, tag strip with share bar), as ``<slug>.html`` files."""

from __future__ import annotations

import html
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ARTICLES = Path(__file__).with_name("articles.toml")


def load_articles(path: Path = ARTICLES) -> list[dict[str, Any]]:
    """The demo stories."""
    return list(tomllib.loads(path.read_text(encoding="utf-8"))["article"])


def _head(a: dict[str, Any]) -> str:
    title = html.escape(a["title"])
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} | Demo Times</title>"
            f"<meta property='og:site_name' content='Demo Times'>"
            f"<meta property='article:published_time' content='{a['date']}'>"
            f"<meta name='author' content='{html.escape(a['author'])}'></head><body>"
            f"<div class='top'><a href='/'>Demo Times</a> <a href='/section/world'>World</a></div>")


def _body(a: dict[str, Any], inserts: dict[int, str] | None = None) -> str:
    parts = [f"<h1>{html.escape(a['title'])}</h1>"]
    for i, paragraph in enumerate(a["paragraphs"]):
        parts.append(f"<p>{html.escape(paragraph)}</p>")
        parts.append((inserts or {}).get(i, ""))
    return "".join(parts)


def _teasers(others: list[dict[str, Any]], whole: bool) -> str:
    cards = []
    for other in others:
        text = " ".join(other["paragraphs"]) if whole else ""
        cards.append(f"<div class='k'><span>2 hours ago</span><h4><a href='/news/{other['slug']}'>"
                     f"{html.escape(other['title'])}</a></h4><p>{html.escape(text)}</p></div>")
    return "".join(cards)


def aggregator(a: dict[str, Any], others: list[dict[str, Any]]) -> str:
    """Seed-001 shape: hashtags, 'Try Our AI Features', an empty comment box, whole related stories."""
    return (_head(a) + "<div class='c1'>" + _body(a) + "</div>"
            "<div class='c2'><h3>Hashtags</h3></div>"
            "<div class='c3'><h3>Try Our AI Features</h3><p>Explore what Demo AI can do for you:</p>"
            "<a href='/ai'>Summarise</a></div><div class='c4'><h3>Comments</h3><p>No comments yet...</p></div>"
            f"<div class='c5'><h2>Related Articles</h2>{_teasers(others, whole=True)}</div></body></html>")


def blog(a: dict[str, Any], others: list[dict[str, Any]]) -> str:
    """Seed-000 shape: author bio, 'View all posts by', 'Leave a Reply' form."""
    name = html.escape(a["author"])
    return (_head(a) + "<div class='e'>" + _body(a) + "<p>Original Source: demo.example</p></div>"
            f"<div class='w9'><h4>About {name}</h4><p>{name} is a reporter who has covered the city for more "
            f"than a decade, writing about transport, housing and the people who keep the city running.</p>"
            f"<a href='/author'>View all posts by {name} →</a></div>"
            "<div class='z'><h3>Leave a Reply</h3><form><p>Your email address will not be published. "
            "Required fields are marked *</p><textarea></textarea><input type='submit' value='Post Comment'>"
            "</form></div></body></html>")


def thread(a: dict[str, Any], others: list[dict[str, Any]]) -> str:
    """A live reader-comment thread after the article."""
    comments = "".join(
        f"<li><div class='who'>Reader {i}</div><p>I have followed this story for months and I think the "
        f"council has handled it badly from the start, comment number {i} of many on this page.</p>"
        f"<a href='#r{i}'>Reply</a></li>" for i in range(1, 4))
    return (_head(a) + "<main><article>" + _body(a) + "</article>"
            f"<section class='q'><h2>3 Comments</h2><ol>{comments}</ol></section></main></body></html>")


def inline(a: dict[str, Any], others: list[dict[str, Any]]) -> str:
    """Read-more box and a newsletter box between paragraphs, a READ MORE line, an ad label."""
    items = "".join(f"<li><a href='/news/{o['slug']}'>{html.escape(o['title'])}</a></li>" for o in others)
    readmore = f"<div class='b'><h4>Read more</h4><ul>{items}</ul></div>"
    newsletter = ("<div class='n'><h3>The Morning Demo</h3><p>Sign up for our free newsletter and get the "
                  "day's news in your inbox.</p><form><input type='email'><button>Subscribe</button></form></div>")
    first = others[0]
    line = f"<p>READ MORE: {html.escape(first['title'])}</p><p>Advertisement</p>"
    return _head(a) + "<div class='s'>" + _body(a, {0: readmore, 1: newsletter + line}) + "</div></body></html>"


def tagged(a: dict[str, Any], others: list[dict[str, Any]]) -> str:
    """Share bar, a tag strip and a 'You may also like' list."""
    return (_head(a) + "<div class='bar'><a href='#'>Share on Facebook</a> <a href='#'>Tweet</a></div>"
            "<div class='t'>" + _body(a) + "</div>"
            "<div class='g'><h4>Tags</h4><a href='/tag/city'>city</a> <a href='/tag/news'>news</a></div>"
            f"<div class='m'><h3>You may also like</h3>{_teasers(others, whole=False)}</div></body></html>")


LAYOUTS: list[Callable[[dict[str, Any], list[dict[str, Any]]], str]] = [aggregator, blog, thread, inline, tagged]


def render(folder: Path) -> list[str]:
    """Write every demo page into ``folder``; return their slugs."""
    folder.mkdir(parents=True, exist_ok=True)
    stories = load_articles()
    for i, story in enumerate(stories):
        others = [stories[(i + k) % len(stories)] for k in (1, 2, 3)]
        page = LAYOUTS[i % len(LAYOUTS)](story, others)
        (folder / f"{story['slug']}.html").write_text(page, encoding="utf-8")
    return [s["slug"] for s in stories]
