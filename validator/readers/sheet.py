"""Reader for spreadsheets: XLSX workbooks (format ``"xlsx"``) and CSV files (``"csv"``).

Both are grids typed into a spreadsheet program, in the official layout of the tables.

XLSX (``.xlsx``, ``.xlsm``, ``.xltx``; read with openpyxl, nothing in the file is ever run):

* every worksheet, in workbook order; a cell carries
  ``Position(sheet=name, table=k, row=r, col=c)`` where ``k`` is the 1-based index of the
  sheet in the workbook and ``r``/``c`` are the sheet's own 1-based row and column numbers
  (what the user sees as ``C5`` is ``row=5, col=3``);
* merged ranges are expanded with the other grid readers' policy (``grid.is_value``): a
  label is repeated in every position the range covers, a value stays in its top-left
  position only and the positions it covers are blank (never a copy in a neighbouring
  column);
* values are the cached results of formulas (``data_only``); a formula that has no cached
  result (a file written by a program that does not calculate) reads as its formula text
  (``=SUM(B3:B9)``) so that it is reported as unreadable rather than taken for a blank;
* numbers are written as text without spreadsheet artefacts: whole numbers without
  ``.0`` (``7.0`` → ``"7"``), other floats as their shortest repr without exponent
  (``17233.32`` → ``"17233.32"``, ``1e-05`` → ``"0.00001"``); strings are kept as they are;
  dates as ISO dates.

CSV: the bytes are decoded with :func:`validator.text.decode` (BOM, UTF-8,
GB18030, detection), the delimiter is sniffed among ``,`` ``;`` and tab, and each record is
a row: ``Position(table=1, row=r, col=c)`` with ``r`` the record number as a spreadsheet
program shows it.

Both:

* rows with no text are skipped;
* consecutive table rows form a grid block: every row of a block spans the same columns
  (from the block's first to its last used column), so value cells keep their column and a
  row of blank values keeps its blanks;
* a row whose only content is one text (one cell, or one merged range) is a paragraph
  block when it stands above the first row with several cells of its run of consecutive
  non-empty rows (a title, a section heading, a caption over a table, or text with no table
  at all), unless it is a bare number; inside or below a table it is a paragraph only when
  it is narrative: at least :data:`LONG_TEXT` characters, or several lines, or a sentence
  (。！？；), or a range merged across the sheet's whole used width. A table row whose values
  are all blank (its label alone) therefore stays a table row.

Anything that cannot be read raises :class:`validator.errors.Unreadable` (Chinese reason,
English detail), never another exception.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from validator.document import Block, Document, Position, paragraph, row
from validator.errors import Unreadable
from validator.readers.grid import is_value

__all__ = ["read", "cell_text", "LONG_TEXT"]

LONG_TEXT = 60
MAX_CELLS = 1_000_000
"""Most grid positions read from one file: stored cells, positions covered by merged
ranges and the blank positions that pad the rows of a grid block (a report has about
500). The same bound as ``validator.readers.MAX_CELLS`` for the other formats."""


def _too_many(count: int) -> Unreadable:
    return Unreadable(f"表格单元格超过 {MAX_CELLS:,} 个上限，不像是年度报告", f"more than {MAX_CELLS} cells ({count})")


class _Budget:
    """Counts grid positions against :data:`MAX_CELLS` as they are made."""

    def __init__(self) -> None:
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > MAX_CELLS:
            raise _too_many(self.used)
_SENTENCE = re.compile(r"[。！？；]")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")


# ------------------------------------------------------------------ cell values


def cell_text(value) -> str:
    """The text of one spreadsheet value, as a person reading the sheet would copy it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    return str(value)


# ------------------------------------------------------------------- the grids


