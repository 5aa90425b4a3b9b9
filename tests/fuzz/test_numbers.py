"""Non-finite, huge and ambiguous numbers in every input form.

``inf``, ``1e309``, ``NaN``, thousands of digits, counts past 10^9 (parametrised and
hypothesis-generated) in the text, HTML, XLSX (text and number) and canonical CSV/JSON/Parquet
forms of the seed, and in its narrative: the cell is X001/X010 (never a value read, never a
crash, strict JSON out), or the file is unreadable with the reason; numbers that would need a
guess (``8 8``, ``2①`` …) are X001 showing the raw text; a very long number or text in one
HTML cell is that cell's finding and nothing shifts; canonical files are validated
completely.
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
from hypothesis import HealthCheck, example, given, settings
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
    AMBIGUOUS,
    GENERATED_HUGE,
    HTML_ROWS,
    HUGE,
    LONG_VALUES,
    SEED_TEXT,
    SETTINGS,
    _canonical_frame,
    _cell_outcome,
    _cli,
    _forms,
    _html_with_cell,
    _seed_with_cell,
)


# one xdist worker runs this module (pytest -n with --dist loadgroup, pyproject.toml): its
# module fixtures are built once
pytestmark = pytest.mark.xdist_group("numbers")


@pytest.fixture(scope="module")
def huge_batch(tmp_path_factory):
    """The seed, then every HUGE value in every input form, checked in one batch (the batch
    path users run; one check for all of them): (result, {value: {form: file result}})."""
    d = tmp_path_factory.mktemp("huge")
    good = d / "good.txt"
    good.write_text(SEED_TEXT, encoding="utf-8")
    forms = {}
    for k, value in enumerate(HUGE):
        (d / str(k)).mkdir()
        forms[value] = _forms(d / str(k), value)
    paths = [good, *(p for f in forms.values() for p in f.values())]
    result = check_paths(paths)
    by_path = dict(zip(paths, result.files))
    return result, {value: {form: by_path[p] for form, p in f.items()} for value, f in forms.items()}


def test_huge_batch_stays_strict_json(huge_batch):
    result, _ = huge_batch
    assert result.exit_code in (0, 1, 2)
    assert result.files[0].status == "passed"  # the seed beside them
    json.loads(module("json").render(result), parse_constant=lambda c: pytest.fail(c))


@pytest.mark.parametrize("value", HUGE)
def test_huge_and_non_finite_numbers_in_every_input_form(huge_batch, value):
    """Never a crash, never a number read past the bound: the cell is X001/X010 or the file
    is unreadable with a reason; in the narrative (thousands of digits too) it is no claim."""
    for form, f in huge_batch[1][value].items():
        if form == "narrative":
            assert f.status == "passed", (form, [x["rule"] for x in f.findings])  # the claim is not a number read
            continue
        outcome = _cell_outcome(f)
        assert outcome in ("X001", "X010", "unreadable"), (form, value[:20], outcome)  # never X006: 表三 stays a table
        if outcome == "unreadable":
            assert f.reason, form
        for x in f.findings:
            for k in ("reported", "expected"):
                v = x.get(k)
                assert not isinstance(v, float) or abs(v) <= 1e9, (form, x["rule"], k, v)


@settings(SETTINGS, max_examples=10)
@given(values=st.lists(GENERATED_HUGE, min_size=1, max_size=4))
@example(values=["∞", "-Infinity"])  # ∞ was once read as label text, shifting the row's figures
def test_generated_huge_numbers_are_never_read_as_values(workdir, values):
    """Hypothesis: any such number in the text and HTML forms of the seed is that cell's
    X001/X010, no value past the bound reaches a finding, and the JSON stays strict (up to
    four numbers per example, all checked in one batch)."""
    paths = []
    for value in values:
        d = workdir / f"huge_{hashlib.sha1(value.encode()).hexdigest()[:12]}"
        d.mkdir(exist_ok=True)
        (d / "r.txt").write_text(_seed_with_cell(value), encoding="utf-8")
        (d / "r.html").write_bytes(_html_with_cell(value))
        paths += [d / "r.txt", d / "r.html"]
    result = check_paths(paths)
    assert len(result.files) == len(paths)
    for f in result.files:
        assert _cell_outcome(f) in ("X001", "X010"), (f.path, _cell_outcome(f))
        for x in f.findings:
            for k in ("reported", "expected"):
                v = x.get(k)
                assert not isinstance(v, float) or abs(v) <= 1e9, (x["rule"], k, v)
    json.loads(module("json").render(result), parse_constant=lambda c: pytest.fail(c))


@pytest.fixture(scope="module")
def ambiguous_batch(tmp_path_factory) -> dict[str, dict]:
    """Every AMBIGUOUS value in the text, HTML and XLSX (text) forms, checked in one batch:
    {value: {form: file result}}."""
    from .hostile import _xlsx_with_cell

    d = tmp_path_factory.mktemp("ambiguous")
    paths = {}
    for k, value in enumerate(AMBIGUOUS):
        (d / f"{k}.txt").write_text(_seed_with_cell(value), encoding="utf-8")
        (d / f"{k}.html").write_bytes(_html_with_cell(value))
        (d / f"{k}.xlsx").write_bytes(_xlsx_with_cell(value))
        paths[value] = {"text": d / f"{k}.txt", "html": d / f"{k}.html", "xlsx-text": d / f"{k}.xlsx"}
    flat = [p for forms in paths.values() for p in forms.values()]
    by_path = dict(zip(flat, check_paths(flat).files))
    return {value: {form: by_path[p] for form, p in forms.items()} for value, forms in paths.items()}


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_numbers_that_would_need_a_guess_are_unreadable_cells(ambiguous_batch, value):
    for form, f in ambiguous_batch[value].items():
        assert _cell_outcome(f) == "X001", (form, value, _cell_outcome(f))
        x = next(x for x in f.findings if x["rule"] == "X001")
        assert x["reported"].split() == value.split()  # the raw text is shown


@pytest.fixture(scope="module")
def canonical_frame(tmp_path_factory):
    return _canonical_frame(tmp_path_factory.mktemp("canonical"))


@pytest.mark.parametrize("column,value", [("year", "99999999999999999999"), ("year", "20.5"), ("line", "1e400"),
                                          ("page", "-1"), ("grid_row", "inf"), ("value", "nan"),
                                          ("value", "1e309"), ("value", "-1e10")])
def test_canonical_values_are_validated_completely(canonical_frame, tmp_path, column, value):
    df = canonical_frame.astype(object)
    at = df.index[(df.table == "t3") & (df.state == "number")][3]
    df.loc[at, column] = value
    p = tmp_path / "bad.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    f = check_paths([p]).files[0]
    assert f.status == "unreadable", [x["rule"] for x in f.findings]
    assert f"第 {at + 2} 行" in f.reason and column in f.reason, f.reason


@pytest.fixture(scope="module")
def long_value_batch(tmp_path_factory) -> tuple[list[dict], dict]:
    """The seed page, then the page with each LONG_VALUES value in each HTML_ROWS cell,
    checked in one batch: (the seed's cells, {(kind, label): file result})."""
    seed_html = ROOT / "tests" / "fixtures" / "taiqian_2020.html"
    page = seed_html.read_bytes().decode("gb18030")
    d = tmp_path_factory.mktemp("long")
    paths = {}
    for kind in sorted(LONG_VALUES):
        for label in sorted(HTML_ROWS):
            m = re.compile(r">(\d+)</span>").search(page, page.index(label))
            p = paths[kind, label] = d / f"long_{len(paths)}.html"
            p.write_bytes((page[:m.start()] + f">{LONG_VALUES[kind][0]}</span>" + page[m.end():]).encode("gb18030"))
    result = check_paths([seed_html, *paths.values()], keep_cells=True)
    return result.files[0].cells, dict(zip(paths, result.files[1:]))


@pytest.mark.parametrize("kind", sorted(LONG_VALUES))
@pytest.mark.parametrize("label", sorted(HTML_ROWS))
def test_a_long_value_in_an_html_cell_is_that_cells_finding(long_value_batch, kind, label):
    """A very long number or a long (multi-paragraph) text in one value cell of the seed page
    is a finding for that cell; 表三 and 表四 stay tables (no X006) and every other cell
    reads as in the seed (nothing shifts)."""
    seed_html_cells, files = long_value_batch
    f = files[kind, label]
    rule = LONG_VALUES[kind][1]
    table, row, column = HTML_ROWS[label]
    errors = [(x.rule, x.table_code, x.row_code, x.column_code) for x in f.findings if x.severity == "error"]
    assert errors == [(rule, table, row, column)], errors
    changed = {(c["table"], c["row"], c["column"]) for c, s in zip(f.cells, seed_html_cells) if c["raw"] != s["raw"]}
    assert changed == {(table, row, column)}
