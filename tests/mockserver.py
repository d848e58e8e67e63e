"""A real HTTP server on 127.0.0.1 for crawl tests, the demo and the crawl benchmark.

Run ``python -m tests.mockserver [--site DIR] [--pages DIR] [--robots-delay S]``; it prints
``PORTS <main> <robots-503>`` and serves until killed. The second port's robots.txt answers 503.

URLs on the main port:
    /robots.txt                    allows all; lists /sitemap_index.xml
    /                              home: a feed <link>, links to /section/world and articles
    /feed.xml, /atom.xml           RSS 2.0 and Atom feeds of the site's articles
    /news-sitemap.xml              Google News sitemap (publication_date, title, keywords, language)
    /sitemap_index.xml             index -> /sitemap-1.xml.gz (gzipped urlset)
    /section/world                 section page linking to articles and to /calendar/2020/1
    /calendar/<y>/<m>              an endless calendar: each month links to the next
    /news/<slug>                   the articles of --site: every <slug>.html there, and every golden case
                                   <domain>/<date>_<slug>/page.html (the default --site is tests/golden)
    /gen/<n>                       generated article number n (for benchmarks); /gen-feed.xml?n=N
    /page/<n>                      saved page n modulo the count of --pages DIR (*.html, *.html.gz), served
                                   as they are (for benchmarks on real pages); /pages-feed.xml?n=N
    /fault/500                     always 500           /fault/404       always 404
    /fault/slow                    answers after 5 s    /fault/loop      redirects to itself
    /fault/retry-after             503 + Retry-After: 1 the first time, then an article
    /fault/bomb                    gzip body that expands to 64 MiB
    /fault/hostile                 an article linking to file:, javascript:, 10.0.0.1 and 169.254.169.254
    /fault/redirect-private        302 to http://10.255.255.1/secret
    /fault-feed.xml                a feed listing one good article and every fault above
    /fault/heavy                   a legitimate but huge article (19,500 paragraphs, ~2 s to clean)
    /heavy-feed.xml                a feed listing one good article and /fault/heavy
    /fault/short                   a titled page of twelve words    /fault/pdf   a PDF (application/pdf)
    /fault/redirect                302 to the first article (so it is fetched twice: a duplicate)
    /fault/truncated-gzip          Content-Encoding: gzip, a correct Content-Length, the gzip stream cut at 70 %
    /fault/cut-body                a Content-Length twice the body sent, then the connection closes
    /republished/<slug>            article <slug> as another site republishes it: other headline, no canonical
                                   link, a paragraph of its own (for the story tests); /republish-feed.xml
    /parity-feed.xml?closed=PORT   two good articles, /fault/404, /fault/500, /fault/short, /fault/pdf,
                                   /fault/redirect, /fault/truncated-gzip, /fault/cut-body, a private address and
                                   127.0.0.1:PORT (a closed port)
    /fault/entity-feed.xml         an RSS feed whose DOCTYPE expands entities exponentially ("billion laughs")
    /fault/bomb-sitemap.xml.gz     a gzipped sitemap that expands beyond the protocol's 50 MB
    /fault/cut-sitemap.xml.gz      a gzipped sitemap cut short            /fault/html-feed.xml   HTML, not XML
    /fault/cut-feed.xml            Content-Encoding: gzip, the feed's gzip stream cut short
    /big-feed.xml?n=N              an RSS feed of N generated articles (/gen/<i>)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gzip
import html
import json
import random
import re
import sys
import threading
import time
import zlib
from collections.abc import Iterable
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DEFAULT_SITE = Path(__file__).parent / "golden"
_WORDS = [
    "harbour", "council", "budget", "river", "school", "energy", "farmers", "market", "rail", "station", "storm",
    "museum", "hospital", "election", "bridge", "festival", "water", "teachers", "mayor", "court", "factory",
    "ferry", "tourism", "drought", "forest",
]


def _declared_charset(page: Path) -> str:
    """The charset a golden case says its server declared (meta.json ``encoding``), else utf-8."""
    meta = page.with_name("meta.json")
    if meta.exists():
        return str(json.loads(meta.read_text(encoding="utf-8")).get("encoding") or "utf-8")
    return "utf-8"


def _headline(page: bytes) -> str | None:
    """The page's <h1> text, used as its feed and sitemap title."""
    found = re.search(rb"<h1[^>]*>(.*?)</h1>", page, re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1).decode("utf-8", "replace"))).strip() if found else None


