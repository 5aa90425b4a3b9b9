"""From a reader's document to the canonical tables of one report.

Readers produce rows of cells and paragraphs; this step finds, by label, which template
row each table row is, takes the values that follow the label, and records every cell
(value, raw text, state, source position). It also determines the report's year, issuing
body and template version, and keeps the narrative for the rules that read it.
Problems found while extracting (an unreadable value, a missing row, a template
deviation) become findings of the ``X`` rule family.
"""
from __future__ import annotations

import dataclasses
import difflib
import operator
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import starmap

from . import values
from .columns import read_layout
from .document import Block, Cell, Document, Position, Recognition
from .template import LAYOUTS, TEMPLATE, Entry, Labels, Table, core, normalize
from .text import CHINESE_NUMERALS

_SECTIONS = Labels(TEMPLATE.sections)
_LABELS = {code: Labels(t.printed_rows) for code, t in TEMPLATE.tables.items()}  # once: Labels memoises matches
_YEAR_TITLE = re.compile(r"(?P<before>[^\n。，,；;]*?)(?P<year>20\d\d)\s*年度?\s*(?P<after>[^\n。，,；;]*?)政府信息公开(?:工作)?\s*年度?\s*报告")
# the same pattern from the year on: a title's match starts where its year's run of text
# without a separator starts (``before`` holds none), so _title_in finds it in one pass
_YEAR_ON = re.compile(_YEAR_TITLE.pattern.removeprefix(r"(?P<before>[^\n。，,；;]*?)"))
_YEAR_PERIOD = re.compile(r"统计(?:期限|周期|时限|期间)[^。\n]{0,12}?(20\d\d)\s*年")
_YEAR_ANY = re.compile(r"(20\d\d)\s*年")


@dataclass(slots=True)  # no per-cell __dict__ (about 300 bytes of a cell's 350): a batch holds many
class CellRecord:
    table: str
    row: str
    column: str
    value: float | None
    raw: str | None
    state: str
    pos: Position | None
    note: str | None = None
    ocr: Recognition | None = None  # how an OCR'd cell was read (score, image region)

    def fields(self) -> tuple:
        """Its fields in order (``CellRecord(*cell.fields())`` is an equal cell)."""
        return _CELL_TUPLE(self)

    def __reduce__(self):  # pickled as its fields in order: a worker sends every cell back
        return CellRecord, _CELL_TUPLE(self)


_CELL_FIELDS = tuple(f.name for f in dataclasses.fields(CellRecord))
_CELL_TUPLE = operator.attrgetter(*_CELL_FIELDS)


@dataclass
class Report:
    """One report's extracted content, before checking."""

    path: str
    format: str
    body: str | None = None
    year: int | None = None
    year_source: str | None = None
    version: str | None = None
    version_source: str | None = None
    cells: list[CellRecord] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)  # extraction problems: {rule, table, row, column, …}; severity is the rule's
    sections: list[tuple[str, str, Position]] = field(default_factory=list)
    paragraphs: list[tuple[str, Position, str | None]] = field(default_factory=list)  # (text, where, section code)
    title: str | None = None
    context: bool = False  # read only as the previous year of another report (--previous)
    unknown_rows: list[tuple[str, str, Position]] = field(default_factory=list)  # table rows matching no template row
    period_year: int | None = None  # the year of the statistics period (统计期限), when stated
    published: str | None = None  # the publication date the document states (yyyy-mm-dd)
    published_source: str | None = None  # where it was stated (Chinese)
    digest: object = None  # what the cross-year pass compares (validator.digest.Digest), on light copies

    def __reduce__(self):
        # A worker sends every report back: its cells as plain field tuples (one C call per
        # cell, pickled without a Python call each), the rest as it is.
        state = dict(self.__dict__)
        return _report, (state, list(map(_CELL_TUPLE, state.pop("cells"))))

    def __copy__(self) -> Report:  # shallow, as without __reduce__: the copy shares the lists
        report = Report.__new__(Report)
        report.__dict__.update(self.__dict__)
        return report

    @property
    def section_text(self) -> dict[str, str]:
        """The narrative under each section heading (line wraps removed)."""
        out: dict[str, str] = {}
        for text, _, section in self.paragraphs:
            if section is not None:
                out[section] = out.get(section, "") + text.replace("\n", "")
        return out


