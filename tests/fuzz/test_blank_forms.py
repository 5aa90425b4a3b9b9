"""Blank forms.

The official form with no numbers (empty, dashes, XLSX, canonical): never a pass, X013.
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
    _TABLE_NUMBER,
    _blank_seed,
    _blank_xlsx,
    _canonical_frame,
)


@pytest.mark.parametrize("form", ["text", "dashes", "xlsx", "canonical"])
def test_a_blank_form_does_not_pass(tmp_path, form):
    if form == "text":
        p = tmp_path / "blank.txt"
        p.write_text(_blank_seed(), encoding="utf-8")
    elif form == "dashes":
        p = tmp_path / "dashes.txt"
        p.write_text(_TABLE_NUMBER.sub("/", SEED_TEXT.split("三、收到和处理")[0]) + "三、收到和处理"
                     + _TABLE_NUMBER.sub("/", SEED_TEXT.split("三、收到和处理")[1]), encoding="utf-8")
    elif form == "xlsx":
        p = tmp_path / "blank.xlsx"
        p.write_bytes(_blank_xlsx())
    else:
        df = _canonical_frame(tmp_path)
        cells = df.table.isin(["t2", "t3", "t4"])
        df.loc[cells, "state"], df.loc[cells, "value"], df.loc[cells, "raw"] = "blank", None, ""
        p = tmp_path / "blank.csv"
        df.to_csv(p, index=False, encoding="utf-8-sig")
    f = check_paths([p]).files[0]
    assert f.status == "failed", (form, f.status, f.reason, [x["rule"] for x in f.findings])
    assert "X013" in [x["rule"] for x in f.findings if x["severity"] == "error"], form
