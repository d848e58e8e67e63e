"""Rules are data: loading, validation, and what each rule kind removes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scraper.blocks import Block, blocks_from_text
from scraper.clean import clean
from scraper.errors import ProfileError
from scraper.profiles import ProfileRegistry, default_registry
from scraper.rules import RuleSet, compile_rule, compile_rules, load_rules_file
from scraper.structure import _class_index
from scraper.textrules import apply_text

SRC = "test.toml"


def _rules(*tables: dict) -> object:
    return compile_rules(list(tables), SRC)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"id": "Bad Id", "kind": "drop_line", "pattern": "x", "why": "w"}, "must look like"),
        ({"id": "weird.thing", "kind": "drop_line", "pattern": "x", "why": "w"}, "category must be one of"),
        ({"id": "promo.x", "kind": "explode", "pattern": "x", "why": "w"}, "is not one of"),
        ({"id": "promo.x", "kind": "drop_line", "pattern": "x"}, "needs a non-empty 'why'"),
        ({"id": "promo.x", "kind": "drop_line", "pattern": "(unclosed", "why": "w"}, "bad regular expression"),
        ({"id": "promo.x", "kind": "prune", "xpath": "//div[", "why": "w"}, "bad selector"),
        ({"id": "promo.x", "kind": "prune", "why": "w"}, "needs 'xpath' or 'css'"),
        ({"id": "promo.x", "kind": "drop_line", "pattern": "x", "why": "w", "colour": "red"}, "unknown keys"),
        ({"id": "promo.x", "kind": "heading", "phrases": ["x"], "why": "w", "extent": "far"}, "extent must be"),
        ({"id": "promo.x", "kind": "drop_line", "pattern": "x", "why": "w", "since": "soon"}, "since must be a date"),
    ],
)
def test_invalid_rules_name_file_and_rule(table: dict, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as info:
        compile_rule(table, SRC)
    assert SRC in str(info.value)


def test_duplicate_ids_are_rejected() -> None:
    rule = {"id": "promo.x", "kind": "drop_line", "pattern": "x", "why": "w"}
    with pytest.raises(ProfileError, match="duplicate id"):
        compile_rules([rule, rule], SRC)


def test_broken_toml_is_a_profile_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]\nid = ", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"bad\.toml"):
        load_rules_file(bad)


def test_date_bounds_select_rules() -> None:
    rules = _rules({"id": "promo.old", "kind": "drop_line", "pattern": "x", "why": "w",
                    "since": dt.date(2024, 1, 1), "until": dt.date(2025, 1, 1)})
    assert rules.active_on(dt.date(2024, 6, 1)).ids == ("promo.old",)
    assert rules.active_on(dt.date(2025, 6, 1)).ids == ()
    assert rules.active_on(None).ids == ("promo.old",)


def _cleaned(body: str, rules: object) -> tuple[str, list[str]]:
    """The text ``clean()`` keeps of a page with only ``rules``, and the ids of the rules that removed."""
    assert isinstance(rules, RuleSet)
    article = clean(f"<html><body><article>{body}</article></body></html>", registry=ProfileRegistry(rules, {}))
    return " ".join(article.text.split()), [r.rule for r in article.removed]


def _text(body: str, rules: object) -> str:
    return _cleaned(body, rules)[0]


LONG = "<p>" + "The article body goes on with real reporting about the harbour and its workers. " * 4 + "</p>"


@pytest.mark.parametrize(
    ("cls", "removed"),
    [("related-posts", True), ("c-related__list", True), ("sidebar unrelated", False), ("relatedness", False),
     ("RELATED", True), ("post share-bar", True)],
)
def test_class_tokens_match_whole_word_parts(cls: str, removed: bool) -> None:
    rules = _rules({"id": "related.c", "kind": "prune_class", "tokens": ["related", "share-bar"], "why": "w"})
    assert (_class_index(rules.rules).lookup(cls) is not None) is removed


def test_class_token_rule_removes_the_blocks_inside_the_element() -> None:
    rules = _rules({"id": "promo.c", "kind": "prune_class", "tokens": ["promo-box"], "why": "w"})
    body = LONG * 3 + "<div class='x promo-box'><p>Download our app for more of this kind of story.</p></div>"
    text, removed = _cleaned(body, rules)
    assert "Download our app" not in text and "real reporting" in text
    assert removed == ["promo.c"]


def test_structural_rules_never_remove_the_page_wrapper() -> None:
    rules = _rules({"id": "related.c", "kind": "prune_class", "tokens": ["related"], "why": "w"})
    body = (f"<div class='has-related'>{LONG * 3}</div>"
            "<div class='related'><p>Teaser for another story about the floods</p></div>")
    text, removed = _cleaned(body, rules)
    assert "real reporting" in text
    assert "Teaser" not in text
    assert removed == ["related.c"]


def test_css_and_xpath_prune() -> None:
    body = LONG * 2 + "<div class='slot'><p><span>AD ONE here</span></p></div><div class='x'><p>AD TWO here</p></div>"
    rules = _rules(
        {"id": "ads.css", "kind": "prune", "css": "div.slot > p > span", "why": "w"},
        {"id": "ads.xp", "kind": "prune", "xpath": "//div[@class='x']", "why": "w"},
    )
    text = _text(body, rules)
    assert "AD ONE" not in text and "AD TWO" not in text
    assert "real reporting" in text


HEADING = {"id": "bio.h", "kind": "heading", "phrases": ["about (?-i:[A-Z]\\w+)(?: (?-i:[A-Z]\\w+))?"], "why": "w"}


def test_heading_opening_a_box_removes_the_whole_box_whatever_its_class() -> None:
    body = (LONG * 3 + "<div class='q1'><h4>About Ana Ruiz</h4><p>Ana is a reporter who has covered "
            "the port for a decade and written two books about shipping and its people.</p>"
            "<p><a href='/a'>All posts</a></p></div>")
    text = _text(body, _rules(HEADING))
    assert "Ana is a reporter" not in text
    assert "real reporting" in text


def test_heading_match_is_on_the_whole_heading_text() -> None:
    body = LONG * 3 + "<div><h4>Facts about Ana Ruiz's home town</h4><p>Kept text here about the town.</p></div>"
    assert "Kept text here" in _text(body, _rules(HEADING))


@pytest.mark.parametrize(("heading", "matched"), [
    ("You may be interested in the following topics as well:", True),
    ("Other Posts You May Enjoy", True),
    ("Articles you might also like", True),
    ("More stories you would love too", True),
    ("You may also like", True),
    ("You may be interested in the council's answer", False),
    ("Why you might enjoy winter running", False),
])
def test_the_related_heading_phrases_take_their_common_extensions(heading: str, matched: bool) -> None:
    rule = next(r for r in default_registry().global_rules.of_kind("heading") if r.id == "related.heading")
    assert rule.regex is not None and bool(rule.regex.search(heading)) is matched


@pytest.mark.parametrize(("line", "rule"), [
    ("DISCLOSURE: If you buy through affiliate links, I may earn a small commission.", "legal.affiliate-lines"),
    ("As an Amazon Associate we earn from qualifying purchases.", "legal.affiliate-lines"),
    ("This post may contain affiliate links, view my full disclosure policy.", "legal.affiliate-lines"),
    ("Products are chosen independently by our editors. Purchases made through our links may earn us a "
     "commission.", "legal.affiliate-lines"),
    ("We may earn a commission when you buy through links on our site.", "legal.affiliate-lines"),
    ("Dieser Artikel enthält Affiliate-Links.", "legal.affiliate-lines"),
    ("Cet article contient des liens affiliés.", "legal.affiliate-lines"),
    ("Esta entrada contiene enlaces de afiliados.", "legal.affiliate-lines"),
    ("You might also like: The Challenges of Sustainable Palm Oil Production", "related.lines"),
    ("Want more from NBC Select? Sign up for our newsletter, The Selection, and shop smarter.", "newsletter.lines"),
    ("Join our mailing list! Get a newsletter when an episode is published.", "newsletter.lines"),
    ("PIN FOR LATER", "share.lines"),
    # article sentences about the same things stay
    ("Affiliate links earn bloggers a commission, the study of 2,000 sites found.", None),
    ("If you buy a house through an agent, the agent may earn a commission of 3 per cent.", None),
    ("You might also like the council's second proposal better, Ms Ruiz said.", None),
    ("Readers who want more can join the mailing list, the editor told the board in March.", None),
])
def test_global_line_rules_take_page_notices_and_leave_article_sentences(line: str, rule: str | None) -> None:
    kept, removed = apply_text(_blocks(*ARTICLE, line), default_registry().global_rules)
    assert [r.rule for r in removed] == ([rule] if rule else [])
    assert (line in [b.text for b in kept]) is (rule is None)


def test_inline_section_heading_stops_before_article_prose() -> None:
    rule = {"id": "related.r", "kind": "heading", "phrases": ["read more"], "why": "w"}
    box = "<h4>Read more</h4><ul><li><a href='/1'>Teaser one about the floods</a></li></ul>"
    text = _text(LONG + box + LONG.replace("body", "tail"), _rules(rule))
    assert "Teaser one" not in text
    assert "article tail goes on" in text


def test_rest_heading_takes_story_cards_but_not_bare_prose() -> None:
    rule = {"id": "related.h", "kind": "heading", "phrases": ["related articles"], "extent": "rest", "why": "w"}
    cards = "".join(f"<div><h4><a href='/{i}'>Other story {i}</a></h4>{LONG.replace('body', 'card')}</div>"
                    for i in range(3))
    text = _text(f"<div>{LONG * 4}</div><div><h2>Related Articles</h2>{cards}</div>", _rules(rule))
    assert "Other story" not in text and "article card" not in text
    assert "article body" in text
    text = _text(f"<div>{LONG * 2}<h3>Related Articles</h3>{LONG.replace('body', 'tail')}</div>", _rules(rule))
    assert "article tail" in text


def _blocks(*lines: str) -> list[Block]:
    return blocks_from_text("\n".join(lines))


ARTICLE = ["A long paragraph of real article text that goes on for a while. " * 30]


def test_drop_line_matches_whole_lines_only() -> None:
    rules = _rules({"id": "share.l", "kind": "drop_line", "phrases": ["share this article"], "why": "w"})
    kept, removed = apply_text(_blocks("Share this article", "Please share this article widely, he said."), rules)
    assert [b.text for b in kept] == ["Please share this article widely, he said."]
    assert removed[0].rule == "share.l" and removed[0].chars == len("Share this article")


def test_cut_after_drops_marker_and_rest_once_enough_article_precedes() -> None:
    rules = _rules({"id": "related.cut", "kind": "cut_after", "phrases": ["more stories"], "why": "w"})
    kept, _ = apply_text(_blocks(*ARTICLE, "More stories", "Teaser one.", "Teaser two."), rules)
    assert [b.text for b in kept] == [ARTICLE[0].strip()]
    # Near the top the marker is an inline box: only its own section goes.
    kept, _ = apply_text(_blocks("Intro line.", "More stories", "Teaser one", *ARTICLE), rules)
    assert ARTICLE[0].strip() in [b.text for b in kept]


def test_heading_section_in_text_ends_at_next_heading_line() -> None:
    rules = _rules(HEADING)
    kept, _ = apply_text(_blocks(*ARTICLE, "About Ana Ruiz", "Ana writes about ports.", "Contact", "x@y.z"), rules)
    assert [b.text for b in kept] == [ARTICLE[0].strip(), "Contact", "x@y.z"]


def test_heading_section_in_text_never_runs_into_the_article() -> None:
    # A plain-line heading matching a bio phrase in the middle of a guide: its section stops at the
    # first prose block in the article's own container, and never takes more than a box's prose.
    prose = [Block("p", f"Paragraph {i} of the guide goes on about pruning roses in spring, with care.", box=1)
             for i in range(6)]
    blocks = [*prose[:2], Block("p", "About Accruent", box=1), *prose[2:]]
    kept, _ = apply_text(blocks, _rules(HEADING))
    assert [b.text for b in kept] == [b.text for b in prose]
    long_tail = [Block("p", "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. " * 5, box=2)
                 for _ in range(6)]
    kept, _ = apply_text([*prose, Block("p", "About Ana Ruiz", box=2), *long_tail], _rules(HEADING))
    assert len(kept) == len(prose) + len(long_tail) - 3


def test_links_extent_takes_only_link_teasers() -> None:
    rule = {"id": "related.i", "kind": "heading", "phrases": ["don'?t miss"], "extent": "links", "why": "w"}
    blocks = [Block("p", "Don't miss"), Block("p", "Teaser", link_chars=6), Block("p", "Real paragraph follows.")]
    kept, _ = apply_text(blocks, _rules(rule))
    assert [b.text for b in kept] == ["Real paragraph follows."]


def test_link_run_removes_runs_of_link_blocks() -> None:
    rule = {"id": "related.run", "kind": "link_run", "min_items": 2, "max_words": 10, "min_link_ratio": 0.8, "why": "w"}
    blocks = [Block("p", "Body text here."), Block("item", "Teaser one", link_chars=10),
              Block("item", "Teaser two", link_chars=10), Block("p", "More body.", link_chars=0),
              Block("item", "Lone link", link_chars=9)]
    kept, removed = apply_text(blocks, _rules(rule))
    assert [b.text for b in kept] == ["Body text here.", "More body.", "Lone link"]
    assert removed[0].chars == len("Teaser one") + len("Teaser two")


def test_repeat_meta_drops_the_headline_with_or_without_site_name() -> None:
    rule = {"id": "meta.t", "kind": "repeat_meta", "fields": ["title"], "why": "w"}
    for title in ("Harbour strike spreads to the north", "Harbour strike spreads to the north | Daily8 News"):
        kept, _ = apply_text(_blocks("Harbour strike spreads to the north", "Body."), _rules(rule), {"title": title})
        assert [b.text for b in kept] == ["Body."]
