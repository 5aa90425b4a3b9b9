"""Duplicate cells and duplicate reports.

A canonical file giving one cell twice (X011 naming both rows, in either order); two
different reports of one body and year (Y009 naming both files, in any argument order); the
same file twice, or one report in two forms, is not two reports.
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
    _canonical_frame,
    _html_with_cell,
    _seed_with_cell,
    _titled,
)


def test_a_cell_given_twice_is_a_finding_naming_both_rows(tmp_path):
    import pandas as pd

    df = _canonical_frame(tmp_path)
    at = (df.table == "t3") & (df.row_code == "results.total") & (df.column_code == "total")
    dup = df[at].copy()
    dup["value"], dup["raw"] = 5.0, "5"
    for order in ("first", "last"):
        both = pd.concat([df, dup] if order == "first" else [dup, df], ignore_index=True)
        p = tmp_path / f"dup_{order}.csv"
        both.to_csv(p, index=False, encoding="utf-8-sig")
        f = check_paths([p]).files[0]
        x = [x for x in f.findings if x["rule"] == "X011"]
        assert [(x["table_code"], x["row_code"], x["column_code"]) for x in x] == [("t3", "results.total", "total")]
        rows = sorted(int(n) for n in re.findall(r"第 (\d+) 行", x[0]["message"]))
        first, second = (int(df.index[at][0]) + 2, len(df) + 2) if order == "first" else (2, int(df.index[at][0]) + 3)
        assert rows == [first, second], x[0]["message"]
        assert f.status == "failed"


def test_same_body_and_year_twice_is_a_finding_naming_both_files_in_any_order(tmp_path):
    a, b, nxt = tmp_path / "a_2020.txt", tmp_path / "b_2020_draft.txt", tmp_path / "c_2021.txt"
    a.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    # the draft differs from the final report in 上年结转 … which would change Y001 for 2021
    b.write_text(_titled("台前县人民政府", 2020, _seed_with_cell("5")), encoding="utf-8")
    nxt.write_text(_titled("台前县人民政府", 2021), encoding="utf-8")
    seen = set()
    for order in ([a, b, nxt], [nxt, b, a], [b, nxt, a]):
        result = check_paths(order)
        by = {Path(f.path).name: f for f in result.files}
        for mine, other in ((a, b), (b, a)):
            dup = [x for x in by[mine.name].findings if x["rule"] == "Y009"]
            assert len(dup) == 1 and dup[0].params["others"] == str(other), order
        # what 2021 is told does not depend on the order of the arguments
        verdict = tuple(sorted((x["rule"], x.get("row_code"), x.get("column_code"), x["message"])
                               for x in by[nxt.name].findings))
        seen.add(verdict)
    assert len(seen) == 1


def test_the_same_file_twice_is_not_two_reports(tmp_path):
    a = tmp_path / "a_2020.txt"
    a.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    result = check_paths([a, a])
    assert not [x for f in result.files for x in f.findings if x["rule"] == "Y009"]


def test_one_report_in_two_forms_is_not_two_reports(tmp_path):
    """The same cells from a page and its text copy: one report, no Y009."""
    a = tmp_path / "a_2020.txt"
    a.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    b = tmp_path / "a_2020.html"
    b.write_bytes(_html_with_cell("4"))
    result = check_paths([a, b])
    assert not [x for f in result.files for x in f.findings if x["rule"] == "Y009"]
