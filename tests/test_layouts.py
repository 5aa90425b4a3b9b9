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
    # every column of each dropped group is named: 「group / column」, five columns a group
    groups = [layouts.TEMPLATE["t4"].row(code).label for code in drop]
    assert sorted({c.rsplit(" / ", 1)[0] for c in x009[0]["columns"]}) == sorted(groups)
    assert len(x009[0]["columns"]) == 5 * len(drop)


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
    # in a CI test report too: a part not read is an <error> of its testcase, never a <failure>
    from lxml import etree

    from validator.outputs import junit

    suite = etree.fromstring(junit.render(result).encode()).find("testsuite")
    bad = {c.get("name").split()[0]: c[0].tag for c in suite.iter("testcase") if len(c) and c[0].tag != "system-out"}
    assert bad == {"X002": "error", "X009": "error"}
    assert (suite.get("failures"), suite.get("errors")) == ("0", "2")


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


# ------------------------------------------------------------ partial labels (markdown)

def _read_md(tmp_path, labels):
    path = tmp_path / "page.md"
    path.write_text(layouts.markdown(T3, T4, labels), encoding="utf-8")
    return extract(read(path))


def test_a_cut_label_names_the_one_row_it_can_be(tmp_path):
    # OCR kept only the middle of （六）1; （六）2 has the same words but is labelled in full
    report = _read_md(tmp_path, {"results.other.no_correction": "行政机关不再处理其政府信息公"})
    assert cells(report, "t3") == expected_t3()
    assert [(n["rule"], n["row"]) for n in report.notes if n["rule"] == "X021"] == [("X021", "results.other.no_correction")]


def test_a_near_label_with_a_wrong_character_is_matched(tmp_path):
    report = _read_md(tmp_path, {"results.withheld.process_info": "6.属于四类过桯性信息"})  # OCR: 程 → 桯
    assert cells(report, "t3") == expected_t3()


def test_a_cut_label_that_fits_two_missing_rows_is_not_placed(tmp_path):
    cut = "行政机关不再处理其政府信息公"
    report = _read_md(tmp_path, {"results.other.no_correction": cut, "results.other.fee_unpaid": cut})
    got = cells(report, "t3")
    for code in ("results.other.no_correction", "results.other.fee_unpaid"):
        assert {got[(code, c.code)] for c in layouts.T3_COLUMNS} == {(None, "missing")}
    assert {n["row"] for n in report.notes if n["rule"] == "X002"} == {"results.other.no_correction",
                                                                       "results.other.fee_unpaid"}
    assert {k: v for k, v in got.items() if not k[0].startswith("results.other.")} == {
        k: v for k, v in expected_t3().items() if not k[0].startswith("results.other.")}


def test_unlabelled_rows_fill_their_gap_only_when_the_counts_agree(tmp_path):
    lost = {"results.unable.not_held": "", "results.unable.needs_creation": ""}
    assert cells(_read_md(tmp_path, lost), "t3") == expected_t3()
    # two unlabelled rows where three rows are missing (one not in the conversion): nothing guessed
    report = _read_md(tmp_path, {**lost, "results.unable.unclear": None})
    got = cells(report, "t3")
    for code in ("results.unable.not_held", "results.unable.needs_creation", "results.unable.unclear"):
        assert {got[(code, c.code)] for c in layouts.T3_COLUMNS} == {(None, "missing")}
    assert {n["row"] for n in report.notes if n["rule"] == "X002"} == {
        "results.unable.not_held", "results.unable.needs_creation", "results.unable.unclear"}


# ------------------------------------------------------------------- clipped PDF page

