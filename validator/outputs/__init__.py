"""Output formats: each module is a pure function of a run's :class:`~validator.run.Result`.

``FORMATS`` maps a ``--format`` name to the module that renders it; every module exposes
``render(result) -> str`` (the console module prints with rich instead). The formats a
large batch is written in (JSON, CSV, JUnit, SARIF, HTML) also have ``stream(result)``: the
same text in pieces, one file at a time, so that writing it keeps memory flat (:func:`pieces`).

The small helpers below are shared by the formats, so that every output says the same
thing about a finding: its subject cell, the value expected there, where it is.
"""
from __future__ import annotations

import importlib
import math

FORMATS = {
    "console": "console",
    "json": "json",
    "html": "html",
    "junit": "junit",
    "sarif": "sarif",
    "csv": "csv",
    "github": "github",
    "gitlab": "gitlab",
}

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_ZH = {"passed": "通过", "failed": "未通过", "unreadable-in-part": "部分无法读取", "unreadable": "无法读取",
             "skipped": "已跳过"}  # skipped: found in a directory, plainly not an annual report
REVIEW_ZH = {"accepted": "已接受", "false-positive": "误报"}


def summary_text(result) -> str:
    """The batch summary line: how many files have each status (部分无法读取, 已跳过 only when any)."""
    s = result.summary
    parts = [f"{STATUS_ZH[k]} {n}" for k, n in s.items() if n or k not in ("unreadable-in-part", "skipped")]
    return f"共 {len(result.files)} 个文件：" + "，".join(parts)


def module(name: str):
    return importlib.import_module(f"{__name__}.{FORMATS[name]}")


def pieces(name: str, result):
    """The text of format ``name`` for ``result`` as an iterable of pieces (its ``stream``,
    or its whole ``render`` as one piece)."""
    m = module(name)
    return m.stream(result) if hasattr(m, "stream") else (m.render(result),)


def num(v) -> str:
    """A value as people write it: 4 not 4.0, 17233.32 not 17233.3; text as it is; None/NaN empty."""
    if v is None or isinstance(v, bool):
        return "" if v is None else str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def expected(finding):
    """The value the finding says belongs in its subject cell (the implied value of a blank
    cell, or the rule's expected value; None when it has none)."""
    return finding.get("expected")


def subject(finding) -> tuple[str, str, str] | None:
    """The (table, row, column) codes of the one cell a finding is about, if it is about one."""
    t, r, c = finding.get("table_code"), finding.get("row_code"), finding.get("column_code")
    return (t, r, c) if t and r and c else None


def cell_key(cell) -> tuple[str, str, str]:
    """(table, row, column) codes of a cell (finding cells carry *_code keys)."""
    return (cell.get("table_code") or cell.get("table"), cell.get("row_code") or cell.get("row"),
            cell.get("column_code") or cell.get("column"))


def suggestions(finding) -> list[tuple[tuple[str, str, str], object]]:
    """The fix's suggested values: [((table, row, column), suggested value)] of the best fix."""
    fix = finding.get("fix") or {}
    out = []
    for c in fix.get("cells") or ():
        if isinstance(c, dict) and c.get("suggested") is not None:
            out.append((cell_key(c), c["suggested"]))
    return out


def groups(findings) -> list[list]:
    """Findings of one problem together (the same ``group``: the cell a fix changes), in the
    order of their first finding; a finding without a group is a group of its own."""
    out: dict = {}
    for i, x in enumerate(findings):
        out.setdefault(x.get("group") or ("", i), []).append(x)
    return list(out.values())


def details(finding, *, reported: bool = True, fix: bool = True) -> list[str]:
    """What the one-line outputs (JUnit, GitHub, GitLab) say after a finding's message:
    where it is, the value reported, the value expected there, the suggested fix."""
    parts = []
    where = source(finding)
    if where:
        parts.append(f"位置：{where}")
    if reported and finding.get("reported") is not None:
        parts.append(f"报告值：{num(finding.get('reported'))}")
    if expected(finding) is not None:
        parts.append(f"应为：{num(expected(finding))}")
    text = (finding.get("fix") or {}).get("text")
    if fix and text:
        parts.append(f"建议修改：{text}")
    return parts


def review_text(finding: dict) -> str | None:
    """A reviewed finding's decision as users read it: 已审核（已接受）：理由（by，date）."""
    review = finding.get("review")
    if not review:
        return None
    who = "，".join(str(v) for v in (review.get("by"), review.get("date")) if v)
    return (f"已审核（{REVIEW_ZH.get(review.get('status'), review.get('status'))}）：{review.get('reason')}"
            + (f"（{who}）" if who else ""))


def reviews_text(result) -> str | None:
    """The run's reviews file in one line: how many entries applied, how many are stale."""
    s = getattr(result, "reviews", None)
    if not s:
        return None
    line = f"审核记录 {s['file']}：共 {s['entries']} 条，已应用 {s['applied']} 条"
    if s["stale"]:
        line += f"，审核记录不再适用 {len(s['stale'])} 条（{'、'.join(s['stale'])}，见 R001）"
    if s["elsewhere"]:
        line += f"，{s['elsewhere']} 条属于本次未检查的报告"
    return line


def position_text(position: dict | None) -> str | None:
    """A position dict (line/page/table/row/col/sheet) as the Chinese text users read."""
    if not position:
        return None
    from ..document import Position

    try:
        return str(Position(**position))
    except TypeError:
        return None


def source(finding: dict) -> str:
    """Where to look in the file: the subject cell's position, else the finding's, else its cells'."""
    key = subject(finding)
    cells = finding.get("cells") or []
    if key is not None:
        for c in cells:
            if cell_key(c) == key and c.get("source"):
                return c["source"]
    text = position_text(finding.get("position"))
    if text:
        return text
    return "；".join(dict.fromkeys(c["source"] for c in cells if c.get("source")))


def position(finding: dict) -> dict | None:
    """Where a finding is in the file: its subject cell's position, else its own, else the
    first of its cells' (an equation over several cells)."""
    cells = finding.get("cells") or []
    key = subject(finding)
    for c in cells:
        if key is not None and cell_key(c) == key and c.get("position"):
            return c["position"]
    if finding.get("position"):
        return finding["position"]
    return next((c["position"] for c in cells if c.get("position")), None)


def line(finding: dict) -> int:
    """The finding's line in the file (text reports), else 1: platforms that place findings on
    lines (SARIF regions, GitHub annotations, GitLab Code Quality) need one."""
    pos = position(finding) or {}
    try:
        return max(1, int(pos.get("line") or 1))
    except (TypeError, ValueError):
        return 1


def fingerprint(finding: dict) -> str | None:
    """The finding's stable fingerprint (validator/fingerprint.py, set on every finding)."""
    return finding.get("fingerprint")


def relpath(path: str) -> str:
    """A path relative to the working directory when it is under it (CI platforms want paths
    relative to the repository checkout), else as given, with forward slashes."""
    import os
    from pathlib import Path

    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path(os.getcwd()))
        except ValueError:
            pass
    return p.as_posix()


def catalogue(result) -> dict:
    """The rule catalogue the run used (user rules and severity overrides included), by id."""
    return dict(getattr(result, "rules", None) or {})