@dataclass
class _Sheet:
    """One sheet as a sparse grid: texts by (row, col), merged ranges by their anchor."""

    name: str | None
    index: int
    cells: dict[tuple[int, int], str]
    source: dict[tuple[int, int], tuple[int, int]]  # covered position -> anchor of its merged range
    spans: dict[tuple[int, int], tuple[int, int, int, int]]  # anchor -> (min_row, min_col, max_row, max_col)


def _blocks(sheet: _Sheet, budget: _Budget) -> list[Block]:
    by_row: dict[int, list[int]] = {}
    for (r, c), text in sheet.cells.items():
        if text.strip():
            by_row.setdefault(r, []).append(c)
    if not by_row:
        return []
    used_min = min(min(cs) for cs in by_row.values())
    used_max = max(max(cs) for cs in by_row.values())

    def pos(r: int, c: int) -> Position:
        return Position(sheet=sheet.name, table=sheet.index, row=r, col=c)

    # 1. regions: runs of consecutive non-empty rows.
    rows = sorted(by_row)
    regions: list[list[int]] = []
    for r in rows:
        if regions and r == regions[-1][-1] + 1:
            regions[-1].append(r)
        else:
            regions.append([r])

    blocks: list[Block] = []
    for region in regions:
        # 2. a row holding one text (one cell or one merged range) may be narrative.
        single: dict[int, str] = {}
        for r in region:
            anchors = {sheet.source.get((r, c), (r, c)) for c in by_row[r]}
            if len(anchors) == 1:
                anchor = anchors.pop()
                text = sheet.cells.get(anchor) or sheet.cells[(r, min(by_row[r]))]
                single[r] = text
        first_table_row = next((r for r in region if r not in single), None)
        kinds: list[tuple[int, str | None]] = []
        for r in region:
            text = single.get(r)
            para = None
            if text is not None:
                anchor = sheet.source.get((r, min(by_row[r])), (r, min(by_row[r])))
                above = first_table_row is None or r < first_table_row
                if _narrative(text, sheet.spans.get(anchor), used_min, used_max, above):
                    para = text.strip()
            kinds.append((r, para))
        # 3. consecutive table rows of a region form one grid block with common columns.
        i = 0
        while i < len(kinds):
            r, para = kinds[i]
            if para is not None:
                blocks.append(paragraph(para, pos(r, min(by_row[r]))))
                i += 1
                continue
            j = i
            while j < len(kinds) and kinds[j][1] is None:
                j += 1
            members = [rr for rr, _ in kinds[i:j]]
            lo = min(min(by_row[rr]) for rr in members)
            hi = max(max(by_row[rr]) for rr in members)
            for r0, c0, _, c1 in sheet.spans.values():  # a merged value covers blank positions too
                if r0 in members and sheet.cells.get((r0, c0), "").strip():
                    lo, hi = min(lo, c0), max(hi, c1)
            budget.spend(len(members) * (hi - lo + 1))
            for rr in members:
                blocks.append(row([(sheet.cells.get((rr, c), ""), pos(rr, c)) for c in range(lo, hi + 1)]))
            i = j
    return blocks


def _narrative(text: str, span, used_min: int, used_max: int, above_table: bool) -> bool:
    """Whether the only text of a row is narrative (a paragraph) rather than a table row.

    Text above the first row with several cells of its run of consecutive non-empty rows
    (a title, a section heading or a caption over a table, or text with no table at all) is
    narrative unless it is a bare number. Inside or below a table, only long text, several
    lines, a sentence, or a title merged across the whole used width is narrative: a table
    row whose values are all blank stays a table row.
    """
    from validator.values import is_number, is_value_like

    stripped = text.strip()
    if not stripped or is_number(stripped):
        return False
    if above_table:
        return True
    if is_value_like(stripped):
        return False
    full_width = span is not None and span[3] > span[1] and span[1] <= used_min and span[3] >= used_max
    return len(stripped) >= LONG_TEXT or "\n" in stripped or bool(_SENTENCE.search(stripped)) or full_width


