"""The reader-neutral document: what every reader produces and extraction consumes.

A reader turns one file into a :class:`Document`: a sequence of blocks in reading
order. A block is either a table row (a tuple of cells, as laid out in the source,
with merged cells already expanded into the grid) or a paragraph of narrative text.
Readers know nothing of the report template; extraction (``validator.extract``)
knows nothing of file formats.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Position:
    """Where a piece of text came from. Every field is optional; readers fill what they know.

    ``line`` is 1-based (text files); ``page`` is 1-based (PDF); ``table``, ``row`` and
    ``col`` are 1-based indices of the table in the document and of the cell in that table
    (HTML, DOCX, PDF, spreadsheets; ``col`` is also the tab/pipe cell of a text line).
    ``sheet`` names a spreadsheet sheet.
    """

    line: int | None = None
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    sheet: str | None = None

    def __str__(self) -> str:  # rendered for users, in Chinese
        parts: list[str] = []
        if self.sheet is not None:
            parts.append(f"工作表“{self.sheet}”")
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.table is not None:
            parts.append(f"表格{self.table}")
        if self.row is not None and self.line is None:
            parts.append(f"第{self.row}行")
        if self.col is not None:
            parts.append(f"第{self.col}格")
        return "".join(parts) or "未知位置"

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}

    def __reduce__(self):  # pickled as its fields in order: a worker sends every cell's position back
        return _position, (self.line, self.page, self.table, self.row, self.col, self.sheet)


@lru_cache(maxsize=1 << 14)
def _position(*fields) -> Position:
    """A Position from its fields, one (immutable) object for the same fields: the cells of
    every report a worker sends back stand at the same few hundred positions."""
    return Position(*fields)


@dataclass(frozen=True, slots=True)
class Recognition:
    """How an OCR'd cell was read: the recognition ``score`` (lowest of its text, 0-1; None
    for a cell without text), its ``box`` (x0, y0, x1, y1 pixels) in ``image`` (the page or
    picture, as named in messages), and whether it is ``unsure`` (ink that was not recognised,
    or a number read with a low score): such a cell is unreadable, never a value. ``crop``
    is the cell's region of the image as a small greyscale PNG (bounded, see
    ``validator.readers.ocr.CROP_BYTES``), for outputs that show what was read beside the
    value; None for cells that hold a label. ``merged``: unsure because a ruling line around
    the cell is missing (which figure belongs to it cannot be told)."""

    score: float | None
    box: tuple[int, int, int, int]
    unsure: bool = False
    image: str = ""
    crop: bytes | None = field(default=None, repr=False)
    merged: bool = False  # unsure because a ruling line is missing: the cell ran into its neighbours


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    pos: Position
    ocr: Recognition | None = None  # set by the OCR reader only


@dataclass(frozen=True, slots=True)
class Block:
    """A table row (``kind == "row"``) or a paragraph (``kind == "text"``, one cell)."""

    kind: str
    cells: tuple[Cell, ...]

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.cells)

    @property
    def pos(self) -> Position:
        return self.cells[0].pos if self.cells else Position()


@dataclass(slots=True)
class Document:
    path: str
    format: str  # "text", "markdown", "html", "docx", "pdf", "xlsx", "csv"
    blocks: list[Block] = field(default_factory=list)
    # the publication date the file itself states (a page's PubDate meta), as written; never
    # the file's mtime or a PDF's creation date
    published: str | None = None

    def rows(self):
        return (b for b in self.blocks if b.kind == "row")

    def paragraphs(self):
        return (b for b in self.blocks if b.kind == "text")


def row(cells: list[tuple[str, Position]] | list[tuple[str, Position, Recognition | None]]) -> Block:
    return Block("row", tuple(Cell(*c) for c in cells))


def paragraph(text: str, pos: Position) -> Block:
    return Block("text", (Cell(text, pos),))
