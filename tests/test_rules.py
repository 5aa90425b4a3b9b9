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


def test_docs_rules_md_is_current():
    """docs/rules.md is generated from rules/*.yaml: regenerate with
    `validator rules --format markdown > docs/rules.md`."""
    from pathlib import Path

    from validator.ruledoc import markdown

    path = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == markdown(load()), "docs/rules.md is stale: regenerate it"


def test_every_rule_explains_itself_with_examples():
    from click.testing import CliRunner

    from validator.cli import main

    for rule_id in load():
        out = CliRunner().invoke(main, ["explain", rule_id])
        assert out.exit_code == 0 and "不通过：" in out.output and "通过：" in out.output, rule_id
    assert CliRunner().invoke(main, ["explain", "Z999"]).exit_code == 4  # an unknown rule id: usage error


def test_rules_json_lists_every_rule():
    import json

    from click.testing import CliRunner

    from validator.cli import main

    data = json.loads(CliRunner().invoke(main, ["rules", "--format", "json"]).output)
    assert [r["id"] for r in data] == list(load())
    assert all({"id", "severity", "tables", "versions", "title"} <= set(r) for r in data)


def test_disable_needs_a_reason_and_is_reported(tmp_path):
    import json

    from click.testing import CliRunner

    from validator.cli import main

    from .conftest import SAMPLES

    sample = str(SAMPLES / "taiqian_2020_changed_cell.txt")
    assert CliRunner().invoke(main, ["check", sample, "--disable", "T303"]).exit_code == 4  # usage error
    assert CliRunner().invoke(main, ["check", sample, "--disable", "Z999=x"]).exit_code == 4  # unknown rule
    res = CliRunner().invoke(main, ["check", sample, "--format", "json", "--disable", "T303=总计列另行核对"])
    data = json.loads(res.output)
    assert data["disabled"] == [{"rule": "T303", "reason": "总计列另行核对"}]
    assert "T303" not in {f["rule"] for f in data["files"][0]["findings"]}
    assert "T302" in {f["rule"] for f in data["files"][0]["findings"]}


def test_user_rules_extend_the_catalogue(tmp_path):
    from .variants import GRANTED, USER_RULE, variant

    import json

    from click.testing import CliRunner

    from validator.cli import main

    from .conftest import SAMPLES

    (tmp_path / "local.yaml").write_text(USER_RULE, encoding="utf-8")
    ok = CliRunner().invoke(main, ["check", str(SAMPLES / "taiqian_2020.txt"), "--rules", str(tmp_path)])
    assert ok.exit_code == 0
    bad = variant(tmp_path / "bad.txt", {GRANTED: "9"})
    res = CliRunner().invoke(main, ["check", str(bad), "--rules", str(tmp_path), "--format", "json"])
    found = [f for f in json.loads(res.output)["files"][0]["findings"] if f["rule"] == "L001"]
    assert [(f["column_code"], f["reported"], f["expected"]) for f in found] == [("natural_person", 9.0, 4.0)]


@pytest.mark.parametrize("lists", [
    "lists: [a, b]",
    "lists: {cells: {item: '{}'}}",
    "lists: {cells: {item: '{}', sep: '、', most: 0}}",
    "lists: {cells: {item: '{}', sep: '、', limit: 3}}",
])
def test_malformed_lists_fail_closed(tmp_path, lists):
    (tmp_path / "local.yaml").write_text(f"""
{lists}
rules:
  - id: L002
    name: local-sections
    title: 部分缺失
    severity: warning
    check: sections
    message: "缺少：{{sections}}"
""", encoding="utf-8")
    with pytest.raises(RuleError, match="lists"):
        load(tmp_path)


def test_a_list_the_rule_does_not_say_how_to_write_is_an_error_not_a_guess():
    rule = load()["S001"]
    assert rule.listing("sections", ["一、总体情况", "二、主动公开"]) == "「一、总体情况」；「二、主动公开」"
    from dataclasses import replace

    with pytest.raises(RuleError, match="lists"):
        replace(rule, lists={}).listing("sections", ["一、总体情况"])
