"""Real-page layouts read by meaning (issue 16): every 表三/表四 cell right, or named as not
read; never a value in a neighbour's column.

The pages come from ``tests/fixtures/layouts.py`` (the official 2021 form as CMS pages carry
it), with a different number in every cell so that any shift shows.
"""
from __future__ import annotations

import pytest

from tests.fixtures import layouts
from validator.extract import extract
from validator.readers import read

T3, T4 = layouts.distinct_values()


def _read(tmp_path, **pattern):
    path = tmp_path / "page.html"
    path.write_text(layouts.page(T3, T4, **pattern), encoding="utf-8")
    return extract(read(path))


def cells(report, table):
    return {(c.row, c.column): (c.raw, c.state) for c in report.cells if c.table == table}


def expected_t3():
    out = {}
    for r in layouts.T3_ROWS:
        for col, v in zip(layouts.T3_COLUMNS, T3[r.code]):
            out[(r.code, col.code)] = (v, "number" if v else "blank")
    return out


def expected_t4(drop=()):
    out = {}
    for k, r in enumerate(layouts.T4_ROWS):
        for j, col in enumerate(layouts.T4_COLUMNS):
            v = T4[5 * k + j]
            out[(r.code, col.code)] = (None, "missing") if r.code in drop else (v, "number" if v else "blank")
    return out


PATTERNS = {
    "plain": {},
    "natural_span_first": {"natural_span": "first"},
    "natural_span_second": {"natural_span": "second"},
    "natural_span_both": {"natural_span": "both"},
    "spacer_rows": {"spacer_rows": True},
    "split_label": {"split_label": True},
    "split_header": {"split_header": True},
    "split_numbers": {"split_numbers": True},
    "everything": {"natural_span": "second", "spacer_rows": True, "split_label": True, "split_header": True,
                   "split_numbers": True},
}


@pytest.mark.parametrize("name", PATTERNS)
def test_every_cell_read_right(tmp_path, name):
    report = _read(tmp_path, **PATTERNS[name])
    assert cells(report, "t3") == expected_t3()
    assert cells(report, "t4") == expected_t4()
    assert not [n for n in report.notes if n["rule"] in ("X002", "X003", "X006", "X009")]


@pytest.mark.parametrize("drop", [("suit_after_review",), ("suit_direct", "suit_after_review")])
def test_columns_not_on_the_page_are_named_never_shifted(tmp_path, drop):
    report = _read(tmp_path, drop_t4_groups=drop)
    assert cells(report, "t4") == expected_t4(drop)
    assert cells(report, "t3") == expected_t3()
    x009 = [n for n in report.notes if n["rule"] == "X009"]
    assert [n["table"] for n in x009] == ["t4"]
    assert all(layouts.TEMPLATE["t4"].row(code).label in x009[0]["columns"] for code in drop)


def _consistent():
    """The seed-like consistent values: 表三 all zeros but 一 = （一） = （七） = 3, 表四 all zeros."""
    t3 = {r.code: ["0"] * 7 for r in layouts.T3_ROWS}
    for code in ("new", "results.granted", "results.total"):
        t3[code] = ["3", "0", "0", "0", "0", "0", "3"]
    return t3, ["0"] * 15


def _check(tmp_path, t3, t4, **pattern):
    from validator.run import check_paths

    path = tmp_path / "page.html"
    path.write_text(layouts.page(t3, t4, **pattern), encoding="utf-8")
    result = check_paths([path])
    return result, result.files[0]


def test_a_table_not_read_in_part_is_unreadable_in_part_not_failed(tmp_path):
    t3, t4 = _consistent()
    result, f = _check(tmp_path, t3, t4, drop_t4_groups=("suit_after_review",))
    assert f.status == "unreadable-in-part" and result.exit_code == 2
    assert sorted((x["rule"], x["table_code"], x["row_code"]) for x in f.findings if x["severity"] == "error") == [
        ("X002", "t4", "suit_after_review"), ("X009", "t4", None)]  # the columns named, and the group not read


def test_a_real_inconsistency_beside_an_unread_part_fails(tmp_path):
    t3, t4 = _consistent()
    t3["results.total"] = ["4", "0", "0", "0", "0", "0", "4"]
    result, f = _check(tmp_path, t3, t4, drop_t4_groups=("suit_after_review",))
    assert f.status == "failed" and result.exit_code == 1
    assert {"X009", "T301"} <= {x["rule"] for x in f.findings if x["severity"] == "error"}


def test_consistent_page_in_every_layout_passes(tmp_path):
    t3, t4 = _consistent()
    result, f = _check(tmp_path, t3, t4, **PATTERNS["everything"])
    assert f.status == "passed" and result.exit_code == 0
