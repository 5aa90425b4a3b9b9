"""The console report: one verdict line per file, then a table of its findings (rich)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

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
        meta = " ".join(x for x in (f.body or "", f"{f.year}年" if f.year else "",
                                    f"{f.template}年版格式" if f.template else "") if x)
        counts = f"错误 {f.count('error')}，警告 {f.count('warning')}" if f.status != "unreadable" else f.reason
        console.print(f"{mark} {f.path}  {label}  {meta}  {counts}", highlight=False, soft_wrap=True)
        if quiet or f.status == "unreadable":
            continue
        shown = [x for x in f.findings if show_info or x["severity"] != "info"]
        if not shown:
            continue
        table = Table(show_lines=False, header_style="bold", pad_edge=False)
        for col in ("规则", "级别", "表", "行", "列", "报告值", "应为", "说明"):
            table.add_column(col, overflow="fold")
        for x in shown:
            table.add_row(x["rule"], f"[{_STYLE[x['severity']]}]{_SEVERITY[x['severity']]}[/]", x.get("table") or "",
                          x.get("row") or "", x.get("column") or "", _num(x.get("reported")),
                          _num((x.get("implied") or {}).get("value", x.get("expected"))), x["message"])
        console.print(table)
        for x in shown:
            fix = x.get("fix")
            if fix and fix.get("text"):
                console.print(f"  最可能需要修改的单元格：{fix['text']}", highlight=False)
                break
    n = len(result.files)
    s = {k: sum(f.status == k for f in result.files) for k in ("passed", "failed", "unreadable")}
    if n > 1:
        console.print(f"共 {n} 个文件：通过 {s['passed']}，未通过 {s['failed']}，无法读取 {s['unreadable']}")
