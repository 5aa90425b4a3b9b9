"""The spreadsheet reader (XLSX and CSV): the seed fixtures, merged cells, values, paragraphs, bad input."""
from __future__ import annotations

import csv
import datetime
import io
import random
import re
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from validator import readers
from validator.document import Position
from validator.errors import Unreadable
from validator.readers import parse
from validator.readers.sheet import cell_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import make_seed_xlsx  # noqa: E402
from .layout import T3_LABELS, ZERO7, texts  # noqa: E402

XLSX = FIXTURES / "taiqian_2020.xlsx"
CSV = FIXTURES / "taiqian_2020.csv"
SHEET = make_seed_xlsx.SHEET
NOTE = make_seed_xlsx.NOTE



def read_path(path: Path):
    return parse("sheet", path, path.read_bytes())


def read_bytes(data: bytes, name: str = "book.xlsx"):
    return parse("sheet", Path(name), data)


def xlsx_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_zip(data: bytes, edit) -> bytes:
    """A copy of an archive with ``edit(name, content) -> content | None`` applied (None drops)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = edit(info.filename, src.read(info.filename))
            if content is not None:
                dst.writestr(info.filename, content)
        extra = edit(None, None)
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def table_rows(doc, start: str, n: int) -> list[list[str]]:
    """``n`` row blocks from the first whose first cell is ``start``."""
    rows = list(doc.rows())
    i = next(k for k, b in enumerate(rows) if b.cells[0].text == start)
    return [texts(b) for b in rows[i:i + n]]


@pytest.fixture(scope="module")
def book():
    return read_path(XLSX)


@pytest.fixture(scope="module")
def sheet_csv():
    return read_path(CSV)


# ------------------------------------------------------------------ the seed fixtures


def test_fixtures_are_what_the_script_builds():
    assert CSV.read_bytes() == make_seed_xlsx.build_csv()
    built = openpyxl.load_workbook(io.BytesIO(make_seed_xlsx.build_xlsx()))
    committed = openpyxl.load_workbook(XLSX)
    assert committed.sheetnames == built.sheetnames == [SHEET, "Sheet2"]
    for a, b in zip(committed.worksheets, built.worksheets):
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
        assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()]


def test_fixture_workbook_has_the_official_merges():
    ws = openpyxl.load_workbook(XLSX)[SHEET]
    merged = {str(r) for r in ws.merged_cells.ranges}
    note = next(r for r in ws.merged_cells.ranges if ws.cell(r.min_row, r.min_col).value == NOTE)
    assert (note.max_row - note.min_row, note.max_col - note.min_col) == (2, 2)  # 3 rows x 3 columns
    r = note.min_row
    assert f"D{r}:J{r}" in merged  # 申请人情况
    assert f"E{r + 1}:I{r + 1}" in merged  # 法人或其他组织
    assert f"D{r + 1}:D{r + 2}" in merged and f"J{r + 1}:J{r + 2}" in merged  # 自然人, 总计
    assert f"A{r + 5}:A{r + 24}" in merged  # 三、本年度办理结果 over its 20 rows
    assert f"B{r + 7}:B{r + 14}" in merged  # （三）不予公开 over 8 rows


def test_fixture_csv_is_gbk_with_merged_text_once():
    data = CSV.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    lines = list(csv.reader(io.StringIO(data.decode("gbk"), newline="")))
    assert {len(r) for r in lines} == {15}
    note = next(i for i, r in enumerate(lines) if r[0] == NOTE)
    assert lines[note][:4] == [NOTE, "", "", "申请人情况"]
    assert lines[note + 1][:3] == ["", "", ""]


def test_workbook_kind_and_positions(book):
    assert book.format == "xlsx"
    assert book.path == str(XLSX)
    first = book.blocks[0]
    assert first.kind == "text" and first.text == "台前县人民政府2020年政府信息公开工作年度报告"
    assert first.pos == Position(sheet=SHEET, table=1, row=1, col=1)
    # Sheet2 is empty: every block comes from the first sheet
    assert {c.pos.sheet for b in book.blocks for c in b.cells} == {SHEET}
    assert {c.pos.table for b in book.blocks for c in b.cells} == {1}
    assert str(first.pos) == f"工作表“{SHEET}”表格1第1行第1格"


def test_workbook_table3_grid(book):
    rows = table_rows(book, NOTE, 26)
    assert rows[0] == [NOTE] * 3 + ["申请人情况"] * 7
    assert rows[1] == [NOTE] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"]
    assert rows[2] == [NOTE] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert [tuple(r[:3]) for r in rows[3:]] == T3_LABELS
    values = [r[3:] for r in rows[3:]]
    assert values[0] == ["4", "0", "0", "0", "0", "0", "4"]  # ints written without ".0"
    assert values[2] == ["3", "0", "0", "0", "0", "0", "3"]
    assert values[12] == ["1", "0", "0", "0", "0", "0", "1"]
    assert values[21] == ["4", "0", "0", "0", "0", "0", "4"]
    assert all(v == ZERO7 for k, v in enumerate(values) if k not in (0, 2, 12, 21))


def test_workbook_table3_positions_are_sheet_coordinates(book):
    ws = openpyxl.load_workbook(XLSX)[SHEET]
    rows = [b for b in book.rows() if b.cells[0].text == "一、本年新收政府信息公开申请数量"]
    cell = rows[0].cells[3]
    assert cell.pos.sheet == SHEET and cell.pos.col == 4
    assert ws.cell(cell.pos.row, cell.pos.col).value == 4
    assert [c.pos.col for c in rows[0].cells] == list(range(1, 11))


def test_workbook_table4(book):
    rows = table_rows(book, "行政复议", 4)
    assert rows[0] == ["行政复议"] * 5 + ["行政诉讼"] * 10
    assert rows[1] == ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"] + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5
    assert rows[2][:5] == rows[1][:5] and rows[2][5:10] == rows[2][10:] == rows[1][:5]
    assert rows[3] == ["0"] * 15


def test_workbook_table2_numbers(book):
    rows = {r[0]: r for r in (texts(b) for b in book.rows())}
    assert rows["行政许可"] == ["行政许可", "192", "0", "2505"]
    assert rows["政府集中采购"] == ["政府集中采购", "84", "17233.32", ""]  # a merged money cell: never copied
    assert rows["行政事业性收费"] == ["行政事业性收费", "36", "12", ""]


def test_workbook_headings_and_paragraphs(book):
    paras = [b.text for b in book.paragraphs()]
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
                    "存在的主要问题", "改进措施", "无"):
        assert heading in paras
    assert any(p.startswith("2020年，新增主动公开政府信息10998条") for p in paras)
    assert paras.index("三、收到和处理政府信息公开申请情况") < paras.index("四、政府信息公开行政复议、行政诉讼情况")
    # the 表二 caption right under the heading reads as a caption (text), the later ones as rows
    assert "第二十条第（一）项" in paras
    assert ["第二十条第（五）项"] * 4 in [texts(b) for b in book.rows()]


def test_csv_kind_positions_and_grid(sheet_csv):
    doc = sheet_csv
    assert doc.format == "csv"
    assert doc.blocks[0].kind == "text" and doc.blocks[0].text.startswith("台前县人民政府2020年")
    assert doc.blocks[0].pos == Position(table=1, row=1, col=1)
    rows = table_rows(doc, NOTE, 26)
    # merged text only in the top-left cell: the group labels appear once
    assert rows[0] == [NOTE, "", "", "申请人情况", "", "", "", "", "", ""]
    assert rows[5][:3] == ["三、本年度办理结果", "（一）予以公开", ""]
    assert rows[7][:3] == ["", "（三）不予公开", "1.属于国家秘密"]
    assert rows[8][:3] == ["", "", "2.其他法律行政法规禁止公开"]
    assert rows[3][3:] == ["4", "0", "0", "0", "0", "0", "4"]
    t4 = table_rows(doc, "行政复议", 4)
    assert t4[0][0] == "行政复议" and t4[0][5] == "行政诉讼"
    assert t4[1][0] == "结果\n维持"  # quoted field with a line break
    assert t4[3] == ["0"] * 15


def test_workbook_and_csv_give_the_same_paragraphs(book, sheet_csv):
    assert [b.text for b in book.paragraphs()] == [b.text for b in sheet_csv.paragraphs()]


# ----------------------------------------------------------------- cell values


@pytest.mark.parametrize("value, text", [
    (7.0, "7"), (7, "7"), (-3.0, "-3"), (0.0, "0"), (0.1, "0.1"), (17233.32, "17233.32"),
    (1e-05, "0.00001"), (2.5e-07, "0.00000025"), (1e16, "10000000000000000"),
    (123456789.123, "123456789.123"), (None, ""), ("2,505", "2,505"), (" 4 ", " 4 "),
    ("结果\n维持", "结果\n维持"), (True, "TRUE"),
    (datetime.datetime(2021, 1, 29), "2021-01-29"), (datetime.datetime(2021, 1, 29, 9, 30), "2021-01-29 09:30:00"),
    (datetime.date(2021, 1, 1), "2021-01-01"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_numbers_strings_and_dates_in_a_workbook():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["行政许可", 7.0, 0.1, 1e-05, "2,505", "／", datetime.date(2021, 1, 29), 17233.32, 3])
    doc = read_bytes(xlsx_bytes(wb))
    assert [texts(b) for b in doc.rows()] == [
        ["行政许可", "7", "0.1", "0.00001", "2,505", "／", "2021-01-29", "17233.32", "3"]]


# ----------------------------------------------------------------- structure


def test_every_sheet_in_order_with_its_name_and_index():
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本表为台前县人民政府2020年政府信息公开工作年度报告的附表，数据截至2020年12月31日。"
    wb.create_sheet("空白")
    t3 = wb.create_sheet("表三")
    t3.append(["一、本年新收政府信息公开申请数量", 4, 0, 0, 0, 0, 0, 4])
    t4 = wb.create_sheet("表四")
    t4.append([0] * 15)
    doc = read_bytes(xlsx_bytes(wb))
    assert [(b.kind, b.pos.sheet, b.pos.table) for b in doc.blocks] == [
        ("text", "说明", 1), ("row", "表三", 3), ("row", "表四", 4)]
    assert doc.blocks[1].cells[7].pos == Position(sheet="表三", table=3, row=1, col=8)


def test_merged_ranges_are_expanded_both_ways():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B2"] = "三、本年度办理结果"
    ws.merge_cells("B2:B4")
    ws["C2"] = "（一）予以公开"
    ws.merge_cells("C2:D2")
    ws["C3"] = "（三）不予公开"
    ws.merge_cells("C3:C4")
    for r, (label, v) in enumerate((("1.属于国家秘密", 0), ("2.其他法律行政法规禁止公开", 1)), 3):
        ws.cell(r, 4, label)
        ws.cell(r, 5, v)
    ws["E2"] = 3
    ws["F2"] = 9
    ws.merge_cells("F2:G3")  # a merged value: in its top-left position only, as the other grid readers do
    doc = read_bytes(xlsx_bytes(wb))
    assert [texts(b) for b in doc.rows()] == [
        ["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "3", "9", ""],
        ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "0", "", ""],
        ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", "1", "", ""],
    ]
    assert [c.pos.col for c in doc.blocks[0].cells] == [2, 3, 4, 5, 6, 7]


def test_empty_rows_skipped_blank_value_rows_kept():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"])
    ws.append(["规章", None, None, None])
    ws.append([None, None, None, None])
    ws.append([None, "  ", None, None])  # whitespace only: empty
    ws.append(["规范性文件", 2, 2, 88])
    ws["A9"] = None  # a stored but empty cell far below
    ws.row_dimensions[20].height = 30  # formatting alone makes no row
    doc = read_bytes(xlsx_bytes(wb))
    assert [(b.kind, b.pos.row, texts(b)) for b in doc.blocks] == [
        ("row", 1, ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]),
        ("row", 2, ["规章", "", "", ""]),
        ("row", 5, ["规范性文件", "2", "2", "88"]),
    ]


def test_single_text_rows():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "某某局2021年政府信息公开工作年度报告"  # title, alone
    ws["A3"] = "三、收到和处理政府信息公开申请情况"  # heading directly above a table
    ws.append(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", None, "申请人情况"])
    ws.append(["一、本年新收政府信息公开申请数量", None, 1])
    ws.append(["四、结转下年度继续办理"])  # label with blank values, inside the table: a row
    ws.append(["注：本表数据由各部门报送，经县政府办公室汇总。"])  # a sentence below the table
    ws.append([42])  # a bare number stays a row
    ws["A10"] = "无"  # text standing alone
    long = "一是" + "持续深化重点领域信息公开" * 6
    ws.append([])
    ws["B12"] = long
    doc = read_bytes(xlsx_bytes(wb))
    kinds = [(b.kind, b.pos.row, b.text) for b in doc.blocks]
    assert kinds == [
        ("text", 1, "某某局2021年政府信息公开工作年度报告"),
        ("text", 3, "三、收到和处理政府信息公开申请情况"),
        ("row", 4, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况"),
        ("row", 5, "一、本年新收政府信息公开申请数量1"),
        ("row", 6, "四、结转下年度继续办理"),
        ("text", 7, "注：本表数据由各部门报送，经县政府办公室汇总。"),
        ("row", 8, "42"),
        ("text", 10, "无"),
        ("text", 12, long),
    ]
    blank = doc.blocks[4]
    assert texts(blank) == ["四、结转下年度继续办理", "", ""]  # padded to the block's columns


def test_title_merged_over_the_used_width_is_text_even_inside_a_run():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["行政复议", None, "行政诉讼", None])
    ws.append(["某县2020年报", None, None, None])
    ws.merge_cells("A2:D2")
    ws.append(["二、上年结转政府信息公开申请数量", None])
    ws.merge_cells("A3:B3")
    ws.append([0, 0, 0, 0])
    doc = read_bytes(xlsx_bytes(wb))
    assert [(b.kind, b.pos.row) for b in doc.blocks] == [("row", 1), ("text", 2), ("row", 3), ("row", 4)]


# ----------------------------------------------------------------- formulas and modes


def _with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Put cached results ``<v>`` into formula cells, as Excel or LibreOffice save them."""
    def edit(name, content):
        if name is None or not name.startswith("xl/worksheets/sheet"):
            return None if name is None else content
        text = content.decode("utf-8")
        for ref, v in values.items():
            text = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{v}</v>", text)
        return text.encode("utf-8")
    return rewrite_zip(data, edit)


