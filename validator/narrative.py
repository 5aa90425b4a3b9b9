"""Numbers the narrative states, found with the patterns of the narrative rules.

A narrative rule (``check: narrative`` in rules/narrative.yaml) has regular expressions
with one named group ``n`` (a number in Arabic or Chinese numerals) and one or more
*readings*: the table cells whose sum the number may mean. A claim agrees with the
tables when any reading gives its number. Wording that maps to one reading is an error
when it disagrees; ambiguous wording (收到, 受理: with or without 上年结转) is a warning that
names every reading.

A reading's cell is written ``table.row.column``. A row may be a group (``results.withheld``)
or a glob (``results.withheld.*``): the sum of the detail rows the report has under it, so a
group reads the same whether the report prints it as one row (the 2019 （六）其他处理) or as
sub-rows. A blank total column reads as the sum of its detail columns (a report that left
总计 empty still states its figures). A pattern without a group ``n`` states the rule's
``value`` (未收到政府信息公开申请 states 0).

``check: parts_sum`` finds "N 条，其中 … A 条 … B 条" and checks that the parts add up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import CHINESE_NUMERALS
from .values import MAX_VALUE

# a number starts where a run of digits starts (never right after a digit): the same matches,
# found once per run instead of once per digit (a 5000-digit run took seconds per pattern)
NUM = rf"(?:(?<!\d)\d[\d,，]*|[{CHINESE_NUMERALS}万]+)"
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def to_number(text: str) -> int | None:
    """'1,234' → 1234; '二十一' → 21; '四' → 4; '一万零五' → 10005. None if not a number."""
    t = text.replace(",", "").replace("，", "")
    if t.isdigit():  # Latin digits only (never a superscript ²), and never past MAX_VALUE
        return int(t) if t.isascii() and len(t) <= 10 and int(t) <= MAX_VALUE else None
    total, section, digit = 0, 0, None
    for ch in t:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    total += section + (digit or 0)
    return total if total <= MAX_VALUE else None


@dataclass(frozen=True)
class Claim:
    value: int
    snippet: str
    start: int
    paragraph: int  # index into the report's paragraphs


def _snippet(text: str, start: int, end: int, margin: int = 12) -> str:
    a, b = max(0, start - margin), min(len(text), end + 4)
    return ("…" if a else "") + text[a:b].strip() + ("…" if b < len(text) else "")


def find_claims(paragraphs: list[str], patterns: list[re.Pattern], value: int | None = None) -> list[Claim]:
    """Every match of any pattern; one claim per position (the first pattern wins).
    A pattern without a group ``n`` claims ``value``."""
    out, seen = [], set()
    for i, text in enumerate(paragraphs):
        for pat in patterns:
            counted = "n" in pat.groupindex
            if not counted and value is None:
                continue
            for m in pat.finditer(text):
                key = (i, m.start("n") if counted else m.start())
                value_here = to_number(m["n"]) if counted else value
                if key in seen or value_here is None:
                    continue
                seen.add(key)
                out.append(Claim(value_here, _snippet(text, m.start(), m.end()), m.start(), i))
    return out


def reading_cells(ref: str, has_row) -> list[tuple[str, str, str]]:
    """The (table, row, column) cells a reading's ``table.row.column`` stands for in one
    report: the row itself when the report has it, else the detail rows under it
    (``row.*``). ``has_row(table, row)`` says whether the report has a row; ``[]`` when the
    report has neither."""
    table, rest = ref.split(".", 1)
    row, column = rest.rsplit(".", 1)
    glob = row.endswith(".*")
    row = row.removesuffix(".*")
    if not glob and has_row(table, row):
        return [(table, row, column)]
    from .template import TEMPLATE

    prefix = row + "."
    return [(table, e.code, column) for e in TEMPLATE[table].rows
            if e.code.startswith(prefix) and not e.total and has_row(table, e.code)
            and not any(o.code.startswith(e.code + ".") for o in TEMPLATE[table].rows)]


def detail_columns(table: str, column: str) -> list[str]:
    """The columns a total column adds up (empty for a column that is not a total)."""
    from .template import TEMPLATE

    t = TEMPLATE[table]
    if not t.column(column).total:
        return []
    return [c.code for c in t.columns if not c.total and c.kind == t.column(column).kind]


MONEY = r"\d[\d,，]*(?:\.\d+)?"


@dataclass(frozen=True)
class AmountClaim:
    amount: "Decimal"  # as printed (decimals kept: they give the rounding)
    unit: str  # 元 | 万元
    snippet: str
    paragraph: int


def find_amounts(paragraphs: list[str], patterns: list[re.Pattern]) -> list[AmountClaim]:
    """Amounts of money the narrative states: patterns with groups ``n`` (MONEY, written
    ``MONEY`` in a rule's patterns) and ``unit`` (元 or 万元); one claim per position."""
    from decimal import Decimal, InvalidOperation

    out, seen = [], set()
    for i, text in enumerate(paragraphs):
        for pat in patterns:
            for m in pat.finditer(text):
                if (i, m.start("n")) in seen:
                    continue
                try:
                    amount = Decimal(m["n"].replace(",", "").replace("，", ""))
                except InvalidOperation:
                    continue
                if not amount.is_finite() or amount > MAX_VALUE:
                    continue
                seen.add((i, m.start("n")))
                out.append(AmountClaim(amount, m["unit"], _snippet(text, m.start(), m.end()), i))
    return out


@dataclass(frozen=True)
class PercentClaim:
    value: int  # the count, A of "A 件，占 P%"
    percent: str  # P as printed ("25.7")
    stated: tuple[int, ...]  # the counts stated before it in the same sentence (possible bases)
    snippet: str
    paragraph: int


_SENTENCE = re.compile(r"[^。；;！？]+")
_COUNT = re.compile(rf"({NUM})\s*件")


def find_percents(paragraphs: list[str], patterns: list[re.Pattern]) -> list[PercentClaim]:
    """Every match of a pattern with groups ``n`` (a count) and ``p`` (its percentage)."""
    out = []
    for i, text in enumerate(paragraphs):
        for sentence in _SENTENCE.finditer(text):
            s = sentence.group(0)
            for pat in patterns:
                for m in pat.finditer(s):
                    value = to_number(m["n"])
                    if value is None:
                        continue
                    stated = tuple(v for v in (to_number(x) for x in _COUNT.findall(s[: m.start()])) if v)
                    out.append(PercentClaim(value, m["p"], stated, _snippet(s, m.start(), m.end()), i))
    return out


def percent_agrees(count: float, base: float, printed: str) -> bool:
    """Whether ``count / base`` rounds to the printed percentage ('35.7', '36', '100')."""
    if base <= 0:
        return False
    decimals = len(printed.split(".", 1)[1]) if "." in printed else 0
    exact = 100.0 * count / base
    half = 0.5 * 10 ** -decimals
    return abs(exact - float(printed)) <= half + 1e-9


_WHOLE = re.compile(rf"(?P<n>{NUM})\s*(?P<unit>[条件篇个项起])[，,：:。]?\s*其中(?!包括)[：:]?(?P<rest>[^。；;]*)")


@dataclass(frozen=True)
class PartsClaim:
    whole: int
    parts: tuple[int, ...]
    unit: str
    snippet: str
    paragraph: int


def find_parts(paragraphs: list[str]) -> list[PartsClaim]:
    """'N 条，其中 … A 条 … B 条' with at least two parts in the same unit."""
    out = []
    for i, text in enumerate(paragraphs):
        for m in _WHOLE.finditer(text):
            unit = m["unit"]
            parts = [to_number(p) for p in re.findall(rf"({NUM})\s*{unit}", m["rest"])]
            parts = [p for p in parts if p is not None]
            whole = to_number(m["n"])
            if whole is None or len(parts) < 2:
                continue
            out.append(PartsClaim(whole, tuple(parts), unit, _snippet(text, m.start(), m.end(), 16), i))
    return out
