"""Tests of the PDF reader (validator/readers/pdf.py).

The corpus tests assert values checked by eye on the rendered pages of the three real PDFs.
The synthetic tests build small PDFs by hand (no extra dependency), so the geometry rules
(blank cells, merged cells, vertical labels, tables split across pages, page numbers) and
the failure modes are exercised even where the corpus is absent.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from validator.document import Document, Position
from validator.errors import Unreadable
from validator.readers.pdf import NO_TABLE_TEXT, read

from .layout import texts

F001 = "001_huaian_city_gov_2024.pdf"
F014 = "014_huaian_hongze_district_gov_2023.pdf"
F015 = "015_huaian_hongze_district_gov_2024.pdf"

HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]

_cache: dict[str, Document] = {}


def load(corpus: Path, name: str) -> Document:
    if name not in _cache:
        path = corpus / name
        _cache[name] = read(path, path.read_bytes())
    return _cache[name]


def rows_with(doc: Document, label: str) -> list:
    return [b for b in doc.rows() if any(label in c.text for c in b.cells)]


def one_row(doc: Document, label: str):
    found = rows_with(doc, label)
    assert len(found) == 1, f"{label}: {[texts(b) for b in found]}"
    return found[0]


def table4_data_row(doc: Document):
    """The 表四 data row: the row after the header row holding 复议后起诉's sub-headers."""
    rows = list(doc.rows())
    for i, b in enumerate(rows):
        if texts(b).count("结果维持") == 3:
            return rows[i + 1]
    raise AssertionError("no 表四 header row")


def tail(block, n: int) -> list[str]:
    return texts(block)[-n:]


# --------------------------------------------------------------------------- corpus


@pytest.mark.parametrize(
    "name, title",
    [
        (F001, "淮安市人民政府2024年政府信息公开工作年度报告"),
        (F014, "洪泽区人民政府2023年政府信息公开工作年度报告"),
        (F015, "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"),
    ],
)
def test_title_and_headings_are_paragraphs(corpus, name, title):
    doc = load(corpus, name)
    assert doc.format == "pdf"
    paras = [b.text for b in doc.paragraphs()]
    assert paras[0] == title
    for h in HEADINGS:
        assert h in paras, h
    first = next(doc.paragraphs())
    assert first.pos.page == 1 and first.pos.line == 1


@pytest.mark.parametrize("name", [F001, F014, F015])
def test_text_is_clean(corpus, name):
    doc = load(corpus, name)
    for b in doc.blocks:
        for c in b.cells:
            assert "\n" not in c.text
            assert not re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", c.text), c.text
    for b in doc.paragraphs():
        assert not re.fullmatch(r"[-\s\d]*", b.text), f"page number or stray figures: {b.text!r}"
        assert "本年新收政府信息公开申请数量" not in b.text  # table text is not repeated
        assert "结果维持" not in b.text or "件" in b.text


@pytest.mark.parametrize("name", [F001, F014, F015])
def test_reading_order(corpus, name):
    doc = load(corpus, name)
    order = [b.text if b.kind == "text" else "ROW:" + "|".join(texts(b)) for b in doc.blocks]

    def at(pred) -> int:
        return next(i for i, t in enumerate(order) if pred(t))

    h2 = at(lambda t: t == HEADINGS[1])
    t2 = at(lambda t: t.startswith("ROW:") and "信息内容" in t)
    h3 = at(lambda t: t == HEADINGS[2])
    t3 = at(lambda t: t.startswith("ROW:") and "一、本年新收政府信息公开申请数量" in t)
    four = at(lambda t: t.startswith("ROW:") and "四、结转下年度继续办理" in t)
    h4 = at(lambda t: t == HEADINGS[3])
    t4 = at(lambda t: t.startswith("ROW:") and "行政复议" in t)
    h5 = at(lambda t: t == HEADINGS[4])
    assert h2 < t2 < h3 < t3 < four < h4 < t4 < h5