def _published(page: bytes) -> str | None:
    """The page's own publication time (JSON-LD or article:published_time), for feeds and sitemaps."""
    found = re.search(rb'"datePublished"\s*:\s*"([^"]+)"|article:published_time["\']\s+content=["\']([^"\']+)', page)
    return (found.group(1) or found.group(2)).decode() if found else None


def generated_article(n: int) -> bytes:
    """A deterministic article page shaped like a real one (~90 KB: navigation, state scripts, twelve
    paragraphs with inline links, a sidebar of teaser cards, related list, comments, footer), so that
    cleaning costs about what it costs on news sites."""
    rng = random.Random(n)
    title = f"Story {n}: the {' '.join(rng.sample(_WORDS, 3))} question"

    def sentence(words: int) -> str:
        text = [rng.choice(_WORDS) for _ in range(words)]
        text[words // 2] = f"<a href='/topic/{text[words // 2]}'>{text[words // 2]}</a>"
        return " ".join(text).capitalize() + "."

    paras = "".join(f"<div class='para'><p>{sentence(35)} {sentence(30)} <span>{sentence(12)}</span></p></div>"
                    for _ in range(12))
    nav = "".join(f"<li class='nav-item'><a href='/section/{w}-{i}'><span>{w.title()} {i}</span></a></li>"
                  for i in range(8) for w in _WORDS)
    cards = "".join(f"<div class='card'><div class='card-body'><h4><a href='/gen/{n + i}'>{sentence(8)}</a></h4>"
                    f"<p>{sentence(14)}</p></div></div>" for i in range(1, 31))
    script = "<script>window.__STATE__ = " + json.dumps({"ids": list(range(4000))}) + ";</script>"
    footer = "".join(f"<a href='/page/{i}'>Footer link {i}</a> " for i in range(120))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{script}"
        f"<meta property='article:published_time' content='2025-06-{1 + n % 28:02d}T10:00:00+00:00'></head>"
        f"<body><nav><ul>{nav}</ul></nav><div class='wrap'><div class='col'><article><h1>{title}</h1>"
        f"<p class='byline'>By Reporter {n % 17}</p>{paras}</article>"
        f"<div class='b1'><h3>Related Articles</h3><ul><li><a href='/gen/{n + 1}'>Next story</a></li>"
        f"<li><a href='/gen/{n + 2}'>Another story</a></li></ul></div>"
        f"<div class='b2'><h3>Comments</h3><p>No comments yet...</p></div></div>"
        f"<aside class='side'>{cards}</aside></div><footer>{footer}</footer></body></html>"
    ).encode()


def sorted_pages(folder: Path) -> list[Path]:
    """The saved pages of a folder (``*.html``, ``*.html.gz``), in name order."""
    return sorted(p for p in folder.iterdir() if p.name.endswith((".html", ".html.gz")))


def read_page(path: Path) -> bytes:
    """A saved page's bytes, gunzipped if need be."""
    return gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()


@functools.lru_cache(maxsize=4096)
def _generated_cached(n: int) -> bytes:
    return generated_article(n)


_saved_cached = functools.lru_cache(maxsize=512)(read_page)


