"""Architecture checks: scraper/ never imports Scrapy or Twisted, and the public API is exact."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import scraper

PACKAGE = Path(scraper.__file__).parent


def test_core_never_imports_scrapy_or_twisted() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("scrapy", "twisted")]
    assert not offenders


def test_public_api_is_exactly_all() -> None:
    names = {n for n in dir(scraper) if not n.startswith("_")}
    public = {n for n in names if not isinstance(getattr(scraper, n), types.ModuleType)} - {"annotations"}
    # `clean` is both a submodule and the re-exported function; the function wins.
    assert public == set(scraper.__all__) - {"__version__"}
    assert callable(scraper.clean)


def test_package_ships_type_marker_and_rules() -> None:
    assert (PACKAGE / "py.typed").exists()
    assert (PACKAGE / "profiles" / "_global.toml").exists()
