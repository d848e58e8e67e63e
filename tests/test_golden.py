"""Golden cases: every saved page cleans to its reviewed expected output, field by field.

Regenerate with ``scraper golden update`` (or ``make golden``) and review the diff; never hand-edit.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from scraper import default_registry
from scraper.golden import Case, discover, render_json, run_case
from tests.conftest import GOLDEN

CASES = discover(GOLDEN)
FIELDS = [
    "url", "canonical_url", "site_name", "title", "authors", "agencies", "published", "modified", "language",
    "language_source", "description", "categories", "tags", "image", "paywalled", "page_type", "text",
    "word_count", "content_hash",
    "removed", "profile", "schema_version", "encoding", "warnings",
]
# Mission-named blocks: none may appear in any golden output, whatever the page.
GLOBAL_MUST_NOT = [
    "Try Our AI Features", "Explore what", "Hashtags", "No comments yet", "Leave a Reply",
    "Your email address will not be published", "Required fields are marked", "View all posts by",
    "Related Articles", "You may also like", "You might also like", "Sign up for our", "Subscribe to our newsletter",
    "Follow him on Twitter", "Follow her on Twitter", "Share on Facebook", "Read more", "READ MORE",
    "Advertisement", "Load more comments",
]

_results: dict[str, dict[str, Any]] = {}


def _result(case: Case) -> dict[str, Any]:
    if case.id not in _results:
        _results[case.id] = run_case(case)
    return _results[case.id]


def _expected(case: Case) -> dict[str, Any]:
    return json.loads(case.expected_path.read_text(encoding="utf-8"))


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("field", FIELDS)
def test_field_matches_expected(case: Case, field: str) -> None:
    expected = _expected(case)
    if "error" in expected:
        assert _result(case).get("error") == expected["error"]
        return
    assert _result(case).get(field) == expected.get(field), f"{case.id}: field {field!r} changed"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_must_contain_and_must_not_contain(case: Case) -> None:
    text = _result(case).get("text", "")
    missing = [s for s in case.meta["must_contain"] if s not in text]
    leaked = [s for s in case.meta["must_not_contain"] + GLOBAL_MUST_NOT if s in text]
    assert not missing, f"{case.id}: body sentences lost: {missing}"
    assert not leaked, f"{case.id}: boilerplate kept: {leaked}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_no_line_matches_a_global_line_rule(case: Case) -> None:
    rules = default_registry().global_rules.of_kind("drop_line", "cut_after")
    lines = [line for line in _result(case).get("text", "").split("\n") if line.strip()]
    hits = [(r.id, line) for r in rules for line in lines if r.regex is not None and r.regex.match(line)]
    assert not hits


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_files_are_well_formed(case: Case) -> None:
    raw = case.expected_path.read_text(encoding="utf-8")
    data = json.loads(raw)
    assert raw == render_json(data), "expected file must be canonical JSON (sorted keys, indent 2)"
    assert set(case.meta) <= {"url", "fetched_at", "encoding", "notes", "must_contain", "must_not_contain", "nullable"}
    assert case.meta["must_contain"] and case.meta["must_not_contain"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_[a-z0-9-]+", case.path.name)
    if "error" not in data:
        empty = {k for k, v in data.items() if v in (None, "", [], {})} - {"warnings", "profile", "removed", "agencies"}
        unexpected = sorted(empty - set(case.meta["nullable"]))
        assert not unexpected, f"unexpected empty fields: {unexpected}"


def test_every_case_domain_has_a_folder_name_matching_its_url() -> None:
    for case in CASES:
        assert case.path.parent.name in case.meta["url"]