def _report(state: dict, cells: list[tuple]) -> Report:
    """A Report from its pickled form (:meth:`Report.__reduce__`)."""
    report = Report.__new__(Report)
    report.__dict__.update(state, cells=list(starmap(CellRecord, cells)))
    return report


def _note(report: Report, rule: str, **fields) -> None:
    report.notes.append({"rule": rule, **fields})


# ---------------------------------------------------------------- metadata

# a body's name ends with an organ (…局, …人民政府) or, for a body reporting as a whole, a place (平潭综合实验区)
_ORG = re.compile(r"(政府|委员会|委|局|厅|办公室|办|院|部|署|中心|街道|镇|乡|所|站|队|会|区|县|市|州|旗|盟|省)$")


def _clean_body(s: str) -> str | None:
    s = _NAVIGATION.sub("", s)  # page navigation before the title: 首页 > 政务公开 > …
    s = re.sub(r"^[#\s\d*]+|[\s（(]+$", "", unicodedata.normalize("NFKC", s)).strip(" ：:·-—")
    s = s.replace(" ", "")
    return s if s and _ORG.search(s) else None


_NAVIGATION = re.compile(r"^.*(?:首页|当前位置[:：]?|您的位置[:：]?|>|»|›|政府信息公开(?=.))")


def _title_in(text: str):
    """``_YEAR_TITLE.search(text)`` in linear time. The search itself tries every start and
    stretches ``before`` from each to the end of its run: quadratic in a long paragraph
    without punctuation (0.26 s for a 5000-digit number; 1.6 ms of the seed's 4.4 ms
    extraction). The leftmost match starts at the run of the first year that begins a match."""
    y = _YEAR_ON.search(text)
    if y is None:
        return None
    return _YEAR_TITLE.match(text, max(text.rfind(c, 0, y.start()) for c in "\n。，,；;") + 1)


def _find_title(texts: list[str]):
    """The title: the first paragraph naming a year and 政府信息公开工作年度报告, or two
    adjacent paragraphs that do so together (a title wrapped over two lines)."""
    for t in texts:
        if m := _title_in(t):
            return m
    for a, b in zip(texts, texts[1:]):
        if m := _title_in(a + b):
            return m
    return None


def detect_meta(doc: Document, year: int | None, body: str | None, report: Report) -> None:
    paragraphs = [b for b in doc.blocks[:80] if b.kind == "text"]
    m = _find_title([b.text for b in paragraphs[:24]])
    if m:
        report.title = m.group(0).strip()
    p = _YEAR_PERIOD.search("".join(b.text for b in paragraphs[:20]))
    report.period_year = int(p.group(1)) if p else None
    if year is not None:
        report.year, report.year_source = year, "命令行参数 --year"
    elif m:
        report.year, report.year_source = int(m["year"]), "标题"
    else:
        text = "\n".join(b.text for b in doc.blocks if b.kind == "text")
        p = _YEAR_PERIOD.search(text)
        if p:
            report.year, report.year_source = int(p.group(1)), "统计期限"
        else:
            years = Counter(int(y) for y in _YEAR_ANY.findall(text))
            if years:
                report.year, report.year_source = years.most_common(1)[0][0], "正文中出现最多的年份"
    if body is not None:
        report.body = body
    elif m:
        report.body = _clean_body(m["before"]) or _clean_body(m["after"])
    detect_published(doc, report)


_DATE = re.compile(r"(?P<y>20\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})")
_PUBLISHED_LINE = re.compile(r"(?:发布|公开|发文)(?:时间|日期)\s*[:：]\s*" + _DATE.pattern)


def _iso(m: re.Match) -> str | None:
    import datetime

    try:
        return datetime.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
    except ValueError:
        return None


def detect_published(doc: Document, report: Report) -> None:
    """The publication date the document states: the page's own metadata (readers), else a
    发布时间/发布日期 line near the top. Never the file's mtime or a PDF's creation date."""
    if doc.published and (m := _DATE.search(doc.published)) and (date := _iso(m)):
        report.published, report.published_source = date, "网页发布时间"
        return
    for b in doc.blocks[:80]:
        if b.kind == "text" and (m := _PUBLISHED_LINE.search(b.text)) and (date := _iso(m)):
            report.published, report.published_source = date, f"“{m.group(0)}”"
            return


