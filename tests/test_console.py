"""The console report as a clerk sees it: ``validator check`` and ``validator rules`` in a real
pty of 80 columns (no line wider, every value next to its words, each unreadable file once,
no "-0"), the wrapping rules, and strings from files printed as data."""
from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import struct
import sys
import termios
import unicodedata
from pathlib import Path

import pytest
from rich.console import Console

from validator.finding import Finding
from validator.outputs import console as out
from validator.outputs import expected, num
from validator.run import FileResult, Result, check_paths

from .conftest import ROOT, SAMPLES

# one xdist worker runs this module (pytest -n with --dist loadgroup, pyproject.toml): its
# module fixtures are built once
pytestmark = pytest.mark.xdist_group("console")


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
PDF = "014_huaian_hongze_district_gov_2023.pdf"


def width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


# One child process on a pty runs every command of this module: forked from the test's own
# process (the modules it has imported and the PDFs it has parsed are the child's too: a new
# interpreter costs a second or more), it binds its standard streams to the pty as an
# interpreter started there would, then runs each command by the CLI's own entry point
# (validator.cli.main) with the window resized to its width first; each ends with a line
# MARK + exit code.
MARK = "@@validator-exit@@"


def _run_on_the_pty(commands: list[tuple[int, list[str]]]) -> None:
    """The child's side of :func:`in_pty` (never returns)."""
    try:
        os.chdir(ROOT)
        for name in ("COLUMNS", "LINES"):  # the size is the terminal's, as a user's shell gives it
            os.environ.pop(name, None)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1)
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
        from validator.cli import main

        for cols, args in commands:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
            try:
                main(args, prog_name="validator")
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
            print(MARK, code, flush=True)
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    os._exit(0)  # not the test process's exit handlers


