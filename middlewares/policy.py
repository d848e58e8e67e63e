"""Refuse non-http(s) URLs and hosts that resolve to private, loopback or link-local addresses."""

from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from scraper.crawl.netpolicy import address_refusal, literal_address, scheme_refusal


class FetchPolicyMiddleware:
    """Runs before every download (redirects and robots.txt included).

    Settings: ``SCRAPER_ALLOW_LOOPBACK`` (default False) lets 127.0.0.0/8 and ::1 through, for tests
    and the offline demo; ``SCRAPER_ALLOW_PRIVATE`` lets every private address through (an intranet
    crawl). Refusals raise ``IgnoreRequest`` (the request's errback records them) and count
    ``scraper/policy/refused``.
    """

    def __init__(self, allow_private: bool, allow_loopback: bool, stats: Any) -> None:
        self.allow_private = allow_private
        self.allow_loopback = allow_loopback or allow_private
        self.stats = stats
        self._verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchPolicyMiddleware:
        s = crawler.settings
        return cls(s.getbool("SCRAPER_ALLOW_PRIVATE"), s.getbool("SCRAPER_ALLOW_LOOPBACK"), crawler.stats)

    async def _host_refusal(self, host: str, port: int) -> str | None:
        if host in self._verdicts:
            return self._verdicts[host]
        literal = literal_address(host)
        if literal is not None:
            addresses = [literal]
        elif self.allow_private:
            addresses = []
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                return f"cannot resolve {host}: {exc}"
            addresses = [str(info[4][0]) for info in infos]
        verdict = address_refusal(addresses, allow_private=self.allow_private, allow_loopback=self.allow_loopback)
        self._verdicts[host] = verdict
        return verdict

    async def process_request(self, request: Request) -> None:
        why = scheme_refusal(request.url)
        if why is None:
            parts = urlsplit(request.url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            why = await self._host_refusal(parts.hostname or "", port)
        if why is not None:
            self.stats.inc_value("scraper/policy/refused")
            raise IgnoreRequest(f"refused by fetch policy: {why}")
