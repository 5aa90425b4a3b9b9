"""The reviews file: accepted findings stay accepted across reruns and changes elsewhere,
lapse (reported as stale, R001) when what they judged changes, and a bad file exits 4."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.reviews import ReviewsError, load
from validator.rules import catalogue
from validator.run import check_paths

from .variants import ELSEWHERE, JUDGED, variant


@pytest.fixture
def m1(tmp_path):
    return variant(tmp_path / "m1.txt", {JUDGED: "5"})


def _errors(path, **kw):
    [f] = check_paths([path], **kw).files
    return [x for x in f.findings if x["severity"] == "error"]


def _write(path, entries):
    lines = ["reviews:"]
    for e in entries:
        lines.append(f'  - fingerprint: "{e["fingerprint"]}"')
        lines += [f"    {k}: {v}" for k, v in e.items() if k != "fingerprint"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _accept_all(path, tmp_path, **extra):
    return _write(tmp_path / "reviews.yaml", [{"fingerprint": x["fingerprint"], "status": "accepted",
                                               "reason": "核对原始台账后确认", **extra} for x in _errors(path)])


def test_accepted_findings_keep_severity_and_no_longer_fail(m1, tmp_path):
    reviews = load(_accept_all(m1, tmp_path, by="市政务公开办", date="2026-12-01"))
    result = check_paths([m1], reviews=reviews)
    [f] = result.files
    errors = [x for x in f.findings if x["severity"] == "error"]
    assert {x["rule"] for x in errors} == {"T301", "T302", "T303"}
    assert all(x["review"] == {"status": "accepted", "reason": "核对原始台账后确认", "by": "市政务公开办",
                               "date": "2026-12-01"} for x in errors)
    assert (f.status, f.count("error"), f.reviewed, result.exit_code) == ("passed", 0, 3, 0)
    assert result.reviews == {"file": str(tmp_path / "reviews.yaml"), "entries": 3, "applied": 3, "stale": [],
                              "elsewhere": 0}


def test_reviews_survive_a_change_elsewhere_and_the_new_error_fails(m1, tmp_path):
    reviews = load(_accept_all(m1, tmp_path))
    m2 = variant(tmp_path / "m2.txt", {JUDGED: "5", ELSEWHERE: "9"})
    result = check_paths([m2], reviews=reviews)
    [f] = result.files
    open_errors = [x["rule"] for x in f.findings if x["severity"] == "error" and not x.get("review")]
    assert open_errors == ["T401"]
    assert f.reviewed == 3 and result.exit_code == 1
    assert result.reviews["stale"] == []


def test_a_changed_judged_cell_makes_the_review_stale(m1, tmp_path):
    path = _accept_all(m1, tmp_path)
    stale = {x["fingerprint"] for x in _errors(m1)}
    m3 = variant(tmp_path / "m3.txt", {JUDGED: "6"})
    result = check_paths([m3], reviews=load(path))
    [f] = result.files
    assert result.exit_code == 1 and f.reviewed == 0
    r001 = [x for x in f.findings if x["rule"] == "R001"]
    assert [x["severity"] for x in r001] == ["info"] * 3
    assert {x.evidence["fingerprint"] for x in r001} == stale == set(result.reviews["stale"])
    import json

    import jsonschema

    from validator.outputs import module

    from .test_review_outputs import SCHEMA

    data = json.loads(module("json").render(result))
    jsonschema.validate(data, SCHEMA)
    assert sorted(x["rule"] for x in data["files"][0]["findings"] if x["rule"] == "R001") == ["R001"] * 3
    # switched off with a reason: the summary still counts them, no findings
    rules = catalogue(disable={"R001": "另行核对"})
    result = check_paths([m3], reviews=load(path), rules=rules, disabled={"R001": "另行核对"})
    assert not [x for x in result.files[0].findings if x["rule"] == "R001"]
    assert set(result.reviews["stale"]) == stale


def test_entries_of_reports_not_checked_are_left_alone(m1, tmp_path):
    path = _accept_all(m1, tmp_path)
    other = variant(tmp_path / "other.txt", {JUDGED: "6"})
    result = check_paths([other], reviews=load(path), body="某某县人民政府")  # another report identity
    assert result.reviews["stale"] == [] and result.reviews["elsewhere"] == 3
    assert not [x for x in result.files[0].findings if x["rule"] == "R001"]


def test_false_positive_also_passes(m1, tmp_path):
    path = _write(tmp_path / "r.yaml", [{"fingerprint": x["fingerprint"], "status": "false-positive",
                                         "reason": "正文口径不同"} for x in _errors(m1)])
    result = check_paths([m1], reviews=load(path))
    assert result.exit_code == 0
    assert {x["review"]["status"] for x in result.files[0].findings if x.get("review")} == {"false-positive"}


def test_cli_reviews_and_no_reviews(m1, tmp_path):
    path = _accept_all(m1, tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(m1), "-q"]).exit_code == 1
    assert runner.invoke(main, ["check", str(m1), "-q", "--reviews", str(path)]).exit_code == 0
    assert runner.invoke(main, ["check", str(m1), "-q", "--reviews", str(path), "--no-reviews"]).exit_code == 1


GOOD = {"fingerprint": "a47d7969-4845cd80a314", "status": "accepted", "reason": "核对"}


@pytest.mark.parametrize("bad, line", [
    ({**GOOD, "reason": "null"}, 2),
    ({"fingerprint": GOOD["fingerprint"], "status": "accepted"}, 2),
    ({**GOOD, "reason": '""'}, 2),
    ({**GOOD, "status": "ok"}, 2),
    ({**GOOD, "reson": "拼错"}, 2),
    ({**GOOD, "fingerprint": "T302"}, 2),
    ({**GOOD, "date": "明天"}, 2),
    ({**GOOD, "by": "[1, 2]"}, 2),
])
def test_a_bad_entry_is_a_configuration_error_naming_it(m1, tmp_path, bad, line):
    entries = [{**GOOD, "fingerprint": "a47d7969-000000000000"}, {k: v for k, v in bad.items() if v is not None}]
    path = _write(tmp_path / "r.yaml", entries)
    with pytest.raises(ReviewsError) as e:
        load(path)
    assert str(path) in str(e.value) and "第 2 条" in str(e.value)
    result = CliRunner().invoke(main, ["check", str(m1), "--reviews", str(path)])
    assert result.exit_code == 4


@pytest.mark.parametrize("text", [
    "reviews: [\n",  # not YAML
    "- fingerprint: a47d7969-4845cd80a314\n",  # no reviews: key
    "reviews:\n  fingerprint: a47d7969-4845cd80a314\n",  # not a list
    "reviews: []\nrules: []\n",  # an unknown key
    "reviews:\n  - fingerprint: a47d7969-4845cd80a314\n    status: accepted\n    reason: a\n"
    "  - fingerprint: a47d7969-4845cd80a314\n    status: accepted\n    reason: b\n",  # two decisions
    "reviews:\n  - fingerprint: a47d7969-4845cd80a314\n    fingerprint: a47d7969-4845cd80a315\n",  # repeated key
])
def test_a_malformed_file_exits_4(m1, tmp_path, text):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReviewsError):
        load(path)
    assert CliRunner().invoke(main, ["check", str(m1), "--reviews", str(path)]).exit_code == 4


def test_a_missing_file_exits_4_and_an_empty_one_reviews_nothing(m1, tmp_path):
    assert CliRunner().invoke(main, ["check", str(m1), "--reviews", str(tmp_path / "absent.yaml")]).exit_code == 4
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing reviewed yet\n", encoding="utf-8")
    assert load(empty).entries == ()
    assert CliRunner().invoke(main, ["check", str(m1), "--reviews", str(empty)]).exit_code == 1
