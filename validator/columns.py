"""Columns by meaning: which grid position of a table holds which template column.

Grid readers (HTML, DOCX, PDF, spreadsheets) give every cell its grid position
(``Position.table`` and ``Position.col``). Taking "the numbers after the label" by count
shifts every value when a layout adds a column: a header cell spanning two grid columns
with the value in either, an empty spacer column, a table cut at the page edge. So the
columns of 表三 and 表四 are read by meaning:

1. **Header.** The header rows of a table are a run of rows without numbers whose cells
   name template columns (表三: 自然人 … 总计; 表四: a group 行政复议 / 未经复议直接起诉 /
   复议后起诉 and a column 结果维持 … 总计). Every header row counts and merged cells are
   already expanded, so each grid position gets the template column (表四: group and
   column) named above it; positions with no such name (the label area, spacer columns)
   get none.
2. **Verified against the data rows.** The rows after the header are the data rows. A
   template column that the header gives several positions (a spanned header cell) takes
   the position where the data rows hold values; the others must be empty (spacers) or
   repeat the same text (a spanned value). A number in a position the header does not map
   means header and data disagree: the data rows' own consistent column set is used when it
   has exactly one position per template column, else the table's columns are unreadable.
3. **Never guessed.** A template column that no position supports (cut off at the page edge,
   or an ambiguous header) is *missing*, with a note naming it; its cells are never filled
   from a neighbour.

The result, :class:`Layout`, tells extraction for each row block of a mapped table its
label and its value cells in template order (``None`` for a column that could not be
read), or that the row is to be skipped (header rows, spacer rows, rows of 表四 other
than its data row). Text reports (tabs, no grid) are not mapped here: their labels
drift between cells and extraction matches them by label and count.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import values
from .document import Block, Cell, Document
from .template import TEMPLATE, Entry, Labels, normalize

__all__ = ["Layout", "MappedRow", "read_layout"]


@dataclass(frozen=True)
class MappedRow:
    """One row block of a mapped table, as extraction should read it."""

    table: str  # the code of a table with one set of columns (not "grouped")
    label: str
    values: tuple[Cell | None, ...]  # in template order; None: the column could not be read
    skip: bool = False  # a header row, a spacer row, a 表四 row that is not its data row


@dataclass
class Layout:
    rows: dict[int, MappedRow] = field(default_factory=dict)  # id(block) -> how to read it
    notes: list[dict] = field(default_factory=list)  # extraction findings (X009, X012; messages in rules/extraction.yaml)

    def get(self, block: Block) -> MappedRow | None:
        return self.rows.get(id(block))


def _slots(table: str) -> list[tuple[Entry | None, Entry]]:
    """The value slots of a table in template order: (group row or None, column)."""
    t = TEMPLATE[table]
    if t.layout == "banded":  # one printed row of 15 values: three bands of five columns
        return [(r, c) for r in t.rows for c in t.columns]
    return [(None, c) for c in t.columns]


def _spellings(entries) -> dict[str, Entry]:
    return {normalize(s): e for e in entries for s in e.spellings()}


# The tables mapped here: those with one set of columns (a grouped table's groups each have theirs).
_MAPPED = tuple(code for code, t in TEMPLATE.tables.items() if t.layout != "grouped")
_BANDED = frozenset(code for code in _MAPPED if TEMPLATE[code].layout == "banded")  # one printed row of every band
_SLOTS = {k: _slots(k) for k in _MAPPED}
_COLUMN_NAMES = {k: _spellings(TEMPLATE[k].columns) for k in _MAPPED}
_GROUP_NAMES = {k: _spellings(TEMPLATE[k].rows) for k in _BANDED}  # a banded table's bands, named in its header
_PARENTS = {k: {normalize(c.parent) for c in TEMPLATE[k].columns if c.parent} for k in _MAPPED}
_ROWS = {k: Labels(TEMPLATE[k].rows) for k in _MAPPED}


def _names(table: str, text: str) -> tuple[Entry | None, Entry | None]:
    """(group, column) a header cell names, exactly (after label normalisation)."""
    n = normalize(text)
    if not n:
        return None, None
    group = _GROUP_NAMES[table].get(n) if table in _BANDED else None
    return group, _COLUMN_NAMES[table].get(n)


def _header_score(block: Block) -> tuple[str | None, int]:
    """(table, number of distinct template names) of a row that can be a header row."""
    texts = {c.text for c in block.cells}  # a spanned header repeats its text: each text once
    if any(values.is_number(t) for t in texts):
        return None, 0
    names = {normalize(t) for t in texts}
    best, score = None, 0
    for table in _MAPPED:
        found = set()
        columns, groups, parents = _COLUMN_NAMES[table], _GROUP_NAMES.get(table), _PARENTS[table]
        for n in names:
            if n:  # as _names reads it
                if groups is not None and (g := groups.get(n)) is not None:
                    found.add(g.code)
                if (col := columns.get(n)) is not None:
                    found.add(col.code)
            if n in parents:
                found.add("parent")
        if len(found) > score:
            best, score = table, len(found)
    return best, score


def _key(block: Block):
    p = block.pos
    return (p.sheet, p.table) if p.table is not None else None


def read_layout(doc: Document) -> Layout:
    """Map the columns of every grid table of the document (see the module docstring)."""
    layout = Layout()
    tables: dict[tuple, list[Block]] = {}
    for b in doc.blocks:
        if b.kind == "row" and (k := _key(b)) is not None and all(c.pos.col is not None for c in b.cells):
            tables.setdefault(k, []).append(b)
    for rows in tables.values():
        _map_table(rows, layout)
    return layout


def _map_table(rows: list[Block], layout: Layout) -> None:
    """Split a table at its header runs (consecutive rows without numbers naming template
    columns, one of them naming at least two) and map each header with the data rows
    under it, up to the next header run."""
    scores = [_header_score(b) for b in rows]
    runs: list[tuple[int, int, str]] = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and scores[j][1] > 0:
            j += 1
        if j > i:
            kind, best = max(scores[i:j], key=lambda s: s[1])
            if best >= 2:
                runs.append((i, j, kind))
        i = j + 1 if j == i else j
    for n, (i, j, kind) in enumerate(runs):
        end = runs[n + 1][0] if n + 1 < len(runs) else len(rows)
        _map_segment(kind, rows[i:j], rows[j:end], layout)


def _label_of(block: Block, before: int) -> str:
    """The label of a data row: the texts left of the first value position, each merged
    text once."""
    parts: list[str] = []
    for c in block.cells:
        if c.pos.col < before and c.text and (not parts or parts[-1] != c.text):
            parts.append(c.text)
    return "".join(parts)


def _header_slots(kind: str, header: list[Block]) -> dict[int, int]:
    """Grid position -> slot index, from every header row (the lowest naming row wins)."""
    slots = _SLOTS[kind]
    index = {(g.code if g else None, c.code): n for n, (g, c) in enumerate(slots)}
    group_at: dict[int, Entry] = {}
    column_at: dict[int, Entry] = {}
    for b in header:
        current = None  # a group name covers the empty cells after it (a grid without merges: CSV)
        for c in sorted(b.cells, key=lambda c: c.pos.col):
            g, col = _names(kind, c.text)
            if g is not None or values.clean(c.text):
                current = g
            if current is not None:
                group_at[c.pos.col] = current
            if col is not None:
                column_at[c.pos.col] = col
    out: dict[int, int] = {}
    for p, col in column_at.items():
        g = group_at.get(p)
        key = (g.code if g is not None else None, col.code)
        if key in index:
            out[p] = index[key]
    return out


def _map_segment(kind: str, header: list[Block], data: list[Block], layout: Layout) -> None:
    slots = _SLOTS[kind]
    by_pos = _header_slots(kind, header)
    if len(set(by_pos.values())) < 2:
        return  # e.g. 表四 printed as three tables of five under headings: read by extraction
    cells = [{c.pos.col: c for c in b.cells} for b in data]
    start = min(by_pos)
    if kind not in _BANDED and not any(_ROWS[kind].match(_label_of(b, start)) for b in data):
        return  # a header without the table's rows under it (a conversion's header block)
    candidates: dict[int, list[int]] = {}
    for p in sorted(by_pos):
        candidates.setdefault(by_pos[p], []).append(p)

    def filled(p: int) -> bool:
        return any(p in row and values.clean(row[p].text) for row in cells)

    chosen: dict[int, int] = {}  # slot -> grid position
    taken: set[int] = set()  # every position accounted for: chosen, spacer, or a spanned copy
    ambiguous = False
    for slot, ps in candidates.items():
        used = [p for p in ps if filled(p)]
        if len(used) <= 1:
            chosen[slot] = used[0] if used else ps[0]
        elif all(len({row[p].text if p in row else None for p in used}) == 1 for row in cells):
            chosen[slot] = used[0]  # one value spanning several positions
        else:
            ambiguous = True
            continue
        taken.update(ps)
    stray = any(p >= start and p not in taken and values.is_number(c.text) for row in cells for p, c in row.items())
    note_pos = header[0].pos
    if stray or ambiguous:
        consistent = _data_columns(data, cells)
        if consistent is not None and len(consistent) == len(slots):
            chosen, start = dict(enumerate(consistent)), consistent[0]
            layout.notes.append({"rule": "X012", "table": kind, "pos": note_pos})
        else:
            for b in header + data:
                layout.rows[id(b)] = MappedRow(kind, "", (), skip=True)
            layout.notes.append({"rule": "X009", "table": kind, "pos": note_pos, "unread": True,
                                 "message": "mismatch"})
            return
    missing = [n for n in range(len(slots)) if n not in chosen]
    if missing:
        layout.notes.append({"rule": "X009", "table": kind, "pos": note_pos, "unread": True,
                             "columns": [_slot_label(slots[n]) for n in missing]})
    for b in header:
        layout.rows[id(b)] = MappedRow(kind, "", (), skip=True)
    rows = []
    for b, row in zip(data, cells):
        vals = tuple(row.get(chosen[n]) if n in chosen else None for n in range(len(slots)))
        rows.append((b, _label_of(b, start), vals))
    if kind in _BANDED:
        # the data row: the first whose mapped cells hold a number; a row of blanks only when
        # no row has one (a blank form); every other row (spacers, notes) is skipped
        data_row = next((b for b, _, vals in rows if any(v is not None and values.is_number(v.text) for v in vals)),
                        None)
        if data_row is None:
            data_row = next((b for b, label, vals in rows if not label and all(
                v is None or values.is_value_like(v.text) for v in vals)), None)
        for b, label, vals in rows:
            layout.rows[id(b)] = MappedRow(kind, "", vals, skip=b is not data_row)
        return
    for b, label, vals in rows:
        spacer = not label and all(v is None or not values.clean(v.text) for v in vals)
        layout.rows[id(b)] = MappedRow(kind, label, vals, skip=spacer)


def _data_columns(data: list[Block], cells: list[dict[int, Cell]]) -> list[int] | None:
    """The positions that hold numbers in the data rows, when every data row keeps its
    numbers within them (None when no row has a number)."""
    used: set[int] = set()
    for b, row in zip(data, cells):
        last_text = max((c.pos.col for c in b.cells if not values.is_value_like(c.text)), default=-1)
        used.update(p for p, c in row.items() if p > last_text and values.is_number(c.text))
    return sorted(used) or None


def _slot_label(slot: tuple[Entry | None, Entry]) -> str:
    g, c = slot
    return f"{g.label} / {c.label}" if g is not None else c.label
