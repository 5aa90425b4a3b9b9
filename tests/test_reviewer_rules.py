"""What a careful reviewer also checks (issue 15): copied years, year-on-year jumps, a fee
unit mistake, the publication deadline, percentages, printed subtotal rows of 表三, 表二
plausibility and fees stated in the text. Each rule fires on a variant of a real report made
for it and stays silent on the real reports and the seed (the narrative rules N009–N025 fire
in tests/test_narrative_tables.py; every rule of the issue is silent in the last test here)."""
from __future__ import annotations

import json
import math

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


@pytest.fixture(scope="module")
def real_batch(corpus, seed) -> dict[str, list]:
    """The corpus and the seed checked together once (the findings of every rule of issue 15)."""
    return findings(*sorted(corpus.glob("0*")), seed, rules=ISSUE_15)


def test_silent_on_every_real_report_checked_together(real_batch):
    got = {name: [x for x in v if x[0] in RULES] for name, v in real_batch.items()}
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


# ---------------------------------------------------------------- printed subtotal rows (item 6)

SUBTOTALS = ("T302", "T303", "T304", "T305", "T306", "T307", "X002", "X003", "X004", "S005")
SHUYANG = "003_shuyang_county_gov_2025.md"  # 2021 format, markdown, 表三 in one row per item
WITHHELD_FIRST = "| 1. 属于国家秘密 |"
OTHER_LAST = "| 3. 其他 | 142 | 1 | 0 | 0 | 0 | 0 | 143 |"  # （六）1–3: 9 + 7 + 142, 0 + 0 + 1 → 158 / 1 / 159
SEED_UNABLE = "\t(四) 无法提供\t1. 本机关不掌握相关政府信息"  # the seed's （四）: 1 + 0 + 0, 自然人


def cells(path):
    from validator.extract import extract
    from validator.readers import read

    return {(c.table, c.row, c.column): (c.value, c.state) for c in extract(read(path)).cells}


def seed_variant(seed, tmp_path, out, subtotal):
    text = seed.read_text(encoding="utf-8")
    assert SEED_UNABLE in text
    path = tmp_path / out
    path.write_text(text.replace(SEED_UNABLE, f"\t(四) 无法提供\t{subtotal}\n\t\t1. 本机关不掌握相关政府信息"),
                    encoding="utf-8")
    return path


def test_printed_subtotals_are_read_and_consistent_ones_are_silent(corpus, tmp_path, seed):
    # （三） printed before its items, （六） after them (2021 corpus report); （四） of the 2019 seed
    ok = variant(corpus, tmp_path, SHUYANG, "subtotals.md",
                 (WITHHELD_FIRST, "| （三）不予公开 | 32 | 0 | 0 | 0 | 0 | 0 | 32 |\n" + WITHHELD_FIRST),
                 (OTHER_LAST, OTHER_LAST + "\n| （六）其他处理 | 158 | 1 | 0 | 0 | 0 | 0 | 159 |"))
    ok_seed = seed_variant(seed, tmp_path, "seed_subtotal.txt", "1\t0\t0\t0\t0\t0\t1")
    got = findings(corpus / SHUYANG, ok, seed, ok_seed, rules=SUBTOTALS)
    assert got == {SHUYANG: [], "subtotals.md": [], seed.name: [], "seed_subtotal.txt": []}
    # every cell of the original is read as before, and the subtotal rows besides (never an unknown row)
    for original, derived, rows in ((corpus / SHUYANG, ok, {"results.withheld.subtotal": 32, "results.other.subtotal": 159}),
                                    (seed, ok_seed, {"results.unable.subtotal": 1})):
        before, after = cells(original), cells(derived)
        assert {k: v for k, v in after.items() if k[1] not in rows} == before
        assert {k[1]: v for k, v in after.items() if k[1] in rows and k[2] == "total"} == \
            {row: (float(total), "number") for row, total in rows.items()}


