"""Check the canonical frame of a batch against the rule catalogue.

Every rule names its check kind (``check:`` in rules/*.yaml; an ``assert`` is an
``equation``). :data:`CHECKS` is the registry of kinds: each is one function
``(batch, rule) -> Iterable[Finding]`` registered with :func:`check`; the engine runs
every rule of the catalogue through its kind, in the kinds' stage order, and nothing
else. Severity, tolerance, cells, sections and messages come from the rule's record.

Equation rules are evaluated once per batch, vectorised over all reports and all columns
(or rows) of their table: the table is pivoted to a wide matrix, the assertion becomes a
weighted sum of its columns, and only the failing entries are looked at one by one.
Value rules (non-negative whole counts …) are pandera checks run with lazy validation.

Blank cells follow one policy, the blank rule's (``check: blank``, B001): an equation
that fails only because a blank was read as 0, and holds once that blank takes the value
the equation implies, is not reported by the equation; the blank rule reports the cell
once, with the implied value and every rule implying it. Blanks that break an equation
without one implied value are one finding per set of cells. A failure between filled
numbers is the equation's own finding; ``strict`` makes every blank an error.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from . import fixes
from .extract import CellRecord, Report
from .finding import CellRef, Finding, fmt
from .identity import body_key, same_body
from .rules import PREV, Rule, expand, split_ref
from .template import TEMPLATE, normalize

BLANK = ("blank", "dash")
UNUSABLE = ("missing", "invalid", "unreadable")


@dataclass(frozen=True)
class Kind:
    """A registered check kind: its function, when it runs, and whether it needs the
    reports of other years (it then runs in the batch's last, cross-year pass)."""

    name: str
    run: Callable[["Checker", Rule], Iterable[Finding]]
    stage: int = 0
    cross_year: bool = False
    params: Callable[[dict], None] | None = None  # checks a rule's params beyond their types (ValueError)


CHECKS: dict[str, Kind] = {}


def check(*names: str, stage: int = 0, cross_year: bool = False, params: Callable[[dict], None] | None = None):
    """Register a function as the check of one or more ``check:`` names; ``params``, if
    given, checks the values of a rule's ``params`` (the rule file's and the config's)."""
    def register(fn):
        for name in names:
            CHECKS[name] = Kind(name, fn, stage, cross_year, params)
        return fn
    return register


def is_cross_year(rule: Rule) -> bool:
    """Rules between consecutive reports: checked in the batch's cross-year pass."""
    kind = CHECKS.get(rule.check)
    return bool(kind and kind.cross_year) or (rule.assertion is not None and rule.assertion.cross_year)


@dataclass(frozen=True)
class Wide:
    """A table of a batch as a wide matrix, built with numpy scatter: row ``i`` is one
    report's column (or row) ``keys[i]``, matrix column ``at[code]`` one row (or column) code."""

    values: np.ndarray  # float; NaN where the cell is not a number
    states: np.ndarray  # object; None where the report has no such cell
    reports: np.ndarray  # the report of each matrix row
    keys: np.ndarray  # the column (or row) code of each matrix row
    at: dict[str, int]
    pairs: np.ndarray  # report * n_keys + key code of each matrix row, sorted
    n_keys: int

    def rows_of(self, report_of: list[int]) -> np.ndarray:
        """For each matrix row, the row of the same key in report ``report_of[report]``
        (-1 where that report is -1 or lacks the key)."""
        other = np.asarray(report_of, dtype=np.int64)[self.reports]
        target = other * self.n_keys + self.pairs % self.n_keys
        at = np.minimum(np.searchsorted(self.pairs, target), len(self.pairs) - 1)
        return np.where((other >= 0) & (self.pairs[at] == target), at, -1)

    def take(self, codes: list[str], rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The values and states of ``codes`` for every matrix row, or for ``rows`` of it
        (NaN / None where a row is -1)."""
        cols = [self.at[c] for c in codes]
        if rows is None:
            return self.values[:, cols], self.states[:, cols]
        v, s = self.values[rows][:, cols], self.states[rows][:, cols]
        v[rows < 0], s[rows < 0] = np.nan, None
        return v, s


class Checker:
    """One batch of reports, its canonical frame and the catalogue to check it against."""

    def __init__(self, reports: list[Report], frame: pd.DataFrame, rules: dict[str, Rule], strict: bool = False):
        self.reports, self.df, self.rules, self.strict = reports, frame, rules, strict
        self.findings: list[Finding] = []
        self._wide: dict = {}
        self._columns: dict[str, np.ndarray] = {}
        self._cells: dict[int, dict] = {}
        self._rows: dict[int, set] = {}
        self._texts: dict[int, list[str]] = {}
        self.previous = pair_years(reports)
        # the blank policy (B001) is on when the catalogue has a blank rule and blanks are not errors
        self.blank_rule = next((r for r in rules.values() if r.check == "blank"), None)
        # blanks found by failing equations: {(report, table, row, column, value): [rules, cells]}
        self.implied: dict[tuple, list] = {}
        self.unfilled: dict[tuple, list] = {}  # {(report, table, (blank codes …)): [rules, cells]}

    # ------------------------------------------------------------ helpers
    def cell(self, report: int, table: str, row: str, column: str) -> CellRecord | None:
        return self.index(report).get((table, row, column))

    def cellref(self, report: int, table: str, row: str, column: str, previous: bool = False) -> CellRef:
        c = self.cell(report, table, row, column)
        other = {"report": self.reports[report].path, "year": self.reports[report].year} if previous else {}
        return CellRef(
            table_code=table, row_code=row, column_code=column, table=TEMPLATE.table_label(table),
            row=TEMPLATE.row_label(table, row), column=TEMPLATE.column_label(table, column),
            value=None if c is None else c.value, raw=None if c is None else c.raw,
            state="missing" if c is None else c.state,
            source=None if c is None or c.pos is None else str(c.pos),
            position=None if c is None or c.pos is None else c.pos.as_dict(), **other)

    def index(self, report: int) -> dict[tuple[str, str, str], CellRecord]:
        """One report's cells by (table, row, column)."""
        if report not in self._cells:
            self._cells[report] = {(c.table, c.row, c.column): c for c in self.reports[report].cells}
        return self._cells[report]

    def reading(self, report: int, ref: str) -> tuple[float | None, list[tuple[str, str, str]]]:
        """A reading's cell (see validator.narrative.reading_cells) in one report: its value
        (None when a cell is not a number) and the cells it was taken from. A blank total
        column is the sum of its detail columns."""
        from .narrative import detail_columns, reading_cells

        index = self.index(report)
        if report not in self._rows:  # a report's rows, for each of the readings of every rule
            self._rows[report] = {(t, r) for t, r, _ in index}
        rows = self._rows[report]
        cells = reading_cells(ref, lambda t, r: (t, r) in rows)
        total, used = 0.0, []
        for t, r, col in cells:
            c = index.get((t, r, col))
            if c is not None and c.state in BLANK and detail_columns(t, col):
                parts = [index.get((t, r, d)) for d in detail_columns(t, col)]
                if any(p is not None and p.state == "number" for p in parts) and \
                        all(p is None or p.state in ("number", *BLANK) for p in parts):
                    total += sum(p.value for p in parts if p is not None and p.state == "number")
                    used.extend((t, r, d) for d, p in zip(detail_columns(t, col), parts) if p is not None)
                    continue
            if c is None or c.state != "number":
                return None, []
            total += c.value
            used.append((t, r, col))
        return (total, used) if cells else (None, [])

    def texts(self, report: int) -> list[str]:
        """A report's narrative paragraphs as the narrative checks read them (:func:`_texts`),
        made once for all the rules."""
        if report not in self._texts:
            self._texts[report] = _texts(self.reports[report])
        return self._texts[report]

    def value(self, report: int, ref: str) -> float | None:
        return self.reading(report, ref)[0]

    def finding(self, report: int, rule: Rule, *, message: str | None = None, severity: str | None = None,
                table: str | None = None, row: str | None = None, column: str | None = None,
                params: dict | None = None, position=None, **fields) -> Finding:
        """A finding of ``rule`` about a table / row / cell, its message the rule's template
        (``message``: the name of one of the rule's ``messages``) with ``params`` and the labels."""
        labels = {"table": TEMPLATE.table_label(table) if table else None,
                  "row": TEMPLATE.row_label(table, row) if row else None,
                  "column": TEMPLATE.column_label(table, column) if column else None}
        if position is not None:
            fields.update(position=position.as_dict(), source=str(position))
        where = {"source": fields["source"]} if fields.get("source") else {}  # a message may say where, too
        return Finding(rule=rule.id, name=rule.name, severity=severity or rule.severity_for(table),
                       template=rule.message_for(message), params={**{k: v or "" for k, v in labels.items()},
                                                                   **where, **(params or {})},
                       report=report, table_code=table, row_code=row, column_code=column, **labels, **fields)

    def column(self, name: str) -> np.ndarray:
        """A column of the batch's frame as a numpy array, made once: the checks make many
        small selections, which cost far less on plain arrays than on the frame's columns."""
        if name not in self._columns:
            self._columns[name] = self.df[name].to_numpy()
        return self._columns[name]

    def has_table(self, table: str) -> bool:
        return bool((self.column("table") == table).any())

    def wide(self, table: str, for_each: str) -> Wide:
        """The table as a wide matrix: one row per (report, column) and one column per row
        code (``for_each == "column"``), or the transpose (see :class:`Wide`)."""
        key = (table, for_each)
        if key not in self._wide:
            mine = self.column("table") == table
            keys, cols = ("column", "row") if for_each == "column" else ("row", "column")
            key_codes, key_names = pd.factorize(self.column(keys)[mine], sort=False)
            col_codes, col_names = pd.factorize(self.column(cols)[mine], sort=False)
            pairs = self.column("report")[mine] * len(key_names) + key_codes
            order, inverse = np.unique(pairs, return_inverse=True)
            values = np.full((len(order), len(col_names)), np.nan)
            states = np.full((len(order), len(col_names)), None, dtype=object)
            values[inverse, col_codes] = self.column("value")[mine].astype(float)
            states[inverse, col_codes] = self.column("state")[mine]
            self._wide[key] = Wide(values, states, order // len(key_names),
                                   np.asarray(key_names, dtype=object)[order % len(key_names)],
                                   {c: j for j, c in enumerate(col_names)}, order, len(key_names))
        return self._wide[key]

    def applies(self, rule: Rule, reports) -> np.ndarray:
        """Reports the rule applies to: template version (and, for cross-year rules, that of
        the previous report too), and never the context-only reports (--previous)."""
        ok = np.array([r.version in rule.versions and not r.context for r in self.reports])
        if rule.assertion is not None and rule.assertion.cross_year:
            ok &= np.array([i in self.previous and self.reports[self.previous[i]].version in rule.versions
                            for i in range(len(self.reports))])
        return ok[np.asarray(reports)]

    def checked(self, rule: Rule) -> Iterable[tuple[int, Report]]:
        """The reports a per-report check of ``rule`` looks at (its versions, not --previous ones)."""
        return ((i, r) for i, r in enumerate(self.reports) if not r.context and r.version in rule.versions)

    # ------------------------------------------------------------ run
    def run(self) -> list[Finding]:
        for rule in sorted(self.rules.values(), key=lambda r: CHECKS[r.check].stage):
            self.findings.extend(CHECKS[rule.check].run(self, rule))
        found = fixes.attach(self.rules, self.reports, self.findings)
        return [f for f in found if not self.reports[f.report].context]


# ---------------------------------------------------------------- equations

@check("equation")
def equation(batch: Checker, rule: Rule) -> Iterable[Finding]:
    table, for_each = rule.table, rule.for_each
    if not batch.has_table(table):
        return
    w = batch.wide(table, for_each)
    subject = rule.subject_code
    if subject is not None and subject.removeprefix(PREV) not in w.at:
        return  # no report has the subject row (an optional subtotal row): nothing to check
    coefs = {c: k for c, k in rule.terms().items() if c.removeprefix(PREV) in w.at}
    if not coefs:
        return
    here = [c for c in coefs if not c.startswith(PREV)]
    there = [c.removeprefix(PREV) for c in coefs if c.startswith(PREV)]
    codes = here + [PREV + c for c in there]  # the column order of v and s below
    reports = w.reports
    v, s = w.take(here)
    if there:  # the same cells in each report's previous-year report (NaN where none)
        pv, ps = w.take(there, w.rows_of([batch.previous.get(r, -1) for r in range(len(batch.reports))]))
        v, s = np.hstack([v, pv]), np.hstack([s, ps])
    k = np.array([coefs[c] for c in codes])
    residual = np.nan_to_num(v.astype(float)) @ k + rule.assertion.constant
    absent = pd.isna(s)
    unusable = np.isin(s, UNUSABLE).any(axis=1) | absent.all(axis=1)
    if there:
        unusable |= absent[:, len(here):].all(axis=1)
    if subject in codes:  # a report without the subject row (not printed there) is skipped, not failed
        unusable |= absent[:, codes.index(subject)]
    tol = rule.tolerance + 1e-9
    op = rule.assertion.op
    broken = residual > tol if op == "<=" else residual < -tol if op == ">=" else np.abs(residual) > tol
    failing = broken & ~unusable & batch.applies(rule, reports)
    if not failing.any():
        return
    blank = np.isin(s, BLANK)
    lhs = {c for item, _ in rule.assertion.lhs for c in expand(table, for_each, item)}
    for pos in np.flatnonzero(failing):
        report, key = int(reports[pos]), w.keys[pos]
        prev = batch.previous.get(report)
        row_of = (lambda c: c.removeprefix(PREV)) if for_each == "column" else (lambda c: key)
        col_of = (lambda c: key) if for_each == "column" else (lambda c: c.removeprefix(PREV))
        cells = tuple(batch.cellref(prev if c.startswith(PREV) else report, table, row_of(c), col_of(c),
                                    previous=c.startswith(PREV))
                      for j, c in enumerate(codes) if not absent[pos, j])
        blanks = [codes[j] for j in np.flatnonzero(blank[pos])]
        if blanks and batch.blank_rule is not None and not batch.strict and op == "==" and not there:
            if _blame_blanks(batch, rule, report, table, row_of, col_of, blanks, coefs, residual[pos], cells):
                continue
        terms = np.nan_to_num(v[pos].astype(float)) * k
        lsum = float(sum(t for c, t in zip(codes, terms) if c in lhs))
        rsum = float(-sum(t for c, t in zip(codes, terms) if c not in lhs)) - rule.assertion.constant + 0.0  # never -0.0
        subject_row = row_of(subject) if subject else (key if for_each == "row" else None)
        subject_col = col_of(subject) if subject else (key if for_each == "column" else None)
        f = batch.finding(report, rule, table=table, row=subject_row, column=subject_col, reported=lsum,
                          expected=rsum, cells=cells,
                          params={"reported": lsum, "expected": rsum, "difference": abs(lsum - rsum),
                                  "prev_year": batch.reports[prev].year if prev is not None else "",
                                  "prev_path": batch.reports[prev].path if prev is not None else ""})
        if subject_row is None:  # an equation between rows: named by the rule's subject
            f = f.with_(row=rule.subject, params={**f.params, "row": rule.subject or ""})
        yield f


def _blame_blanks(batch, rule, report, table, row_of, col_of, blanks, coefs, residual, cells) -> bool:
    """A failure caused by blanks, handed to the blank rule: one blank and the value the
    equation implies for it, or a set of blanks that could make it hold. False when the
    blanks cannot explain the failure (it stays the equation's)."""
    if len(blanks) == 1:
        b = blanks[0]
        implied = float(-residual / coefs[b])
        if implied >= 0 and implied.is_integer():
            entry = batch.implied.setdefault((report, table, row_of(b), col_of(b), implied), [[], {}])
            entry[0].append(rule.id)
            entry[1].update({c.key: c for c in cells})
            return True
        return False
    if any(np.sign(coefs[b]) == np.sign(-residual) for b in blanks):
        key = (report, table, tuple((row_of(b), col_of(b)) for b in blanks))
        entry = batch.unfilled.setdefault(key, [[], {}])
        entry[0].append(rule.id)
        entry[1].update({c.key: c for c in cells})
        return True
    return False


# ---------------------------------------------------------------- values and blanks

@check("count", "signed", "money")
def value_check(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """Value rules as a pandera schema validated lazily (every failing cell collected).

    The same conditions are first evaluated as one numpy mask: when no value breaks them
    (the usual case) pandera is not needed at all, which spares every clean run pandera's
    import and backend registration (about 0.5 s)."""
    mask = ((batch.column("state") == "number") & np.isin(batch.column("table"), list(rule.tables))
            & (batch.column("kind") == rule.check))
    if not mask.any():
        return
    v = batch.column("value")[mask]
    broken = {"count": (v < 0) | (v % 1 != 0), "signed": v % 1 != 0, "money": v < 0}[rule.check]
    if not broken.any():
        return
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    checks = {
        "count": [pa.Check.ge(0), pa.Check(lambda s: s % 1 == 0, name="whole")],
        "signed": [pa.Check(lambda s: s % 1 == 0, name="whole")],
        "money": [pa.Check.ge(0)],
    }[rule.check]
    df = batch.df
    try:
        pa.DataFrameSchema({"value": pa.Column(float, checks)}).validate(df.loc[mask, ["value"]], lazy=True)
        return
    except SchemaErrors as e:
        bad = sorted(set(int(i) for i in e.failure_cases["index"].dropna()))
    for i in bad:
        r = df.loc[i]
        report = int(r.report)
        if batch.reports[report].context:
            continue
        yield batch.finding(report, rule, table=r.table, row=r.row, column=r.column, reported=float(r.value),
                            cells=(batch.cellref(report, r.table, r.row, r.column),), params={"raw": r.raw})


@check("blank", stage=1)
def blanks(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """Blank cells, after the equations: each blank an equation implies a value for (one
    finding naming every rule), each set of blanks an equation needs filled, then the
    remaining blanks of a table as one finding (or, ``strict``, each an error)."""
    named = set()
    for (report, table, row, column, value), (rules, cells) in sorted(batch.implied.items(), key=_order):
        named.add((report, table, row, column))
        yield batch.finding(report, rule, message="implied", table=table, row=row, column=column, reported=None,
                            expected=value, implied=True, rules=tuple(sorted(set(rules))),
                            cells=tuple(cells.values()), group=f"{table}/{row}/{column}",
                            params={"expected": value, "rules": rule.listing("rules", sorted(set(rules)))})
    for (report, table, keys), (rules, cells) in sorted(batch.unfilled.items(), key=_order):
        named.update((report, table, r, c) for r, c in keys)
        yield batch.finding(report, rule, message="unfilled", table=table, rules=tuple(sorted(set(rules))),
                            cells=tuple(cells.values()),
                            params={"cells": rule.listing("unfilled_cells", _labels(table, keys)), "count": len(keys),
                                    "rules": rule.listing("rules", sorted(set(rules)))})
    # The remaining blanks, grouped by (report, table) in one pass over plain values taken
    # from the frame's columns (no per-cell pandas access); groups in (report, table) order,
    # cells in the frame's order within each.
    mask = np.isin(batch.column("state"), list(BLANK)) & np.isin(batch.column("table"), list(rule.tables))
    groups: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for key in zip(*(batch.column(c)[mask].tolist() for c in ("report", "table", "row", "column"))):
        if key not in named:  # blanks already named are not counted again
            groups.setdefault((int(key[0]), key[1]), []).append((key[2], key[3]))
    for (report, table), cells in sorted(groups.items()):
        if batch.reports[report].context:
            continue
        if batch.strict:
            for row, column in cells:
                yield batch.finding(report, rule, message="strict", severity="error", table=table, row=row,
                                    column=column, cells=(batch.cellref(report, table, row, column),))
            continue
        yield batch.finding(report, rule, table=table,
                            cells=tuple(batch.cellref(report, table, r, c) for r, c in cells),
                            params={"count": len(cells), "cells": rule.listing("cells", _labels(table, cells))})


def _labels(table: str, cells) -> list[dict]:
    """(row, column) codes as the report's labels, the items of a list of cells in a message."""
    return [{"row": TEMPLATE.row_label(table, r), "column": TEMPLATE.column_label(table, c)} for r, c in cells]


def _order(item):
    return tuple(str(x) for x in item[0])


# ---------------------------------------------------------------- extraction

@check("extraction")
def extraction(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """Problems the extraction noted on each report (``report.notes``), as this rule's findings."""
    for i, r in enumerate(batch.reports):
        if r.context:
            continue
        for note in r.notes:
            if note["rule"] != rule.id:
                continue
            t, row, col = note.get("table"), note.get("row"), note.get("column")
            # a list the note gives is written as the rule's lists: say (the wording is data)
            params = {k: rule.listing(k, v) if isinstance(v, list) else v
                      for k, v in note.items() if k not in ("rule", "pos", "table", "row", "column", "message")}
            params.update(year=r.year, version=r.version)
            cells = (batch.cellref(i, t, row, col),) if t and row and col else ()
            pos = note.get("pos")
            yield batch.finding(i, rule, message=note.get("message"), table=t, row=row, column=col,
                                reported=note.get("raw"), cells=cells, params=params, position=pos)


# ---------------------------------------------------------------- narrative

def _texts(report: Report) -> list[str]:
    """The narrative paragraphs with hard line wraps removed (CJK text needs no separator)."""
    return [t.replace("\n", "") for t, _, _ in report.paragraphs]


@check("narrative")
def narrative(batch: Checker, rule: Rule) -> Iterable[Finding]:
    from .narrative import find_claims

    patterns = rule.compiled_patterns()
    for i, r in batch.checked(rule):
        if not r.paragraphs:
            continue
        for claim in find_claims(batch.texts(i), patterns, rule.value):
            readings = []
            for reading in rule.readings:
                got = [batch.reading(i, ref) for ref in reading["cells"]]
                if any(v is None for v, _ in got):
                    break
                readings.append((reading["label"], sum(v for v, _ in got), [c for _, cs in got for c in cs]))
            else:
                if any(v == claim.value for _, v, _ in readings):
                    continue
                reading_text = rule.listing("readings", ({"label": label, "value": float(v)} for label, v, _ in readings))
                cells = tuple(batch.cellref(i, *cell) for _, _, used in readings[:1] for cell in used)
                yield batch.finding(i, rule, table=cells[0].table_code if cells else None,
                                    reported=float(claim.value), expected=float(readings[0][1]), cells=cells,
                                    snippet=claim.snippet, position=r.paragraphs[claim.paragraph][1],
                                    params={"snippet": claim.snippet, "value": claim.value,
                                            "reading_text": reading_text})


@check("parts_sum")
def parts_sum(batch: Checker, rule: Rule) -> Iterable[Finding]:
    from .narrative import find_parts

    for i, r in batch.checked(rule):
        if not r.paragraphs:
            continue
        for claim in find_parts(batch.texts(i)):
            if sum(claim.parts) == claim.whole:
                continue
            yield batch.finding(i, rule, reported=float(claim.whole), expected=float(sum(claim.parts)),
                                snippet=claim.snippet, position=r.paragraphs[claim.paragraph][1],
                                params={"snippet": claim.snippet, "value": claim.whole, "unit": claim.unit,
                                        "parts_sum": sum(claim.parts), "parts": rule.listing("parts", claim.parts)})


# ---------------------------------------------------------------- structure

@check("sections")
def sections(batch: Checker, rule: Rule) -> Iterable[Finding]:
    labels = {e.code: e.label for e in TEMPLATE.sections}
    for i, r in batch.checked(rule):
        first: dict[str, int] = {}
        for k, (code, _, _) in enumerate(r.sections):
            first.setdefault(code, k)
        missing = [labels[c] for c in labels if c not in first]
        if missing:
            params = {"sections": rule.listing("sections", missing)}
            yield batch.finding(i, rule, message="missing", params=params, evidence=params)
        order = [c for c in labels if c in first]
        found = sorted(order, key=first.get)
        if found != order:
            params = {"order": rule.listing("order", (labels[c][:2].rstrip("、") for c in found))}
            yield batch.finding(i, rule, message="order", params=params, evidence=params)


@check("section_nonempty")
def section_nonempty(batch: Checker, rule: Rule) -> Iterable[Finding]:
    for i, r in batch.checked(rule):
        if not any(c == rule.section for c, _, _ in r.sections):
            continue
        raw = r.section_text.get(rule.section, "")
        text = normalize(raw)
        if len(text) < rule.min_chars or text in rule.keywords:
            params = {"content": raw.strip() or "空"}
            yield batch.finding(i, rule, params=params, evidence=params)


@check("title_period")
def title_period(batch: Checker, rule: Rule) -> Iterable[Finding]:
    for i, r in batch.checked(rule):
        if r.year_source == "标题" and r.period_year and r.period_year != r.year:
            params = {"year": r.year, "period_year": r.period_year}
            yield batch.finding(i, rule, params=params, evidence=params)


@check("fees_reported")
def fees_reported(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """Fees the tables (``cells``) or the narrative outside ``section`` (``keywords``) show,
    which ``section`` must then mention (``patterns``)."""
    patterns = rule.compiled_patterns()
    for i, r in batch.checked(rule):
        texts = r.section_text
        outside = "".join(t for c, t in texts.items() if c != rule.section)
        reasons, subject = [], {}
        for ref in rule.cells:
            fee, used = batch.reading(i, ref)
            if fee:
                table, row, column = split_ref(ref)
                reasons.append(rule.message_for("cell").format(
                    table=TEMPLATE.table_label(table), row=TEMPLATE.row_label(table, row),
                    column=TEMPLATE.column_label(table, column), value=fmt(fee)))
                if not subject:  # the finding is about the first cell that shows a fee
                    subject = {"table": table, "row": row, "column": column, "reported": float(fee),
                               "cells": tuple(batch.cellref(i, *c) for c in used)}
        reasons += [rule.message_for("keyword").format(keyword=k) for k in rule.keywords if k in outside]
        if reasons and not any(p.search(texts.get(rule.section, "")) for p in patterns):
            params = {"detail": rule.listing("detail", reasons)}
            yield batch.finding(i, rule, params=params, evidence=params, **subject)


@check("unknown_rows")
def unknown_rows(batch: Checker, rule: Rule) -> Iterable[Finding]:
    for i, r in batch.checked(rule):
        for table, label, pos in r.unknown_rows:
            if not rule.tables or table in rule.tables:
                yield batch.finding(i, rule, table=table, params={"label": label}, position=pos,
                                    evidence={"table": table, "label": label})


# ---------------------------------------------------------------- after the run

@check("stale_review", stage=2)
def stale_review(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """R001: reviews file entries no finding matches. They need the findings' fingerprints,
    so validator.reviews.apply emits them once the run is done; nothing to check here."""
    return ()


# ---------------------------------------------------------------- across years

@check("year_gap", cross_year=True)
def year_gaps(batch: Checker, rule: Rule) -> Iterable[Finding]:
    series: dict[str, dict[int, int]] = defaultdict(dict)
    for i, r in enumerate(batch.reports):
        if r.year is not None and body_key(r.body):
            series[body_key(r.body)][r.year] = i
    for key, years in series.items():
        if len(years) < 2:
            continue
        for y in sorted(years)[1:]:
            i = years[y]
            if i in batch.previous or batch.reports[i].context:
                continue
            earlier = max(x for x in years if x < y)
            missing = rule.listing("missing", range(earlier + 1, y))
            yield batch.finding(i, rule, params={"body": batch.reports[i].body, "missing": missing, "year": y},
                                evidence={"missing": missing, "year": y})


# ---------------------------------------------------------------- reviewer checks (issue 15)

def _month_days(params: dict) -> None:
    import datetime

    for level, when in params.get("deadlines", {}).items():
        try:
            month, day = map(int, str(when).split("-"))
            datetime.date(2001, month, day)
        except ValueError:
            raise ValueError(f"deadlines.{level} = {when!r}：应写成“月-日”，如 \"01-31\"") from None


@check("deadline", params=_month_days)
def deadline(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """The publication date the document states against the deadline for the body's level
    (条例第四十九条; the rule's ``params.deadlines``, month-day by level); a body whose level
    the name does not tell gets the later deadline."""
    import datetime

    from .identity import level

    deadlines = rule.params["deadlines"]
    for i, r in batch.checked(rule):
        if not r.published or r.year is None:
            continue
        kind = level(r.body) or max(deadlines, key=lambda k: deadlines[k])
        month, day = map(int, str(deadlines[kind]).split("-"))
        limit = datetime.date(r.year + 1, month, day)
        if datetime.date.fromisoformat(r.published) > limit:
            yield batch.finding(i, rule, params={"published": r.published, "where": r.published_source,
                                                 "deadline": f"{limit.year}年{limit.month}月{limit.day}日",
                                                 "level": rule.params["levels"][kind], "body": r.body or "",
                                                 "year": r.year})


def _pairs(batch: Checker, rule: Rule):
    """(report, its previous-year report) for the reports a cross-year check looks at."""
    for i, r in batch.checked(rule):
        j = batch.previous.get(i)
        if j is not None and r.digest is not None and batch.reports[j].digest is not None:
            yield i, r, j, batch.reports[j]


@check("copied_tables", cross_year=True)
def copied_tables(batch: Checker, rule: Rule) -> Iterable[Finding]:
    for i, r, j, prev in _pairs(batch, rule):
        if r.digest.same_numbers(prev.digest, int(rule.params.get("min_nonzero", 5))):
            yield batch.finding(i, rule, params={"previous": prev.path, "year": r.year, "previous_year": prev.year})


def _similarity(params: dict) -> None:
    if not 0 < float(params.get("similarity", 1)) <= 1:
        raise ValueError(f"similarity = {params['similarity']!r}：应在 0 与 1 之间（如 0.9）")


@check("copied_narrative", cross_year=True, params=_similarity)
def copied_narrative(batch: Checker, rule: Rule) -> Iterable[Finding]:
    for i, r, j, prev in _pairs(batch, rule):
        s = r.digest.similarity(prev.digest)
        if s is not None and s >= float(rule.params["similarity"]):
            yield batch.finding(i, rule, params={"previous": prev.path, "year": r.year, "previous_year": prev.year,
                                                 "similarity": f"{100 * s:.0f}%"})


def _factor(params: dict) -> None:
    if "factor" in params and float(params["factor"]) <= 1:
        raise ValueError(f"factor = {params['factor']!r}：应大于 1")


@check("year_jump", cross_year=True, params=_factor)
def year_jumps(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """Cells that changed by ``params.factor`` or more (either way) on a base of at least
    ``params.base``; or, with ``params.ratio``, by about that ratio (a unit mistake)."""
    from .digest import cell_keys

    keys = list(cell_keys())
    factor, base = float(rule.params.get("factor", 0)), float(rule.params.get("base", 0))
    ratio = rule.params.get("ratio")
    wanted = {tuple(split_ref(c)) for c in rule.cells}
    for i, r, j, prev in _pairs(batch, rule):
        a, b = r.digest.numbers, prev.digest.numbers
        with np.errstate(divide="ignore", invalid="ignore"):
            q = a / b
            if ratio is not None:
                hit = (b > 0) & (np.abs(q / float(ratio) - 1) <= 0.1)
            else:
                hit = (b >= base) & ((q >= factor) | (q <= 1 / factor))
        for k in np.flatnonzero(hit):
            t, row, col = keys[k]
            if wanted and (t, row, col) not in wanted:
                continue
            yield batch.finding(i, rule, table=t, row=row, column=col, reported=float(a[k]), expected=None,
                                cells=(batch.cellref(i, t, row, col),),
                                params={"value": float(a[k]), "previous_value": float(b[k]), "previous": prev.path,
                                        "previous_year": prev.year})


@check("percent")
def percent(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """"A 件，占 P%" must be A over some base, to the printed rounding: the numbers stated
    before it in the same sentence, or one of the rule's readings."""
    from .narrative import find_percents, percent_agrees

    patterns = rule.compiled_patterns()
    for i, r in batch.checked(rule):
        if not r.paragraphs:
            continue
        tabled = [v for v in (batch.value(i, ref) for reading in rule.readings for ref in reading["cells"])
                  if v is not None]
        for claim in find_percents(batch.texts(i), patterns):
            bases = [*claim.stated, *tabled]
            if not bases or any(percent_agrees(claim.value, b, claim.percent) for b in bases):
                continue
            best = min(bases, key=lambda b: abs(100 * claim.value / b - float(claim.percent)) if b else 1e9)
            yield batch.finding(i, rule, reported=float(claim.percent), snippet=claim.snippet,
                                position=r.paragraphs[claim.paragraph][1],
                                params={"snippet": claim.snippet, "value": claim.value, "percent": claim.percent,
                                        "base": best, "computed": f"{100 * claim.value / best:.1f}" if best else ""})


@check("zero_together")
def zero_together(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """Two cells (``cells``) that are 0 together or not at all (2019 政府集中采购: no project,
    no amount): a finding on the cell that is 0 while the other is not."""
    from .rules import RuleError

    if len(rule.cells) != 2:
        raise RuleError(f"{rule.file}: rule {rule.id}: check zero_together needs two cells")
    (a, b) = rule.cells
    for i, r in batch.checked(rule):
        values = [batch.cell(i, *split_ref(ref)) for ref in (a, b)]
        if any(c is None or c.state != "number" for c in values) or (values[0].value == 0) == (values[1].value == 0):
            continue
        zero, other = (0, 1) if values[0].value == 0 else (1, 0)
        t, row, col = split_ref((a, b)[zero])
        yield batch.finding(i, rule, table=t, row=row, column=col, reported=0.0, expected=None,
                            cells=tuple(batch.cellref(i, *split_ref(ref)) for ref in (a, b)),
                            params={"zero": TEMPLATE.column_label(t, col), "other_value": values[other].value,
                                    "other": TEMPLATE.column_label(*split_ref((a, b)[other])[::2])})


@check("stated_amount")
def stated_amount(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """An amount the narrative states in 元 or 万元 (patterns with groups ``n`` and ``unit``)
    against a money cell in 万元 (``cells``), the unit converted and each side taken to the
    other's printed decimals. A 元 figure the cell repeats as is: the cell was filled in 元
    (message ``unit``)."""
    from decimal import Decimal

    from .narrative import find_amounts

    patterns = rule.compiled_patterns()
    ref = rule.cells[0]
    for i, r in batch.checked(rule):
        if not r.paragraphs:
            continue
        cell = batch.cell(i, *split_ref(ref))
        if cell is None or cell.state != "number":
            continue
        table = Decimal(str(cell.value))
        for claim in find_amounts(batch.texts(i), patterns):
            wan = claim.amount / 10000 if claim.unit == "元" else claim.amount
            places = -claim.amount.as_tuple().exponent + (4 if claim.unit == "元" else 0)
            table_places = max(0, -table.normalize().as_tuple().exponent)
            if round(wan, table_places) == table or round(table, places) == wan:
                continue
            unit = claim.unit == "元" and claim.amount == table and table != 0
            yield batch.finding(i, rule, message="unit" if unit else None, table=split_ref(ref)[0],
                                row=split_ref(ref)[1], column=split_ref(ref)[2], reported=float(table),
                                expected=float(wan), cells=(batch.cellref(i, *split_ref(ref)),),
                                snippet=claim.snippet, position=r.paragraphs[claim.paragraph][1],
                                params={"snippet": claim.snippet, "stated": f"{claim.amount}{claim.unit}",
                                        "converted": f"{wan.normalize():f}", "value": f"{table.normalize():f}"})


def same_body_groups(reports: list[Report]) -> list[list[int]]:
    """Reports of the same body and year (validator.identity), as groups of indices in path
    order: a name and the same name with its administrative prefix are one body. Keys are
    compared reversed and sorted, so a suffix is always next to the names that end with it."""
    by_year: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for i, r in enumerate(reports):
        key = body_key(r.body)
        if r.year is not None and key:
            by_year[r.year].append((key[::-1], r.path, i))
    groups = []
    for items in by_year.values():
        items.sort()
        root, group = None, []
        for rkey, _, i in items:
            if root is not None and rkey.startswith(root):
                group.append(i)
                continue
            if len(group) > 1:
                groups.append(group)
            root, group = rkey, [i]
        if len(group) > 1:
            groups.append(group)
    return [sorted(g, key=lambda i: reports[i].path) for g in groups]


@check("duplicate_report", cross_year=True)
def duplicate_reports(batch: Checker, rule: Rule) -> Iterable[Finding]:
    """Two different reports of the same body and year in one batch (the same report in
    two forms, identical tables and text, is not a duplicate)."""
    for group in same_body_groups(batch.reports):
        # whether two reports have the same content depends on their digests alone: compare
        # each pair of distinct digests once (a batch may hold one report many times over)
        kind: dict = {}
        first: list[int] = []  # a report of each kind of digest
        of = {}
        for j in group:
            d = batch.reports[j].digest
            key = ("none", j) if d is None else (d.numbers.tobytes(), d.sketch.tobytes(), d.chars)
            if key not in kind:
                kind[key] = len(first)
                first.append(j)
            of[j] = kind[key]
        same: dict[tuple[int, int], bool] = {}
        for i in group:
            r = batch.reports[i]
            if r.context:
                continue
            others = []
            for j in group:
                if j == i:
                    continue
                pair = (of[i], of[j])
                if pair not in same:
                    same[pair] = _same_content(batch.reports[first[pair[0]]], batch.reports[first[pair[1]]])
                if not same[pair]:
                    others.append(j)
            if others:
                yield batch.finding(i, rule, params={"body": r.body, "year": r.year,
                                                     "others": rule.listing("others", (batch.reports[j].path for j in others))})


def _same_content(a: Report, b: Report) -> bool:
    if a.digest is None or b.digest is None:
        return False
    similar = a.digest.similarity(b.digest)
    return a.digest.same_numbers(b.digest, 0) and (similar is None or similar >= 0.9)


def pair_years(reports: list[Report]) -> dict[int, int]:
    """Each report's previous-year report in the batch: the same body (validator.identity:
    one name may carry the other's administrative prefix), year − 1. Where several qualify,
    the one written the same way, then the first by path: never the order of the arguments."""
    exact: dict[tuple[int, str], list[int]] = defaultdict(list)
    by_year: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(reports):
        if r.year is not None and body_key(r.body):
            exact[(r.year, body_key(r.body))].append(i)
            by_year[r.year].append(i)
    first = lambda found: min(found, key=lambda j: reports[j].path)  # noqa: E731
    out = {}
    for i, r in enumerate(reports):
        key = body_key(r.body)
        if r.year is None or not key:
            continue
        if (r.year - 1, key) in exact:
            out[i] = first(exact[(r.year - 1, key)])
            continue
        found = [j for j in by_year.get(r.year - 1, ()) if same_body(reports[j].body, r.body)]
        if found:
            out[i] = first(found)
    return out