def _joins_cleanly(text: str) -> bool:
    """Whether ``text`` starts with a character that NFKC never joins to what precedes it
    (a starter that composes with nothing before it: ASCII and Latin, general punctuation,
    CJK punctuation, ideographs, full-width forms), so that normalising a concatenation
    is normalising each part (:func:`template.normalize` drops characters one by one)."""
    o = ord(text[0])
    return o < 0x300 or 0x2010 <= o <= 0x2027 or 0x3000 <= o <= 0x3029 or 0x4E00 <= o <= 0x9FFF or 0xFF01 <= o <= 0xFF5E


def _normalized_text(doc: Document, normal: dict[int, str]) -> str:
    """``normalize`` of the whole document's text, from its parts' normal forms (the
    paragraphs' in ``normal``, by block index, are normalised once for the whole extraction;
    the cells' are cached labels), or from the whole text where a part could join its
    neighbour under NFKC."""
    parts: list[str] = []
    for k, b in enumerate(doc.blocks):
        for c in b.cells:
            if not c.text:
                continue
            if parts and not _joins_cleanly(c.text):
                return normalize("".join(b.text for b in doc.blocks))
            parts.append(normal[k] if k in normal else normalize(c.text))
    return "".join(parts)


def detect_version(doc: Document, report: Report, normal: dict[int, str] | None = None) -> None:
    """The template version by its marker labels. ``normal``: the paragraphs' normal forms
    by block index (see :func:`_normalized_text`)."""
    if normal is None:
        normal = {k: normalize(b.text) for k, b in enumerate(doc.blocks) if b.kind == "text"}
    text = _normalized_text(doc, normal)
    hits = {v: sum(normalize(k) in text for k in TEMPLATE.markers(v)) for v in TEMPLATE.versions}
    ranked = sorted(hits.values(), reverse=True)
    by_year = TEMPLATE.version_for_year(report.year)
    if len(ranked) > 1 and ranked[0] != ranked[1]:
        report.version = max(hits, key=hits.get)
        report.version_source = "表格标签"
    elif by_year is not None:
        report.version, report.version_source = by_year, "报告年份"
    else:
        report.version, report.version_source = TEMPLATE.default_version, None
        _note(report, "X005")


_SENTENCE_END = ("。", "！", "？", "：", ":", "；")
_ENUMERATED = re.compile(r"^\s*(?:#+\s*)?[一二三四五六七八九十]+\s*[、.．,，]")


def _looks_like_heading(text: str, n: str) -> bool:
    """A section heading is short, does not end a sentence and either carries its
    enumerator (五、) or is nothing but the heading's words; "……，无其他需要报告的事项。" is a
    sentence, not the heading of 六."""
    if len(n) > 40 or text.rstrip().endswith(_SENTENCE_END):
        return False
    return bool(_ENUMERATED.match(text)) or any(n == core(e.label) for e in TEMPLATE.sections)


def _add_paragraph(report: Report, text: str, pos: Position, section: str | None) -> None:
    """Keep the narrative as paragraphs: a text line that directly follows another (the next
    line of a hard-wrapped paragraph, as PDF conversions leave them) continues it, unless the
    previous line ended a sentence."""
    if report.paragraphs:
        prev_text, prev_pos, prev_section = report.paragraphs[-1]
        adjacent = (pos.line is not None and prev_pos.line is not None and pos.page == prev_pos.page
                    and 0 < pos.line - prev_pos.line - prev_text.count("\n") <= 1)
        if adjacent and prev_section == section and not prev_text.rstrip().endswith(_SENTENCE_END):
            report.paragraphs[-1] = (prev_text + "\n" + text, prev_pos, section)
            return
    report.paragraphs.append((text, pos, section))


# ---------------------------------------------------------------- rows

def split_label(cells: tuple[Cell, ...]) -> tuple[str, list[Cell]]:
    """Label = every cell up to the last one that cannot be a value; values = the rest."""
    last = -1
    for i, c in enumerate(cells):
        if not values.is_value_like(c.text):
            last = i
    label = "".join(c.text for c in cells[: last + 1] if c.text)
    return label, list(cells[last + 1:])


