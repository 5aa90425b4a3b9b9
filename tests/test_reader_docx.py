"""The DOCX reader, against the real blank 2021 WPS form (filled at test time) and synthetic drafts."""
from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from validator.document import Position
from validator.errors import Unreadable
from validator.readers import parse

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from docx_fill import SHUYANG_2025, fill_template, numbers_from_markdown  # noqa: E402
from .layout import paras, rows_of, texts  # noqa: E402

TEMPLATE = "blank_2021_template.wps.docx"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
FIVE = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def read_file(path: Path):
    return parse("docx", path, path.read_bytes())


@pytest.fixture(scope="module")
def blank(corpus):
    return read_file(corpus / TEMPLATE)


@pytest.fixture(scope="module")
def filled(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("docx") / "shuyang_2025_filled.docx"
    return read_file(fill_template(corpus / TEMPLATE, out))


# ----------------------------------------------------------------- the blank WPS form


def test_blank_template_structure(blank):
    assert blank.format == "docx"
    assert {b.pos.table for b in blank.rows()} == {1, 2, 3}
    # 46 <w:tr> rows in all (14 + 28 + 4): the "108" one gets by counting "<w:tr"
    # also counts the <w:trPr> elements.
    assert [len(rows_of(blank, t)) for t in (1, 2, 3)] == [14, 28, 4]
    assert {len(r) for r in rows_of(blank, 1)} == {4}
    assert {len(r) for r in rows_of(blank, 2)} == {10}
    assert {len(r) for r in rows_of(blank, 3)} == {15}


def test_blank_template_value_cells_are_empty(blank):
    t3 = rows_of(blank, 2)
    assert all(r[3:] == [""] * 7 for r in t3[3:])
    assert rows_of(blank, 3)[3] == [""] * 15
    # '\u3000' filler in the 表二 value cells reads as empty
    assert rows_of(blank, 1)[2] == ["规章", "", "", ""]


def test_blank_template_merges(blank):
    t3 = rows_of(blank, 2)
    # vMerge + gridSpan header cell over 3 rows x 3 columns
    assert [r[:3] for r in t3[:3]] == [[NOTE] * 3] * 3
    assert t3[0][3:] == ["申请人情况"] * 7
    assert t3[1][3:] == ["自然人"] + ["法人或其他组织"] * 5 + ["总计"]
    assert t3[2][3:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert t3[3][:3] == ["一、本年新收政府信息公开申请数量"] * 3
    assert {r[0] for r in t3[5:27]} == {"三、本年度办理结果"}
    assert [r[1] for r in t3[7:15]] == ["（三）不予公开"] * 8
    assert [r[1] for r in t3[23:26]] == ["（六）其他处理"] * 3
    t4 = rows_of(blank, 3)
    assert t4[0] == ["行政复议"] * 5 + ["行政诉讼"] * 10
    assert t4[1] == FIVE + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5
    assert t4[2] == FIVE * 3
    t2 = rows_of(blank, 1)
    assert t2[4] == ["第二十条第（五）项"] * 4
    assert t2[5] == ["信息内容"] + ["本年处理决定数量"] * 3


def test_blank_template_paragraphs_in_body_order(blank):
    p = paras(blank)
    assert p[0] == "政府信息公开工作年度报告格式模板"
    for h in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
              "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert h in p
    assert [b.pos.line for b in blank.paragraphs()] == list(range(1, len(p) + 1))
    order = [(b.kind, b.pos.table) for b in blank.blocks]
    heads = {b.text: i for i, b in enumerate(blank.blocks) if b.kind == "text"}
    assert order[heads["二、主动公开政府信息情况"] + 1] == ("row", 1)
    assert order[heads["三、收到和处理政府信息公开申请情况"] + 1] == ("row", 2)
    assert order[heads["四、政府信息公开行政复议、行政诉讼情况"] + 1] == ("row", 3)
    assert heads["五、存在的主要问题及改进情况"] > max(i for i, o in enumerate(order) if o == ("row", 3))


# ---------------------------------------------------------------- the filled form


def test_filler_numbers_are_the_reports(corpus):
    md = (corpus / "003_shuyang_county_gov_2025.md").read_text(encoding="utf-8")
    assert numbers_from_markdown(md) == SHUYANG_2025


def test_filled_table3_rows(filled):
    t3 = rows_of(filled, 2)
    body = t3[3:]
    assert len(body) == 25
    assert [r[2] for r in body] == list(SHUYANG_2025["t3"])
    for r in body:
        assert r[3:] == SHUYANG_2025["t3"][r[2]], r[2]
    first = body[0]
    assert first[:3] == ["一、本年新收政府信息公开申请数量"] * 3
    assert first[3:] == ["705", "3", "0", "0", "5", "0", "713"]
    assert body[-2][:3] == ["三、本年度办理结果", "（七）总计", "（七）总计"]
    assert body[-2][3:] == ["710", "3", "0", "0", "5", "0", "718"]
    assert body[-1][3:] == ["31", "0", "0", "0", "0", "0", "31"]
    # merged group labels repeated on every sub-row
    assert [r[:2] for r in body if r[2] in ("1.信访举报投诉类申请", "5.要求行政机关确认或重新出具已获取信息")] == \
        [["三、本年度办理结果", "（五）不予处理"]] * 2


def test_filled_positions(filled):
    row = next(b for b in filled.rows() if b.pos.table == 2 and b.pos.row == 4)
    assert row.cells[3].text == "705" and row.cells[3].pos == Position(table=2, row=4, col=4)
    assert row.cells[9].text == "713" and row.cells[9].pos == Position(table=2, row=4, col=10)


def test_filled_table4(filled):
    t4 = rows_of(filled, 3)
    assert t4[3] == SHUYANG_2025["t4"]
    assert t4[3] == ["27", "10", "9", "15", "61", "3", "0", "0", "0", "3", "8", "0", "1", "1", "10"]


def test_filled_table2(filled):
    t2 = rows_of(filled, 1)
    assert ["规章", "0", "0", "0"] in t2
    assert ["行政规范性文件", "6", "1", "32"] in t2
    assert ["行政许可", "517645", "", ""] in t2  # one cell spanning three grid columns: the value once
    assert ["行政事业性收费", "4068.208", "", ""] in t2


def test_filling_never_touches_the_corpus(corpus, filled):
    assert filled.path != str(corpus / TEMPLATE)
    assert not Path(filled.path).is_relative_to(corpus)


# -------------------------------------------------------------- synthetic drafts


def save(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_nested_tables_take_the_inner_ones(tmp_path):
    d = docx.Document()
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    outer = d.add_table(rows=1, cols=2)
    left, right = outer.cell(0, 0), outer.cell(0, 1)
    left.paragraphs[0].text = "版式表格左栏"
    inner = right.add_table(rows=2, cols=3)
    for r, values in enumerate([["类别", "自然人", "总计"], ["（一）予以公开", "3", "3"]]):
        for c, v in enumerate(values):
            inner.cell(r, c).paragraphs[0].text = v
    right.add_paragraph("表后说明")
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    doc = parse("docx", tmp_path / "n.docx", save(d))
    assert rows_of(doc, 1) == [["类别", "自然人", "总计"], ["（一）予以公开", "3", "3"]]
    assert {b.pos.table for b in doc.rows()} == {1}
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds == [
        ("text", "三、收到和处理政府信息公开申请情况"), ("text", "版式表格左栏"),
        ("row", "类别自然人总计"), ("row", "（一）予以公开33"), ("text", "表后说明"),
        ("text", "四、政府信息公开行政复议、行政诉讼情况")]


def test_merges_made_by_word(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).paragraphs[0].text = "第二十条第（一）项"
    t.cell(1, 0).merge(t.cell(3, 1)).paragraphs[0].text = "三、本年度办理结果"  # 3 rows x 2 cols
    t.cell(1, 2).paragraphs[0].text = "商业"
    t.cell(1, 2).add_paragraph("企业")
    t.cell(1, 3).paragraphs[0].text = "\u3000"
    t.cell(2, 2).merge(t.cell(3, 2)).paragraphs[0].text = "（三）不予公开"
    t.cell(2, 3).paragraphs[0].text = "7"
    doc = parse("docx", tmp_path / "m.docx", save(d))
    assert rows_of(doc, 1) == [
        ["第二十条第（一）项"] * 4,
        ["三、本年度办理结果", "三、本年度办理结果", "商业企业", ""],
        ["三、本年度办理结果", "三、本年度办理结果", "（三）不予公开", "7"],
        ["三、本年度办理结果", "三、本年度办理结果", "（三）不予公开", ""],
    ]


def test_raw_wordprocessingml_features(tmp_path):
    d = docx.Document()
    body = d.element.body
    sect = body[-1]
    xml = f"""
    <w:sdt {W_NS}><w:sdtContent>
      <w:p><w:r><w:t>一、总体</w:t></w:r><w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del>
           <w:ins><w:r><w:t>情况</w:t></w:r></w:ins>
           <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>
           <w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
    </w:sdtContent></w:sdt>"""
    tbl = f"""
    <w:tbl {W_NS}><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>
      <w:tr><w:tc><w:p><w:r><w:t>行政复议</w:t></w:r></w:p></w:tc>
            <w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>行政诉讼</w:t></w:r></w:p></w:tc>
            <w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc></w:tr>
      <w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>
            <w:sdt><w:sdtContent><w:tc><w:p><w:r><w:t>结果</w:t><w:br/><w:t>维持</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt>
      </w:tr>
    </w:tbl>"""
    sect.addprevious(parse_xml(xml))
    sect.addprevious(parse_xml(tbl))
    doc = parse("docx", tmp_path / "r.docx", save(d))
    assert paras(doc) == ["一、总体情况"]
    assert rows_of(doc, 1) == [["行政复议", "行政诉讼", "行政诉讼"], ["", "结果维持", ""]]


def test_empty_document_reads_as_empty(tmp_path):
    doc = parse("docx", tmp_path / "e.docx", save(docx.Document()))
    assert doc.blocks == []


# ------------------------------------------------------------------------ bad input


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


GOOD = save(docx.Document())


@pytest.mark.parametrize("data", [
    b"",
    b"not a word file at all",
    "纯文本".encode("gbk"),
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
    b"%PDF-1.4\n",
    b"<html><body><table><tr><td>1</td></tr></table></body></html>",
    b"PK\x03\x04garbage",
    GOOD[: len(GOOD) // 2],
    zip_bytes({"a.txt": b"hello"}),
    zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}),
    zip_bytes({"[Content_Types].xml": b"<notxml", "word/document.xml": b"<w:document"}),
], ids=["empty", "text", "gbk-text", "ole", "pdf", "html", "zip-garbage", "half-docx", "zip-no-office", "xlsx-parts",
        "docx-broken-xml"])  # ids, not the bytes: zips carry the time they were built (pytest-xdist compares ids)
def test_garbage_raises_unreadable(data, tmp_path):
    with pytest.raises(Unreadable) as info:
        parse("docx", tmp_path / "bad.docx", data)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.reason)
    assert info.value.detail


def test_corrupted_members_never_raise_anything_else(corpus, tmp_path):
    base = (corpus / TEMPLATE).read_bytes()
    rng = random.Random(7)
    for _ in range(25):
        data = bytearray(base)
        for _ in range(rng.randrange(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            parse("docx", tmp_path / "x.docx", bytes(data))
        except Unreadable as e:
            assert e.reason
