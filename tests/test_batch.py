"""Batch runs: parallel workers give the same results as in-process reading; a per-file
time budget turns a file that takes too long into an unreadable result, not a hang."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from validator.cli import main
from validator.run import check_paths

from .conftest import SAMPLES


def _batch(tmp_path, copies=4):
    paths = []
    for k in range(copies):
        for src in sorted(SAMPLES.glob("*.txt")):
            dst = tmp_path / f"{k}_{src.name}"
            shutil.copyfile(src, dst)
            paths.append(dst)
    return paths


def _summary(result):
    return [(f.path, f.status, sorted((x["rule"], x["severity"], x["row_code"], x["column_code"]) for x in f.findings))
            for f in result.files]


def test_parallel_equals_sequential(tmp_path):
    paths = _batch(tmp_path, copies=2)
    seq = check_paths(paths, jobs=1)
    par = check_paths(paths, jobs=2, chunk=4)  # several chunks (three of 4 files), two workers
    assert _summary(par) == _summary(seq)
    assert par.exit_code == seq.exit_code == 1


def test_time_budget_makes_a_slow_file_unreadable(tmp_path):
    paths = _batch(tmp_path, copies=1)
    res = check_paths(paths[:2], jobs=1, budget=1e-6)
    assert [f.status for f in res.files] == ["unreadable", "unreadable"]
    assert all("读取超时" in f.reason for f in res.files)
    assert res.exit_code == 2


def test_cli_jobs_option(tmp_path):
    paths = _batch(tmp_path, copies=1)
    one = CliRunner().invoke(main, ["check", "--format", "json", "-j", "1", *map(str, paths)])
    two = CliRunner().invoke(main, ["check", "--format", "json", "-j", "2", *map(str, paths)])
    assert one.exit_code == two.exit_code == 1
    assert json.loads(one.output)["files"] == json.loads(two.output)["files"]
