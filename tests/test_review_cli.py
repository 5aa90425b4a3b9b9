"""validator review add | list | prune: the reviews file kept from the command line."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.reviews import load
from validator.run import check_paths

from .variants import ELSEWHERE, JUDGED, variant


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def m1(tmp_path):
    return variant(tmp_path / "m1.txt", {JUDGED: "5"})


def _error_fps(path):
    return [x["fingerprint"] for x in check_paths([path]).files[0].findings if x["severity"] == "error"]


def test_add_creates_appends_and_keeps_the_file(m1, tmp_path):
    path = tmp_path / "reviews.yaml"
    first, second, third = _error_fps(m1)
    assert cli("review", "add", first, "--reason", "核对原始台账后确认", "--by", "市政务公开办",
               "--date", "2026-12-01", "--file", path).exit_code == 0
    text = "# 台前县的审核记录\n" + path.read_text(encoding="utf-8")  # a comment someone added
    path.write_text(text, encoding="utf-8")
    assert cli("review", "add", second, "--reason", "正文口径不同", "--status", "false-positive",
               "--file", path).exit_code == 0
    assert path.read_text(encoding="utf-8").startswith(text)  # appended, the rest kept as it was
    entries = load(path).entries
    assert [(r.fingerprint, r.status, r.reason, r.by) for r in entries] == [
        (first, "accepted", "核对原始台账后确认", "市政务公开办"), (second, "false-positive", "正文口径不同", None)]
    assert entries[0].date == "2026-12-01" and entries[1].date  # today by default
    assert cli("check", m1, "--reviews", path).exit_code == 1  # the third error is still open
    assert cli("review", "add", third, "--reason", "已核对", "--file", path).exit_code == 0
    assert cli("check", m1, "--reviews", path).exit_code == 0


@pytest.mark.parametrize("args", [
    ["not-a-fingerprint", "--reason", "x"],
    ["a47d7969-4845cd80a314", "--reason", "  "],
    ["a47d7969-4845cd80a314", "--reason", "x", "--date", "明天"],
])
def test_add_refuses_a_bad_entry_and_writes_nothing(tmp_path, args):
    path = tmp_path / "reviews.yaml"
    assert cli("review", "add", *args, "--file", path).exit_code == 4
    assert not path.exists()


def test_add_refuses_a_second_decision_and_a_broken_file(m1, tmp_path):
    path = tmp_path / "reviews.yaml"
    fp = _error_fps(m1)[0]
    assert cli("review", "add", fp, "--reason", "x", "--file", path).exit_code == 0
    before = path.read_bytes()
    assert cli("review", "add", fp, "--reason", "y", "--file", path).exit_code == 4
    assert path.read_bytes() == before
    path.write_text("reviews:\n  - fingerprint: [\n", encoding="utf-8")
    assert cli("review", "add", _error_fps(m1)[1], "--reason", "x", "--file", path).exit_code == 4


def _list(path, *reports):
    out = cli("review", "list", "--file", path, "--format", "json", *reports)
    return out.exit_code, {e["fingerprint"]: e for e in json.loads(out.output)["entries"]}


def test_list_tells_which_entries_still_apply(m1, tmp_path):
    path = tmp_path / "reviews.yaml"
    fps = _error_fps(m1)
    for fp in fps + ["ffffffff-000000000000"]:
        cli("review", "add", fp, "--reason", "已核对", "--file", path)
    code, entries = _list(path)
    assert code == 0 and set(entries) == set(fps) | {"ffffffff-000000000000"}
    assert {e["state"] for e in entries.values()} == {None}  # no reports given: nothing judged
    m2 = variant(tmp_path / "m2.txt", {JUDGED: "5", ELSEWHERE: "9"})
    code, entries = _list(path, m2)
    assert {fp: (e["state"], e["rule"]) for fp, e in entries.items()} == {
        **{fp: ("applies", rule) for fp, rule in zip(fps, ("T301", "T302", "T303"))},
        "ffffffff-000000000000": ("unchecked", None)}
    m3 = variant(tmp_path / "m3.txt", {JUDGED: "6"})
    code, entries = _list(path, m3)
    assert {fp: e["state"] for fp, e in entries.items()} == {**dict.fromkeys(fps, "stale"),
                                                               "ffffffff-000000000000": "unchecked"}


def test_prune_removes_only_stale_entries_of_checked_reports(m1, tmp_path):
    path = tmp_path / "reviews.yaml"
    fps = _error_fps(m1)
    for fp in fps + ["ffffffff-000000000000"]:
        cli("review", "add", fp, "--reason", "已核对", "--file", path)
    path.write_text(path.read_text(encoding="utf-8") + "# 末尾的说明\n", encoding="utf-8")
    assert cli("review", "prune", "--file", path, m1).exit_code == 0  # everything still applies
    assert len(load(path).entries) == 4
    m3 = variant(tmp_path / "m3.txt", {JUDGED: "6"})
    before = path.read_bytes()
    assert cli("review", "prune", "--dry-run", "--file", path, m3).exit_code == 0
    assert path.read_bytes() == before
    assert cli("review", "prune", "--file", path, m3).exit_code == 0
    assert [r.fingerprint for r in load(path).entries] == ["ffffffff-000000000000"]
    assert "# 末尾的说明" in path.read_text(encoding="utf-8")


def test_prune_leaves_entries_of_unreadable_reports(m1, tmp_path):
    path = tmp_path / "reviews.yaml"
    for fp in _error_fps(m1):
        cli("review", "add", fp, "--reason", "已核对", "--file", path)
    empty = tmp_path / "m1_broken.txt"
    empty.write_bytes(b"")
    assert cli("review", "prune", "--file", path, empty).exit_code == 2
    assert len(load(path).entries) == 3


def test_prune_needs_reports(tmp_path):
    assert cli("review", "prune", "--file", tmp_path / "r.yaml").exit_code != 0


def test_list_and_prune_check_as_check_does_with_the_configuration(tmp_path, monkeypatch):
    """The configuration's own rule files and switched-off rules: prune run without repeating
    them keeps the reviews of their findings (they used to look stale and be deleted)."""
    from validator.rules import catalogue

    from .variants import GRANTED, USER_RULE

    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "local.yaml").write_text(USER_RULE, encoding="utf-8")
    bad = variant(tmp_path / "bad.txt", {GRANTED: "9"})
    found = check_paths([bad], rules=catalogue((str(tmp_path / "local"),))).files[0].findings
    fps = {x["rule"]: x["fingerprint"] for x in found if x["rule"] in ("L001", "T302")}
    assert set(fps) == {"L001", "T302"}
    (tmp_path / "validator.toml").write_text('rules = ["local"]\nreviews = "reviews.yaml"\n\n'
                                             '[disable]\nT302 = "总计另行核对"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for rule, fp in fps.items():
        assert cli("review", "add", fp, "--reason", f"{rule} 已核对").exit_code == 0
    assert len(load(tmp_path / "reviews.yaml").entries) == 2  # the configuration's reviews file
    r = cli("review", "list", "bad.txt", "--format", "json")
    assert r.exit_code == 0, r.output
    assert {e["rule"]: e["state"] for e in json.loads(r.output)["entries"]} == {"L001": "applies", "T302": "applies"}
    r = cli("review", "prune", "bad.txt")
    assert r.exit_code == 0 and len(load(tmp_path / "reviews.yaml").entries) == 2, r.output
    # the configuration is checked as check checks it: a wrong one exits 4, nothing pruned
    (tmp_path / "validator.toml").write_text('rules = ["local"]\n[severity]\nL001 = "fatal"\n', encoding="utf-8")
    assert cli("review", "prune", "bad.txt", "--file", "reviews.yaml").exit_code == 4
    assert len(load(tmp_path / "reviews.yaml").entries) == 2
