"""The official 表三 row labels as grid readers give them (merged label cells expanded to
three label columns), and the views of a read Document, shared by the reader tests of every
grid format."""
from __future__ import annotations

T3_LABELS = [
    ("一、本年新收政府信息公开申请数量",) * 3,
    ("二、上年结转政府信息公开申请数量",) * 3,
    ("三、本年度办理结果", "（一）予以公开", "（一）予以公开"),
    ("三、本年度办理结果",) + ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）",) * 2,
    *[("三、本年度办理结果", "（三）不予公开", x) for x in (
        "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
        "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")],
    *[("三、本年度办理结果", "（四）无法提供", x) for x in (
        "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")],
    *[("三、本年度办理结果", "（五）不予处理", x) for x in (
        "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息")],
    ("三、本年度办理结果", "（六）其他处理", "（六）其他处理"),
    ("三、本年度办理结果", "（七）总计", "（七）总计"),
    ("四、结转下年度继续办理",) * 3,
]
ZERO7 = ["0"] * 7


def texts(block) -> list[str]:
    return [c.text for c in block.cells]


def rows_of(doc, table: int) -> list[list[str]]:
    return [texts(b) for b in doc.rows() if b.pos.table == table]


def paras(doc) -> list[str]:
    return [b.text for b in doc.paragraphs()]