def pick_values(cells: list[Cell], n: int) -> list[Cell] | None:
    """Choose the ``n`` value cells of a row from the cells after its label.

    Text copies keep stray empty cells around the numbers (labels spanning two columns,
    trailing tabs); grids keep blanks in place. Prefer, in order: exactly ``n`` cells;
    exactly ``n`` non-empty cells; ``n`` cells after trimming leading, then trailing
    blanks. Returns None when fewer than ``n`` cells can be found.
    """
    if len(cells) == n:
        return cells
    filled = [c for c in cells if values.clean(c.text)]
    if len(filled) == n:
        return filled
    if len(cells) > n:
        trimmed = list(cells)
        while len(trimmed) > n and not values.clean(trimmed[0].text):
            trimmed.pop(0)
        while len(trimmed) > n and not values.clean(trimmed[-1].text):
            trimmed.pop()
        if len(trimmed) == n:
            return trimmed
    return None


_NUMERAL = re.compile(f"[\\d{CHINESE_NUMERALS}]")


def _row_values(r: "_Row", labels: Labels, n: int) -> list[Cell] | None:
    """The ``n`` value cells of a row.

    A value cell that holds short text with a numeral (「三件」, 「l0」) cannot be told from a
    label cell by itself and would shift every value one column. So the label ends at the
    shortest run of leading cells that still names the same row; when the cells between
    that and the last text cell look like such values (short, a numeral, no label of their
    own), they are values, reported as unreadable — never read as numbers, never shifted.
    """
    if r.mapped:
        return r.cells
    cells = r.block.cells
    if r.entry is not None:
        last = max((i for i, c in enumerate(cells) if not values.is_value_like(c.text)), default=-1)
        for k in range(1, last + 1):
            if labels.match("".join(c.text for c in cells[:k])) is r.entry:
                absorbed = cells[k:last + 1]
                if all(len(values.clean(c.text)) <= 6 and _NUMERAL.search(c.text) and labels.match(c.text) is None
                       for c in absorbed):
                    found = pick_values(list(cells[k:]), n)
                    if found is not None:
                        return found
                break
    return pick_values(r.cells, n)


@dataclass
class _Row:
    entry: Entry | None
    label: str
    cells: list[Cell | None]  # cells after the label (None: a column that could not be read)
    block: Block
    mapped: bool = False  # cells already in template order (columns mapped by meaning)
    partial: bool = False  # a label that names no row by itself (see _resolve_partial)


def _has_number(cells) -> bool:
    return any(c is not None and values.is_number(c.text) for c in cells)


class _Grouped:
    """A table of groups of rows, each group with its own columns (layout ``grouped``):
    a row is found by its label anywhere in the document, the first time it is seen."""

    def __init__(self, table: Table):
        self.table, self.labels = table, _LABELS[table.code]
        self.found: dict[str, _Row] = {}

    def take(self, label: str, rest: list[Cell], block: Block, version: str) -> bool:
        entry = self.labels.match(label) if label else None
        if entry is None or not rest or version not in entry.versions or entry.code in self.found:
            return False
        if _has_number(rest) or len(rest) >= len(self.table.columns_for(version, entry.group)):
            self.found[entry.code] = _Row(entry, label, rest, block)
            return True
        return False

    def rows(self, report: Report):
        version = report.version
        for entry in self.table.rows_for(version):
            columns = self.table.columns_for(version, entry.group)
            r = self.found.get(entry.code)
            if r is None:
                yield entry, columns, None, None
                continue
            cells = _row_values(r, self.labels, len(columns))
            if cells is None and len(r.cells) > len(columns):
                cells = r.cells[: len(columns)]
            yield entry, columns, cells, r.block


