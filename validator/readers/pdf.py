"""PDF reader: turns a text PDF into the reader-neutral :class:`~validator.document.Document`.

Built on pypdfium2 (PDFium) for the characters and graphics of each page, read into
pdfplumber's terms (see "page model" below), and pdfplumber's table finder on those edges. The
file is opened once (from the bytes given) and each page is read by geometry, never by text
flow:

* **Tables** are found from the *visible* ruling lines (stroked lines and rectangles, and thin
  filled rectangles used as rules). Invisible white fill rectangles, which Word/WPS export
  behind paragraphs and cells, are ignored: otherwise narrative text would be taken for a
  one-column table. A "table" with fewer than two columns is not a table; its text is read
  as narrative.
* **Cells** are read from the table finder's cell rectangles. Every cell is placed on a grid built
  from all its cell edges; its text is the characters whose centre lies inside it, laid out
  line by line and joined without line breaks. Characters inside the table but in no
  detected cell (a missing border) become a cell of their own grid position. Blank cells stay
  ``""`` in their grid position, so the column position of every number is kept.
* **Merged cells** are expanded into the grid with their text (a group label such as
  （三）不予公开 is repeated on each of its sub-rows; a header spanning columns is repeated in
  each column), *except* that a merged cell holding a value (a number, or a placeholder such
  as "/", "-", "—", "无") keeps it in its top-left position only and the covered positions
  are ``""``: a published figure is never duplicated.
* **Tables split across pages**: a table that starts a page right after a table that ended the
  previous page, with the same column boundaries, continues it (same table number, row
  numbering continues). A merged label cell cut by the page break (e.g. "（四）无" at the foot
  of one page and "法提供" at the head of the next, or an empty continuation of the vertical
  label 三、本年度办理结果) is joined back into one text, set on both sides. A single row broken
  across the page (label fragments, values on one side only) is merged into one row.
* **Text** outside tables becomes paragraph blocks (lines joined into paragraphs using
  indentation, line ends, font size and spacing; a two-line centred title becomes one
  paragraph), interleaved with the table rows by their vertical position on each page.
  ``Position.line`` is the number of the paragraph's first text line on its page, counting
  only text lines outside tables. Page numbers ("- 3 -", "第3页 共6页") and running
  headers/footers repeated in the page margins are dropped.
* **Spacing**: no space is ever put between two CJK characters (justified and
  distributed-alignment gaps, vertical one-character-per-line labels and wrapped lines are
  joined directly); a space separates non-CJK characters only where the PDF shows a gap
  (so two numbers never run together), and wrapped lines ending and starting with ASCII
  letters or digits are joined with a space.

Failures raise :class:`~validator.errors.Unreadable`: not a PDF, corrupt, encrypted, no text
layer, or tables that are images (no table text found while the pages carry images).
"""
from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from validator.document import Block, Document, Position, Recognition, paragraph, row
from validator.errors import Unreadable
from validator.text import DASHES, is_cjk, normalize_text

__all__ = ["read"]

# pdfminer (under pdfplumber, for the pages PDFium cannot read whole) logs warnings about damaged files ("Data-loss while decompressing corrupted
# data", bad font descriptors). With no handler configured they would reach stderr through
# logging's last resort, next to the one line per unreadable file: give them a null
# handler (they still propagate to handlers an application configures).
import logging as _logging

for _name in ("pdfminer", "pdfplumber"):
    _logging.getLogger(_name).addHandler(_logging.NullHandler())

NO_TABLE_TEXT = "未找到表格文字，表格可能是图片"

_VALUE_RE = re.compile(r"^[\s\d.,，．+\-−－%％]*\d[\s\d.,，．+\-−－%％]*$")
# A label that starts a new item: 一、 （三） 1. 2、 (4) 第二十条 ...
_ENUM_START = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．]|第)"
)
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－_·•]*(?:第\s*)?\d+(?:\s*页)?(?:\s*[/／,，]?\s*(?:共\s*)?\d+\s*页?)?[\s\-—–－_·•]*$"
)


# --------------------------------------------------------------------------- text helpers


def _join_fragments(a: str, b: str) -> str:
    """Join two pieces of text that were separated by a line (or page) break."""
    if not a:
        return b
    if not b:
        return a
    if a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def _is_value(text: str) -> bool:
    t = text.strip()
    return bool(t) and (t in DASHES or bool(_VALUE_RE.match(t)))


def _group_lines(chars: list[dict]) -> list[list[dict]]:
    """Group upright characters into text lines (top to bottom), each sorted left to right.

    A character joins the last or the line before it where their heights overlap by half
    the smaller one. (min/max written out as comparisons: this runs for every character of
    every cell and line.)"""
    from operator import itemgetter

    lines: list[list[dict]] = []
    bounds: list[list[float]] = []  # [top, bottom] of each line
    for ch in sorted(chars, key=itemgetter("top", "x0")):
        ct, cb = ch["top"], ch["bottom"]
        h = cb - ct
        h = 0.1 if 0.1 > h else h  # max(h, 0.1)
        for i in range(len(lines) - 1, max(len(lines) - 3, -1), -1):
            b = bounds[i]
            top, bottom = b
            span = bottom - top
            overlap = (cb if cb < bottom else bottom) - (ct if ct > top else top)
            if overlap >= 0.5 * (span if span < h else h):
                lines[i].append(ch)
                b[0] = ct if ct < top else top
                b[1] = cb if cb > bottom else bottom
                break
        else:
            lines.append([ch])
            bounds.append([ct, cb])
    x0 = itemgetter("x0")
    for ln in lines:
        ln.sort(key=x0)
    return lines


def _line_text(chars: list[dict]) -> str:
    """Text of one line of characters (sorted along the line), spaced by geometry."""
    out: list[str] = []
    prev = None
    for ch in chars:
        t = ch["text"]
        if prev is not None and not t.isspace() and not prev["text"].isspace():
            size = max(prev.get("size", 10.0), 1.0)
            gap = ch["x0"] - prev["x1"] if ch.get("upright", True) else ch["top"] - prev["bottom"]
            if gap > 1.5 * size or (
                gap > 0.25 * size and not is_cjk(prev["text"][-1:]) and not is_cjk(t[:1])
            ):
                out.append(" ")
        out.append(t)
        prev = ch
    return "".join(out)


