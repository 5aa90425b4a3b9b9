"""Several outputs from one run, each in its platform's own format: GitHub workflow commands,
GitLab Code Quality, SARIF (official schema, a region on every result), JUnit (junit.xsd with
time/timestamp/hostname/file)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from lxml import etree

from validator.cli import main
from validator.rules import load, ruleset_version

from .conftest import SAMPLES
from .test_outputs import _errors, sarif_validator  # noqa: F401  (the official SARIF schema fixture)

SCHEMAS = Path(__file__).resolve().parent / "schemas"
FORMATS = ("json", "sarif", "junit", "github", "gitlab", "csv", "html")
# GitLab's documented Code Quality fields (docs.gitlab.com, "Code Quality report format")
GITLAB = {
    "type": "array",
    "items": {"type": "object", "required": ["description", "check_name", "fingerprint", "severity", "location"],
              "properties": {"description": {"type": "string"}, "check_name": {"type": "string"},
                             "fingerprint": {"type": "string", "minLength": 1},
                             "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
                             "location": {"type": "object", "required": ["path", "lines"],
                                          "properties": {"path": {"type": "string"},
                                                         "lines": {"type": "object", "required": ["begin"],
                                                                   "properties": {"begin": {"type": "integer",
                                                                                            "minimum": 1}}}}}}},
}


@pytest.fixture(scope="module")
def run(tmp_path_factory, corpus):
    d = tmp_path_factory.mktemp("ci")
    shutil.copy(corpus / "014_huaian_hongze_district_gov_2023.pdf", d / "r014.pdf")
    shutil.copy(SAMPLES / "taiqian_2020_changed_cell.txt", d / "m.txt")
    args = ["check", str(d / "r014.pdf"), str(d / "m.txt"), "--format", "console"]
    for fmt in FORMATS:
        args += ["--format", f"{fmt}={d / ('out.' + fmt)}"]
    r = CliRunner().invoke(main, args)
    return r, {fmt: (d / f"out.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS}


def test_one_run_writes_every_format_with_the_same_verdict(run):
    r, out = run
    assert r.exit_code == 1 and "r014.pdf" in r.stdout and "未通过" in r.stdout  # console on stdout
    data = json.loads(out["json"])
    errors = sorted((Path(f["path"]).name, x["rule"]) for f in data["files"] for x in f["findings"]
                    if x["severity"] == "error")
    sarif_errors = sorted((Path(x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name, x["ruleId"])
                          for x in json.loads(out["sarif"])["runs"][0]["results"] if x["level"] == "error")
    assert errors and errors == sarif_errors
    assert {name for name, _ in errors} == {"r014.pdf", "m.txt"}
    assert ruleset_version(load()) in out["html"] and data["tool"]["ruleset"] == ruleset_version(load())


def test_github_annotations(run):
    _, out = run
    lines = out["github"].splitlines()
    data = json.loads(out["json"])
    assert len(lines) == sum(len(f["findings"]) for f in data["files"])  # one per finding
    parsed = [re.fullmatch(r"::(error|warning|notice) file=([^,]+),line=(\d+),title=([^:]*)::(.+)", line)
              for line in lines]
    assert all(parsed), lines
    by_file = {}
    for m in parsed:
        by_file.setdefault(Path(m[2]).name, []).append((m[1], int(m[3])))
    assert ("error", 1) in by_file["r014.pdf"]  # a PDF has no line: 1
    assert any(level == "error" and line > 1 for level, line in by_file["m.txt"])  # a text report: the cell's line


def test_github_commands_cannot_be_injected():
    from validator.outputs import github
    from validator.run import FileResult, Result

    evil = {"rule": "T301", "severity": "error", "message": "坏\n::error file=x::伪造 100%", "name": "a,b:c",
            "cells": [], "position": None}
    text = github.render(Result([FileResult("a,b.txt", "failed", findings=[evil])]))
    # one line (a command is one line: the forged one stays inside the message), % and newline escaped
    assert text.count("\n") == 0 and text.startswith("::error ") and "坏%0A::error" in text and "100%25" in text
    assert "file=a%2Cb.txt" in text and "title=T301 错误：a%2Cb%3Ac" in text


def test_gitlab_code_quality(run):
    _, out = run
    issues = json.loads(out["gitlab"])
    jsonschema.validate(issues, GITLAB)
    assert len({x["fingerprint"] for x in issues}) == len(issues)  # GitLab tells findings apart by it
    fingerprints = {x["fingerprint"] for f in json.loads(out["json"])["files"] for x in f["findings"]}
    assert {x["fingerprint"] for x in issues} == fingerprints
    assert {(Path(x["location"]["path"]).name, x["severity"]) for x in issues if x["check_name"] == "T401"} == \
        {("r014.pdf", "major")}


def test_sarif_regions_and_fingerprints(run, sarif_validator):  # noqa: F811
    _, out = run
    doc = json.loads(out["sarif"])
    assert _errors(sarif_validator, doc) == []
    results = doc["runs"][0]["results"]
    assert results and all(x["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for x in results)
    assert all(x["partialFingerprints"]["validatorFinding/v1"] for x in results)
    assert doc["runs"][0]["tool"]["driver"]["version"].endswith("+rules." + ruleset_version(load()))


def test_junit_valid_with_time_timestamp_hostname_file(run):
    _, out = run
    root = etree.fromstring(out["junit"].encode("utf-8"))
    assert etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd"))).validate(root)
    suites = root.findall("testsuite")
    assert len(suites) == 2 and all(s.get("timestamp") and s.get("hostname") and s.get("time") for s in suites)
    cases = list(root.iter("testcase"))
    assert cases and all(c.get("time") is not None and c.get("file") for c in cases)
    props = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert props["validator.ruleset"] == ruleset_version(load())


@pytest.mark.parametrize("args", [["--format", "json", "--format", "csv"],  # two on stdout
                                  ["--format", "json=a", "--format", "csv=a"],  # two into one file
                                  ["--format", "json", "--format", "csv", "-o", "x"]])  # -o for which?
def test_ambiguous_format_requests_are_usage_errors(args, tmp_path):
    r = CliRunner().invoke(main, ["check", str(SAMPLES / "taiqian_2020.txt"), *args])
    assert r.exit_code == 4
