"""Reading one cell's text as a value, without guessing.

Every cell keeps its raw text. Its state says what the text was:
``number`` (a value was read), ``blank`` (empty), ``dash`` (written as "/", "-", "—", "无"),
``invalid`` (text that is not a number), ``missing`` (no cell found at all) or
``unreadable`` (set by extraction for an OCR'd cell whose text was not recognised with
confidence).
Only ``number`` carries a value; nothing else is ever read as 0.

Nothing is guessed either: a number with a space inside (``8 8``), a superscript, circled
or other non-Latin digit (``2¹``, ``2①``, ``٣``) is ``invalid`` with the reason in the
note, never concatenated or converted; a value above :data:`MAX_VALUE` (or one that is
not finite) is ``invalid`` with the note :data:`OUT_OF_RANGE`, never a float overflow.
The shape tests :func:`is_value_like` and :func:`is_number` stay loose on purpose: such a
cell still stands in a value position (it does not become part of the row's label).
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata

from .text import DASHES, NUMBER as _NUMBER, WITH_UNIT as _WITH_UNIT, compact as clean, is_dash


MAX_VALUE = 10 ** 9
"""Largest absolute value read from a cell (10^9): no count of a disclosure report comes near it."""
OUT_OF_RANGE = f"超过 {MAX_VALUE:,} 的上限"
"""The note of a cell whose number is larger than :data:`MAX_VALUE` (rule X010)."""
DUPLICATE = "（同一单元格在规范化数据中出现了不止一次"
"""The start of the note of a canonical cell given more than once (rule X011)."""
SPACED = "（数字中间有空格，无法确定是几个数）"
FOREIGN_DIGIT = "（含有上标、圈码或其他文字的数字）"
_LATIN_DIGITS = frozenset("0123456789０１２３４５６７８９")
_SPACED = re.compile(r"\d\s+\d")


def parse(raw: str | None, kind: str = "count") -> tuple[float | None, str, str | None]:
    """Return (value, state, note). ``note`` says how the text was normalised, if it was."""
    if raw is not None and len(raw) <= 32:  # a value's text: the same few recur in every report
        return _parse_value(raw, kind)
    return _parse(raw, kind)


@functools.lru_cache(maxsize=1 << 12)
def _parse_value(raw: str, kind: str) -> tuple[float | None, str, str | None]:
    return _parse(raw, kind)


def _parse(raw: str | None, kind: str) -> tuple[float | None, str, str | None]:
    if raw is None:
        return None, "missing", None
    s = clean(raw)
    if not s:
        return None, "blank", None
    if is_dash(s):
        return None, "dash", None
    m = _NUMBER.match(s) or _WITH_UNIT.match(s)
    if m is None:
        return None, "invalid", None
    doubt = ambiguous(raw)
    if doubt:
        return None, "invalid", doubt
    num = m["num"] if "num" in m.re.groupindex else s
    if len(num) > 30:  # float() of thousands of digits is slow and says nothing more
        return None, "invalid", OUT_OF_RANGE
    value = float(num.replace(",", ""))
    unit = m["unit"] if "unit" in m.re.groupindex else None
    if unit is None:
        note = "去掉了千分位分隔符" if "," in s else None
    elif kind == "money" and unit == "元":
        value /= 10000
        note = f"已将“{raw.strip()}”按单位换算为 {value:g} 万元"
    else:
        note = f"去掉了单位“{unit}”"
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        return None, "invalid", OUT_OF_RANGE
    return value, "number", note


def ambiguous(raw: str) -> str | None:
    """Why a cell that looks like a number cannot be read as one without guessing, or None."""
    if _SPACED.search(unicodedata.normalize("NFKC", raw)):
        return SPACED
    for ch in raw:
        if ch not in _LATIN_DIGITS and unicodedata.digit(ch, None) is not None:
            return FOREIGN_DIGIT
    return None


# what a program writes for a number it cannot print plainly: 1e309, inf, ∞, NaN (read as invalid)
# or a number with a footnote mark: 12*, 12※, 4(1), 4[1], 4注1 (read as invalid too, never shifted into the label)
_MACHINE_NUMBER = re.compile(r"^[+-]?(?:\d[\d,.]*[eE][+-]?\d+|inf|infinity|nan|∞)$"
                             r"|^\d[\d,.]*(?:\*{1,3}|※|#|†|‡|\(\d{1,2}\)|\[\d{1,2}\]|注\d{0,2})$", re.I)


def is_value_like(raw: str) -> bool:
    """A cell that can stand in a value position (a number, a blank or a dash mark, or a
    number that will be refused: ``1e309``, ``inf``, ``12*``)."""
    if raw is not None and len(raw) <= 32:  # short texts repeat ("0", "", row labels): asked again and again
        return _short_value_like(raw)
    return _value_like(raw)


def _value_like(raw: str) -> bool:
    s = clean(raw)
    return (not s or is_dash(s) or bool(_NUMBER.match(s)) or bool(_WITH_UNIT.match(s))
            or bool(_MACHINE_NUMBER.match(s)))


_short_value_like = functools.lru_cache(maxsize=4096)(_value_like)


def is_number(raw: str) -> bool:
    s = clean(raw)
    return bool(_NUMBER.match(s) or _WITH_UNIT.match(s))
