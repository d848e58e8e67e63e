"""The cleaner after extraction: blocks mapped to their source, shapes, evidence levels, recovery."""

from __future__ import annotations

from dataclasses import replace

from lxml import html as lxml_html

from scraper.align import SourceMap
from scraper.blocks import Block
from scraper.clean import clean
from scraper.profiles import ProfileRegistry, default_registry
from scraper.rules import compile_rules
from scraper.structure import _section
from scraper.textrules import text_verdicts

PARA = ("<p>The council met on Tuesday to discuss the budget for the coming year and agreed a plan to "
        "repair the harbour wall before the winter storms arrive, at a cost of four million.</p>")
ARTICLE = "".join(PARA.replace("Tuesday", day) for day in ("Monday", "Tuesday", "Wednesday", "Thursday"))


def _page(body: str) -> str:
    return f"<html><head><title>Harbour wall</title></head><body><main><article>{body}</article></main></body></html>"


def _rules(*tables: dict) -> ProfileRegistry:
    return ProfileRegistry(compile_rules(list(tables), "test.toml"), {})


def _shape(rule_id: str) -> ProfileRegistry:
    rule = next(r for r in default_registry().global_rules.rules if r.id == rule_id)
    return ProfileRegistry(default_registry().global_rules.__class__((rule,)), {})


def test_a_heading_is_mapped_to_itself_not_to_its_link_in_a_table_of_contents() -> None:
    tree = lxml_html.fromstring("<html><body><ul class='toc'><li><a href='#w'>Wall repairs</a></li></ul>"
                                "<p>Intro text here.</p><h2 id='w'>Wall repairs</h2><p>Body.</p></body></html>")
    spans = SourceMap(tree).spans([Block("p", "Intro text here."), Block("head", "Wall repairs", level=2)])
    assert spans[1] is not None and spans[1].first.tag == "h2"
    assert spans[0] is not None and spans[0].link_chars == 0


def test_link_characters_are_read_from_the_page() -> None:
    tree = lxml_html.fromstring("<html><body><p>Read <a href='/x'>the full report</a> now.</p></body></html>")
    span = SourceMap(tree).spans([Block("p", "Read the full report now.")])[0]
    assert span is not None and span.link_chars == len("thefullreport")


def test_comment_thread_found_by_its_shape_in_another_language() -> None:
    posts = "".join(
        f"<div class='q'><div><img src='/a.png' alt=''><b>Leser {i}</b> <span>vor {i + 2} Stunden</span></div>"
        f"<p>Ich wohne seit vierzig Jahren am See und habe ihn noch nie so leer gesehen, das ist erschreckend {i}.</p>"
        "<div><a href='#'>Antworten</a> <a href='#'>Melden</a></div></div>" for i in range(3))
    html = _page(ARTICLE + f"<div class='zz'><div class='zz-list'>{posts}</div></div>")
    article = clean(html, registry=_shape("comments.thread-shape"))
    assert "vierzig Jahren" not in article.text
    assert "harbour wall" in article.text
    assert [r.rule for r in article.removed] == ["comments.thread-shape"]


def test_signup_box_found_by_its_email_field() -> None:
    box = ("<div class='k1'><p><b>Harbour Weekly</b></p><p>The best of our harbour reporting, every Friday.</p>"
           "<form><input type='email' placeholder='E-mail'><button>Go</button></form></div>")
    article = clean(_page(PARA + box + ARTICLE), registry=_shape("newsletter.signup-shape"))
    assert "every Friday" not in article.text
    assert [r.rule for r in article.removed] == ["newsletter.signup-shape"]


def test_share_bar_found_by_its_links() -> None:
    hosts = (("www.facebook.com/sharer", "Post"), ("twitter.com/intent", "Tweet"), ("www.linkedin.com", "Send"))
    links = "".join(f"<a href='https://{h}/share?u=1'>{n} this story now</a> " for h, n in hosts)
    article = clean(_page(ARTICLE + f"<p class='k2'>{links}</p>"), registry=_shape("share.bar-shape"))
    assert "Tweet" not in article.text
    assert "harbour wall" in article.text


def test_teaser_list_found_by_its_shape_but_a_sentence_linking_stories_is_prose() -> None:
    cards = "".join(f"<div><h3><a href='/s/{i}'>Harbour board names a new chair for the {i}th time</a></h3>"
                    f"<p>The vote was close, the members said.</p></div>" for i in range(3))
    article = clean(_page(ARTICLE + f"<div class='k3'>{cards}</div>"), registry=_shape("related.teaser-shape"))
    assert "new chair" not in article.text
    assert [r.rule for r in article.removed] == ["related.teaser-shape"]
    links = ", ".join(f"<a href='/s/{i}'>the harbour board named its {i}th chair</a>" for i in range(4))
    closing = f"<p>Since the storms of last year, as we reported, {links}, and the wall is still not repaired.</p>"
    article = clean(_page(ARTICLE + closing), registry=_shape("related.teaser-shape"))
    assert "still not repaired" in article.text and not article.removed



def test_a_table_of_contents_is_not_a_teaser_list() -> None:
    # Links to the page's own sections look like teasers, but they repeat the article's headings.
    toc = "".join(f"<li><a href='#pick-{i}'>Best for harbour boards that meet on the {i}th day</a></li>"
                  for i in range(4))
    article = clean(_page(f"<ul class='k4'>{toc}</ul>" + ARTICLE), registry=_shape("related.teaser-shape"))
    assert "Best for harbour boards" in article.text and not article.removed
    teasers = toc.replace("href='#pick-", "href='/pick/")
    article = clean(_page(f"<ul class='k4'>{teasers}</ul>" + ARTICLE), registry=_shape("related.teaser-shape"))
    assert [r.rule for r in article.removed] == ["related.teaser-shape"]


