"""Which URLs a crawl may fetch: http(s) only, and no private, loopback or link-local addresses.

Hostile pages link to ``file:///etc/passwd``, ``http://169.254.169.254/`` or ``http://10.0.0.1/``; the
crawler refuses them unless the run explicitly allows private addresses (tests and the demo do).
"""

from __future__ import annotations

import ipaddress
import threading
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


# IPv6 prefixes that carry an IPv4 address in their last 32 bits, and the name of each form (IPv4-mapped
# addresses are read by ``ipv4_mapped``; 6to4, 2002::/16, carries it in bits 16-48 and is read by ``sixtofour``).
_EMBEDDING = ((ipaddress.ip_network("::/96"), "IPv4-compatible"), (ipaddress.ip_network("64:ff9b::/96"), "NAT64"))
# Ranges that are not ordinary public unicast space, listed here as well so that the verdict does not depend on
# the Python release (the standard library's lists grew in 3.12.4 and 3.13): IANA's special-purpose registries.
_SPECIAL = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "fc00::/7",
    "fe80::/10", "fec0::/10", "ff00::/8",
))
# Global anycast services inside 192.0.0.0/24 (RFC 7723, RFC 8155).
_GLOBAL_EXCEPTIONS = (ipaddress.ip_address("192.0.0.9"), ipaddress.ip_address("192.0.0.10"))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded(ip: Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 address, and the form's name."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    for network, form in _EMBEDDING:
        if ip in network and int(ip) > 1:  # :: and ::1 are IPv6's own unspecified and loopback addresses
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), form
    return None


def _special(ip: Address) -> bool:
    """Whether the address is anything but ordinary public unicast: private, reserved, link- or site-local,
    multicast, unspecified, documentation, or outside what the standard library calls global."""
    if ip in _GLOBAL_EXCEPTIONS:
        return False
    return (any(ip in network for network in _SPECIAL if network.version == ip.version) or not ip.is_global
            or ip.is_private or ip.is_reserved or ip.is_link_local or ip.is_multicast or ip.is_unspecified)


def _refusal(ip: Address, allow_loopback: bool) -> str | None:
    if allow_loopback and ip.is_loopback:
        return None
    if ip.is_loopback:
        return f"address {ip} is loopback (SCRAPER_ALLOW_LOOPBACK=1 allows it)"
    if _special(ip):
        return f"address {ip} is private, link-local or reserved (SCRAPER_ALLOW_PRIVATE=1 allows it)"
    return None


def address_refusal(
    addresses: Iterable[str], *, allow_private: bool = False, allow_loopback: bool = False
) -> str | None:
    """Why a host's resolved addresses are refused (any non-public one), or None.

    An IPv6 address that carries an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 ``64:ff9b::/96``, 6to4
    ``2002::/16``) is judged as that IPv4 address; site-local ``fec0::/10``, local-use NAT64, and every range that
    IANA or the standard library marks private, reserved, special or not global are refused.

    ``allow_loopback`` lets 127.0.0.0/8 and ::1 through (tests, the offline demo);
    ``allow_private`` lets every non-public address through (an intranet crawl).
    """
    if allow_private:
        return None
    for raw in addresses:
        try:
            ip = ipaddress.ip_address(raw.split("%", 1)[0])
        except ValueError:
            return f"unparseable address {raw!r}"
        inner = _embedded(ip)
        if inner is not None:
            why = _refusal(inner[0], allow_loopback)
            if why is not None:
                detail = why.removeprefix("address ").replace(" is ", ", which is ", 1)
                return f"address {ip} is the {inner[1]} form of {detail}"
        elif (why := _refusal(ip, allow_loopback)) is not None:
            return why
    return None


def literal_address(host: str) -> str | None:
    """The host itself when it is an IP literal (``[::1]`` unbracketed), else None."""
    candidate = host.strip("[]")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return None
    return candidate


# Hosts whose resolved addresses the crawl's resolver refused, and why: a connection that gets no address reports
# only "no results", and the request's errback asks here whether the policy was the reason.
_REFUSED: dict[str, str] = {}
_LOCK = threading.Lock()


def remember_refusal(host: str, why: str | None) -> None:
    """Record the policy's verdict on a host's latest resolution (None: allowed)."""
    with _LOCK:
        if why is None:
            _REFUSED.pop(host, None)
        else:
            _REFUSED[host] = why


def refusal(host: str | None) -> str | None:
    """Why the crawl's resolver gave ``host`` no address (what it resolved to is not public), or None."""
    with _LOCK:
        return _REFUSED.get(host or "")