class _Ordered:
    """A table of rows in a fixed order under one set of columns (layout ``ordered``): its
    labelled rows, and the unlabelled or partly labelled rows that follow them, are kept in
    order and aligned with the template's rows at the end."""

    def __init__(self, table: Table):
        self.table, self.labels = table, _LABELS[table.code]
        # a label of a grouped table's row is never a partly labelled row of this one
        self.others = [_LABELS[c] for c, t in TEMPLATE.tables.items() if t.layout == "grouped"]
        self.seq: list[_Row] = []

    def _other(self, label: str) -> bool:
        return any(o.match(label) is not None for o in self.others)

    def take_mapped(self, mapped, block: Block) -> bool:
        entry = self.labels.match(mapped.label) if mapped.label else None
        if entry is None and not _has_number(mapped.values):
            return False
        partial = entry is None and bool(mapped.label)
        if partial and self._other(mapped.label):
            return False
        self.seq.append(_Row(entry, mapped.label, list(mapped.values), block, mapped=True, partial=partial))
        return True

    def take_labelled(self, label: str, rest: list[Cell], block: Block) -> bool:
        entry = self.labels.match(label) if label else None
        if entry is not None and (len(rest) >= self.table.width or _has_number(rest)):
            self.seq.append(_Row(entry, label, rest, block))
            return True
        return False

    def take_following(self, label: str, rest: list[Cell], block: Block) -> bool:
        """A row after this table's rows: unlabelled values, or a label naming no row by itself."""
        if not _has_number(rest):
            return False
        if not label and pick_values(rest, self.table.width):
            self.seq.append(_Row(None, label, rest, block))
            return True
        if label and len(rest) >= self.table.width - 1 and not self._other(label):
            self.seq.append(_Row(None, label, rest, block, partial=True))
            return True
        return False

    def rows(self, report: Report):
        t = self.table
        seq = self.seq
        subtotals = _resolve_subtotals(t, report.version, seq)
        matched = {r.entry.code for r in seq if r.entry is not None}
        expected = t.deviation(report.version, matched) or t.rows_for(report.version)
        expected = _with_subtotals(t, expected, subtotals)
        seq = _resolve_partial(report, t, expected, seq)
        columns = t.columns_for(report.version)
        assigned = _align(expected, seq)
        for entry in expected:
            r = assigned.get(entry.code)
            if r is None:
                yield entry, columns, None, None
            else:
                yield entry, columns, _row_values(r, self.labels, len(columns)), r.block


class _Banded:
    """A table whose rows are bands of the same columns (layout ``banded``), under heading
    words: printed as one row of every band's values (表四's 15), or as one table per band
    under the band's heading (行政复议 / 未经复议直接起诉 / 复议后起诉: assigned by heading, else
    in order)."""

    def __init__(self, table: Table):
        self.table, self.labels = table, _LABELS[table.code]
        self.heading = table.heading
        self.marked = False  # its heading has been seen
        self.found: list[_Row] = []  # value rows after the heading: one of every band, or one per band
        self.context: Entry | None = None  # the band a heading line just named

    def is_heading(self, n: str) -> bool:
        return all(k in n for k in self.heading)

    def heading_row(self, nlabel: str, rest: list[Cell]) -> bool:
        return self.is_heading(nlabel) or (nlabel.startswith(normalize(self.heading[0])) and not _has_number(rest))

    def text(self, text: str, n: str) -> None:
        if self.marked and len(n) < 30:
            self.context = self.labels.match(text) or self.context

    def take_mapped(self, mapped, block: Block) -> None:
        self.marked = True
        if not mapped.skip and not self.found:
            self.found.append(_Row(None, "", list(mapped.values), block, mapped=True))

    def take(self, label: str, rest: list[Cell], block: Block) -> bool:
        if not self.marked:
            return False
        width = self.table.width
        if not self.found and not label and len(rest) == width and not _has_number(rest):
            self.found.append(_Row(None, label, rest, block))  # a blank form: every value cell, all empty
            return True
        if len(self.found) < len(self.table.rows) and _has_number(rest):
            vals = pick_values(rest, width) or pick_values(rest, len(self.table.columns))
            if vals:
                self.found.append(_Row(self.labels.match(label) if label else self.context, label, vals, block))
                self.context = None
                return True
        return False

    def rows(self, report: Report):
        t = self.table
        width = len(t.columns)
        groups: dict[str, list[Cell]] = {}
        full = [r for r in self.found if len(r.cells) == t.width]
        if full:
            # the data row: the one with numbers; a row of blanks (a blank form, a spacer row)
            # only when no row has a number
            data = next((r for r in full if _has_number(r.cells)), full[0])
            for k, r in enumerate(t.rows):
                groups[r.code] = data.cells[k * width:(k + 1) * width]
        else:
            for r in (r for r in self.found if len(r.cells) == width):
                entry = r.entry if r.entry is not None and r.entry.code not in groups else None
                entry = entry or next((e for e in t.rows if e.code not in groups), None)
                if entry is not None:
                    groups[entry.code] = r.cells
        for r in t.rows:
            yield r, t.columns, groups.get(r.code), None


