"""Metadata failure families found on real pages (titles, dates, authors): hand-written pages, several languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from scraper.clean import parse_html
from scraper.metadata import PageMeta, read_page_meta, strip_site_name
from tests.conftest import BODY

NOW = dt.datetime(2025, 6, 20, 12, 0, tzinfo=dt.UTC)


def _meta(body: str = "", head: str = "", url: str = "https://news.example.com/story", lang: str = "en",
          body_class: str = "") -> PageMeta:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    html = (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head>"
            f"<body class='{body_class}'><article>{body}{paragraphs}</article></body></html>")
    return read_page_meta(parse_html(html), url, now=NOW)


def _ld(obj: dict[str, object]) -> str:
    return f"<script type='application/ld+json'>{json.dumps(obj)}</script>"


# -- titles: visibility -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body_class", "og", "h1", "lang"),
    [
        ("single-post hide-focus-outline content-title-style-normal", "Best Office Chairs for Back Pain Relief",
         "Best Office Chairs to Prevent Back Pain", "en"),
        ("wp-theme-genesis genesis-breadcrumbs-hidden", "Vor- und Nachteile des Lebens im Tiny House",
         "Vor- und Nachteile des Lebens im Tiny House: Warum so wohnen?", "de"),
        ("tweak-blog-item-show-date hide-opentable-icons", "Técnicas de composición en paisaje",
         "Técnicas de composición en la fotografía de paisaje", "es"),
    ],
)
def test_a_class_naming_a_hidden_part_does_not_hide_the_headline(body_class: str, og: str, h1: str, lang: str
                                                                 ) -> None:
    head = f"<meta property='og:title' content='{og}'>"
    assert _meta(f"<h1>{h1}</h1>", head, lang=lang, body_class=body_class).title == h1


@pytest.mark.parametrize("hidden", ["class='sr-only'", "class='entry-title is-hidden'", "class='d-none'",
                                    "style='display: none'", "hidden", "class='screen-reader-text'"])
def test_a_hidden_h1_is_still_not_the_headline(hidden: str) -> None:
    head = "<meta property='og:title' content='Reservoir levels fall to a record low'>"
    body = f"<h1 {hidden}>Reservoir levels fall: our full archive of water stories</h1>"
    assert _meta(body, head).title == "Reservoir levels fall to a record low"


def test_a_tailwind_h1_shown_from_a_breakpoint_on_is_visible() -> None:
    head = "<meta property='og:title' content='Reservoir levels 2025: all you need to know'>"
    body = "<h1 class='hidden md:block'>Reservoir levels fall to a record low after the driest spring</h1>"
    assert _meta(body, head).title == "Reservoir levels fall to a record low after the driest spring"


@pytest.mark.parametrize(
    ("h1", "og", "lang", "expected"),
    [
        ("<div><p>Tax 101: Understanding the basics</p><h4>A guide to the types of taxes Americans pay, how they "
         "work, and why it matters</h4></div>", "Tax 101: Understanding the basics", "en",
         "Tax 101: Understanding the basics"),
        ("<div><p>Die Bahn streicht weitere Verbindungen</p><h4>Fahrgäste im Norden müssen sich auf lange Umwege "
         "einstellen, sagt der Konzern</h4></div>", "Die Bahn streicht weitere Verbindungen | Nordkurier", "de",
         "Die Bahn streicht weitere Verbindungen"),
        # a headline set in two lines is kept whole
        ("<span>Le budget 2025</span><br><span>adopté de justesse</span>", "Le budget 2025 adopté de justesse", "fr",
         "Le budget 2025 adopté de justesse"),
    ],
)
def test_an_h1_holding_the_headline_and_a_standfirst_gives_the_headline(h1: str, og: str, lang: str,
                                                                        expected: str) -> None:
    head = f"<meta property='og:title' content='{og}'><meta property='og:site_name' content='Nordkurier'>"
    assert _meta(f"<h1>{h1}</h1>", head, lang=lang).title == expected


# -- titles: UTF-8 encoded twice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected", "lang"),
    [
        ("A DIY Investor\u00e2\u0080\u0099s Guide to Retirement", "A DIY Investor’s Guide to Retirement", "en"),
        ("Stra\u00c3\u009fenbahn f\u00c3\u00a4hrt wieder", "Straßenbahn fährt wieder", "de"),
        ("L\u00e2\u20ac\u2122\u00c3\u00a9t\u00c3\u00a9 arrive", "L’été arrive", "fr"),
        ("La pâte à choux de São Paulo", "La pâte à choux de São Paulo", "fr"),
    ],
)
def test_a_title_encoded_twice_as_utf8_is_repaired(printed: str, expected: str, lang: str) -> None:
    assert _meta(f"<h1>{printed}</h1>", f"<title>{printed}</title>", lang=lang).title == expected


# -- titles: a brand before a colon, a cut JSON-LD headline -----------------------------------------


@pytest.mark.parametrize(
    ("title", "keys", "expected"),
    [
        ("Docker Hardened Images: Security Independently Validated by SRLabs", {"docker", "dockercom"},
         "Docker Hardened Images: Security Independently Validated by SRLabs"),
        ("Corti introduces GIM: a new standard for interpretability", {"corti", "cortiai"},
         "Corti introduces GIM: a new standard for interpretability"),
        ("Golem.de: Neue Grafikkarten vorgestellt", {"golem", "golemde"}, "Neue Grafikkarten vorgestellt"),
        ("Engora Data Blog: Small adventures with small language models", {"engora", "engoracom"},
         "Small adventures with small language models"),
        ("Berliner Zeitung: Senat beschließt Haushalt", {"berlinerzeitung", "berlinerzeitungde"},
         "Senat beschließt Haushalt"),
        ("Lessons Learned: The lean startup", {"startuplessonslearned"}, "The lean startup"),
    ],
)
def test_a_brand_with_more_words_before_a_colon_is_the_headline_s_subject(title: str, keys: set[str],
                                                                          expected: str) -> None:
    assert strip_site_name(title, keys) == expected


@pytest.mark.parametrize(
    ("full", "lang"),
    [
        ("Fix It Friday: Struggling With How To Arrange Your Living Room? We Help 4 Readers Find Solutions "
         "(Including One Universal Trick That Works)", "en"),
        ("Wohnungsmarkt in Berlin: Warum die Mieten trotz Mietpreisbremse weiter steigen und was der Senat "
         "jetzt dagegen unternehmen will", "de"),
    ],
)
def test_a_json_ld_headline_cut_at_the_length_limit_gives_way_to_the_full_one(full: str, lang: str) -> None:
    cut = full[:110].rsplit(" ", 1)[0]
    head = _ld({"@type": "NewsArticle", "headline": cut}) + f"<meta property='og:title' content='{full} - Example'>"
    assert _meta(head=head, lang=lang, url="https://www.example.com/a").title == full


# -- dates: a year is not a day ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("footer", "lang"),
    [("© 2014 Example Media. All rights reserved.", "en"), ("Copyright 2019 Beispiel Verlag GmbH", "de"),
     ("© 2021 Éditions Exemple – tous droits réservés", "fr"), ("Fundado en 2003", "es")],
)
def test_a_copyright_year_is_not_a_publication_day(footer: str, lang: str) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    html = (f"<html lang='{lang}'><head><title>Ein Ratgeber</title></head><body><article>{paragraphs}</article>"
            f"<footer><p>{footer}</p></footer></body></html>")
    meta = read_page_meta(parse_html(html), "https://site.example/guide", now=NOW)
    assert meta.published is None


@pytest.mark.parametrize(
    ("printed", "lang"),
    [("Published January 1, 2025", "en"), ("Veröffentlicht am 01.01.2025", "de"), ("Publié le 1er janvier 2025", "fr"),
     ("Publicado el 1 de enero de 2025", "es")],
)
def test_a_printed_first_of_january_is_still_a_day(printed: str, lang: str) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    html = (f"<html lang='{lang}'><head><title>Ein Ratgeber</title></head><body><article><p>{printed}</p>"
            f"{paragraphs}</article><footer><p>© 2025 Example</p></footer></body></html>")
    meta = read_page_meta(parse_html(html), "https://site.example/guide", now=NOW)
    assert (meta.published or "")[:10] == "2025-01-01"


# -- authors: a label and the name in different elements ---------------------------------------------


@pytest.mark.parametrize(
    ("byline", "lang", "people"),
    [
        ("<p>By <strong>Md Aynal Haque</strong></p>", "en", ("Md Aynal Haque",)),
        ("<p class='meta'><span>Von <a href='/thema/jan'>Jan Koch</a></span></p>", "de", ("Jan Koch",)),
        ("<p>Por <b>Ana Ruiz</b> y <b>Pedro Gómez</b></p>", "es", ("Ana Ruiz", "Pedro Gómez")),
        ("<div><span>Written by:</span><picture><source srcset='a.webp'></picture><span>Elise Nass</span></div>",
         "en", ("Elise Nass",)),
        ("<div><span>Par</span><svg></svg><span>Jean Dupont</span></div>", "fr", ("Jean Dupont",)),
    ],
)
def test_a_byline_label_with_the_name_in_another_element(byline: str, lang: str, people: tuple[str, ...]) -> None:
    assert _meta(f"<h1>Ein Titel für die Seite</h1>{byline}", lang=lang).authors == people



@pytest.mark.parametrize(
    ("byline", "lang", "people"),
    [
        ("<section><h2>Article written by:</h2><div><img src='d.webp' alt=''><h3>Doris Munoz-Mantilla, MD, FOMA"
         "</h3></div></section>", "en", ("Doris Munoz-Mantilla, MD, FOMA",)),
        ("<div><h2>Article by</h2><div>Matias Heikkilä</div></div>", "en", ("Matias Heikkilä",)),
        ("<div><h4>Story by</h4><p>Ann Baker</p></div>", "en", ("Ann Baker",)),
        ("<div><span>Ein Beitrag von</span><span>Jan Koch</span></div>", "de", ("Jan Koch",)),
        ("<div><span>Geschrieben von:</span><span>Eva Lang</span></div>", "de", ("Eva Lang",)),
        ("<div><span>Escrito por</span><a href='/equipo'>Ana Ruiz</a></div>", "es", ("Ana Ruiz",)),
        ("<div><span>Écrit par</span><span>Jean Dupont</span></div>", "fr", ("Jean Dupont",)),
        ("<div><span>Scritto da</span><span>Marco Rossi</span></div>", "it", ("Marco Rossi",)),
        ("<div><span>Geschreven door</span><span>Eva de Vries</span></div>", "nl", ("Eva de Vries",)),
    ],
)
def test_a_label_heading_naming_the_writer_in_the_next_element(byline: str, lang: str, people: tuple[str, ...]
                                                              ) -> None:
    """"Article by" / "Article written by:" / "Geschrieben von" in a heading of its own, the name below it."""
    assert _meta(f"<h1>Ein Titel für die Seite</h1>{byline}", lang=lang).authors == people



@pytest.mark.parametrize(
    ("byline", "lang", "people"),
    [
        ("<div class='tags'><div><strong>Contributors:</strong> Janet Loughrey</div></div>", "en", ("Janet Loughrey",)),
        ("<div><h6>Author(s)</h6><ul><li><a href='/library/?_author=John%20A.%20Alic'>John A. Alic</a></li>"
         "<li><a href='/library/?_author=David%20C.%20Mowery'>David C. Mowery</a></li><li><a href='/library/?x'>"
         "Edward S. Rubin</a></li></ul></div>", "en", ("John A. Alic", "David C. Mowery", "Edward S. Rubin")),
        ("<p><b>Autor:</b> Jan Koch</p>", "de", ("Jan Koch",)),
        ("<p><strong>By</strong> Carl Dunn</p>", "en", ("Carl Dunn",)),
        ("<p>When <i>type</i> is <b>text</b>. Conversely, when <i>type</i> is binary the match fails.</p>", "en", ()),
        ("<div><span>Autores</span><ul><li>Ana Ruiz</li><li>Pedro Gómez</li></ul></div>", "es",
         ("Ana Ruiz", "Pedro Gómez")),
        ("<div><span>Auteur(s) :</span><span>Jean Dupont</span></div>", "fr", ("Jean Dupont",)),
    ],
)
def test_an_authors_label_with_the_names_after_it_or_in_a_list(byline: str, lang: str, people: tuple[str, ...]
                                                              ) -> None:
    """"Contributors:" with the name after the label's element, "Author(s)" over a list of names."""
    assert _meta(f"<h1>Ein Titel für die Seite</h1>{byline}", lang=lang).authors == people

