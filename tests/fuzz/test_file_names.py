"""Odd file names.

File names carrying attack strings, newlines (which must not forge verdict lines) and
bytes that are not UTF-8: shown escaped in every format, one verdict line per file.
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
    _assert_safe,
    _render_all,
)


@pytest.mark.parametrize("name", [
    "=HYPERLINK(1).txt", "-cmd.txt", "[bold]x[", "x\n✔ forged.txt 通过", "a\x1b]0;pwned\x07b.txt", "\u202etxt.exe",
    "ok\rforged.txt",
])
def test_hostile_file_names_are_inert_in_every_format(workdir, name):
    path = workdir / name
    path.write_text(SEED_TEXT, encoding="utf-8")
    empty = workdir / (name + ".empty")
    empty.write_bytes(b"")
    result = check_paths([path, empty], keep_cells=True)
    _assert_safe(_render_all(result), 2)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse undecodable names")
def test_undecodable_file_name_is_shown_escaped(workdir):
    """A name that is not UTF-8 (a GBK name on a UTF-8 system): every format carries it as \\xNN."""
    raw = os.fsencode(workdir) + b"/\xc4\xea\xb6\xc8\xb1\xa8\xb8\xe6.txt"  # 年度报告 in GBK
    with open(raw, "wb") as f:
        f.write(SEED_TEXT.encode("utf-8"))
    result = check_paths([Path(os.fsdecode(raw))], keep_cells=True)
    outputs = _render_all(result)
    _assert_safe(outputs, 1)
    for name, text in outputs.items():
        text.encode("utf-8")  # every output can be written
        assert re.search(r"\\+xc4\\+xea|%C4%EA", text), name
    proc = invoke("check", os.fsdecode(raw))  # in-process (tests/cli.py): the argument as the shell passes it
    assert proc.returncode == 0, proc.stderr
    assert "\\xc4\\xea" in proc.stdout
