"""The pipeline for a batch: read each file → extract its tables → check the rules → results.

This is the one place that strings the stages together; the CLI and the Python API
(``validator.check``) both call :func:`check_paths`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import extract as _extract
from .errors import Unreadable
from .readers import read

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class FileResult:
    path: str
    status: str  # passed | failed | unreadable
    format: str | None = None
    template: str | None = None
    year: int | None = None
    year_source: str | None = None
    body: str | None = None
    reason: str | None = None  # why the file is unreadable (Chinese)
    detail: str | None = None  # technical cause (English)
    findings: list[dict] = field(default_factory=list)
    # the report's canonical cells, for outputs that draw the tables (HTML):
    # {table, row, column (codes), value, raw, state, source (Chinese position text), position}
    cells: list[dict] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(f["severity"] == severity for f in self.findings)


@dataclass
class Result:
    files: list[FileResult]

    @property
    def exit_code(self) -> int:
        if any(f.status == "unreadable" for f in self.files):
            return 2
        if any(f.status == "failed" for f in self.files):
            return 1
        return 0

    def findings_frame(self):
        import pandas as pd

        rows = [{"path": f.path, **{k: v for k, v in x.items() if k != "report"}} for f in self.files for x in f.findings]
        return pd.DataFrame(rows)


def _cells(report) -> list[dict]:
    return [{"table": c.table, "row": c.row, "column": c.column, "value": c.value, "raw": c.raw, "state": c.state,
             "source": None if c.pos is None else str(c.pos), "position": None if c.pos is None else c.pos.as_dict()}
            for c in report.cells]


def load_reports(path: Path, *, year: int | None = None, body: str | None = None) -> list:
    """Read and extract one file: one report, or several from a canonical long-form file.
    Raises Unreadable."""
    from . import canonical

    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        head = b""
    fmt = canonical.sniff(path, head) if head else None
    if fmt is not None:
        reports = canonical.read(path, fmt)
        for r in reports:
            r.notes.extend(_extract.cell_notes(r))
        return reports
    doc = read(path)
    report = _extract.extract(doc, year=year, body=body)
    if all(c.state == "missing" for c in report.cells if c.table in ("t3", "t4")):
        raise Unreadable("未找到表三、表四的数据（表格可能是图片，或不是年度报告）")
    return [report]


def check_paths(paths: list[Path], *, year: int | None = None, body: str | None = None, strict: bool = False,
                rules=None, debug: bool = False, previous: list[Path] = (), on_file=None) -> Result:
    """Check files as one batch. ``previous`` files are read only as last year's reports
    for the cross-year rules: they are paired with the checked reports but not reported on.
    ``on_file(path)``, when given, is called after each checked file is read (progress)."""
    from . import rules as _rules

    results: list[FileResult] = []
    reports, owners = [], []
    for p in paths:
        try:
            loaded = load_reports(Path(p), year=year, body=body)
        except Unreadable as e:
            if debug:
                raise
            results.append(FileResult(str(p), "unreadable", reason=e.reason, detail=e.detail))
            if on_file is not None:
                on_file(p)
            continue
        for report in loaded:
            owners.append(len(results))
            reports.append(report)
            results.append(FileResult(report.path if len(loaded) > 1 else str(p), "passed", format=report.format,
                                      template=report.version, year=report.year, year_source=report.year_source,
                                      body=report.body, cells=_cells(report)))
        if on_file is not None:
            on_file(p)
    for p in previous:
        try:
            for report in load_reports(Path(p), body=body):
                report.context = True
                owners.append(None)
                reports.append(report)
        except Unreadable as e:
            if debug:
                raise
            results.append(FileResult(str(p), "unreadable", reason=f"（--previous）{e.reason}", detail=e.detail))
    if reports:
        from .engine import Checker
        from .frame import build

        catalogue = rules if rules is not None else _rules.load()
        findings = Checker(reports, build(reports), catalogue, strict=strict).run()
        for f in findings:
            results[owners[f["report"]]].findings.append(f)
    for r in results:
        r.findings.sort(key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["rule"]))
        if r.status != "unreadable":
            r.status = "failed" if r.count("error") else "passed"
    return Result(results)