def test_a_by_line_with_a_longer_label_in_one_string() -> None:
    assert _meta("<h1>Ein Titel</h1><p>Geschrieben von Eva Lang</p>", lang="de").authors == ("Eva Lang",)
    assert _meta("<h1>Un titre</h1><p>Écrit par Jean Dupont</p>", lang="fr").authors == ("Jean Dupont",)
    assert _meta("<h1>A title</h1><p>Article by Ann Baker</p>").authors == ("Ann Baker",)

@pytest.mark.parametrize(
    ("byline", "lang", "people"),
    [
        ("<div class='byline'><a href='/author/jane-doe'>Jane Doe</a> – Updated Sep 9, 2025 | Fact-checked by "
         "<a href='/author/john-roe'>John Roe</a></div>", "en", ("Jane Doe",)),
        ("<div class='byline'>Von <a href='/autor/jan-koch'>Jan Koch</a><span>Geprüft von:</span>"
         "<a href='/autor/eva-lang'>Eva Lang</a></div>", "de", ("Jan Koch",)),
        ("<div class='byline'>Por <a href='/autor/ana-ruiz'>Ana Ruiz</a>. Revisado por "
         "<a href='/autor/luis-paz'>Luis Paz</a></div>", "es", ("Ana Ruiz",)),
        ("<div class='byline'><a href='/author/a-b'>Ann Baker</a> and <a href='/author/c-d'>Carl Dunn</a></div>"
         "<figure><figcaption>Illustration by Carl Dunn</figcaption></figure>", "en", ("Ann Baker", "Carl Dunn")),
    ],
)
def test_a_reviewer_or_fact_checker_linked_beside_the_author_is_not_an_author(byline: str, lang: str,
                                                                              people: tuple[str, ...]) -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Ein Titel", "author": {"@type": "Person",
                                                                           "name": people[0]}})
    assert _meta(byline, head, lang=lang).authors == people