def test_formulas_give_their_cached_values():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["一、本年新收政府信息公开申请数量", 3, 1, "=B1+C1"])
    data = _with_cached_values(xlsx_bytes(wb), {"D1": "4"})
    assert [texts(b) for b in read_bytes(data).rows()] == [["一、本年新收政府信息公开申请数量", "3", "1", "4"]]


def test_formula_without_cached_value_is_not_a_blank():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["一、本年新收政府信息公开申请数量", 3, 1, "=SUM(B1:C1)"])
    ws["E1"] = "x"
    ws.merge_cells("E1:F1")  # normal mode
    for data in (xlsx_bytes(wb),):
        row = next(read_bytes(data).rows())
        assert texts(row)[3] == "=SUM(B1:C1)"
    ws.unmerge_cells("E1:F1")  # read-only mode
    assert texts(next(read_bytes(xlsx_bytes(wb)).rows()))[3] == "=SUM(B1:C1)"


def test_read_only_mode_ignores_a_wrong_stored_dimension():
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 6):
        ws.append([f"行{r}", r, r * 2])

    def edit(name, content):
        if name is None:
            return None
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', content)
        return content
    doc = read_bytes(rewrite_zip(xlsx_bytes(wb), edit))
    assert [texts(b) for b in doc.rows()][-1] == ["行5", "5", "10"]
    assert len(list(doc.rows())) == 5


