"""The report template, loaded once from ``template.yaml``, and label matching.

This module is the only place that knows the official rows and columns. It offers:

* :data:`TEMPLATE`, the parsed definition (tables, rows, columns, sections, versions);
* :func:`normalize`, the label normalisation used for every comparison;
* :class:`Labels`, a matcher from a label text seen in a report to a template entry.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same safety, faster

VERSIONS = ("2019", "2021")
TABLE_CODES = ("t2", "t3", "t4")
LAYOUTS = ("grouped", "ordered", "banded")
"""How a table is printed (its ``layout:``), which decides how it is found and drawn:
``grouped`` groups of rows, each group with its own columns (表二); ``ordered`` rows in a fixed
order under one set of columns (表三); ``banded`` every row a band of the same columns, the
bands printed side by side as one row under heading words (表四)."""

# Punctuation and spacing that reports vary freely: removed before comparing labels.
_DROP = re.compile(r"[\s\u3000\u00a0,，、。.．:：;；()（）\[\]【】〔〕“”\"'‘’「」/／\\|·•\-—－_]+")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+|\d+)")


def normalize(text: str) -> str:
    """Compare labels by content only: NFKC (full/half width), no spaces or punctuation."""
    text = text or ""
    return _label(text) if len(text) <= _LABEL else _DROP.sub("", unicodedata.normalize("NFKC", text))


_LABEL = 200


@lru_cache(maxsize=1 << 12)
def _label(text: str) -> str:
    """:func:`normalize` of a label-sized text, cached: labels repeat across reports. Longer
    texts (a paragraph, a whole document) do not, and cached they kept a worker's every
    document in memory."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text))


def core(text: str) -> str:
    """A normalised label without its leading enumerator (一、 / （三） / 1.)."""
    return _NUMBERING.sub("", normalize(text), count=1)


