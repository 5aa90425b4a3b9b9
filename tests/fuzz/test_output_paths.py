"""Outputs never overwrite anything the run reads.

``--output`` / ``--format FMT=PATH`` naming an input, a ``--previous`` file, a rule file,
the reviews file or the config file, by the same name, through ``..``, a symlink or a hard
link: refused (exit 4), the file's hash unchanged; outputs are written by rename.
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
    _aliases,
    _cli,
    _digest,
)


@pytest.mark.parametrize("fmt", ["console", "json", "csv"])
@pytest.mark.parametrize("role", ["input", "previous", "rules", "reviews"])
def test_output_cannot_overwrite_anything_the_run_reads(tmp_path, fmt, role):
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    previous = tmp_path / "prev.txt"
    previous.write_text(SEED_TEXT, encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    rule_file = rules / "extra.yaml"
    rule_file.write_text(  # one real rule: a rule directory without rules is itself a configuration error
        "rules:\n  - id: Z901\n    name: extra\n    title: 额外规则\n    severity: warning\n    table: t4\n"
        "    for_each: row\n    assert: total == upheld + corrected + other + pending\n    message: x\n", encoding="utf-8")
    reviews = tmp_path / "reviews.yaml"
    reviews.write_text("reviews: []\n", encoding="utf-8")
    victim = {"input": report, "previous": previous, "rules": rule_file, "reviews": reviews}[role]
    before = {p: _digest(p) for p in (report, previous, rule_file, reviews)}
    for how, out in _aliases(tmp_path, victim).items():
        proc = _cli("check", report, "--previous", previous, "--rules", rules, "--reviews", reviews,
                    "--format", fmt, "-o", out)
        assert proc.returncode == 4, (how, proc.returncode, proc.stderr)  # a usage error (issue 11)
        assert "拒绝覆盖" in proc.stderr, (how, proc.stderr)
        assert {p: _digest(p) for p in before} == before, how


def test_extract_output_cannot_overwrite_its_input(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    before = _digest(report)
    for how, out in _aliases(tmp_path, report).items():
        proc = _cli("extract", report, "-o", out)
        assert proc.returncode == 4 and "拒绝覆盖" in proc.stderr, (how, proc.stderr)  # a usage error (issue 11)
        assert _digest(report) == before


def test_output_is_written_by_rename(tmp_path):
    """A link to the old output keeps the old content (the new file replaced the name), and no temporary file is left."""
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    os.link(out, tmp_path / "old-link.json")
    proc = _cli("check", report, "--format", "json", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["files"][0]["status"] == "passed"
    assert (tmp_path / "old-link.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old-link.json", "out.json", "report.txt"]


@pytest.mark.parametrize("config", ["--config", "validator.toml", "pyproject.toml"])
def test_output_cannot_overwrite_the_config_file(tmp_path, config):
    """The configuration the run uses (given with --config, or found from the current
    directory: validator.toml, pyproject.toml's [tool.validator]) is protected like an
    input, under every name for it."""
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    name = "settings.toml" if config == "--config" else config
    conf = tmp_path / name
    conf.write_text(("[tool.validator]\n" if name == "pyproject.toml" else "") + "strict = false\n", encoding="utf-8")
    extra = ["--config", conf] if config == "--config" else []
    before = _digest(conf)
    for how, out in _aliases(tmp_path, conf).items():
        proc = _cli("check", report, *extra, "--format", "json", "-o", out, cwd=tmp_path)
        assert proc.returncode == 4 and "拒绝覆盖" in proc.stderr, (how, proc.returncode, proc.stderr)
        assert _digest(conf) == before, how
    ok = _cli("check", report, *extra, "--format", "json", "-o", tmp_path / "out.json", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr  # the same run with another output path is fine