def test_pdf_table_running_off_the_page_is_read_from_outside_the_page_box(tmp_path, corpus):
    """014 with its 表四 page cut to 420 pt wide: the characters beyond the page box are
    still in the file and are read; every 表四 cell as published (and its two errors)."""
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(str(corpus / "014_huaian_hongze_district_gov_2023.pdf"))
    for i in range(len(pdf)):
        page = pdf[i]
        if "复议后起诉" in page.get_textpage().get_text_range():
            page.set_mediabox(0, 0, 420, 842)
            page.set_cropbox(0, 0, 420, 842)
    out = tmp_path / "clipped.pdf"
    pdf.save(str(out))
    report = extract(read(out))
    t4 = {(r, c): raw for (r, c), (raw, _) in cells(report, "t4").items()}
    assert t4 == {(r.code, c.code): v for r, vs in zip(layouts.T4_ROWS, (["10", "1", "0", "0", "0"], ["0"] * 5,
                                                                       ["5", "0", "0", "0", "0"]))
                  for c, v in zip(layouts.T4_COLUMNS, vs)}


# --------------------------------------------------- the real CMS pages of the corpus

def _t3_cells(version: str, given: dict[str, list[str]], legal_blank: bool = False):
    """Every 表三 cell of a report: rows not given are all 0 (法人 columns blank if so)."""
    zero = ["0", *([""] * 5 if legal_blank else ["0"] * 5), "0"]
    rows = layouts.TEMPLATE["t3"].rows_for(version)
    return {(r.code, c.code): (v, "number" if v else "blank")
            for r in rows for c, v in zip(layouts.T3_COLUMNS, given.get(r.code, zero))}


def _t4_cells(values: str):
    vs = values.split()
    return {(r.code, c.code): (vs[5 * k + j], "number")
            for k, r in enumerate(layouts.T4_ROWS) for j, c in enumerate(layouts.T4_COLUMNS)}


def _n(natural: int, *legal: int, total: int | None = None) -> list[str]:
    legal = legal or (0,) * 5
    return [str(natural), *map(str, legal), str(natural + sum(legal) if total is None else total)]


def _d(natural: int) -> list[str]:  # 022: the five 法人或其他组织 columns left blank
    return [str(natural), "", "", "", "", "", str(natural)]


CORPUS_PAGES = {
    "020_pingtan_zone_2019.html": ("2019", {
        "new": _n(23), "results.granted": _n(7), "results.partial": _n(1), "results.unable.not_held": _n(7),
        "results.unable.unclear": _n(5), "results.not_processed.repeated": _n(3), "results.total": _n(23)},
        False, "0 0 0 0 0  0 0 0 0 0  0 0 0 0 0"),
    "021_pingtan_zone_2022.html": ("2021", {
        "new": _n(71, 3, 0, 0, 0, 0), "carried_over": _n(1), "results.granted": _n(21),
        "results.partial": _n(8, 1, 0, 0, 0, 0), "results.withheld.internal_affairs": _n(1),
        "results.withheld.process_info": _n(2), "results.withheld.enforcement_file": _n(1),
        "results.unable.not_held": _n(37), "results.other.no_correction": _n(2),
        "results.other.other": _n(0, 2, 0, 0, 0, 0), "results.total": _n(72, 3, 0, 0, 0, 0)},
        False, "0 1 1 0 2  1 0 0 0 1  0 0 0 0 0"),
    "022_shuyang_county_drc_2023.html": ("2021", {
        "new": _d(26), "results.granted": _d(26), "results.total": _d(26)},
        True, "0 0 0 1 1  0 0 0 0 0  0 0 0 0 0"),
}


@pytest.mark.parametrize("name", sorted(CORPUS_PAGES))
def test_real_cms_pages_every_cell_right(corpus, name):
    version, t3, legal_blank, t4 = CORPUS_PAGES[name]
    report = extract(read(corpus / name))
    assert report.version == version
    assert cells(report, "t3") == _t3_cells(version, t3, legal_blank)
    assert cells(report, "t4") == _t4_cells(t4)
    assert not [n for n in report.notes if n["rule"] in ("X001", "X002", "X003", "X006", "X009", "X012", "X021")]