@pytest.mark.parametrize("name", [F001, F014, F015])
def test_table3_is_one_table_across_pages(corpus, name):
    doc = load(corpus, name)
    first = one_row(doc, "一、本年新收政府信息公开申请数量")
    last = one_row(doc, "四、结转下年度继续办理")
    assert first.pos.table == last.pos.table
    assert last.pos.page == first.pos.page + 1  # 表三 runs over a page break in all three
    rows = [b for b in doc.rows() if b.pos.table == first.pos.table]
    assert [b.pos.row for b in rows] == list(range(1, len(rows) + 1))
    for b in rows:
        assert len(b.cells) == 10
        assert [c.pos.col for c in b.cells] == list(range(1, 11))
    # the vertical label and the group labels are expanded on every sub-row, on both pages
    for label in ("1.属于国家秘密", "3.补正后申请内容仍不明确", "1.信访举报投诉类申请"):
        assert texts(one_row(doc, label))[0] == "三、本年度办理结果"
    assert texts(one_row(doc, "2.没有现成信息需要另行制作"))[:2] == ["三、本年度办理结果", "（四）无法提供"]
    assert texts(one_row(doc, "3.补正后申请内容仍不明确"))[1] == "（四）无法提供"
    assert texts(one_row(doc, "8.属于行政查询事项"))[1] == "（三）不予公开"
    header = next(b for b in rows if "商业企业" in texts(b))
    assert tail(header, 7) == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def test_001_values(corpus):
    doc = load(corpus, F001)
    row1 = one_row(doc, "一、本年新收政府信息公开申请数量")
    assert texts(row1) == ["一、本年新收政府信息公开申请数量"] * 3 + ["3001", "53", "0", "0", "61", "4", "3119"]
    assert row1.pos.page == 4
    assert tail(one_row(doc, "二、上年结转政府信息公开申请数量"), 7) == ["34", "0", "0", "0", "0", "0", "34"]
    total = one_row(doc, "（七）总计")
    assert texts(total) == ["三、本年度办理结果", "（七）总计", "（七）总计",
                            "2932", "53", "0", "0", "61", "4", "3050"]
    assert (total.pos.page, total.cells[-1].pos.col) == (5, 10)
    assert texts(one_row(doc, "四、结转下年度继续办理")) == ["四、结转下年度继续办理"] * 3 + [
        "103", "0", "0", "0", "0", "0", "103"]
    # the group label cut by the page break ("（四）无" | "法提供") is joined on both pages
    assert texts(one_row(doc, "1.本机关不掌握相关政府信息")) == [
        "三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息",
        "746", "12", "0", "0", "10", "1", "769"]
    assert one_row(doc, "1.本机关不掌握相关政府信息").pos.page == 4
    assert one_row(doc, "2.没有现成信息需要另行制作").pos.page == 5
    # labels wrapped over three lines come out whole
    assert texts(one_row(doc, "1、申请人无正当理由逾期不补正"))[2] == (
        "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
    assert tail(one_row(doc, "3、其他"), 7) == ["108", "2", "0", "0", "0", "0", "110"]
    t4 = table4_data_row(doc)
    assert texts(t4) == ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26",
                         "12", "1", "1", "6", "20"]
    # 表二: a value cell spanning columns is not duplicated
    assert texts(one_row(doc, "行政许可")) == ["行政许可", "447228", "", ""]
    assert texts(one_row(doc, "行政规范性文件")) == ["行政规范性文件", "8", "26", "66"]
    assert texts(one_row(doc, "行政事业性收费")) == ["行政事业性收费", "96171.6"]
    paras = [b.text for b in doc.paragraphs()]
    assert any("全市共受理政府信息公开申请3119件，答复3050件" in p for p in paras)


