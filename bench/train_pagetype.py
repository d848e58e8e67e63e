"""Fit the page-type model (scraper/pagetype.json) on a labelled WCXB-layout set, with honest figures.

Usage: python bench/train_pagetype.py DATASET [--extra AEB_DIR] [--write] [--folds 5] [--max-fpr 0.01]

Every page is cleaned the way ``scraper.clean`` does it (decode, parse, metadata, rules, trafilatura)
and turned into ``scraper.pagetype.page_features``, labelled article / listing / product / forum /
other (WCXB's ``collection`` counts as listing; ``service`` and ``documentation`` as other). Pages of
``--extra`` folders (AEB layout: all articles) are added as articles. Figures are out-of-fold: the
pages are split into folds by host, so no site is scored by a model that saw it. A logistic
regression gives the probability of "not an article"; its threshold is set so that at most
``--max-fpr`` of the data set's own articles pass it, out of fold (the ``--extra`` articles are counted
apart). A second, multinomial one names the type of the pages that are not articles. Both are fitted
with numpy (L2, classes weighted to balance). With ``--write`` the model fitted on all pages is written,
with its out-of-fold figures, to scraper/pagetype.json. Feature vectors are cached next to the dataset's
name in /tmp (delete the file after changing the features or the cleaner).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import pickle
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from datasets import WHERE, Page, iter_pages

from scraper.config import DEFAULT_OPTIONS
from scraper.errors import ScraperError
from scraper.pagetype import page_features

# the module, not the function scraper/__init__.py exports under the same name
clean_module = importlib.import_module("scraper.clean")

CLASSES = ("article", "listing", "product", "forum", "other")
LABELS = {"article": "article", "collection": "listing", "listing": "listing", "product": "product",
          "forum": "forum", "service": "other", "documentation": "other"}
OUT = Path(__file__).resolve().parent.parent / "scraper" / "pagetype.json"


def _features(page: Page) -> dict[str, float] | None:
    """The page's features as ``clean()`` would compute them (None when cleaning fails early).

    Mirrors the steps of ``scraper.clean.clean`` up to extraction (private helpers: keep in step
    with clean.py).
    """
    c = clean_module
    try:
        decoded = c._decode(page.html, None, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
        c._check_markup(decoded.text, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
        rules, _ = c._resolve_rules(page.url, None, None, None)  # type: ignore[attr-defined]
        meta, outcome = c._run(decoded, page.url, rules, DEFAULT_OPTIONS)  # type: ignore[attr-defined]
    except ScraperError:
        return None
    return page_features(meta, outcome.blocks, page.url)


def _load(root: Path, extra: list[Path]) -> tuple[list[str], list[str], list[str], list[dict[str, float]]]:
    key = hashlib.sha256("|".join(str(p.resolve()) for p in [root, *extra]).encode()).hexdigest()[:12]
    cache = Path("/tmp") / f"newsclean-pagetype-{key}.pkl"
    if cache.exists():
        data: tuple[list[str], list[str], list[str], list[dict[str, float]]] = pickle.loads(cache.read_bytes())
        return data
    ids, labels, hosts, feats = [], [], [], []
    pages = [(p, LABELS.get(p.page_type, "other")) for p in iter_pages(root, page_types=None)]
    for folder in extra:
        pages += [(p, "article") for p in iter_pages(folder)]
    for n, (page, label) in enumerate(pages, 1):
        f = _features(page)
        if f is None:
            continue
        ids.append(page.id)
        labels.append(label)
        hosts.append((urlsplit(page.url).hostname or page.id).removeprefix("www."))
        feats.append(f)
        if n % 200 == 0:
            print(f"  {n}/{len(pages)} pages", file=sys.stderr)
    cache.write_bytes(pickle.dumps((ids, labels, hosts, feats)))
    return ids, labels, hosts, feats


def _fit(x: np.ndarray, y: np.ndarray, classes: int, *, l2: float = 3e-3, steps: int = 4000, rate: float = 0.5,
         binary_l2: float = 1.0
         ) -> np.ndarray:
    """Logistic regression.

    Two classes: a sigmoid on one score (weights shape (features+1,)), unweighted, L2 ``binary_l2``
    on the summed loss (scikit-learn's default C=1); more: a softmax (features+1, classes), classes
    weighted to balance. The last row is the bias.
    """
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    counts = np.bincount(y, minlength=classes)
    weight = (n / (classes * np.maximum(counts, 1)))[y]
    if classes == 2:  # Newton's method (IRLS) on the penalised log-loss: converges in a few steps
        w = np.zeros(d + 1)
        penalty = np.eye(d + 1) * binary_l2
        penalty[-1, -1] = 0.0
        for _ in range(50):
            p = 1 / (1 + np.exp(-np.clip(xb @ w, -40, 40)))
            grad = xb.T @ (p - y) + penalty @ w
            hessian = (xb * (p * (1 - p))[:, None]).T @ xb + penalty
            step = np.linalg.solve(hessian, grad)
            w -= step
            if np.abs(step).max() < 1e-8:
                break
        return w
    onehot = np.eye(classes)[y]
    w = np.zeros((d + 1, classes))
    for _ in range(steps):
        z = xb @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = xb.T @ ((p - onehot) * weight[:, None]) / n
        grad[:-1] += l2 * w[:-1]
        w -= rate * grad
    return w


def _score(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Sigmoid probabilities (binary weights) or class scores (softmax weights)."""
    z = np.hstack([x, np.ones((len(x), 1))]) @ w
    return 1 / (1 + np.exp(-np.clip(z, -40, 40))) if w.ndim == 1 else z


def _folds(hosts: list[str], k: int) -> np.ndarray:
    """Fold number per page, by a hash of its host (a site's pages stay together)."""
    return np.array([int(hashlib.md5(h.encode()).hexdigest(), 16) % k for h in hosts])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="WCXB-layout folder with page types")
    parser.add_argument("--extra", type=Path, action="append", default=[], help="AEB-layout folder of articles")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-fpr", type=float, default=0.01, help="articles called not-article, out of fold")
    parser.add_argument("--write", action="store_true", help="write scraper/pagetype.json")
    args = parser.parse_args()
    if not (args.dataset / "ground-truth").is_dir():
        print(f"{args.dataset}: not a WCXB-layout folder.\n{WHERE}", file=sys.stderr)
        return 2
    ids, labels, hosts, feats = _load(args.dataset, args.extra)
    own = {f.stem for f in (args.dataset / "ground-truth").glob("*.json")}
    in_dataset = np.array([i in own for i in ids])
    names = sorted(feats[0])
    x = np.array([[f[n] for n in names] for f in feats])
    y = np.array([CLASSES.index(label) for label in labels])
    fold = _folds(hosts, args.folds)
    not_article = (y != 0).astype(int)
    types = [c for c in CLASSES if c != "article"]
    oof = np.zeros(len(y))
    oof_type = np.zeros(len(y), dtype=int)
    for i in range(args.folds):
        train, test = fold != i, fold == i
        oof[test] = _score(x[test], _fit(x[train], not_article[train], 2))
        non = train & (y != 0)
        tw = _fit(x[non], y[non] - 1, len(types))
        oof_type[test] = _score(x[test], tw).argmax(axis=1) + 1
    is_article = y == 0
    # The probability above which a page is "not an article": out of fold, at most max_fpr of the data set's
    # own articles pass it (the ``--extra`` ones are scored apart: they are news pages, which must not pass).
    scores = np.sort(oof[is_article & in_dataset])[::-1]
    allowed = int(args.max_fpr * len(scores))
    threshold = float(scores[allowed]) + 1e-9
    flagged = oof >= threshold
    fpr = float(np.mean(flagged[is_article & in_dataset]))
    extra = is_article & ~in_dataset
    recall = float(np.mean(flagged[~is_article]))
    typed = float(np.mean(oof_type[~is_article] == y[~is_article]))
    print(f"{len(y)} pages ({Counter(labels)}), {args.folds} folds by host")
    print(f"out of fold, threshold {threshold:.3f}: articles called not-article {fpr:.4f} "
          f"({int(flagged[is_article & in_dataset].sum())}/{int((is_article & in_dataset).sum())}; --extra "
          f"{int(flagged[extra].sum())}/{int(extra.sum())}); non-articles caught {recall:.3f} "
          f"({int(flagged[~is_article].sum())}/{int((~is_article).sum())}); type right {typed:.3f}")
    for c, name in enumerate(CLASSES):
        if c:
            sel = y == c
            print(f"  {name:8s} caught {float(np.mean(flagged[sel])):.3f} of {int(sel.sum())}")
    w = _fit(x, not_article, 2)
    tw = _fit(x[y != 0], y[y != 0] - 1, len(types))
    if args.write:
        model = {
            "about": "Page-type model fitted by bench/train_pagetype.py on the WCXB dev set (CC-BY-4.0) "
                     "and AEB articles; features are scraper.pagetype.page_features.",
            "threshold": round(threshold, 4),
            "out_of_fold": {"articles_flagged": round(fpr, 4), "non_articles_caught": round(recall, 4),
                            "type_right": round(typed, 4), "folds": args.folds, "pages": len(y)},
            "not_article": {"_bias": round(float(w[-1]), 4), **{f: round(float(w[j]), 4) for j, f in enumerate(names)}},
            "types": {name: {"_bias": round(float(tw[-1, c]), 4),
                             **{f: round(float(tw[j, c]), 4) for j, f in enumerate(names)}}
                      for c, name in enumerate(types)},
        }
        OUT.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
