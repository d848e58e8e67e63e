"""The project's two seed documents (../shared/seeds) as the three pages they hold: the BBC original, the
aggregator page that copies it whole among its own boilerplate, and the content-farm rewrite that credits
"Original Source: www.bbc.com". The seed texts are read from the shared folder, never copied in here."""

from __future__ import annotations

import html
import os
from pathlib import Path

SEEDS = Path(os.environ.get("NEWSCLEAN_SEEDS", Path(__file__).resolve().parents[3] / "shared" / "seeds"))
BBC_URL = "https://www.bbc.com/news/articles/c4g0e5ylz0wo"
AGGREGATOR_URL = "https://www.daily8.example/news/what-is-tren-de-aragua"
FARM_URL = "https://worldpulse.example/2025/06/understanding-tren-de-aragua/"
_SECTIONS = ("Hashtags", "Try Our AI Features", "Comments", "Related Articles")


def available() -> bool:
    return (SEEDS / "000_1cf61f43328c9c93.txt").is_file() and (SEEDS / "001_89e883642d12cd46.txt").is_file()


def _head(title: str, url: str, site: str, published: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} - {site}</title>'
            f'<meta property="og:site_name" content="{site}"><link rel="canonical" href="{url}">'
            f'<meta property="article:published_time" content="{published}"></head>')


def _paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{html.escape(line)}</p>" for line in lines if line.strip())


def pages() -> dict[str, tuple[str, str]]:
    """``{"bbc" | "aggregator" | "farm": (url, html)}``."""
    aggregator = (SEEDS / "001_89e883642d12cd46.txt").read_text(encoding="utf-8").split("\n")
    title, body = aggregator[0], aggregator[1:]
    story_end = next(i for i, line in enumerate(body) if line.startswith("Manhunt for"))
    story, rest = body[:story_end], body[story_end:]
    bbc = (_head(title, BBC_URL, "BBC News", "2025-03-16T07:05:00+00:00")
           + f"<body><header><a href='/'>BBC</a> <a href='/news'>News</a></header><main><article><h1>"
           f"{html.escape(title)}</h1>{_paragraphs(story)}</article></main><footer>Copyright 2025 BBC.</footer>"
           "</body></html>")
    links, sections, current = [], {}, None
    for line in rest:
        if line.strip() in _SECTIONS:
            current = line.strip()
            sections[current] = []
        elif current is None:
            links.append(line)
        elif line.strip():
            sections[current].append(line)
    boxes = "".join(f"<div class='c-b{n}'><h3>{html.escape(name)}</h3>{_paragraphs(lines)}</div>"
                    for n, (name, lines) in enumerate(sections.items()))
    related = "".join(f"<li><a href='/s/{n}'>{html.escape(line)}</a></li>" for n, line in enumerate(links))
    aggregated = (_head(title, AGGREGATOR_URL, "Daily8", "2025-06-06T10:12:00+00:00")
                  + f"<body><div class='c-top'><a href='/'>Daily8</a></div><div class='c-main'><h1>"
                  f"{html.escape(title)}</h1>{_paragraphs(story)}<ul>{related}</ul>{boxes}</div></body></html>")
    farm_lines = [line for line in (SEEDS / "000_1cf61f43328c9c93.txt").read_text(encoding="utf-8").split("\n")
                  if line.strip()]
    bio_at = next(i for i, line in enumerate(farm_lines) if line.startswith("About "))
    reply_at = next(i for i, line in enumerate(farm_lines) if line.startswith("Leave a Reply"))
    farm = (_head(farm_lines[0], FARM_URL, "World Pulse", "2025-06-07T09:30:00+00:00")
            + f"<body><div class='site-header'><a href='/'>World Pulse</a></div><div class='entry'><h1>"
            f"{html.escape(farm_lines[0])}</h1><div class='entry-content'>{_paragraphs(farm_lines[1:bio_at])}</div>"
            f"<div class='author-box'><h3>{html.escape(farm_lines[bio_at])}</h3>"
            f"{_paragraphs(farm_lines[bio_at + 1:reply_at])}</div><div id='respond'><h3>Leave a Reply</h3>"
            f"{_paragraphs(farm_lines[reply_at + 1:])}</div></div></body></html>")
    return {"bbc": (BBC_URL, bbc), "aggregator": (AGGREGATOR_URL, aggregated), "farm": (FARM_URL, farm)}