# -- dates: a printed day that is the metadata's day misread ------------------------------------------


@pytest.mark.parametrize(
    ("structured", "printed", "lang", "expected"),
    [
        # US order read day-first: "3/1/2025" is 1 March, the metadata's day
        ("2025-03-01T15:01:58+00:00", "3/1/2025", "en-US", "2025-03-01T15:01:58+00:00"),
        # the same day in the reader's time zone: the metadata keeps its time and offset
        ("2025-05-25T20:57:54-04:00", "May 25, 2025", "en", "2025-05-25T20:57:54-04:00"),
        ("2025-05-26T03:00:00+00:00", "25.05.2025", "de", "2025-05-26T03:00:00+00:00"),
        # a table's "1/1/2013" is no publication day
        ("2025-02-12T23:21:00+00:00", "1/1/2013", "en", "2025-02-12T23:21:00+00:00"),
        # a printed day really earlier than a re-import date still wins
        ("2025-06-10T10:00:00+00:00", "13.03.2025", "de", "2025-03-13"),
    ],
)
def test_a_printed_day_that_is_the_metadata_s_day_misread_gives_way(structured: str, printed: str, lang: str,
                                                                    expected: str) -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Ein Titel", "datePublished": structured})
    body = f"<header><h1>Ein Titel</h1><p class='date'>{printed}</p></header>"
    assert _meta(body, head, lang=lang, url="https://site.example/a").published == expected


# -- authors: an author card at the end of the article --------------------------------------------

_BIO = {
    "en": "{first} is a growth-focused writer covering healthcare technology, who has reported on hospitals, "
          "insurers and the software they buy for more than a decade, and who now edits our weekly newsletter.",
    "de": "{first} schreibt seit über zehn Jahren über Energiepolitik, Netze und Speicher und leitet heute das "
          "Ressort Wirtschaft; zuvor war sie Korrespondentin in Brüssel und hat zwei Bücher veröffentlicht.",
    "es": "{first} es periodista especializada en ciencia y medio ambiente; ha trabajado para varios diarios "
          "nacionales y hoy coordina la sección de sociedad, además de escribir una columna semanal.",
}


@pytest.mark.parametrize(
    ("card", "lang", "name"),
    [
        ("<div class='blog_author-box'><img alt=''><div class='text-semibold'>Lauren Vetter</div>"
         "<div class='blog_author-text'><p>{bio}</p></div></div>", "en", "Lauren Vetter"),
        ("<div class='blog-author'><h3>Über die Autorin</h3><span class='avatar'>EL</span><h4>Eva Lang</h4>"
         "<p>{bio}</p></div>", "de", "Eva Lang"),
        ("<section class='post-author card'><p><strong>Ana Ruiz:</strong> {bio}</p></section>", "es", "Ana Ruiz"),
    ],
)
def test_the_name_on_an_author_card_with_a_biography(card: str, lang: str, name: str) -> None:
    bio = _BIO[lang].format(first=name.split(maxsplit=1)[0])
    assert _meta(card.format(bio=bio), lang=lang).authors == (name,)


def test_an_author_card_opening_with_prose_names_nobody() -> None:
    card = f"<div class='author-box'><p>{_BIO['en'].format(first='Our editor')}</p></div>"
    assert _meta(card).authors == ()



