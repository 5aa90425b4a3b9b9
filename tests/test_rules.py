"""The rule catalogue and its assertion language."""
from __future__ import annotations

import pytest

from validator.rules import RuleError, load, parse_assertion


def test_catalogue_loads_with_unique_ids():
    rules = load()
    assert {"T301", "T302", "T303", "T401", "V001", "B001"} <= set(rules)
    for r in rules.values():
        assert r.doc.get("what") and r.doc.get("example"), r.id


def test_parse_assertion():
    a = parse_assertion("new + carried_over == results.total + carried_forward")
    assert a.lhs == (("new", 1.0), ("carried_over", 1.0))
    assert a.rhs == (("results.total", 1.0), ("carried_forward", 1.0))
    b = parse_assertion("total == sum(results.*) - 2")
    assert b.rhs == (("results.*", 1.0),) and b.constant == 2.0


@pytest.mark.parametrize("bad", ["new +", "new == == x", "__import__('os')", "new carried == x", "new"])
def test_parse_rejects_anything_else(bad):
    with pytest.raises(RuleError):
        parse_assertion(bad)


def test_glob_sums_detail_rows_only():
    terms = load()["T302"].terms("2021")
    assert terms["results.total"] == 1.0
    assert "new" not in terms and terms["results.other.other"] == -1.0 and len(terms) == 22
