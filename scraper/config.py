"""Cleaning options: one frozen object with documented defaults, overlaid from a user TOML file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from scraper.errors import OptionsError


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanOptions:
    """Every knob of ``clean()``; pass one explicitly, never mutate a global.

    Attributes:
        max_bytes: largest HTML (after gzip expansion) accepted; larger pages raise PageTooLargeError.
        max_elements: most start tags accepted; trafilatura's cost grows faster than linearly with them.
        max_attributes: most attributes one start tag may carry; the HTML parser's cost grows with the square
            of a tag's attributes (100,000 take it 25 s). Real pages stay far below: 185 at most in WCXB and AEB.
        max_page_attributes: most attributes all start tags of a page may carry together; the cleaner's time
            grows with them (625,000 on an 8 MB page: 12 s). Real pages: 39,000 at most in WCXB and AEB.
        favor_precision: trafilatura's precision mode (drops more, leaks less).
        fast_share: trafilatura's fast pass is kept when it finds at least this share of the page's
            text; otherwise its full cascade runs (1.0: always the full cascade).
        include_tables: keep table text in the article.
        min_chars: shortest article text accepted; shorter raises EmptyArticleError.
        guard_ratio: the over-pruning guard: when the rules keep less than this share of what
            trafilatura extracted, rule stages are skipped one by one until enough is kept.
        protect_ratio: a class/id or XPath rule never removes an element holding more than this share of
            the page's text or of its paragraph text (it is then the page wrapper, not a widget); a
            heading's section may hold up to 85 % (whole related stories on an aggregator page).
    """

    max_bytes: int = 8 * 1024 * 1024
    max_elements: int = 40_000
    max_attributes: int = 1_000
    max_page_attributes: int = 200_000
    favor_precision: bool = False
    fast_share: float = 0.2
    include_tables: bool = True
    min_chars: int = 25
    guard_ratio: float = 0.2
    protect_ratio: float = 0.5

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_elements", "max_attributes", "max_page_attributes", "min_chars"):
            if getattr(self, name) < 0:
                raise OptionsError(f"option {name!r} must be >= 0, got {getattr(self, name)!r}")
        for name in ("guard_ratio", "protect_ratio", "fast_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise OptionsError(f"option {name!r} must be between 0 and 1, got {getattr(self, name)!r}")


DEFAULT_OPTIONS = CleanOptions()


def options_with(base: CleanOptions, values: dict[str, Any], *, source: str = "options") -> CleanOptions:
    """Return ``base`` with ``values`` overlaid, checking names and types.

    Raises:
        OptionsError: a key is unknown or a value has the wrong type.
    """
    known = {f.name: f for f in fields(CleanOptions)}
    for key, value in values.items():
        if key not in known:
            raise OptionsError(f"{source}: unknown option {key!r}; known: {', '.join(sorted(known))}")
        expected = type(getattr(base, key))
        ok = isinstance(value, expected) and not (expected is not bool and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise OptionsError(f"{source}: option {key!r} must be {expected.__name__}, got {value!r}")
    coerced: dict[str, Any] = {k: float(v) if type(getattr(base, k)) is float else v for k, v in values.items()}
    return replace(base, **coerced)


def load_options(path: str | Path, base: CleanOptions = DEFAULT_OPTIONS) -> CleanOptions:
    """Overlay the keys present in a TOML file (top level or a ``[clean]`` table) on ``base``.

    Raises:
        OptionsError: the file is missing, not TOML, or has unknown keys or wrong types.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise OptionsError(f"{path}: cannot read options: {exc}") from exc
    return options_with(base, data.get("clean", data), source=str(path))
