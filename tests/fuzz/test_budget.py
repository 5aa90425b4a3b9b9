"""One budget per file for the whole pipeline; one report's failure is not the batch's.

A file whose checking, localisation or rendering of its findings runs past
``--time-budget`` ends unreadable with the reason, the rest of the batch is checked; an
exception while checking one report, or in the cross-year pass, fails closed with a
result for every file (never exit 3).
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
    BUDGET,
    SEED_TEXT,
    Stall,
    _cli,
    _titled,
)


def test_a_failing_check_costs_one_report_not_the_batch(tmp_path, monkeypatch):
    """Exit 3 is unreachable by input: an exception while checking one report makes that
    report unreadable (with the reason), the others are checked."""
    from validator import engine

    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_text(_titled("某县人民政府", 2020), encoding="utf-8")
    good.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    real = engine.CHECKS["extraction"]

    def explode(batch, rule):
        if any(r.body == "某县人民政府" for r in batch.reports):
            raise OverflowError("boom")
        return real.run(batch, rule)

    monkeypatch.setitem(engine.CHECKS, "extraction", engine.Kind("extraction", explode, real.stage, real.cross_year))
    result = check_paths([bad, good])
    assert [f.status for f in result.files] == ["unreadable", "passed"]
    assert "核对该报告时出错" in result.files[0].reason and result.exit_code == 2


def test_a_failing_cross_year_check_fails_closed_with_a_result_for_every_file(tmp_path, monkeypatch):
    from validator import engine

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    b.write_text(_titled("台前县人民政府", 2021), encoding="utf-8")
    real = engine.CHECKS["year_gap"]

    def explode(batch, rule):
        raise ValueError("boom")

    monkeypatch.setitem(engine.CHECKS, "year_gap", engine.Kind("year_gap", explode, real.stage, real.cross_year))
    result = check_paths([a, b])
    assert [f.status for f in result.files] == ["unreadable", "unreadable"] and result.exit_code == 2
    assert all("跨年度核对时出错" in f.reason for f in result.files)


@pytest.mark.parametrize("stage", ["checking", "localisation", "rendering"])
def test_the_time_budget_covers_every_stage_of_a_file(tmp_path, monkeypatch, stage):
    """A file that reads in time but whose checking, localisation (the suggested fix) or the
    rendering of its findings runs past its budget ends unreadable with the reason; the
    other file of the batch is checked as usual."""
    from validator import engine, finding, fixes

    stall = Stall()
    slow, good = tmp_path / "slow.txt", tmp_path / "good.txt"
    slow.write_text((ROOT / "samples" / "taiqian_2020_changed_cell.txt").read_text(encoding="utf-8"),
                    encoding="utf-8")  # errors, so the localiser runs, and findings to render
    good.write_text(SEED_TEXT, encoding="utf-8")
    if stage == "checking":
        real = engine.CHECKS["extraction"]

        def check(batch, rule):
            if any(r.path.endswith("slow.txt") for r in batch.reports):
                stall()
            return real.run(batch, rule)

        monkeypatch.setitem(engine.CHECKS, "extraction", engine.Kind("extraction", check, real.stage, real.cross_year))
    elif stage == "localisation":
        monkeypatch.setattr(fixes, "localize_report", stall)
    else:
        real_dict = finding.Finding.to_dict
        monkeypatch.setattr(finding.Finding, "to_dict",
                            lambda self: stall() if self.severity == "error" else real_dict(self))
    result = check_paths([slow, good], budget=BUDGET)
    bad, ok = result.files
    assert bad.status == "unreadable" and "超时" in bad.reason and f"{BUDGET:g} 秒" in bad.reason, bad.reason
    assert not bad.findings
    assert ok.status == "passed" and result.exit_code == 2
    assert stall.left and all(0 < t <= BUDGET for t in stall.left)  # each stall was under the file's timer
    if stage == "localisation":  # without a budget the same file is checked in full
        monkeypatch.undo()
        assert check_paths([slow], budget=None).files[0].status == "failed"


def test_the_budget_option_reaches_the_later_stages(tmp_path, monkeypatch):
    """``--time-budget`` through the CLI: the slow stage ends the file unreadable (exit 2,
    one line naming the file), never a hang or a traceback."""
    from validator import fixes
    from validator.run import TIME_BUDGET

    stall = Stall()
    slow = tmp_path / "slow.txt"
    slow.write_text((ROOT / "samples" / "taiqian_2020_changed_cell.txt").read_text(encoding="utf-8"),
                    encoding="utf-8")
    monkeypatch.setattr(fixes, "localize_report", stall)
    proc = _cli("check", slow, "--time-budget", str(BUDGET), "--format", "json")
    assert proc.returncode == 2, proc.stderr
    f = json.loads(proc.stdout)["files"][0]
    assert f["status"] == "unreadable" and "超时" in f["reason"], f
    assert "slow.txt" in proc.stderr and "Traceback" not in proc.stderr
    assert stall.left and all(0 < t <= BUDGET < TIME_BUDGET for t in stall.left)  # timed by the option, not the default
