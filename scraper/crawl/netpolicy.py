"""Which URLs a crawl may fetch: http(s) only, and no private, loopback or link-local addresses.

Hostile pages link to ``file:///etc/passwd``, ``http://169.254.169.254/`` or ``http://10.0.0.1/``; the
crawler refuses them unless the run explicitly allows private addresses (tests and the demo do).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})


def scheme_refusal(url: str) -> str | None:
    """Why the URL's scheme or form is refused, or None when it is fetchable."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    if not parts.hostname:
        return "URL has no host"
    return None


def address_refusal(
    addresses: Iterable[str], *, allow_private: bool = False, allow_loopback: bool = False
) -> str | None:
    """Why a host's resolved addresses are refused (any non-public one), or None.

    ``allow_loopback`` lets 127.0.0.0/8 and ::1 through (tests, the offline demo);
    ``allow_private`` lets every non-public address through (an intranet crawl).
    """
    for raw in addresses:
        try:
            ip = ipaddress.ip_address(raw.split("%", 1)[0])
        except ValueError:
            return f"unparseable address {raw!r}"
        if allow_private or (allow_loopback and ip.is_loopback):
            continue
        if ip.is_loopback:
            return f"address {ip} is loopback (SCRAPER_ALLOW_LOOPBACK=1 allows it)"
        if not ip.is_global or ip.is_multicast:
            return f"address {ip} is private, link-local or reserved (SCRAPER_ALLOW_PRIVATE=1 allows it)"
    return None


def literal_address(host: str) -> str | None:
    """The host itself when it is an IP literal (``[::1]`` unbracketed), else None."""
    candidate = host.strip("[]")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return None
    return candidate
