"""The console report: one verdict line per file, then its findings (rich).

On a wide terminal (or in a pipe) the findings of a file are a table; on a narrow one
(fewer than :data:`WIDE` columns, e.g. 80) each finding is a block of short lines: rule and
severity, where, reported → expected, the message, the fix. Text is wrapped by
:func:`wrap`: at CJK character boundaries and spaces, never between a number and the words
before it ("应为 11" stays on one line), never before closing punctuation.

Every string that comes from a file is neutralised for the terminal and printed as plain
text (never as rich markup).
"""
from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..template import TEMPLATE
from ..text import IDEOGRAPHS
from . import expected, groups, num, review_text, reviews_text, source, subject, summary_text

WIDE = 120
"""Terminals at least this wide get a table of findings; narrower ones a block per finding."""
_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
_STATUS = {"passed": ("通过", "green", "✔"), "failed": ("未通过", "red", "✘"),
           "unreadable-in-part": ("部分无法读取", "yellow", "!"), "unreadable": ("无法读取", "magenta", "!"),
           "skipped": ("已跳过", "dim", "-")}

from .safe import markup as _m
from .safe import terminal as _terminal


def clean(value) -> str:
    """A string from a file, safe to print on a terminal (no escape sequences, one line)."""
    return _terminal(value)


_CJK = IDEOGRAPHS
_TOKEN = re.compile(
    "[（「『《〈【“‘(\\[]*"                                           # openers stick to what follows
    f"(?:(?:[{_CJK}]{{0,3}}[ ]?)?[-+−]?\\d[\\d,.]*[%‰]?[{_CJK}]?"  # a number with the words before it
    "|[A-Za-z0-9_.\\-/:@#]+"                                         # a latin word, a rule id, a path piece
    "|\\S)"                                                           # any other character (CJK: one each)
    "[）」』》〉】”’)\\]，。；：、！？,.;:!?×→]*"                       # closers stick to what precedes
    "[ ]*")


