"""Architecture checks: scraper/ never imports Scrapy or Twisted, the cleaner never imports crawl modules,
and the public API is exact."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import scraper

PACKAGE = Path(scraper.__file__).parent


def _imports(path: Path) -> list[str]:
    """Every module a file imports (at any depth: lazy imports inside functions count too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_core_never_imports_scrapy_or_twisted() -> None:
    offenders = [f"{path.name}: {n}" for path in PACKAGE.rglob("*.py") for n in _imports(path)
                 if n.split(".")[0] in ("scrapy", "twisted")]
    assert not offenders


def test_the_cleaner_and_recleaner_never_import_crawl_modules() -> None:
    # scraper/crawl/ (discovery, plan, history, Redis state, address policy) serves the crawl only; the
    # rest of scraper/ is what `pip install` users re-clean with, and must work without it.
    core = [p for p in PACKAGE.rglob("*.py") if "crawl" not in p.relative_to(PACKAGE).parts]
    assert len(core) >= 10
    offenders = [f"{path.relative_to(PACKAGE)}: {n}" for path in core for n in _imports(path)
                 if n == "scraper.crawl" or n.startswith("scraper.crawl.")]
    assert not offenders
    assert (PACKAGE / "crawl" / "discovery.py").exists(), "the crawl modules live in scraper/crawl/"


def test_public_api_is_exactly_all() -> None:
    names = {n for n in dir(scraper) if not n.startswith("_")}
    public = {n for n in names if not isinstance(getattr(scraper, n), types.ModuleType)} - {"annotations"}
    # `clean` is both a submodule and the re-exported function; the function wins.
    assert public == set(scraper.__all__) - {"__version__"}
    assert callable(scraper.clean)


def test_package_ships_type_marker_and_rules() -> None:
    assert (PACKAGE / "py.typed").exists()
    assert (PACKAGE / "profiles" / "_global.toml").exists()
