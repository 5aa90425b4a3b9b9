"""The canonical long form on disk: what ``validator extract`` writes and ``check`` reads back.

One row per cell, with the columns of :data:`COLUMNS` (CSV with UTF-8 BOM, JSON records
or Parquet): ``table`` is t2, t3 or t4. So that ``check`` on an extracted file gives the
same findings as ``check`` on the original, the narrative and what was read about the
document follow the cells, in rows whose ``state`` is ``text``:

* ``table = "text"``: ``row_code`` "heading" (a section heading; ``column_code`` is its
  section code s1…s6) or "paragraph" (``column_code`` is the section it falls under);
  ``raw`` holds the text and ``source`` its position;
* ``table = "meta"``: ``row_code`` title, year_source, version_source, period_year, or
  unknown_row (a table row matching no template row: ``column_code`` its table, ``raw``
  its label).

Analysts who want the numbers only keep ``table in ("t2", "t3", "t4")``.
"""
from __future__ import annotations

import json
from pathlib import Path

from .document import Position
from .extract import CellRecord, Report
from .template import TEMPLATE

COLUMNS = ["file", "body", "year", "template", "table", "row_code", "row_label", "column_code", "column_label",
           "value", "raw", "state", "source", "page", "line", "grid_table", "grid_row", "grid_col", "note"]
REQUIRED = {"file", "template", "table", "row_code", "column_code", "value", "raw", "state"}
_POS = (("page", "page"), ("line", "line"), ("grid_table", "table"), ("grid_row", "row"), ("grid_col", "col"))


def _pos(rec: dict, pos: Position | None) -> dict:
    for name, attr in _POS:
        rec[name] = getattr(pos, attr) if pos is not None else None
    rec["source"] = str(pos) if pos is not None else None
    return rec


def _text_records(r: Report) -> list[dict]:
    base = {"file": r.path, "body": r.body, "year": r.year, "template": r.version, "value": None, "state": "text"}
    out = []
    for code, text, pos in r.sections:
        out.append(_pos({**base, "table": "text", "row_code": "heading", "column_code": code, "raw": text}, pos))
    for text, pos, section in r.paragraphs:
        out.append(_pos({**base, "table": "text", "row_code": "paragraph", "column_code": section or "",
                         "raw": text}, pos))
    for key in ("title", "year_source", "version_source", "period_year"):
        if getattr(r, key) is not None:
            out.append(_pos({**base, "table": "meta", "row_code": key, "column_code": "", "raw": str(getattr(r, key))},
                            None))
    for table, label, pos in r.unknown_rows:
        out.append(_pos({**base, "table": "meta", "row_code": "unknown_row", "column_code": table, "raw": label}, pos))
    return out


def records(reports: list[Report]) -> list[dict]:
    out = []
    for r in reports:
        for c in r.cells:
            rec = {
                "file": r.path, "body": r.body, "year": r.year, "template": r.version, "table": c.table,
                "row_code": c.row, "row_label": TEMPLATE.entry_label(c.table, "row", c.row),
                "column_code": c.column, "column_label": TEMPLATE.entry_label(c.table, "column", c.column),
                "value": c.value, "raw": c.raw, "state": c.state, "source": str(c.pos) if c.pos else None,
                "note": c.note,
            }
            for name, attr in _POS:
                rec[name] = getattr(c.pos, attr) if c.pos is not None else None
            out.append(rec)
        out.extend(_text_records(r))
    return out


def write(reports: list[Report], fmt: str, target) -> None:
    """Write the canonical cells as csv, json or parquet to a path or a binary stream."""
    import pandas as pd

    df = pd.DataFrame(records(reports), columns=COLUMNS)
    for name in ("year", "page", "line", "grid_table", "grid_row", "grid_col"):
        df[name] = df[name].astype("Int64")
    if fmt == "csv":
        df.to_csv(target, index=False, encoding="utf-8-sig")
    elif fmt == "json":
        data = json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1)
        if hasattr(target, "write"):
            target.write(data.encode("utf-8"))
        else:
            Path(target).write_text(data, encoding="utf-8")
    elif fmt == "parquet":
        df.to_parquet(target, index=False)
    else:
        raise ValueError(fmt)


def _restore_text(r: Report, rec: dict, pos: Position | None) -> None:
    kind, code, raw = rec["table"], rec["row_code"], rec["raw"] if isinstance(rec["raw"], str) else ""
    column = rec["column_code"] if isinstance(rec["column_code"], str) and rec["column_code"] else None
    if kind == "text" and code == "heading":
        r.sections.append((column, raw, pos))
    elif kind == "text":
        r.paragraphs.append((raw, pos, column))
    elif code == "unknown_row":
        r.unknown_rows.append((column, raw, pos))
    elif code == "period_year":
        r.period_year = int(float(raw))
    elif code in ("title", "year_source", "version_source"):
        setattr(r, code, raw)


