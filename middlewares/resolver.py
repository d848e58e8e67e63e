"""The crawl's DNS resolver (``TWISTED_DNS_RESOLVER``): the address policy applied where connections are made.

A host is resolved once; the addresses are checked against the fetch policy (``scraper.crawl.netpolicy``) and
only then cached and handed to the downloader, which connects to exactly those addresses. The fetch policy
middleware resolves through this same resolver, so its check and the connection use one answer: a DNS server
that answers a public address to the check and a private one to the connection (DNS rebinding) gets nowhere,
and a hostname refused by the policy gets no address at all, even if a request bypasses the middleware.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attr
from scrapy.resolver import CachingHostnameResolver, HostResolution, dnscache
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress, IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from extensions.project import config
from scraper.crawl.netpolicy import address_refusal, refusal, remember_refusal


@implementer(IResolutionReceiver)
class _Checked:
    """Collects a fresh resolution and passes it on only once the policy allows every address."""

    def __init__(self, resolver: PolicyResolver, receiver: Any, host: str, port: int) -> None:
        self.resolver, self.receiver, self.host, self.port = resolver, receiver, host, port
        self.addresses: list[IAddress] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.resolver.settle(self.host, self.addresses)
        checked = self.resolver.cached(self.host, self.port) if self.host in dnscache else self.addresses
        for address in checked if not self.resolver.refused(self.host) else []:
            self.receiver.addressResolved(address)
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class PolicyResolver(CachingHostnameResolver):
    """Scrapy's caching resolver (IPv4 and IPv6), caching only answers the fetch policy allows.

    Settings: ``SCRAPER_ALLOW_LOOPBACK``, ``SCRAPER_ALLOW_PRIVATE`` (as for the middleware), ``DNSCACHE_SIZE``.
    Stats are the middleware's: a refusal reaches the request's errback as ``refused``.
    """

    def __init__(self, reactor: Any, cache_size: int, *, allow_private: bool = False, allow_loopback: bool = False,
                 original: IHostnameResolver | None = None) -> None:
        super().__init__(reactor, max(cache_size, 1))  # a check and its connection must share the answer
        if original is not None:
            self.original_resolver = original
        self.allow_private, self.allow_loopback = allow_private, allow_loopback

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PolicyResolver:  # type: ignore[override]
        settings = config(crawler)
        return cls(reactor, crawler.settings.getint("DNSCACHE_SIZE"), allow_private=settings.allow_private,
                   allow_loopback=settings.allow_loopback)

    def resolveHostName(
        self, resolutionReceiver: Any, hostName: str, portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None, transportSemantics: str = "TCP",
    ) -> Any:  # zope interfaces, typed as Any: mypy reads them without self
        if hostName in dnscache:
            resolutionReceiver.resolutionBegan(HostResolution(hostName))
            for address in self.cached(hostName, portNumber):
                resolutionReceiver.addressResolved(address)
            resolutionReceiver.resolutionComplete()
            return HostResolution(hostName)
        receiver = _Checked(self, resolutionReceiver, hostName, portNumber)
        original: Any = self.original_resolver  # zope interfaces type their methods without self
        return original.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)

    def settle(self, host: str, addresses: list[IAddress]) -> None:
        """Judge a fresh answer and cache the verdict: the addresses, or none with the reason."""
        hosts = [str(getattr(a, "host", "")) for a in addresses]
        why = address_refusal(hosts, allow_private=self.allow_private, allow_loopback=self.allow_loopback)
        remember_refusal(host, why)
        if why is not None:
            dnscache[host] = []  # refused for the run: no address, whatever a later answer says
        elif addresses:  # a name that did not resolve is asked again next time
            dnscache[host] = [_port(a, 0) for a in addresses]

    def refused(self, host: str) -> bool:
        """Whether the policy refused the host's latest answer."""
        return refusal(host) is not None

    def cached(self, host: str, port: int) -> list[IAddress]:
        """The checked addresses of ``host`` (none when refused), with ``port``."""
        return [_port(a, port) for a in dnscache.get(host, ())]

    def lookup(self, host: str, port: int) -> Deferred[list[str]]:
        """Resolve ``host`` through the resolver (what the downloader will connect to); fires with the addresses,
        empty when the policy refused them (``netpolicy.refusal(host)`` says why) or the name has none."""
        collector = _Collector()
        self.resolveHostName(collector, host, port)
        return collector.done


@implementer(IResolutionReceiver)
class _Collector:
    """Receives a resolution into a Deferred of its addresses."""

    def __init__(self) -> None:
        self.done: Deferred[list[str]] = Deferred()
        self.found: list[str] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        self.found.append(str(getattr(address, "host", "")))

    def resolutionComplete(self) -> None:
        self.done.callback(self.found)


def _port(address: IAddress, port: int) -> IAddress:
    """The address with ``port`` (Twisted's address classes are attrs classes)."""
    if getattr(address, "port", port) == port:
        return address
    evolved: IAddress = attr.evolve(address, port=port)  # type: ignore[misc]
    return evolved