def test_merged_and_unmerged_workbooks_read_alike():
    """The normal mode (merges) and the read-only mode give the same rows for the same values."""
    def build(merge: bool) -> bytes:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["规章", 0, 0, 0])
        ws.append(["规范性文件", 2, 2, 88])
        ws["F10"] = "x"
        if merge:
            ws.merge_cells("F10:G10")
        return xlsx_bytes(wb)
    a, b = read_bytes(build(True)), read_bytes(build(False))
    assert [texts(x) for x in a.rows()][:2] == [texts(x) for x in b.rows()][:2]


def _as_xlsm(data: bytes) -> bytes:
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name = \"Module1\"\nSub Auto_Open()\nShell \"calc\"\nEnd Sub\n"

    def edit(name, content):
        if name is None:
            return {"xl/vbaProject.bin": vba}
        if name == "[Content_Types].xml":
            content = content.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            return content.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
        return content
    return rewrite_zip(data, edit)


def test_xlsm_is_read_without_running_anything(tmp_path):
    data = _as_xlsm(XLSX.read_bytes())
    path = tmp_path / "taiqian_2020.xlsm"
    path.write_bytes(data)
    assert readers.sniff(path, data) == "sheet"
    doc = readers.read(path)
    assert doc.format == "xlsx"
    assert [texts(b) for b in doc.blocks] == [texts(b) for b in read_path(XLSX).blocks]


