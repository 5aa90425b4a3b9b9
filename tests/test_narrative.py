"""Narrative vs tables (N rules) and structure (S rules), on real reports and derived variants."""
from __future__ import annotations

from dataclasses import replace

import pytest

from validator.document import Block, Cell
from validator.engine import Checker
from validator.extract import extract
from validator.frame import build
from validator.narrative import find_parts, to_number
from validator.readers import read
from validator.rules import load
from validator.template import TEMPLATE


def run(report):
    return Checker([report], build([report]), load()).run()


def rules_of(findings, prefix):
    return sorted((f["rule"], f["severity"]) for f in findings if f["rule"][0] == prefix)


def edit_text(doc, old, new):
    """A copy of doc whose paragraphs have `old` replaced by `new` (exactly one occurrence)."""
    hits = [b for b in doc.blocks if b.kind == "text" and old in b.text]
    assert len(hits) == 1, (old, len(hits))
    blocks = [Block("text", (Cell(b.text.replace(old, new), b.pos),)) if b in hits else b for b in doc.blocks]
    return replace(doc, blocks=blocks)


@pytest.mark.parametrize("text,value", [("4", 4), ("1,234", 1234), ("四", 4), ("二十一", 21), ("十", 10),
                                        ("一百零五", 105), ("两千", 2000), ("三万四千", 34000)])
def test_chinese_and_arabic_numbers(text, value):
    assert to_number(text) == value


def test_parts_must_add_up():
    claims = find_parts(["全年发布信息 2139 条，其中动态类 1744 条，政务信息 393 条，解读类 21 条，回应关切 2 条。"])
    assert [(c.whole, c.parts) for c in claims] == [(2139, (1744, 393, 21, 2))]
    assert find_parts(["发布信息 393 件，其中包括：规范性文件 13 件；规划 2 件。"]) == []
    assert find_parts(["文章 1640 篇，其中原创文章 294 篇。"]) == []  # one part: a subset, not a partition


def test_seed_narrative_agrees(seed):
    assert rules_of(run(extract(read(seed))), "N") == []


def test_seed_received_count_changed_is_a_warning_naming_both_readings(seed):
    doc = edit_text(read(seed), "共受理政府信息公开申请4件", "共受理政府信息公开申请6件")
    found = [f for f in run(extract(doc)) if f["rule"] == "N002"]
    assert [(f.severity, f.table_code, f.reported, f.expected) for f in found] == [("warning", "t3", 6.0, 4.0)]
    assert [(c.table_code, c.row_code, c.column_code, c.value) for c in found[0].cells] == [("t3", "new", "total", 4.0)]
    # both of the rule's readings (本年新收; 本年新收＋上年结转) are named with their values
    readings = load()["N002"].listing("readings", ({"label": r["label"], "value": 4.0} for r in load()["N002"].readings))
    assert found[0].params["reading_text"] == readings and len(load()["N002"].readings) == 2
    assert "共受理政府信息公开申请6件" in found[0]["snippet"] and found[0].position == {"line": 17}


def test_seed_parts_changed(seed):
    doc = edit_text(read(seed), "通过政务微信公开政府信息6228条", "通过政务微信公开政府信息6282条")
    assert rules_of(run(extract(doc)), "N") == [("N008", "warning")]


def test_001_narrative_restates_tables(corpus):
    """001 restates 3119 received, 3050 answered, 34 carried over, 103 carried forward,
    复议 351 = 72+64+178+37, 诉讼 46 = 25+5+9+7: every claim is found and agrees."""
    report = extract(read(corpus / "001_huaian_city_gov_2024.pdf"))
    assert rules_of(run(report), "N") == []
    doc = edit_text(read(corpus / "001_huaian_city_gov_2024.pdf"), "另有103件顺延", "另有130件顺延")
    found = [f for f in run(extract(doc)) if f["rule"] == "N004"]
    assert [(f["severity"], f["reported"], f["expected"]) for f in found] == [("error", 130.0, 103.0)]


def test_004_parts_discrepancy_in_the_published_report(corpus):
    found = [f for f in run(extract(read(corpus / "004_shanghai_stcsm_kewei_2024.md"))) if f["rule"] == "N008"]
    assert [(f["reported"], f["expected"]) for f in found] == [(2139.0, 2160.0)]


def test_sections_present_in_seed(seed):
    assert rules_of(run(extract(read(seed))), "S") == []


def test_missing_section_and_empty_problems_section(seed):
    doc = read(seed)
    blocks = []
    skip = False
    for b in doc.blocks:  # drop everything between 五 and 六 except the heading: an empty section
        if b.kind == "text" and b.text.startswith("五、"):
            blocks.append(b)
            skip = True
            continue
        if b.kind == "text" and b.text.startswith("六、"):
            skip = False
        if not skip:
            blocks.append(b)
    found = rules_of(run(extract(replace(doc, blocks=blocks))), "S")
    assert found == [("S002", "warning")]
    no_six = [b for b in doc.blocks if not (b.kind == "text" and b.text.startswith("六、"))]
    found = [f for f in run(extract(replace(doc, blocks=no_six))) if f["rule"] == "S001"]
    s6 = next(s.label for s in TEMPLATE.sections if s.code == "s6")
    assert [(f.severity, f.params["sections"]) for f in found] == [("warning", load()["S001"].listing("sections", [s6]))]


def test_title_year_vs_period(corpus):
    doc = read(corpus / "003_shuyang_county_gov_2025.md")
    doc = edit_text(doc, "统计期限从2025年1月1日", "统计期限从2024年1月1日")
    found = [f for f in run(extract(doc)) if f["rule"] == "S003"]
    assert len(found) == 1 and (found[0].params["year"], found[0].params["period_year"]) == (2025, 2024)


def test_fees_must_be_reported_in_section_six(corpus):
    doc = read(corpus / "003_shuyang_county_gov_2025.md")  # 表三（六）2 总计 7, and 六 reports 380 元
    assert rules_of(run(extract(doc)), "S") == []
    doc = edit_text(doc, "收取信息处理费共计380元，其中民政局1件，收取380元", "未发生其他需要报告的事项")
    doc = edit_text(doc, "我县认真落实《政府信息公开信息处理费管理办法》要求，指导推动全县行政机关按规定收取费用。",
                    "")
    found = [f for f in run(extract(doc)) if f["rule"] == "S004"]
    assert [(f.severity, f.table_code, f.row_code, f.column_code, f.reported) for f in found] == [
        ("warning", "t3", "results.other.fee_unpaid", "total", 7.0)]
    assert [c.position for c in found[0].cells] == [{"line": 153, "col": 8}]


def test_a_sentence_ending_with_heading_words_is_not_a_heading(seed):
    doc = edit_text(read(seed), "六、其他需要报告的事项", "六、其他需要报告的事项")  # unchanged heading
    blocks = list(doc.blocks)
    i = next(k for k, b in enumerate(blocks) if b.kind == "text" and b.text.startswith("六、"))
    from validator.document import Position

    extra = Block("text", (Cell("本年度本机关未收取信息处理费，无其他需要报告的事项。", Position(line=999)),))
    report = extract(replace(doc, blocks=blocks[:i + 1] + [extra] + blocks[i + 1:]))
    assert [code for code, _, _ in report.sections].count("s6") == 1
    assert "未收取信息处理费" in report.section_text["s6"]
