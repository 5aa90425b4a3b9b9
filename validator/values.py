"""Reading one cell's text as a value, without guessing.

Every cell keeps its raw text. Its state says what the text was:
``number`` (a value was read), ``blank`` (empty), ``dash`` (written as "/", "-", "—", "无"),
``invalid`` (text that is not a number) or ``missing`` (no cell found at all).
Only ``number`` carries a value; nothing else is ever read as 0.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

DASHES = frozenset({"/", "／", "-", "－", "—", "——", "–", "无", "\\", "、", "－－", "--", "/ "})
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_WITH_UNIT = re.compile(r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<unit>万元|元|件|条|个|项|次|起)$")


@lru_cache(maxsize=1 << 16)
def clean(raw: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or ""))


def parse(raw: str | None, kind: str = "count") -> tuple[float | None, str, str | None]:
    """Return (value, state, note). ``note`` says how the text was normalised, if it was."""
    if raw is None:
        return None, "missing", None
    s = clean(raw)
    if not s:
        return None, "blank", None
    if s in DASHES or set(s) <= {"-", "—", "/", "－"}:
        return None, "dash", None
    if _NUMBER.match(s):
        note = "去掉了千分位分隔符" if "," in s else None
        return float(s.replace(",", "")), "number", note
    m = _WITH_UNIT.match(s)
    if m:
        value = float(m["num"].replace(",", ""))
        if kind == "money" and m["unit"] == "元":
            return value / 10000, "number", f"已将“{raw.strip()}”按单位换算为 {value / 10000:g} 万元"
        return value, "number", f"去掉了单位“{m['unit']}”"
    return None, "invalid", None


def is_value_like(raw: str) -> bool:
    """A cell that can stand in a value position (a number, a blank or a dash mark)."""
    s = clean(raw)
    return not s or s in DASHES or bool(_NUMBER.match(s)) or bool(_WITH_UNIT.match(s)) or set(s) <= {"-", "—", "/", "－"}


def is_number(raw: str) -> bool:
    s = clean(raw)
    return bool(_NUMBER.match(s) or _WITH_UNIT.match(s))
