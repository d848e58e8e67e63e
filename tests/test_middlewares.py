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


def test_loopback_allowance_does_not_open_private_ranges() -> None:
    assert address_refusal(["127.0.0.1"], allow_loopback=True) is None
    assert address_refusal(["10.0.0.1"], allow_loopback=True) is not None
    assert address_refusal(["10.0.0.1"], allow_private=True) is None


def test_schemes_and_literals() -> None:
    assert scheme_refusal("https://example.com/a") is None
    assert "file" in (scheme_refusal("file:///etc/passwd") or "")
    assert "no host" in (scheme_refusal("http:///x") or "")
    assert literal_address("[::1]") == "::1" and literal_address("example.com") is None