def _chars_text(chars: list[dict]) -> str:
    """Text of the characters of one cell: lines joined without line breaks."""
    upright = [c for c in chars if c.get("upright", True)]
    rotated = [c for c in chars if not c.get("upright", True)]
    pieces = [_line_text(ln) for ln in _group_lines(upright)]
    if rotated:  # vertical (rotated) text: columns of characters, read top to bottom
        cols: dict[int, list[dict]] = {}
        for c in sorted(rotated, key=lambda c: c["x0"]):
            cols.setdefault(round(c["x0"] / 3), []).append(c)
        for key in sorted(cols):
            pieces.append(_line_text(sorted(cols[key], key=lambda c: c["top"])))
    text = ""
    for p in pieces:
        text = _join_fragments(text, normalize_text(p))
    return normalize_text(text)


# --------------------------------------------------------------------------- graphics filter


def _is_white(color) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        vals = [float(color)]
    elif isinstance(color, (tuple, list)):
        try:
            vals = [float(v) for v in color]
        except (TypeError, ValueError):
            return False
    else:
        return False
    if len(vals) == 4:  # CMYK
        return all(v <= 0.05 for v in vals)
    return bool(vals) and all(v >= 0.95 for v in vals)


def _visible(obj: dict) -> bool:
    """Keep characters and images; keep lines, rects and curves only if visibly drawn."""
    kind = obj.get("object_type")
    if kind == "line":
        return bool(obj.get("stroke", True)) and not _is_white(obj.get("stroking_color"))
    if kind == "rect":
        if obj.get("stroke") and not _is_white(obj.get("stroking_color")):
            return True
        thin = min(obj.get("width", 0), obj.get("height", 0)) <= 2.0
        return bool(obj.get("fill")) and thin and not _is_white(obj.get("non_stroking_color"))
    if kind == "curve":
        if obj.get("stroke") and not _is_white(obj.get("stroking_color")):
            return True
        return bool(obj.get("fill")) and not _is_white(obj.get("non_stroking_color"))
    return True


# --------------------------------------------------------------------------- tables


@dataclass
class _Cell:
    r0: int
    r1: int  # exclusive
    c0: int
    c1: int  # exclusive
    text: str
    ocr: "Recognition | None" = None  # how an OCR'd cell was read

    @property
    def rowspan(self) -> int:
        return self.r1 - self.r0