def sniff(path: Path, head: bytes) -> str | None:
    """'csv', 'json' or 'parquet' when the file is in the canonical long form, else None."""
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff").lstrip()
    if text.startswith("[") and '"row_code"' in text and '"column_code"' in text:
        return "json"
    first = text.split("\n", 1)[0]
    if REQUIRED <= {c.strip().strip('"') for c in first.split(",")}:
        return "csv"
    return None


def read(path: Path, fmt: str) -> list[Report]:
    """Read a canonical file back into reports. Raises Unreadable."""
    import pandas as pd

    from .errors import Unreadable

    try:
        if fmt == "csv":
            df = pd.read_csv(path, encoding="utf-8-sig", dtype={"raw": str, "template": str, "note": str},
                             keep_default_na=False, na_values={"value": [""], "year": [""], "page": [""],
                                                               "line": [""], "grid_table": [""], "grid_row": [""],
                                                               "grid_col": [""]})
            for col in ("raw", "body", "source", "note"):
                if col in df:
                    df[col] = df[col].where(df["state"].ne("missing") | df[col].ne(""), None) if col == "raw" else df[col].replace("", None)
        elif fmt == "json":
            df = pd.read_json(path, orient="records", dtype={"raw": str, "template": str})
        else:
            df = pd.read_parquet(path)
    except Exception as e:
        raise Unreadable("规范化数据文件无法解析", f"{type(e).__name__}: {e}") from None
    if not REQUIRED <= set(df.columns):
        raise Unreadable(f"规范化数据缺少列：{'、'.join(sorted(REQUIRED - set(df.columns)))}")
    df["template"] = df["template"].astype(str)
    validate(df)
    try:
        return reports_from_frame(df, str(path))
    except (ValueError, TypeError, KeyError) as e:
        raise Unreadable("规范化数据的内容无法还原为报告", f"{type(e).__name__}: {e}") from None


_CODES = {(t.code, axis, e.code) for t in TEMPLATE.tables.values()
          for axis, entries in (("row", t.rows), ("column", t.columns)) for e in entries}


def validate(df) -> None:
    """Check a canonical frame read from disk with its pandera schema (lazy: every failing
    row is collected); raise Unreadable naming the first rows and what is wrong with them."""
    import pandas as pd
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    from .errors import Unreadable
    from .frame import STATES

    cells = df["state"].ne("text")
    if not cells.any():
        raise Unreadable("规范化数据中没有任何单元格")
    known = pa.Check(lambda d: ~d["state"].ne("text") | pd.Series(
        [(t, "row", r) in _CODES and (t, "column", c) in _CODES
         for t, r, c in zip(d["table"], d["row_code"], d["column_code"])], index=d.index),
        name="格式中的行和列", error="表、行或列代码不在格式中")
    number = pa.Check(lambda d: d["state"].ne("number") | pd.to_numeric(d["value"], errors="coerce").notna(),
                      name="数值", error="state 为 number 但 value 不是数字")
    schema = pa.DataFrameSchema(
        {
            "state": pa.Column(str, pa.Check.isin([*STATES, "text"]), nullable=False),
            "template": pa.Column(str, pa.Check.isin(list(TEMPLATE.versions))),
            "table": pa.Column(str, pa.Check.isin([*TEMPLATE.tables, "text", "meta"])),
        },
        checks=[known, number], strict=False, coerce=False,
    )
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as e:
        fc = e.failure_cases
        rows = sorted({int(i) + 2 for i in fc["index"].dropna()})[:5]
        what = "；".join(dict.fromkeys(str(x) for x in fc["check"].dropna()))[:200]
        where = f"第 {'、'.join(map(str, rows))} 行" if rows else "列的类型"
        raise Unreadable(f"规范化数据有误（{where}）：{what}", f"{len(fc)} schema failures") from None


def reports_from_frame(df, source: str) -> list[Report]:
    """Rebuild reports from a canonical frame (one report per distinct ``file``)."""
    import pandas as pd

    out = []
    for file, g in df.groupby("file", sort=False, dropna=False):
        first = g.iloc[0]
        year = first.get("year")
        r = Report(path=str(file) if isinstance(file, str) else source, format="canonical",
                   body=first.get("body") if isinstance(first.get("body"), str) else None,
                   year=int(year) if pd.notna(year) else None, year_source="规范化数据",
                   version=str(first["template"]), version_source="规范化数据")
        for rec in g.to_dict("records"):
            pos = {attr: int(rec[name]) for name, attr in _POS if name in rec and pd.notna(rec[name])}
            if rec["state"] == "text":
                _restore_text(r, rec, Position(**pos) if pos else None)
                continue
            raw = rec["raw"] if isinstance(rec["raw"], str) else None
            value = float(rec["value"]) if pd.notna(rec["value"]) else None
            state = rec["state"]
            if raw is None and state in ("blank",):
                raw = ""
            r.cells.append(CellRecord(rec["table"], rec["row_code"], rec["column_code"], value, raw, state,
                                      Position(**pos) if pos else None,
                                      rec.get("note") if isinstance(rec.get("note"), str) else None))
        out.append(r)
    return out