@pytest.mark.parametrize(
    ("card", "lang", "name"),
    [
        ("<div class='callout'><img alt='alban Brooke'><div><h3>Alban Brooke</h3><p>{bio}</p></div></div>", "en",
         "Alban Brooke"),
        ("<hr><p><strong>Tim Green</strong> <em>UK-based Systems Theorist &amp; Technology Writer</em></p>"
         "<p>Tim explores the intersections of artificial intelligence, decentralised cognition and ethics. His "
         "work appears in several journals.</p>", "en", "Tim Green"),
        ("<p><img src='j.jpg' alt='Julia Gralberg'></p><p>{bio}</p>", "en", "Julia Gralberg"),
        ("<div><h4>Eva Lang</h4><p>{bio}</p></div>", "de", "Eva Lang"),
        ("<div><p><b>Ana Ruiz</b></p><p>{bio}</p></div>", "es", "Ana Ruiz"),
    ],
)
def test_a_name_over_a_biography_of_that_person_names_the_author(card: str, lang: str, name: str) -> None:
    """No author markup: a line holding only a name, then a paragraph about that person ("Alban Brooke is the
    Head of Marketing …", "Tim explores …"): the author's box at the article's end."""
    bio = _BIO[lang].format(first=name if lang == "en" else name.split(maxsplit=1)[0])
    assert _meta(card.format(bio=bio), lang=lang).authors == (name,)


def test_names_over_biographies_of_several_people_name_nobody() -> None:
    """A list of people ("Ten chefs to follow"), each a name over a paragraph about them: no author."""
    people = ["Jane Doe", "Carl Dunn", "Ann Baker"]
    cards = "".join(f"<h3>{p}</h3><p>{_BIO['en'].format(first=p)}</p>" for p in people)
    assert _meta(f"<h1>Three reporters to follow</h1>{cards}").authors == ()
    # a name over a paragraph about something else is no biography
    assert _meta("<h3>Jane Doe</h3><p>The council met on Tuesday to discuss the budget for the coming year and "
                 "agreed on a new plan for the harbour.</p>").authors == ()
    # a topic in title case restated by its paragraph is no person
    assert _meta("<h3>Art Deco</h3><p>Art Deco is a distinctive furniture style that emerged in the early 20th "
                 "century and remains sought after for its geometric design.</p>").authors == ()
    assert _meta("<h3>Facebook Shops</h3><p>Facebook Shops is a free tool that lets businesses sell to their "
                 "customers on Facebook and Instagram.</p>").authors == ()


@pytest.mark.parametrize(
    ("teaser", "lang"),
    [
        ("<article class='post'><h3><a href='/2025/12/other-story'>Clemson team wins an energy grant</a></h3>"
         "<div class='meta'><span>by</span><a href='/author/srm4/' class='fn'>Scott Miller</a></div></article>", "en"),
        ("<article class='teaser'><a href='/kultur/ein-anderer-text'><h4>Ein anderer Text aus dem Ressort</h4></a>"
         "<p class='meta'>Von <a rel='author' href='/autor/jan-koch'>Jan Koch</a></p></article>", "de"),
    ],
)
def test_the_byline_of_a_related_story_s_card_is_not_the_article_s(teaser: str, lang: str) -> None:
    """An ``<article>`` that is a card of another story (no ``<h1>``, a heading linking to it, little text)
    below or beside the article: its byline names that story's writer."""
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    html = (f"<html lang='{lang}'><body><main><h1>Ein Titel für die Seite</h1><article><h2 id='a'>"
            f"<a href='#a'>Part one</a></h2>{paragraphs}</article><section>{teaser}</section></main></body></html>")
    meta = read_page_meta(parse_html(html), "https://news.example.com/story", now=NOW)
    assert meta.authors == ()
    # the article's own byline still counts when its <h1> is outside its <article>
    byline = "<p class='byline'>By <a href='/author/ann-baker'>Ann Baker</a></p>"
    html = html.replace("<article><h2 id='a'>", f"<article>{byline}<h2 id='a'>")
    assert read_page_meta(parse_html(html), "https://news.example.com/story", now=NOW).authors == ("Ann Baker",)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_article_s_header_in_a_card_names_its_writer_and_a_teaser_card_does_not(lang: str) -> None:
    """A "card" container is a teaser's, unless it holds the page's headline: then it is the article's own
    header, styled as a card ("<div class='header-wrapper card'><header><h1>...")."""
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    header = ("<div class='header-wrapper card'><header class='post-header'><h1>Does the claim hold?</h1>"
              "<ul class='authors'><li><a class='author' href='/author/dan/'>Dan Evon</a></li></ul></header></div>")
    html = f"<html lang='{lang}'><body><article>{header}{paragraphs}</article></body></html>"
    assert read_page_meta(parse_html(html), "https://news.example.com/story", now=NOW).authors == ("Dan Evon",)
    teaser = html.replace("<h1>Does the claim hold?</h1>", "<h3><a href='/other'>Another claim checked</a></h3>")
    teaser = teaser.replace("<article>", "<article><h1>Does the claim hold?</h1>")
    assert read_page_meta(parse_html(teaser), "https://news.example.com/story", now=NOW).authors == ()


@pytest.mark.parametrize(
    ("body", "lang", "people"),
    [
        ("<div class='hero-authors'>By Angela Williams</div><p>The answer is no. As <a href='https://directory."
         "example.edu/academics/profile/ogbeide'>Dr. Stacy Ogbeide</a>, a board-certified clinical health "
         "psychologist with UT Health San Antonio, explains, the key to healthy weight loss is to build habits you "
         "can sustain over time and to keep them.</p>", "en", ("Angela Williams",)),
        ("<p class='byline'>Von Jan Koch</p><p>Wie <a href='/autoren/eva-lang'>Eva Lang</a>, die das Institut für "
         "Energiepolitik in Berlin leitet, im Gespräch sagt, wird der Ausbau der Netze noch mindestens zehn Jahre "
         "dauern, und die Kosten dafür tragen am Ende, wie so oft, die Kunden der Stadtwerke.</p>", "de",
         ("Jan Koch",)),
    ],
)
def test_a_profile_link_in_running_text_is_a_person_quoted_not_the_author(body: str, lang: str,
                                                                          people: tuple[str, ...]) -> None:
    assert _meta(f"<h1>Ein Titel für die Seite</h1>{body}", lang=lang).authors == people

# -- authors: a footer or sidebar class inside the article is the article's -----------------------


