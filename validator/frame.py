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
state      number | blank | dash | invalid | missing
kind       count | signed | money (from the template column)
source     where the cell was found, in Chinese (第52行第3格, 第3页表格2第5行第4格 …)
page, line, grid_table, grid_row, grid_col   the same position as numbers, when known
=========  ==========================================================================

``SCHEMA`` is its pandera schema (types, allowed codes and states); value checks that
depend on the rule catalogue live in validator/engine.py.
"""
from __future__ import annotations

import pandas as pd

from .extract import Report
from .template import TEMPLATE

COLUMNS = ["report", "path", "body", "year", "template", "table", "row", "column", "value", "raw", "state",
           "kind", "source", "page", "line", "grid_table", "grid_row", "grid_col"]
STATES = ["number", "blank", "dash", "invalid", "missing"]
_POS = (("page", "page"), ("line", "line"), ("grid_table", "table"), ("grid_row", "row"), ("grid_col", "col"))

_KIND = {(t.code, c.code): c.kind for t in TEMPLATE.tables.values() for c in t.columns}


def build(reports: list[Report]) -> pd.DataFrame:
    """One long frame for a batch of reports (vectorised checks run on it)."""
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    for i, r in enumerate(reports):
        for c in r.cells:
            cols["report"].append(i)
            cols["path"].append(r.path)
            cols["body"].append(r.body)
            cols["year"].append(r.year)
            cols["template"].append(r.version)
            cols["table"].append(c.table)
            cols["row"].append(c.row)
            cols["column"].append(c.column)
            cols["value"].append(c.value)
            cols["raw"].append(c.raw)
            cols["state"].append(c.state)
            cols["kind"].append(_KIND.get((c.table, c.column), "count"))
            cols["source"].append(str(c.pos) if c.pos is not None else None)
            for name, attr in _POS:
                cols[name].append(getattr(c.pos, attr) if c.pos is not None else None)
    df = pd.DataFrame(cols)
    df["value"] = df["value"].astype("float64")
    df["year"] = df["year"].astype("Int64")
    for name, _ in _POS:
        df[name] = df[name].astype("Int64")
    df["report"] = df["report"].astype("int64")
    return df


def schema():
    """The pandera schema of the canonical frame (imported lazily: pandera is heavy)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "report": pa.Column("int64", pa.Check.ge(0)),
            "template": pa.Column(str, pa.Check.isin(list(TEMPLATE.versions)), nullable=True),
            "table": pa.Column(str, pa.Check.isin(list(TEMPLATE.tables))),
            "row": pa.Column(str),
            "column": pa.Column(str),
            "value": pa.Column("float64", nullable=True),
            "state": pa.Column(str, pa.Check.isin(STATES)),
            "kind": pa.Column(str, pa.Check.isin(["count", "signed", "money"])),
        },
        strict=False,
        coerce=False,
    )