@dataclass(frozen=True)
class Entry:
    """A row or column of a table."""

    table: str
    code: str
    label: str
    versions: tuple[str, ...] = VERSIONS
    variants: tuple[str, ...] = ()
    group: str | None = None
    parent: str | None = None
    total: bool = False
    kind: str = "count"
    nested: bool = False  # the entry's group has a parent group: shown with the group
    subtotal: bool = False  # an optional printed subtotal row of a group (its items: the rows of group == label)

    @property
    def display(self) -> str:
        """The label shown to users: sub-rows carry their group, as in 「（三）不予公开 / 1.属于国家秘密」."""
        if self.nested and self.group != self.label:
            return f"{self.group} / {self.label}"
        return self.label

    def spellings(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


@dataclass
class Table:
    code: str
    label: str
    title: str
    rows: list[Entry]
    columns: list[Entry]
    groups: list[dict] = field(default_factory=list)
    group_columns: dict = field(default_factory=dict)
    required: bool = False
    note: str | None = None  # the note printed in the table's corner (表三's 勾稽关系)
    heading: tuple[str, ...] = ()
    deviations: list[dict] = field(default_factory=list)
    layout: str = "ordered"  # one of LAYOUTS
    row_heading: str | None = None  # the heading over the row labels (表二's 信息内容)
    column_heading: str | None = None  # the heading over every column (表三's 申请人情况)

    @property
    def width(self) -> int:
        """Values in a printed row of the table (表四's bands print as one row)."""
        return len(self.columns) * (len(self.rows) if self.layout == "banded" else 1)

    def levels(self, entry: Entry) -> list[str]:
        """An entry's label with the groups above it, outermost first:
        ``[三、本年度办理结果, （三）不予公开, 1.属于国家秘密]``."""
        groups = {g.get("code", g["label"]): g for g in self.groups}  # a group is named by its code, else its label
        out, group = [entry.label], entry.group
        while group:
            g = groups.get(group, {})
            out.insert(0, g.get("label", group))
            group = g.get("parent")
        return out

    def deviation(self, version: str, present: set[str]) -> list[Entry] | None:
        """The rows to expect of a ``version`` report whose rows ``present`` follow the other
        version's form of a known deviation (None when they do not)."""
        for d in self.deviations:
            own, other = self.deviation_rows(d, version)
            if present & other and not present & own:
                return [r for r in self.rows if not r.subtotal
                        and (r.code in other or (version in r.versions and r.code not in own))]
        return None

    @staticmethod
    def deviation_rows(d: dict, version: str) -> tuple[set[str], set[str]]:
        """(the version's own rows, the other versions' rows) of a deviation."""
        rows = d.get("rows", {})
        return set(rows.get(version, ())), {c for v, codes in rows.items() if v != version for c in codes}

    def row(self, code: str) -> Entry:
        return self._rows[code]

    def column(self, code: str) -> Entry:
        return self._cols[code]

    def rows_for(self, version: str) -> list[Entry]:
        """The rows every report of ``version`` prints (the optional subtotal rows are not among them)."""
        return [r for r in self.rows if version in r.versions and not r.subtotal]

    @property
    def printed_rows(self) -> list[Entry]:
        """Every row but the optional subtotals: what a row label is matched against (a subtotal
        is told from its group's heading by its numbers and its items, see :meth:`subtotal_for`)."""
        return [r for r in self.rows if not r.subtotal]

    def subtotals(self, version: str) -> list[Entry]:
        return [r for r in self.rows if r.subtotal and version in r.versions]

    def items(self, subtotal: Entry) -> list[Entry]:
        """The rows a subtotal row adds up: the rows of the group its label names."""
        return [r for r in self.rows if r.group == subtotal.label and not r.subtotal]

    def subtotal_for(self, label: str, version: str) -> Entry | None:
        """The subtotal row of ``version`` whose group heading a printed label ends with
        (「（三）不予公开」, 「三、本年度办理结果（三）不予公开」), else None."""
        n = normalize(label)
        for r in self.subtotals(version):
            if any(s and n.endswith(s) for s in map(normalize, r.spellings())):
                return r
        return None

    def columns_for(self, version: str, group: str | None = None) -> list[Entry]:
        if self.group_columns and group is not None:
            codes = self.group_columns.get(version, {}).get(group, [])
            return [self._col_for(c, version) for c in codes]
        return [c for c in self.columns if version in c.versions]

    def _col_for(self, code: str, version: str) -> Entry:
        for c in self.columns:
            if c.code == code and version in c.versions:
                return c
        raise KeyError(code)

    def __post_init__(self):
        self._rows = {r.code: r for r in self.rows}
        self._cols = {}
        for c in self.columns:  # the same code may have a label per version (表二 decisions)
            self._cols.setdefault(c.code, c)


@dataclass
class Template:
    versions: dict
    sections: list[Entry]
    tables: dict[str, Table]
    default_version: str = VERSIONS[-1]

    @property
    def required(self) -> tuple[str, ...]:
        """The tables every report has (a file without their numbers is not a report)."""
        return tuple(c for c, t in self.tables.items() if t.required)

    def markers(self, version: str) -> tuple[str, ...]:
        return tuple(self.versions[version].get("markers", ()))

    def version_for_year(self, year: int | None) -> str | None:
        """The version a report of ``year`` must use (its ``years`` range)."""
        if year is None:
            return None
        ranges = {code: (list(v.get("years") or ()) + [None, None])[:2] for code, v in self.versions.items()}
        for code, (first, last) in ranges.items():
            if (first is None or year >= first) and (last is None or year <= last):
                return code
        return min(ranges, key=lambda c: ranges[c][0] or 0)  # before every range: the earliest version

    def __getitem__(self, table: str) -> Table:
        return self.tables[table]

    def entry_label(self, table: str, axis: str, code: str) -> str:
        t = self.tables[table]
        try:
            return (t.row(code) if axis == "row" else t.column(code)).display
        except KeyError:
            return code

    # the report's labels of a table / row / column code (a code the template lacks is shown as is)
    def table_label(self, code: str | None) -> str:
        return self.tables[code].label if code in self.tables else (code or "")

    def row_label(self, table: str | None, code: str | None) -> str:
        return self.entry_label(table, "row", code) if code and table in self.tables else (code or "")

    def column_label(self, table: str | None, code: str | None) -> str:
        return self.entry_label(table, "column", code) if code and table in self.tables else (code or "")


def _entry(table: str, d: dict, nested: frozenset = frozenset(), **extra) -> Entry:
    return Entry(
        table=table,
        code=d["code"],
        label=d["label"],
        versions=tuple(d.get("versions", VERSIONS)),
        variants=tuple(d.get("variants", ())),
        group=d.get("group"),
        parent=d.get("parent"),
        total=bool(d.get("total", False) or d.get("subtotal", False)),  # a subtotal is a total
        kind=d.get("kind", "count"),
        nested=d.get("group") in nested,
        subtotal=bool(d.get("subtotal", False)),
        **extra,
    )


@lru_cache(maxsize=1)
def load(path: Path | None = None) -> Template:
    path = path or Path(__file__).with_name("template.yaml")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    tables = {}
    for code, t in data["tables"].items():
        groups = t.get("groups", [])
        nested = frozenset(g["label"] for g in groups if g.get("parent"))
        tables[code] = Table(
            code=code,
            label=t["label"],
            title=t["title"],
            rows=[_entry(code, r, nested) for r in t["rows"]],
            columns=[_entry(code, c) for c in t["columns"]],
            groups=groups,
            group_columns=t.get("group_columns", {}),
            required=bool(t.get("required", False)),
            note=t.get("note"),
            heading=tuple(t.get("heading", ())),
            deviations=t.get("deviations", []),
            layout=t.get("layout", "ordered"),
            row_heading=t.get("row_heading"),
            column_heading=t.get("column_heading"),
        )
        if tables[code].layout not in LAYOUTS:  # fail closed: a table nothing would read
            raise ValueError(f"{path}: table {code}: layout {tables[code].layout!r} is not one of {LAYOUTS}")
    sections = [_entry("sections", s) for s in data["sections"]]
    return Template(versions=data["versions"], sections=sections, tables=tables,
                    default_version=str(data.get("default_version", VERSIONS[-1])))


TEMPLATE = load()


class Labels:
    """Match a label seen in a report to a template entry.

    A label seen in a report may carry its group (「三、本年度办理结果（三）不予公开1.属于国家秘密」
    when merged cells were expanded), may drop or alter its enumerator, and may contain
    typos listed as variants. Matching, in order of preference:

    1. the normalised text ends with a normalised spelling (longest spelling wins);
    2. the text without enumerator ends with a spelling without enumerator, when unique;
    3. the text contains a spelling without enumerator (at least 4 characters), when unique.
    """

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self._memo: dict[str, Entry | None] = {}
        self._full = sorted(
            ((normalize(s), e) for e in entries for s in e.spellings()), key=lambda p: -len(p[0])
        )
        self._core = sorted(
            ((core(s), e) for e in entries for s in e.spellings()), key=lambda p: -len(p[0])
        )

    def match(self, text: str) -> Entry | None:
        if text not in self._memo:
            if len(self._memo) > 1 << 14:
                self._memo.clear()
            self._memo[text] = self._match(text)
        return self._memo[text]

    def _match(self, text: str) -> Entry | None:
        n = normalize(text)
        if not n:
            return None
        for s, e in self._full:
            if s and n.endswith(s):
                return e
        c = core(text)
        hits = {e.code: e for s, e in self._core if s and c.endswith(s)}
        if len(hits) == 1:
            return next(iter(hits.values()))
        if hits:  # several: the longest spelling that ends the text
            for s, e in self._core:
                if s and c.endswith(s):
                    return e
        hits = {e.code: e for s, e in self._core if len(s) >= 4 and s in c}
        if len(hits) == 1:
            return next(iter(hits.values()))
        return None