@pytest.mark.parametrize(
    ("meta", "lang", "name"),
    [
        ("<footer class='entry-footer'><p class='entry-meta'><span class='entry-author'>Posted by "
         "<a class='entry-author-link' rel='author' href='/author/kiersten/'>Kiersten</a></span></p></footer>",
         "en", "Kiersten"),
        ("<div class='post-sidebar'><div class='post_author-name'>Eva Lang</div></div>", "de", "Eva Lang"),
        ("<div class='articulo-footer'><a href='/autor/ana-ruiz'>Ana Ruiz</a></div>", "es", "Ana Ruiz"),
    ],
)
def test_a_byline_in_the_article_s_own_footer_or_sidebar(meta: str, lang: str, name: str) -> None:
    assert _meta(f"<h1>Ein Titel</h1>{meta}", lang=lang).authors == (name,)


def test_a_byline_in_the_page_s_sidebar_or_footer_is_not_the_article_s() -> None:
    html = (f"<html lang='en'><body><article><h1>Reservoir levels fall</h1>{''.join(f'<p>{p}</p>' for p in BODY)}"
            "</article><div class='site-sidebar'><a href='/author/jane-doe'>Jane Doe</a></div>"
            "<div class='page-footer'><span class='author'>Carl Dunn</span></div></body></html>")
    assert read_page_meta(parse_html(html), "https://news.example.com/a", now=NOW).authors == ()


def test_a_social_network_profile_link_is_not_a_byline() -> None:
    body = ("<footer><p>Follow me: <a href='https://bsky.app/profile/amerpie.lol'>Bluesky</a> "
            "<a href='https://www.linkedin.com/in/jane-doe/'>LinkedIn</a></p></footer>")
    assert _meta(body).authors == ()


# -- dates: a numeric day is read in the order of the page's language ------------------------------


@pytest.mark.parametrize(
    ("printed", "lang", "expected"),
    [
        ("3/4/2025", "en-US", "2025-03-04"),
        ("Post time: 01-04-2024", "en-US", "2024-01-04"),
        ("12/11/24", "en-us", "2024-12-11"),
        ("3/4/2025", "en-GB", "2025-04-03"),
        ("03.04.2025", "de-DE", "2025-04-03"),
        ("3/4/2025", "fr", "2025-04-03"),
        ("25/12/2024", "en-US", "2024-12-25"),  # no thirteenth month: written day first after all
    ],
)
def test_a_numeric_printed_day_follows_the_page_s_language(printed: str, lang: str, expected: str) -> None:
    body = f"<header><h1>Ein Titel</h1><div class='date'>{printed}</div></header>"
    assert _meta(body, lang=lang, url="https://site.example/a").published == expected



@pytest.mark.parametrize(
    ("printed", "elsewhere", "lang", "expected"),
    [
        ("3/4/2025", "Comment posted 12/18/2024 by a reader", "en", "2025-03-04"),  # only month first fits
        ("3/4/2025", "Kommentar vom 12/18/2024", "de", "2025-03-04"),
        ("3/4/2025", "Comment posted 18/12/2024 and 12/18/2024", "en", "2025-04-03"),  # both ways: day first
        ("3/4/2025", "Comment posted 18/12/2024 by a reader", "en", "2025-04-03"),
        ("3/4/2025", "Order number 5-13-25 shipped", "en", "2025-04-03"),  # a two-digit year is no evidence
    ],
)
def test_a_numeric_printed_day_follows_the_page_s_own_unambiguous_days(printed: str, elsewhere: str, lang: str,
                                                                       expected: str) -> None:
    """English declared without a region (or any language): a numeric day that reads one way only
    elsewhere on the page tells the order of the ambiguous one."""
    body = f"<header><h1>Ein Titel</h1><div class='date'>{printed}</div></header><p>{elsewhere}</p>"
    assert _meta(body, lang=lang, url="https://site.example/a").published == expected

# -- dates: a related post's date below the article ------------------------------------------------

_TEASER = ("<section class='related'><article class='entry loop-entry'><header class='entry-header'>"
           "<h3 class='entry-title'><a href='https://site.example/old-story'>{title}</a></h3>"
           "<span class='posted-on'><time class='entry-date published' datetime='2015-12-07T09:32:03-05:00' "
           "itemprop='datePublished'>{day}</time></span></header><p>{summary}</p></article></section>")


@pytest.mark.parametrize(
    ("lang", "title", "day", "summary"),
    [
        ("en", "Retiring our legacy plugins", "December 7, 2015", "With our 4.0 release last week we introduced…"),
        ("de", "Unsere alten Erweiterungen gehen", "7. Dezember 2015", "Mit der Version 4.0 haben wir…"),
        ("es", "Retiramos los complementos antiguos", "7 de diciembre de 2015", "Con la versión 4.0 hemos…"),
    ],
)
def test_a_related_post_s_date_is_not_the_article_s(lang: str, title: str, day: str, summary: str) -> None:
    teaser = _TEASER.format(title=title, day=day, summary=summary)
    html = (f"<html lang='{lang}'><head>"
            + _ld({"@type": "BlogPosting", "headline": "Ein Titel", "datePublished": "2023-05-30T18:24:00+00:00"})
            + f"</head><body><main><h1>Ein Titel</h1>{''.join(f'<p>{p}</p>' for p in BODY)}{teaser}"
            + "</main></body></html>")
    assert read_page_meta(parse_html(html), "https://site.example/a", now=NOW).published == "2023-05-30T18:24:00+00:00"


def test_the_article_s_own_time_inside_its_article_element_is_read() -> None:
    body = ("<header><h1>Ein Titel</h1><time class='entry-date published' datetime='2024-10-29T12:00:00-04:00'>"
            "October 29, 2024</time></header><h3><a href='/other'>See also</a></h3>")
    assert _meta(body).published == "2024-10-29T12:00:00-04:00"


# -- authors: words that only look like a byline -----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "lang", "people"),
    [
        ("Door Anchor for Resistance Bands – Yellow", "en", ()),
        ("Door Jan de Vries", "nl", ("Jan de Vries",)),
        ("Par Brooks – Eagle", "en", ()),
        ("Par Claire Dubois", "fr", ("Claire Dubois",)),
        ("Von Jan Koch", "de", ("Jan Koch",)),
        ("Text Messaging", "en", ()),
        ("Text: Jan Koch", "de", ("Jan Koch",)),
    ],
)
def test_another_language_s_by_is_a_plain_word(line: str, lang: str, people: tuple[str, ...]) -> None:
    assert _meta(f"<h1>Ein Titel</h1><p>{line}</p>", lang=lang).authors == people