# --------------------------------------------------------------------------- CSV


def _csv_doc(text: str, encoding: str = "utf-8", name: str = "t.csv"):
    return read_bytes(text.encode(encoding), name)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(delimiter):
    rows = [["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "0", "0", "0"],
            ["规范性文件", "2", "2", "88"]]
    text = "\r\n".join(delimiter.join(r) for r in rows)
    assert [texts(b) for b in _csv_doc(text).rows()] == rows


def test_csv_delimiter_in_a_quoted_field_and_ragged_rows():
    text = '报告,,\n"行政许可",192,"2,505"\n规章,0\n'
    doc = _csv_doc(text)
    assert [texts(b) for b in doc.rows()] == [["行政许可", "192", "2,505"], ["规章", "0", ""]]
    assert doc.blocks[0].kind == "text" and doc.blocks[0].text == "报告"


@pytest.mark.parametrize("encoding, bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-8", b""), ("gb18030", b""),
                                           ("utf-16-le", b"\xff\xfe")])
def test_csv_encodings(encoding, bom):
    text = "行政许可\t192\t0\t2505\n行政处罚\t2641\t0\t508\n"  # Excel's "Unicode text" is UTF-16 with tabs
    doc = read_bytes(bom + text.encode(encoding), "t.csv")
    assert [texts(b) for b in doc.rows()] == [["行政许可", "192", "0", "2505"], ["行政处罚", "2641", "0", "508"]]