def test_014_values_as_published(corpus):
    doc = load(corpus, F014)
    assert tail(one_row(doc, "一、本年新收政府信息公开申请数量"), 7) == ["21", "0", "0", "0", "0", "0", "21"]
    assert tail(one_row(doc, "二、上年结转政府信息公开申请数量"), 7) == ["0"] * 7
    assert texts(one_row(doc, "（七）总计")) == ["三、本年度办理结果", "（七）总计", "（七）总计",
                                              "21", "0", "0", "0", "0", "0", "21"]
    assert tail(one_row(doc, "四、结转下年度继续办理"), 7) == ["0"] * 7
    # the report's own 表四 error is kept as published: 10 + 1 ≠ 总计 0, 5 ≠ 总计 0
    assert texts(table4_data_row(doc)) == ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0",
                                           "5", "0", "0", "0", "0"]
    # 2019-style single （六）其他处理 row, and the published label typo
    six = one_row(doc, "（六）其他处理")
    assert texts(six) == ["三、本年度办理结果", "（六）其他处理", "（六）其他处理"] + ["0"] * 7
    assert not rows_with(doc, "逾期不补正")
    assert tail(one_row(doc, "2.其他法律行政止公开"), 7) == ["0"] * 7
    assert tail(one_row(doc, "1.本机关不掌握相关政府信息"), 7) == ["10", "0", "0", "0", "0", "0", "10"]
    assert tail(one_row(doc, "2.没有现成信息需要另行制作"), 7) == ["3", "0", "0", "0", "0", "0", "3"]
    assert tail(one_row(doc, "（二）部分公开"), 7) == ["4", "0", "0", "0", "0", "0", "4"]
    assert texts(one_row(doc, "行政事业性收费")) == ["行政事业性收费", "7730.28"]


def test_015_values(corpus):
    doc = load(corpus, F015)
    assert tail(one_row(doc, "一、本年新收政府信息公开申请数量"), 7) == ["95", "0", "0", "0", "0", "0", "95"]
    assert tail(one_row(doc, "二、上年结转政府信息公开申请数量"), 7) == ["0"] * 7  # = 014's 四
    assert texts(one_row(doc, "（七）总计")) == ["三、本年度办理结果", "（七）总计", "",
                                              "95", "0", "0", "0", "0", "0", "95"]
    assert tail(one_row(doc, "四、结转下年度继续办理"), 7) == ["0"] * 7
    assert texts(table4_data_row(doc)) == ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1",
                                           "2", "0", "1", "0", "3"]
    six = one_row(doc, "（六）其他处理")
    assert texts(six) == ["三、本年度办理结果", "（六）其他处理", ""] + ["0"] * 7  # blank cell kept
    assert tail(one_row(doc, "（一）予以公开"), 7) == ["50", "0", "0", "0", "0", "0", "50"]
    assert tail(one_row(doc, "1.本机关不掌握相关政府信息"), 7) == ["31", "0", "0", "0", "0", "0", "31"]
    assert tail(one_row(doc, "2.没有现成信息需要另行制作"), 7) == ["1", "0", "0", "0", "0", "0", "1"]
    assert texts(one_row(doc, "4.无正当理由大量反复申请"))[2] == "4.无正当理由大量反复申请"


# --------------------------------------------------------------------------- synthetic PDFs


