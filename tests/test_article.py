"""The Article record: stable key order and a lossless dict round trip."""

from __future__ import annotations

import pytest

from scraper import Article, Removal


def test_round_trip_and_key_order() -> None:
    article = Article(url="https://e.com/a", title="T", authors=("A", "B"), text="Body.",
                      removed=(Removal(rule="promo.x", kind="drop_line", chars=5),), warnings=("w",))
    data = article.to_dict()
    assert list(data)[:5] == ["url", "canonical_url", "site_name", "title", "authors"]
    assert data["removed"] == [{"rule": "promo.x", "kind": "drop_line", "chars": 5}]
    assert Article.from_dict(data) == article


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown Article keys"):
        Article.from_dict({"url": "x", "colour": "red"})


def test_article_is_frozen() -> None:
    article = Article(text="x")
    with pytest.raises(AttributeError):
        article.text = "y"  # type: ignore[misc]
