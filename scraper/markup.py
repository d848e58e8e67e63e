"""Start tags as libxml2's HTML5 tokenizer reads them, scanned before parsing (in linear time) so that limits
on what the parser would meet can be checked without parsing.

libxml2 checks each attribute of a start tag against all the earlier ones: a tag with n attributes costs it n²
(100,000 attributes: 25 s), and nothing else bounded that; every attribute of the page costs the cleaner after
that too (625,000 in tags of 1,000 on an 8 MB page: 12 s). The scan follows the tokenizer where it matters for
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


def count_attributes(text: str) -> tuple[int, int, int]:
    """The attributes the start tags of ``text`` carry: (the most one tag carries, that tag's offset, all of
    them together); the offset is -1 when no tag has any."""
    most, where, total = 0, -1, 0
    count = _ATTRIBUTE.findall
    for match in _SCAN.finditer(text):
        group = match.lastgroup  # tag, raw or plain for an opening tag; None for comments and end tags
        if group is None:
            continue
        start, end = match.span(group)
        attributes = len(count(text, start + 1, end)) - 1  # less the tag's name
        total += attributes
        if attributes > most:
            most, where = attributes, start
    return most, where, total