def test_edge_evidence_never_removes_inside_the_article() -> None:
    rules = compile_rules([{"id": "related.run", "kind": "link_run", "min_items": 2, "max_words": 10,
                            "min_link_ratio": 0.8, "evidence": "edge", "why": "w"}], "test.toml")
    prose = Block("p", "A paragraph of the article that reads as sentences, about the harbour wall.")
    items = [Block("item", f"Item number {i} of the kit list", link_chars=30) for i in range(3)]
    inside = [replace(b, inner=True) for b in items]
    verdicts, _ = text_verdicts([prose, *inside, prose], rules)
    assert verdicts == [None] * 5
    verdicts, _ = text_verdicts([prose, *items], rules)
    assert verdicts == [None, "related.run", "related.run", "related.run"]


def test_weak_evidence_cannot_remove_article_prose_in_the_middle() -> None:
    rule = {"id": "promo.c", "kind": "prune_class", "tokens": ["cta-section"], "why": "w"}
    middle = "<div class='cta-section'>" + "".join(PARA.replace("council", f"harbour board {n}")
                                                   for n in ("one", "two", "three")) + "</div>"
    article = clean(_page(ARTICLE + middle + ARTICLE.replace("council", "mayor")), registry=_rules(rule))
    assert "harbour board" in article.text
    strong = dict(rule, evidence="strong")
    article = clean(_page(ARTICLE + middle + ARTICLE.replace("council", "mayor")), registry=_rules(strong))
    assert "harbour board" not in article.text


def test_max_share_keeps_a_box_too_big_for_the_widget_its_class_names() -> None:
    rule = {"id": "nav.m", "kind": "prune_class", "tokens": ["rail"], "why": "w"}
    side = "<div class='rail'>" + PARA.replace("council", "port board") + PARA.replace("council", "mayor") + "</div>"
    page = _page(ARTICLE + side)
    assert "port board" not in clean(page, registry=_rules(rule)).text
    assert "port board" in clean(page, registry=_rules(dict(rule, max_share=0.1))).text


def test_related_posts_box_of_nested_articles_is_one_section() -> None:
    rule = compile_rules([{"id": "related.h", "kind": "heading", "phrases": ["you may also like"], "extent": "rest",
                           "why": "w"}], "test.toml").rules[0]
    posts = "".join(f"<article><p>{PARA[3:-4].replace('council', f'team {i}')}</p></article>" for i in range(3))
    tree = lxml_html.fromstring("<html><body><div id='p'><article><h1>Harbour wall</h1>" + ARTICLE + "</article>"
                                "<article id='box'><h3>You may also like</h3>" + posts + "<ins class='ad'></ins>"
                                "</article></div></body></html>")
    heading = tree.find(".//h3")
    assert [el.get("id") for el in _section(heading, rule)] == ["box"]


def test_collapsed_answers_are_recovered_and_judged() -> None:
    faq = ("<h2>Questions</h2><div class='acc'><h3>Who pays for the wall?</h3>"
           "<div class='acc-panel' style='display:none'><p>The port authority pays two thirds of the cost and the "
           "city pays the rest, from the reserve set aside after the storms.</p></div></div>")
    article = clean(_page(ARTICLE + faq + ARTICLE.replace("council", "mayor")), registry=_rules())
    assert "The port authority pays two thirds" in article.text
    assert article.text.index("two thirds") < article.text.index("mayor met")


def test_a_part_the_page_prints_twice_is_recovered_once() -> None:
    answer = ("The port authority pays two thirds of the cost and the city pays the rest, from the reserve set "
              "aside after the storms.")
    faq = (f"<div class='acc'><h3>Who pays?</h3><div class='acc-panel' style='display:none'><p>{answer}</p>"
           f"</div></div><h2>Who pays for the wall?</h2><p>{answer}</p>")
    article = clean(_page(ARTICLE + faq + ARTICLE.replace("council", "mayor")), registry=_rules())
    assert article.text.count("two thirds") == 1


def test_rules_with_the_same_id_from_two_profile_folders_do_not_share_caches() -> None:
    box = "<div class='{c}'><p>Download our app for more stories like this one.</p></div>"
    one = _rules({"id": "promo.x", "kind": "prune_class", "tokens": ["alpha-box"], "why": "w"})
    two = _rules({"id": "promo.x", "kind": "prune_class", "tokens": ["beta-box"], "why": "w"})
    assert "Download our app" not in clean(_page(ARTICLE + box.format(c="alpha-box")), registry=one).text
    assert "Download our app" not in clean(_page(ARTICLE + box.format(c="beta-box")), registry=two).text
    assert "Download our app" in clean(_page(ARTICLE + box.format(c="beta-box")), registry=one).text


def test_an_id_made_from_the_heading_text_is_not_layout_evidence() -> None:
    # "Menu" in an anchor made from the heading is the article's word, not the name of a menu box.
    sections = "".join(f"<h2 id='menu-planning-for-{day.lower()}'>Menu planning for {day}</h2>{PARA}"
                       for day in ("Friday", "Saturday"))
    article = clean(_page(ARTICLE + sections), registry=_shape("nav.menus"))
    assert "Menu planning for Friday" in article.text and not article.removed
    # an id sharing a word with its text, but not made from it, is still the box's name
    box = "<div id='categories-news'><p>Browse our sections for sport, weather and the latest local news.</p></div>"
    article = clean(_page(ARTICLE + sections + box), registry=_shape("nav.menus"))
    assert "Browse our sections" not in article.text and [r.rule for r in article.removed] == ["nav.menus"]
