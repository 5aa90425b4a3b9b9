"""What the cross-year pass keeps of a report to compare it with the year before (内容雷同):
its numbers as one vector over the template's cells, and a sketch of its narrative.

Both are small and fixed in size, so a batch of any length keeps them for every report
(the cross-year pass otherwise keeps only the cells its equations use).

* ``numbers``: float64, one entry per cell of 表二/表三/表四 in the template (all
  versions, in template order), NaN where the report has no number.
* ``sketch``: a bottom-k MinHash sketch (the k smallest 32-bit hashes) of the narrative's
  character 5-grams, with whitespace removed and every digit written 0 (a
  text copied with its figures updated is still the same text). The Jaccard similarity
  of two narratives is estimated from their sketches (Broder 1997): of the k smallest
  hashes of the union, the share found in both. With k = 256 the estimate's standard
  error is about 0.02 near 0.9.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

K = 256
SHINGLE = 5
MIN_CHARS = 300  # narratives shorter than this are not compared


@lru_cache(maxsize=1)
def cell_keys() -> dict[tuple[str, str, str], int]:
    """Every (table, row, column) of 表二/表三/表四 in the template (subtotal rows aside),
    numbered in template order."""
    from .template import TEMPLATE

    keys: list[tuple[str, str, str]] = []
    for code, t in TEMPLATE.tables.items():
        for row in t.rows:
            if row.subtotal:  # a printed subtotal repeats its items: compared once, through them
                continue
            for column in t.columns:
                keys.append((code, row.code, column.code))
    return {k: i for i, k in enumerate(dict.fromkeys(keys))}


@dataclass(frozen=True)
class Digest:
    numbers: np.ndarray
    sketch: np.ndarray  # uint32, sorted, at most K entries
    chars: int  # length of the normalised narrative

    def same_numbers(self, other: "Digest", min_nonzero: int = 5) -> bool:
        """Every filled number identical (and the same cells filled), with at least
        ``min_nonzero`` non-zero numbers: empty tables are alike without being copied."""
        a, b = self.numbers, other.numbers
        filled = ~np.isnan(a)
        return bool(np.array_equal(filled, ~np.isnan(b)) and np.array_equal(a[filled], b[filled])
                    and np.count_nonzero(a[filled]) >= min_nonzero)

    def similarity(self, other: "Digest") -> float | None:
        """Estimated Jaccard similarity of the two narratives (None when either is too short)."""
        if self.chars < MIN_CHARS or other.chars < MIN_CHARS or not len(self.sketch) or not len(other.sketch):
            return None
        union = np.union1d(self.sketch, other.sketch)[:K]
        both = np.intersect1d(self.sketch, other.sketch, assume_unique=True)
        return float(np.isin(union, both, assume_unique=True).sum()) / len(union)


def _sketch(text: str) -> np.ndarray:
    if len(text) < SHINGLE:
        return np.zeros(0, dtype=np.uint32)
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = np.zeros(len(cp) - SHINGLE + 1, dtype=np.uint64)
    for j in range(SHINGLE):  # a polynomial hash of each window, then one mixing step
        h = h * np.uint64(1_000_003) + cp[j: len(cp) - SHINGLE + 1 + j]
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    return np.unique((h & np.uint64(0xFFFFFFFF)).astype(np.uint32))[:K]


_SPACE, _DIGIT = re.compile(r"\s+"), re.compile(r"\d")


def normalised_narrative(paragraphs) -> str:
    text = "".join(paragraphs)
    return _DIGIT.sub("0", _SPACE.sub("", text))


def of(report) -> Digest:
    """The digest of an extracted report (validator.extract.Report)."""
    keys = cell_keys()
    numbers = np.full(len(keys), np.nan)
    for c in report.cells:
        i = keys.get((c.table, c.row, c.column))
        if i is not None and c.state == "number" and c.value is not None:
            numbers[i] = c.value
    text = normalised_narrative(t for t, *_ in report.paragraphs)
    return Digest(numbers, _sketch(text), len(text))
