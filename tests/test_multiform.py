"""The seed report in every form it is published in gives the same cells and the same verdict.

Forms: the text copy (``samples/taiqian_2020.txt``), the saved web page
(``fixtures/taiqian_2020.html``), the same tables typed into a spreadsheet
(``fixtures/taiqian_2020.xlsx`` / ``.csv``, from ``make_seed_xlsx.py``), and what a real
office suite makes of the web page (``fixtures/multiform/``, LibreOffice 7.4 via
``make_multiform.sh``: HTML → DOCX, that DOCX → PDF, HTML → PDF). For 表三 and 表四 the
canonical cells (table, row, column, value, state) must be identical, and ``validator
check`` must pass every form with no error and no warning.

Also the blank 2021 WPS form of the corpus, filled with a real report's numbers at test
time, and the blank form itself.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.extract import extract
from validator.readers import read

from .conftest import SEED

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MULTI = FIXTURES / "multiform"
sys.path.insert(0, str(FIXTURES))
from docx_fill import fill_template  # noqa: E402

TEMPLATE = "blank_2021_template.wps.docx"

FORMS = {
    "text": (SEED, "text"),
    "html": (FIXTURES / "taiqian_2020.html", "html"),
    "xlsx": (FIXTURES / "taiqian_2020.xlsx", "xlsx"),
    "csv": (FIXTURES / "taiqian_2020.csv", "csv"),
    "lo_docx": (MULTI / "taiqian_2020_from_html.docx", "docx"),
    "lo_docx_pdf": (MULTI / "taiqian_2020_from_docx.pdf", "pdf"),
    "lo_html_pdf": (MULTI / "taiqian_2020_from_html.pdf", "pdf"),
}

# The seed's 表三: every row zero except these (自然人 … 总计).
T3_NONZERO = {
    "new": [4, 0, 0, 0, 0, 0, 4],
    "results.granted": [3, 0, 0, 0, 0, 0, 3],
    "results.unable.not_held": [1, 0, 0, 0, 0, 0, 1],
    "results.total": [4, 0, 0, 0, 0, 0, 4],
}


def canonical(path: Path, tables=("t3", "t4")) -> set[tuple]:
    report = extract(read(path))
    return {(c.table, c.row, c.column, c.value, c.state) for c in report.cells if c.table in tables}


def check_json(*paths: Path, extra: tuple[str, ...] = ()):
    r = CliRunner().invoke(main, ["check", "--format", "json", *extra, *map(str, paths)])
    return r.exit_code, json.loads(r.stdout)


@pytest.fixture(scope="module")
def reference() -> set[tuple]:
    return canonical(SEED)


def test_reference_is_the_seed(reference):
    from validator.template import TEMPLATE as T

    t3 = {c for c in reference if c[0] == "t3"}
    t4 = {c for c in reference if c[0] == "t4"}
    assert len(t3) == len(T["t3"].rows_for("2019")) * 7 == 161
    assert len(t4) == 15
    assert {c[4] for c in reference} == {"number"}
    assert all(c[3] == 0 for c in t4)
    codes = [c.code for c in T["t3"].columns_for("2019")]
    for row, values in T3_NONZERO.items():
        assert {(c[2], c[3]) for c in t3 if c[1] == row} == set(zip(codes, map(float, values)))
    assert all(c[3] == 0 for c in t3 if c[1] not in T3_NONZERO)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_form_is_read_by_its_reader(form):
    path, fmt = FORMS[form]
    assert path.exists(), f"{path} missing: run the generator named in its module docstring"
    assert read(path).format == fmt


@pytest.mark.parametrize("form", sorted(set(FORMS) - {"text"}))
def test_same_canonical_cells_as_the_text(form, reference):
    got = canonical(FORMS[form][0])
    assert got - reference == set() and reference - got == set()


@pytest.mark.parametrize("form", sorted(set(FORMS) - {"text"}))
def test_same_table2_values_as_the_text(form):
    """表二 too, although only 表三/表四 are required to agree: values and states, not raw text."""
    assert canonical(FORMS[form][0], ("t2",)) == canonical(SEED, ("t2",))


def test_same_verdict_for_every_form():
    paths = [p for p, _ in FORMS.values()]
    code, out = check_json(*paths)
    assert code == 0
    assert out["summary"] == {"passed": len(paths), "failed": 0, "unreadable-in-part": 0, "unreadable": 0,
                              "skipped": 0}
    verdicts = {}
    for f in out["files"]:
        assert f["status"] == "passed", f
        assert f["counts"]["error"] == 0 and f["counts"]["warning"] == 0, (f["path"], f["findings"])
        verdicts[f["path"]] = (f["status"], f["template"], f["year"])
    assert set(verdicts.values()) == {("passed", "2019", 2020)}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_alone_exits_zero(form):
    code, out = check_json(FORMS[form][0])
    assert code == 0
    assert [f["counts"]["error"] for f in out["files"]] == [0]


# --------------------------------------------------------------- the WPS template


def test_filled_wps_template_checks_with_no_error(corpus, tmp_path):
    filled = fill_template(corpus / TEMPLATE, tmp_path / "shuyang_2025_filled.docx")
    code, out = check_json(filled)
    assert code == 0, out
    (f,) = out["files"]
    assert f["status"] == "passed" and f["template"] == "2021"
    assert f["counts"]["error"] == 0
    cells = canonical(filled)
    assert {c[4] for c in cells} == {"number"}
    assert ("t3", "new", "total", 713.0, "number") in cells
    assert ("t4", "review", "total", 61.0, "number") in cells


def _blank_findings(corpus):
    code, out = check_json(corpus / TEMPLATE)
    (f,) = out["files"]
    return code, f


def test_blank_template_warns_about_blanks_in_tables_2_and_3(corpus):
    code, f = _blank_findings(corpus)
    blanks = {x["table"] for x in f["findings"] if x["rule"] == "B001" and x["severity"] == "warning"}
    assert {"表二", "表三"} <= blanks, f["findings"]


def test_blank_template_fails_as_empty_and_warns_about_nothing_else(corpus):
    code, f = _blank_findings(corpus)
    assert [x["rule"] for x in f["findings"] if x["severity"] == "error"] == ["X013"]  # a blank form never passes
    assert code == 1
    assert f["counts"]["warning"] >= 1
    # blanks in every table (B001), and the form's placeholder text in 五 (S002): nothing else
    assert {x["rule"] for x in f["findings"] if x["severity"] == "warning"} == {"B001", "S002"}, f["findings"]
    assert {x["table"] for x in f["findings"] if x["rule"] == "B001"} == {"表二", "表三", "表四"}