def build_pdf(pages: list[dict], *, encrypt: bool = False, flate=None, size=(595, 842)) -> bytes:
    """A minimal PDF. Each page: ``texts`` [(x, top, size, text)], ``lines`` [(x0, top0, x1, top1)]
    and ``white_boxes`` [(x0, top, x1, bottom)] (white fill, no stroke: invisible) in top-based
    coordinates on a page of ``size`` points (A4), and ``image`` (True: draw an image over
    400 x 300 pt of an A4 page; or (x0, top, x1, bottom) where to draw it).
    Text uses the standard CJK font STSong-Light (not embedded; every glyph 1 em wide).
    ``flate``: a function of a content stream's bytes giving its Flate-compressed form
    (damaged, say), or None to leave it uncompressed; None leaves every content stream
    uncompressed."""
    width, height = size
    objs: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>",
        4: b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 /FontDescriptor 7 0 R >>",
        5: b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream",
        7: b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -120 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    }
    kids = []
    n = 10
    for page in pages:
        ops = []
        for x0, t0, x1, t1 in page.get("white_boxes", []):
            ops.append(f"1 1 1 rg {x0} {height - t1} {x1 - x0} {t1 - t0} re f 0 0 0 rg")
        for x0, t0, x1, t1 in page.get("lines", []):
            ops.append(f"0.5 w {x0} {height - t0} m {x1} {height - t1} l S")
        for x, top, size, s in page.get("texts", []):
            ops.append(f"BT /F1 {size} Tf {x} {height - top - 0.88 * size:.2f} Td "
                       f"<{s.encode('utf-16-be').hex().upper()}> Tj ET")
        if page.get("image"):
            x0, t0, x1, t1 = (100, 242, 500, 542) if page["image"] is True else page["image"]
            ops.append(f"q {x1 - x0} 0 0 {t1 - t0} {x0} {height - t1} cm /Im1 Do Q")
        content = "\n".join(ops).encode()
        compressed = flate(content) if flate is not None else None
        if compressed is None:
            objs[n] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        else:
            objs[n] = (b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compressed) + compressed
                       + b"\nendstream")
        objs[n + 1] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 5 0 R >> >> >>" % (width, height, n)
        )
        kids.append(n + 1)
        n += 2
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    extra = b""
    if encrypt:  # a user password is set: the empty password does not open it
        objs[6] = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"41" * 32 + b"> /U <" + b"42" * 32 + b"> /P -4 >>"
        extra = b" /Encrypt 6 0 R /ID [<" + b"00" * 16 + b"> <" + b"00" * 16 + b">]"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    size = max(objs) + 1
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (size, extra, xref)
    return bytes(out)


def grid(xs: list[float], row_tops: list[float], merged: list[tuple[int, int, int, int]] = (),
         open_bottom: bool = False) -> list[tuple]:
    """Ruling lines for a table; ``merged`` cells (r0, r1, c0, c1), exclusive ends, lose
    their inner lines; ``open_bottom`` leaves the bottom border off (as at a page break)."""

    def covered(r: int, c: int) -> tuple | None:
        for m in merged:
            if m[0] <= r < m[1] and m[2] <= c < m[3]:
                return m
        return None

    lines = []
    nrows, ncols = len(row_tops) - 1, len(xs) - 1
    for i, y in enumerate(row_tops):  # horizontal segments, cell by cell
        if open_bottom and i == nrows:
            continue
        for c in range(ncols):
            above, below = covered(i - 1, c), covered(i, c)
            if above is not None and above is below:
                continue
            lines.append((xs[c], y, xs[c + 1], y))
    for j, x in enumerate(xs):  # vertical segments
        for r in range(nrows):
            left, right = covered(r, j - 1), covered(r, j)
            if left is not None and left is right:
                continue
            lines.append((x, row_tops[r], x, row_tops[r + 1]))
    return lines


def cell_text(xs, row_tops, r, c, text, size=10.0):
    top = (row_tops[r] + row_tops[r + 1]) / 2 - size / 2
    return (xs[c] + 2, top, size, text)


XS = [50, 70, 150, 300, 360, 420, 480]  # 3 label columns, 3 value columns (narrow, close)