class Site:
    """The content the handler serves."""

    def __init__(self, folder: Path, robots_delay: float, saved: Path | None = None) -> None:
        pages = {p.stem: p for p in folder.glob("*.html")}
        pages.update({p.parent.name.split("_", 1)[-1]: p for p in folder.glob("*/*/page.html")})
        self.articles = {slug: pages[slug].read_bytes() for slug in sorted(pages)}
        self.charsets = {slug: _declared_charset(pages[slug]) for slug in pages}
        self.titles = {slug: _headline(body) or slug for slug, body in self.articles.items()}
        self.dates = {slug: _published(body) or f"2025-06-{10 + i % 18:02d}T08:00:00+00:00"
                      for i, (slug, body) in enumerate(self.articles.items())}
        self.saved = sorted_pages(saved) if saved else []
        self.robots_delay = robots_delay
        self.retry_seen: set[str] = set()
        self.lock = threading.Lock()

    def republished(self, slug: str) -> bytes:
        """Article ``slug`` as a republishing site serves it (see the module docstring)."""
        page = re.sub(rb"<link[^>]+rel=[\"']canonical[\"'][^>]*>|<meta[^>]+og:url[^>]*>", b"", self.articles[slug])
        page = re.sub(rb"<title>", b"<title>Republished: ", page, count=1)
        page = re.sub(rb"(<h1[^>]*>)", rb"\1From our partners: ", page, count=1)
        return re.sub(rb"</p>", b"</p><p>This report is carried by the Harbour Gazette under a syndication agreement "
                      b"with the publisher that first ran it, which keeps every right to the text.</p>", page, count=1)

    def feed(self, base: str, slugs: list[str], atom: bool = False, path: str = "news") -> bytes:
        if atom:
            entries = "".join(
                f"<entry><title>{html.escape(self.titles[s])}</title><link href='{base}/news/{s}'/>"
                f"<updated>{self.dates[s]}</updated><id>{base}/news/{s}</id></entry>"
                for s in slugs
            )
            return f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>{entries}</feed>".encode()
        items = "".join(
            f"<item><title>{html.escape(self.titles[s])}</title><link>{base}/{path}/{s}</link>"
            f"<pubDate>{format_datetime(dt.datetime.fromisoformat(self.dates[s]))}</pubDate></item>"
            for s in slugs
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Mock</title>{items}</channel></rss>".encode()


class Handler(BaseHTTPRequestHandler):
    """Serves ``Site`` content and the fault endpoints (see the module docstring)."""

    site: Site
    robots_503 = False
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet: tests read stdout for the ports only
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, base = parts.path, f"http://{self.headers.get('Host', '127.0.0.1')}"
        handler = self._routes().get(path)
        if handler is not None:
            handler(base, parse_qs(parts.query))
        elif path.startswith("/news/") and path[6:] in self.site.articles:
            slug = path[6:]
            self._send(200, self.site.articles[slug], f"text/html; charset={self.site.charsets[slug]}")
        elif path.startswith("/republished/") and path[13:] in self.site.articles:
            slug = path[13:]
            self._send(200, self.site.republished(slug), f"text/html; charset={self.site.charsets[slug]}")
        elif path.startswith("/gen/") and path[5:].isdigit():
            self._send(200, _generated_cached(int(path[5:])))
        elif path.startswith("/page/") and path[6:].isdigit() and self.site.saved:
            self._send(200, _saved_cached(self.site.saved[int(path[6:]) % len(self.site.saved)]))
        elif path.startswith("/calendar/"):
            self._calendar(path)
        else:
            self._send(404, b"<html><body><p>Not found</p></body></html>")

    def _routes(self) -> dict[str, object]:
        return {
            "/robots.txt": self._robots, "/": self._home, "/feed.xml": self._feed, "/atom.xml": self._atom,
            "/news-sitemap.xml": self._news_sitemap, "/sitemap_index.xml": self._index,
            "/sitemap-1.xml.gz": self._sitemap_gz, "/section/world": self._section, "/gen-feed.xml": self._gen_feed,
            "/pages-feed.xml": self._pages_feed, "/republish-feed.xml": self._republish_feed,
            "/fault-feed.xml": self._fault_feed, "/fault/500": lambda b, q: self._send(500, b"<p>boom</p>"),
            "/fault/404": lambda b, q: self._send(404, b"<p>gone</p>"), "/fault/slow": self._slow,
            "/fault/loop": lambda b, q: self._send(302, b"", headers={"Location": "/fault/loop"}),
            "/fault/retry-after": self._retry_after, "/fault/bomb": self._bomb, "/fault/hostile": self._hostile,
            "/fault/heavy": self._heavy, "/heavy-feed.xml": self._heavy_feed, "/parity-feed.xml": self._parity_feed,
            "/fault/short": lambda b, q: self._send(200, b"<html><head><title>Short</title></head><body><h1>Short"
                                                         b"</h1><p>Only a dozen words are in this small page, and "
                                                         b"nothing else.</p></body></html>"),
            "/fault/pdf": lambda b, q: self._send(200, b"%PDF-1.4 not a page", "application/pdf"),
            "/fault/redirect": lambda b, q: self._send(302, b"", headers={"Location": f"/news/{self._first()}"}),
            "/fault/redirect-private": lambda b, q: self._send(302, b"", headers={"Location": "http://10.255.255.1/secret"}),
            "/fault/truncated-gzip": self._truncated_gzip, "/fault/cut-body": self._cut_body,
            "/fault/entity-feed.xml": self._entity_feed, "/fault/bomb-sitemap.xml.gz": self._bomb_sitemap,
            "/fault/cut-sitemap.xml.gz": self._cut_sitemap, "/fault/cut-feed.xml": self._cut_feed,
            "/fault/html-feed.xml": lambda b, q: self._send(200, b"<html><body><p>Moved</p></body></html>",
                                                            "application/rss+xml"),
            "/big-feed.xml": self._gen_feed,
        }

    def _robots(self, base: str, query: object) -> None:
        if self.robots_503:
            self._send(503, b"overloaded", "text/plain")
            return
        delay = f"Crawl-delay: {self.site.robots_delay}\n" if self.site.robots_delay else ""
        self._send(200, f"User-agent: *\n{delay}Disallow: /private/\nSitemap: {base}/sitemap_index.xml\n".encode(),
                   "text/plain")

    def _home(self, base: str, query: object) -> None:
        links = "".join(f"<li><a href='/news/{s}'>{s}</a></li>" for s in self.site.articles)
        self._send(200, (f"<html><head><link rel='alternate' type='application/rss+xml' href='/feed.xml'></head>"
                         f"<body><a href='/section/world'>World</a><ul>{links}</ul></body></html>").encode())

    def _feed(self, base: str, query: object) -> None:
        self._send(200, self.site.feed(base, list(self.site.articles)), "application/rss+xml")

    def _republish_feed(self, base: str, query: object) -> None:
        self._send(200, self.site.feed(base, list(self.site.articles), path="republished"), "application/rss+xml")

    def _atom(self, base: str, query: object) -> None:
        self._send(200, self.site.feed(base, list(self.site.articles), atom=True), "application/atom+xml")

    def _urlset(self, base: str, news: bool) -> bytes:
        rows = []
        for slug in self.site.articles:
            extra = (f"<news:news><news:publication><news:name>Mock</news:name><news:language>en</news:language>"
                     f"</news:publication><news:publication_date>{self.site.dates[slug]}"
                     f"</news:publication_date><news:title>{html.escape(self.site.titles[slug])}</news:title>"
                     f"<news:keywords>{html.escape(slug.split('-')[0])}</news:keywords></news:news>") if news else ""
            rows.append(f"<url><loc>{base}/news/{slug}</loc>{extra}</url>")
        return ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>" + "".join(rows) + "</urlset>").encode()

    def _news_sitemap(self, base: str, query: object) -> None:
        self._send(200, self._urlset(base, news=True), "application/xml")

    def _index(self, base: str, query: object) -> None:
        body = (f"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                f"<sitemap><loc>{base}/sitemap-1.xml.gz</loc></sitemap></sitemapindex>").encode()
        self._send(200, body, "application/xml")

    def _sitemap_gz(self, base: str, query: object) -> None:
        self._send(200, gzip.compress(self._urlset(base, news=False)), "application/x-gzip")

    def _section(self, base: str, query: object) -> None:
        links = "".join(f"<a href='/news/{s}'>{s}</a> " for s in self.site.articles)
        page = f"<html><body><h1>World</h1>{links}<a href='/calendar/2020/1'>Archive</a></body></html>"
        self._send(200, page.encode())

    def _calendar(self, path: str) -> None:
        try:
            year, month = (int(x) for x in path.split("/")[2:4])
        except ValueError:
            self._send(404, b"")
            return
        nxt = f"/calendar/{year + month // 12}/{month % 12 + 1}"
        self._send(200, f"<html><body><h1>{year}-{month}</h1><a href='{nxt}'>Next month</a></body></html>".encode())

    def _send_rss(self, items: Iterable[tuple[str, str]]) -> None:
        """A bare RSS feed of (title, link) items."""
        body = "".join(f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link></item>" for t, u in items)
        self._send(200, f"<rss version='2.0'><channel>{body}</channel></rss>".encode(), "application/rss+xml")

    def _gen_feed(self, base: str, query: dict[str, list[str]]) -> None:
        count = int(query.get("n", ["100"])[0])
        self._send_rss((f"Story {i}", f"{base}/gen/{i}") for i in range(count))

    def _pages_feed(self, base: str, query: dict[str, list[str]]) -> None:
        count = int(query.get("n", ["100"])[0])
        self._send_rss((f"Page {i}", f"{base}/page/{i}") for i in range(count))

    def _fault_feed(self, base: str, query: object) -> None:
        faults = ["500", "404", "slow", "loop", "retry-after", "bomb", "hostile", "redirect-private"]
        first = next(iter(self.site.articles), "")
        links = [f"{base}/news/{first}"] + [f"{base}/fault/{f}" for f in faults] + [
            "file:///etc/passwd", "javascript:alert(1)", "http://10.0.0.1/admin", "http://169.254.169.254/latest/",
            "http://[::10.0.0.1]/admin", "http://[64:ff9b::a9fe:a9fe]/latest/", "http://[fec0::1]/",
            "http://[2002:a00:1::]/"]
        self._send_rss(("x", u) for u in links)

    def _truncated_gzip(self, base: str, query: object) -> None:
        body = gzip.compress(generated_article(11))
        self._send(200, body[: len(body) * 7 // 10], headers={"Content-Encoding": "gzip"})

    def _cut_body(self, base: str, query: object) -> None:
        body = generated_article(12)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(2 * len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _entity_feed(self, base: str, query: object) -> None:
        levels = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
        body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{levels}]><rss version="2.0"><channel>'
                f"<item><title>&l9;</title><link>{base}/news/{self._first()}</link></item></channel></rss>")
        self._send(200, body.encode(), "application/rss+xml")

    def _bomb_sitemap(self, base: str, query: object) -> None:
        deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
        head = f"<?xml version='1.0'?><urlset><url><loc>{base}/news/{self._first()}</loc></url><!--".encode()
        body = deflater.compress(head) + deflater.compress(b" " * (60 << 20)) + deflater.compress(b"--></urlset>")
        self._send(200, body + deflater.flush(), "application/x-gzip")

    def _cut_sitemap(self, base: str, query: object) -> None:
        body = gzip.compress(self._urlset(base, news=False))
        self._send(200, body[: len(body) // 2], "application/x-gzip")

    def _cut_feed(self, base: str, query: object) -> None:
        body = gzip.compress(self.site.feed(base, list(self.site.articles)))
        self._send(200, body[: len(body) // 2], "application/rss+xml", headers={"Content-Encoding": "gzip"})

    def _first(self) -> str:
        return next(iter(self.site.articles), "")

    def _parity_feed(self, base: str, query: dict[str, list[str]]) -> None:
        closed = query.get("closed", ["9"])[0]
        slugs = list(self.site.articles)[:2]
        faults = ("404", "500", "short", "pdf", "redirect", "truncated-gzip", "cut-body")
        paths = [f"/news/{slug}" for slug in slugs] + [f"/fault/{f}" for f in faults]
        links = [f"{base}{path}" for path in paths] + ["http://10.0.0.1/admin", f"http://127.0.0.1:{closed}/news/x"]
        self._send_rss(("x", u) for u in links)

    def _heavy_feed(self, base: str, query: object) -> None:
        first = next(iter(self.site.articles), "")
        self._send_rss(("x", f"{base}{path}") for path in (f"/news/{first}", "/fault/heavy"))

    def _heavy(self, base: str, query: object) -> None:
        paragraphs = "".join(f"<p>Paragraph {i} of a very long report on the harbour, with several words in it.</p>"
                             for i in range(19_500))
        self._send(200, f"<html><head><title>Heavy</title></head><body><article><h1>Heavy report</h1>{paragraphs}"
                        f"</article></body></html>".encode())

    def _slow(self, base: str, query: object) -> None:
        time.sleep(5)
        self._send(200, generated_article(1))

    def _retry_after(self, base: str, query: object) -> None:
        with self.site.lock:
            first = "retry" not in self.site.retry_seen
            self.site.retry_seen.add("retry")
        if first:
            self._send(503, b"busy", headers={"Retry-After": "1"})
        else:
            self._send(200, generated_article(7))

    def _bomb(self, base: str, query: object) -> None:
        deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
        body = deflater.compress(b"<html><body><p>" + b"a" * (64 << 20)) + deflater.flush()
        self._send(200, body, headers={"Content-Encoding": "gzip"})

    def _hostile(self, base: str, query: object) -> None:
        links = ("<a href='file:///etc/passwd'>passwd</a> <a href='javascript:alert(1)'>js</a> "
                 "<a href='http://10.0.0.1/admin'>admin</a> <a href='http://169.254.169.254/latest/'>meta</a>")
        self._send(200, generated_article(3).replace(b"</article>", links.encode() + b"</article>"))


def serve(site: Site) -> tuple[ThreadingHTTPServer, ThreadingHTTPServer]:
    """Start the main and the robots-503 servers on free loopback ports, in daemon threads."""
    servers = []
    for robots_503 in (False, True):
        handler = type("H", (Handler,), {"site": site, "robots_503": robots_503})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers[0], servers[1]


def main(argv: list[str] | None = None) -> int:
    """Serve until killed; print the ports first."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="folder of article pages (see above)")
    parser.add_argument("--pages", type=Path, default=None, help="folder of saved pages served at /page/<n>")
    parser.add_argument("--robots-delay", type=float, default=0.0, help="Crawl-delay to announce in robots.txt")
    args = parser.parse_args(argv)
    main_server, strict = serve(Site(args.site, args.robots_delay, args.pages))
    print(f"PORTS {main_server.server_address[1]} {strict.server_address[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
