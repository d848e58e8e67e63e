"""Middleware helpers that need no crawl: Retry-After parsing, address policy."""

from __future__ import annotations

import datetime as dt

import pytest

from middlewares.retry_after import retry_after_seconds
from scraper.crawl.netpolicy import address_refusal, literal_address, scheme_refusal

NOW = dt.datetime(2025, 6, 12, 10, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(b"3", 3.0), (b"Thu, 12 Jun 2025 10:00:30 GMT", 30.0), (b"Thu, 12 Jun 2025 09:00:00 GMT", 0.0),
     (b"soon", None), (None, None)],
)
def test_retry_after_delta_seconds_and_http_dates(value: bytes | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


@pytest.mark.parametrize(
    ("address", "refused"),
    [("93.184.216.34", False), ("10.0.0.1", True), ("172.16.5.4", True), ("192.168.1.1", True),
     ("127.0.0.1", True), ("169.254.169.254", True), ("::1", True), ("fe80::1", True), ("fc00::1", True),
     ("2606:4700::1111", False), ("0.0.0.0", True), ("224.0.0.1", True)],
)
def test_non_public_addresses_are_refused(address: str, refused: bool) -> None:
    assert (address_refusal([address]) is not None) is refused


@pytest.mark.parametrize(
    ("address", "form"),
    [("::127.0.0.1", "IPv4-compatible form of 127.0.0.1, which is loopback"),
     ("64:ff9b::7f00:1", "NAT64 form of 127.0.0.1"), ("64:ff9b::a00:1", "NAT64 form of 10.0.0.1"),
     ("2002:7f00:1::", "6to4 form of 127.0.0.1"), ("2002:a9fe:a9fe::1", "6to4 form of 169.254.169.254"),
     ("::ffff:10.0.0.1", "IPv4-mapped form of 10.0.0.1"), ("fec0::1", "private, link-local or reserved"),
     ("64:ff9b:1::a00:1", "private"), ("192.0.0.8", "reserved"), ("192.88.99.1", "reserved"),
     ("100.64.0.1", "reserved"), ("198.18.0.1", "reserved"), ("2001:db8::1", "reserved"), ("ff02::1", "reserved")],
)
def test_embedded_site_local_and_special_forms_are_refused(address: str, form: str) -> None:
    why = address_refusal([address])
    assert why is not None and form in why, why
    assert address_refusal([address], allow_private=True) is None


@pytest.mark.parametrize("address", ["64:ff9b::5db8:d822", "::ffff:93.184.216.34", "2002:5db8:d822::1", "192.0.0.9"])
def test_embedded_forms_of_public_addresses_pass(address: str) -> None:
    assert address_refusal([address]) is None  # an IPv6-only network with DNS64 reaches every IPv4 site this way


def test_loopback_allowance_does_not_open_private_ranges() -> None:
    assert address_refusal(["127.0.0.1"], allow_loopback=True) is None
    assert address_refusal(["10.0.0.1"], allow_loopback=True) is not None
    assert address_refusal(["10.0.0.1"], allow_private=True) is None


def test_schemes_and_literals() -> None:
    assert scheme_refusal("https://example.com/a") is None
    assert "file" in (scheme_refusal("file:///etc/passwd") or "")
    assert "no host" in (scheme_refusal("http:///x") or "")
    assert literal_address("[::1]") == "::1" and literal_address("example.com") is None