# -------------------------------------------------------------------------- XLSX


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*["\']\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


_Range = tuple[int, int, int, int]  # (min_row, min_col, max_row, max_col)


def _scan(data: bytes) -> tuple[dict[str, list[_Range]], bool]:
    """(merged ranges by worksheet part name, has formulas) from the raw sheet XML, in one
    streaming pass, before openpyxl sees the file.

    Stored cells (``<c>`` elements, empty styled ones included) and the positions merged
    ranges cover are counted here against :data:`MAX_CELLS`: a range such as
    ``A1:XFD1048576`` or a million styled blanks is refused before it can cost anything.
    The ranges found here are the ones the reader uses: openpyxl then reads the sheets in its
    read-only mode, which makes no object for a cell until it is read.
    """
    merges: dict[str, list[_Range]] = {}
    formulas = False
    covered = stored = 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            ranges = merges.setdefault(info.filename, [])
            with z.open(info) as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    buf = tail + chunk
                    formulas = formulas or bool(_FORMULA_TAG.search(buf))
                    for m in _MERGE_REF.finditer(buf):
                        if m.end() <= len(tail):
                            continue  # counted with the previous chunk
                        c0, r0, c1, r1 = m.groups()
                        a = (int(r0), _column_number(c0))
                        b = a if c1 is None else (int(r1), _column_number(c1))
                        rng = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
                        covered += (rng[2] - rng[0] + 1) * (rng[3] - rng[1] + 1)
                        if covered > MAX_CELLS:
                            raise _too_many(covered)
                        ranges.append(rng)
                    stored += sum(m.end() > len(tail) for m in _CELL_TAG.finditer(buf))
                    if stored > MAX_CELLS:
                        raise _too_many(stored)
                    tail = buf[-512:]
    return merges, formulas


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sheet_parts(data: bytes) -> dict[str, str]:
    """{sheet name: its worksheet part name} from the workbook's own index (workbook.xml
    and its relationships), to give each sheet the merged ranges of its XML."""
    import posixpath

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return {}
        book = etree.fromstring(z.read("xl/workbook.xml"), parser)
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"), parser)
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = part
    return {sheet.get("name"): targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
            for sheet in book.iter("{*}sheet")}


def preload() -> None:
    """What reading a workbook imports, imported ahead of a batch's worker processes
    (validator.run._preload): openpyxl, once instead of per worker."""
    import openpyxl  # noqa: F401


def _load(data: bytes, *, data_only: bool):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only,
                                  keep_vba=False, keep_links=False, rich_text=False)


def _sheet_values(ws, budget: _Budget):
    """(row, col, value) of every stored cell with a value, read lazily. openpyxl pads each
    row to its last stored column: those positions are counted too, so a few cells far to
    the right of a million rows cannot cost what a million-cell sheet would."""
    ws.reset_dimensions()  # the stored dimension may be wrong: read every stored row
    for cells in ws.iter_rows():
        budget.spend(len(cells))
        for cell in cells:
            v = getattr(cell, "value", None)
            if v is not None:
                yield cell.row, cell.column, v


