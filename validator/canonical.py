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

import io
import json
import re
from io import BytesIO
from pathlib import Path

from .document import Position
from .extract import CellRecord, Report
from .template import TEMPLATE

COLUMNS = ["file", "body", "year", "template", "table", "row_code", "row_label", "column_code", "column_label",
           "value", "raw", "state", "source", "page", "line", "grid_table", "grid_row", "grid_col", "note"]
REQUIRED = {"file", "template", "table", "row_code", "column_code", "value", "raw", "state"}
_POS = (("page", "page"), ("line", "line"), ("grid_table", "table"), ("grid_row", "row"), ("grid_col", "col"))
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")

MAX_ROWS = 1_000_000
"""Most rows a canonical file may have (a report has about 500 cells plus its narrative)."""
MAX_PARQUET_BYTES = 200 * 1024 * 1024
"""Parquet: largest uncompressed size of the data (200 MB), read from the file's metadata
before any data is decoded (like the zip limits of DOCX/XLSX)."""
YEARS = (1990, 2100)
"""Years a canonical file may give (a report year outside is a damaged or hostile file)."""
MAX_POSITION = 10_000_000
"""Largest page, line, table, row or column number in a canonical file."""


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
    if fmt == "csv":  # opened in Excel: text a spreadsheet would run gets a leading ' (read back without it)
        for name in _TEXT:
            df[name] = df[name].map(_protect, na_action="ignore")
        df.to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\r\n")
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


_TEXT = ("file", "body", "row_label", "column_label", "raw", "source", "note")


def _protect(v):
    """Reversible formula neutralisation for canonical CSV: ``'`` before text starting with
    a formula character or with ``'`` itself (so :func:`_unprotect` knows which to strip)."""
    from .outputs.safe import FORMULA_START

    if isinstance(v, str) and v and (v[0] in FORMULA_START or v[0] == "'") and not _PLAIN.fullmatch(v):
        return "'" + v
    return v


def _unprotect(v):
    from .outputs.safe import FORMULA_START

    if isinstance(v, str) and len(v) > 1 and v[0] == "'" and (v[1] in FORMULA_START or v[1] == "'"):
        return v[1:]
    return v


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
        r.period_year = int(raw) if re.fullmatch(r"(19|20)[0-9]{2}", raw.strip()) else None
    elif code in ("title", "year_source", "version_source"):
        setattr(r, code, raw)


def preload() -> None:
    """What reading a canonical file imports, imported ahead of a batch's worker processes
    (validator.run): pandas, pyarrow's Parquet reader and pandera, whose pandas backends are
    registered on its first validation (once instead of per worker)."""
    import pandas as pd
    import pandera.pandas as pa
    import pyarrow.parquet  # noqa: F401

    pa.DataFrameSchema({"state": pa.Column(str)}).validate(pd.DataFrame({"state": ["text"]}))


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


def read(path: Path, data: bytes) -> list[Report]:
    """The reader of the canonical form (:data:`validator.readers.FORMATS`): the reports of a
    canonical file, with their extraction findings. Raises Unreadable; what it does not
    foresee is wrapped once, at the readers' boundary (``readers.parse``).

    The file is within the size limit of every input; then a row limit (Parquet: rows,
    columns and uncompressed size from the metadata, before any data is decoded), then the
    whole frame is validated with its pandera schema (:func:`validate`) before anything is used.
    """
    import pandas as pd

    from .errors import Unreadable
    from .extract import cell_notes

    fmt = sniff(path, data[:4096])
    if fmt == "csv":
        df = pd.read_csv(BytesIO(data), encoding="utf-8-sig", dtype={"raw": str, "template": str, "note": str},
                         keep_default_na=False, nrows=MAX_ROWS + 1, usecols=_csv_columns(data),
                         na_values={"value": [""], "year": [""], "page": [""], "line": [""],
                                    "grid_table": [""], "grid_row": [""], "grid_col": [""]})
        for col in _TEXT:
            if col in df:
                df[col] = df[col].map(_unprotect, na_action="ignore")
        for col in ("raw", "body", "source", "note"):
            if col in df:
                df[col] = df[col].where(df["state"].ne("missing") | df[col].ne(""), None) if col == "raw" else df[col].replace("", None)
    elif fmt == "json":
        _count_json_records(data)
        df = pd.read_json(BytesIO(data), orient="records", dtype={"raw": str, "template": str})
    else:
        df = _read_parquet(data)
    if len(df) > MAX_ROWS:
        raise Unreadable(f"规范化数据超过 {MAX_ROWS:,} 行的上限", f"more than {MAX_ROWS} rows")
    if not REQUIRED <= set(df.columns):
        raise Unreadable(f"规范化数据缺少列：{'、'.join(sorted(REQUIRED - set(df.columns)))}")
    df["template"] = df["template"].astype(str)
    validate(df, fmt)
    try:
        reports = reports_from_frame(df, str(path), fmt)
    except (ValueError, TypeError, KeyError, OverflowError) as e:
        raise Unreadable("规范化数据的内容无法还原为报告", f"{type(e).__name__}: {e}") from None
    for r in reports:  # the findings extraction gives from the cells alone (as extract() does)
        r.notes.extend(cell_notes(r))
    return reports