def test_csv_single_column_is_text():
    doc = _csv_doc("台前县人民政府2020年政府信息公开工作年度报告\n\n一、总体情况\n")
    assert [(b.kind, b.pos.row, b.text) for b in doc.blocks] == [
        ("text", 1, "台前县人民政府2020年政府信息公开工作年度报告"), ("text", 3, "一、总体情况")]


# ------------------------------------------------------------------- sniffing


def test_sniff_sends_xlsx_and_csv_here(tmp_path):
    data = XLSX.read_bytes()
    assert readers.sniff(tmp_path / "x.xlsx", data) == "sheet"
    assert readers.sniff(tmp_path / "no_extension", data) == "sheet"
    assert readers.sniff(tmp_path / "x.csv", CSV.read_bytes()) == "sheet"
    assert readers.read(XLSX).format == "xlsx"
    assert readers.read(CSV).format == "csv"


def test_canonical_csv_is_still_read_as_canonical(tmp_path):
    from click.testing import CliRunner

    from validator.cli import main
    from validator.run import load_reports

    out = tmp_path / "cells.csv"
    r = CliRunner().invoke(main, ["extract", str(XLSX), "--format", "csv", "-o", str(out)])
    assert r.exit_code == 0, r.output
    reports = load_reports(out)
    assert [x.format for x in reports] == ["canonical"]


