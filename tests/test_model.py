"""The rule and finding model: every rule a registered check driven by its record, severity
overrides applied in the catalogue, one finding per problem, findings as typed records."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.engine import CHECKS
from validator.finding import FRAME_COLUMNS, Finding
from validator.rules import RuleError, catalogue, load, parse_severity
from validator.run import Result, check_paths

from .conftest import SAMPLES


def tuples(result, rule=None):
    return sorted((x.rule, x.table_code, x.row_code, x.column_code, x.severity)
                  for f in result.files for x in f.findings if rule is None or x.rule == rule)


def test_every_rule_is_a_registered_check():
    for rule in load().values():
        assert rule.check in CHECKS, rule.id


def test_unknown_check_kind_is_a_rule_error(tmp_path):
    (tmp_path / "mine.yaml").write_text(
        "rules:\n  - {id: Z001, name: z, title: z, severity: error, check: no_such_check, message: m}\n",
        encoding="utf-8")
    with pytest.raises(RuleError, match="no_such_check"):
        catalogue((tmp_path,))


def test_user_rule_file_uses_a_check_kind(tmp_path):
    """A user's own narrative rule works like the project's (rules are data)."""
    (tmp_path / "mine.yaml").write_text("""rules:
  - id: Z101
    name: mine
    title: 正文所述受理数
    severity: error
    check: narrative
    patterns: ['共受理政府信息公开申请\\s*(?P<n>NUM)\\s*件']
    readings: [{label: 上年结转, cells: [t3.carried_over.total]}]
    message: "“{snippet}”与{reading_text}不一致"
""", encoding="utf-8")
    rules = catalogue((tmp_path,))
    result = check_paths([SAMPLES / "taiqian_2020.txt"], rules=rules)
    assert [(r, t, sev) for r, t, _, _, sev in tuples(result, "Z101")] == [("Z101", "t3", "error")]
    assert "Z101" in result.rules  # the outputs describe the rule from the catalogue the run used


@pytest.mark.parametrize("rule,sample,before,after", [
    ("T401", "taiqian_2020_review_total_wrong.txt", "error", "warning"),
    ("X008", "taiqian_2020.txt", "info", "error"),
    ("T302", "taiqian_2020_changed_cell.txt", "error", "info"),
])
def test_severity_override_changes_every_finding_of_the_rule(rule, sample, before, after):
    default = check_paths([SAMPLES / sample])
    changed = check_paths([SAMPLES / sample], rules=catalogue(severity={rule: after}))
    old, new = tuples(default, rule), tuples(changed, rule)
    assert old and {t[-1] for t in old} == {before}
    assert [t[:-1] for t in new] == [t[:-1] for t in old] and {t[-1] for t in new} == {after}
    assert changed.overrides == {rule: (before, after)}


def test_extraction_severity_comes_from_the_rule_file():
    """X002 for a 表二 row is the rule's severity_by_table; an override applies to every table."""
    rules = load()
    assert rules["X002"].severity_for("t2") == "warning" and rules["X002"].severity_for("t3") == "error"
    over = catalogue(severity={"X002": "info"})["X002"]
    assert over.severity_for("t2") == over.severity_for("t3") == "info"


def test_unknown_rule_in_an_override_is_a_rule_error():
    with pytest.raises(RuleError):
        catalogue(severity={"T999": "error"})
    with pytest.raises(RuleError):
        parse_severity(["T401=fatal"])
    with pytest.raises(RuleError):
        parse_severity(["T401"])


def test_cli_severity_is_recorded_in_the_json():
    r = CliRunner().invoke(main, ["check", str(SAMPLES / "taiqian_2020_review_total_wrong.txt"),
                                  "--severity", "T401=warning", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert {x["severity"] for f in data["files"] for x in f["findings"] if x["rule"] == "T401"} == {"warning"}
    assert data["severity_overrides"] == [{"rule": "T401", "default": "error", "severity": "warning"}]


def test_cli_unknown_rule_in_severity_is_refused():
    r = CliRunner().invoke(main, ["check", str(SAMPLES / "taiqian_2020.txt"), "--severity", "Q123=error"])
    assert r.exit_code not in (0, 1)


def test_one_finding_per_blank_cell_and_strict():
    result = check_paths([SAMPLES / "taiqian_2020_blank_total.txt"])
    (x,) = [x for x in result.files[0].findings if x.row_code == "results.total"]
    assert (x.rule, x.severity, x.column_code, x.reported, x.expected, x.rules) == (
        "B001", "warning", "total", None, 4.0, ("T301", "T302", "T303"))
    strict = check_paths([SAMPLES / "taiqian_2020_blank_total.txt"], strict=True)
    assert ("B001", "t3", "results.total", "total", "error") in tuples(strict, "B001")
    assert {t[0] for t in tuples(strict) if t[-1] == "error"} >= {"T301", "T302", "T303"}


def test_a_wrong_cell_is_one_group():
    """The cell that breaks three equations: three findings, one group (the cell the fix changes)."""
    result = check_paths([SAMPLES / "taiqian_2020_changed_cell.txt"])
    errors = [x for x in result.files[0].findings if x.severity == "error"]
    assert {x.rule for x in errors} == {"T301", "T302", "T303"}
    assert {x.group for x in errors} == {"t3/results.total/natural_person"}


def test_message_is_the_rule_template_rendered():
    result = check_paths([SAMPLES / "taiqian_2020_changed_cell.txt"])
    rules = result.rules
    for x in result.files[0].findings:
        assert x.template in (rules[x.rule].message, *rules[x.rule].messages.values())
        assert x.message == x["message"] == x.to_dict()["message"]


def test_findings_frame_has_fixed_columns():
    empty = Result([]).findings_frame()
    full = check_paths(sorted(SAMPLES.glob("*.txt"))).findings_frame()
    assert list(empty.columns) == list(full.columns) == list(FRAME_COLUMNS)
    assert [str(t) for t in empty.dtypes] == [str(t) for t in full.dtypes]
    assert len(full) > 0


def test_finding_rejects_an_unknown_severity():
    with pytest.raises(ValueError):
        Finding("T301", "fatal", "x")


def test_template_knows_versions_years_and_required_tables():
    from validator.template import TEMPLATE

    assert [TEMPLATE.version_for_year(y) for y in (2019, 2020, 2021, 2025)] == ["2019", "2019", "2021", "2021"]
    assert TEMPLATE.required == ("t3", "t4")
    t3 = TEMPLATE["t3"]
    assert t3.row("results.withheld.state_secret").display == "（三）不予公开 / 1.属于国家秘密"
    assert t3.row("results.granted").display == "（一）予以公开"  # a top-level group is not shown
    # the known deviation: a 2021 report printing the 2019 single row （六）其他处理
    rows = [r.code for r in t3.deviation("2021", {"new", "results.other"})]
    assert "results.other" in rows and "results.other.fee_unpaid" not in rows
    assert t3.deviation("2021", {"new", "results.other.fee_unpaid"}) is None