def _csv_columns(data: bytes):
    """The canonical columns a CSV's header names, the header read once with the csv module:
    pandas calls a ``usecols`` function once per column per row (slow for a hostile header
    of many columns), a list it matches once. Past the csv module's field limit (a hostile header),
    pandas is left to filter with the function."""
    import csv

    rows = csv.reader(io.TextIOWrapper(BytesIO(data), encoding="utf-8-sig", errors="replace", newline=""))
    try:  # the first line that is not blank (pandas skips blank and whitespace-only lines before it)
        header = next((row for row in rows if row[1:] or row and row[0].strip(" \t")), [])
    except csv.Error:
        return lambda c: c in COLUMNS
    return [c for c in dict.fromkeys(header) if c in COLUMNS]


def _count_json_records(data: bytes) -> int:
    """The records of a canonical JSON file, counted one at a time against :data:`MAX_ROWS`
    before the file is parsed whole: ``[{},{},…]`` cannot make millions of objects."""
    from .errors import Unreadable

    text = data.decode("utf-8-sig")
    decoder, space = json.JSONDecoder(), re.compile(r"\s*")
    i = space.match(text).end()
    if text[i:i + 1] != "[":
        raise ValueError("not a JSON array of records")
    i = space.match(text, i + 1).end()
    n = 0
    while text[i:i + 1] != "]":
        _, i = decoder.raw_decode(text, i)  # one record, then dropped
        n += 1
        if n > MAX_ROWS:
            raise Unreadable(f"规范化数据超过 {MAX_ROWS:,} 行的上限", f"more than {MAX_ROWS} records")
        i = space.match(text, i).end()
        if text[i:i + 1] == ",":
            i = space.match(text, i + 1).end()
        elif text[i:i + 1] != "]":
            raise ValueError(f"expected , or ] at {i}")
    return n


def _read_parquet(data: bytes):
    """A Parquet file's canonical columns, after its metadata is checked against the limits."""
    import pyarrow.parquet as pq

    from .errors import Unreadable
    from .readers import size_text

    with pq.ParquetFile(BytesIO(data)) as f:
        meta = f.metadata
        if meta.num_rows > MAX_ROWS:
            raise Unreadable(f"规范化数据超过 {MAX_ROWS:,} 行的上限", f"{meta.num_rows} rows in the metadata")
        if meta.num_columns > 10 * len(COLUMNS):
            raise Unreadable("规范化数据的列数异常，不是本工具导出的文件", f"{meta.num_columns} columns")
        total = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if total > MAX_PARQUET_BYTES:
            raise Unreadable(f"规范化数据解压后超过 {size_text(MAX_PARQUET_BYTES)} 上限",
                             f"{total} uncompressed bytes in the metadata")
        names = [c for c in COLUMNS if c in f.schema_arrow.names]
        return f.read(columns=names).to_pandas()


_CODES = {(t.code, axis, e.code) for t in TEMPLATE.tables.values()
          for axis, entries in (("row", t.rows), ("column", t.columns)) for e in entries}


def _line(fmt: str, index) -> str:
    """How users find a row of the canonical file: a CSV line (after the header), else a record."""
    return f"第 {int(index) + 2} 行" if fmt == "csv" else f"第 {int(index) + 1} 条记录"