def test_xlsb_is_refused_with_a_reason(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    path = tmp_path / "r.xlsb"
    path.write_bytes(buf.getvalue())
    with pytest.raises(Unreadable, match="xlsb"):
        readers.read(path)


# ----------------------------------------------------------------- bad input


def _is_chinese(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _broken_sheet_xml(data: bytes) -> bytes:
    return rewrite_zip(data, lambda n, c: None if n is None else (c[: len(c) // 2] if n.startswith("xl/worksheets/") else c))


def _no_workbook_part(data: bytes) -> bytes:
    return rewrite_zip(data, lambda n, c: None if n is None else (b"garbage" if n == "xl/workbook.xml" else c))


@pytest.mark.parametrize("damage", [_truncated, _broken_sheet_xml, _no_workbook_part])
def test_corrupt_xlsx_is_unreadable(damage, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(damage(XLSX.read_bytes()))
    with pytest.raises(Unreadable) as e:
        readers.read(path)
    assert _is_chinese(e.value.reason)
    assert e.value.detail and e.value.detail.isascii()


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02\x03" * 100, b"%PDF-1.4 not a csv",
                                  b",,,\n,,,\n"])
def test_bad_csv_is_unreadable(data):
    with pytest.raises(Unreadable) as e:
        read_bytes(data, "bad.csv")
    assert _is_chinese(e.value.reason)


def _with_merge(data: bytes, ref: str) -> bytes:
    """Add a merged range to the first sheet's XML (openpyxl itself would build every
    covered cell to write it)."""
    def edit(name, content):
        if name is None or name != "xl/worksheets/sheet1.xml":
            return None if name is None else content
        return content.replace(b"</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'.encode())
    return rewrite_zip(data, edit)


@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A1:Z100000", "$A$1:$B$600000"])
def test_huge_merged_range_is_refused_before_openpyxl_expands_it(ref):
    import time

    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    data = _with_merge(xlsx_bytes(wb), ref)
    start = time.monotonic()
    with pytest.raises(Unreadable, match="上限") as e:
        read_bytes(data)
    assert "cells" in e.value.detail
    assert time.monotonic() - start < 5


def test_injected_merge_is_read_like_an_openpyxl_one():
    wb = openpyxl.Workbook()
    wb.active.append(["行政复议", None, None, "行政诉讼"])
    assert [texts(b) for b in read_bytes(_with_merge(xlsx_bytes(wb), "A1:C1")).rows()] == [
        ["行政复议", "行政复议", "行政复议", "行政诉讼"]]


def test_far_apart_cells_are_not_padded_without_bound():
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 200):
        ws.cell(r, 1, "标签")
        ws.cell(r, 16000, r)  # every row of the block spans 16 000 columns
    with pytest.raises(Unreadable, match="上限"):
        read_bytes(xlsx_bytes(wb))


def test_empty_workbook_is_unreadable():
    with pytest.raises(Unreadable, match="没有任何内容"):
        read_bytes(xlsx_bytes(openpyxl.Workbook()))


def test_random_damage_never_raises_anything_else():
    rng = random.Random(20201231)
    original = XLSX.read_bytes()
    for _ in range(40):
        data = bytearray(original)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        for name in ("r.xlsx", "r.csv"):
            try:
                doc = read_bytes(bytes(data), name)
            except Unreadable as e:
                assert _is_chinese(e.reason)
            else:
                assert doc.format in ("xlsx", "csv")
    for _ in range(40):
        blob = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3000)))
        try:
            read_bytes(blob, "r.csv")
        except Unreadable:
            pass
