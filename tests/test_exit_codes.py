"""Exit codes 0-4 as users see them, the rule catalogue failing closed, --fail-on, --exit-zero."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from validator import rules as rules_mod
from validator.cli import main

from .conftest import SAMPLES

CLEAN = str(SAMPLES / "taiqian_2020.txt")
WRONG = str(SAMPLES / "taiqian_2020_changed_cell.txt")
BLANK = str(SAMPLES / "taiqian_2020_blank_total.txt")  # warnings only


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def builtin(tmp_path, monkeypatch):
    """A copy of the built-in rules the loader reads instead of the real ones."""
    d = tmp_path / "builtin_rules"
    shutil.copytree(rules_mod.builtin_dir(), d)
    monkeypatch.setattr(rules_mod, "builtin_dir", lambda: d)
    rules_mod.load.cache_clear()
    yield d
    rules_mod.load.cache_clear()


def _one_line(r, name: str):
    assert r.exit_code == 4, r.output
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in r.output


def test_codes_for_clean_wrong_unreadable(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run("check", CLEAN).exit_code == 0
    assert run("check", WRONG).exit_code == 1
    assert run("check", WRONG, str(empty)).exit_code == 2


@pytest.mark.parametrize("args", [["check", CLEAN, "--format", "nope"], ["check", CLEAN, "--bogus"],
                                  ["check"], ["check", CLEAN, "--time-budget", "-1"],
                                  ["check", CLEAN, "--time-budget", "nan"], ["check", CLEAN, "--time-budget", "inf"],
                                  ["check", CLEAN, "--year", "1999"], ["check", CLEAN, "--jobs", "-2"],
                                  ["check", CLEAN, "--severity", "T301=fatal"], ["check", CLEAN, "--severity", "Z999=info"],
                                  ["check", CLEAN, "--format", "json", "--format", "sarif"], ["explain", "Z999"]])
def test_usage_errors_exit_4(args):
    r = run(*args)
    assert r.exit_code == 4 and "Traceback" not in r.output, (args, r.output)


def test_output_into_a_missing_directory_is_a_clear_error(tmp_path):
    r = run("check", CLEAN, "--format", f"json={tmp_path / 'no' / 'such' / 'r.json'}")
    _one_line(r, "不存在")


@pytest.mark.parametrize("damage", ["missing", "broken", "empty", "not-a-list", "bad-code"])
def test_a_damaged_builtin_catalogue_fails_closed(builtin, damage):
    target = builtin / "t4.yaml"
    if damage == "missing":
        target.unlink()
    elif damage == "broken":
        target.write_text("rules:\n  - id: T401\n    title: [broken\n", encoding="utf-8")
    elif damage == "empty":
        target.write_text("", encoding="utf-8")
    elif damage == "not-a-list":
        target.write_text("rules: 3\n", encoding="utf-8")
    else:
        target.write_text(target.read_text(encoding="utf-8").replace("assert: total ==", "assert: totl ==", 1), encoding="utf-8")
    for args in (["check", WRONG], ["rules"], ["--version"]):
        _one_line(run(*args), "t4.yaml")


def test_no_builtin_rules_at_all_fails_closed(builtin):
    for f in builtin.glob("*.yaml"):
        f.unlink()
    _one_line(run("check", CLEAN), "缺失")


def test_a_broken_user_rule_file_fails_closed(tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "x.yaml").write_text("rules:\n  - id: Z001\n    title: [broken\n", encoding="utf-8")
    _one_line(run("check", CLEAN, "--rules", str(d)), str(d / "x.yaml"))
    (tmp_path / "empty").mkdir()
    _one_line(run("check", CLEAN, "--rules", str(tmp_path / "empty")), "empty")


def test_version_names_the_rule_set_and_outputs_record_it(tmp_path):
    r = run("--version")
    ruleset = rules_mod.ruleset_version(rules_mod.load())
    assert r.exit_code == 0 and "0.1.0" in r.output and ruleset in r.output
    data = json.loads(run("check", WRONG, "--format", "json").output)
    assert data["tool"]["ruleset"] == ruleset
    # a severity override changes the rule set that judged the report
    data = json.loads(run("check", WRONG, "--format", "json", "--severity", "T301=warning").output)
    assert data["tool"]["ruleset"] != ruleset


def test_fail_on_and_exit_zero():
    assert run("check", BLANK).exit_code == 0
    r = run("check", BLANK, "--fail-on", "warning", "--format", "json")
    assert r.exit_code == 1 and json.loads(r.output)["files"][0]["status"] == "failed"
    assert run("check", WRONG, "--exit-zero").exit_code == 0
    assert run("check", WRONG, "--severity", "T301=info", "--severity", "T302=info", "--severity", "T303=info").exit_code == 0


def test_check_help_describes_every_option_in_chinese():
    import re

    out = run("check", "--help").output
    options = [line for line in out.splitlines() if line.startswith("  -")]
    assert options and all(re.search(r"[\u4e00-\u9fff]", line) for line in options), options


def test_builtin_files_list_is_the_rules_directory():
    from .conftest import ROOT

    assert sorted(rules_mod.BUILTIN_FILES) == sorted(p.name for p in (ROOT / "rules").glob("*.yaml"))
