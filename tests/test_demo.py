"""The demo site: every page cleans to exactly its story, with no boilerplate left."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.run import MISSION
from demo.site import load_articles, render
from scraper import clean

STORIES = load_articles()


def test_there_are_at_least_twenty_demo_stories() -> None:
    assert len(STORIES) >= 20
    assert len({s["slug"] for s in STORIES}) == len(STORIES)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-site")
    render(folder)
    return folder


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s["slug"])
def test_demo_page_cleans_to_its_story(site: Path, story: dict) -> None:
    article = clean((site / f"{story['slug']}.html").read_bytes(), f"http://127.0.0.1/news/{story['slug']}")
    assert article.title == story["title"]
    assert article.published == story["date"]
    for paragraph in story["paragraphs"]:
        assert paragraph in article.text
    assert [m for m in MISSION if m in article.text] == []
