"""Attribution: where a page says its story comes from (markup, canonical link, credit lines in six languages,
wire datelines and sign-offs), and the seed documents: the rewrite linked to the BBC original."""

from __future__ import annotations

import pytest

from scraper.article import Article, RawPage
from scraper.attribution import attribute
from scraper.job import CleanJob
from scraper.records import article_record
from scraper.stories.index import StoryIndex
from scraper.stories.model import Newcomer
from scraper.stories.sqlite_store import SQLiteStore
from tests.conftest import BODY
from tests.stories import seedpages

URL = "https://news.example.com/2025/06/12/story"


def _page(*extra: str, head: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    return (f"<html><head><title>Story</title>{head}</head><body><article><h1>Story</h1>{paragraphs}"
            f"{''.join(extra)}</article><aside><h3>More news</h3><p>WASHINGTON (Reuters) - A teaser of another "
            f"story that the aggregator lists.</p></aside></body></html>")


def _article(text: str = "\n\n".join(BODY), canonical: str | None = URL) -> Article:
    return Article(url=URL, canonical_url=canonical, text=text)


@pytest.mark.parametrize(("line", "source"), [
    ("Original Source: www.bbc.com", "www.bbc.com"),
    ("This article originally appeared on The Conversation.", "The Conversation"),
    ("This story was first published by ProPublica", "ProPublica"),
    ("Originally published at https://www.example.org/news/a-story", "www.example.org"),
    ("Republished with permission from Grist.", "Grist"),
    ("Quelle: dpa", "dpa"),
    ("Dieser Artikel erschien zuerst bei Spiegel Online.", "Spiegel Online"),
    ("Zuerst erschienen auf www.zeit.de", "www.zeit.de"),
    ("Cet article a été initialement publié sur Le Monde.", "Le Monde"),
    ("Source : AFP", "AFP"),
    ("Este artículo fue publicado originalmente en El País.", "El País"),
    ("Fuente: EFE", "EFE"),
    ("Este artigo foi publicado originalmente em Folha de S.Paulo", "Folha de S.Paulo"),
    ("Fonte: Agência Brasil", "Agência Brasil"),
    ("Questo articolo è stato pubblicato originariamente su Il Post.", "Il Post"),
    ("Fonte: ANSA", "ANSA"),
])
def test_credit_lines_name_the_origin_in_six_languages(line: str, source: str) -> None:
    found = attribute(_article(), _page(f"<p>{line}</p>"))
    assert found.original_source == source, line
    assert found.how == "credit"


def test_a_credit_line_gives_the_url_of_its_link() -> None:
    found = attribute(_article(), _page("<p>Original Source: <a href='https://www.bbc.com/news/x'>www.bbc.com</a></p>"))
    assert (found.original_url, found.original_source) == ("https://www.bbc.com/news/x", "www.bbc.com")


def test_a_source_line_naming_no_site_or_agency_is_not_an_origin() -> None:
    assert attribute(_article(), _page("<p>Source: Eurostat, national statistics offices</p>")).original_source is None


@pytest.mark.parametrize(("head", "url", "how"), [
    ("<meta name='syndication-source' content='https://wire.example.org/a'>", "https://wire.example.org/a", "meta"),
    ("<link rel='original-source' href='https://wire.example.org/b'>", "https://wire.example.org/b", "meta"),
    ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"isBasedOn\": "
     "{\"url\": \"https://wire.example.org/c\"}}</script>", "https://wire.example.org/c", "json-ld"),
])
def test_syndication_markup_names_the_original(head: str, url: str, how: str) -> None:
    found = attribute(_article(), _page(head=head))
    assert (found.original_url, found.original_source, found.how) == (url, "wire.example.org", how)


def test_a_canonical_link_to_another_site_names_the_original_and_one_to_the_same_site_does_not() -> None:
    other = attribute(_article(canonical="https://www.bbc.com/news/articles/x"), _page())
    assert (other.original_url, other.original_source, other.how) == (
        "https://www.bbc.com/news/articles/x", "www.bbc.com", "canonical")
    assert attribute(_article(canonical="https://m.news.example.com/2025/06/12/story"), _page()).original_url is None


@pytest.mark.parametrize(("first", "last", "agency"), [
    ("CARACAS (Reuters) - Venezuela's government on Thursday rejected the measures.", "", "Reuters"),
    ("WASHINGTON, June 12 (AP) — The Senate voted on Thursday.", "", "AP"),
    ("BERLIN (dpa) - Die Regierung hat am Donnerstag entschieden.", "", "dpa"),
    ("MADRID (EFE).- El Gobierno aprobó el jueves la medida.", "", "EFE"),
    ("The Senate voted on Thursday.", "— AP", "AP"),
    ("Die Regierung hat entschieden.", "Mit Material von dpa", "dpa"),
    ("The talks ended.", "Reporting by Jane Doe; Editing by John Roe", "Reuters"),
])
def test_wire_datelines_and_sign_offs_name_the_agency(first: str, last: str, agency: str) -> None:
    text = "\n\n".join([first, *BODY, *([last] if last else [])])
    found = attribute(_article(text), None)
    assert (found.original_source, found.original_url) == (agency, None)


def test_a_dateline_in_a_teaser_elsewhere_on_the_page_is_not_the_articles() -> None:
    assert attribute(_article(), _page()).original_source is None


@pytest.mark.skipif(not seedpages.available(), reason=f"the seed documents are not in {seedpages.SEEDS}")
def test_the_seed_rewrite_is_linked_to_the_bbc_original_and_the_aggregator_copy_to_its_story(tmp_path) -> None:  # type: ignore[no-untyped-def]
    job = CleanJob()
    records = {}
    for name, (url, html) in seedpages.pages().items():
        page = RawPage(url=url, final_url=url, status=200, body=html.encode(), fetched_at="2025-06-08T12:00:00+00:00")
        records[name] = article_record(page, job.run(page)).to_dict()
    assert (records["farm"]["original_source"], records["farm"]["original_url"]) == ("www.bbc.com", None)
    assert records["bbc"]["original_source"] is None
    store = SQLiteStore(tmp_path / "stories.sqlite3")
    index = StoryIndex(store)
    # As a crawl meets them: the aggregator first, then the rewrite, the BBC page last.
    aggregator = index.add(Newcomer.from_record(records["aggregator"]))
    farm = index.add(Newcomer.from_record(records["farm"]))
    bbc = index.add(Newcomer.from_record(records["bbc"]))
    assert aggregator.story == farm.story == bbc.story
    assert farm.relation == "rewrite"
    assert bbc.relation == "original"  # the rewrite credits www.bbc.com
    story = store.story(bbc.story)
    assert story.attributed and store.entries([story.original])[0].url == seedpages.BBC_URL
    members = {m.url: StoryIndex(store).relation_to(m, store.entries([story.original])[0])
               for m in store.members(bbc.story)}
    assert members == {seedpages.BBC_URL: "original", seedpages.AGGREGATOR_URL: "duplicate",
                       seedpages.FARM_URL: "rewrite"}
    store.close()
