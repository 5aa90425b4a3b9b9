"""Bombs in canonical and XLSX form, and the findings cap.

Files small on disk that would cost memory or time: XLSX with a million empty styled
cells, rows padded far to the right, merged ranges (read lazily, counted before openpyxl);
canonical CSV/JSON/Parquet past the size or row limit (Parquet metadata checked before any
data, JSON records counted before the file is parsed), a huge CSV header; a file with
thousands of findings (capped, X014). Each ends unreadable with the reason, or bounded.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lhtml
from rich.console import Console

from validator.outputs import FORMATS, module
from validator.outputs import console as console_out
from validator.outputs.safe import FORMULA_START, csv_cell, markup, terminal
from validator.run import check_paths

from ..cli import invoke
from ..conftest import ROOT, SEED

from .hostile import (  # noqa: F401
    SEED_TEXT,
    _canonical_frame,
    _far_right_xlsx,
    _styled_cells_xlsx,
)


def test_parquet_metadata_is_checked_before_the_data(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from validator import canonical

    df = _canonical_frame(tmp_path)
    p = tmp_path / "cells.parquet"
    df.to_parquet(p, index=False)
    read = []
    monkeypatch.setattr(pq.ParquetFile, "read", lambda *a, **k: read.append(1))
    monkeypatch.setattr(canonical, "MAX_ROWS", len(df) - 1)
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "行的上限" in f.reason and not read
    monkeypatch.setattr(canonical, "MAX_ROWS", 10 ** 6)
    monkeypatch.setattr(canonical, "MAX_PARQUET_BYTES", 1000)
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "解压后超过" in f.reason and not read


def test_canonical_csv_row_limit_and_size_limit(tmp_path, monkeypatch):
    import validator.readers as readers
    from validator import canonical

    df = _canonical_frame(tmp_path)
    p = tmp_path / "cells.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    monkeypatch.setattr(canonical, "MAX_ROWS", 100)
    assert "行的上限" in check_paths([p]).files[0].reason
    monkeypatch.setattr(canonical, "MAX_ROWS", 10 ** 6)
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    assert "文件过大" in check_paths([p]).files[0].reason


def test_findings_are_capped_per_file_with_one_finding_saying_how_many_more(tmp_path):
    from validator import run

    rows = "".join(f"未知行{i}\t1\t2\t3\t4\t5\t6\t7\n" for i in range(run.MAX_FINDINGS + 500))
    p = tmp_path / "many.txt"
    p.write_text(SEED_TEXT.replace("(六) 其他处理\t", rows + "(六) 其他处理\t", 1), encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text(SEED_TEXT, encoding="utf-8")
    result = check_paths([p, good], keep_cells=True)
    f = result.files[0]
    assert len(f.findings) == run.MAX_FINDINGS + 1
    cap = f.findings[-1]
    assert cap["rule"] == "X014" and cap["evidence"]["more"] >= 500
    assert result.files[1].status == "passed"
    page = module("html").render(result)
    assert page.count('class="sev-') <= 2 * (run.MAX_FINDINGS + 1) + 20  # the HTML is bounded too


def test_xlsx_cell_limit_counts_empty_styled_cells_before_openpyxl(tmp_path, monkeypatch):
    import openpyxl

    from validator.readers import sheet

    monkeypatch.setattr(sheet, "MAX_CELLS", 20_000)
    loaded = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: loaded.append(1) or real(*a, **k))
    p = tmp_path / "styled.xlsx"
    p.write_bytes(_styled_cells_xlsx(30_000))
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "单元格超过" in f.reason, (f.status, f.reason)
    assert not loaded


def test_xlsx_rows_padded_far_to_the_right_count_against_the_cell_limit(tmp_path, monkeypatch):
    from validator.readers import sheet

    monkeypatch.setattr(sheet, "MAX_CELLS", 20_000)
    p = tmp_path / "far.xlsx"
    p.write_bytes(_far_right_xlsx(200))  # 200 stored cells, 3.3 million positions
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "单元格超过" in f.reason, (f.status, f.reason)


def test_xlsx_with_merged_cells_is_read_lazily(tmp_path, monkeypatch):
    """The seed workbook (its merged ranges as the official layout has them) is read in
    openpyxl's read-only mode, which makes no cell object until it is read, and gives the
    seed's verdict; a workbook of styled blanks with one merge is read the same way."""
    import openpyxl

    modes = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: modes.append(k.get("read_only")) or real(*a, **k))
    seed = ROOT / "tests" / "fixtures" / "taiqian_2020.xlsx"
    assert real(seed).active.merged_cells.ranges  # the fixture has merges
    f = check_paths([seed]).files[0]
    assert f.status == "passed" and not [x for x in f.findings if x.severity != "info"]
    p = tmp_path / "styled.xlsx"
    p.write_bytes(_styled_cells_xlsx(5000))  # under the limit, with a merged range
    assert check_paths([p]).files[0].status == "unreadable"  # no report in it, but read
    assert modes and all(modes), modes


def test_canonical_json_records_are_counted_before_the_file_is_parsed(tmp_path, monkeypatch):
    import pandas as pd

    from validator import canonical

    p = tmp_path / "cells.json"
    records = _canonical_frame(tmp_path).to_json(orient="records", force_ascii=False)
    bomb = records[:-1] + ",{}" * 20_000 + "]"  # the canonical records, then many empty ones
    p.write_text(bomb, encoding="utf-8")
    parsed = []
    real = pd.read_json
    monkeypatch.setattr(pd, "read_json", lambda *a, **k: parsed.append(1) or real(*a, **k))
    monkeypatch.setattr(canonical, "MAX_ROWS", 10_000)
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "行的上限" in f.reason and not parsed, f.reason
    p.write_text(records, encoding="utf-8")  # the same records without the bomb: read
    assert check_paths([p]).files[0].status == "passed"


def test_canonical_csv_with_a_huge_header_keeps_only_its_columns(tmp_path):
    """A canonical CSV whose header adds 100,000 unknown columns is read as its known
    columns (the same verdict), not as a frame of 100,000 columns."""
    df = _canonical_frame(tmp_path)
    p = tmp_path / "wide.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    lines = p.read_text(encoding="utf-8-sig").splitlines()
    extra = "".join(f",x{i}" for i in range(100_000))
    p.write_text("\n".join([lines[0] + extra] + lines[1:]) + "\n", encoding="utf-8-sig")
    f = check_paths([p]).files[0]
    assert f.status == "passed", (f.status, f.reason)
