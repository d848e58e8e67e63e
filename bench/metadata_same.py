"""Prove a metadata change keeps its outputs: dump every page's PageMeta and page features, compare later.

Usage:
    python bench/metadata_same.py dump OUT.json DATASET [DATASET ...]
    python bench/metadata_same.py compare OUT.json

``dump`` runs every page of each data set (all page types) through the steps of ``scraper.clean``
(decode, limits, rules, ``_run``: parse, ``read_page_meta``, trafilatura, verdicts) and writes, per
page, every field of the ``PageMeta`` (``signals`` included) and the ``page_features`` that
``classify_page`` weighs, with the page type. ``read_page_meta`` gets one fixed ``now`` (stored in the
file), so a dump made on another day compares equal. ``compare`` recomputes the same with the current
code and that ``now`` and prints every difference (floats equal within 1e-9); it exits 1 on any.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib
import json
import math
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import Page, iter_pages

from scraper import metadata
from scraper.config import DEFAULT_OPTIONS
from scraper.errors import ScraperError
from scraper.pagetype import classify_page, page_features

# the module, not the function scraper/__init__.py exports under the same name
clean_module = importlib.import_module("scraper.clean")

_TOLERANCE = 1e-9


def _record(page: Page, now: dt.datetime) -> dict[str, Any]:
    """What ``clean`` computes for the page's metadata and page type (private steps of clean.py)."""
    c = clean_module
    original = c.read_page_meta  # type: ignore[attr-defined]
    c.read_page_meta = functools.partial(metadata.read_page_meta, now=now)  # type: ignore[attr-defined]
    try:
        decoded = c._decode(page.html, None, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
        c._check_markup(decoded.text, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
        rules, _ = c._resolve_rules(page.url, None, None, None)  # type: ignore[attr-defined]
        meta, outcome = c._run(decoded, page.url, rules, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
    except ScraperError as exc:
        return {"error": type(exc).__name__}
    finally:
        c.read_page_meta = original  # type: ignore[attr-defined]
    return {
        "meta": asdict(meta),
        "features": page_features(meta, outcome.blocks, page.url),
        "page_type": classify_page(meta, outcome.blocks, page.url),
    }


def _meta_only(page: Page, now: dt.datetime) -> dict[str, Any]:
    """The page's ``PageMeta`` alone (parse and ``read_page_meta``, no trafilatura): the quick check."""
    c = clean_module
    try:
        decoded = c._decode(page.html, None, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
        c._check_markup(decoded.text, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
        tree = c.parse_html(decoded.text)
    except ScraperError as exc:
        return {"error": type(exc).__name__}
    return {"meta": asdict(metadata.read_page_meta(tree, page.url, now=now))}


def _pages(roots: list[str]) -> list[tuple[str, Page]]:
    return [(f"{Path(root).name}/{page.id}", page)
            for root in roots for page in iter_pages(Path(root), page_types=None)]


def _differences(path: str, old: Any, new: Any) -> list[str]:
    """Every place the two JSON values differ (floats within ``_TOLERANCE``)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            if key not in old or key not in new:
                out.append(f"{path}.{key}: {old.get(key, '<missing>')!r} -> {new.get(key, '<missing>')!r}")
            else:
                out += _differences(f"{path}.{key}", old[key], new[key])
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True)) for d in _differences(f"{path}[{i}]", a, b)]
    numbers = (int, float)
    if (isinstance(old, numbers) and isinstance(new, numbers) and not isinstance(old, bool)
            and not isinstance(new, bool) and type(old) is type(new)):
        return [] if math.isclose(old, new, rel_tol=0.0, abs_tol=_TOLERANCE) else [f"{path}: {old!r} -> {new!r}"]
    return [] if old == new and type(old) is type(new) else [f"{path}: {old!r} -> {new!r}"]


def main(argv: list[str] | None = None) -> int:
    """Dump or compare; 1 when ``compare`` finds a difference."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump", help="write every page's metadata and page features")
    dump.add_argument("out", help="the dump file (JSON)")
    dump.add_argument("datasets", nargs="+", help="AEB- or WCXB-layout folders")
    compare = sub.add_parser("compare", help="recompute and compare with a dump")
    compare.add_argument("dump", help="a file written by dump")
    compare.add_argument("--meta-only", action="store_true",
                         help="compare PageMeta alone (no trafilatura, no page features): a quick check")
    args = parser.parse_args(argv)
    if args.command == "dump":
        now = dt.datetime.now(dt.UTC)
        pages = {key: _record(page, now) for key, page in _pages(args.datasets)}
        Path(args.out).write_text(json.dumps({"now": now.isoformat(), "datasets": args.datasets, "pages": pages},
                                             ensure_ascii=False, sort_keys=True), encoding="utf-8")
        print(f"{len(pages)} pages written to {args.out}")
        return 0
    data = json.loads(Path(args.dump).read_text(encoding="utf-8"))
    now = dt.datetime.fromisoformat(data["now"])
    differences: list[str] = []
    seen: set[str] = set()
    meta_fields: set[str] = set()
    signal_fields: set[str] = set()
    feature_fields: set[str] = set()
    for key, page in _pages(data["datasets"]):
        new = json.loads(json.dumps((_meta_only if args.meta_only else _record)(page, now), ensure_ascii=False))
        old = data["pages"].get(key, {"error": "<not in dump>"})
        if args.meta_only:
            old = {k: v for k, v in old.items() if k in ("meta", "error")}
            if "meta" in new and "meta" not in old:  # refused after metadata: nothing to compare
                new = old
        seen.add(key)
        meta_fields |= set(new.get("meta", {}))
        signal_fields |= set(new.get("meta", {}).get("signals") or {})
        feature_fields |= set(new.get("features", {}))
        differences += _differences(key, old, new)
    differences += [f"{key}: in the dump, not in the data set" for key in sorted(set(data["pages"]) - seen)]
    for line in differences:
        print(line)
    errors = sum(1 for key in seen if "error" in data["pages"].get(key, {}))
    print(f"{len(seen)} pages compared ({errors} of them errors before metadata): {len(meta_fields)} PageMeta fields "
          f"(signals: {len(signal_fields)} counts), {len(feature_fields)} page_features, page_type; "
          f"{len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