_KINDS = {"grouped": _Grouped, "ordered": _Ordered, "banded": _Banded}  # template.LAYOUTS


def extract(doc: Document, *, year: int | None = None, body: str | None = None) -> Report:
    report = Report(path=doc.path, format=doc.format)
    detect_meta(doc, year, body, report)
    # every paragraph's normal form, made once (NFKC of the narrative is the costly part)
    normal = {k: normalize(b.text) for k, b in enumerate(doc.blocks) if b.kind == "text"}
    detect_version(doc, report, normal)
    version = report.version

    # one reader per template table, of its layout's kind; a row is offered to the banded
    # tables, then the ordered, then the grouped ones
    readers = {code: _KINDS[t.layout](t) for code, t in TEMPLATE.tables.items()}
    grouped, ordered, banded = ([r for r in readers.values() if r.table.layout == k] for k in LAYOUTS)
    current: _Ordered | None = None  # the ordered table being read: rows without a label continue it
    current_section: str | None = None

    layout = read_layout(doc)
    report.notes.extend(layout.notes)
    for k, block in enumerate(doc.blocks):
        if block.kind == "text":
            text = block.text
            n = normal[k]
            sec = _SECTIONS.match(text) if _looks_like_heading(text, n) else None
            if sec and n.endswith(core(sec.label)[-4:]):
                report.sections.append((sec.code, text, block.pos))
                current_section = sec.code
            else:
                _add_paragraph(report, text, block.pos, current_section)
            for b in banded:  # a banded table's heading comes after the ordered table's rows
                if b.is_heading(n) and len(n) < 60 and any(o.seq for o in ordered):
                    b.marked, current = True, None
                else:
                    b.text(text, n)
            continue
        mapped = layout.get(block)
        if mapped is not None:
            # a row of a table whose columns were mapped by meaning (validator.columns)
            reader = readers[mapped.table]
            if isinstance(reader, _Banded):
                reader.take_mapped(mapped, block)
                current = None
            elif not mapped.skip and reader.take_mapped(mapped, block):
                current = reader
            continue
        label, rest = split_label(block.cells)
        nlabel = normalize(label)
        if (b := next((b for b in banded if b.heading_row(nlabel, rest)), None)) is not None:
            b.marked, current = True, None
            continue
        if any(b.take(label, rest, block) for b in banded):
            continue
        if (o := next((o for o in ordered if o.take_labelled(label, rest, block)), None)) is not None:
            current = o
            continue
        if current is not None and current.take_following(label, rest, block):
            continue
        any(g.take(label, rest, block, version) for g in grouped)

    for code, reader in readers.items():
        for entry, columns, cells, block in reader.rows(report):
            _add_row(report, code, entry, columns, cells, block)
    report.notes.extend(cell_notes(report))
    return report


def _add_row(report: Report, table: str, row_entry: Entry, columns: list[Entry], cells: list[Cell | None] | None,
             block: Block | None) -> None:
    """The cells of one template row: ``cells`` None for a row not found (``block`` None) or
    found without its values (at ``block``)."""
    if cells is None:
        for col in columns:
            report.cells.append(CellRecord(table, row_entry.code, col.code, None, None, "missing",
                                           block.pos if block else None))
        return
    for col, cell in zip(columns, cells):
        if cell is None:  # a column that could not be read (see validator.columns)
            report.cells.append(CellRecord(table, row_entry.code, col.code, None, None, "missing", None))
            continue
        value, state, note = values.parse(cell.text, col.kind)
        if cell.ocr is not None and (cell.ocr.unsure or state == "invalid"):
            # recognised without confidence, or as marks that are no number (a blot read as
            # "●"): OCR cannot tell a misreading from text, so the cell is unreadable, never a value
            value, state, note = None, "unreadable", None
        report.cells.append(CellRecord(table, row_entry.code, col.code, value, cell.text, state, cell.pos, note,
                                       cell.ocr))