def split_table_pdf() -> bytes:
    body = "本报告由某某县人民政府办公室根据条例编制，报告所列数据统计期限自二〇二四年一月一日起。"
    # page 1: title, a paragraph, a heading, then a table running to the foot of the page
    tops1 = [300, 320, 340, 380, 420, 460]
    p1 = [
        (220.5, 100, 22, "某某县人民政府"),
        (110.5, 130, 22, "2024年政府信息公开工作年度报告"),
        (50, 200, 12, body[:41]),
        (50, 220, 12, body[41:]),
        (74, 260, 12, "三、收到和处理政府信息公开申请情况"),
        cell_text(XS, tops1, 0, 0, "项目"),
        cell_text(XS, tops1, 0, 3, "自然人"),
        cell_text(XS, tops1, 0, 4, "商业企业"),
        cell_text(XS, tops1, 0, 5, "总计"),
        cell_text(XS, tops1, 1, 0, "一、本年新收"),
        cell_text(XS, tops1, 1, 3, "12"),  # 商业企业 left blank
        cell_text(XS, tops1, 1, 5, "12"),
        cell_text(XS, tops1, 2, 1, "（三）不予"),
        cell_text(XS, tops1, 3, 1, "公开"),
        cell_text(XS, tops1, 2, 2, "1.属于国家秘密"),
        cell_text(XS, tops1, 3, 2, "2.其他"),
        cell_text(XS, tops1, 4, 1, "（四）无"),
        cell_text(XS, tops1, 4, 2, "1.本机关不掌握"),
    ]
    for r, vals in ((2, ("2", "0", "2")), (3, ("3", "1", "4")), (4, ("7", "8", "15"))):
        p1 += [cell_text(XS, tops1, r, 3 + i, v) for i, v in enumerate(vals)]
    p1 += [(53, 345 + 12 * i, 10, ch) for i, ch in enumerate("三、本年度")]  # vertical label
    p1.append((290, 800, 10, "- 1 -"))
    merged1 = [(0, 1, 0, 3), (1, 2, 0, 3), (2, 5, 0, 1), (2, 4, 1, 2)]
    # page 2: the table goes on (same columns, no top border), then text
    tops2 = [60, 100, 130, 160, 190]
    p2 = [
        cell_text(XS, tops2, 0, 1, "法提供"),
        cell_text(XS, tops2, 0, 2, "2.没有现成信息"),
        cell_text(XS, tops2, 1, 2, "3.补正后不明确"),
        cell_text(XS, tops2, 2, 1, "（七）总计"),
        cell_text(XS, tops2, 3, 0, "四、结转下年度继续办理"),
        (74, 230, 12, "四、政府信息公开行政复议、行政诉讼情况"),
        (290, 800, 10, "- 2 -"),
    ]
    p2 += [(53, 65 + 12 * i, 10, ch) for i, ch in enumerate("办理结果")]
    for r, vals in ((0, ("1", "0", "1")), (1, ("0", "0", "0")), (2, ("13", "9", "22")), (3, ("3", "0", "3"))):
        p2 += [cell_text(XS, tops2, r, 3 + i, v) for i, v in enumerate(vals)]
    merged2 = [(0, 3, 0, 1), (0, 2, 1, 2), (2, 3, 1, 3), (3, 4, 0, 3)]
    lines2 = [ln for ln in grid(XS, tops2, merged2) if not (ln[1] == ln[3] == tops2[0])]
    return build_pdf([
        {"texts": p1, "lines": grid(XS, tops1, merged1, open_bottom=True)},
        {"texts": p2, "lines": lines2},
    ])


