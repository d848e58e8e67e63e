"""Metadata a reader can trust: the printed headline, people as authors, dates with time and offset, the
language always set. Hand-written pages for each failure family seen on real pages, in several languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from scraper import clean
from scraper.authors import Byline, split_byline
from scraper.clean import parse_html
from scraper.metadata import PageMeta, read_page_meta, strip_site_name
from tests.conftest import BODY

NOW = dt.datetime(2025, 6, 20, 12, 0, tzinfo=dt.UTC)


def _page(body: str = "", head: str = "", lang: str = "en") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head><body>"
            f"<article>{body}{paragraphs}</article></body></html>")


def _meta(body: str = "", head: str = "", url: str = "https://news.example.com/2025/06/12/story",
          lang: str = "en") -> PageMeta:
    return read_page_meta(parse_html(_page(body, head, lang)), url, now=NOW)


def _ld(obj: dict[str, object]) -> str:
    return f"<script type='application/ld+json'>{json.dumps(obj)}</script>"


# -- titles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "site", "url", "expected"),
    [
        ("Anleihen: Renditen steigen weiter | Börsen-Zeitung", "Börsen-Zeitung", "https://www.boersen-zeitung.de/a",
         "Anleihen: Renditen steigen weiter"),
        ("Neue Grafikkarten vorgestellt - Golem.de", None, "https://www.golem.de/news/a.html",
         "Neue Grafikkarten vorgestellt"),
        ("Wahl in Spanien: Sánchez gewinnt | DW | 28.04.2023", "DW", "https://www.dw.com/de/a",
         "Wahl in Spanien: Sánchez gewinnt"),
        ("Peakforce – Acht Tipps für den Gipfel", "Peakforce", "https://peakforce.example/a",
         "Acht Tipps für den Gipfel"),
        ("Le gouvernement présente son budget - Le Monde", "Le Monde", "https://www.lemonde.fr/a",
         "Le gouvernement présente son budget"),
        # the host written before the headline without a separator
        ("davidbau.com Vibe Coding", None, "https://davidbau.com/archives/a.html", "Vibe Coding"),
        # an aggregator names the story's source after it
        ("Grads Find Their Degrees No Longer Guarantee Jobs (latimes.com) - Slashdot", None,
         "https://news.slashdot.org/story/a", "Grads Find Their Degrees No Longer Guarantee Jobs"),
        # a domain that is the headline's subject stays
        ("Amazon.com Reports Record Holiday Sales", None, "https://news.example.com/a",
         "Amazon.com Reports Record Holiday Sales"),
    ],
)
def test_title_loses_the_site_name_before_or_after_it(title: str, site: str | None, url: str, expected: str) -> None:
    head = f"<title>{title}</title>" + (f"<meta property='og:site_name' content='{site}'>" if site else "")
    assert _meta(head=head, url=url).title == expected


def test_title_decodes_entities_even_when_encoded_twice() -> None:
    head = "<meta property='og:title' content='Streit um &amp;quot;Heizungsgesetz&amp;quot; &amp;#8211; Einigung'>"
    assert _meta(head=head, url="https://www.zeitung.example/a").title == 'Streit um "Heizungsgesetz" – Einigung'


def test_the_printed_h1_wins_over_the_seo_title_it_agrees_with() -> None:
    head = "<title>Reservoir levels 2025: all you need to know | The Courier</title>"
    body = "<h1>Reservoir levels fall to a record low after the driest spring</h1>"
    assert _meta(body, head).title == "Reservoir levels fall to a record low after the driest spring"


def test_a_logo_or_menu_h1_is_not_the_headline() -> None:
    head = ("<meta property='og:site_name' content='The Courier'>"
            "<meta property='og:title' content='Reservoir levels fall to a record low'>")
    body = "<h1>The Courier</h1><h1>Menu</h1>"
    assert _meta(body, head).title == "Reservoir levels fall to a record low"


def test_a_date_printed_inside_the_h1_is_not_part_of_the_headline() -> None:
    head = "<meta property='og:title' content='Preparing a transition in Debusine'>"
    body = "<h1><time>Dec 18 2025</time> Preparing a transition in Debusine</h1>"
    assert _meta(body, head).title == "Preparing a transition in Debusine"


@pytest.mark.parametrize(("itemtype", "lang", "h1", "seo"), [
    ("http://schema.org/Article", "en", "The Disappearance of John M. Ford",
     "The Resurrection of the Greatest Sci-Fi Writer You’ve Never Read"),
    ("https://schema.org/NewsArticle", "ru", "53-летняя модель: «Посмотри на красотку, которая превратилась в старуху»",
     "53-летняя модель рассказала что больше всего боится стареть: новости, фото"),
])
def test_the_h1_the_article_marks_as_its_headline_wins_over_another_seo_title(itemtype: str, lang: str, h1: str,
                                                                              seo: str) -> None:
    head = f"<meta property='og:title' content='{seo}'>" + _ld({"@type": "NewsArticle", "headline": seo})
    body = f"<div itemscope itemtype='{itemtype}'><h1 itemprop='headline'>{h1}</h1></div>"
    assert _meta(body, head, lang=lang).title == h1
    # the page's item, not the article's (a portfolio page's "Web Designs"): the SEO title stays
    page = body.replace(itemtype, "https://schema.org/WebPage")
    assert _meta(page, head, lang=lang).title == seo


@pytest.mark.parametrize(("h1", "og"), [
    ("What Are The Basics Of Event Planning? Beginner? Guide",
     "What Are The Basics Of Event Planning: Beginner's Guide"),
    ("Stra\ufffde gesperrt: Umleitung \ufffdber die B 27", "Straße gesperrt: Umleitung über die B 27"),
])
def test_an_h1_whose_characters_the_encoding_turned_into_question_marks_gives_way_to_the_reference(
        h1: str, og: str) -> None:
    head = f"<meta property='og:title' content=\"{og}\">"
    assert _meta(f"<h1>{h1}</h1>", head).title == og
    assert _meta("<h1>Is the drought over? Experts are not sure</h1>",
                 "<meta property='og:title' content='Is the drought over? Experts are not sure'>").title == \
        "Is the drought over? Experts are not sure"


@pytest.mark.parametrize(("given", "site_name"), [
    ("https://www.newsnation.in", "newsnation.in"),  # a URL: its host
    ("Wday_", "Wday"),
    ("© 2000-2026 Newegg Inc.", "Newegg Inc."),  # a copyright line: its holder
    ("© 2025 Die Zeitung. Alle Rechte vorbehalten.", "Die Zeitung"),
    ("Copyright 2014", None),  # only a year
    ("The Courier", "The Courier"),
])
def test_the_site_name_is_a_name_not_a_url_or_a_copyright_line(given: str, site_name: str | None) -> None:
    assert _meta(head=f"<meta property='og:site_name' content='{given}'>").site_name == site_name


def test_strip_site_name_keeps_a_title_that_is_only_the_site_name() -> None:
    assert strip_site_name("The Courier", {"thecourier"}) == "The Courier"


# -- authors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("Von Birgit Baumann und Anna Giulia Fink", ("Birgit Baumann", "Anna Giulia Fink")),
        ("Por Ana Ruiz y Pedro Gómez", ("Ana Ruiz", "Pedro Gómez")),
        ("Par Jean Dupont et Marie Curie", ("Jean Dupont", "Marie Curie")),
        ("Door Jan de Vries en Els Bakker", ("Jan de Vries", "Els Bakker")),
        ("Di Marco Rossi e Giulia Bianchi", ("Marco Rossi", "Giulia Bianchi")),
        ("Av Anna Svensson och Erik Lind", ("Anna Svensson", "Erik Lind")),
        ("Text: Maria Koch / Jan Weber", ("Maria Koch", "Jan Weber")),
        ("Joan Puig i Ferran Vidal", ("Joan Puig", "Ferran Vidal")),
        ("Dr. Andrew Huberman", ("Dr. Andrew Huberman",)),
        ("Doris Munoz-Mantilla, MD, FOMA", ("Doris Munoz-Mantilla, MD, FOMA",)),
        ("Von Birgit Baumann, Frankfurt", ("Birgit Baumann",)),
        ("Keith Barry Senior Autos Reporter", ("Keith Barry",)),
        ("Rasa Mickevičienė, Mykolo Romerio universiteto Teisės mokyklos profesorė, Lrt.lt", ("Rasa Mickevičienė",)),
        ("Jane Doe | Reviewed by John Roe", ("Jane Doe",)),
        ("BySummer Swann", ("Summer Swann",)),
        ("Written By Angela Holliday-Bell, MD*", ("Angela Holliday-Bell, MD",)),
        ("Von Jan Koch† und Eva Lang‡", ("Jan Koch", "Eva Lang")),
        # names in capitals: capitals after them are more names, not credentials (only listed ones are)
        ("By LISA MASCARO, MARY CLARE JALONICK and ERIC TUCKER", ("LISA MASCARO", "MARY CLARE JALONICK",
                                                                 "ERIC TUCKER")),
        ("DANICA KIRKA, JILL LAWLESS", ("DANICA KIRKA", "JILL LAWLESS")),
        ("JANE DOE, MD", ("JANE DOE, MD",)),
        ("By Sandee LaMotte, CNN", ("Sandee LaMotte",)),  # the outlet, not a credential
        ("Por Ana Ruiz, RTVE", ("Ana Ruiz",)),
        ("By Victor Davis Hanson | About Victor Davis Hanson", ("Victor Davis Hanson",)),
        ("KWCHCIK", ()),  # a station's call sign
        ("PMJS - Coordenadoria de TI", ()),  # a city hall's IT department
        ("Department of Health", ()),
    ],
)
def test_bylines_become_people(byline: str, people: tuple[str, ...]) -> None:
    assert split_byline(byline).people == people


def test_wire_services_go_to_agencies_not_authors() -> None:
    byline = split_byline("Jane Doe, AP; Reuters; dpa")
    assert byline.people == ("Jane Doe",)
    assert byline.agencies == ("AP", "Reuters", "dpa")


@pytest.mark.parametrize(("byline", "agency"), [("Reuters, Washington,", "Reuters"), ("dpa, Berlin", "dpa"),
                                                ("EFE, Madrid", "EFE")])
def test_the_place_after_a_wire_service_is_its_dateline_not_an_author(byline: str, agency: str) -> None:
    assert split_byline(byline) == Byline((), (agency,))
    assert split_byline(f"{byline.rstrip(',')}, Jane Doe").people == ("Jane Doe",)


def test_a_desk_named_after_the_site_is_not_an_author() -> None:
    head = "<meta property='og:site_name' content='The Telegraph'>"
    meta = _meta("<h1>Reservoir levels fall</h1><p class='byline'>By Telegraph Sport</p>", head=head,
                 url="https://www.telegraph.co.uk/sport/2025/06/12/story/")
    assert meta.authors == ()


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("(北京=新华社) 记者 张三 李四", ("张三", "李四")),
        ("서울=연합뉴스) 홍길동 기자 = 정부는", ("홍길동",)),
        ("山田太郎記者", ("山田太郎",)),
    ],
)
def test_cjk_bylines(text: str, people: tuple[str, ...]) -> None:
    assert split_byline(text).people == people


def test_publisher_names_are_not_authors() -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Reservoir levels fall",
                "author": [{"@type": "Organization", "name": "Deutsche Welle"}],
                "publisher": {"@type": "Organization", "name": "Deutsche Welle"}})
    meta = _meta(head=head, url="https://www.dw.com/de/a")
    assert meta.authors == ()
    head = "<meta name='author' content='n-tv NACHRICHTEN'><meta property='og:site_name' content='n-tv.de'>"
    assert _meta(head=head, url="https://www.n-tv.de/politik/a").authors == ()
    head = "<meta name='author' content='VnExpress'>"
    assert _meta(head=head, url="https://vnexpress.net/a").authors == ()


def test_json_ld_person_authors_come_first_and_organisation_authors_are_dropped() -> None:
    head = _ld({"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ana Ruiz"},
                                                  {"@type": "Organization", "name": "Reuters"}]})
    meta = _meta("<div class='byline'>By Someone Else</div>", head)
    assert meta.authors == ("Ana Ruiz",)
    assert meta.agencies == ("Reuters",)


def test_names_in_separate_links_are_not_run_together() -> None:
    body = ("<div class='byline'>Von <a href='/autor/bb'>Birgit Baumann</a><a href='/autor/af'>Anna Giulia Fink</a>"
            "<a href='/autor/jm'>Jan Michael Marchart</a></div>")
    assert _meta(body).authors == ("Birgit Baumann", "Anna Giulia Fink", "Jan Michael Marchart")


def test_a_personal_site_named_after_its_author_keeps_the_author() -> None:
    head = "<meta name='author' content='Ben Nadel'><meta property='og:site_name' content='Ben Nadel'>"
    assert _meta(head=head, url="https://www.bennadel.com/blog/a").authors == ("Ben Nadel",)


@pytest.mark.parametrize("links", [
    "<a href='/browse-by-manufacturer/'>By Manufacturer</a>",  # the label is the address
    "<a href='/projector-categories/'>By Category</a> <a href='/brands/'>By Brand</a>",  # one word, not in it
])
def test_a_menu_link_saying_by_something_is_no_byline(links: str) -> None:
    assert _meta(f"<div class='browse'><h4>Reviews</h4>{links}</div>").authors == ()


@pytest.mark.parametrize(("link", "people"), [
    ("<a href='/search?type=article&q=Meaghan Weeden'>by Meaghan Weeden</a>", ("Meaghan Weeden",)),
    ("<a href='https://social.example/@jdoe'>By Jane Doe</a>", ("Jane Doe",)),  # a full name stays a byline
])
def test_a_byline_that_is_a_link_elsewhere_stays_a_byline(link: str, people: tuple[str, ...]) -> None:
    assert _meta(f"<div class='my-meta'><span>{link}</span></div>").authors == people


def test_comment_authors_are_not_the_article_author() -> None:
    body = "<div class='comments'><div class='comment-author'>Jiobal says</div></div>"
    assert _meta(body).authors == ()


@pytest.mark.parametrize(("line", "lang", "people"), [
    # the line after the headline: name, job, day, without a "By"
    ("<p>Aaron Ricadela | Senior Writer | June 2, 2025</p>", "en", ("Aaron Ricadela",)),
    # the day first, each part its own element, a separator between them
    ("<div><span>Jun 17, 2025</span><span>·</span><span>Julian K. Arni</span></div>", "en", ("Julian K. Arni",)),
    ("<div class='meta'><span>12.06.2025</span> · <span>Anna Schmidt</span> · <span>4 Min</span></div>", "de",
     ("Anna Schmidt",)),
    ("<p>12 juin 2025 • Claire Dubois et Marc Petit</p>", "fr", ("Claire Dubois", "Marc Petit")),
    # the section after "in" is a link; the name is not
    ("<div>June 3, 2025 • <img src='a.png' alt=''> Mahua Das in <a href='/category/tools'>Product</a></div>",
     "en", ("Mahua Das",)),
])
def test_a_header_line_with_a_day_names_the_writer_without_a_by(line: str, lang: str, people: tuple[str, ...]
                                                                ) -> None:
    assert _meta(f"<header><h1>A headline about the harbour</h1>{line}</header>", lang=lang).authors == people


@pytest.mark.parametrize("line", [
    # a kicker linking to its section, or classed as one, is no writer
    "<p><a href='/world/middle-east'>Middle East</a> · June 3, 2025</p>",
    "<p><span class='article-category'>Real Estate</span> | June 3, 2025</p>",
    # a subtitle that mentions a day is no meta line
    "<p>Harbour Master Jane Doe said on June 3, 2025 that the port reopens</p>",
    "<p>Jane Doe | Harbour Master, said on June 3, 2025 that the port reopens</p>",
    # a name with no day beside it is a subtitle or a caption here, not a dated meta line
    "<p>Jane Doe | Senior Writer</p>",
    # a one-word piece ("Sport") is a section, not a person
    "<p>Sport | June 3, 2025</p>",
])
def test_a_header_line_without_a_name_and_a_day_names_no_writer(line: str) -> None:
    assert _meta(f"<header><h1>A headline about the harbour</h1>{line}</header>").authors == ()


# -- dates ------------------------------------------------------------------------------------------


def test_dates_keep_time_and_offset_and_modified_never_precedes_published() -> None:
    head = _ld({"@type": "NewsArticle", "datePublished": "2025-06-12T07:15:00+02:00",
                "dateModified": "2025-06-01T09:00:00Z"})
    meta = _meta(head=head)
    assert meta.published == "2025-06-12T07:15:00+02:00"
    assert meta.modified is None


def test_a_modified_time_before_the_published_one_goes_but_a_modified_day_alone_is_compared_as_a_day() -> None:
    timed = _meta(head=_ld({"@type": "NewsArticle", "datePublished": "2025-06-12T07:15:00+00:00",
                            "dateModified": "2025-06-12T07:10:00+00:00"}))
    assert (timed.published, timed.modified) == ("2025-06-12T07:15:00+00:00", None)
    day = _meta(head=_ld({"@type": "NewsArticle", "datePublished": "2025-06-12T07:15:00+00:00",
                          "dateModified": "2025-06-12"}))
    assert day.modified == "2025-06-12"


@pytest.mark.parametrize(("written", "expected"), [
    ("12 Jun 2025 07:09 GMT", "2025-06-12T07:09:00+00:00"),
    ("Thu, 12 Jun 2025 16:07:38 -0600", "2025-06-12T16:07:38-06:00"),  # RFC 2822
    ("Thu Jun 12 2025 03:05:46 GMT+0100", "2025-06-12T03:05:46+01:00"),  # JavaScript's Date.toString()
    ("01:38:07 PM IST Jun 12, 2025", "2025-06-12T13:38:07+05:30"),
    ("June 12, 2025, 07:47 PM EST", "2025-06-12T19:47:00-05:00"),
    ("June 12, 2025 9:02 AM ET", "2025-06-12T09:02:00-04:00"),  # the region's summer offset that day
    ("June 12, 2025 - 11:28 AMT", "2025-06-12T11:28:00"),  # an abbreviation naming several zones: local time
])
def test_a_datetime_written_in_words_keeps_its_time_and_zone(written: str, expected: str) -> None:
    for head in (_ld({"@type": "NewsArticle", "datePublished": written}),
                 f"<meta property='article:published_time' content='{written}'>"):
        meta = _meta(head=head, url="https://news.example.com/story")
        assert (meta.published, meta.published_source) == (expected, "structured")


def test_microdata_dates_with_several_properties_or_in_the_text_of_the_articles_item() -> None:
    several = _meta(head="<meta itemprop='datePublished dateCreated' content='2025-06-12T17:56:27.000Z'>",
                    url="https://news.example.com/story")
    assert several.published == "2025-06-12T17:56:27+00:00"
    item = ("<div itemscope itemtype='http://schema.org/NewsArticle'><h1>Reservoir levels fall</h1>"
            "<div itemprop='datePublished'>2025-06-12T08:57:40+01:00</div>"
            "<div itemscope itemtype='https://schema.org/Answer'>"
            "<div class='d-none' itemprop='dateModified'>2025-06-19 01:30:35 +00:00</div></div></div>")
    meta = _meta(item, url="https://news.example.com/story")
    assert (meta.published, meta.modified) == ("2025-06-12T08:57:40+01:00", None)  # not an answer's date
    answer_only = _meta(item.replace("NewsArticle", "QAPage"), url="https://news.example.com/story")
    assert answer_only.published != "2025-06-12T08:57:40+01:00"


@pytest.mark.parametrize(("line", "lang", "expected"), [
    ("Published 11:11 PM EST Jun 11, 2025", "en", "2025-06-11T23:11:00-05:00"),  # the time before the day
    ("June 11, 2025, 9:02 AM", "en", "2025-06-11T09:02:00"),
    ("on Wednesday, June 11th, 2025 at 11:04 a.m.", "en", "2025-06-11T11:04:00"),
    ("By <a href='/staff/jane-doe/'>Jane Doe</a> on Wednesday, June 11th, 2025 at 11:04 a.m.", "en",
     "2025-06-11T11:04:00"),  # the byline's date between its links
    ("기사입력 : 2025-06-11 15:24", "ko", "2025-06-11T15:24:00"),
    ("le 11 juin 2025 à 14h30", "fr", "2025-06-11T14:30:00"),
    ("11.06.2025, 14:30 Uhr", "de", "2025-06-11T14:30:00"),
    ("Veröffentlicht am 11.06.2025", "de", "2025-06-11"),  # no time printed: the day alone, not "11:06"
])
def test_the_time_printed_with_the_day_is_kept(line: str, lang: str, expected: str) -> None:
    body = f"<h1>Reservoir levels fall</h1><p class='meta'>{line}</p>"
    meta = _meta(body, url="https://news.example.com/story", lang=lang)
    assert (meta.published, meta.published_source) == (expected, "printed")
    with_day = _meta(body, head=_ld({"@type": "NewsArticle", "datePublished": "2025-06-11"}),
                     url="https://news.example.com/story", lang=lang)
    assert (with_day.published, with_day.published_source) == (expected, "structured")


def test_a_date_in_the_future_is_refused() -> None:
    head = "<meta property='article:published_time' content='2025-07-30T10:00:00Z'>"
    meta = _meta(head=head, url="https://news.example.com/story")
    assert meta.published != "2025-07-30T10:00:00+00:00"


def test_the_printed_date_is_used_when_the_metadata_is_silent() -> None:
    body = "<h1>Reservoir levels fall</h1><p class='meta'>Veröffentlicht am 12.06.2025</p>"
    meta = _meta(body, url="https://news.example.com/story")
    assert meta.published == "2025-06-12"
    assert meta.published_source == "printed"


def test_the_url_date_comes_last() -> None:
    meta = _meta(url="https://news.example.com/2025/06/11/story")
    assert (meta.published or "")[:10] == "2025-06-11"


# -- language ---------------------------------------------------------------------------------------


def test_language_is_declared_or_detected_with_its_source() -> None:
    article = clean(_page(lang="en"), "https://news.example.com/a")
    assert (article.language, article.language_source) == ("en", "html-lang")
    german = ("<p>Die Stadtwerke senken zum ersten August den Arbeitspreis für Haushaltsstrom deutlich, teilte "
              "das Unternehmen am Montag mit. Kundinnen und Kunden müssen dafür nichts unternehmen.</p>") * 4
    html = f"<html><head><title>Strompreis sinkt</title></head><body><article>{german}</article></body></html>"
    article = clean(html, "https://zeitung.example.de/a")
    assert (article.language, article.language_source) == ("de", "detected")


def test_markup_dates_published_and_modified_in_one_read() -> None:
    body = ("<span itemprop='datePublished' content='2025-06-10'></span>"
            "<time class='updated' datetime='2025-06-11T10:00:00Z'>June 11</time>")
    meta = _meta(body, url="https://news.example.com/story")
    assert (meta.published, meta.published_source) == ("2025-06-10", "structured")
    assert meta.modified == "2025-06-11T10:00:00+00:00"


def test_markup_after_the_closing_html_tag_is_read_too() -> None:
    """libxml2 puts markup after ``</html>`` into a second ``<html>`` beside the root: its author
    and date markup still count, as XPath over the whole document finds them."""
    page = _page().replace("</html>", "</html><div><span itemprop='author'>Jane Doe</span>"
                                      "<time pubdate datetime='2025-06-09T08:00:00Z'>9 June</time></div>")
    tree = parse_html(page)
    assert len(list(tree.itersiblings())) == 1  # the page does make a second root
    meta = read_page_meta(tree, "https://news.example.com/story", now=NOW)
    assert meta.authors == ("Jane Doe",)
    assert meta.published == "2025-06-09T08:00:00+00:00"
