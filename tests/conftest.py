"""Shared fixtures: paths to hand-written fixture pages and a helper to build small pages."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures.fixture_crawl"]

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"

# Paragraphs long enough that trafilatura treats a page as an article.
BODY = [
    "The regional water authority confirmed on Monday that reservoir levels had fallen to their lowest point "
    "since records began in 1976, after the driest spring in half a century.",
    "Engineers said the main reservoir north of the city held just 38 percent of its capacity, compared with "
    "an average of 71 percent for the time of year, and warned that restrictions could follow in July.",
    "Farmers in the valley have already cut irrigation by a fifth, according to the regional agriculture "
    "union, which has asked the government for emergency support for growers of fruit and vegetables.",
    "The authority plans to reopen two disused boreholes and to speed up repairs to leaking pipes, which it "
    "says lose almost a quarter of the treated water before it reaches homes and businesses.",
]


def page(*parts: str, title: str = "Reservoir levels fall to a record low", head: str = "") -> str:
    """A small article page: the body paragraphs, then ``parts`` (raw HTML) inside the article."""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in BODY)
    extra = "\n".join(parts)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><div class='top'><a href='/'>Home</a> <a href='/news'>News</a></div>"
        f"<div class='main'><h1>{title}</h1>\n{paragraphs}\n{extra}\n</div></body></html>"
    )


@pytest.fixture
def article_page() -> str:
    """A plain article page with no boilerplate."""
    return page()
