"""Cross-year rules: reports of the same body in consecutive years, checked together."""
from __future__ import annotations

from dataclasses import replace

from validator.document import Block, Cell
from validator.engine import Checker, pair_years
from validator.extract import extract
from validator.frame import build
from validator.readers import read
from validator.rules import load
from validator.run import check_paths


def _set(doc, report, table, row, column, text):
    """A copy of doc with one canonical cell's source text replaced."""
    pos = next(c.pos for c in report.cells if (c.table, c.row, c.column) == (table, row, column))
    blocks = [Block(b.kind, tuple(Cell(text, c.pos) if c.pos == pos else c for c in b.cells)) for b in doc.blocks]
    return replace(doc, blocks=blocks)


def run(reports):
    return Checker(reports, build(reports), load()).run()


def test_seed_series_carried_over_mismatch(seed):
    doc = read(seed)
    this = extract(doc, year=2020, body="台前县人民政府")
    last_doc = _set(doc, this, "t3", "carried_forward", "natural_person", "2")
    last = extract(last_doc, year=2019, body="台前县人民政府")
    found = [f for f in run([this, last]) if f["rule"] == "Y001"]
    assert [(f["report"], f["row_code"], f["column_code"], f["reported"], f["expected"]) for f in found] == [
        (0, "carried_over", "natural_person", 0.0, 2.0)]
    prev_cells = [c for c in found[0]["cells"] if c.get("year") == 2019]
    assert prev_cells and prev_cells[0]["row_code"] == "carried_forward"
    assert found[0].params["prev_year"] == 2019  # the message names last year's report


def test_same_report_twice_carries_t3_but_not_t2_items(seed):
    """The seed paired with itself: 表三 carries over (四 = 二 = 0), but 表二 行政事业性收费 does not:
    上一年项目数量 36 + 本年增/减 12 = 48 ≠ 36 (a warning, Y003)."""
    doc = read(seed)
    reports = [extract(doc, year=2020, body="台前县人民政府"), extract(doc, year=2019, body="台前县人民政府")]
    found = [(f["rule"], f["severity"], f["row_code"], f["reported"], f["expected"])
             for f in run(reports) if f["rule"].startswith("Y")]
    assert found == [("Y003", "warning", "fees", 36.0, 48.0)]


def test_gap_in_series_is_reported_not_guessed(seed):
    doc = read(seed)
    reports = [extract(doc, year=2020, body="台前县人民政府"), extract(doc, year=2018, body="台前县人民政府")]
    found = [f for f in run(reports) if f["rule"] == "Y004"]
    assert len(found) == 1 and found[0].params["missing"] == "2019"


def test_bodies_with_and_without_city_prefix_pair():
    from validator.extract import Report

    a = Report("a", "text", body="洪泽区人民政府", year=2023, version="2021")
    b = Report("b", "text", body="淮安市洪泽区人民政府", year=2024, version="2021")
    c = Report("c", "text", body="金湖县人民政府", year=2023, version="2021")
    assert pair_years([a, b, c]) == {1: 0}


def test_hongze_two_year_series(corpus):
    res = check_paths([corpus / "015_huaian_hongze_district_gov_2024.pdf"],
                      previous=[corpus / "014_huaian_hongze_district_gov_2023.pdf"])
    assert [f.path.endswith("015_huaian_hongze_district_gov_2024.pdf") for f in res.files] == [True]
    rules = {f["rule"] for f in res.files[0].findings}
    assert "Y001" not in rules and "Y002" not in rules  # 2023 四 0 = 2024 二 0; 5 + 3 − 0 = 8
    assert res.exit_code == 0
