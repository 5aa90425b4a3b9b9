"""The template definition: complete per format.md, codes unique, labels matchable."""
from __future__ import annotations

from pathlib import Path

import pytest

import validator
from validator.template import TEMPLATE, Labels, normalize


def test_table_three_rows_per_version():
    t3 = TEMPLATE["t3"]
    assert len(t3.rows_for("2019")) == 23
    assert len(t3.rows_for("2021")) == 25
    assert [c.code for c in t3.columns] == ["natural_person", "commercial", "research", "public_interest",
                                            "legal_services", "other_org", "total"]
    assert len({r.code for r in t3.rows}) == len(t3.rows)


def test_table_four_has_fifteen_cells():
    t4 = TEMPLATE["t4"]
    assert len(t4.rows) * len(t4.columns) == 15


def test_table_two_columns_per_version():
    t2 = TEMPLATE["t2"]
    assert [c.label for c in t2.columns_for("2021", "art20_1")] == ["本年制发件数", "本年废止件数", "现行有效件数"]
    assert [c.label for c in t2.columns_for("2019", "art20_9")] == ["采购项目数量", "采购总金额（单位：万元）"]
    assert {r.code for r in t2.rows_for("2019")} - {r.code for r in t2.rows_for("2021")} == {"other_services", "procurement"}


@pytest.mark.parametrize("seen,code", [
    ("(二) 部分公开(区分处理的,只计这一情况,不计其他情况)", "results.partial"),
    ("2.其他法律行政止公开", "results.withheld.prohibited_by_law"),
    ("5.属于三类内容事务信息", "results.withheld.internal_affairs"),
    ("三、本年度办理结果（三）不予公开1.属于国家秘密", "results.withheld.state_secret"),
    ("（六）其他处理3.其他", "results.other.other"),
    ("(六) 其他处理", "results.other"),
    ("四、结转下年度继续办理", "carried_forward"),
    ("1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请", "results.other.no_correction"),
])
def test_label_variants(seen, code):
    assert Labels(TEMPLATE["t3"].rows).match(seen).code == code


def test_normalize_ignores_width_spacing_and_punctuation():
    assert normalize("（一） 予以公开") == normalize("(一)予以公开")
    assert normalize("商业 企业") == "商业企业"


def test_group_display_labels():
    assert TEMPLATE["t3"].row("results.withheld.state_secret").display == "（三）不予公开 / 1.属于国家秘密"
    assert TEMPLATE["t3"].row("results.total").display == "（七）总计"


# Template codes that are also ordinary words of the code, in another sense.
OTHER_MEANINGS = {
    "review": "a finding's review state (validator.reviews)",
    "other": "a message parameter (the other cell of a comparison)",
    "published": "a message parameter and Report.published (the publication date)",
}


def _strings(tree):
    """Every str constant of the tree but docstrings (a string standing alone as a statement):
    one walk over the nodes (ast.walk, twice, was most of this test's time)."""
    import ast

    stack, out = [tree], []
    while stack:
        node = stack.pop()
        if type(node) is ast.Constant:
            if type(node.value) is str:
                out.append(node)
            continue
        if type(node) is ast.Expr and type(node.value) is ast.Constant:
            continue
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
    return out


def test_no_module_outside_the_template_names_a_row_or_column_code():
    """The template is the only place that knows rows and columns: no string in validator/
    (docstrings and comments aside) is a table, row or column code of template.yaml."""
    import ast

    codes = {t.code for t in TEMPLATE.tables.values()}
    codes |= {e.code for t in TEMPLATE.tables.values() for e in (*t.rows, *t.columns)}
    dotted = {c for c in codes if "." in c}  # results.withheld.…: named inside a longer string too
    package = Path(validator.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "template.py":
            continue
        found += [f"{path.relative_to(package)}:{n.lineno} {n.value!r}"
                  for n in _strings(ast.parse(path.read_text(encoding="utf-8")))
                  if (n.value in codes and n.value not in OTHER_MEANINGS) or any(c in n.value for c in dotted)]
    assert not found
    assert set(OTHER_MEANINGS) <= codes  # each exception is still a template code
