"""The benchmark's corpus builder (benchmarks/bench_corpus.py, issue 8).

Builds N=5 reports into tmp_path and checks that they are what the benchmark claims:
every number written is read back by validator, ``validator check`` gives the intended
exit code and verdict per file (only the reports given a wrong cell fail, on that cell),
and the naive baseline agrees. No timing is asserted here, ever.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_corpus as bc  # noqa: E402

from .cli import invoke  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not bc.TEMPLATE.exists() and os.environ.get("CI"):
        pytest.fail(f"{bc.TEMPLATE} is absent (CI is set, so this is a failure, not a skip)")
    out = tmp_path_factory.mktemp("bench") / "corpus"
    messages: list[str] = []
    meta = bc.build(out, 5, error_rate=0.4, jobs=1, say=messages.append)
    return out, meta, bc.load_reports(out), messages


def test_corpus_layout(built):
    out, meta, specs, messages = built
    assert sorted(p.name for p in out.iterdir()) == sorted(s["name"] for s in specs)
    assert len(specs) == 5 and meta["injected"] == 2 and meta["expected_exit"] == 1
    assert sum(s["expected"] == "failed" for s in specs) == 2
    if bc.TEMPLATE.exists():
        assert meta["counts"] == {"html": 3, "docx": 1, "text": 1}
    else:
        assert meta["counts"] == {"html": 4, "text": 1}
        assert messages and "DOCX skipped" in messages[0]
    assert len({(s["body"], s["year"]) for s in specs}) == 5


def test_numbers_read_back(built):
    out, _, specs, _ = built
    for s in specs:
        assert bc.mismatches(s, bc.read_back(out / s["name"])) == [], s["name"]


def test_validator_check_verdicts(built):
    out, meta, specs, _ = built
    proc = invoke("check", out, "--format", "json", "-j", "1", cwd=ROOT)  # in-process (tests/cli.py)
    assert proc.returncode == meta["expected_exit"] == 1, proc.stderr
    files = {Path(f["path"]).name: f for f in json.loads(proc.stdout)["files"]}
    assert {k: f["status"] for k, f in files.items()} == {s["name"]: s["expected"] for s in specs}
    for s in specs:
        if s["injected"] is None:
            continue
        inj = s["injected"]
        cells = {(c["table_code"], c["row_code"], c["column_code"])
                 for f in files[s["name"]]["findings"] if f["severity"] == "error" for c in f.get("cells", [])}
        assert (inj["table"], inj["row"], inj["column"]) in cells, (s["name"], inj)


def test_naive_baseline_agrees(built):
    import bench_naive

    out, _, specs, _ = built
    for s in specs:
        assert bool(bench_naive.check_one(out / s["name"])) == (s["expected"] == "failed"), s["name"]
