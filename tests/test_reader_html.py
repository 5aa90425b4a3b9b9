"""The HTML reader: grids with spans expanded, paragraphs in order, charsets, bad input."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from validator.document import Position
from validator.errors import Unreadable
from validator.readers import html as reader
from validator.readers import parse
from validator.readers.html import normalize_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import make_seed_html  # noqa: E402
from .layout import T3_LABELS, ZERO7, paras, rows_of, texts  # noqa: E402

FIXTURE = FIXTURES / "taiqian_2020.html"



def read_bytes(data: bytes, name: str = "page.html"):
    return parse("html", Path(name), data)


@pytest.fixture(scope="module")
def page():
    return parse("html", FIXTURE, FIXTURE.read_bytes())


# ------------------------------------------------------------------ the seed fixture


def test_fixture_is_what_the_script_builds(seed):
    assert FIXTURE.read_bytes() == make_seed_html.build_bytes(seed), \
        "run python tests/fixtures/make_seed_html.py and commit the result"


def test_fixture_is_gbk_declared_gb2312():
    data = FIXTURE.read_bytes()
    assert b"<meta charset=gb2312>" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert reader.decode(data)[1] == "gb18030"


def test_document_kind(page):
    assert page.format == "html"
    assert page.path == str(FIXTURE)
    assert {b.pos.table for b in page.rows()} == {1, 2, 3}  # 表二, 表三, 表四; no layout table


def test_table3_header_grid(page):
    t3 = rows_of(page, 2)
    assert len(t3) == 26 and all(len(r) == 10 for r in t3)
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert t3[0] == [note] * 3 + ["申请人情况"] * 7
    assert t3[1] == [note] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"]
    # "商业<br>企业" joins without a separator; rowspan cells repeat downwards.
    assert t3[2] == [note] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def test_table3_rows_labels_and_values(page):
    body = rows_of(page, 2)[3:]
    assert [tuple(r[:3]) for r in body] == T3_LABELS
    values = {r[2]: r[3:] for r in body}
    assert values["一、本年新收政府信息公开申请数量"] == ["4", "0", "0", "0", "0", "0", "4"]
    assert values["二、上年结转政府信息公开申请数量"] == ZERO7
    assert values["（一）予以公开"] == ["3", "0", "0", "0", "0", "0", "3"]
    assert values["1.本机关不掌握相关政府信息"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert values["（六）其他处理"] == ZERO7
    assert values["（七）总计"] == ["4", "0", "0", "0", "0", "0", "4"]
    assert values["四、结转下年度继续办理"] == ZERO7
    assert all(len(v) == 7 for v in values.values())


def test_table3_positions(page):
    row4 = next(b for b in page.rows() if b.pos.table == 2 and b.pos.row == 4)
    assert [c.pos for c in row4.cells][3] == Position(table=2, row=4, col=4)
    assert row4.cells[3].text == "4" and row4.cells[9].pos == Position(table=2, row=4, col=10)
    # The group label of （三） is one <td rowspan=8>, repeated in rows 8..15 of the grid.
    group = [b.cells[1] for b in page.rows() if b.pos.table == 2 and 8 <= b.pos.row <= 15]
    assert {c.text for c in group} == {"（三）不予公开"}
    assert [c.pos.row for c in group] == list(range(8, 16))


def test_table4(page):
    t4 = rows_of(page, 3)
    assert len(t4) == 4 and all(len(r) == 15 for r in t4)
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert t4[0] == ["行政复议"] * 5 + ["行政诉讼"] * 10
    assert t4[1] == five + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5
    assert t4[2] == five * 3  # "尚<br>未<br>审<br>结" reads 尚未审结
    assert t4[3] == ["0"] * 15


def test_table2(page):
    t2 = rows_of(page, 1)
    assert all(len(r) == 4 for r in t2)
    assert t2[0] == ["第二十条第（一）项"] * 4
    assert t2[1] == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert ["规范性文件", "2", "2", "88"] in t2
    assert ["行政许可", "192", "0", "2,505"] in t2
    assert ["行政事业性收费", "36", "12", ""] in t2  # &nbsp; cell
    assert ["政府集中采购", "84", "17,233.32", ""] in t2  # a spanned value once (readers.grid)


def test_paragraphs_and_order(page):
    p = paras(page)
    assert p[0] == "台前县人民政府2020年政府信息公开工作年度报告_台前县人民政府"  # <title>
    assert "台前县人民政府2020年政府信息公开工作年度报告" in p
    headings = [x for x in p if x[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert headings == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                        "六、其他需要报告的事项"]
    assert any(x.startswith("2020年，新增主动公开政府信息10998条。") for x in p)
    # one <p> with <br>-separated lines gives one paragraph block per line
    i = p.index("存在的主要问题")
    assert p[i + 1].startswith("一是少数部门的公开意识") and p[i + 2] == "改进措施"
    assert p[-1] == "无"
    assert [b.pos.line for b in page.paragraphs()] == list(range(1, len(p) + 1))
    # document order: heading 三 right before 表三, heading 四 right before 表四
    kinds = [(b.kind, b.text[:4], b.pos.table) for b in page.blocks]
    first_t3 = next(i for i, k in enumerate(kinds) if k[2] == 2)
    first_t4 = next(i for i, k in enumerate(kinds) if k[2] == 3)
    assert page.blocks[first_t3 - 1].text.startswith("三、收到和处理")
    assert page.blocks[first_t4 - 1].text.startswith("四、政府信息公开行政复议")


def test_boilerplate_skipped(page):
    everything = "\n".join(b.text for b in page.blocks)
    # (words of the navigation that the seed's narrative does not use)
    for junk in ("首页", "当前位置", "公开指南", "网站标识码", "版权所有", "ICP", "访问统计",
                 "浏览次数", "打印本页", "_hmt", "MsoNormal", "document.write"):
        assert junk not in everything, junk


# -------------------------------------------------------------------------- charsets

CHINESE = "三、收到和处理政府信息公开申请情况。本年度共受理政府信息公开申请四件，均已按期答复。"


def page_html(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>年度报告</title></head><body>{body}</body></html>"


def test_gbk_only_characters_under_gb2312_label():
    # 镕 and 喆 are GBK, not GB2312: a page labelled gb2312 must be decoded as GB18030.
    html = page_html("<p>朱镕基 陶喆 申请4件</p>", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    data = html.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    # (the space between two CJK characters disappears by normalisation)
    assert paras(read_bytes(data)) == ["年度报告", "朱镕基陶喆申请4件"]


def test_gb18030_four_byte_character_under_gbk_label():
    html = page_html("<p>𠀀字</p>", "<meta charset='GBK'>")
    assert paras(read_bytes(html.encode("gb18030"))) == ["年度报告", "𠀀字"]


def test_utf8_without_meta():
    html = page_html(f"<p>{CHINESE}</p><table><tr><td>自然人</td><td>4</td></tr></table>")
    doc = read_bytes(html.encode("utf-8"))
    assert paras(doc) == ["年度报告", CHINESE]
    assert rows_of(doc, 1) == [["自然人", "4"]]


def test_gbk_without_meta_is_detected():
    html = page_html(f"<p>{CHINESE}</p>" * 3)
    data = html.encode("gbk")
    assert reader.decode(data)[1] == "gb18030"
    assert paras(read_bytes(data))[1] == CHINESE


@pytest.mark.parametrize("enc", ["utf-8-sig", "utf-16", "utf-16-be"])
def test_bom_wins_over_meta(enc):
    html = page_html(f"<p>{CHINESE}</p>", "<meta charset=gb2312>")
    data = html.encode(enc)
    if enc == "utf-16-be":
        data = b"\xfe\xff" + data
    assert paras(read_bytes(data))[1] == CHINESE


def test_meta_that_lies_about_gbk_when_the_page_is_utf8():
    html = page_html(f"<p>{CHINESE}</p>", "<meta charset=gb2312>")
    assert paras(read_bytes(html.encode("utf-8")))[1] == CHINESE


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "us-ascii"])
def test_western_label_on_a_gbk_page_is_ignored(label):
    html = page_html(f"<p>{CHINESE}</p>", f'<meta http-equiv="Content-Type" content="text/html; charset={label}">')
    assert paras(read_bytes(html.encode("gbk")))[1] == CHINESE


def test_utf16_label_on_an_ascii_compatible_page_means_utf8():
    html = page_html(f"<p>{CHINESE}</p>", "<meta charset=utf-16>")
    assert paras(read_bytes(html.encode("utf-8")))[1] == CHINESE


def test_xhtml_xml_declaration():
    html = '<?xml version="1.0" encoding="gbk"?>\n' + page_html(f"<p>{CHINESE}</p>")
    assert paras(read_bytes(html.encode("gbk")))[1] == CHINESE


# ----------------------------------------------------------------------- structures


def test_nested_layout_table_yields_inner_tables_and_cell_text():
    html = page_html(
        "<table class=layout><tr><td>当前位置：首页</td></tr>"
        "<tr><td><h2>二、主动公开政府信息情况</h2>"
        "<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>&nbsp;</td></tr></table>"
        "<p>三、收到和处理政府信息公开申请情况</p>"
        "<table><tr><td colspan=2>申请人情况</td></tr><tr><td>自然人</td><td>5</td></tr></table>"
        "</td></tr></table>")
    doc = read_bytes(html.encode("utf-8"))
    assert [(b.kind, b.pos.table) for b in doc.blocks] == [
        ("text", None), ("text", None), ("text", None), ("row", 1), ("row", 1), ("text", None),
        ("row", 2), ("row", 2)]
    assert rows_of(doc, 1) == [["信息内容", "本年制发件数"], ["规章", ""]]
    assert rows_of(doc, 2) == [["申请人情况", "申请人情况"], ["自然人", "5"]]
    assert paras(doc) == ["年度报告", "当前位置：首页", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]


def test_single_cell_layout_box_is_text():
    html = page_html("<table><tr><td><p>一、总体情况</p><p>正文第一段。</p></td></tr></table>")
    doc = read_bytes(html.encode("utf-8"))
    assert list(doc.rows()) == []
    assert paras(doc) == ["年度报告", "一、总体情况", "正文第一段。"]


def test_table_split_over_two_elements_gives_consecutive_rows():
    html = page_html(
        "<table><tr><td>一、本年新收政府信息公开申请数量</td><td>4</td><td>4</td></tr></table>"
        "<table><tr><td>二、上年结转政府信息公开申请数量</td><td>0</td><td>0</td></tr></table>")
    doc = read_bytes(html.encode("utf-8"))
    rows = list(doc.rows())
    assert [(b.pos.table, b.pos.row, b.cells[0].text) for b in rows] == [
        (1, 1, "一、本年新收政府信息公开申请数量"), (2, 1, "二、上年结转政府信息公开申请数量")]


def test_span_edge_cases_give_a_rectangle():
    html = page_html(
        "<table>"
        "<thead><tr><td rowspan=5>头</td><td>甲</td></tr><tr><td>乙</td></tr></thead>"  # clipped at thead
        "<tbody><tr><td>a</td><td rowspan=0>全</td></tr><tr><td>b</td></tr>"
        "<tr><td colspan='3x'>宽</td><td>　</td></tr>"
        "<tr><td>  </td></tr></tbody></table>")
    grid = rows_of(read_bytes(html.encode("utf-8")), 1)
    assert grid == [
        ["头", "甲", "", ""],
        ["头", "乙", "", ""],
        ["a", "全", "", ""],
        ["b", "全", "", ""],
        ["宽", "全", "宽", ""],  # overlapping spans: the earlier cell keeps the slot
        ["", "全", "", ""],
    ]


def test_br_and_whitespace_inside_cells():
    html = page_html("<table><tr><td>结果<br>维持</td><td> 1. 属于\n  国家秘密 </td>"
                     "<td><p>法人或</p><p>其他组织</p></td><td>共 4 件</td><td>&nbsp;&nbsp;</td></tr></table>")
    assert rows_of(read_bytes(html.encode("utf-8")), 1) == [
        ["结果维持", "1. 属于国家秘密", "法人或其他组织", "共 4 件", ""]]


def test_hidden_script_and_style_text_is_not_read():
    html = page_html("<p>正文</p><div style='display: none'>隐藏</div><script>var a='脚本';</script>"
                     "<style>p{}</style><noscript>请启用</noscript><nav>导航</nav><footer>页脚</footer>",
                     "<style>.x{}</style>")
    assert paras(read_bytes(html.encode("utf-8"))) == ["年度报告", "正文"]


def test_boilerplate_that_contains_a_table_is_kept():
    html = page_html("<div id=footer><table><tr><td>自然人</td><td>4</td></tr></table></div>")
    assert rows_of(read_bytes(html.encode("utf-8")), 1) == [["自然人", "4"]]


@pytest.mark.parametrize("raw,expected", [
    ("商业 企业", "商业企业"),
    ("结果\n维持", "结果维持"),
    ("  共  4\u00a0件 ", "共 4 件"),
    ("\u3000\u3000", ""),
    ("（一） 予以公开", "（一）予以公开"),
    ("危及 “三安全一稳定”", "危及“三安全一稳定”"),
    ("1.  属于国家秘密", "1. 属于国家秘密"),
    ("17,233.32\u200b", "17,233.32"),
    ("Total  cost\tok", "Total cost ok"),
])
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("data", [
    b"",
    b"   \n",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    b"PK\x03\x04\x14\x00\x06\x00",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"\x00\x01\x02binary\x00",
    "只是一段纯文本，没有任何网页标记。".encode("utf-8"),
    "只是一段纯文本，没有任何网页标记。".encode("gbk"),
    b"<html><head><title></title></head><body><img src=a.png><script>x</script></body></html>",
])
def test_garbage_raises_unreadable(data):
    with pytest.raises(Unreadable) as info:
        read_bytes(data)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.reason)
    assert info.value.detail


def test_image_only_page_says_so():
    with pytest.raises(Unreadable, match="图片"):
        read_bytes(page_html('<img src="t3.png">').replace("<title>年度报告</title>", "").encode())


def test_random_bytes_never_raise_anything_else():
    rng = random.Random(20240101)
    base = FIXTURE.read_bytes()
    for i in range(60):
        if i % 2:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        else:  # a damaged copy of the real fixture
            data = bytearray(base[: rng.randrange(1, len(base))])
            for _ in range(20):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data)
        try:
            doc = read_bytes(data)
        except Unreadable as e:
            assert e.reason
        else:
            assert doc.format == "html"
