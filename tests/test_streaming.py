"""Large batches keep memory flat (issue 18): the file results of a batch larger than one
chunk are kept out of memory (validator.store.FileStore) and the JSON, CSV, JUnit, SARIF
and HTML outputs are written one file at a time. Both must change nothing a user sees: the
streamed outputs of a spilled batch are byte for byte the outputs of the same batch held
in memory, on the real corpus pages, the fixtures and the samples.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli import invoke

# one xdist worker runs this module (pytest -n with --dist loadgroup, pyproject.toml): its
# module fixtures are built once
pytestmark = pytest.mark.xdist_group("streaming")


ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("json", "csv", "junit", "sarif")


def _inputs(corpus: Path) -> list[Path]:
    """Real reports in every text format the batch path reads (PDFs left out: slow to
    parse, and their results go through the same records)."""
    files = [*sorted(corpus.glob("*.html")), *sorted(corpus.glob("*.md")), corpus / "blank_2021_template.wps.docx",
             *sorted((ROOT / "samples").glob("*.txt")), ROOT / "tests/fixtures/taiqian_2020.html",
             ROOT / "tests/fixtures/taiqian_2020.xlsx", ROOT / "tests/fixtures/multiform/taiqian_2020_from_html.docx"]
    return [p for p in files if p.exists()]


def _whole(fmt: str, result) -> str:
    """The output as one document built in memory, the way it was written before streaming."""
    import csv
    import io

    from lxml import etree

    from validator.outputs import catalogue
    from validator.outputs import csv as out_csv
    from validator.outputs import json as out_json
    from validator.outputs import junit, sarif

    if fmt == "json":
        indent = 2 if len(result.files) <= out_json.INDENTED_FILES else None
        return json.dumps(out_json._clean(out_json.to_dict(result)), ensure_ascii=False, indent=indent,
                          allow_nan=False)
    if fmt == "sarif":
        return json.dumps(out_json._clean(sarif.to_dict(result)), ensure_ascii=False, indent=2, allow_nan=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=out_csv.COLUMNS, lineterminator="\r\n", restval="")
        w.writeheader()
        for row in out_csv.rows(result):
            w.writerow({k: out_csv.csv_cell(v) for k, v in row.items()})
        return out_csv.BOM + buf.getvalue()
    root = etree.Element("testsuites", name="validator")
    totals = [0, 0, 0, 0]
    for f in result.files:
        suite, counts = junit._suite(f, result, catalogue(result), dict(result.disabled))
        root.append(suite)
        totals = [a + b for a, b in zip(totals, counts)]
    for name, n in zip(("tests", "failures", "errors", "skipped"), totals):
        root.set(name, str(n))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode", pretty_print=True)


def _times(text: str) -> str:
    """JUnit's reading times and run timestamp differ between two runs; nothing else may."""
    return re.sub(r' (time|timestamp)="[^"]*"', "", text)


@pytest.fixture(scope="module")
def compact():
    """Past this many files the JSON is the compact one written file by file: the test sets
    the threshold (validator.outputs.json.INDENTED_FILES) under the batch's size, instead of
    checking a batch of more than 50 files."""
    import validator.outputs.json as out_json

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(out_json, "INDENTED_FILES", 5)
        yield


@pytest.fixture(scope="module")
def batch(corpus, tmp_path_factory) -> Path:
    """A directory of links to the inputs (read in place, never copied)."""
    d = tmp_path_factory.mktemp("batch")
    for p in _inputs(corpus):
        (d / p.name).symlink_to(p.resolve())
    return d


@pytest.fixture(scope="module")
def small(corpus, tmp_path_factory) -> Path:
    """The samples and a file that is no report (skipped when found in a directory,
    unreadable when named): a batch past INDENTED_FILES, for the tests whose subject is a
    path through the batch (reviews, the CLI) rather than what the real reports hold."""
    d = tmp_path_factory.mktemp("small")
    for p in [*sorted((ROOT / "samples").glob("*.txt")), corpus / "INDEX.md"]:
        (d / p.name).symlink_to(p.resolve())
    return d