def test_synthetic_split_table():
    doc = read(Path("split.pdf"), split_table_pdf())
    rows = [texts(b) for b in doc.rows()]
    v = "三、本年度办理结果"
    assert rows == [
        ["项目", "项目", "项目", "自然人", "商业企业", "总计"],
        ["一、本年新收", "一、本年新收", "一、本年新收", "12", "", "12"],
        [v, "（三）不予公开", "1.属于国家秘密", "2", "0", "2"],
        [v, "（三）不予公开", "2.其他", "3", "1", "4"],
        [v, "（四）无法提供", "1.本机关不掌握", "7", "8", "15"],
        [v, "（四）无法提供", "2.没有现成信息", "1", "0", "1"],
        [v, "（四）无法提供", "3.补正后不明确", "0", "0", "0"],
        [v, "（七）总计", "（七）总计", "13", "9", "22"],
        ["四、结转下年度继续办理"] * 3 + ["3", "0", "3"],
    ]
    blocks = list(doc.rows())
    assert {b.pos.table for b in blocks} == {1}
    assert [b.pos.row for b in blocks] == list(range(1, 10))
    assert [b.pos.page for b in blocks] == [1] * 5 + [2] * 4
    assert blocks[1].cells[4].pos == Position(page=1, table=1, row=2, col=5)  # the blank cell
    paras = [b.text for b in doc.paragraphs()]
    assert paras == [
        "某某县人民政府2024年政府信息公开工作年度报告",
        "本报告由某某县人民政府办公室根据条例编制，报告所列数据统计期限自二〇二四年一月一日起。",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["text"] * 3 + ["row"] * 9 + ["text"]


def test_repeated_header_on_next_page_is_not_joined():
    xs = [50, 200, 260, 320]
    head = ["项目", "自然人", "其他"]
    tops1, tops2 = [700, 720, 740, 760], [60, 80, 100]

    def page(tops, rows_, open_bottom=False):
        cells = [cell_text(xs, tops, r, c, t) for r, row_ in enumerate(rows_) for c, t in enumerate(row_)]
        return {"texts": cells, "lines": grid(xs, tops, open_bottom=open_bottom)}

    doc = read(Path("repeat.pdf"), build_pdf([
        page(tops1, [head, ["（一）予以公开", "1", "2"], ["（二）部分公开", "3", "4"]], open_bottom=True),
        page(tops2, [head, ["（七）总计", "4", "6"]]),
    ]))
    blocks = list(doc.rows())
    assert [texts(b) for b in blocks] == [head, ["（一）予以公开", "1", "2"], ["（二）部分公开", "3", "4"],
                                          head, ["（七）总计", "4", "6"]]
    assert [(b.pos.page, b.pos.table, b.pos.row) for b in blocks] == [
        (1, 1, 1), (1, 1, 2), (1, 1, 3), (2, 1, 4), (2, 1, 5)]


def test_numbers_in_adjacent_cells_never_run_together():
    xs = [50, 150, 162, 174, 186]  # value cells 12 pt wide, digits touching the borders
    tops = [100, 120]
    texts_ = [cell_text(xs, tops, 0, 0, "合计"), (150.5, 105, 10, "1"), (162.5, 105, 10, "0"),
              (174.5, 105, 10, "4")]
    doc = read(Path("adjacent.pdf"), build_pdf([{"texts": texts_, "lines": grid(xs, tops)}]))
    assert [texts(b) for b in doc.rows()] == [["合计", "1", "0", "4"]]


def test_invisible_boxes_are_not_tables():
    """Word/WPS export white, unstroked boxes behind paragraphs; they do not make a table."""
    boxes = [(50, 100, 300, 160), (300, 100, 545, 160), (50, 160, 300, 220), (300, 160, 545, 220)]
    xs, tops = [50, 150, 250], [400, 420]
    texts_ = [(60, 110, 12, "左边的文字"), (310, 110, 12, "右边的文字12"), (60, 170, 12, "第二行"),
              (310, 170, 12, "34"), (50, 300, 12, "一、总体情况"),
              cell_text(xs, tops, 0, 0, "规章"), cell_text(xs, tops, 0, 1, "5")]
    doc = read(Path("boxes.pdf"), build_pdf([{"texts": texts_, "white_boxes": boxes, "lines": grid(xs, tops)}]))
    assert [texts(b) for b in doc.rows()] == [["规章", "5"]]
    paras = [b.text for b in doc.paragraphs()]
    assert "左边的文字右边的文字12" in paras and "一、总体情况" in paras


def test_unruled_table_lines_stay_apart():
    """A table drawn without rules is not a table to this reader, but its lines are kept one
    per paragraph with the figures spaced apart (never joined to the next label)."""
    lines = [(50, 100 + 20 * i, 10, s) for i, s in enumerate(["一、本年新收", "二、上年结转"])]
    figures = [(250 + 40 * j, 100 + 20 * i, 10, v) for i, row_ in enumerate([("21", "0", "21"), ("3", "0", "3")])
               for j, v in enumerate(row_)]
    doc = read(Path("unruled.pdf"), build_pdf([{"texts": [(50, 60, 10, "标题")] + lines + figures}]))
    assert [b.text for b in doc.paragraphs()] == ["标题", "一、本年新收 21 0 21", "二、上年结转 3 0 3"]


def _flip_checksum(content: bytes) -> bytes:
    import zlib

    z = bytearray(zlib.compress(content))
    z[-1] ^= 0x01  # the last byte of the Adler-32 checksum: every byte of the content is intact
    return bytes(z)


def test_stream_with_a_damaged_checksum_is_read():
    """A Flate content stream whose checksum is damaged (the page read by pdfplumber: its
    font is not embedded) still gives its page: pdfminer recovers it; the reader's one-call
    recovery (validator.readers.pdf._decompress_corrupted) keeps what pdfminer's gives."""
    import pdfminer.pdftypes

    from validator.readers import pdf

    xs, tops = [50, 150, 250], [400, 420]
    # a text object of one CJK character in a font that is not embedded: PDFium's text page
    # leaves it out, so the page is read by pdfplumber
    texts_ = [(50, 300, 12, "一、总体情况"), (50, 500, 12, "注"), cell_text(xs, tops, 0, 0, "规章"),
              cell_text(xs, tops, 0, 1, "5")]
    doc = read(Path("checksum.pdf"), build_pdf([{"texts": texts_, "lines": grid(xs, tops)}], flate=_flip_checksum))
    assert [texts(b) for b in doc.rows()] == [["规章", "5"]]
    assert [b.text for b in doc.paragraphs()] == ["一、总体情况", "注"]
    assert pdfminer.pdftypes.decompress_corrupted is pdf._decompress_corrupted  # the fallback put it in place


def test_one_call_recovery_gives_what_pdfminer_gives():
    """validator.readers.pdf._decompress_corrupted against pdfminer's own decompress_corrupted
    (one zlib call per byte) on Flate streams damaged as a bit flip or a cut leaves them,
    with the error on each of the last five bytes (pdfminer keeps the output when it is on
    one of the last three, the checksum, and raises otherwise): the same bytes, or
    zlib.error from both."""
    import zlib

    from validator.readers import pdf

    read(Path("plumbed.pdf"), build_pdf([{"texts": [(100, 100, 12, "注")]}]))  # a page read by pdfplumber: pdfminer's is kept
    theirs, ours = pdf._pdfminer_decompress_corrupted, pdf._decompress_corrupted
    assert theirs is not None and theirs is not ours

    def error_at(z: bytes) -> int | None:  # the byte on which inflating one byte at a time fails
        d = zlib.decompressobj()
        for i in range(len(z)):
            try:
                d.decompress(z[i:i + 1])
            except zlib.error:
                return i
        return None

    z = zlib.compress(split_table_pdf()[:600])
    # the first flip that breaks the data itself, well before the checksum
    flipped = next(f for f in (z[:i] + bytes([z[i] ^ 0x10]) + z[i + 1:] for i in range(20, len(z) - 20))
                   if error_at(f) is not None and error_at(f) < len(z) - 8)
    e = error_at(flipped)
    streams = [flipped[: e + 1 + k] for k in range(5)]  # the error on the last, ..., the fifth-last byte
    streams += [z, flipped, z[:-1] + bytes([z[-1] ^ 1]), z[: len(z) // 2], z + b"garbage", b"", b"x"]
    outcomes = []
    for n, data in enumerate(streams):
        got = []
        for f in (theirs, ours):
            try:
                got.append(f(data))
            except zlib.error:
                got.append("zlib.error")
        assert got[0] == got[1], n
        outcomes.append(got[0] == "zlib.error")
    assert outcomes[:5] == [False, False, False, True, True]


def test_inflate_limit_holds_at_flates_densest(monkeypatch):
    """The reader inflates no stream that cannot reach the inflate limit even at Flate's
    densest (1032 bytes from each byte). A page whose content is 4 MB of spaces, the only
    compressed stream (zlib at its densest: 1026 bytes from each byte here, 1029 at 512 MB),
    is refused one byte over the limit and read at the limit."""
    import zlib

    from validator import readers

    spaces = b" " * (4 << 20)
    z = zlib.compressobj(9, zlib.DEFLATED, 15, 9)
    stream = z.compress(spaces) + z.flush()
    title = "某某县2024年政府信息公开工作年度报告"
    data = build_pdf([{"texts": [(100, 100, 12, title)]}, {}],
                     flate=lambda ops: stream if not ops else None)
    assert len(spaces) > 1026 * len(stream)  # a bound of 1026 bytes from each byte would let it by
    monkeypatch.setattr(readers, "MAX_PDF_INFLATED_BYTES", len(spaces) - 1)
    with pytest.raises(Unreadable, match="压缩炸弹"):
        read(Path("dense.pdf"), data)
    monkeypatch.setattr(readers, "MAX_PDF_INFLATED_BYTES", len(spaces))
    assert [b.text for b in read(Path("dense.pdf"), data).paragraphs()] == [title]


def test_image_only_pdf_is_unreadable():
    image = pytest.importorskip("PIL.Image")
    import io

    buf = io.BytesIO()
    # a small page: OCR looks for text over the whole rendered page (the size changes nothing
    # else; a 600 x 800 pt page took ten times as long)
    image.new("RGB", (150, 200), "white").save(buf, "PDF")
    with pytest.raises(Unreadable) as err:
        read(Path("scan.pdf"), buf.getvalue())
    assert err.value.reason == NO_TABLE_TEXT == "未找到表格文字，表格可能是图片"


def test_pdf_with_text_but_tables_as_images_is_unreadable():
    # a small page (OCR looks for text over the whole rendered page), the picture over a
    # quarter of it, under the title
    page = {"texts": [(10, 10, 10, "某某县2024年政府信息公开工作年度报告")], "image": (20, 40, 180, 140)}
    data = build_pdf([page], size=(200, 150))
    with pytest.raises(Unreadable) as err:
        read(Path("image_tables.pdf"), data)
    assert err.value.reason == "未找到表格文字，表格可能是图片"
    assert err.value.detail


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\x00\x01 this is not a pdf " * 50, "文件不是PDF格式"),
        (b"", "文件不是PDF格式"),
        (b"%PDF-1.7\n" + b"garbage " * 100, "PDF文件已损坏或格式不正确，无法读取"),
    ],
)
def test_garbage_is_unreadable(data, reason):
    with pytest.raises(Unreadable) as err:
        read(Path("bad.pdf"), data)
    assert err.value.reason == reason
    assert err.value.detail


def test_truncated_pdf_is_unreadable():
    data = split_table_pdf()
    with pytest.raises(Unreadable) as err:
        read(Path("truncated.pdf"), data[: len(data) // 3])
    assert err.value.reason and err.value.detail


def test_truncated_corpus_pdf_is_unreadable(corpus):
    data = (corpus / F001).read_bytes()
    with pytest.raises(Unreadable) as err:
        read(Path("truncated.pdf"), data[: len(data) // 2])
    assert "损坏" in err.value.reason
    assert err.value.detail


def test_encrypted_pdf_is_unreadable():
    data = build_pdf([{"texts": [(100, 100, 12, "内容")]}], encrypt=True)
    with pytest.raises(Unreadable) as err:
        read(Path("locked.pdf"), data)
    assert "加密" in err.value.reason
    assert "Password" in err.value.detail