def validate(df, fmt: str = "csv") -> None:
    """Check a canonical frame read from disk with its pandera schema, completely (lazy:
    every failing row is collected): states, template, tables and codes, values (numbers
    where the state says so, finite and within values.MAX_VALUE, empty otherwise), years
    and positions (whole numbers in range). Raise Unreadable naming the first rows and
    what is wrong with them."""
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    from pandera.errors import SchemaErrors

    from .errors import Unreadable
    from .frame import STATES
    from .values import MAX_VALUE

    cells = df["state"].ne("text")
    if not cells.any():
        raise Unreadable("规范化数据中没有任何单元格")

    def numeric(d, col):
        return pd.to_numeric(d[col], errors="coerce") if col in d else pd.Series(np.nan, index=d.index)

    def whole_in(d, col, lo, hi):
        if col in d and is_numeric_dtype(d[col]) and not is_bool_dtype(d[col]):
            # a column read as numbers (as every file this tool writes has them): the same test
            # on its array, without the text form of every number
            v = d[col].to_numpy(dtype=float, na_value=np.nan)
            return pd.Series(np.isnan(v) | (np.isfinite(v) & (v % 1 == 0) & (v >= lo) & (v <= hi)), index=d.index)
        v = numeric(d, col)
        given = d[col].notna() & d[col].astype(str).ne("") if col in d else pd.Series(False, index=d.index)
        return ~given | (v.notna() & np.isfinite(v) & (v % 1 == 0) & v.between(lo, hi))

    known = pa.Check(lambda d: ~d["state"].ne("text") | pd.Series(
        [(t, "row", r) in _CODES and (t, "column", c) in _CODES
         for t, r, c in zip(d["table"], d["row_code"], d["column_code"])], index=d.index),
        name="格式中的行和列", error="表、行或列代码不在格式中")
    number = pa.Check(lambda d: d["state"].ne("number") | (numeric(d, "value").abs() <= MAX_VALUE),
                      name="数值", error=f"state 为 number 但 value 不是绝对值不超过 {MAX_VALUE:,} 的有限数")
    no_value = pa.Check(lambda d: d["state"].eq("number") | d["value"].isna(),
                        name="空值", error="state 不是 number 却给出了 value")
    year = pa.Check(lambda d: whole_in(d, "year", *YEARS), name="年份", error=f"year 不是 {YEARS[0]}–{YEARS[1]} 之间的年份")
    positions = [pa.Check(lambda d, col=col: whole_in(d, col, 0, MAX_POSITION), name=col,
                          error=f"{col} 不是 0–{MAX_POSITION:,} 之间的整数") for col, _ in _POS]
    text = pa.Check(lambda d: pd.Series([v is None or isinstance(v, str) or (isinstance(v, float) and v != v)
                                         for v in d["raw"]], index=d.index), name="文字", error="raw 不是文字")
    schema = pa.DataFrameSchema(
        {
            "state": pa.Column(str, pa.Check.isin([*STATES, "text"]), nullable=False),
            "template": pa.Column(str, pa.Check.isin(list(TEMPLATE.versions))),
            "table": pa.Column(str, pa.Check.isin([*TEMPLATE.tables, "text", "meta"])),
        },
        checks=[known, number, no_value, year, *positions, text], strict=False, coerce=False,
    )
    try:
        with np.errstate(invalid="ignore"):
            schema.validate(df, lazy=True)
    except SchemaErrors as e:
        fc = e.failure_cases
        rows = sorted({int(i) for i in fc["index"].dropna()})[:5]
        what = "；".join(dict.fromkeys(str(x) for x in fc["check"].dropna()))[:200]
        where = "、".join(_line(fmt, i) for i in rows) if rows else "列的类型"
        raise Unreadable(f"规范化数据有误（{where}）：{what}", f"{len(fc)} schema failures") from None


def reports_from_frame(df, source: str, fmt: str = "csv") -> list[Report]:
    """Rebuild reports from a canonical frame (one report per distinct ``file``).

    A cell given twice is never "last one wins": it becomes unreadable, with a note
    (rule X011) naming both rows and what each says."""
    import pandas as pd

    from .values import DUPLICATE

    out = []
    for file, g in df.groupby("file", sort=False, dropna=False):
        first = g.iloc[0]
        year = first.get("year")
        r = Report(path=str(file) if isinstance(file, str) else source, format="canonical",
                   body=first.get("body") if isinstance(first.get("body"), str) else None,
                   year=int(year) if pd.notna(year) else None, year_source="规范化数据",
                   version=str(first["template"]), version_source="规范化数据")
        seen: dict[tuple[str, str, str], int] = {}  # cell -> its index in r.cells
        said: dict[int, list[str]] = {}  # index in r.cells -> what each row giving the cell says
        for index, rec in zip(g.index, g.to_dict("records")):
            pos = {attr: int(rec[name]) for name, attr in _POS if name in rec and pd.notna(rec[name])}
            if rec["state"] == "text":
                _restore_text(r, rec, Position(**pos) if pos else None)
                continue
            raw = rec["raw"] if isinstance(rec["raw"], str) else None
            value = float(rec["value"]) if pd.notna(rec["value"]) else None
            state = rec["state"]
            if raw is None and state in ("blank",):
                raw = ""
            key = (rec["table"], rec["row_code"], rec["column_code"])
            text = f"{_line(fmt, index)}为“{raw if raw is not None else _num(value)}”"
            if key in seen:
                said[seen[key]].append(text)
                continue
            seen[key] = len(r.cells)
            said[len(r.cells)] = [text]
            r.cells.append(CellRecord(rec["table"], rec["row_code"], rec["column_code"], value, raw, state,
                                      Position(**pos) if pos else None,
                                      rec.get("note") if isinstance(rec.get("note"), str) else None))
        for k, texts in said.items():
            if len(texts) > 1:
                c = r.cells[k]
                c.state, c.value, c.note = "invalid", None, f"{DUPLICATE}：{'，'.join(texts[:5])}）"
        out.append(r)
    return out


def _num(v) -> str:
    return "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))
