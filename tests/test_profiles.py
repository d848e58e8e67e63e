"""Site profiles: the packaged set is valid, host matching, and per-site rules without Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scraper import SiteProfile, clean, default_registry, load_profiles
from scraper.cli import main
from scraper.crawl.discovery import UrlRules
from scraper.crawl.plan import build_plan
from scraper.errors import ProfileError
from tests.conftest import page

ROOT = Path(__file__).resolve().parents[1]

GLOBAL = """
[[rules]]
id = "promo.try-ai"
kind = "drop_line"
phrases = ["try our ai features"]
why = "vendor promo"

[[rules]]
id = "share.line"
kind = "drop_line"
phrases = ["share this"]
why = "share label"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_profiles_load_and_have_reasons() -> None:
    registry = default_registry()
    assert len(registry.global_rules.rules) >= 20
    assert all(rule.why for rule in registry.global_rules.rules)
    categories = {rule.category for rule in registry.global_rules.rules}
    assert {"comments", "promo", "related", "newsletter", "share", "bio"} <= categories


def test_host_matching_exact_www_and_subdomains(tmp_path: Path) -> None:
    _write(tmp_path, "_global.toml", GLOBAL)
    _write(tmp_path, "example.com.toml", 'name = "Example"\n')
    _write(tmp_path, ".news.org.toml", 'name = "News group"\n')
    registry = load_profiles(tmp_path)
    assert registry.for_url("https://example.com/a").id == "example.com"  # type: ignore[union-attr]
    assert registry.for_url("https://www.example.com/a").id == "example.com"  # type: ignore[union-attr]
    assert registry.for_url("https://blog.example.com/a") is None
    assert registry.for_url("https://local.city.news.org/x").id == ".news.org"  # type: ignore[union-attr]
    assert registry.for_url(None) is None
    assert registry.get("news.org").id == ".news.org"
    with pytest.raises(ProfileError, match="no site profile"):
        registry.get("nowhere.net")


def test_site_rules_and_disabled_global_rules_apply_without_python(tmp_path: Path) -> None:
    _write(tmp_path, "_global.toml", GLOBAL)
    _write(tmp_path, "example.com.toml", """
domain = "example.com"
disable_global = ["share.line"]  # this site's "Share this" line is part of a quote feature

[[rules]]
id = "promo.site-banner"
kind = "drop_line"
phrases = ["become a friend of example"]
why = "membership pitch after every article since 2025"
""")
    registry = load_profiles(tmp_path)
    html = page("<p>Become a friend of Example</p><p>Share this</p><p>Try Our AI Features</p>")
    article = clean(html, "https://example.com/story", registry=registry)
    assert "Become a friend" not in article.text
    assert "Try Our AI Features" not in article.text
    assert "Share this" in article.text
    assert article.profile == "example.com"
    plain = clean(html, "https://other.net/story", registry=registry)
    assert "Become a friend" in plain.text and "Share this" not in plain.text


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("example.com.toml", 'domain = "other.com"\n', "does not match the file name"),
        ("example.com.toml", 'colour = "red"\n', "unknown keys"),
        ("example.com.toml", '[urls]\nallow = ["(unclosed"]\n', "bad regular expression"),
        ("example.com.toml", 'disable_global = ["promo.nope"]\n', "unknown global rules"),
        ("example.com.toml", '[seeds]\nfeedz = ["https://example.com/rss"]\n', r"unknown \[seeds\] keys \['feedz'\]"),
        ("example.com.toml", '[sources]\nfeeds = ["https://x.org/rss"]\n', r"\[sources\] table is now called"),
        ("example.com.toml", '[[rules]]\nid = "promo.try-ai"\nkind = "drop_line"\npattern = "x"\nwhy = "w"\n',
         "already defined"),
    ],
)
def test_invalid_profiles_are_reported_with_the_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    _write(tmp_path, "_global.toml", GLOBAL)
    _write(tmp_path, name, text)
    with pytest.raises(ProfileError, match=message) as info:
        load_profiles(tmp_path)
    assert name in str(info.value)


PACKAGED = list(default_registry())


def test_at_least_ten_outlets_ship_with_seeds() -> None:
    assert len(PACKAGED) >= 10


@pytest.mark.parametrize("profile", PACKAGED, ids=lambda p: p.id)
def test_packaged_profile_plans_and_accepts_its_example_urls(profile: SiteProfile) -> None:
    plan = build_plan(default_registry(), site=profile.domain)
    assert plan.seeds and all(s.url.startswith(("http://", "https://")) for s in plan.seeds)
    assert profile.examples, "every profile lists example article URLs"
    rules = UrlRules(profile.allow, profile.deny, (profile.domain,))
    for url in profile.examples:
        assert rules.is_article(url), url
    assert not rules.is_article(f"https://www.{profile.domain}/")


CATASTROPHIC = "(a+)+$"  # backtracks exponentially: 2 more characters, 4 times longer


@pytest.mark.parametrize("rule", [f'pattern = "{CATASTROPHIC}"', f'phrases = ["{CATASTROPHIC}"]'])
def test_a_rule_pattern_that_backtracks_exponentially_is_refused_naming_file_and_rule(
        tmp_path: Path, rule: str, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "_global.toml", GLOBAL)
    _write(tmp_path, "example.com.toml", f'[[rules]]\nid = "promo.stall"\nkind = "drop_line"\n{rule}\nwhy = "w"\n')
    with pytest.raises(ProfileError, match=r"example\.com\.toml: rule 'promo\.stall': refused regular expression: "
                                           r"a repeated group holds another repeat"):
        load_profiles(tmp_path)
    assert main(["profiles", "check", "--profiles", str(tmp_path)]) == 3
    page_file = _write(tmp_path / "..", "page.html", page("<p>" + "a" * 40 + "!</p>"))
    assert main(["clean", "--profiles", str(tmp_path), str(page_file)]) == 2
    assert "refused regular expression" in capsys.readouterr().err


_URL_RULES = """
import sys, time
from pathlib import Path
from scraper.crawl.discovery import UrlRules
from scraper.profiles import load_profile
profile = load_profile(Path(sys.argv[1]))
rules = UrlRules(profile.allow, profile.deny, (profile.domain,))
start = time.perf_counter()
print(rules.denied("https://example.com/" + "a" * 40 + "!"), rules.is_article("https://example.com/" + "a" * 5000))
print(time.perf_counter() - start)
"""


def test_a_catastrophic_url_pattern_is_harmless(tmp_path: Path) -> None:
    # URL patterns run on the crawl's event loop; with Python's re this call would take days (2^40 steps).
    path = _write(tmp_path, "example.com.toml", f"[urls]\nallow = ['{CATASTROPHIC}']\ndeny = ['{CATASTROPHIC}']\n")
    proc = subprocess.run([sys.executable, "-c", _URL_RULES, str(path)], capture_output=True, text=True, timeout=20,
                          check=True, cwd=ROOT)
    verdicts, seconds = proc.stdout.splitlines()
    assert verdicts == "False False" and float(seconds) < 1.0


def test_url_patterns_are_re2_and_say_so_when_they_do_not_compile(tmp_path: Path) -> None:
    _write(tmp_path, "_global.toml", GLOBAL)
    _write(tmp_path, "example.com.toml", "[urls]\nallow = ['/(?<=news)/\\\\d+']\n")
    with pytest.raises(ProfileError, match=r"example\.com\.toml: urls\.allow: bad regular expression .*RE2 syntax: no "
                                           r"backreferences or lookarounds"):
        load_profiles(tmp_path)