@pytest.fixture(scope="module")
def reviews(small, tmp_path_factory) -> Path:
    """A reviews file accepting one finding and holding one stale entry (R001): the
    two-pass path of a spilled batch."""
    from validator.run import check_paths

    result = check_paths([small / "taiqian_2020_changed_cell.txt"], jobs=1)  # a sample of the batch with findings
    fp = next(x.fingerprint for f in result.files for x in f.findings)
    stale = fp[:9] + ("0" if fp[9] != "0" else "1") + fp[10:]
    path = tmp_path_factory.mktemp("reviews") / "reviews.yaml"
    path.write_text(f"reviews:\n  - fingerprint: {fp}\n    status: accepted\n    reason: 已核对\n"
                    f"  - fingerprint: {stale}\n    status: accepted\n    reason: 旧记录\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("with_reviews", [False, True], ids=["plain", "reviews"])
def test_spilled_batch_streams_the_same_outputs(compact, batch, small, reviews, with_reviews):
    """Every real report of the batch, streamed; then the two-pass path of a batch with a
    reviews file, on the samples (what the reports hold is the plain case's subject)."""
    from validator.outputs import module, pieces
    from validator.outputs.json import INDENTED_FILES
    from validator.reviews import load
    from validator.run import check_paths
    from validator.store import FileStore

    paths, chunk = (sorted(small.iterdir()), 2) if with_reviews else (sorted(batch.iterdir()), 4)
    kw = {"jobs": 1, "reviews": load(reviews) if with_reviews else None}
    held = check_paths(paths, spill=False, **kw)
    spilled = check_paths(paths, spill=True, chunk=chunk, **kw)
    assert isinstance(spilled.files, FileStore) and len(spilled.files) == len(paths) > INDENTED_FILES
    assert len(paths) > 3 * chunk  # the spilled batch spans several chunks
    assert spilled.summary == held.summary and spilled.exit_code == held.exit_code
    assert spilled.reviews == held.reviews
    if with_reviews:
        assert held.reviews["applied"] == 1 and held.reviews["stale"]
        assert any(x.rule == "R001" for f in held.files for x in f.findings)
    for fmt in FORMATS:
        streamed = "".join(pieces(fmt, spilled))
        whole = _whole(fmt, held)
        assert module(fmt).render(held) == whole, fmt
        if fmt == "junit":
            streamed, whole = _times(streamed), _times(whole)
        assert streamed == whole, fmt
    assert "".join(pieces("html", spilled)) == module("html").render(held)  # the page: summary pass, then file by file
    rows = [(f.path, f.status, [(x.rule, x.table_code, x.row_code, x.column_code, x.severity, x.fingerprint,
                                 bool(x.review)) for x in f.findings]) for f in held.files]
    assert [(f.path, f.status, [(x.rule, x.table_code, x.row_code, x.column_code, x.severity, x.fingerprint,
                                 bool(x.review)) for x in f.findings]) for f in spilled.files] == rows


def test_cli_writes_a_spilled_batch_as_before(compact, small, tmp_path, monkeypatch):
    """``validator check DIR --format FMT=PATH`` (and JSON on stdout) of a batch past the
    spill threshold gives the files it gives when the batch is held in memory (the
    samples, and a file that is no report: skipped, in a directory)."""
    import validator.run

    def run(name: str) -> dict[str, str]:
        out = tmp_path / name
        out.mkdir()
        args = [a for fmt in FORMATS[1:] for a in ("--format", f"{fmt}={out / fmt}")]
        r = invoke("check", small, "--format", "json", *args, "-j", "1")
        assert r.returncode in (1, 2), r.stderr
        got = {fmt: (out / fmt).read_text(encoding="utf-8") for fmt in FORMATS[1:]}
        return {**got, "json": r.stdout, "junit": _times(got["junit"])}

    held = run("held")
    monkeypatch.setattr(validator.run, "CHUNK", 2)  # every batch past 2 files is spilled: this one in 4 chunks
    spilled = run("spilled")
    assert spilled == held
    doc = json.loads(spilled["json"])
    assert len(doc["files"]) == len(list(small.iterdir())) > 3 * 2
    assert "\n  " not in spilled["json"]  # the compact JSON, written file by file
    assert doc["summary"]["failed"] > 0 and doc["summary"]["skipped"] == 1


def test_empty_and_single_file_outputs_unchanged(seed, tmp_path):
    """The streamed text of a one-file and of an all-unreadable run is what render gives
    (the indented JSON, an empty SARIF results list, a JUnit root with one suite)."""
    from validator.outputs import module, pieces
    from validator.run import check_paths

    bad = tmp_path / "empty.html"
    bad.write_bytes(b"")
    for paths in ([seed], [bad], [seed, bad]):
        for spill in (False, True):
            result = check_paths(paths, jobs=1, spill=spill)
            for fmt in FORMATS:
                assert "".join(pieces(fmt, result)) == module(fmt).render(result) == _whole(fmt, result), (paths, fmt)
    result = check_paths([bad], jobs=1)
    assert json.loads(module("sarif").render(result))["runs"][0]["results"] == []
