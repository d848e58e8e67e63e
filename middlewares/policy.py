"""Refuse non-http(s) URLs and hosts that resolve to private, loopback or link-local addresses."""

from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from scraper.netpolicy import address_refusal, literal_address, scheme_refusal


class FetchPolicyMiddleware:
    """Runs before every download (redirects and robots.txt included).

    Settings: ``SCRAPER_ALLOW_PRIVATE`` (default False) lets loopback/private hosts through, for tests
    and the offline demo. Refusals raise ``IgnoreRequest`` (the request's errback records them) and
    count ``scraper/policy/refused``.
    """

    def __init__(self, allow_private: bool, stats: Any) -> None:
        self.allow_private = allow_private
        self.stats = stats
        self._verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchPolicyMiddleware:
        return cls(crawler.settings.getbool("SCRAPER_ALLOW_PRIVATE"), crawler.stats)

    async def _host_refusal(self, host: str, port: int) -> str | None:
        if host in self._verdicts:
            return self._verdicts[host]
        literal = literal_address(host)
        if literal is not None:
            verdict = address_refusal([literal], self.allow_private)
        elif self.allow_private:
            verdict = None
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                return f"cannot resolve {host}: {exc}"
            verdict = address_refusal([info[4][0] for info in infos], False)
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