@pytest.mark.parametrize(
    ("byline", "lang"),
    [
        ("<div class='byline'><span>Sat, 20 Dec, 2025 - 06:36</span></div>", "en"),
        ("<div class='byline'><span>Samstag, 20.12.2025</span></div>", "de"),
        ("<div class='byline'><span>Sábado, 20 dic 2025</span></div>", "es"),
        ("<span itemprop='author'>page.head.extra.author</span>", "en"),
        ("<a rel='author' href='/author/x'>{{ post.author.name }}</a>", "en"),
        ("<div class='author-box'><a href='/team/a'>The Team</a> <a href='#bio'>Full Bio</a></div>", "en"),
    ],
)
def test_a_date_line_a_template_field_or_a_label_in_a_byline_is_nobody(byline: str, lang: str) -> None:
    assert _meta(f"<h1>Ein Titel</h1>{byline}", lang=lang).authors == ()


def test_a_user_name_with_dots_is_still_a_name() -> None:
    assert _meta("<h1>A title</h1><a rel='author' href='/author/sara'>sara.r.peter</a>").authors == ("sara.r.peter",)


# -- authors: the printed byline over a meta author tag ----------------------------------------------


@pytest.mark.parametrize(
    ("meta_author", "line", "lang", "people"),
    [
        ("Josh Katzowitz", "By Charles Patterson, WCI Columnist", "en", ("Charles Patterson",)),
        ("Eva Lang", "Von Jan Koch", "de", ("Jan Koch",)),
        ("Luis Paz", "Por Ana Ruiz", "es", ("Ana Ruiz",)),
        ("Jan Koch", "Von Jan Koch", "de", ("Jan Koch",)),
    ],
)
def test_the_printed_by_line_names_the_writer_over_the_meta_author_tag(meta_author: str, line: str, lang: str,
                                                                        people: tuple[str, ...]) -> None:
    head = f"<meta name='author' content='{meta_author}'>"
    assert _meta(f"<h1>Ein Titel</h1><p>{line}</p>", head, lang=lang).authors == people


def test_by_lines_of_a_list_of_books_leave_the_meta_author() -> None:
    head = "<meta name='author' content='Andrew Liptak'>"
    books = "".join(f"<h3>{t}</h3><p>By {a}</p>" for t, a in
                    [("The Devils", "Joe Abercrombie"), ("Katabasis", "R. F. Kuang"), ("Sunrise", "Suzanne Collins")])
    assert _meta(f"<h1>The best books of the month</h1>{books}", head).authors == ("Andrew Liptak",)


def test_a_json_ld_person_is_not_overridden_by_a_printed_by_line() -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Ein Titel", "author": {"@type": "Person", "name": "Eva Lang"}})
    assert _meta("<h1>Ein Titel</h1><p>By Jan Koch</p>", head).authors == ("Eva Lang",)


# -- authors: sections and job lines beside the name -------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "lang", "people"),
    [
        ("<div class='byline'>By <a href='/member/fred'>MixmasterFred</a> in <a href='/workshop'>Workshop</a>"
         "<a href='/woodworking'>Woodworking</a></div>", "en", ("MixmasterFred",)),
        ("<div class='byline'>Von <b>Jan Koch</b> in <a href='/politik'>Politik</a></div>", "de", ("Jan Koch",)),
        ("<div class='author-name'><p>Liz Kenny</p><p>Former McKinsey Consultant</p></div>", "en", ("Liz Kenny",)),
        ("<div class='author-name'><p>Ana Ruiz</p><p>Head of Research</p></div>", "es", ("Ana Ruiz",)),
    ],
)
def test_a_section_or_a_job_line_beside_the_name_is_not_a_person(byline: str, lang: str,
                                                                  people: tuple[str, ...]) -> None:
    assert _meta(f"<h1>Ein Titel</h1>{byline}", lang=lang).authors == people


# -- dates: a republished article's first publication ------------------------------------------------


@pytest.mark.parametrize(
    ("note", "lang", "day"),
    [
        ("<p class='disclaimer'>This article was originally published on 26 Sep 2019 at 4:12pm</p>", "en",
         "2019-09-26"),
        ("<p>This blog post was originally published on the 21st of June 2017 and updated since.</p>", "en",
         "2017-06-21"),
        ("<p><em>Erstmals erschienen am</em> <span>03.03.2021</span></p>", "de", "2021-03-03"),
        ("<p>Publicado originalmente el 2020-05-05 en El Diario.</p>", "es", "2020-05-05"),
    ],
)
def test_an_originally_published_note_gives_the_first_day(note: str, lang: str, day: str) -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Ein Titel", "datePublished": "2022-09-30T11:07:00+10:00"})
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY * 3)
    html = (f"<html lang='{lang}'><head>{head}</head><body><header><h1>Ein Titel</h1><p>30.09.2022</p></header>"
            f"<div class='story'>{paragraphs}</div><div class='note'>{note}</div></body></html>")
    published = read_page_meta(parse_html(html), "https://news.example.com/story", now=NOW).published
    assert published is not None and published[:10] == day


def test_an_originally_published_note_after_the_metadata_s_day_changes_nothing() -> None:
    head = _ld({"@type": "NewsArticle", "headline": "A title", "datePublished": "2019-09-26T16:12:00+10:00"})
    note = "<p>Originally published on 30 Sep 2022 in our print edition.</p>"
    assert _meta(f"<h1>A title</h1>{note}", head).published == "2019-09-26T16:12:00+10:00"


# -- authors: a CMS login in the metadata, the name on the page ---------------------------------------


