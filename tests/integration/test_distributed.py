"""Distributed crawling: several crawl processes share one crawl through a real Redis server."""

from __future__ import annotations

import time

import redis

from scraper.crawl.shared import BUSY_SECONDS, SharedCrawl, key_prefix
from tests.integration.test_crawl import CASES

FEED = "/gen-feed.xml?n={n}"


def _settings(redis_url: str, crawl_id: str) -> dict[str, str]:
    return {"SCRAPER_REDIS_URL": redis_url, "SCRAPER_CRAWL_ID": crawl_id, "SCRAPER_CLEAN_WORKERS": "1"}


def _urls(results) -> list[str]:
    return [a["url"] for r in results for a in r.articles]


def test_two_processes_share_one_crawl_each_article_once(mockserver, crawls, redis_url) -> None:
    # About 10 pages/s per process, so that the crawl outlasts the start-up of either process (seconds on
    # a fresh checkout) and both take part.
    slow = {"DOWNLOAD_DELAY": "0.1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    job = ({"feed": mockserver.url(FEED.format(n=120))}, {**_settings(redis_url, "share"), **slow})
    results = crawls(job, job)
    for r in results:
        assert r.returncode == 0 and "Traceback" not in r.log, r.log[-3000:]
        assert "'finish_reason': 'finished'" in r.log
    urls = _urls(results)
    assert sorted(urls) == sorted(mockserver.url(f"/gen/{i}") for i in range(120)), "every article exactly once"
    assert all(r.articles for r in results), "both processes did part of the work"
    # Only one process fetched the feed (the shared request fingerprints); the other waited for requests.
    assert sum(r.stat("scraper/distributed/waited_for_others") > 0 for r in results) >= 1


def test_an_article_found_by_two_processes_through_different_feeds_is_fetched_once(
        mockserver, crawls, redis_url) -> None:
    settings = _settings(redis_url, "overlap")
    results = crawls(({"feed": mockserver.url("/feed.xml")}, settings),
                     ({"feed": mockserver.url("/atom.xml")}, settings))
    urls = _urls(results)
    assert len(urls) == len(set(urls))
    assert {u.rsplit("/", 1)[1] for u in urls} == set(CASES)
    assert sum(r.stat("downloader/response_count") for r in results) >= len(urls) + 2  # both feeds were read


def test_max_articles_caps_the_whole_crawl(mockserver, crawls, redis_url) -> None:
    settings = _settings(redis_url, "capped")
    results = crawls(({"feed": mockserver.url(FEED.format(n=100)), "max_articles": "30"}, settings),
                     ({"feed": mockserver.url(FEED.format(n=100) + "&again=1"), "max_articles": "30"}, settings))
    assert len(_urls(results)) == 30


def test_a_distributed_crawl_needs_a_crawl_id(mockserver, crawl, redis_url) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml")}, {"SCRAPER_REDIS_URL": redis_url})
    assert result.returncode == 2 and "Traceback" not in result.log
    assert "scrapy: SCRAPER_CRAWL_ID='': SCRAPER_REDIS_URL needs a crawl id" in result.log


def test_an_unreachable_redis_stops_the_crawl_at_start_naming_it(mockserver, crawl, tmp_path) -> None:
    result = crawl({"feed": mockserver.url("/feed.xml")},
                   {"SCRAPER_REDIS_URL": f"unix://{tmp_path}/no-redis.sock", "SCRAPER_CRAWL_ID": "down"})
    assert result.returncode == 1 and "Traceback" not in result.log
    assert f"scrapy: crawl news: Redis at unix://{tmp_path}/no-redis.sock: Error 2 connecting to" in result.log
    assert not (result.out / "articles").exists() or not list((result.out / "articles").glob("*.jsonl"))


def test_shared_state_claims_once_and_sees_other_busy_processes(redis_url) -> None:
    first, second = SharedCrawl(redis_url, "unit", "a:1"), SharedCrawl(redis_url, "unit", "b:2")
    assert first.claim("https://example.com/x?utm_source=feed")
    assert not second.claim("https://example.com/x#top")
    assert not second.others_busy()
    first.beat()
    assert second.others_busy() and not first.others_busy()
    first.rest()
    assert not second.others_busy()
    assert [first.count_scheduled(), second.count_scheduled()] == [1, 2]
    first.expire(60)
    assert 0 < redis.Redis.from_url(redis_url).ttl(f"{key_prefix('unit')}:articles") <= 60
    first.close()
    second.close()


def test_a_process_that_stopped_beating_is_not_waited_for(redis_url) -> None:
    shared = SharedCrawl(redis_url, "stale", "a:1")
    client = redis.Redis.from_url(redis_url)
    client.hset(shared.key("busy"), "dead:9", time.time() - BUSY_SECONDS - 1)  # died mid-crawl
    assert not shared.others_busy()
    client.hset(shared.key("busy"), "alive:8", time.time())
    assert shared.others_busy()
    shared.close()
    client.close()
