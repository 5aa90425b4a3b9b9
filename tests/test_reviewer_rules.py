"""What a careful reviewer also checks (issue 15): copied years, year-on-year jumps, a fee
unit mistake, the publication deadline, percentages. Each rule fires on a variant of a real
report made for it and stays silent on the real reports."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from validator.cli import main

RULES = ("Y005", "Y006", "Y007", "Y008", "S006", "N026")


def findings(*paths, rules=RULES):
    res = CliRunner().invoke(main, ["check", "--format", "json", *map(str, paths)])
    doc = json.loads(res.stdout)
    return {f["path"].rsplit("/", 1)[-1]: [(x["rule"], x["severity"], x.get("table"), x.get("row"), x.get("column"))
                                           for x in f["findings"] if x["rule"] in rules]
            for f in doc["files"]}


def variant(corpus, tmp_path, name, out, *edits):
    text = (corpus / name).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, (name, old)
        text = text.replace(old, new)
    path = tmp_path / out
    path.write_text(text, encoding="utf-8")
    return path


def test_silent_on_every_real_report_checked_together(corpus, seed):
    got = findings(*sorted(corpus.glob("0*")), seed)
    # the one real two-year series (洪泽 2023 → 2024) has two real five-fold changes, as info
    assert got.pop("015_huaian_hongze_district_gov_2024.pdf") == [
        ("Y007", "info", "表二", "行政许可", "本年处理决定数量"), ("Y007", "info", "表四", "行政复议", "结果维持")]
    assert all(v == [] for v in got.values()), got


def test_a_year_copied_from_the_year_before(corpus, tmp_path):
    # 上海市科委's 2024 report published again, unchanged, as its 2025 report
    name = "004_shanghai_stcsm_kewei_2024.md"
    copy = variant(corpus, tmp_path, name, "copy_2025.md", ("2024 年上海市科委政府信息公开工作", "2025 年上海市科委政府信息公开工作"))
    got = findings(corpus / name, copy)
    assert got[name] == []
    assert sorted(got["copy_2025.md"]) == [("Y005", "warning", None, None, None), ("Y006", "warning", None, None, None)]


def test_a_year_whose_figures_changed_is_not_copied(corpus, tmp_path):
    name = "004_shanghai_stcsm_kewei_2024.md"
    copy = variant(corpus, tmp_path, name, "next_2025.md",
                   ("2024 年上海市科委政府信息公开工作", "2025 年上海市科委政府信息公开工作"),
                   ("| 规范性文件 | 13 | 0 | 55 |", "| 规范性文件 | 14 | 0 | 69 |"))
    assert [f[0] for f in findings(corpus / name, copy)["next_2025.md"]] == ["Y006"]


def test_fee_amount_in_yuan_instead_of_ten_thousand_yuan(corpus, tmp_path):
    name = "021_pingtan_zone_2022.html"
    nxt = variant(corpus, tmp_path, name, "pingtan_2023.html",
                  ("2022年度政府信息公开工作年度报告", "2023年度政府信息公开工作年度报告"),
                  (">9116.36<", ">91163600<"))
    got = findings(corpus / name, nxt)["pingtan_2023.html"]
    assert ("Y008", "warning", "表二", "行政事业性收费", "本年收费金额（单位：万元）") in got
    assert ("Y007", "info", "表二", "行政事业性收费", "本年收费金额（单位：万元）") in got


@pytest.mark.parametrize("name,old,new,fires", [
    # a county department: by 1月31日
    ("022_shuyang_county_drc_2023.html", "<publishtime>2024-01-17</publishtime>",
     "<publishtime>2024-02-20</publishtime>", True),
    ("022_shuyang_county_drc_2023.html", "<publishtime>2024-01-17</publishtime>",
     "<publishtime>2024-01-31</publishtime>", False),
    # a zone reporting as a whole (本级政府): by 3月31日
    ("021_pingtan_zone_2022.html", 'content="2023-02-20 15:07"', 'content="2023-04-02 15:07"', True),
    ("021_pingtan_zone_2022.html", 'content="2023-02-20 15:07"', 'content="2023-03-31 09:00"', False),
])
def test_publication_deadline_by_level(corpus, tmp_path, name, old, new, fires):
    path = variant(corpus, tmp_path, name, name, (old, new))
    assert findings(path)[name] == ([("S006", "warning", None, None, None)] if fires else [])


def test_deadline_of_a_body_whose_level_is_unknown_is_the_later_one(tmp_path, seed):
    text = seed.read_text(encoding="utf-8")  # the seed's title names no body
    (tmp_path / "march.txt").write_text("发布时间：2021年3月15日\n" + text, encoding="utf-8")
    (tmp_path / "april.txt").write_text("发布时间：2021年4月1日\n" + text, encoding="utf-8")
    got = findings(tmp_path / "march.txt", tmp_path / "april.txt")
    assert got == {"march.txt": [], "april.txt": [("S006", "warning", None, None, None)]}


@pytest.mark.parametrize("stated,fires", [("占 25.7%", False), ("占比26%", False), ("占 30%", True)])
def test_percentage_against_the_tabled_total(corpus, tmp_path, stated, fires):
    # 004: 9 of the 35 requests answered were granted: 25.7 %
    name = "004_shanghai_stcsm_kewei_2024.md"
    path = variant(corpus, tmp_path, name, name, ("同意公开答复 9 件", f"同意公开答复 9 件，{stated}"))
    assert findings(path)[name] == ([("N026", "warning", None, None, None)] if fires else [])


def test_percentage_against_the_total_stated_in_the_sentence(corpus, tmp_path):
    name = "021_pingtan_zone_2022.html"
    ok = variant(corpus, tmp_path, name, "ok.html", ("涉及自然人72件", "涉及自然人72件，占96%"))
    bad = variant(corpus, tmp_path, name, "bad.html", ("涉及自然人72件", "涉及自然人72件，占90%"))
    got = findings(ok, bad, rules=("N026",))
    assert got == {"ok.html": [], "bad.html": [("N026", "warning", None, None, None)]}


def test_two_different_reports_of_one_body_and_year(corpus, tmp_path):
    name = "004_shanghai_stcsm_kewei_2024.md"
    other = variant(corpus, tmp_path, name, "draft.md", ("| 规范性文件 | 13 | 0 | 55 |", "| 规范性文件 | 12 | 0 | 55 |"))
    same = variant(corpus, tmp_path, name, "copy.md")  # the same report again (another form, say): no finding
    got = findings(corpus / name, other, same, rules=("Y009",))
    assert got == {name: [("Y009", "warning", None, None, None)], "draft.md": [("Y009", "warning", None, None, None)],
                   "copy.md": [("Y009", "warning", None, None, None)]}
    doc = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(corpus / name), str(same)]).stdout)
    assert [x["rule"] for f in doc["files"] for x in f["findings"] if x["rule"] == "Y009"] == []


def test_pairing_does_not_depend_on_argument_order(corpus, tmp_path):
    name = "004_shanghai_stcsm_kewei_2024.md"
    title = ("2024 年上海市科委政府信息公开工作", "2023 年上海市科委政府信息公开工作")
    a = variant(corpus, tmp_path, name, "a_2023.md", title, ("| 规范性文件 | 13 | 0 | 55 |", "| 规范性文件 | 13 | 0 | 40 |"))
    b = variant(corpus, tmp_path, name, "b_2023.md", title, ("| 规范性文件 | 13 | 0 | 55 |", "| 规范性文件 | 13 | 0 | 45 |"))

    def y002(*paths):
        doc = json.loads(CliRunner().invoke(main, ["check", "--format", "json", *map(str, paths)]).stdout)
        return [(x["rule"], x["expected"]) for f in doc["files"] if f["path"].endswith(name)
                for x in f["findings"] if x["rule"] == "Y002"]

    # paired with a_2023 (the first by path) in either order: 现行有效 55 ≠ 40 + 13 − 0
    assert y002(corpus / name, a, b) == y002(b, corpus / name, a) == [("Y002", 53)]