@pytest.mark.parametrize("where", ["seed", "corpus"])
def test_a_wrong_printed_subtotal_names_that_row(corpus, tmp_path, seed, where):
    if where == "seed":  # 2019 format: （四）无法提供 printed as 2, its items add up to 1
        path = seed_variant(seed, tmp_path, "seed_wrong.txt", "2\t0\t0\t0\t0\t0\t2")
        want = [("T305", "error", "表三", "（四）无法提供", "自然人"), ("T305", "error", "表三", "（四）无法提供", "总计")]
    else:  # 2021 format: the （六）其他处理 subtotal, after its items, 1 too many in 总计 (and so in its own row)
        path = variant(corpus, tmp_path, SHUYANG, "wrong.md",
                       (OTHER_LAST, OTHER_LAST + "\n| （六）其他处理 | 158 | 1 | 0 | 0 | 0 | 0 | 160 |"))
        want = [("T303", "error", "表三", "（六）其他处理", "总计"), ("T307", "error", "表三", "（六）其他处理", "总计")]
    doc = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(path)]).stdout)
    got = [(x["rule"], x["severity"], x["table"], x["row"], x["column"]) for x in doc["files"][0]["findings"]
           if x["severity"] != "info"]
    assert sorted(got) == sorted(want)
    assert {x["row_code"] for x in doc["files"][0]["findings"] if x["rule"] in ("T305", "T307")} <= \
        {"results.unable.subtotal", "results.other.subtotal"}


def test_single_other_row_without_its_items_is_the_2019_row_not_a_subtotal(corpus, tmp_path):
    # a 2021 report printing （六）其他处理 as one row with numbers (the 2019 form): the deviation
    path = variant(corpus, tmp_path, SHUYANG, "single.md",
                   ("| 1. 申请人无正当理由逾期不补正, 行政机关不再处理其政府信息公开申请 | 9 | 0 | 0 | 0 | 0 | 0 | 9 |",
                    "| （六）其他处理 | 158 | 1 | 0 | 0 | 0 | 0 | 159 |"),
                   ("| 2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 7 | 0 | 0 | 0 | 0 | 0 | 7 |\n", ""),
                   (OTHER_LAST + "\n", ""))
    got = findings(path, rules=SUBTOTALS)["single.md"]
    assert got == [("X004", "warning", "表三", "（六）其他处理", None)]
    read = cells(path)
    assert read[("t3", "results.other", "total")] == (159.0, "number")
    assert not any(k[1].endswith(".subtotal") for k in read)


def test_subtotals_survive_the_canonical_round_trip(tmp_path, seed):
    wrong = seed_variant(seed, tmp_path, "seed_wrong.txt", "2\t0\t0\t0\t0\t0\t2")
    out = tmp_path / "cells.csv"
    assert CliRunner().invoke(main, ["extract", str(wrong), "--format", "csv", "-o", str(out)]).exit_code == 0
    direct, back = (findings(p, rules=SUBTOTALS)[p.name] for p in (wrong, out))
    assert sorted(direct) == sorted(back) == [("T305", "error", "表三", "（四）无法提供", "总计"),
                                              ("T305", "error", "表三", "（四）无法提供", "自然人")]


@pytest.mark.parametrize("rule,old,new", [
    # （三）不予公开 printed before its items: 32 in the corpus report, printed as 30
    ("T304", WITHHELD_FIRST, "| （三）不予公开 | 30 | 0 | 0 | 0 | 0 | 0 | 30 |\n" + WITHHELD_FIRST),
    # （四）无法提供 printed before its items: 111 + 2 + 0 = 113, printed as 112
    ("T305", "| 1. 本机关不掌握相关政府信息 |",
     "| （四）无法提供 | 112 | 0 | 0 | 0 | 0 | 0 | 112 |\n| 1. 本机关不掌握相关政府信息 |"),
    # （五）不予处理 printed after its items: 12 + 6 = 18 and 1, printed as 18 / 0 / 18 (the 商业企业 1 lost)
    ("T306", "| 5. 要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
     "| 5. 要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n| （五）不予处理 | 18 | 0 | 0 | 0 | 0 | 0 | 18 |"),
])
def test_each_subtotal_rule_fires_on_its_corpus_variant(corpus, tmp_path, rule, old, new):
    path = variant(corpus, tmp_path, SHUYANG, f"{rule}.md", (old, new))
    got = [f for f in findings(path, rules=SUBTOTALS)[f"{rule}.md"] if f[0] != "T303"]
    label = {"T304": "（三）不予公开", "T305": "（四）无法提供", "T306": "（五）不予处理"}[rule]
    columns = {"T304": ["总计", "自然人"], "T305": ["总计", "自然人"], "T306": ["商业企业", "总计"]}[rule]
    assert sorted(got) == sorted((rule, "error", "表三", label, c) for c in columns)


# ---------------------------------------------------------------- 表二 plausibility and fees (items 4, 5)

