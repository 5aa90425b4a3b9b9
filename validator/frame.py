"""The canonical frame: every cell of every report of a batch in one long DataFrame.

Columns (one row per cell):

=========  ==========================================================================
report     index of the report in the batch (int)
path       the file the report was read from
body       issuing body (发布机关), when known
year       report year, when known
template   template version ("2019" or "2021")
table      "t2", "t3" or "t4"
row        row code from validator/template.yaml (e.g. "results.withheld.state_secret")
column     column code (e.g. "natural_person", "total")
value      the number read (float; NaN unless state is "number")
raw        the cell text as found (None when the cell was not found)
state      number | blank | dash | invalid | missing | unreadable (OCR could not read it with confidence)
kind       count | signed | money (from the template column)
source     where the cell was found, in Chinese (第52行第3格, 第3页表格2第5行第4格 …)
page, line, grid_table, grid_row, grid_col   the same position as numbers, when known
=========  ==========================================================================

Value checks (whole non-negative counts …) are pandera checks in validator/engine.py; a
canonical file read back from disk is validated by its pandera schema in
validator/canonical.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .extract import Report
from .template import TEMPLATE

COLUMNS = ["report", "path", "body", "year", "template", "table", "row", "column", "value", "raw", "state",
           "kind", "source", "page", "line", "grid_table", "grid_row", "grid_col"]
STATES = ["number", "blank", "dash", "invalid", "missing", "unreadable"]
_POS = (("page", "page"), ("line", "line"), ("grid_table", "table"), ("grid_row", "row"), ("grid_col", "col"))

_KIND = {(t.code, c.code): c.kind for t in TEMPLATE.tables.values() for c in t.columns}


def build(reports: list[Report]) -> pd.DataFrame:
    """One long frame for a batch of reports (vectorised checks run on it)."""
    cells = [c for r in reports for c in r.cells]
    counts = [len(r.cells) for r in reports]

    def per_report(get):
        return [v for r, n in zip(reports, counts) for v in [get(r)] * n]

    positions = [c.pos for c in cells]
    # a reader may give many cells one (immutable) Position: each is rendered once
    shown: dict[int, str] = {}
    for p in positions:
        if p is not None and id(p) not in shown:
            shown[id(p)] = str(p)
    df = pd.DataFrame({
        "report": np.repeat(np.arange(len(reports), dtype="int64"), counts),
        "path": per_report(lambda r: r.path),
        "body": per_report(lambda r: r.body),
        "year": pd.array(per_report(lambda r: r.year), dtype="Int64"),
        "template": per_report(lambda r: r.version),
        "table": [c.table for c in cells],
        "row": [c.row for c in cells],
        "column": [c.column for c in cells],
        "value": np.array([np.nan if c.value is None else c.value for c in cells], dtype="float64"),
        "raw": [c.raw for c in cells],
        "state": [c.state for c in cells],
        "kind": [_KIND.get((c.table, c.column), "count") for c in cells],
        "source": [None if p is None else shown[id(p)] for p in positions],
        **{name: pd.array([None if p is None else getattr(p, attr) for p in positions], dtype="Int64")
           for name, attr in _POS},
    }, columns=COLUMNS)
    return df
