"""Stories across crawl runs: a second run over a site that republishes the first run's articles gives its
copies the first run's story ids; a distributed crawl (two processes, one real Redis) finds the same stories
as one process; copies can be dropped instead of written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import redis

from scraper.stories.bulk import story_lines
from scraper.stories.redis_store import PREFIX
from scraper.stories.sqlite_store import SQLiteStore
from tests.integration.test_crawl import CASES


def _articles(out: Path) -> list[dict[str, Any]]:
    files = sorted((out / "articles").glob("news-*[0-9a-f].jsonl"))
    assert files, f"no articles file in {out}"
    return [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines()]


def _slug(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def _clusters(articles: list[dict[str, Any]]) -> set[frozenset[str]]:
    """The stories as sets of URL paths (``news/<slug>``, ``republished/<slug>``)."""
    groups: dict[str, set[str]] = {}
    for article in articles:
        groups.setdefault(article["story"]["id"], set()).add("/".join(article["url"].rsplit("/", 2)[-2:]))
    return {frozenset(g) for g in groups.values()}


def test_a_later_run_gives_republished_copies_the_first_runs_story_ids(mockserver, crawl, tmp_path) -> None:  # type: ignore[no-untyped-def]
    history = tmp_path / "state" / "history.sqlite3"
    first = crawl({"feed": mockserver.url("/feed.xml")},
                  {"SCRAPER_HISTORY": str(history), "SCRAPER_OUTPUT_DIR": str(tmp_path / "run1")})
    assert first.returncode == 0, first.log[-3000:]
    assert (tmp_path / "state" / "stories.sqlite3").is_file(), "the index lives next to the crawl history"
    originals = {_slug(a["url"]): a for a in _articles(tmp_path / "run1")}
    assert set(originals) == set(CASES)
    # The aggregator and the blog that rewrote its story (the seed pair's shape) are one story already. A
    # record carries its relation as placed when it was written: the blog is "original" if the crawl met it
    # first; the index then makes the aggregator (earlier, and credited by the blog) the story's original.
    aggregator, blog = originals["aggregator-ai-promo"], originals["blog-bio-reply-form"]
    assert blog["story"]["id"] == aggregator["story"]["id"]
    assert aggregator["story"]["relation"] == "original" and blog["story"]["relation"] in ("rewrite", "original")
    store = SQLiteStore(tmp_path / "state" / "stories.sqlite3")
    try:
        line = next(x for x in story_lines(store) if x["story"] == blog["story"]["id"])
    finally:
        store.close()
    assert line["original"]["url"] == aggregator["url"] and line["attributed"]
    assert {m["url"]: m["relation"] for m in line["members"]}[blog["url"]] == "rewrite"
    second = crawl({"feed": mockserver.url("/republish-feed.xml")},
                   {"SCRAPER_HISTORY": str(history), "SCRAPER_OUTPUT_DIR": str(tmp_path / "run2")})
    assert second.returncode == 0, second.log[-3000:]
    copies = _articles(tmp_path / "run2")
    assert {_slug(c["url"]) for c in copies} == set(CASES)
    for copy in copies:
        original = originals[_slug(copy["url"])]
        assert copy["story"]["id"] == original["story"]["id"], copy["url"]
        assert copy["story"]["relation"] in ("copy", "rewrite"), (copy["url"], copy["story"])
        assert copy["story"]["original"]["url"] in {a["url"] for a in originals.values()}
    assert sum(c["story"]["relation"] == "copy" for c in copies) >= len(CASES) - 1
    assert second.stat("scraper/stories/copy") >= len(CASES) - 1


def test_copies_of_known_stories_can_be_dropped(mockserver, crawl, tmp_path) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "stories.sqlite3"
    first = crawl({"feed": mockserver.url("/feed.xml")}, {"SCRAPER_STORIES": str(index),
                                                          "SCRAPER_OUTPUT_DIR": str(tmp_path / "run1")})
    assert first.returncode == 0
    second = crawl({"feed": mockserver.url("/republish-feed.xml")},
                   {"SCRAPER_STORIES": str(index), "SCRAPER_STORY_DROP": "duplicate,copy",
                    "SCRAPER_OUTPUT_DIR": str(tmp_path / "run2")})
    errors = [json.loads(line) for f in (tmp_path / "run2" / "articles").glob("*.errors.jsonl")
              for line in f.read_text(encoding="utf-8").splitlines()]
    dropped = [e for e in errors if e["error"] == "KnownStoryError"]
    assert len(dropped) >= len(CASES) - 1
    assert all(e["stage"] == "dedupe" and e["reason"] in ("duplicate", "copy") for e in dropped)
    assert "a copy of http://127.0.0.1" in dropped[0]["message"]
    kept = _articles(tmp_path / "run2")
    assert all(a["story"]["relation"] not in ("duplicate", "copy") for a in kept)
    assert second.returncode == 0


def test_a_bad_story_setting_stops_the_crawl_naming_it(mockserver, crawl) -> None:  # type: ignore[no-untyped-def]
    result = crawl({"feed": mockserver.url("/feed.xml")}, {"SCRAPER_STORY_DROP": "copies"})
    assert result.returncode == 2 and "Traceback" not in result.log
    assert "SCRAPER_STORY_DROP='copies': 'copies' is not one of duplicate, copy, rewrite" in result.log


def test_a_distributed_crawl_finds_the_same_stories_as_one_process(mockserver, crawl, crawls, redis_url,  # type: ignore[no-untyped-def]
                                                                   tmp_path) -> None:
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{PREFIX}:*"))
    if keys:
        client.delete(*keys)  # other tests' crawls shared this server's index
    client.close()
    feeds = [mockserver.url("/feed.xml"), mockserver.url("/republish-feed.xml")]
    single = crawl({"feed": ",".join(feeds)}, {"SCRAPER_STORIES": str(tmp_path / "one.sqlite3"),
                                               "SCRAPER_OUTPUT_DIR": str(tmp_path / "one")})
    assert single.returncode == 0, single.log[-3000:]
    settings = {"SCRAPER_REDIS_URL": redis_url, "SCRAPER_CRAWL_ID": "stories", "SCRAPER_CLEAN_WORKERS": "1"}
    results = crawls(({"feed": feeds[0]}, settings), ({"feed": feeds[1]}, settings))
    for result in results:
        assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
    together = [a for r in results for a in r.articles]
    assert len(together) == 2 * len(CASES)
    alone = _articles(tmp_path / "one")
    assert _clusters(together) == _clusters(alone)
    assert max(len(c) for c in _clusters(alone)) >= 4, "the aggregator, the blog and their republished copies"
