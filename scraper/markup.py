"""Start tags as libxml2's HTML5 tokenizer reads them, scanned before parsing (in linear time) so that limits
on what the parser would meet can be checked without parsing.

libxml2 checks each attribute of a start tag against all the earlier ones: a tag with n attributes costs it n²
(100,000 attributes: 25 s), and nothing else bounds that. The scan follows the tokenizer where it matters for
counting: quoted attribute values (which may hold ``<`` and ``>``), comments (``<!-->`` and ``--!>`` end one
too), bogus comments and doctypes, end tags, and the raw-text elements whose content holds no tags (script,
style, title, textarea, xmp, iframe, noembed, noframes; plaintext runs to the end). Where it cannot tell, it
counts tags the parser would not see rather than miss ones it would. Every pattern is possessive, so the scan
never backtracks.
"""

from __future__ import annotations

import re

# The attributes of a start tag, after its name: HTML5's attribute name and value states.
_BODY = r"""(?:[\s/]++|[^\s/>=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]*+))?+|=)*+"""
_SCAN = re.compile(
    r"<!--(?:-?>|(?:[^-]++|-(?!-!?>))*+(?:--!?>)?)"
    r"|(?P<raw><(?P<name>script|style|title|textarea|xmp|iframe|noembed|noframes)(?![^\s/>])" + _BODY + r")"
    r"(?:>(?:[^<]++|<(?!/(?P=name)))*+)?"
    r"|(?P<plain><plaintext(?![^\s/>])" + _BODY + r")(?:>.*+)?"
    r"|(?P<tag><[A-Za-z]" + _BODY + r")"
    r"|</[A-Za-z]" + _BODY
    + r"|<[!?/][^>]*+",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""[^\s/>=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]*+))?+""")
_OPENING = ("tag", "raw", "plain")


def most_attributes(text: str, above: int = 0) -> tuple[int, int]:
    """The largest number of attributes one start tag of ``text`` carries, and the tag's offset.

    Args:
        text: the page.
        above: only tags that may carry more than this many are counted (a shortcut: an attribute takes at
            least two characters); the result is (0, -1) when none does.
    """
    most, where = 0, -1
    for match in _SCAN.finditer(text):
        start, end = match.span()
        if end - start <= 2 * above:
            continue
        for group in _OPENING:
            tag_start, tag_end = match.span(group)
            if tag_start >= 0:
                count = len(_ATTRIBUTE.findall(text, tag_start + 1, tag_end)) - 1  # less the tag's name
                if count > most:
                    most, where = count, tag_start
                break
    return (most, where) if most > above else (0, -1)
