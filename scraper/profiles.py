"""Site profiles: one TOML file per site (rules, crawl seeds, URL patterns) plus ``_global.toml``.

File names follow ftr-site-config: ``example.com.toml`` matches that host and ``www.``;
``.example.com.toml`` matches every subdomain too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import re2

from scraper.errors import ProfileError
from scraper.rules import RuleSet, load_rules_file

PACKAGE_PROFILES = Path(__file__).with_name("profiles")
GLOBAL_FILE = "_global.toml"
_PROFILE_KEYS = frozenset({"domain", "name", "seeds", "urls", "disable_global", "notes"})
# [seeds] keys: where a crawl of the site starts (feeds, sitemaps, section pages, robots.txt files).
SEED_KEYS = ("feeds", "sitemaps", "news_sitemaps", "sections", "robots")


class UrlPattern(Protocol):
    """A compiled ``[urls]`` pattern. URL patterns are compiled with RE2, which matches in time linear in the
    URL whatever the pattern: the crawl applies them on its event loop, where a backtracking pattern such as
    ``(a+)+$`` blocked everything for 32 s on a 28-character URL."""

    @property
    def pattern(self) -> str: ...

    def search(self, text: str, /) -> object | None: ...


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # a bad pattern is a ProfileError, not a line from RE2 on stderr
    return options


_RE2_OPTIONS = _re2_options()


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """What we know about one site.

    Attributes:
        id: the file stem (``example.com`` or ``.example.com``).
        domain: the host the profile is for.
        name: a display name.
        seeds: where a crawl of the site starts, by ``SEED_KEYS`` key (``feeds``, ``sitemaps``, ...).
        allow/deny: regexes on article URLs (RE2 syntax: no backreferences or lookarounds).
        examples: article URLs the URL rules must accept (checked by the test suite).
        rules: the site's own rules.
        disable_global: ids of global rules this site must not use.
        path: the file the profile came from.
    """

    id: str
    domain: str
    name: str = ""
    seeds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    allow: tuple[UrlPattern, ...] = ()
    deny: tuple[UrlPattern, ...] = ()
    examples: tuple[str, ...] = ()
    rules: RuleSet = field(default_factory=RuleSet)
    disable_global: tuple[str, ...] = ()
    path: str = ""

    @property
    def subdomains(self) -> bool:
        """Whether the profile matches every subdomain of ``domain``."""
        return self.id.startswith(".")


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{path}: {key} must be a list of strings")
    return tuple(value)


def _patterns(path: Path, key: str, value: Any) -> tuple[UrlPattern, ...]:
    out = []
    for raw in _strings(path, key, value):
        try:
            out.append(re2.compile(raw, _RE2_OPTIONS))
        except re2.error as exc:
            detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
            raise ProfileError(f"{path}: {key}: bad regular expression {raw!r}: {detail} (URL patterns use RE2 "
                               "syntax: no backreferences or lookarounds)") from exc
    return tuple(out)


def load_profile(path: Path) -> SiteProfile:
    """Load and validate one site profile file.

    Raises:
        ProfileError: naming the file and the offending key or rule id.
    """
    data, rules = load_rules_file(path)
    unknown = set(data) - _PROFILE_KEYS
    if "sources" in unknown:
        raise ProfileError(f"{path}: the [sources] table is now called [seeds]")
    if unknown:
        raise ProfileError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(_PROFILE_KEYS)}")
    stem = path.name.removesuffix(".toml")
    domain = data.get("domain", stem.lstrip("."))
    if domain != stem.lstrip("."):
        raise ProfileError(f"{path}: domain {domain!r} does not match the file name {path.name!r}")
    seeds = data.get("seeds", {})
    if not isinstance(seeds, dict):
        raise ProfileError(f"{path}: [seeds] must be a table")
    if unknown_seeds := set(seeds) - set(SEED_KEYS):
        raise ProfileError(f"{path}: unknown [seeds] keys {sorted(unknown_seeds)}; allowed: {', '.join(SEED_KEYS)}")
    urls = data.get("urls", {})
    if not isinstance(urls, dict):
        raise ProfileError(f"{path}: [urls] must be a table")
    if unknown_urls := set(urls) - {"allow", "deny", "examples"}:
        raise ProfileError(f"{path}: unknown [urls] keys {sorted(unknown_urls)}; allowed: allow, deny, examples")
    return SiteProfile(
        id=stem, domain=domain, name=str(data.get("name", domain)),
        seeds={k: _strings(path, f"seeds.{k}", v) for k, v in seeds.items()},
        allow=_patterns(path, "urls.allow", urls.get("allow", [])),
        deny=_patterns(path, "urls.deny", urls.get("deny", [])),
        examples=_strings(path, "urls.examples", urls.get("examples", [])),
        rules=rules, disable_global=_strings(path, "disable_global", data.get("disable_global", [])),
        path=str(path),
    )


@dataclass(frozen=True, slots=True)
class ProfileRegistry:
    """The global rules and every site profile from one folder, validated together."""

    global_rules: RuleSet
    profiles: Mapping[str, SiteProfile]

    def __iter__(self) -> Iterator[SiteProfile]:
        return iter(self.profiles.values())

    def get(self, name: str) -> SiteProfile:
        """The profile for a domain or file stem.

        Raises:
            ProfileError: no such profile.
        """
        for key in (name, f".{name}", name.removeprefix("www.")):
            if key in self.profiles:
                return self.profiles[key]
        raise ProfileError(f"no site profile {name!r}; known: {', '.join(sorted(self.profiles)) or 'none'}")

    def for_url(self, url: str | None) -> SiteProfile | None:
        """The profile whose host matches the URL (exact, ``www.``, or a leading-dot parent)."""
        host = (urlsplit(url).hostname or "").lower() if url else ""
        if not host:
            return None
        bare = host.removeprefix("www.")
        if bare in self.profiles:
            return self.profiles[bare]
        parts = host.split(".")
        for i in range(len(parts) - 1):
            candidate = "." + ".".join(parts[i:])
            if candidate in self.profiles:
                return self.profiles[candidate]
        return None

    def rules_for(self, profile: SiteProfile | None) -> RuleSet:
        """Global rules (less those the profile disables) followed by the profile's own rules."""
        if profile is None:
            return self.global_rules
        return self.global_rules.without(profile.disable_global) + profile.rules