def breaks(text: str, width: int, first: int = 0, indent: int = 0) -> list[int]:
    """Where the lines of ``text`` start when it is wrapped to ``width`` display columns,
    the first line after ``first`` columns, the others after ``indent``. Breaks only between
    tokens of :data:`_TOKEN`; a token wider than a whole line is cut by character."""
    starts, used, fresh = [0], first, True
    for m in _TOKEN.finditer(text):
        token = m.group()
        body = cell_len(token.rstrip(" "))
        if body > width - used and not fresh:
            starts.append(m.start())
            used, fresh = indent, True
        if body > width - used:  # longer than a line: cut it by character
            for i, ch in enumerate(token, m.start()):
                w = cell_len(ch)
                if w > width - used and i > starts[-1]:
                    starts.append(i)
                    used = indent
                used += w
            fresh = False
            continue
        used += cell_len(token)
        fresh = False
    return starts


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` columns, ``first`` before the first, ``indent`` before the others."""
    starts = breaks(text, width, cell_len(first), cell_len(indent))
    ends = starts[1:] + [len(text)]
    return [(first if i == 0 else indent) + text[a:b].rstrip(" ") for i, (a, b) in enumerate(zip(starts, ends))]


def _print_wrapped(console: Console, text: str | Text, *, indent: str = "", first: str = "",
                   style: str | None = None) -> None:
    """Print ``text`` (plain, or a styled Text) wrapped to the console width."""
    if not isinstance(text, Text):
        text = Text(text, style=style or "")
    starts = breaks(text.plain, console.width, cell_len(first), cell_len(indent))
    for i, piece in enumerate(text.divide(starts[1:])):
        piece.rstrip()
        line = Text(first if i == 0 else indent, no_wrap=True, overflow="ignore")
        line.append_text(piece)
        console.print(line, soft_wrap=True, highlight=False)


def _where(x: dict) -> str:
    labels = "".join(filter(None, (clean(x.get("table")), f"「{clean(x['row'])}」" if x.get("row") else "",
                                   clean(x.get("column")))))
    src = clean(source(x))
    return labels + (f"（{src}）" if src and labels else src)


def _values(x: dict) -> str:
    rep, exp = x.get("reported"), expected(x)
    if rep is None and exp is None:
        return ""
    if rep is None:
        return f"应为 {num(exp)}"
    if exp is None:
        return f"报告值 {num(rep)}"
    return f"报告值 {num(rep)} → 应为 {num(exp)}"


def _level(x: dict) -> Text:
    """The severity; a reviewed finding keeps it, shown dim and marked 已审核 (it no longer fails)."""
    sev = x.get("severity") or "info"
    if x.get("review"):
        return Text(f"{_SEVERITY.get(sev, sev)}（已审核）", style="dim")
    return Text(_SEVERITY.get(sev, sev), style=_STYLE.get(sev))


def _block(console: Console, n: int, x: dict, previous_fix: str | None) -> str | None:
    """One finding as a block of lines; returns its fix text."""
    head = Text(f"{n}. ")
    head.append_text(_level(x))
    head.append(f" {clean(x.get('rule'))}  {_where(x)}")
    _print_wrapped(console, head, indent="     ", first="  ")
    if _values(x):
        _print_wrapped(console, _values(x), indent="     ", first="     ", style="bold")
    _print_wrapped(console, clean(x.get("message")), indent="     ", first="     ")
    if review_text(x):
        _print_wrapped(console, clean(review_text(x)), indent="     ", first="     ", style="dim")
        return previous_fix
    fix = (x.get("fix") or {}).get("text")
    if fix:
        fix = clean(fix)
        _print_wrapped(console, "同上" if fix == previous_fix else fix, indent="     ", first="     改法：")
    return fix or previous_fix


def _table(console: Console, shown: list[dict]) -> None:
    table = Table(show_lines=False, header_style="bold", pad_edge=False)
    for col in ("规则", "级别", "表", "行", "列", "报告值", "应为", "说明"):
        table.add_column(col, overflow="fold")
    for group in groups(shown):  # one problem (a cell that breaks several rules), one row
        for part in ([y for y in group if not y.get("review")], [y for y in group if y.get("review")]):
            if not part:  # reviewed findings of a problem get their own row, shown as reviewed
                continue
            x = next((y for y in part if "/".join(subject(y) or ()) == y.get("group")), part[0])
            message = Text("\n".join(dict.fromkeys(clean(y.get("message")) for y in part)))
            for text in dict.fromkeys(review_text(y) for y in part if review_text(y)):
                message.append("\n" + clean(text), style="dim")
            table.add_row(clean("、".join(dict.fromkeys(y.get("rule") for y in part))), _level(x),
                          clean(x.get("table")), clean(x.get("row")), clean(x.get("column")), num(x.get("reported")),
                          num(expected(x)), message)
    console.print(table)
    for x in shown:
        fix = None if x.get("review") else x.get("fix")
        if fix and fix.get("text"):
            _print_wrapped(console, clean(fix["text"]), indent="  ", first="  最可能需要修改的单元格：")
            break


def _verdict(console: Console, f) -> None:
    label, colour, mark = _STATUS[f.status]
    line = Text(f"{mark} {clean(f.path)}  ")
    line.append(label, style=f"bold {colour}")
    if f.status in ("unreadable", "skipped"):  # no findings: the reason instead
        line.append("：" + clean(f.reason) + (f"（{clean(f.detail)}）" if f.detail else ""))
        _print_wrapped(console, line, indent="    ")
        return
    meta = "  ".join(x for x in (" ".join(x for x in (clean(f.body), f"{f.year}年" if f.year else "",
                                                      f"{f.template}年版格式" if f.template else "") if x),
                                 f"错误 {f.count('error')}，警告 {f.count('warning')}"
                                 + (f"，已审核 {f.reviewed}" if f.reviewed else "")) if x)
    if cell_len(line.plain) + 2 + cell_len(meta) <= console.width:
        line.append("  " + meta)
        console.print(line, soft_wrap=True, highlight=False)
    else:  # the path and the verdict on one line, what was found out about the report on the next
        _print_wrapped(console, line, indent="    ")
        _print_wrapped(console, meta, indent="    ", first="    ")


def render(result, console: Console | None = None, *, show_info: bool = False, quiet: bool = False,
           unreadable: bool = True) -> None:
    """Print the report. ``unreadable=False`` leaves out the lines of unreadable files (the
    CLI has already said each of them once, on stderr); the summary still counts them."""
    console = console or Console()
    if not console.is_terminal and console.width < 140:
        console.width = 140
    narrow = console.width < WIDE
    for f in result.files:
        if f.status == "unreadable" and not unreadable:
            continue
        _verdict(console, f)
        if quiet or f.status in ("unreadable", "skipped"):
            continue
        shown = [x for x in f.findings if show_info or x.get("severity") != "info"]
        if not shown:
            continue
        if narrow:
            fix = None
            for n, x in enumerate(shown, 1):
                fix = _block(console, n, x, fix)
        else:
            _table(console, shown)
    for rule_id, reason in getattr(result, "disabled", {}).items():
        _print_wrapped(console, f"已停用规则 {clean(rule_id)}（理由：{clean(reason)}）", indent="  ")
    if reviews_text(result):
        _print_wrapped(console, clean(reviews_text(result)), indent="  ")
    if len(result.files) > 1:
        summary(result, console)


def summary(result, console: Console | None = None) -> None:
    """The batch summary after the per-file output: files passed / failed / unreadable, then
    the errors and warnings of each rule (how many findings, in how many files)."""
    console = console or Console()
    n = len(result.files)
    console.print()
    console.print(summary_text(result), highlight=False, soft_wrap=True)
    per_rule: dict[str, dict] = {}
    for f in result.files:
        for x in f.findings:
            if x["severity"] not in ("error", "warning") or x.get("review"):
                continue
            row = per_rule.setdefault(x["rule"], {"error": 0, "warning": 0, "files": set(), "name": x.get("name")})
            row[x["severity"]] += 1
            row["files"].add(f.path)
    if not per_rule:
        return
    titles = {k: r.title for k, r in (getattr(result, "rules", None) or {}).items()}
    table = Table(title="各规则的错误与警告", header_style="bold", pad_edge=False)
    for col, justify in (("规则", "left"), ("标题", "left"), ("错误", "right"), ("警告", "right"), ("涉及文件", "right")):
        table.add_column(col, justify=justify, overflow="fold")
    for rule_id in sorted(per_rule):
        row = per_rule[rule_id]
        table.add_row(_m(rule_id), _m(titles.get(rule_id, row["name"] or "")),
                      f"[bold red]{row['error']}[/]" if row["error"] else "0",
                      f"[yellow]{row['warning']}[/]" if row["warning"] else "0", str(len(row["files"])))
    table.add_section()
    table.add_row("合计", "", str(sum(r["error"] for r in per_rule.values())),
                  str(sum(r["warning"] for r in per_rule.values())),
                  str(len(set().union(*(r["files"] for r in per_rule.values())))), style="bold")
    console.print(table)


def rules(catalogue: dict, console: Console | None = None) -> None:
    """``validator rules``: the catalogue as a table on a wide terminal, a block per rule on a narrow one."""
    console = console or Console()
    if not console.is_terminal and console.width < 140:
        console.width = 140
    tables = {code: t.label for code, t in TEMPLATE.tables.items()}
    if console.width >= WIDE:
        t = Table("规则", "名称", "级别", "表", "格式版本", "标题", header_style="bold", pad_edge=False)
        for r in catalogue.values():
            t.add_row(r.id, r.name, Text(_SEVERITY.get(r.severity, r.severity), style=_STYLE.get(r.severity)),
                      "、".join(tables.get(x, x) for x in r.tables), "、".join(r.versions), Text(clean(r.title)))
        console.print(t)
        return
    for r in catalogue.values():
        head = Text(f"{r.id}  ")
        head.append(_SEVERITY.get(r.severity, r.severity), style=_STYLE.get(r.severity))
        scope = "、".join(tables.get(x, x) for x in r.tables)
        head.append(f"  {clean(r.title)}" + (f"（{scope}）" if scope else ""))
        _print_wrapped(console, head, indent="      ")
        _print_wrapped(console, f"{r.name}；格式版本 {'、'.join(r.versions)}", indent="      ", first="      ",
                       style="dim")
    console.print(f"共 {len(catalogue)} 条规则。validator explain 规则编号 查看说明和示例。", highlight=False)


class Progress:
    """A progress bar on stderr for long batch runs.

    Shown only when stderr is a terminal (never in pipes, CI logs or tests) and only once
    the run has lasted ``delay`` seconds, so short runs print nothing. Use as a context
    manager and pass :meth:`advance` as ``check_paths(on_file=...)``.
    """

    def __init__(self, total: int, *, console: Console | None = None, delay: float = 1.0, clock=None):
        import time

        self.console = console or Console(stderr=True)
        self.total, self.delay, self.done = total, delay, 0
        self.clock = clock or time.monotonic
        self.enabled = self.console.is_terminal and total > 1
        self.start = self.clock()
        self.bar = self.task = None

    def advance(self, path=None) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.bar is None:
            if self.clock() - self.start < self.delay or self.done >= self.total:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeRemainingColumn

            self.bar = Bar(TextColumn("检查中"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                           TextColumn("{task.description}"), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total)
        what = "全部读完，核对勾稽关系……" if self.done >= self.total else _m(str(path or "")[-60:])
        self.bar.update(self.task, completed=self.done, description=what)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