@dataclass
class _Table:
    page: int
    top: float
    bbox: tuple
    xs: list[float]
    nrows: int
    ncols: int
    cells: list[_Cell]
    owner: list[list[_Cell | None]] = field(default_factory=list)
    dropped_rows: set = field(default_factory=set)
    number: int = 0
    head: list[str] | None = None  # first row of the table this one belongs to (on any page)

    def index(self) -> None:
        self.owner = [[None] * self.ncols for _ in range(self.nrows)]
        for cell in self.cells:
            for r in range(cell.r0, cell.r1):
                for c in range(cell.c0, cell.c1):
                    self.owner[r][c] = cell

    def grid(self) -> list[list[str]]:
        """The table's text grid, by the readers' one merged-cell policy (grid.expand)."""
        from .grid import Span, expand

        return expand((Span(c.r0, c.c0, c.text, c.rowspan, c.c1 - c.c0) for c in self.cells),
                      width=self.ncols, height=self.nrows)

    def row_texts(self, r: int) -> list[str]:
        return self.grid()[r]

    def row_cells(self, r: int, grid: list[list[str]] | None = None) -> list[tuple[str, "Recognition | None"]]:
        """The row's texts (as :meth:`row_texts`) with how each OCR'd cell was read: a cell
        without text (blank, or unsure) keeps its record in its top-left position, so that
        an unsure cell is reported and a blank one shows its image crop."""
        out = []
        for c, text in enumerate((grid or self.grid())[r]):
            cell = self.owner[r][c]
            ocr = cell.ocr if cell is not None else None
            keep = ocr is not None and (bool(text) or (r, c) == (cell.r0, cell.c0))
            out.append((text, ocr if keep else None))
        return out

    def last_row(self) -> int | None:
        for r in range(self.nrows - 1, -1, -1):
            if r not in self.dropped_rows and any(self.row_texts(r)):
                return r
        return None

    def first_row(self) -> int | None:
        for r in range(self.nrows):
            if r not in self.dropped_rows and any(self.row_texts(r)):
                return r
        return None


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict:
    return {
        "object_type": "line_edge",
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _closing_edges(edges: list[dict], tol: float = 3.0) -> list[dict]:
    """Horizontal borders a table is missing at a page break.

    Word/WPS often leave the bottom border of a table off when the table goes on to the next
    page (and the top border off on the next page): the column rules then stop at the same
    height with nothing joining them, and the last row (and every cell reaching the page
    break) would be lost. Where two or more vertical rules end at the same height, add the
    horizontal border joining them. A border that already exists is merged with it by
    pdfplumber. (Missing outer *vertical* borders are not invented: rows of separate tables
    share their left and right ends, and joining them would merge the tables.)
    """
    from pdfplumber.table import merge_edges

    out: list[dict] = []
    # Join collinear segments first: many producers draw each cell's borders separately, and
    # the ends of those segments are junctions inside the table, not open ends.
    rules = merge_edges([e for e in edges if e.get("orientation") == "v"], 3, 3, 3, 3)
    for end in ("top", "bottom"):
        groups: list[list[dict]] = []
        for e in sorted(rules, key=lambda e: e[end]):
            if groups and e[end] - groups[-1][-1][end] <= tol:
                groups[-1].append(e)
            else:
                groups.append([e])
        for g in groups:
            first, last = min(e["x0"] for e in g), max(e["x1"] for e in g)
            if len(g) < 2 or last - first < 20:
                continue
            at = statistics.median(e[end] for e in g)
            out.append(_edge("h", first, at, last, at))
    return out


def _cluster(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _nearest(points: list[float], v: float) -> int:
    return min(range(len(points)), key=lambda i: abs(points[i] - v))


def _centres(chars: list[dict]):
    """The centres of the characters (x, y arrays): a character belongs to the box its
    centre is in (:func:`_within`)."""
    import numpy as np

    x = np.array([(ch["x0"] + ch["x1"]) / 2 for ch in chars], dtype=float)
    y = np.array([(ch["top"] + ch["bottom"]) / 2 for ch in chars], dtype=float)
    return x, y


def _within(centres, bbox, pad: float = 0.0):
    """Which centres lie in ``bbox`` (x0, top, x1, bottom), widened by ``pad`` (a boolean array)."""
    x, y = centres
    return (bbox[0] - pad <= x) & (x <= bbox[2] + pad) & (bbox[1] - pad <= y) & (y <= bbox[3] + pad)


def _build_table(tbl, chars: list[dict], page_no: int, centres) -> _Table | None:
    """The table found by pdfplumber (``tbl``) from the page's characters (``centres``: theirs,
    from :func:`_centres`)."""
    import numpy as np

    boxes = [b for b in tbl.cells if b[2] - b[0] > 1 and b[3] - b[1] > 1]
    if not boxes:
        return None
    xs = _cluster([v for b in boxes for v in (b[0], b[2])])
    ys = _cluster([v for b in boxes for v in (b[1], b[3])])
    ncols, nrows = len(xs) - 1, len(ys) - 1
    if ncols < 2 or nrows < 1:
        return None
    bbox = tbl.bbox  # pdfplumber computes it from the cells at each access
    picked = np.flatnonzero(_within(centres, bbox, pad=1.0))
    table_chars = [chars[i] for i in picked]
    here = (centres[0][picked], centres[1][picked])
    free = np.ones(len(table_chars), dtype=bool)  # not yet in a cell: each goes to the first cell it is in
    cells: list[_Cell] = []
    occupied: set[tuple[int, int]] = set()
    for b in boxes:
        c0, c1 = _nearest(xs, b[0]), _nearest(xs, b[2])
        r0, r1 = _nearest(ys, b[1]), _nearest(ys, b[3])
        if c1 <= c0 or r1 <= r0:
            continue
        if any((r, c) in occupied for r in range(r0, r1) for c in range(c0, c1)):
            continue
        mine = np.flatnonzero(free & _within(here, b))
        free[mine] = False
        cells.append(_Cell(r0, r1, c0, c1, _chars_text([table_chars[i] for i in mine])))
        occupied.update((r, c) for r in range(r0, r1) for c in range(c0, c1))
    # Characters in the table but in no detected cell (a border is missing): own grid cell.
    orphans: dict[tuple[int, int], list[dict]] = {}
    for i, ch in enumerate(table_chars):
        if not free[i] or ch["text"].isspace():
            continue
        x = (ch["x0"] + ch["x1"]) / 2
        y = (ch["top"] + ch["bottom"]) / 2
        c = max(0, min(ncols - 1, sum(1 for v in xs[1:-1] if v < x)))
        r = max(0, min(nrows - 1, sum(1 for v in ys[1:-1] if v < y)))
        orphans.setdefault((r, c), []).append(ch)
    for (r, c), chs in orphans.items():
        text = _chars_text(chs)
        if (r, c) not in occupied:
            cells.append(_Cell(r, r + 1, c, c + 1, text))
            occupied.add((r, c))
        else:
            for cell in cells:
                if cell.r0 <= r < cell.r1 and cell.c0 <= c < cell.c1:
                    cell.text = normalize_text(_join_fragments(cell.text, text))
                    break
    if not any(cell.text for cell in cells):
        return None
    t = _Table(page_no, bbox[1], tuple(bbox), xs, nrows, ncols, cells)
    t.index()
    return t


def _same_columns(a: _Table, b: _Table, tol: float = 3.0) -> bool:
    return a.ncols == b.ncols and all(abs(x - y) <= tol for x, y in zip(a.xs, b.xs))


def _join_continuation(prev: _Table, cont: _Table) -> None:
    """Repair cells cut by the page break between ``prev`` (end of a page) and ``cont``."""
    pr, cr = prev.last_row(), cont.first_row()
    if pr is None or cr is None:
        return
    if prev.head is not None and prev.head == cont.row_texts(cr):
        return  # the header row is repeated on the new page: nothing is cut
    fragments: list[int] = []
    independent = False
    for c in range(cont.ncols):
        pc, cc = prev.owner[pr][c], cont.owner[cr][c]
        if pc is None or cc is None or pc.c0 != c or cc.c0 != c or cc.r0 != cr:
            continue
        if pc.c1 != cc.c1:
            independent = independent or bool(cc.text)
            continue
        pt, ct = pc.text, cc.text
        if not ct:
            if pt and not _is_value(pt) and (pc.rowspan > 1 or cc.rowspan > 1):
                cc.text = pt  # the merged label goes on over the page break
            continue
        if not pt or _is_value(pt) or _is_value(ct) or _ENUM_START.match(ct):
            independent = True
            continue
        if pc.rowspan > 1 or cc.rowspan > 1:
            pc.text = cc.text = normalize_text(_join_fragments(pt, ct))  # a merged label cut in two
        else:
            fragments.append(c)
    if fragments and not independent:
        # One row broken across the page: merge it into the row on the previous page.
        for c in fragments:
            pc, cc = prev.owner[pr][c], cont.owner[cr][c]
            pc.text = normalize_text(_join_fragments(pc.text, cc.text))
        for c in range(cont.ncols):
            pc, cc = prev.owner[pr][c], cont.owner[cr][c]
            if pc is not None and cc is not None and pc.c0 == c and not pc.text and cc.text:
                pc.text = cc.text
        if all(cont.owner[cr][c] is None or cont.owner[cr][c].rowspan == 1 for c in range(cont.ncols)):
            cont.dropped_rows.add(cr)


# --------------------------------------------------------------------------- narrative text


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    text: str
    tabular: bool = False  # wide gaps inside: a row of a table drawn without rules
    number: int = 0  # 1-based among kept text lines of its page


def _page_lines(chars: list[dict], page_no: int) -> list[_Line]:
    out = []
    for ln in _group_lines([c for c in chars if c.get("upright", True)]):
        text = normalize_text(_line_text(ln))
        if not text:
            continue
        sizes = Counter(round(c.get("size", 0), 1) for c in ln if not c["text"].isspace())
        size = sizes.most_common(1)[0][0] if sizes else 10.0
        tabular = any(b["x0"] - a["x1"] > 2 * max(size, 1.0) for a, b in zip(ln, ln[1:]))
        out.append(
            _Line(
                page_no,
                min(c["top"] for c in ln),
                max(c["bottom"] for c in ln),
                min(c["x0"] for c in ln),
                max(c["x1"] for c in ln),
                size,
                text,
                tabular,
            )
        )
    return out


def _drop_margins(lines_by_page: dict[int, list[_Line]], heights: dict[int, float]) -> None:
    """Remove page numbers and running headers/footers found in the page margins."""

    def in_margin(ln: _Line) -> bool:
        h = heights[ln.page]
        return ln.bottom <= 0.09 * h or ln.top >= 0.91 * h

    repeated: Counter = Counter()
    for lines in lines_by_page.values():
        keys = {re.sub(r"\d+", "#", ln.text) for ln in lines if in_margin(ln)}
        repeated.update(keys)
    npages = len(lines_by_page)
    for page, lines in lines_by_page.items():
        kept = []
        for ln in lines:
            if in_margin(ln):
                key = re.sub(r"\d+", "#", ln.text)
                if _PAGE_NUMBER.match(ln.text):
                    continue
                if npages >= 2 and repeated[key] >= 2 and repeated[key] * 2 >= npages:
                    continue
            kept.append(ln)
        lines_by_page[page] = kept


class _Paragraphs:
    """Joins consecutive narrative lines into paragraphs."""

    def __init__(self, all_lines: list[_Line]):
        weights: Counter = Counter()
        for ln in all_lines:
            weights[ln.size] += len(ln.text)
        self.body = weights.most_common(1)[0][0] if weights else 10.0
        body = [ln for ln in all_lines if abs(ln.size - self.body) <= 0.6]
        lefts = Counter(round(ln.x0) for ln in body)
        rights = Counter(round(ln.x1) for ln in body)
        self.left = lefts.most_common(1)[0][0] if lefts else 0.0
        self.right = rights.most_common(1)[0][0] if rights else 0.0
        gaps = [
            b.top - a.bottom
            for a, b in zip(body, body[1:])
            if a.page == b.page and 0 <= b.top - a.bottom <= 3 * self.body
        ]
        self.gap = statistics.median(gaps) if gaps else 0.5 * self.body

    def _centred(self, ln: _Line) -> bool:
        mid = (self.left + self.right) / 2
        return ln.x0 > self.left + ln.size and abs((ln.x0 + ln.x1) / 2 - mid) <= 2 * ln.size

    def continues(self, prev: _Line, cur: _Line) -> bool:
        """Whether ``cur`` goes on the paragraph that ``prev`` ended."""
        if prev.tabular or cur.tabular:
            return False  # lines of an unruled table stay apart: their figures must not join
        if abs(prev.size - cur.size) > 1.0:
            return False
        if cur.page == prev.page and cur.top - prev.bottom > self.gap + 0.5 * cur.size:
            return False
        if cur.page != prev.page and cur.page != prev.page + 1:
            return False
        if cur.size >= self.body + 2 and self._centred(prev) and self._centred(cur):
            return cur.page == prev.page  # a title set on several centred lines
        if cur.x0 > self.left + 0.9 * cur.size:
            return False  # indented: a new paragraph (or a heading)
        return prev.x1 >= self.right - 1.0 * prev.size  # the previous line ran to the margin


# --------------------------------------------------------------------------- page model
#
# Each page is read with pypdfium2 (PDFium's C parser) into what pdfplumber would give for it,
# in pdfminer's terms (top-left coordinates in points, pdfminer's character boxes and its
# classification of paths into lines, rectangles and curves), so that pdfplumber's table
# finder, which works on those edges alone, and the layout rules above see the same page.
# pdfminer's pure-Python layout analysis was most of the reader's time.

_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: tuple, n: tuple) -> tuple:
    """The matrix applying ``m``, then ``n`` (PDF's row-vector convention)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


class _Page:
    """One page as this reader and pdfplumber's ``TableFinder`` use it: ``chars`` (non-space,
    duplicates of fake-bold removed), ``edges`` of the visible ruling lines, rectangles and
    curves, ``images`` (boxes), ``bbox``, ``width``, ``height``; ``fallback`` says why the page
    was read by pdfplumber instead (None: by PDFium)."""

    fallback: str | None = None

    def __init__(self, doc, page_no: int):
        page = doc[page_no - 1]
        try:
            x0, y0, x1, y1 = page.get_mediabox()
            x0, x1 = sorted((x0, x1))
            y0, y1 = sorted((y0, y1))
            # user space -> pdfminer's device space (y up, the page turned as displayed)
            rotation = page.get_rotation() % 360
            self.device = {90: (0.0, -1.0, 1.0, 0.0, -y0, x1), 180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
                           270: (0.0, 1.0, -1.0, 0.0, y1, -x0)}.get(rotation, (1.0, 0.0, 0.0, 1.0, -x0, -y0))
            self.width, self.height = (y1 - y0, x1 - x0) if rotation in (90, 270) else (x1 - x0, y1 - y0)
            self.bbox = (0.0, 0.0, self.width, self.height)
            self.images: list[dict] = []
            self._fonts_embedded: dict[int, bool] = {}
            shapes: list[dict] = []
            texts: list = []
            R = _pdfium()
            self._objects(page.raw, R.FPDFPage_CountObjects, R.FPDFPage_GetObject, self.device, shapes, texts)
            textpage = page.get_textpage()
            try:
                # PDFium's text page leaves out text objects whose glyphs have no box. In an
                # embedded font that is a glyph without ink (a space); in a font that is not
                # embedded (a standard CJK font such as STSong-Light) or that PDFium cannot
                # load, visible characters would be lost: such a page is read by pdfplumber,
                # whose characters come from the content stream itself.
                # (whether the font is embedded first: the length of an object's text is
                # looked up among all the page's characters)
                if any(not self._embedded(t) and R.FPDFTextObj_GetText(t, textpage.raw, None, 0) <= 2
                       for t in texts):
                    self.fallback = "text objects in a font that is not embedded missing from PDFium's text page"
                    return
                chars = self._chars(textpage)
                if chars is None:
                    self.fallback = "a glyph without a width"
                    return
                self.chars = _dedupe(chars)
            finally:
                textpage.close()
        finally:
            page.close()
        from pdfplumber.utils import obj_to_edges

        self.edges = [e for o in shapes if _visible(o) for e in obj_to_edges(o)]

    def _embedded(self, text_object) -> bool:
        """Whether the font of a text object is embedded (asked once per font of the page)."""
        key = _addresses()[1](text_object) or 0
        known = self._fonts_embedded.get(key)
        if known is None:
            R = _pdfium()
            known = self._fonts_embedded[key] = bool(R.FPDFFont_GetIsEmbedded(R.FPDFTextObj_GetFont(text_object)))
        return known

    @classmethod
    def plumbed(cls, pdf, page_no: int, reason: str) -> "_Page":
        """The page read by pdfplumber (``pdf``: the document opened by pdfplumber)."""
        page = pdf.pages[page_no - 1]
        self = cls.__new__(cls)
        self.fallback = reason
        self.width, self.height = float(page.width), float(page.height)
        self.bbox = tuple(float(v) for v in page.bbox)
        view = page.filter(_visible)
        self.chars = _dedupe([c for c in view.chars if not c["text"].isspace()])
        self.edges = view.edges
        self.images = [{k: float(im[k]) for k in ("x0", "x1", "top", "bottom")} for im in page.images]
        page.close()  # release the page's parsed objects: memory stays flat on long files
        return self

    def _box(self, m: tuple, points) -> dict:
        """x0/x1/top/bottom (and pdfplumber's other keys) of points in user space through ``m``."""
        pts = [_apply(m, x, y) for x, y in points]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        left, right, low, high = min(xs), max(xs), min(ys), max(ys)
        top, bottom = self.height - high, self.height - low
        return {"x0": left, "x1": right, "top": top, "bottom": bottom, "doctop": top,
                "y0": low, "y1": high, "width": right - left, "height": high - low}

    def _chars(self, textpage) -> list[dict] | None:
        """pdfminer's box of each character: from its origin, the advance width of its glyph
        and one font size high, through the text's matrix; None if a glyph's width is not
        known. The box stands on the baseline: pdfminer lowers it by the descent the font
        declares, which PDFium does not give (where a font declares none, as LibreOffice's
        do, it takes one from the glyphs); the layout rules compare boxes with each other,
        and every corpus and fixture PDF gives the same cells either way."""
        import ctypes

        R = _pdfium()
        text_object, object_font = _addresses()
        raw = textpage.raw
        origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
        matrix = R.FS_MATRIX()
        value = ctypes.c_float()
        name = ctypes.create_string_buffer(256)
        fonts: dict[int, tuple] = {}  # base name and handle of each font
        widths: dict[tuple[int, int], float | None] = {}
        # per text object (its characters share its font, font size and matrix): font, name,
        # size, the matrix's linear part through the device matrix, upright
        objects: dict[int, tuple] = {}
        A, B, C, D, E, F = self.device
        height = self.height
        out: list[dict] = []
        for i in range(R.FPDFText_CountChars(raw)):
            code = R.FPDFText_GetUnicode(raw, i)
            text = chr(code)
            if text.isspace() or R.FPDFText_IsGenerated(raw, i) == 1:
                continue  # a space, or a line break PDFium infers (not in the file)
            obj = text_object(raw, i)
            known = objects.get(obj) if obj is not None else None
            if known is None:
                key = object_font(obj) or 0
                if key not in fonts:
                    font = ctypes.cast(ctypes.c_void_p(key), R.FPDF_FONT)
                    R.FPDFFont_GetBaseFontName(font, name, len(name))
                    fonts[key] = (name.value.decode("utf-8", "replace"), font)
                R.FPDFText_GetMatrix(raw, i, matrix)
                a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
                m0, m1, m2, m3 = a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D  # as _mul
                known = (key, fonts[key][1], fonts[key][0], R.FPDFText_GetFontSize(raw, i), m0, m1, m2, m3,
                         m0 * m3 > 0 and m1 * m2 <= 0)
                if obj is not None:
                    objects[obj] = known
            key, font, fontname, size, m0, m1, m2, m3, upright = known
            if (key, code) not in widths:  # per unit font size, in text space
                ok = R.FPDFFont_GetGlyphWidth(font, code, ctypes.c_float(1.0), value)
                widths[key, code] = abs(value.value) if ok else None
            width = widths[key, code]
            if width is None:
                return None
            R.FPDFText_GetCharOrigin(raw, i, origin_x, origin_y)
            e, f = origin_x.value, origin_y.value
            m4, m5 = e * A + f * C + E, e * B + f * D + F  # as _mul
            # the box of the two corners (0, 0) and (width, 1) × size, as _box (the same arithmetic)
            w = width * size
            x0, y0 = m0 * 0.0 + m2 * 0.0 + m4, m1 * 0.0 + m3 * 0.0 + m5
            x1, y1 = m0 * w + m2 * size + m4, m1 * w + m3 * size + m5
            left, right = (x1 if x1 < x0 else x0), (x1 if x1 > x0 else x0)
            low, high = (y1 if y1 < y0 else y0), (y1 if y1 > y0 else y0)
            top = height - high
            out.append({"x0": left, "x1": right, "top": top, "bottom": height - low, "doctop": top,
                        "y0": low, "y1": high, "width": right - left, "height": high - low,
                        "object_type": "char", "text": text, "fontname": fontname, "size": high - low,
                        "upright": upright})
        return out

    def _objects(self, parent, count, get, matrix: tuple, shapes: list[dict], texts: list) -> None:
        """Paths (as pdfminer's lines, rects and curves), images and text objects, inside
        forms too."""
        import ctypes

        R = _pdfium()
        fm = R.FS_MATRIX()
        x, y = ctypes.c_float(), ctypes.c_float()
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        rgba = tuple(ctypes.c_uint() for _ in range(4))
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = R.FPDFPageObj_GetType(obj)
            if kind == R.FPDF_PAGEOBJ_TEXT:
                texts.append(obj)
                continue
            if kind not in (R.FPDF_PAGEOBJ_FORM, R.FPDF_PAGEOBJ_IMAGE, R.FPDF_PAGEOBJ_PATH):
                continue
            m = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), matrix) if R.FPDFPageObj_GetMatrix(obj, fm) else matrix
            if kind == R.FPDF_PAGEOBJ_FORM:
                self._objects(obj, R.FPDFFormObj_CountObjects, R.FPDFFormObj_GetObject, m, shapes, texts)
            elif kind == R.FPDF_PAGEOBJ_IMAGE:
                self.images.append(dict(self._box(m, ((0, 0), (0, 1), (1, 0), (1, 1))), object_type="image"))
            else:
                R.FPDFPath_GetDrawMode(obj, fill, stroke)
                paint = {"stroke": bool(stroke.value), "fill": fill.value != 0,
                         "stroking_color": _color(obj, R.FPDFPageObj_GetStrokeColor, rgba),
                         "non_stroking_color": _color(obj, R.FPDFPageObj_GetFillColor, rgba)}
                subpaths: list[list] = []  # [[op, (x, y)], ...] as pdfminer records them
                curve = 0
                for k in range(R.FPDFPath_CountSegments(obj)):
                    seg = R.FPDFPath_GetPathSegment(obj, k)
                    op = R.FPDFPathSegment_GetType(seg)
                    R.FPDFPathSegment_GetPoint(seg, x, y)
                    pt = (x.value, y.value)
                    if op == R.FPDF_SEGMENT_MOVETO or not subpaths:
                        subpaths.append([["m", pt]])
                    elif op == R.FPDF_SEGMENT_BEZIERTO:
                        curve += 1  # PDFium gives the two control points and the end point
                        if curve % 3:
                            continue
                        subpaths[-1].append(["c", pt])
                    else:
                        subpaths[-1].append(["l", pt])
                    if R.FPDFPathSegment_GetClose(seg):
                        # "h": PDFium closes with a segment back to the start (or flags the
                        # segment that already ends there); pdfminer records an "h"
                        sp = subpaths[-1]
                        if len(sp) > 1 and sp[-1][0] == "l" and sp[-1][1] == sp[0][1]:
                            sp[-1][0] = "h"
                        else:
                            sp.append(["h", sp[0][1]])
                for sp in subpaths:
                    shape = self._shape(sp, m)
                    if shape is not None:
                        shape.update(paint)
                        shapes.append(shape)

    def _shape(self, subpath: list, m: tuple) -> dict | None:
        """pdfminer's reading of one subpath: a line, a rectangle or a curve."""
        ops = "".join(op for op, _ in subpath)
        pts = [p for _, p in subpath]
        if len(ops) > 3 and ops[-2:] == "lh" and pts[-2] == pts[0]:
            ops, pts = ops[:-2] + "h", pts[:-1]  # a redundant "l" back to the start
        if ops in ("ml", "mlh"):
            return dict(self._box(m, pts[:2]), object_type="line")
        if ops in ("mlllh", "mllll"):
            dev = [_apply(m, *p) for p in pts]
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = dev
            if dev[0] == dev[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                     or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
                return dict(self._box(_IDENTITY, (dev[0], dev[2])), object_type="rect")
        if len(pts) < 2:
            return None  # no segment: no edge
        dev = [_apply(m, *p) for p in pts]
        return dict(self._box(_IDENTITY, dev), object_type="curve",
                    pts=[(px, self.height - py) for px, py in dev])


def _pdfium():
    import pypdfium2.raw

    return pypdfium2.raw


_ADDRESSES = None


def _addresses():
    """``FPDFText_GetTextObject`` and ``FPDFTextObj_GetFont`` giving their handles as plain
    addresses (ints, None for NULL), to key the per-object and per-font caches of
    :meth:`_Page._chars` without a ``ctypes.cast`` per character."""
    global _ADDRESSES
    if _ADDRESSES is None:
        import ctypes

        R = _pdfium()

        def as_address(fn, *argtypes):
            return ctypes.CFUNCTYPE(ctypes.c_void_p, *argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)

        _ADDRESSES = (as_address(R.FPDFText_GetTextObject, ctypes.c_void_p, ctypes.c_int),
                      as_address(R.FPDFTextObj_GetFont, ctypes.c_void_p))
    return _ADDRESSES


def _color(obj, getter, rgba) -> tuple | None:
    """A path's stroke or fill colour as RGB in 0..1 (PDFium converts every colour space);
    ``rgba``: four ctypes.c_uint to read it into."""
    r, g, b, a = rgba
    if not getter(obj, r, g, b, a):
        return None
    return (r.value / 255, g.value / 255, b.value / 255)


def _dedupe(chars: list[dict]) -> list[dict]:
    """pdfplumber's ``dedupe_chars`` (tolerance 1, same font and size): a character drawn
    again at the same place (fake bold) counts once; the order is kept. Not that function
    itself: it restores the order with ``list.index`` per character (quadratic in a page's
    characters) and clusters every group with its generic ``cluster_objects``, where most
    groups are one character, or characters on different lines. Here the same clustering
    (:func:`_clusters`) with its order: by ``doctop``, then by ``x0``; of each cluster the
    first of the lowest (``doctop``, ``x0``)."""
    import itertools
    from operator import itemgetter

    key = itemgetter("upright", "text", "fontname", "size")
    order = {id(c): i for i, c in enumerate(chars)}
    kept = []
    for _, group in itertools.groupby(sorted(chars, key=key), key=key):
        group = list(group)
        if len(group) == 1:  # most characters: nothing to cluster
            kept.append(group[0])
            continue
        for rows in _clusters(group, "doctop"):
            if len(rows) == 1:
                kept.append(rows[0])
                continue
            for cluster in _clusters(rows, "x0"):
                kept.append(cluster[0] if len(cluster) == 1 else min(cluster, key=itemgetter("doctop", "x0")))
    return sorted(kept, key=lambda c: order[id(c)])


def _clusters(objs: list[dict], attr: str, tolerance: float = 1) -> list[list[dict]]:
    """pdfplumber's ``cluster_objects(objs, itemgetter(attr), tolerance)``: the distinct values
    in order, a new cluster where one is more than ``tolerance`` above the one before; the
    clusters in that order, each with its objects in their given order."""
    values = sorted({o[attr] for o in objs})
    cluster_of = {}
    n, last = 0, values[0]
    for v in values:
        if v > last + tolerance:  # pdfplumber's cluster_list: v <= last + tolerance joins
            n += 1
        cluster_of[v] = n
        last = v
    out: list[list[dict]] = [[] for _ in range(n + 1)]
    for o in objs:
        out[cluster_of[o[attr]]].append(o)
    return out


# --------------------------------------------------------------------------- reading


_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")


def _inflate(pieces, step: int = 1 << 22):
    """Inflate a zlib stream given in pieces, yielding at most ``step`` bytes at a time."""
    import zlib

    d = zlib.decompressobj()
    for piece in pieces:
        data = piece
        while data and not d.eof:
            out = d.decompress(data, step)
            if out:
                yield out
            data = d.unconsumed_tail
        if d.eof:
            return


def _zlib_header(data: bytes, at: int) -> bool:
    """Whether a zlib header starts at ``at`` (RFC 1950: method 8, the check bits)."""
    if at + 2 > len(data):
        return False
    cmf, flg = data[at], data[at + 1]
    return cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0


def _check_inflated(data: bytes) -> None:
    """Refuse a PDF whose Flate streams inflate past the limit, before PDFium (or pdfminer)
    inflates any of them (a whole stream in memory at once).

    Streams are found in the raw bytes (``stream`` ... ``endstream``; streams are never
    inside object streams) and, unless they are too small to reach the limit, inflated
    piecewise (memory stays small) against a running budget; chained filters
    (``[/FlateDecode /FlateDecode]``) are inflated stage after stage. Images are skipped:
    their data is never decoded. Streams that do not inflate (encrypted, other filters,
    damaged) are skipped: the parser reports those itself.
    """
    import zlib

    from validator import readers as limits

    budget = limits.MAX_PDF_INFLATED_BYTES
    streams: list[tuple[int, int, int]] = []  # (start, end, Flate stages)
    for m in _STREAM.finditer(data):
        start = m.end()
        head = data[max(0, m.start() - 2048):m.start()]
        head = head[head.rfind(b"obj") + 1:] if b"obj" in head else head  # this object's dictionary
        stages = len(_FLATE.findall(head))
        if not stages or _IMAGE.search(head):
            continue
        end = data.find(b"endstream", start)
        streams.append((start, end if end >= 0 else len(data), min(stages, 4)))
    # Flate gives at most 1032 bytes from each byte (a 258-byte match in two bits): streams
    # that cannot reach the limit even so are not inflated here (most reports). Data that
    # does not start with a zlib header gives nothing (zlib refuses it before any output):
    # such as what follows the "stream" of "endstream", which the pattern finds too.
    if sum((end - start) * 1032 ** stages for start, end, stages in streams if _zlib_header(data, start)) <= budget:
        return
    for start, end, stages in streams:
        pieces = iter([data[start:end]])
        for _ in range(stages):
            pieces = _inflate(pieces)
        try:
            for out in pieces:
                budget -= len(out)
                if budget < 0:
                    raise Unreadable(
                        f"PDF文件中的压缩内容解压后超过 {limits.size_text(limits.MAX_PDF_INFLATED_BYTES)} 上限，"
                        "可能是压缩炸弹", f"Flate streams inflate past {limits.MAX_PDF_INFLATED_BYTES} bytes")
        except zlib.error:
            continue


def _open(data: bytes):
    """The document (pypdfium2), after the checks that need no parse: a PDF header, the
    inflated size of its streams, and the page count from the page tree."""
    import pypdfium2

    from validator import readers as limits

    if not data or b"%PDF" not in data[:1024]:
        raise Unreadable("文件不是PDF格式", "no %PDF header in the first 1024 bytes")
    _check_inflated(data)
    try:
        doc = pypdfium2.PdfDocument(data)
    except Exception as exc:  # noqa: BLE001 - every failure becomes Unreadable
        raise _open_error(exc) from exc
    limit = limits.MAX_PDF_PAGES
    n = len(doc)
    if n > limit:
        doc.close()
        raise Unreadable(f"PDF文件超过 {limit} 页上限（共 {n} 页），不像是年度报告", f"{n} pages, limit {limit}")
    if n == 0:
        doc.close()
        raise Unreadable("PDF文件没有页面", "the document has no pages")
    return doc


def _plumbed_document(data: bytes):
    """The document opened by pdfplumber (for the pages PDFium cannot read whole), with
    pdfminer's recovery of damaged Flate streams done as :func:`_decompress_corrupted`."""
    import pdfminer.pdftypes
    import pdfplumber

    global _pdfminer_decompress_corrupted
    if pdfminer.pdftypes.decompress_corrupted is not _decompress_corrupted:
        _pdfminer_decompress_corrupted = pdfminer.pdftypes.decompress_corrupted
        pdfminer.pdftypes.decompress_corrupted = _decompress_corrupted
    return pdfplumber.open(io.BytesIO(data))


_pdfminer_decompress_corrupted = None  # pdfminer's own, kept for the test that compares the two


def _decompress_corrupted(data: bytes) -> bytes:
    """pdfminer's ``decompress_corrupted``, the same result in one call instead of one per
    byte (pdfminer/pdfminer.six#1163: quadratic in the stream's length, so one flipped bit
    in a font stream makes a page slow to read). For a Flate stream that does not inflate:
    its output if the error is in the last three bytes (the checksum), else ``zlib.error``
    (pdfminer then reads the stream as empty). All but the last three bytes are inflated at
    once (an error there is raised), the last three one at a time, as pdfminer does."""
    import zlib

    d = zlib.decompressobj()
    head = max(len(data) - 3, 0)
    out = [d.decompress(data[:head])]
    try:
        for k in range(head, len(data)):
            out.append(d.decompress(data[k:k + 1]))
    except zlib.error:
        _logging.getLogger("pdfminer.pdftypes").warning("Data-loss while decompressing corrupted data")
    return b"".join(out)


def _open_error(exc: BaseException) -> Unreadable:
    name = type(exc).__name__
    code = getattr(exc, "err_code", None)
    detail = f"{name}: {exc}".strip()
    if code in (4, 5):  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
        return Unreadable("PDF文件已加密，无法读取（需要密码或不支持的加密方式）",
                          f"{detail} ({'Password required' if code == 4 else 'unsupported security handler'})")
    return Unreadable("PDF文件已损坏或格式不正确，无法读取", detail)


def read(path: Path, data: bytes | None = None) -> Document:
    """Read a PDF report into a :class:`Document` (format ``"pdf"``).

    ``data`` is the file's content (the file is not reopened); ``path`` names it.
    Raises :class:`Unreadable` for anything that cannot be read as a text PDF.
    """
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise Unreadable("无法打开文件", f"{type(exc).__name__}: {exc}") from exc
    doc = _open(data)
    try:
        return _read(doc, str(path), data)
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken page must not escape as another error
        raise _open_error(exc) from exc
    finally:
        try:
            doc.close()
        except Exception:  # noqa: BLE001
            pass


IMAGE_SHARE = 0.2
"""A page without text tables is recognised by OCR when its images cover at least this
share of the page (a scanned page, or a table pasted as a picture; not a logo)."""


def _image_share(page: "_Page") -> float:
    area = page.width * page.height or 1.0
    covered = sum(max(0.0, im["x1"] - im["x0"]) * max(0.0, im["bottom"] - im["top"]) for im in page.images)
    return min(1.0, covered / area)


def ocr_content(page_no: int, page, scale: float, image: str, *, text: bool) -> tuple[list[_Table], list[_Line]]:
    """A page read by OCR (:class:`validator.readers.ocr.Page`, pixels) as the tables and
    text lines of this reader (points: pixels × ``scale``), so that OCR'd pages go through the
    same page-break joining, numbering and paragraphs as text pages. ``text``: keep the text
    lines outside the tables (False when the page has a text layer of its own)."""
    tables: list[_Table] = []
    for ot in page.tables:
        cells = [_Cell(c.r0, c.r1, c.c0, c.c1, c.text, page.recognition(c, image)) for c in ot.cells]
        bbox = tuple(v * scale for v in ot.bbox)
        t = _Table(page_no, bbox[1], bbox, [x * scale for x in ot.xs], len(ot.ys) - 1, len(ot.xs) - 1, cells)
        t.index()
        tables.append(t)
    lines: list[_Line] = []
    if text and page.lines:
        # Ink heights jitter by a few pixels from line to line (punctuation, digits): sizes
        # within 12 % of the smallest of a group are one font size, the group's median.
        groups: list[list[float]] = []
        for h in sorted(ln.size for ln in page.lines):
            if groups and h <= groups[-1][0] * 1.12:
                groups[-1].append(h)
            else:
                groups.append([h])
        font = {h: g[len(g) // 2] for g in groups for h in g}
        for ln in page.lines:
            size = round(font[ln.size] * scale, 1)
            lines.append(_Line(page_no, ln.y0 * scale, ln.y1 * scale, ln.x0 * scale, ln.x1 * scale,
                               size, ln.text, ln.tabular))
    return tables, lines


def _read(doc, path: str, data: bytes | None = None) -> Document:
    import numpy as np
    from pdfplumber.table import TableFinder

    from validator.readers import ocr

    pages: list[tuple[int, float, list[_Table], list[_Line]]] = []
    total_chars = 0
    image_pages = 0
    recognised = 0
    plumbed = None  # the document opened by pdfplumber, for pages PDFium cannot read whole
    for page_no in range(1, len(doc) + 1):
        page = _Page(doc, page_no)
        if page.fallback:
            if plumbed is None:
                plumbed = _plumbed_document(data)
            page = _Page.plumbed(plumbed, page_no, page.fallback)
        chars = page.chars
        total_chars += len(chars)
        if page.images:
            image_pages += 1
        tables: list[_Table] = []
        settings = {"explicit_horizontal_lines": _closing_edges(page.edges)}
        centres = _centres(chars)
        for tbl in TableFinder(page, settings).tables:
            t = _build_table(tbl, chars, page_no, centres)
            if t is not None:
                tables.append(t)
        outside = np.ones(len(chars), dtype=bool)
        for t in tables:
            outside &= ~_within(centres, t.bbox, pad=1.0)
        free = [c for c, out in zip(chars, outside) if out]
        lines = _page_lines(free, page_no)
        if not tables and page.images and data is not None and _image_share(page) >= IMAGE_SHARE and ocr.enabled():
            # A page whose tables can only be images: recognise it (only such pages, never a text table).
            img, scale = _render(doc, page_no)
            o_tables, o_lines = ocr_content(page_no, ocr.read_image(img), scale, f"第{page_no}页", text=not chars)
            recognised += 1
            tables = o_tables
            lines = o_lines if not chars else lines
        pages.append((page_no, page.height, tables, lines))
    if plumbed is not None:
        plumbed.close()
    if total_chars == 0 and not recognised:
        raise Unreadable(_no_text_reason(image_pages), "the PDF has no text layer (scanned or image-only pages)")
    if not any(t for _, _, t, _ in pages) and image_pages:
        raise Unreadable(_no_text_reason(image_pages),
                         f"no ruled table with text found; {image_pages} page(s) carry images"
                         + (f", {recognised} recognised by OCR" if recognised else ""))
    return assemble(pages, path, "pdf")


def _no_text_reason(image_pages: int) -> str:
    from validator.readers import ocr

    if image_pages and ocr.wanted() and not ocr.available():
        return f"{NO_TABLE_TEXT}。{ocr.INSTALL_HINT}"
    return NO_TABLE_TEXT


def _render(doc, page_no: int):
    """The page as an RGB array for OCR, within the pixel limit, and the points per pixel."""
    import numpy as np

    from validator.readers import ocr

    page = doc[page_no - 1]
    try:
        w, h = page.get_size()  # points
        scale = ocr.PDF_DPI / 72
        if w * h * scale * scale > ocr.MAX_PIXELS or max(w, h) * scale > ocr.MAX_SIDE:
            scale = min(ocr.MAX_SIDE / max(w, h), math.sqrt(ocr.MAX_PIXELS / max(w * h, 1.0)))
        img = np.asarray(page.render(scale=scale).to_pil().convert("RGB"))
    finally:
        page.close()
    return img, 1 / scale  # pixels -> points


def assemble(pages: list[tuple[int, float, list[_Table], list[_Line]]], path: str, fmt: str) -> Document:
    """The document from each page's tables and text lines: tables continued across pages
    joined, numbered, and interleaved with paragraphs in reading order."""
    items: list[tuple[int, float, int, object]] = []  # (page, top, kind order, item)
    lines_by_page: dict[int, list[_Line]] = {}
    heights: dict[int, float] = {}
    for page_no, height, tables, lines in pages:
        heights[page_no] = height
        lines_by_page[page_no] = lines
        for t in tables:
            items.append((page_no, t.top, 0, t))

    _drop_margins(lines_by_page, heights)
    for page_no, lines in lines_by_page.items():
        for i, ln in enumerate(lines, start=1):
            ln.number = i
            items.append((page_no, ln.top, 1, ln))
    items.sort(key=lambda it: (it[0], it[1], it[2]))

    # Number tables; a table continuing one from the previous page keeps its number.
    number = 0
    prev_item = None
    for _, _, _, item in items:
        if isinstance(item, _Table):
            if (
                isinstance(prev_item, _Table)
                and item.page == prev_item.page + 1
                and _same_columns(prev_item, item)
            ):
                item.number = prev_item.number
                item.head = prev_item.head
                _join_continuation(prev_item, item)
            else:
                number += 1
                item.number = number
                first = item.first_row()
                item.head = item.row_texts(first) if first is not None else None
        prev_item = item

    blocks: list[Block] = []
    paras = _Paragraphs([ln for lines in lines_by_page.values() for ln in lines])
    pending: list[_Line] = []

    def flush() -> None:
        if pending:
            text = ""
            for ln in pending:
                text = _join_fragments(text, ln.text)
            first = pending[0]
            blocks.append(paragraph(normalize_text(text), Position(page=first.page, line=first.number)))
            pending.clear()

    row_counter: dict[int, int] = {}
    for _, _, _, item in items:
        if isinstance(item, _Line):
            if pending and not paras.continues(pending[-1], item):
                flush()
            pending.append(item)
            continue
        flush()
        t: _Table = item
        grid = t.grid()
        for r in range(t.nrows):
            if r in t.dropped_rows:
                continue
            cells = t.row_cells(r, grid)
            if not any(text or (rec and rec.unsure) for text, rec in cells):
                continue
            row_counter[t.number] = row_counter.get(t.number, 0) + 1
            n = row_counter[t.number]
            blocks.append(
                row(
                    [
                        (text, Position(page=t.page, table=t.number, row=n, col=c + 1), rec)
                        for c, (text, rec) in enumerate(cells)
                    ]
                )
            )
    flush()
    return Document(path=path, format=fmt, blocks=blocks)
