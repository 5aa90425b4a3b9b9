"""Fingerprints: stable across reruns, renames, formats and changes elsewhere in the report;
different when a value the rule judged changes."""
from __future__ import annotations

import json
import re
import shutil

from validator.fingerprint import PATTERN
from validator.run import check_paths

from .cli import invoke
from .variants import ELSEWHERE, JUDGED, variant


def _fps(path, severity=None):
    [f] = check_paths([path]).files
    return {(x["rule"], x["fingerprint"]) for x in f.findings if severity is None or x["severity"] == severity}


def test_every_finding_has_a_distinct_fingerprint(tmp_path):
    m = variant(tmp_path / "m1.txt", {JUDGED: "5"})
    [f] = check_paths([m]).files
    fps = [x["fingerprint"] for x in f.findings]
    assert {x["rule"] for x in f.findings if x["severity"] == "error"} == {"T301", "T302", "T303"}
    assert all(PATTERN.fullmatch(fp) for fp in fps)
    assert len(set(fps)) == len(fps)
    assert len({fp.split("-")[0] for fp in fps}) == 1  # one report, one identity part


def test_stable_across_reruns_renames_and_changes_elsewhere(tmp_path):
    m1 = variant(tmp_path / "m1.txt", {JUDGED: "5"})
    moved = tmp_path / "elsewhere" / "另一个名字.txt"
    moved.parent.mkdir()
    shutil.copy(m1, moved)
    m2 = variant(tmp_path / "m2.txt", {JUDGED: "5", ELSEWHERE: "9"})
    first = _fps(m1)
    assert _fps(m1) == first
    assert _fps(moved) == first
    both = _fps(m2)
    assert first < both  # the 表三 findings keep their fingerprints; the new 表四 error is new
    assert {rule for rule, _ in both - first} == {"T401"}


def test_changes_when_the_judged_value_changes(tmp_path):
    m1 = variant(tmp_path / "m1.txt", {JUDGED: "5"})
    m3 = variant(tmp_path / "m3.txt", {JUDGED: "6"})
    e1, e3 = _fps(m1, "error"), _fps(m3, "error")
    assert {r for r, _ in e1} == {r for r, _ in e3} == {"T301", "T302", "T303"}
    assert not e1 & e3
    assert _fps(m1, "info") == _fps(m3, "info")  # 表二's findings did not judge that cell


def test_the_identity_is_body_and_year(tmp_path):
    m1 = variant(tmp_path / "m1.txt", {JUDGED: "5"})
    plain = {x["fingerprint"] for f in check_paths([m1]).files for x in f.findings}
    other_body = {x["fingerprint"] for f in check_paths([m1], body="某某县人民政府").files for x in f.findings}
    other_year = {x["fingerprint"] for f in check_paths([m1], year=2021).files for x in f.findings}
    assert not plain & other_body and not plain & other_year and not other_body & other_year


def test_same_fingerprints_from_the_canonical_cells(tmp_path):
    """The same report in another form (its canonical cells) keeps its fingerprints."""
    m1 = variant(tmp_path / "m1.txt", {JUDGED: "5"})
    cells = tmp_path / "cells.csv"
    assert invoke("extract", m1, "-o", cells).returncode == 0
    assert _fps(cells, "error") == _fps(m1, "error")


def test_fingerprint_in_every_format(tmp_path):
    m1 = variant(tmp_path / "m1.txt", {JUDGED: "5"})
    result = check_paths([m1], keep_cells=True)
    fps = {x["fingerprint"] for x in result.files[0].findings}
    from validator.outputs import module

    data = json.loads(module("json").render(result))
    assert {x["fingerprint"] for x in data["files"][0]["findings"]} == fps
    sarif = json.loads(module("sarif").render(result))
    assert {r["partialFingerprints"]["validatorFinding/v1"] for r in sarif["runs"][0]["results"]} == fps
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(module("csv").render(result).lstrip("\ufeff"))))
    assert {r["fingerprint"] for r in rows} == fps
    for fmt in ("junit", "html"):
        found = set(re.findall(PATTERN.pattern, module(fmt).render(result)))
        assert fps <= found, fmt


def test_the_body_as_reports_are_paired(tmp_path):
    """台前县人民政府 and 台前县政府 are one body (validator.identity.body_key): one identity."""
    m1 = variant(tmp_path / "m1.txt", {JUDGED: "5"})
    full = _fps_of(check_paths([m1], body="台前县人民政府"))
    assert full == _fps_of(check_paths([m1], body="台前县政府"))
    assert full != _fps_of(check_paths([m1], body="台前县发展和改革委员会"))


def _fps_of(result):
    return {x["fingerprint"] for f in result.files for x in f.findings}
