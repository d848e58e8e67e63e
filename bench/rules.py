"""Rule audit: what every rule removes on a benchmark, article text against boilerplate.

Usage: python bench/rules.py DATASET [--jobs N] [--top K] [--examples RULE]

DATASET is a folder in the AEB or WCXB layout (see bench/datasets.py). Every page is cleaned with
``scraper.clean.explain``; each block a rule removes is split into the characters that are in the
true article text (by the share of its word 3-grams found in the truth) and those that are not.
Per rule: pages hit, characters of article text removed (the harm), characters of boilerplate
removed (the good), and the harm's share; worst first. A rule whose removals are mostly article
text is wrong. ``--examples RULE`` prints the article text that rule removed, page by page.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import WHERE, Page, iter_pages, layout

import scraper
from scraper.clean import explain

_TOKEN = re.compile(r"\w+")


def truth_share(truth_trigrams: set[tuple[str, ...]], truth_words: str, text: str) -> float:
    """Share of a block's word 3-grams that occur in the truth (whole-token match if shorter)."""
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < 3:
        return float(f" {' '.join(tokens)} " in truth_words) if tokens else 0.0
    grams = [tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)]
    return sum(g in truth_trigrams for g in grams) / len(grams)


@dataclass
class Tally:
    """One rule's removals over the benchmark."""

    pages: set[str] = field(default_factory=set)
    harm: float = 0.0
    good: float = 0.0
    examples: list[tuple[str, str]] = field(default_factory=list)


def audit_page(page: Page) -> list[tuple[str, float, float, str]]:
    """(rule, article chars, boilerplate chars, text) for every block a rule removed on the page."""
    try:
        outcome = explain(page.html, page.url)
    except scraper.ScraperError:
        return []
    words = _TOKEN.findall(page.truth.lower())
    trigrams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
    joined = f" {' '.join(words)} "
    out = []
    for block, rule in zip(outcome.blocks, outcome.verdicts, strict=True):
        if rule is None:
            continue
        share = truth_share(trigrams, joined, block.text)
        out.append((rule, share * len(block.text), (1 - share) * len(block.text), block.text))
    return out


def _audit(page: Page) -> tuple[str, list[tuple[str, float, float, str]]]:
    return page.id, audit_page(page)


def main(argv: list[str] | None = None) -> int:
    """Run the audit and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=WHERE)
    parser.add_argument("dataset", type=Path, help="AEB or WCXB folder")
    parser.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--top", type=int, default=0, help="print only the K worst rules")
    parser.add_argument("--examples", metavar="RULE", help="print the article text RULE removed")
    args = parser.parse_args(argv)
    try:
        kind = layout(args.dataset)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    pages = list(iter_pages(args.dataset))
    with mp.get_context("fork").Pool(max(args.jobs, 1)) as pool:
        results = pool.map(_audit, pages, chunksize=4)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for page_id, removals in results:
        for rule, harm, good, text in removals:
            tally = tallies[rule]
            tally.pages.add(page_id)
            tally.harm += harm
            tally.good += good
            if harm > good:
                tally.examples.append((page_id, text))
    rows = sorted(tallies.items(), key=lambda kv: (-kv[1].harm / max(kv[1].harm + kv[1].good, 1), -kv[1].harm))
    print(f"{kind}: {len(pages)} pages; characters removed per rule, split by the true article text")
    print(f"{'rule':<32} {'pages':>6} {'article':>9} {'boilerpl.':>10} {'harm':>6}")
    for rule, t in rows[: args.top or None]:
        share = t.harm / max(t.harm + t.good, 1)
        print(f"{rule:<32} {len(t.pages):6d} {t.harm:9.0f} {t.good:10.0f} {share:6.1%}")
    harm = sum(t.harm for t in tallies.values())
    good = sum(t.good for t in tallies.values())
    print(f"{'all rules':<32} {'':6} {harm:9.0f} {good:10.0f} {harm / max(harm + good, 1):6.1%}")
    if args.examples:
        for page_id, text in tallies[args.examples].examples:
            print(f"  {page_id}: {text[:160]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
