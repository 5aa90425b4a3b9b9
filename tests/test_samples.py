"""The CLI over every bundled sample: the seed passes, each variant gives the finding it was made for."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from validator.cli import main

from .conftest import ROOT, SAMPLES

EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_samples_are_generated_by_the_script(tmp_path):
    """The committed variants are exactly what samples/make_variants.py writes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("mv", SAMPLES / "make_variants.py")
    mv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mv)
    lines = (SAMPLES / "taiqian_2020.txt").read_text(encoding="utf-8").split("\n")
    for name, v in mv.VARIANTS.items():
        committed = (SAMPLES / f"taiqian_2020_{name}.txt").read_text(encoding="utf-8")
        assert committed == "\n".join(mv.apply(lines, v["edits"])), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_verdict(name):
    exp = EXPECTED[name]
    r = run("check", "--format", "json", str(SAMPLES / name))
    assert r.exit_code == exp["exit"], r.output
    data = json.loads(r.output)
    findings = data["files"][0]["findings"]
    got = {(f["rule"], f["severity"], f["table_code"], f["row_code"], f["column_code"]) for f in findings}
    for want in exp["findings"]:
        assert tuple(want) in got, (want, got)
    if exp["exit"] == 0 and not exp["findings"]:
        assert not [f for f in findings if f["severity"] != "info"]
    if "exit_strict" in exp:
        assert run("check", "--strict", str(SAMPLES / name)).exit_code == exp["exit_strict"]


def test_changed_cell_names_the_cell_in_chinese():
    data = json.loads(run("check", "--format", "json", str(SAMPLES / "taiqian_2020_changed_cell.txt")).output)
    t302 = next(f for f in data["files"][0]["findings"] if f["rule"] == "T302" and f["column_code"] == "natural_person")
    assert all(part in t302["message"] for part in ("表三", "（七）总计", "自然人", "5", "4"))  # in the report's labels
    assert (t302["table"], t302["row"], t302["column"], t302["reported"], t302["expected"]) == ("表三", "（七）总计", "自然人", 5, 4)
    changed = [c for c in t302["cells"] if c["row_code"] == "results.total"]
    assert changed and changed[0]["source"].startswith("第") and changed[0]["raw"] == "5"


def test_blank_total_is_one_finding_with_the_implied_value_and_every_rule():
    data = json.loads(run("check", "--format", "json", str(SAMPLES / "taiqian_2020_blank_total.txt")).output)
    about = [(f["rule"], f["severity"], f["table"], f["row"], f["column"], f["reported"], f["expected"], f["rules"])
             for f in data["files"][0]["findings"] if f["row_code"] == "results.total"]
    assert about == [("B001", "warning", "表三", "（七）总计", "总计", None, 4, ["T301", "T302", "T303"])]


def test_whole_directory_and_summary():
    r = run("check", str(SAMPLES), "--glob", "*.txt")
    assert r.exit_code == 1
    assert f"共 {len(EXPECTED)} 个文件" in r.output


def test_missing_file_exits_2_with_one_line_and_no_traceback():
    p = subprocess.run([sys.executable, "-m", "validator", "check", "does-not-exist.txt"], capture_output=True,
                       text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "200"})
    assert p.returncode == 2
    assert "Traceback" not in p.stderr + p.stdout
    assert p.stderr.strip().splitlines() == ["does-not-exist.txt: 无法读取：文件不存在"]


def test_unreadable_file_does_not_stop_the_batch(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    r = run("check", "--format", "json", str(bad), str(SAMPLES / "taiqian_2020.txt"))
    assert r.exit_code == 2
    data = json.loads(r.output[r.output.index("{"):])
    assert [f["status"] for f in data["files"]] == ["unreadable", "passed"]


def test_output_refuses_to_overwrite_an_input(tmp_path):
    src = tmp_path / "r.txt"
    src.write_bytes((SAMPLES / "taiqian_2020.txt").read_bytes())
    before = src.read_bytes()
    r = run("check", str(src), "--format", "json", "--output", str(src))
    assert r.exit_code != 0 and src.read_bytes() == before


def test_help_is_clear():
    out = run("check", "--help").output
    assert all(f"{code} " in out.split("退出码：")[1] for code in "01234")  # the exit codes are documented
    assert "check" in run("--help").output