@pytest.mark.parametrize(
    ("login", "byline", "lang", "people"),
    [
        ("andrew.keaveney", "<div class='author-info'><span>Denise Everheart</span></div>", "en",
         ("Denise Everheart",)),
        ("KatieS", "<p>by <a rel='author' href='/author/aoife'>Aoife O'Riordan</a></p>", "en", ("Aoife O'Riordan",)),
        ("redaktion_2", "<p class='byline'>Von Jan Koch</p>", "de", ("Jan Koch",)),
        ("Lauren", "<div class='author-info'><span>Jaime Marchwinski</span></div>", "en", ("Lauren",)),
        ("jsteinhardt", "<p>Posted in Research</p>", "en", ("jsteinhardt",)),
    ],
)
def test_a_cms_login_gives_way_to_the_printed_full_name(login: str, byline: str, lang: str,
                                                         people: tuple[str, ...]) -> None:
    head = _ld({"@type": "BlogPosting", "headline": "Ein Titel", "author": {"@type": "Person", "name": login}})
    assert _meta(f"<h1>Ein Titel</h1>{byline}", head, lang=lang).authors == people


@pytest.mark.parametrize(
    ("box", "name"),
    [
        ("<div class='author-stories'><h3>Read the latest from Zackery Cuevas</h3><ul>{items}</ul></div>",
         "Zackery Cuevas"),
        ("<div class='author-box'><h4>More articles by Jane Doe</h4><ul>{items}</ul></div>", "Jane Doe"),
        ("<p>All stories by Carl Dunn</p>", "Carl Dunn"),
    ],
)
def test_a_more_from_the_author_box_names_the_author(box: str, name: str) -> None:
    items = "".join(f"<li><a href='/review/{i}'>A review of the MSI monitor number {i} in our lab</a></li>"
                    for i in range(6))
    assert _meta(f"<h1>The best ergonomic mice</h1>{box.format(items=items)}").authors == (name,)


@pytest.mark.parametrize(
    ("credit", "people"),
    [
        ("<p><em>This post was written by <a href='/doctors/vanessa-mendez'>Vanessa Mendez, MD</a>, "
         "gastroenterologist.</em></p>", ("Vanessa Mendez, MD",)),
        ("<p>This guest post was written by Carl Dunn.</p>", ("Carl Dunn",)),
        ("<p>This article was contributed by Ann Baker, a reader in Leeds.</p>", ("Ann Baker",)),
    ],
)
def test_a_closing_this_post_was_written_by_credit_names_the_author(credit: str, people: tuple[str, ...]) -> None:
    assert _meta(f"<h1>Transitioning to a plant-based diet</h1>{credit}").authors == people


def test_an_author_class_on_the_whole_page_or_a_card_not_naming_its_line_again_names_nobody() -> None:
    bio = _BIO["en"].format(first="The team")
    html = (f"<html class='writer-html5' lang='en'><head><title>Ansible playbooks — Ansible Documentation</title>"
            f"</head><body><main><h1>Ansible playbooks</h1>{''.join(f'<p>{p}</p>' for p in BODY)}</main>"
            f"<div class='author-box'><div>Live Jobs</div><p>{bio}</p></div></body></html>")
    assert read_page_meta(parse_html(html), "https://docs.example.org/a", now=NOW).authors == ()


@pytest.mark.parametrize(
    ("ld", "metas", "expected"),
    [
        ("2025-06-18", {"article:published_time": "2025-06-18T09:30:00+02:00"}, "2025-06-18T09:30:00+02:00"),
        ("2025-06-18", {"article:published_time": "2025-06-18T00:00:00"}, "2025-06-18"),  # a bare midnight
        ("2025-06-18", {"article:published_time": "2025-06-10T09:30:00+02:00"}, "2025-06-18"),  # another day
        ("2025-06-18T07:00:00+00:00", {"article:published_time": "2025-06-18T09:30:00+02:00"},
         "2025-06-18T07:00:00+00:00"),
    ],
)
def test_a_published_day_alone_takes_the_time_another_source_gives_that_day(ld: str, metas: dict[str, str],
                                                                           expected: str) -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Ein Titel", "datePublished": ld}) + "".join(
        f"<meta property='{k}' content='{v}'>" for k, v in metas.items())
    assert _meta("<h1>Ein Titel</h1>", head).published == expected


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("Dariusz Jaro\u00c5\x84", "Dariusz Jaroń"),  # UTF-8 of "ń" read as Latin-1
        ("Zofia Ko\u00c5\x82odziej", "Zofia Kołodziej"),
        ("Mehmet Ya\u00c5\x9far", "Mehmet Yaşar"),
        ("Ren\u00c3\u00a9e Dupont", "Renée Dupont"),
        ("Åsa Öberg", "Åsa Öberg"),  # real letters stay
    ],
)
def test_a_name_in_utf_8_read_as_latin_1_is_turned_back(printed: str, name: str) -> None:
    head = f"<meta name='author' content='{printed}'>"
    assert _meta("<h1>Ein Titel</h1>", head).authors == (name,)
    body = f"<h1>Ein Titel</h1><p class='byline'>By <a href='/author/x'>{printed}</a></p>"
    assert _meta(body).authors == (name,)


@pytest.mark.parametrize(
    ("column", "href", "name", "lang"),
    [
        ("Proof Points", "/category/columnists/jill-barshay/", "Jill Barshay", "en"),
        ("Hauptstadt Notizen", "/kategorie/autoren/jan-koch/", "Jan Koch", "de"),
        ("Cuaderno Abierto", "/categoria/autores/ana-ruiz/", "Ana Ruiz", "es"),
    ],
)
def test_a_link_to_the_column_the_post_is_filed_in_is_no_author(column: str, href: str, name: str, lang: str) -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Ein Titel", "author": {"@type": "Person", "name": name}})
    body = (f"<header><span class='cat-links'><a href='https://news.example.com{href}' rel='category tag'>{column}"
            f"</a></span><h1>Ein Titel</h1><p>by <a href='/author/{name.lower().replace(' ', '-')}' rel='author'>"
            f"{name}</a></p></header>")
    assert _meta(body, head, lang=lang).authors == (name,)


@pytest.mark.parametrize(
    ("full", "job", "link", "lang"),
    [
        ("Juliette Carreiro", "Tech Writer", "Articles by Juliette", "en"),
        ("Jana Köhler", "Redakteurin", "Von Jana", "de"),
        ("Ana de la Fuente", "Periodista", "Por Ana", "es"),
    ],
)
def test_a_given_name_alone_takes_the_full_name_the_author_box_prints(full: str, job: str, link: str,
                                                                      lang: str) -> None:
    box = (f"<div class='css-yvuwy'><div><p>{full}</p><p>{job}</p></div>"
           f"<a href='/blog/authors/{full.split(maxsplit=1)[0].lower()}'>{link}</a></div>")
    assert _meta(f"<h1>Ein Titel</h1>{box}", lang=lang).authors == (full,)