@pytest.mark.parametrize("edits,fires", [
    (((">135<", ">0<"),), "采购项目数量"),  # no project, yet an amount
    (((">75394432.52元<", ">0<"),), "采购总金额（单位：万元）"),  # projects, yet no amount
    (((">75394432.52元<", ">0<"), (">135<", ">0<")), None),  # neither: consistent
])
def test_procurement_items_and_amount_are_zero_together(corpus, tmp_path, edits, fires):
    name = "020_pingtan_zone_2019.html"  # 2019 format: 政府集中采购 135 projects, 75394432.52元
    path = variant(corpus, tmp_path, name, name, *edits)
    want = [("T203", "warning", "表二", "政府集中采购", fires)] if fires else []
    assert findings(path, rules=("T203",))[name] == want


@pytest.mark.parametrize("stated,expected", [
    ("全年行政事业性收费9116.36万元", None),  # 021's 表二（八）: 9116.36 万元
    ("全年行政事业性收费91163600元", None),  # the same in 元
    ("行政事业性收费约9116万元", None),  # rounded as printed
    ("全年行政事业性收费9000万元", 9000.0),
    ("行政事业性收费9116.36元", 0.911636),  # the table repeats the 元 figure: filled in 元 (message "unit")
])
def test_fee_amount_in_the_text_against_table_two(corpus, tmp_path, stated, expected):
    name = "021_pingtan_zone_2022.html"
    path = variant(corpus, tmp_path, name, name, ("一是做好规范性文件公开", f"一是做好规范性文件公开，{stated}"))
    doc = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(path)]).stdout)
    got = [(x["rule"], x["severity"], x["table"], x["row"], x["column"], x["expected"])
           for x in doc["files"][0]["findings"] if x["rule"] == "N027"]
    want = [("N027", "warning", "表二", "行政事业性收费", "本年收费金额（单位：万元）", expected)]
    assert got == (want if expected is not None else [])


# ---------------------------------------------------------------- the controls of every rule of this issue

ISSUE_15 = (*(f"N{n:03d}" for n in range(9, 28)), "T202", "T203", "T304", "T305", "T306", "T307",
            "Y005", "Y006", "Y007", "Y008", "Y009", "S006")


def test_every_rule_of_this_issue_is_silent_on_the_real_reports_and_the_seed(real_batch):
    """One batch: the corpus (014's 表四 errors are no rule of this issue) and the seed."""
    got = dict(real_batch)
    assert len(got) == 9
    # the real two-year series 洪泽 2023 → 2024 has two real five-fold changes (Y007, info)
    assert got.pop("015_huaian_hongze_district_gov_2024.pdf") == [
        ("Y007", "info", "表二", "行政许可", "本年处理决定数量"), ("Y007", "info", "表四", "行政复议", "结果维持")]
    assert all(v == [] for v in got.values()), got


@pytest.mark.parametrize("printed,fires", [("0", False), ("1", True)])
def test_a_subtotal_row_in_a_saved_web_page(corpus, tmp_path, printed, fires):
    # 022 (HTML, merged cells): a row 「（三）不予公开」 inserted before its items, under the
    # rowspan of 三、本年度办理结果 (made one row taller); its items are all 0
    name = "022_shuyang_county_drc_2023.html"
    text = (corpus / name).read_text(encoding="utf-8")
    assert text.count('rowspan="22"') == 1 and text.count('rowspan="8"') == 1
    at = text.rfind("<tr", 0, text.index('rowspan="8"'))
    row = f'<tr><td colspan="2">（三）不予公开</td><td>{printed}</td>' + "<td></td>" * 5 + f"<td>{printed}</td></tr>"
    path = tmp_path / name
    path.write_text((text[:at] + row + text[at:]).replace('rowspan="22"', 'rowspan="23"'), encoding="utf-8")
    doc = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(path)]).stdout)
    got = sorted((x["rule"], x["row"], x["column"], x["expected"]) for x in doc["files"][0]["findings"]
                 if x["rule"] in SUBTOTALS)
    assert got == ([("T304", "（三）不予公开", "总计", 0.0), ("T304", "（三）不予公开", "自然人", 0.0)] if fires else [])
    assert all(math.copysign(1.0, e) > 0 for *_, e in got)  # "应为 0", never -0.0 in the JSON
    assert cells(path)[("t3", "results.withheld.subtotal", "total")] == (float(printed), "number")
