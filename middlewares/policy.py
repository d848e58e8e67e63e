"""Refuse non-http(s) URLs and hosts that resolve to private, loopback or link-local addresses."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future

from extensions.errors import RequestRefused
from extensions.project import config
from middlewares.resolver import PolicyResolver
from scraper.crawl.netpolicy import address_refusal, literal_address, refusal, scheme_refusal
from scraper.errors import NetworkError, RefusedError, ScraperError

logger = logging.getLogger(__name__)


def _policy_resolver() -> PolicyResolver | None:
    """The reactor's resolver when it is the crawl's own (``TWISTED_DNS_RESOLVER``), else None."""
    from twisted.internet import reactor  # noqa: PLC0415 - the installed reactor, once the crawl runs

    resolver = getattr(reactor, "nameResolver", None)
    return resolver if isinstance(resolver, PolicyResolver) else None


class FetchPolicyMiddleware:
    """Runs before every download (redirects and robots.txt included).

    Settings: ``SCRAPER_ALLOW_LOOPBACK`` (default False) lets 127.0.0.0/8 and ::1 through, for tests
    and the offline demo; ``SCRAPER_ALLOW_PRIVATE`` lets every private address through (an intranet
    crawl). Refusals raise ``RequestRefused`` with a ``RefusedError`` naming the setting that would allow the
    address (the request's errback records it; a host that does not resolve gets a ``NetworkError``
    ``dns``), log one DEBUG line (so ``scrapy shell`` says why it has no response) and count
    ``scraper/policy/refused``. Host names are resolved through the crawl's resolver
    (``middlewares/resolver.py``), which caches the checked answer the downloader then connects to.
    """

    def __init__(self, allow_private: bool, allow_loopback: bool, stats: Any) -> None:
        self.allow_private = allow_private
        self.allow_loopback = allow_loopback or allow_private
        self.stats = stats
        self._verdicts: dict[str, ScraperError | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchPolicyMiddleware:
        settings = config(crawler)
        return cls(settings.allow_private, settings.allow_loopback, crawler.stats)

    async def _host_refusal(self, host: str, port: int) -> ScraperError | None:
        if host in self._verdicts:
            return self._verdicts[host]
        literal = literal_address(host)
        resolver = _policy_resolver()
        if literal is not None:
            addresses = [literal]
        elif self.allow_private:
            addresses = []
        elif resolver is not None:  # the resolver the downloader connects through: one answer for both
            addresses = await maybe_deferred_to_future(resolver.lookup(host, port))
            if (why := refusal(host)) is not None:
                return RefusedError(f"refused by fetch policy: {why}")
            if not addresses:
                return NetworkError(f"cannot resolve {host}: no address", reason="dns")
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                return NetworkError(f"cannot resolve {host}: {exc}", reason="dns")
            addresses = [str(info[4][0]) for info in infos]
        why = address_refusal(addresses, allow_private=self.allow_private, allow_loopback=self.allow_loopback)
        verdict = RefusedError(f"refused by fetch policy: {why}") if why else None
        self._verdicts[host] = verdict
        return verdict

    async def process_request(self, request: Request) -> None:
        why = scheme_refusal(request.url)
        error: ScraperError | None = RefusedError(f"refused by fetch policy: {why}") if why else None
        if error is None:
            parts = urlsplit(request.url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            error = await self._host_refusal(parts.hostname or "", port)
        if error is not None:
            if isinstance(error, RefusedError):
                self.stats.inc_value("scraper/policy/refused")
            logger.debug("Not fetching %s: %s", request.url, error)
            raise RequestRefused(error)
