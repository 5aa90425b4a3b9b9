"""Injection strings in every text position × every output format.

Hostile text (spreadsheet formulas, terminal and OSC escapes, rich markup, HTML, XML,
JSON constants, bidi overrides; the known attack strings and hypothesis-generated text) as the
issuing body, a 表三 cell's text and an extra row's label of the seed, rendered in every
output format: nothing is interpreted by the program that opens the output (one verdict
line per file, no control character on the console, every CSV cell a number or inert text,
strict JSON, well-formed XML, no script or handler in the HTML), and the canonical CSV export
is neutralised for spreadsheets yet reads back the same.
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
    ATTACKS,
    PAYLOADS,
    SETTINGS,
    _assert_safe,
    _cli,
    _render_all,
    _report_with,
)


def _inert(workdir: Path, payloads: list[str]) -> None:
    """Each payload in its own report, all checked in one batch and rendered in every format."""
    paths = []
    for k, payload in enumerate(payloads):
        paths.append(workdir / f"report{k}.txt")
        paths[-1].write_text(_report_with(payload), encoding="utf-8")
    result = check_paths(paths, keep_cells=True)
    for f in result.files:
        assert f.status != "unreadable", f.reason
    outputs = _render_all(result)
    _assert_safe(outputs, len(payloads))
    # and the text is still there for people to read: in JSON as the reader found it (unless
    # it holds a line break, \r, \x0c, \u2028 …, which splits it over two lines of the report)
    data = json.loads(outputs["json"])
    for payload, f in zip(payloads, data["files"]):
        if "".join(payload.splitlines()) == payload:
            assert any(payload.strip() in x["message"] for x in f["findings"]), payload


@settings(SETTINGS, max_examples=10)
@given(payloads=st.lists(PAYLOADS, min_size=1, max_size=4))
def test_injection_in_every_text_position_is_inert_in_every_format(workdir, payloads):
    """Hypothesis: up to four payloads per example (about as many as one per example
    before, for fewer checks)."""
    _inert(workdir, payloads)


def test_known_attack_strings(workdir):
    """The same property for every attack string, all in one batch (the hypothesis test samples them)."""
    _inert(workdir, ATTACKS)


def test_safe_helpers():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("@x") == "'@x" and csv_cell("\tx") == "'\tx"
    assert csv_cell(-3.0) == -3.0 and csv_cell("-3") == "-3" and csv_cell("-3.5") == "-3.5" and csv_cell(None) == ""
    assert terminal("a\x1b[31mb\nc") == "a\\x1b[31mb\\nc"
    assert markup("[bold]x[/]") == "\\[bold]x\\[/]"
    Console(file=io.StringIO()).print(markup("[/][link=x]"))  # no MarkupError


def test_canonical_csv_is_neutralised_for_spreadsheets_and_reads_back_the_same(tmp_path):
    path = tmp_path / "=HYPERLINK(1).txt"
    path.write_text(_report_with("=1+1"), encoding="utf-8")
    out = tmp_path / "cells.csv"
    proc = _cli("extract", path, "-o", out)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell or cell[0] not in FORMULA_START or re.fullmatch(r"-?[0-9.]+", cell), cell
    a, b = check_paths([path]), check_paths([out])
    key = lambda r: sorted(str((x["rule"], x["row_code"], x["column_code"], x["message"])) for x in r.files[0].findings)
    assert key(a) == key(b)
