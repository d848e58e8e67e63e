"""The keys an article is filed and looked up under in the story index: the LSH bucket of each band of its
MinHash signature (32 bands of 4 values) and its weightiest facts.

They depend on the article alone, so they are computed with the article's ``Newcomer`` (in the worker
processes of ``scraper stories``), not in the process that holds the index.
"""

from __future__ import annotations

import functools
import struct

from scraper.stories.fingerprint import NUM_PERM
from scraper.stories.relation import fact_weight

BANDS, ROWS = 32, 4
# Facts an article is listed and looked up under (its most specific ones).
FACTS_LOOKED_UP = 16
_MASK = (1 << 63) - 1
_VALUES, _BANDS = struct.Struct(f"<{NUM_PERM}H"), struct.Struct(f"<{BANDS}Q")
_SALTS = [(band * 0x9E3779B97F4A7C15) & _MASK for band in range(BANDS)]

assert BANDS * ROWS == NUM_PERM


def band_keys(minhash: tuple[int, ...]) -> list[int]:
    """The LSH bucket of each band: four 16-bit values and the band's number, as one 63-bit integer."""
    packed = _BANDS.unpack(_VALUES.pack(*minhash))
    return [(value ^ _SALTS[band]) & _MASK for band, value in enumerate(packed)]


def looked_up(facts: tuple[str, ...]) -> list[str]:
    """The facts an article is listed and looked up under: its ``FACTS_LOOKED_UP`` weightiest."""
    return sorted(facts, key=_heaviest_first)[:FACTS_LOOKED_UP]


@functools.lru_cache(maxsize=1 << 18)
def _heaviest_first(fact: str) -> tuple[float, str]:
    return -fact_weight(fact), fact
