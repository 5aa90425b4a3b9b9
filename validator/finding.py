"""A finding: one problem in one report, as a typed record.

Every check (validator/checks.py) returns :class:`Finding` records; every output reads
them and nothing else. The message is never written in code: it is the rule's message
template (``message`` or one of its named ``messages`` in rules/*.yaml) rendered with the
finding's ``params``.

``finding["key"]`` reads the finding as its JSON record (validator/report.schema.json),
so ``result.files[0].findings[0]["message"]`` keeps working; ``to_dict()`` is that record.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

SEVERITIES = ("error", "warning", "info")


def fmt(v) -> str:
    """A value as it appears in a message: 4 not 4.0; a missing value as 空白."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "空白"
    return f"{v + 0.0:g}" if isinstance(v, float) else str(v)  # + 0.0: never "-0"


class _Params(dict):
    """Message parameters: numbers written as people write them, absent ones empty."""

    def __missing__(self, key):
        return ""

    def __getitem__(self, key):
        v = super().__getitem__(key)
        return fmt(v) if isinstance(v, float) else v


def render(template: str, params: Mapping) -> str:
    return (template or "").format_map(_Params(params))


class _View:
    """Read access by JSON key (``x["rule"]``, ``x.get("implied")``) for the outputs and the API."""

    _KEYS: tuple[str, ...] = ()

    def __getitem__(self, key: str):
        if key not in self._KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default=None):
        try:
            v = self[key]
        except KeyError:
            return default
        return default if v is None and default is not None else v

    def __contains__(self, key) -> bool:
        return key in self._KEYS

    def keys(self):
        return self._KEYS


@dataclass(frozen=True)
class CellRef(_View):
    """A canonical cell a finding uses: codes, the report's labels, what was read, where."""

    table_code: str
    row_code: str
    column_code: str
    table: str
    row: str
    column: str
    value: float | None = None
    raw: str | None = None
    state: str = "missing"
    source: str | None = None  # where, in Chinese (第70行第2格)
    position: dict | None = field(default=None, hash=False)
    report: str | None = None  # the file, for a cell of another (the previous year's) report
    year: int | None = None

    _KEYS = ("report", "year", "table", "row", "column", "table_code", "row_code", "column_code", "value", "raw",
             "state", "source", "position")

    @property
    def key(self) -> tuple[str, str, str]:
        return self.table_code, self.row_code, self.column_code

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self._KEYS}
        if self.report is None:  # only cells of another report name it
            del out["report"], out["year"]
        return out


@dataclass(frozen=True)
class Finding(_View):
    """One problem in one report.

    ``table``/``row``/``column`` are the report's own labels of the subject cell (or row,
    or table), ``*_code`` the template's codes. ``reported`` is the value as read (None
    for a blank cell), ``expected`` the value the rules imply there. ``rules`` lists every
    rule the finding stands for (a blank cell implied by three equations is one finding).
    ``group`` is shared by the findings of one problem (the cell a fix changes).
    ``fingerprint`` and ``review`` are filled by the reviewed-findings step.
    """

    rule: str
    severity: str
    template: str  # the rule's message template
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    name: str = ""
    report: int = 0  # index of the report in its batch
    table_code: str | None = None  # the subject: the template's codes …
    row_code: str | None = None
    column_code: str | None = None
    rules: tuple[str, ...] = ()
    table: str | None = None  # … and the report's labels
    row: str | None = None
    column: str | None = None
    reported: float | str | None = None
    expected: float | None = None
    implied: bool = False  # the subject is a blank cell and ``expected`` the value the equations imply
    cells: tuple[CellRef, ...] = ()
    fix: Mapping | None = field(default=None, hash=False)
    snippet: str | None = None  # the narrative text a finding quotes
    position: dict | None = field(default=None, hash=False)  # where, when not a cell's position
    source: str | None = None  # ``position`` in Chinese
    group: str | None = None
    evidence: Mapping | None = field(default=None, hash=False)  # what a check without cells judged (fingerprint)
    fingerprint: str | None = None
    review: Any = None

    _KEYS = ("rule", "fingerprint", "name", "severity", "message", "table", "row", "column", "table_code", "row_code",
             "column_code", "reported", "expected", "implied", "rules", "cells", "fix", "snippet", "position",
             "source", "group", "params", "review", "report", "evidence")

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if not self.rules:
            object.__setattr__(self, "rules", (self.rule,))

    @property
    def message(self) -> str:
        return render(self.template, self.params)

    @property
    def subject(self) -> tuple[str, str, str] | None:
        """(table, row, column) codes of the one cell the finding is about, if it is about one."""
        if self.table_code and self.row_code and self.column_code:
            return self.table_code, self.row_code, self.column_code
        return None

    def __getitem__(self, key: str):
        if key == "implied":  # JSON: the blank subject cell and its implied value, else null
            return ({"row_code": self.row_code, "column_code": self.column_code, "value": self.expected}
                    if self.implied else None)
        return super().__getitem__(key)

    def with_(self, **changes) -> "Finding":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """The JSON record (validator/report.schema.json)."""
        out = {k: self[k] for k in self._KEYS if k not in ("report", "params", "evidence")}
        out["cells"] = [c.to_dict() for c in self.cells]
        out["rules"] = list(self.rules)
        out["fix"] = None if self.fix is None else dict(self.fix)
        out["params"] = {k: v for k, v in self.params.items() if isinstance(v, (str, int, float, bool, type(None)))}
        return out


FRAME_COLUMNS = {  # findings_frame(): fixed columns and dtypes, whatever the run found
    "path": "string", "rule": "string", "severity": "string", "table": "string", "row": "string",
    "column": "string", "table_code": "string", "row_code": "string", "column_code": "string",
    "reported": "Float64", "reported_text": "string", "expected": "Float64", "implied": "boolean", "rules": "string", "message": "string",
    "source": "string", "group": "string", "fingerprint": "string",
}

__all__ = ["CellRef", "Finding", "FRAME_COLUMNS", "SEVERITIES", "fmt", "render"]
