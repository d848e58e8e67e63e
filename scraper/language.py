"""The article's language: the page's declaration when it makes one, else detected from the text.

Detection uses py3langid (the langid.py model trafilatura uses too); it loads on first use.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_LETTERS = re.compile(r"[^\W\d_]")
_SAMPLE = 1200  # characters: enough for a confident call (langid costs about 1 ms per 400)
_MIN_LETTERS = 20


@cache
def _classify() -> Any:
    import py3langid  # noqa: PLC0415 - its model loads on first use (about a second)

    return py3langid.classify


def detect_language(text: str) -> str | None:
    """The language of ``text`` as an ISO 639-1 code, or None when there is too little text to tell."""
    sample = text[:_SAMPLE]
    if len(_LETTERS.findall(sample)) < _MIN_LETTERS:
        return None
    code, _ = _classify()(sample)
    return str(code) if code else None


def page_language(declared: str | None, source: str | None, text: str) -> tuple[str | None, str | None]:
    """``(language, source)``: the declared language and where it was declared (``html-lang``, ``meta``,
    ``json-ld``), else the detected one with source ``detected``, else ``(None, None)``."""
    if declared:
        return declared, source
    detected = detect_language(text)
    return (detected, "detected") if detected else (None, None)
