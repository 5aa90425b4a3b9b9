"""The console report: one verdict line per file, then a table of its findings (rich)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .safe import markup as _m

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
_STATUS = {"passed": ("[green]通过[/]", "✔"), "failed": ("[red]未通过[/]", "✘"), "unreadable": ("[magenta]无法读取[/]", "!")}


def _num(v):
    if v is None:
        return ""
    return f"{v:g}" if isinstance(v, float) else str(v)


def render(result, console: Console | None = None, *, show_info: bool = False, quiet: bool = False) -> None:
    console = console or Console()
    if not console.is_terminal and console.width < 140:
        console.width = 140
    for f in result.files:
        label, mark = _STATUS[f.status]
        meta = " ".join(x for x in (_m(f.body or ""), f"{f.year}年" if f.year else "",
                                    f"{_m(f.template)}年版格式" if f.template else "") if x)
        counts = f"错误 {f.count('error')}，警告 {f.count('warning')}" if f.status != "unreadable" else _m(f.reason)
        console.print(f"{mark} {_m(f.path)}  {label}  {meta}  {counts}", highlight=False, soft_wrap=True)
        if quiet or f.status == "unreadable":
            continue
        shown = [x for x in f.findings if show_info or x["severity"] != "info"]
        if not shown:
            continue
        table = Table(show_lines=False, header_style="bold", pad_edge=False)
        for col in ("规则", "级别", "表", "行", "列", "报告值", "应为", "说明"):
            table.add_column(col, overflow="fold")
        for x in shown:
            table.add_row(_m(x["rule"]), f"[{_STYLE[x['severity']]}]{_SEVERITY[x['severity']]}[/]",
                          _m(x.get("table") or ""), _m(x.get("row") or ""), _m(x.get("column") or ""),
                          _m(_num(x.get("reported"))),
                          _m(_num((x.get("implied") or {}).get("value", x.get("expected")))), _m(x["message"]))
        console.print(table)
        for x in shown:
            fix = x.get("fix")
            if fix and fix.get("text"):
                console.print(f"  最可能需要修改的单元格：{_m(fix['text'])}", highlight=False)
                break
    for rule_id, reason in getattr(result, "disabled", {}).items():
        console.print(f"已停用规则 {_m(rule_id)}（理由：{_m(reason)}）", highlight=False, soft_wrap=True)
    if len(result.files) > 1:
        summary(result, console)


def summary(result, console: Console | None = None) -> None:
    """The batch summary after the per-file output: files passed / failed / unreadable, then
    the errors and warnings of each rule (how many findings, in how many files)."""
    console = console or Console()
    n = len(result.files)
    s = {k: sum(f.status == k for f in result.files) for k in ("passed", "failed", "unreadable")}
    console.print()
    console.print(f"共 {n} 个文件：通过 {s['passed']}，未通过 {s['failed']}，无法读取 {s['unreadable']}",
                  highlight=False, soft_wrap=True)
    per_rule: dict[str, dict] = {}
    for f in result.files:
        for x in f.findings:
            if x["severity"] not in ("error", "warning"):
                continue
            row = per_rule.setdefault(x["rule"], {"error": 0, "warning": 0, "files": set(), "name": x.get("name")})
            row[x["severity"]] += 1
            row["files"].add(f.path)
    if not per_rule:
        return
    from ..rules import load

    titles = {k: r.title for k, r in load().items()}
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