def in_pty(commands: list[tuple[int, list[str]]]) -> list[tuple[str, int]]:
    """Run ``validator ARGS`` for each (cols, ARGS) on a pty of ``cols`` columns, in one
    child process; [(output without ANSI codes, exit code)]."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the window size is set before each command, so the program sees it at start
        _run_on_the_pty(commands)
    chunks = []
    while True:
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    _, status = os.waitpid(pid, 0)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n"))
    assert os.waitstatus_to_exitcode(status) == 0, text[-2000:]
    parts = re.split(re.escape(MARK) + r" (-?\d+)\n", text)  # [out, code, out, code, …, rest]
    assert len(parts) == 2 * len(commands) + 1, text[-2000:]
    return [(parts[k], int(parts[k + 1])) for k in range(0, 2 * len(commands), 2)]


@pytest.fixture(scope="module")
def files(corpus, tmp_path_factory) -> list[Path]:
    empty = tmp_path_factory.mktemp("console") / "empty.txt"
    empty.write_bytes(b"")
    return [corpus / PDF, SAMPLES / "taiqian_2020_blank_total.txt", SAMPLES / "taiqian_2020_changed_cell.txt", empty]


@pytest.fixture(scope="module")
def terminal(files, checked) -> dict[str, tuple[str, int]]:
    """The commands of the tests below, on a real terminal (one child process for all)."""
    commands = {"check": (80, ["check", *map(str, files)]), "wide": (160, ["check", str(files[2])]),
                "rules": (80, ["rules"])}
    return dict(zip(commands, in_pty(list(commands.values()))))


@pytest.fixture(scope="module")
def checked(files):
    """What the check of ``files`` finds (in the test's process, before the pty's child is
    forked: the child reads the PDF from the same parse)."""
    return check_paths(files)


def test_check_at_80_columns(files, checked, terminal):
    text, code = terminal["check"]
    assert code == 2
    lines = text.splitlines()
    assert max(width(line) for line in lines) <= 80, max(lines, key=width)
    result = checked
    shown = [(f, x) for f in result.files for x in f.findings if x["severity"] != "info"]
    assert shown
    for f, x in shown:  # one block per finding: "N. 级别 RULE" heads it, "应为 N" stays on one line
        if expected(x) is not None:
            assert any(f"应为 {num(expected(x))}" in line for line in lines), (x["rule"], num(expected(x)))
    heads = [line for line in lines if re.match(r"\s+\d+\. (错误|警告) [A-Z]\d{3}", line)]
    assert len(heads) == len(shown)
    assert [re.search(r"[A-Z]\d{3}", h).group() for h in heads] == [x["rule"] for _, x in shown]
    # the unreadable file is reported once (stdout and stderr share the terminal)
    assert sum(str(files[-1]) in line for line in lines) == 1
    assert not re.search(r"(?<![\d.])-0(?![\d.])", text)  # no "-0"
    assert "共 4 个文件：通过 1，未通过 2，无法读取 1" in text


def test_wide_terminal_keeps_the_table(terminal):
    text, _ = terminal["wide"]
    assert "┃规则" in text and max(width(line) for line in text.splitlines()) <= 160


def test_rules_at_80_columns(terminal):
    from validator.rules import load

    text, code = terminal["rules"]
    assert code == 0
    lines = text.splitlines()
    assert max(width(line) for line in lines) <= 80
    joined = "".join(line.strip() for line in lines)
    for r in load().values():  # every rule, with its whole title
        assert r.id in text and r.title.replace(" ", "") in joined.replace(" ", ""), r.id


@pytest.fixture(scope="module")
def sample_messages() -> list[str]:
    messages = [x["message"] for f in check_paths(sorted(SAMPLES.glob("*.txt"))).files for x in f.findings]
    assert messages
    return [*messages, "表四「行政复议」总计：报告值 0，按结果维持＋结果纠正＋其他结果＋尚未审结应为 11。"]


@pytest.mark.parametrize("w", range(16, 61, 3))
def test_wrap_never_splits_a_number_from_its_words(sample_messages, w):
    for m in sample_messages:
        lines = out.wrap(m, w, indent="  ", first="  ")
        assert all(out.cell_len(line) <= w for line in lines), (w, lines)
        assert "".join(line[2:] for line in lines).replace(" ", "") == m.replace(" ", "")
        for value in re.findall(r"应为 -?\d+(?:\.\d+)?", m):
            assert any(value in line for line in lines), (w, value, lines)
        assert not any(line.lstrip().startswith(tuple("，。；：、）」")) for line in lines[1:]), lines


def test_strings_from_files_are_data():
    hostile = "报告\x1b]0;owned\x07[red]x[/red]\x1b[2J.txt"
    f = FileResult(hostile, "failed", body="某县[bold]人民政府[/]", year=2023, template="2021",
                   findings=[Finding("T401", "error", "说明{evil}", {"evil": "[link=x]y[/link]"}, table="表四",
                                     row="行政复议\x1b[31m", column="总计", reported=0.0, expected=11.0)])
    for w in (80, 160):
        buf = io.StringIO()
        out.render(Result([f]), Console(file=buf, width=w, force_terminal=True, color_system=None))
        text = buf.getvalue()
        assert "\x1b" not in text and "\x07" not in text
        assert "[red]x[/red]" in text and "某县[bold]人民政府[/]" in text and "说明[link=x]y[/link]" in text


def test_no_negative_zero():
    f = FileResult("a.txt", "passed", findings=[Finding("T301", "warning", "m", table="表三", row="（七）总计",
                                                        column="总计", reported=-0.0, expected=-0.0)])
    buf = io.StringIO()
    out.render(Result([f]), Console(file=buf, width=80, force_terminal=True, color_system=None))
    assert "-0" not in buf.getvalue()
    assert json.loads(json.dumps(num(-0.0))) == "0"


def test_an_expected_zero_is_written_0_in_every_message(tmp_path):
    # 表四 行政复议 总计 9 while every part is 0: the rule expects 0, computed as a negative zero
    from click.testing import CliRunner

    from validator.cli import main

    from .variants import variant

    path = variant(tmp_path / "r.txt", {("t4", "review", "total"): "9"})
    res = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    messages = [x["message"] for f in json.loads(res.stdout)["files"] for x in f["findings"] if x["rule"] == "T401"]
    assert messages and all("应为 0" in m and "-0" not in m for m in messages)
