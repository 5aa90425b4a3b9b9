"""Messages use the report's labels.

Every message and reason names tables, rows and columns by the template's labels: no
code and no empty slot.
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
    _blank_seed,
    _codes_pattern,
    _seed_with_cell,
)


def test_messages_name_tables_by_their_labels_and_leave_no_empty_slot(tmp_path):
    """Every message and reason of a batch of seed variants (the samples, an unknown 表三 row
    (S005), odd values in every table) names tables, rows and columns by the template's
    labels: no code (t3, natural_person, results.granted …) and no empty （） where a
    parameter was missing."""
    variants = {"unknown_row.txt": SEED_TEXT.replace("(六) 其他处理\t", "（八）其他情形\t1\t0\t0\t0\t0\t0\t1\n(六) 其他处理\t", 1),
                "values.txt": _seed_with_cell("1e309"), "ambiguous.txt": _seed_with_cell("8 8"),
                "blank.txt": _blank_seed()}
    for name, text in variants.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = sorted((ROOT / "samples").glob("*.txt")) + sorted(tmp_path.glob("*.txt"))
    result = check_paths(paths)
    codes = _codes_pattern()
    texts = [(f.path, x.rule, x.message) for f in result.files for x in f.findings]
    texts += [(f.path, "reason", f.reason) for f in result.files if f.reason]
    assert any(rule == "S005" for _, rule, _ in texts)
    for path, rule, text in texts:
        assert not codes.search(text), (path, rule, text)
        assert "（）" not in text and "「」" not in text, (path, rule, text)