def _align(expected: list[Entry], seq: list[_Row]) -> dict[str, _Row]:
    """Assign rows to template rows: labelled rows by their label; unlabelled rows fill the
    gaps between labelled ones in template order, only where the counts agree exactly."""
    order = {e.code: i for i, e in enumerate(expected)}
    out: dict[str, _Row] = {}
    anchors: list[tuple[int, int]] = []  # (position in seq, position in expected)
    last = -1
    for i, r in enumerate(seq):
        if r.entry is not None and r.entry.code in order and r.entry.code not in out:
            j = order[r.entry.code]
            if j > last:
                out[r.entry.code] = r
                anchors.append((i, j))
                last = j
    bounds = [(-1, -1), *anchors, (len(seq), len(expected))]
    for (si, sj), (ei, ej) in zip(bounds, bounds[1:]):
        gap_rows = [r for r in seq[si + 1: ei] if r.entry is None]
        gap_slots = [e for e in expected[sj + 1: ej] if e.code not in out]
        if gap_rows and len(gap_rows) == len(gap_slots):
            for e, r in zip(gap_slots, gap_rows):
                out[e.code] = r
    return out


NEAR_MATCH = 0.85
"""Partial labels (OCR, conversions): the least similarity, difflib's
``SequenceMatcher.ratio()`` (2 × matching characters / total length), between a label
fragment and a template row's label, both normalised and without enumerator, for the
fragment to name that row. 0.85 lets two wrong characters of a 12-character label through,
not a different row of the same group."""


def _partial_hits(label: str, entries: list[Entry]) -> list[Entry]:
    """The rows a label fragment can name: it is contained in one of the row's spellings
    (the start or the end was lost; at least 4 characters), or a near match of one."""
    f = core(label)
    if len(f) < 4:
        return []
    hits = []
    for e in entries:
        for s in e.spellings():
            c = core(s)
            if f in c or difflib.SequenceMatcher(None, f, c, autojunk=False).ratio() >= NEAR_MATCH:
                hits.append(e)
                break
    return hits


def _resolve_partial(report: Report, table: Table, expected: list[Entry], seq: list[_Row]) -> list[_Row]:
    """A row whose label names no row by itself is the expected row it partly names, when
    exactly one row that no other row's label names fits it (X021, a warning); otherwise it
    is an unknown row (reported, never placed)."""
    named = {r.entry.code for r in seq if r.entry is not None}
    out = []
    for r in seq:
        if r.partial:
            hits = _partial_hits(r.label, [e for e in expected if e.code not in named])
            if len(hits) != 1:
                report.unknown_rows.append((table.code, r.label, r.block.pos))
                continue
            r.entry = hits[0]
            named.add(r.entry.code)
            report.notes.append({"rule": "X021", "table": table.code, "row": r.entry.code, "raw": r.label,
                                 "pos": r.block.pos})
        out.append(r)
    return out


def _resolve_subtotals(table: Table, version: str, seq: list[_Row]) -> dict[str, bool]:
    """Printed subtotal rows (template ``subtotal: true``): a row labelled with a group's
    heading (（三）不予公开 …) that carries numbers and is next to one of that group's items
    is the group's subtotal row. Returns {subtotal code: printed after its items}. A 2021
    （六）其他处理 row with numbers and none of its items beside it is not a subtotal: it is
    the 2019 single row (the template's deviation, X004)."""
    found: dict[str, bool] = {}
    for k, r in enumerate(seq):
        if not r.label or not _has_number(r.cells):
            continue
        sub = table.subtotal_for(r.label, version)
        if sub is None or sub.code in found:
            continue
        items = {e.code for e in table.items(sub)}
        before, after = (seq[j].entry if 0 <= j < len(seq) else None for j in (k + 1, k - 1))
        if before is not None and before.code in items:
            found[sub.code] = False
        elif after is not None and after.code in items:
            found[sub.code] = True
        else:
            continue
        r.entry, r.partial = sub, False
    return found


