"""Every class in one batch (the issue's "done when").

Hostile and broken files of every class beside good reports, through the CLI with
worker processes: every file gets its result, exit 0/1/2 only, no traceback, no input
modified.
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
    _TERMINAL_BAD,
    _blank_seed,
    _canonical_frame,
    _cli,
    _assert_safe,
    _digest,
    _far_right_xlsx,
    _html_with_cell,
    _report_with,
    _seed_with_cell,
    _styled_cells_xlsx,
    _titled,
)


def test_a_batch_of_every_class_gives_every_file_a_result(tmp_path):
    """Hostile and broken files of every class above beside good reports, through the CLI
    with worker processes: every file gets its verdict line, no traceback, exit 0/1/2
    only, and no input is modified."""
    import shutil

    d = tmp_path / "batch"
    d.mkdir()
    files = {}

    def put(name: str, data: bytes | str) -> None:
        p = d / name
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        files[name] = p

    put("good.txt", SEED_TEXT)
    put("[bold]=cmd|x.txt", _report_with("\x1b]8;;http://evil\x07[/]=1+1"))
    for i, value in enumerate(["9" * 5000, "1e309", "NaN", "8 8", "2①"]):
        put(f"value_{i}.txt", _seed_with_cell(value))
        put(f"value_{i}.html", _html_with_cell(value))
    put("narrative.txt", SEED_TEXT.replace("共受理政府信息公开申请4件", "共受理政府信息公开申请" + "9" * 5000 + "件"))
    put("blank.txt", _blank_seed())
    put("styled.xlsx", _styled_cells_xlsx(2000))
    put("a_2020.txt", _titled("台前县人民政府", 2020))
    put("b_2020.txt", _titled("台前县人民政府", 2020, _seed_with_cell("5")))
    put("bracket.md", "[台前县]" + _titled("台前县人民政府", 2021))
    df = _canonical_frame(tmp_path)
    bad = df.astype(object)
    bad.loc[bad.index[5], "value"] = "1e400"
    bad.to_csv(d / "bad_cells.csv", index=False, encoding="utf-8-sig")
    files["bad_cells.csv"] = d / "bad_cells.csv"
    df.to_parquet(d / "cells.parquet", index=False)
    files["cells.parquet"] = d / "cells.parquet"
    put("far_right.xlsx", _far_right_xlsx(200))
    put("merged_styled.xlsx", _styled_cells_xlsx(5000))
    put("records.json", df.to_json(orient="records", force_ascii=False)[:-1] + ",{}" * 5000 + "]")
    put("long_cell.html", _html_with_cell("申请人撤回了申请。" * 60))
    put("unknown_row.txt", SEED_TEXT.replace("(六) 其他处理\t", "（八）其他情形\t1\t0\t0\t0\t0\t0\t1\n(六) 其他处理\t", 1))
    for case in sorted((ROOT / "tests" / "fuzz" / "cases").iterdir())[:12]:
        shutil.copy(case, d / case.name)
        files[case.name] = d / case.name
    before = {n: _digest(p) for n, p in files.items()}
    outs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "csv", "html", "junit", "sarif")}
    proc = _cli("check", d, "-j", "2", "-q", *(a for fmt, o in outs.items() for a in ("--format", f"{fmt}={o}")))
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    from validator.run import STATUSES

    doc = json.loads(outs["json"].read_text(encoding="utf-8"), parse_constant=lambda c: pytest.fail(c))
    assert all(f["status"] in STATUSES for f in doc["files"])  # every file its result, every unreadable its reason
    assert all(f["reason"] for f in doc["files"] if f["status"] == "unreadable")
    _assert_safe({"console": proc.stdout, **{fmt: o.read_text(encoding="utf-8") for fmt, o in outs.items()}},
                 n_files=None)
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr, proc.stderr[-2000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln[:2] in ("✔ ", "✘ ", "! ", "- ")]
    lines += [ln for ln in proc.stderr.splitlines() if "无法读取" in ln]  # unreadable files: one line on stderr
    from validator.discover import REPORT_EXTENSIONS

    for name in files:  # every report file found has its verdict or its reason (issue 11: report extensions)
        if Path(name).suffix.lower() in REPORT_EXTENSIONS:
            assert [ln for ln in lines if terminal(name) in ln], name
    assert {n: _digest(p) for n, p in files.items()} == before
    assert not _TERMINAL_BAD.search(proc.stdout + proc.stderr)
