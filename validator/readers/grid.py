"""The one grid builder: table cells with their spans → the rectangular text grid.

Every grid reader (HTML ``rowspan``/``colspan``, DOCX ``gridSpan``/``vMerge``, PDF cell
rectangles, spreadsheet merged ranges, OCR'd table regions) describes a table as
:class:`Span`\\ s: a cell's text, its top-left grid position and how many grid rows and
columns it covers, and, when the source has geometry, its box. :func:`expand` lays them
on the grid with one merged-cell policy:

* a *label* (any text that is not a value) is repeated in every position its span covers,
  so a group label such as 三、本年度办理结果 or a header such as 行政诉讼 stands over each of
  its rows and columns;
* a *value* (a number, or a placeholder such as "/", "-", "无") stays in its top-left
  position only and the covered positions are ``""``: a published figure is never
  duplicated into a neighbouring column (``validator.columns`` then finds, from the header,
  which of the covered positions is the template column);
* positions no span covers are ``""``; a span that would overlap a position already
  covered is clipped to what is free (as browsers do).

The growth budget is the readers' :data:`~validator.readers.MAX_CELLS`, spent before a
large span is expanded.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["Span", "expand", "is_value"]


class Span(NamedTuple):
    """One cell of a table as its source gives it (0-based grid position). A tuple: readers
    make one per cell."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    box: tuple[float, float, float, float] | None = None  # (x0, top, x1, bottom), when known


def is_value(text: str) -> bool:
    """A cell that holds a value rather than a label: a number or a placeholder mark."""
    from validator import values

    return bool(values.clean(text)) and values.is_value_like(text)


def expand(spans: Iterable[Span], *, width: int = 0, height: int = 0, used: int = 0) -> list[list[str]]:
    """The text grid of these spans (see the module docstring). ``width``/``height`` give
    the grid's least size (a DOCX ``tblGrid``); ``used`` is the cells the document already
    holds, counted against the budget."""
    from validator import readers as limits

    placed: dict[tuple[int, int], str] = {}
    budget = limits.MAX_CELLS - used
    for row, col, text, rs, cs, _ in spans:
        if rs <= 1 and cs <= 1:  # most cells: one position, label or value alike
            if len(placed) >= budget:
                raise limits.too_many_cells(used + len(placed) + 1)
            placed.setdefault((row, col), text)
            continue
        rs, cs = max(1, rs), max(1, cs)
        if len(placed) + rs * cs > budget:  # before a huge span is expanded
            raise limits.too_many_cells(used + len(placed) + rs * cs)
        value = is_value(text)
        for dr in range(rs):
            for dc in range(cs):
                key = (row + dr, col + dc)
                if key not in placed:
                    placed[key] = text if not value or (dr, dc) == (0, 0) else ""
    # every position a span covers is placed (by it or before it): the grid's size
    nrows = max(height, 1 + max((r for r, _ in placed), default=-1))
    ncols = max(width, 1 + max((c for _, c in placed), default=-1))
    if used + nrows * ncols > limits.MAX_CELLS:
        raise limits.too_many_cells(used + nrows * ncols)
    get = placed.get
    return [[get((r, c), "") for c in range(ncols)] for r in range(nrows)]