def _check_disabled(registry_rules: RuleSet, profiles: Sequence[SiteProfile]) -> None:
    known = set(registry_rules.ids)
    for profile in profiles:
        missing = [rid for rid in profile.disable_global if rid not in known]
        if missing:
            raise ProfileError(f"{profile.path}: disable_global names unknown global rules {missing}")


def load_profiles(directory: str | Path = PACKAGE_PROFILES) -> ProfileRegistry:
    """Load ``_global.toml`` and every ``*.toml`` profile from a folder.

    Raises:
        ProfileError: any file is invalid, or rule ids repeat across files.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ProfileError(f"{directory}: profiles folder not found")
    global_path = directory / GLOBAL_FILE
    _, global_rules = load_rules_file(global_path) if global_path.exists() else ({}, RuleSet())
    profiles = [load_profile(p) for p in sorted(directory.glob("*.toml")) if p.name != GLOBAL_FILE]
    _check_disabled(global_rules, profiles)
    for profile in profiles:
        _ = global_rules + profile.rules  # raises on an id that repeats a global rule
    return ProfileRegistry(global_rules, {p.id: p for p in profiles})


@functools.lru_cache(maxsize=8)
def default_registry(directory: str | None = None) -> ProfileRegistry:
    """The registry of the packaged profiles (or of ``directory``), loaded once per process."""
    return load_profiles(directory or PACKAGE_PROFILES)
