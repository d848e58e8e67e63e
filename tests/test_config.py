"""CleanOptions: defaults, overlay from a TOML file, and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper import DEFAULT_OPTIONS, CleanOptions, load_options
from scraper.errors import OptionsError


def test_file_overlays_only_the_keys_it_names(tmp_path: Path) -> None:
    path = tmp_path / "opts.toml"
    path.write_text("[clean]\nmax_elements = 5000\nguard_ratio = 0.3\n", encoding="utf-8")
    options = load_options(path)
    assert options.max_elements == 5000
    assert options.guard_ratio == 0.3
    assert options.max_bytes == DEFAULT_OPTIONS.max_bytes


@pytest.mark.parametrize(
    ("text", "message"),
    [("colour = 1\n", "unknown option 'colour'"), ("max_elements = 'many'\n", "must be int"),
     ("favor_precision = 1\n", "must be bool"), ("max_bytes = true\n", "must be int")],
)
def test_bad_files_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "opts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OptionsError, match=message):
        load_options(path)


def test_missing_file_is_an_options_error(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="cannot read"):
        load_options(tmp_path / "nope.toml")


def test_values_are_range_checked() -> None:
    with pytest.raises(OptionsError, match="between 0 and 1"):
        CleanOptions(guard_ratio=2.0)
    with pytest.raises(OptionsError, match=">= 0"):
        CleanOptions(max_bytes=-1)
