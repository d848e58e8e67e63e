"""Catastrophic regular expressions: the shapes that backtrack exponentially are found, the rest pass."""

from __future__ import annotations

import re

import pytest

from scraper.backtrack import catastrophic
from scraper.profiles import default_registry

REFUSED = [r"(a+)+$", r"(x+x+)+y", r"(.*a){20}", r"(?:[a-z]+\s?)+$", r"(?:a*)*b", r"((ab)*)*c", r"(?:a|aa)+$",
           r"(a|a)*b", r"(?:x|xy|xyz)+$", r"(a|b|ab)*c", r"(?:a?b?)+c", r"(?:\w+)+!"]
PASSED = [r"(\w|\d)+", r"(?:\s|\W)*x", r"(a{1,3}){1,3}", r"(?:ab|ac)+", r"a++b", r"(?>a+)+", r"(?:foo|bar)+",
          r"(?:\d+\.)*\d+", r"(\w+\s+)+$", r"(?: [A-Z][\w.'-]+){0,3}", r"^\W*(?:share this)[\s:.!?…»›>→|]*$",
          r"(?:a++)+b"]


@pytest.mark.parametrize("pattern", REFUSED)
def test_exponential_shapes_are_named(pattern: str) -> None:
    assert catastrophic(pattern, re.IGNORECASE) is not None


@pytest.mark.parametrize("pattern", PASSED)
def test_linear_shapes_pass(pattern: str) -> None:
    assert catastrophic(pattern, re.IGNORECASE) is None


def test_every_packaged_rule_passes() -> None:
    registry = default_registry()
    rules = list(registry.global_rules.rules) + [r for p in registry for r in p.rules.rules]
    patterns = [r.regex.pattern for r in rules if r.regex is not None]
    assert len(patterns) >= 20
    assert [p for p in patterns if catastrophic(p, re.IGNORECASE)] == []