def _read_xlsx(path: Path, data: bytes) -> Document:
    from validator import readers as limits

    limits.check_zip(data)  # sizes, ratios, names, integrity, DTDs: before openpyxl sees the bytes
    try:
        merges, formulas = _scan(data)
        parts = _sheet_parts(data)
    except Unreadable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError) as e:
        raise Unreadable("XLSX文件已损坏，无法打开（压缩包不完整）", f"{type(e).__name__}: {e}") from None
    try:
        wb = _load(data, data_only=True)
        raw_wb = _load(data, data_only=False) if formulas else None
    except Unreadable:
        raise
    except Exception as e:
        reason = "XLSX文件已损坏或格式不正确，无法读取"
        if "encrypt" in str(e).lower() or "password" in str(e).lower():
            reason = "XLSX文件已加密，请取消打开密码后再检查"
        raise Unreadable(reason, f"{type(e).__name__}: {e}") from None
    try:
        doc = Document(path=str(path), format="xlsx")
        budget = _Budget()
        sheets = wb.worksheets
        raw_sheets = raw_wb.worksheets if raw_wb is not None else [None] * len(sheets)
        for index, (ws, raw_ws) in enumerate(zip(sheets, raw_sheets), 1):
            cells: dict[tuple[int, int], str] = {}
            for r, c, v in _sheet_values(ws, budget):
                text = cell_text(v)
                if text:
                    cells[(r, c)] = text
            if raw_ws is not None:
                for r, c, v in _sheet_values(raw_ws, budget):
                    if (r, c) in cells:
                        continue
                    if isinstance(v, str) and v.startswith("="):
                        cells[(r, c)] = v  # a formula without a cached result
                    elif isinstance(getattr(v, "text", None), str) and v.text:
                        cells[(r, c)] = v.text  # an array formula without a cached result
            source: dict[tuple[int, int], tuple[int, int]] = {}
            spans: dict[tuple[int, int], _Range] = {}
            for rng in merges.get(parts.get(ws.title, ""), ()):
                r0, c0, r1, c1 = rng
                anchor = (r0, c0)
                spans[anchor] = rng
                text = cells.get(anchor, "")
                repeat = bool(text) and not is_value(text)  # the grid builder's merged-cell policy
                budget.spend((r1 - r0 + 1) * (c1 - c0 + 1))
                for rr in range(r0, r1 + 1):
                    for cc in range(c0, c1 + 1):
                        source[(rr, cc)] = anchor
                        if text and (rr, cc) == anchor:
                            continue
                        if repeat:
                            cells[(rr, cc)] = text
                        else:
                            cells.pop((rr, cc), None)
            doc.blocks.extend(_blocks(_Sheet(ws.title, index, cells, source, spans), budget))
    finally:
        for book in (wb, raw_wb):
            if book is not None:
                book.close()
    if not any(b.text.strip() for b in doc.blocks):
        raise Unreadable("工作簿中没有任何内容", "all sheets are empty")
    return doc


# --------------------------------------------------------------------------- CSV

_DELIMITERS = ",;\t"


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:200])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    # The sniffer gives up on ragged or single-column samples: take the delimiter that
    # appears on the most lines, a comma when none does.
    lines = [ln for ln in sample.splitlines() if ln.strip()]
    counts = {d: sum(d in ln for ln in lines) for d in _DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _read_csv(path: Path, data: bytes) -> Document:
    from validator.readers import refuse_foreign
    from validator.text import decode

    head = data[:4096]
    refuse_foreign(head, "CSV表格")
    text = decode(data)
    if "\x00" in text[:4096]:
        raise Unreadable("文件不是CSV表格（含有二进制内容）", "NUL characters after decoding")
    if not text.strip():
        raise Unreadable("文件是空的", "no text")
    delimiter = _delimiter(text)
    cells: dict[tuple[int, int], str] = {}
    budget = _Budget()
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        for r, record in enumerate(reader, 1):
            budget.spend(len(record))
            for c, value in enumerate(record, 1):
                if value:
                    cells[(r, c)] = value
    except csv.Error as e:
        raise Unreadable("CSV文件格式不正确，无法读取", f"csv.Error: {e}") from None
    doc = Document(path=str(path), format="csv",
                   blocks=_blocks(_Sheet(None, 1, cells, {}, {}), budget))
    if not any(b.text.strip() for b in doc.blocks):
        raise Unreadable("CSV文件中没有任何内容", "no non-empty cell")
    return doc


# ------------------------------------------------------------------------ reading


def read(path: Path, data: bytes) -> Document:
    """Read an XLSX workbook or a CSV file (decided by content) into a :class:`Document`."""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(Path(path), data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable("这是旧版 Excel（.xls）或加密的表格文件，请另存为 .xlsx 后再检查", "OLE2 compound file")
    return _read_csv(Path(path), data)