@pytest.mark.parametrize(
    ("label", "reviewer", "lang"),
    [
        ("Reviewed by", "Robert Tschudi", "en"),
        ("Geprüft von", "Jana Köhler", "de"),
        ("Revisado por", "Ana Ruiz", "es"),
    ],
)
def test_an_author_link_after_a_reviewers_label_names_no_author(label: str, reviewer: str, lang: str) -> None:
    byline = (f"<div class='byline-main'><div class='byline-author-text'>{label} "
              f"<a href='/r/about-x/' class='byline-author-link'>{reviewer}</a></div>"
              f"<div class='byline-role'>Expert</div></div>")
    assert _meta(f"<h1>Ein Titel</h1>{byline}", lang=lang).authors == ()


@pytest.mark.parametrize(
    ("tags", "people"),
    [
        ([("DC.Creator", "Jennifer Huberty"), ("citation_authors", "Jennifer Huberty"),
          ("citation_authors", "Jeni Green"), ("citation_authors", "Chong Lee")],
         ("Jennifer Huberty", "Jeni Green", "Chong Lee")),
        ([("citation_authors", "Köhler, Jana; Schmidt, Jan")], ("Jana Köhler", "Jan Schmidt")),
        ([("DC.Creator", "Ana Ruiz"), ("citation_authors", "Ana Ruiz"), ("citation_authors", "Pau Gasol")],
         ("Ana Ruiz", "Pau Gasol")),
    ],
)
def test_a_paper_names_every_author_of_its_citation_authors_tags(tags: list[tuple[str, str]],
                                                                  people: tuple[str, ...]) -> None:
    head = "".join(f"<meta name='{k}' content='{v}'>" for k, v in tags)
    assert _meta("<h1>Ein Titel</h1>", head).authors == people


@pytest.mark.parametrize(
    ("printed", "people"),
    [
        ("<span class='author'>Jennifer Huberty1, PhD</span>", ("Jennifer Huberty, PhD",)),
        ("<span class='author'>Jana Köhler2</span>", ("Jana Köhler",)),
        ("<span class='author'>Ana de la Fuente3, MD</span>", ("Ana de la Fuente, MD",)),
    ],
)
def test_an_affiliation_number_glued_to_a_name_goes(printed: str, people: tuple[str, ...]) -> None:
    assert _meta(f"<h1>Ein Titel</h1><div class='authors'>{printed}</div>").authors == people


@pytest.mark.parametrize(
    ("byline", "lang"),
    [("<p class='byline'>By editor42, PhD</p>", "en"), ("<p class='byline'>Von redaktion7, MD</p>", "de"),
     ("<p class='byline'>Por autor_3, MSc</p>", "es")],
)
def test_a_credential_after_a_piece_that_is_no_name_is_no_person(byline: str, lang: str) -> None:
    assert _meta(f"<h1>Ein Titel</h1>{byline}", lang=lang).authors == ()


@pytest.mark.parametrize(
    ("byline", "lang", "name"),
    [
        ("This post was written by Danielle Padula, Head of Marketing and Community Development", "en",
         "Danielle Padula"),
        ("By Marna Merwe, Research & Insights Lead", "en", "Marna Merwe"),
        ("Von Jana Köhler, Leiterin Marketing und Kommunikation", "de", "Jana Köhler"),
        ("Por Ana Ruiz, Directora de Marketing y Desarrollo", "es", "Ana Ruiz"),
    ],
)
def test_the_department_of_a_job_title_after_the_name_is_no_person(byline: str, lang: str, name: str) -> None:
    assert _meta(f"<h1>Ein Titel</h1><p class='byline'>{byline}</p>", lang=lang).authors == (name,)


@pytest.mark.parametrize(
    ("first", "byline", "lang", "people"),
    [
        ("Marna van der Merwe", "<div class='hero-information-author'>Written by <span>Dr Marna van der Merwe</span>, "
         "<span>Dr Dieter Veldsman</span>, <span>Erik van Vulpen</span></div>", "en",
         ("Dr Marna van der Merwe", "Dr Dieter Veldsman", "Erik van Vulpen")),
        ("Jana Köhler", "<p class='article-byline'>Von Jana Köhler und Jan Schmidt</p>", "de",
         ("Jana Köhler", "Jan Schmidt")),
        ("Ana Ruiz", "<div class='post-author'>Por Ana Ruiz y Pau Gasol</div>", "es", ("Ana Ruiz", "Pau Gasol")),
    ],
)
def test_a_byline_naming_the_one_structured_author_and_others_names_them_all(first: str, byline: str, lang: str,
                                                                            people: tuple[str, ...]) -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Ein Titel", "author": {"@type": "Person", "name": first}})
    assert _meta(f"<h1>Ein Titel</h1>{byline}", head, lang=lang).authors == people
    assert _meta(f"<h1>Ein Titel</h1>{byline}", f"<meta name='author' content='{first}'>", lang=lang).authors == people


@pytest.mark.parametrize(
    ("first", "card", "lang"),
    [
        ("Tina Flint Huffman", "<div class='blog-item-author-profile'><div>Tina Flint Huffman</div>"
         "<div>Go From Overlooked To Overbooked</div></div>", "en"),
        ("Charlie Hills", "<div class='byline-wrapper'><div>Charlie Hills</div><div>Nov 02, 2025</div>"
         "<div>∙ Paid</div></div>", "en"),
        ("Jana Köhler", "<div class='author-line'><div>Jana Köhler</div><div>Leitende Redakteurin</div>"
         "<div>Karl Schmidt</div></div>", "de"),
    ],
)
def test_the_lines_of_an_author_card_add_no_people_to_the_structured_author(first: str, card: str,
                                                                              lang: str) -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Ein Titel", "author": {"@type": "Person", "name": first}})
    assert _meta(f"<h1>Ein Titel</h1>{card}", head, lang=lang).authors == (first,)