def _with_subtotals(table: Table, expected: list[Entry], found: dict[str, bool]) -> list[Entry]:
    """The expected rows with the subtotal rows a report prints, where it prints them."""
    out = list(expected)
    for code, after in found.items():
        sub = table.row(code)
        items = [i for i, e in enumerate(out) if e.group == sub.label]
        if items:
            out.insert(items[-1] + 1 if after else items[0], sub)
    return out


def _shown(raw: str | None, limit: int = 60) -> str | None:
    """A cell's text as quoted in a finding: long text cut (the cell keeps all of it)."""
    if raw is None or len(raw) <= limit:
        return raw
    return f"{raw[:limit]}…（共 {len(raw):,} 个字符）"


def cell_notes(report: Report) -> list[dict]:
    """Extraction findings derived from the cells alone, so that a report read back from
    the canonical long form (validator extract) gives the same findings as the original.

    X001 a value that is not a number (or not one without guessing); X010 a number beyond
    values.MAX_VALUE; X030 a value OCR could not read with confidence;
    X008 a value normalised (separators, units);
    X002 a row not found; X003 a row found with the wrong number of values; X006 a table
    not found at all; X004 the （六）其他处理 deviation; X007 template version vs year;
    X013 表三 and 表四 found but without a single number (a blank form).
    """
    notes: list[dict] = []
    by_table: dict[str, list[CellRecord]] = {}
    for c in report.cells:
        by_table.setdefault(c.table, []).append(c)
    for table, cells in by_table.items():
        if all(c.state == "missing" for c in cells):
            if table in TEMPLATE.required:  # an optional table (表二) may be absent
                notes.append({"rule": "X006", "table": table})
            continue
        rows: dict[str, list[CellRecord]] = {}
        for c in cells:
            rows.setdefault(c.row, []).append(c)
        for row, rc in rows.items():
            if all(c.state == "missing" for c in rc):
                rule = "X003" if any(c.pos is not None for c in rc) else "X002"
                notes.append({"rule": rule, "table": table, "row": row,
                              "expected_count": len(rc), "pos": next((c.pos for c in rc if c.pos), None)})
                continue
            for c in rc:
                if c.state == "invalid":
                    rule = ("X010" if c.note == values.OUT_OF_RANGE
                            else "X011" if (c.note or "").startswith(values.DUPLICATE) else "X001")
                    notes.append({"rule": rule, "table": table, "row": row,
                                  "column": c.column, "raw": _shown(c.raw), "detail": c.note or "", "pos": c.pos})
                elif c.state == "unreadable":
                    # the page or picture, as the OCR reader named it (read back from the
                    # canonical form: the cell's page)
                    where = c.ocr.image if c.ocr is not None else (str(Position(page=c.pos.page))
                                                                   if c.pos and c.pos.page else "")
                    notes.append({"rule": "X030", "table": table, "row": row,
                                  "message": "merged" if c.ocr is not None and c.ocr.merged else None,
                                  "column": c.column, "raw": _shown(c.raw), "pos": c.pos, "where": where,
                                  "read_as": [_shown(c.raw)] if c.raw else []})
                elif c.note:
                    notes.append({"rule": "X008", "table": table, "row": row,
                                  "column": c.column, "raw": c.raw, "detail": c.note, "pos": c.pos})
    tables = [c for t in TEMPLATE.required for c in by_table.get(t, ())]
    if tables and not any(c.state == "number" for c in tables) and any(c.state != "missing" for c in tables):
        notes.append({"rule": "X013"})  # a blank form: nothing to check is not a pass
    for table in TEMPLATE.tables.values():  # rows of the other version's form of a known deviation
        present = {c.row for c in by_table.get(table.code, ()) if c.state != "missing"}
        for d in table.deviations:
            if report.version in d.get("rows", {}) and present & table.deviation_rows(d, report.version)[1]:
                notes.append({"rule": "X004", "table": table.code, "row": d["row"]})
    due = TEMPLATE.version_for_year(report.year) if report.year else None
    if due and report.version and due != report.version:
        notes.append({"rule": "X007"})
    return notes
