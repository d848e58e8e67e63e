"""The fingerprint of an article's text: a MinHash signature over its word 5-shingles (rensa, in Rust) for
copies, the number of distinct shingles (so containment can be estimated, not only resemblance), and its
facts (``facts.extract_facts``) for rewrites.

The signature keeps the low 16 bits of each of 128 minimums (b-bit MinHash: two texts agree on a value by
chance once in 65,536, against a resemblance of at least 1 % for any two texts worth comparing), so it is
256 bytes, 344 characters of base64 in a record.
"""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import dataclass, field
from typing import Any

import rensa

from scraper.stories.facts import extract_facts

NUM_PERM = 128
SHINGLE = 5
_SEED = 1_013
_WORD = re.compile(r"\w+")
_PACK = struct.Struct(f"<{NUM_PERM}H").pack
# Bit 0 of each 16-bit value of a signature packed into one integer.
_LOW_BITS = int.from_bytes(b"\x01\x00" * NUM_PERM, "little")
# The signature's scheme: a fingerprint of another scheme cannot be compared and is computed again.
SCHEME = f"minhash-rensa{rensa.RMinHash.ALGORITHM_VERSION}-{NUM_PERM}x16-w{SHINGLE}"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An article's text, for comparing it with others without the text.

    Attributes:
        minhash: 128 16-bit MinHash values of the text's word 5-shingles (lower-cased ``\\w+`` words).
        shingles: how many distinct shingles the text has.
        facts: the most specific facts of the text (``extract_facts``), sorted.
    """

    minhash: tuple[int, ...]
    shingles: int
    facts: tuple[str, ...]
    # The signature as one integer (16 bits a value), for comparing two signatures in a few big-integer steps.
    _packed: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_packed", int.from_bytes(_PACK(*self.minhash), "little"))

    def to_dict(self) -> dict[str, Any]:
        """The record's ``fingerprint`` object."""
        packed = b"".join(v.to_bytes(2, "little") for v in self.minhash)
        return {"scheme": SCHEME, "minhash": base64.b64encode(packed).decode("ascii"), "shingles": self.shingles,
                "facts": list(self.facts)}

    @classmethod
    def from_dict(cls, data: Any) -> Fingerprint | None:
        """The fingerprint of a record, or None when it has none or one of another scheme (compute it again)."""
        if not isinstance(data, dict) or data.get("scheme") != SCHEME:
            return None
        try:
            packed = base64.b64decode(data["minhash"], validate=True)
            if len(packed) != 2 * NUM_PERM:
                return None
            values = tuple(int.from_bytes(packed[i:i + 2], "little") for i in range(0, len(packed), 2))
            return cls(values, int(data["shingles"]), tuple(str(f) for f in data["facts"]))
        except (KeyError, TypeError, ValueError):
            return None

    def resemblance(self, other: Fingerprint) -> float:
        """Estimated Jaccard resemblance of the two shingle sets: the share of the 128 values that agree.

        The values that differ are counted at once: in the XOR of the packed signatures, each 16-bit value's
        bits are OR-ed down into its lowest bit, and those bits are counted.
        """
        differ = self._packed ^ other._packed
        differ |= differ >> 1
        differ |= differ >> 2
        differ |= differ >> 4
        differ |= differ >> 8
        return (NUM_PERM - (differ & _LOW_BITS).bit_count()) / NUM_PERM

    def containment(self, other: Fingerprint) -> float:
        """Estimated share of the smaller text's shingles found in the larger one (1.0: one is inside the other).

        From the resemblance J and the sizes: |A ∩ B| = J (|A| + |B|) / (1 + J).
        """
        if not self.shingles or not other.shingles:
            return 0.0
        j = self.resemblance(other)
        common = j * (self.shingles + other.shingles) / (1 + j)
        return min(1.0, common / min(self.shingles, other.shingles))


def shingles_of(text: str) -> list[str]:
    """The word 5-shingles of a text (lower-cased ``\\w+`` words); a shorter text is one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))


def fingerprint(text: str) -> Fingerprint:
    """The fingerprint of an article's text."""
    shingles = shingles_of(text)
    minhash = rensa.RMinHash(num_perm=NUM_PERM, seed=_SEED)
    minhash.update(shingles)
    return Fingerprint(tuple(v & 0xFFFF for v in minhash.digest()), len(set(shingles)), extract_facts(text))
