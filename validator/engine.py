"""Check the canonical frame of a batch against the rule catalogue.

Every equation rule is evaluated once per batch, vectorised over all reports and all
columns (or rows) of its table: the table is pivoted to a wide matrix, the assertion
becomes a weighted sum of its columns, and only the failing entries are looked at one
by one to render their findings. Value rules (non-negative whole counts …) are pandera
checks run with lazy validation, so that every failure is collected, not the first.

Blank cells follow one policy (see rules/values.yaml, B001): an assertion that fails only
because blanks were read as 0, and holds once a single blank takes the value the
equation implies, gives a warning naming that cell and value; a failure between filled
numbers is an error; ``strict`` makes every blank an error.
"""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pandas as pd

from .extract import CellRecord, Report
from .identity import body_key
from .rules import PREV, Rule, expand
from .template import TEMPLATE, normalize

BLANK = ("blank", "dash")
UNUSABLE = ("missing", "invalid")


class _Fields(dict):
    def __missing__(self, key):
        return ""


def fmt(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "空白"
    return f"{v:g}" if isinstance(v, float) else str(v)


def table_label(code: str) -> str:
    return TEMPLATE[code].label if code in TEMPLATE.tables else (code or "")


def row_label(table: str, code: str | None) -> str:
    return TEMPLATE.entry_label(table, "row", code) if code and table in TEMPLATE.tables else (code or "")


def col_label(table: str, code: str | None) -> str:
    return TEMPLATE.entry_label(table, "column", code) if code and table in TEMPLATE.tables else (code or "")


def render(rule: Rule, template: str | None = None, **fields) -> str:
    return (template or rule.message).format_map(_Fields(fields))


class Checker:
    def __init__(self, reports: list[Report], frame: pd.DataFrame, rules: dict[str, Rule], strict: bool = False):
        self.reports, self.df, self.rules, self.strict = reports, frame, rules, strict
        self.findings: list[dict] = []
        self._wide: dict = {}
        self._cells: dict[int, dict] = {}
        self.previous = pair_years(reports)

    # ------------------------------------------------------------ helpers
    def index(self, report: int) -> dict[tuple[str, str, str], CellRecord]:
        """One report's cells by (table, row, column)."""
        if report not in self._cells:
            self._cells[report] = {(c.table, c.row, c.column): c for c in self.reports[report].cells}
        return self._cells[report]

    def cell(self, report: int, table: str, row: str, column: str) -> CellRecord | None:
        return self.index(report).get((table, row, column))

    def cell_dict(self, report: int, table: str, row: str, column: str, previous: bool = False) -> dict:
        c = self.cell(report, table, row, column)
        extra = {"report": self.reports[report].path, "year": self.reports[report].year} if previous else {}
        return {**extra,
            "table": table_label(table), "row": row_label(table, row), "column": col_label(table, column),
            "table_code": table, "row_code": row, "column_code": column,
            "value": None if c is None or c.value is None else c.value,
            "raw": None if c is None else c.raw, "state": "missing" if c is None else c.state,
            "source": None if c is None or c.pos is None else str(c.pos),
            "position": None if c is None or c.pos is None else c.pos.as_dict(),
        }

    def add(self, report: int, rule: Rule, severity: str, message: str, *, table=None, row=None, column=None,
            reported=None, expected=None, cells=(), **extra) -> dict:
        f = {
            "report": report, "rule": rule.id, "name": rule.name, "severity": severity,
            "table": table_label(table) if table else None, "table_code": table,
            "row": row_label(table, row) if table and row else row, "row_code": row,
            "column": col_label(table, column) if table and column else column, "column_code": column,
            "reported": reported, "expected": expected, "message": message, "cells": list(cells), "fix": None,
            **extra,
        }
        self.findings.append(f)
        return f

    def wide(self, table: str, for_each: str):
        """The table as a wide matrix: one row per (report, column) and one column per row
        code (``for_each == "column"``), or the transpose. Values (NaN when not a number)
        and states (None where the report has no such cell), built with numpy scatter."""
        key = (table, for_each)
        if key not in self._wide:
            sub = self.df[self.df["table"] == table]
            keys, cols = ("column", "row") if for_each == "column" else ("row", "column")
            key_codes, key_names = pd.factorize(sub[keys], sort=False)
            col_codes, col_names = pd.factorize(sub[cols], sort=False)
            report = sub["report"].to_numpy()
            pairs = report * len(key_names) + key_codes
            order, inverse = np.unique(pairs, return_inverse=True)
            values = np.full((len(order), len(col_names)), np.nan)
            states = np.full((len(order), len(col_names)), None, dtype=object)
            values[inverse, col_codes] = sub["value"].to_numpy(dtype=float)
            states[inverse, col_codes] = sub["state"].to_numpy()
            index = pd.MultiIndex.from_arrays([order // len(key_names), np.asarray(key_names)[order % len(key_names)]],
                                              names=["report", keys])
            self._wide[key] = (pd.DataFrame(values, index=index, columns=col_names),
                               pd.DataFrame(states, index=index, columns=col_names))
        return self._wide[key]

    # ------------------------------------------------------------ rules
    def run(self) -> list[dict]:
        self.extraction_notes()
        for rule in self.rules.values():
            if rule.kind == "equation":
                self.equation(rule)
            elif rule.check == "year_gap":
                self.year_gaps(rule)
            elif rule.check == "narrative":
                self.narrative(rule)
            elif rule.check == "parts_sum":
                self.parts_sum(rule)
            elif rule.check in STRUCTURE_CHECKS:
                for i, r in enumerate(self.reports):
                    if not r.context and r.version in rule.versions:
                        for fields in STRUCTURE_CHECKS[rule.check](self, i, r, rule):
                            self.add(i, rule, rule.severity, render(rule, **fields), **{
                                k: v for k, v in fields.items() if k in ("table", "position", "source")},
                                evidence={k: v for k, v in fields.items() if k not in ("position", "source")})
            elif rule.kind == "value" and rule.check != "blank":
                self.value_check(rule)
        if "B001" in self.rules:
            self.blanks(self.rules["B001"])
        from .fixes import attach

        attach(self.rules, self.reports, self.findings)
        return [f for f in self.findings if not self.reports[f["report"]].context]

    def _reading(self, report: int, ref: str) -> tuple[float | None, list[tuple[str, str, str]]]:
        """A reading's cell (see validator.narrative.reading_cells) in one report: its value
        (None when a cell is not a number) and the cells it was taken from. A blank total
        column is the sum of its detail columns."""
        from .narrative import detail_columns, reading_cells

        index = self.index(report)
        rows = {(t, r) for t, r, _ in index}
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

    def _value(self, report: int, ref: str) -> float | None:
        return self._reading(report, ref)[0]

    def narrative(self, rule: Rule) -> None:
        from .narrative import find_claims

        patterns = rule.compiled_patterns()
        for i, r in enumerate(self.reports):
            if r.context or not r.paragraphs or r.version not in rule.versions:
                continue
            for claim in find_claims(_texts(r), patterns, rule.value):
                readings = []
                for reading in rule.readings:
                    got = [self._reading(i, ref) for ref in reading["cells"]]
                    if any(v is None for v, _ in got):
                        break
                    readings.append((reading["label"], sum(v for v, _ in got), [c for _, cs in got for c in cs]))
                else:
                    if any(v == claim.value for _, v, _ in readings):
                        continue
                    reading_text = "；".join(f"「{label}」为 {fmt(float(v))}" for label, v, _ in readings)
                    cells = [self.cell_dict(i, *cell) for _, _, used in readings[:1] for cell in used]
                    pos = r.paragraphs[claim.paragraph][1]
                    self.add(i, rule, rule.severity,
                             render(rule, snippet=claim.snippet, value=claim.value, reading_text=reading_text),
                             table=cells[0]["table_code"] if cells else None, reported=float(claim.value),
                             expected=float(readings[0][1]), cells=cells, snippet=claim.snippet,
                             position=pos.as_dict(), source=str(pos))

    def parts_sum(self, rule: Rule) -> None:
        from .narrative import find_parts

        for i, r in enumerate(self.reports):
            if r.context or not r.paragraphs:
                continue
            for claim in find_parts(_texts(r)):
                if sum(claim.parts) == claim.whole:
                    continue
                pos = r.paragraphs[claim.paragraph][1]
                self.add(i, rule, rule.severity,
                         render(rule, snippet=claim.snippet, value=claim.whole, unit=claim.unit,
                                parts_sum=sum(claim.parts), parts="＋".join(map(str, claim.parts))),
                         reported=float(claim.whole), expected=float(sum(claim.parts)), snippet=claim.snippet,
                         position=pos.as_dict(), source=str(pos))

    def year_gaps(self, rule: Rule) -> None:
        series: dict[str, dict[int, int]] = defaultdict(dict)
        for i, r in enumerate(self.reports):
            if r.year is not None and body_key(r.body):
                series[body_key(r.body)][r.year] = i
        for key, years in series.items():
            if len(years) < 2:
                continue
            for y in sorted(years)[1:]:
                i = years[y]
                if i in self.previous:
                    continue
                earlier = max(x for x in years if x < y)
                missing = "、".join(str(x) for x in range(earlier + 1, y))
                self.add(i, rule, rule.severity, render(rule, body=self.reports[i].body, missing=missing, year=y),
                         evidence={"missing": missing, "year": y})

    def extraction_notes(self) -> None:
        for i, r in enumerate(self.reports):
            for note in r.notes:
                rule = self.rules.get(note["rule"])
                if rule is None:
                    continue
                t, row, col = note.get("table"), note.get("row"), note.get("column")
                fields = {k: fmt(v) if isinstance(v, float) else v for k, v in note.items() if k != "rule"}
                fields.update(table=table_label(t), row=row_label(t, row), column=col_label(t, col),
                              year=r.year, version=r.version)
                cells = [self.cell_dict(i, t, row, col)] if t and row and col else []
                pos = note.get("pos")
                self.add(i, rule, note.get("severity", rule.severity), render(rule, **fields), table=t, row=row,
                         column=col, reported=note.get("raw"), cells=cells,
                         position=pos.as_dict() if pos is not None else None)

    def equation(self, rule: Rule) -> None:
        table, for_each = rule.table, rule.for_each
        if not (self.df["table"] == table).any():
            return
        values, states = self.wide(table, for_each)
        coefs = {c: k for c, k in rule.terms().items() if c.removeprefix(PREV) in values.columns}
        if not coefs:
            return
        here = [c for c in coefs if not c.startswith(PREV)]
        there = [c.removeprefix(PREV) for c in coefs if c.startswith(PREV)]
        codes = here + [PREV + c for c in there]  # the column order of v and s below
        reports = values.index.get_level_values(0).to_numpy()
        v, s = values[here].to_numpy(), states[here].to_numpy()
        if there:  # the same cells in each report's previous-year report (NaN where none)
            prev_index = pd.MultiIndex.from_arrays(
                [[self.previous.get(r, -1) for r in reports], values.index.get_level_values(1)])
            v = np.hstack([v, values[there].reindex(prev_index).to_numpy()])
            s = np.hstack([s, states[there].reindex(prev_index).to_numpy()])
        k = np.array([coefs[c] for c in codes])
        residual = np.nan_to_num(v.astype(float)) @ k + rule.assertion.constant
        absent = pd.isna(s)
        unusable = np.isin(s, UNUSABLE).any(axis=1) | absent.all(axis=1)
        if there:
            unusable |= absent[:, len(here):].all(axis=1)
        applies = self.applies(rule, reports)
        tol = rule.tolerance + 1e-9
        op = rule.assertion.op
        broken = residual > tol if op == "<=" else residual < -tol if op == ">=" else np.abs(residual) > tol
        failing = broken & ~unusable & applies
        if not failing.any():
            return
        blank = np.isin(s, BLANK)
        lhs = {c for item, _ in rule.assertion.lhs for c in expand(table, for_each, item)}
        for pos in np.flatnonzero(failing):
            report, key = values.index[pos]
            prev = self.previous.get(report)
            row_of = (lambda c: c.removeprefix(PREV)) if for_each == "column" else (lambda c: key)
            col_of = (lambda c: key) if for_each == "column" else (lambda c: c.removeprefix(PREV))
            cells = [self.cell_dict(prev if c.startswith(PREV) else report, table, row_of(c), col_of(c),
                                    previous=c.startswith(PREV))
                     for j, c in enumerate(codes) if not absent[pos, j]]
            terms = np.nan_to_num(v[pos].astype(float)) * k
            lsum = float(sum(t for c, t in zip(codes, terms) if c in lhs))
            rsum = float(-sum(t for c, t in zip(codes, terms) if c not in lhs)) - rule.assertion.constant
            single = rule.assertion.lhs[0][0] if len(rule.assertion.lhs) == 1 else None
            single = single if single and not single.endswith("*") else None
            subject_row = row_of(single) if single else (key if for_each == "row" else None)
            subject_col = col_of(single) if single else (key if for_each == "column" else None)
            fields = dict(table=table_label(table), row=row_label(table, subject_row) if subject_row else rule.subject,
                          column=col_label(table, subject_col) if subject_col else "",
                          reported=fmt(lsum), expected=fmt(rsum), difference=fmt(abs(lsum - rsum)),
                          prev_year=self.reports[prev].year if prev is not None else "",
                          prev_path=self.reports[prev].path if prev is not None else "")
            blanks = [codes[j] for j in np.flatnonzero(blank[pos])]
            severity, message, extra = rule.severity, None, {}
            if blanks and not self.strict and op == "==" and not there:
                severity, message, extra = self.blank_outcome(rule, table, row_of, col_of, blanks, coefs, residual[pos])
            reported, expected = lsum, rsum
            if "implied" in extra:  # the finding is about the blank cell and the value it should hold
                subject_row, subject_col = extra["implied"]["row_code"], extra["implied"]["column_code"]
                reported, expected = None, extra["implied"]["value"]
            f = self.add(report, rule, severity, message or render(rule, **fields), table=table, row=subject_row,
                         column=subject_col, reported=reported, expected=expected, cells=cells, **extra)
            if subject_row is None:
                f["row"] = rule.subject

    def blank_outcome(self, rule, table, row_of, col_of, blanks, coefs, residual):
        """Downgrade a failure caused by blanks to a warning, with the implied value when unique."""
        if len(blanks) == 1:
            b = blanks[0]
            implied = -residual / coefs[b]
            if implied >= 0 and float(implied).is_integer():
                msg = (f"{table_label(table)}「{row_label(table, row_of(b))}」{col_label(table, col_of(b))}"
                       f"{'列' if table == 't3' else ''}为空，按勾稽关系应为 {fmt(float(implied))}")
                return "warning", msg, {"implied": {"row_code": row_of(b), "column_code": col_of(b),
                                                    "value": float(implied)}}
            return rule.severity, None, {}
        if any(np.sign(coefs[b]) == np.sign(-residual) for b in blanks):
            names = "、".join(f"「{row_label(table, row_of(b))}」{col_label(table, col_of(b))}" for b in blanks[:4])
            msg = (f"{table_label(table)}{names}等 {len(blanks)} 个单元格为空，按 0 计算时「{rule.title}」不成立；"
                   f"请补填这些单元格")
            return "warning", msg, {}
        return rule.severity, None, {}

    def applies(self, rule: Rule, reports) -> np.ndarray:
        """Reports the rule applies to: template version (and, for cross-year rules, that of
        the previous report too), and never the context-only reports (--previous)."""
        ok = np.array([r.version in rule.versions and not r.context for r in self.reports])
        if rule.assertion is not None and rule.assertion.cross_year:
            ok &= np.array([i in self.previous and self.reports[self.previous[i]].version in rule.versions
                            for i in range(len(self.reports))])
        return ok[np.asarray(reports)]

    def value_check(self, rule: Rule) -> None:
        """Value rules as a pandera schema validated lazily (every failing cell collected).

        The same conditions are first evaluated as one numpy mask: when no value breaks them
        (the usual case) pandera is not needed at all, which spares every clean run pandera's
        import and backend registration (about 0.5 s)."""
        df = self.df
        mask = (df["state"] == "number") & df["table"].isin(rule.tables) & (df["kind"] == rule.check)
        sub = df.loc[mask, ["value"]]
        if sub.empty:
            return
        v = sub["value"].to_numpy()
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
        try:
            pa.DataFrameSchema({"value": pa.Column(float, checks)}).validate(sub, lazy=True)
            return
        except SchemaErrors as e:
            bad = sorted(set(int(i) for i in e.failure_cases["index"].dropna()))
        for i in bad:
            r = df.loc[i]
            cell = self.cell_dict(int(r.report), r.table, r.row, r.column)
            self.add(int(r.report), rule, rule.severity,
                     render(rule, table=table_label(r.table), row=row_label(r.table, r.row),
                            column=col_label(r.table, r.column), raw=r.raw),
                     table=r.table, row=r.row, column=r.column, reported=float(r.value), cells=[cell])

    def blanks(self, rule: Rule) -> None:
        df = self.df
        sub = df[df["state"].isin(BLANK) & df["table"].isin(rule.tables)]
        if not self.strict:  # blanks already named by a failing equation are not counted again
            named = {(f["report"], f["table_code"], f["implied"]["row_code"], f["implied"]["column_code"])
                     for f in self.findings if f.get("implied")}
            if named:
                keys = list(zip(sub["report"], sub["table"], sub["row"], sub["column"]))
                sub = sub[[k not in named for k in keys]]
        if sub.empty:
            return
        for (report, table), group in sub.groupby(["report", "table"], sort=True):
            if self.strict:
                for r in group.itertuples():
                    self.add(report, rule, "error", render(rule, rule.message_strict, table=table_label(table),
                             row=row_label(table, r.row), column=col_label(table, r.column)),
                             table=table, row=r.row, column=r.column, cells=[self.cell_dict(report, table, r.row, r.column)])
                continue
            names = "、".join(f"「{row_label(table, r.row)}」{col_label(table, r.column)}"
                             for r in group.head(3).itertuples())
            more = "等" if len(group) > 3 else ""
            self.add(report, rule, rule.severity,
                     render(rule, table=table_label(table), count=len(group), cells=names + more),
                     table=table, cells=[self.cell_dict(report, table, r.row, r.column) for r in group.itertuples()])


def _sections(checker, i, r, rule):
    from .template import TEMPLATE as T

    first: dict[str, int] = {}
    for k, (code, _, _) in enumerate(r.sections):
        first.setdefault(code, k)
    labels = {e.code: e.label for e in T.sections}
    missing = [labels[c] for c in labels if c not in first]
    if missing:
        yield {"detail": "缺少：" + "；".join(f"「{m}」" for m in missing)}
    order = [c for c in labels if c in first]
    if [c for c in sorted(order, key=first.get)] != order:
        yield {"detail": "各部分的顺序与格式不同：" + " → ".join(labels[c][:2].rstrip("、") for c in sorted(order, key=first.get))}


def _section_nonempty(checker, i, r, rule):
    code = rule.section
    if not any(c == code for c, _, _ in r.sections):
        return
    text = normalize(r.section_text.get(code, ""))
    if len(text) < 6 or text in ("无", "暂无", "没有"):
        yield {"detail": f"内容为“{r.section_text.get(code, '').strip() or '空'}”"}


def _title_period(checker, i, r, rule):
    if r.year_source == "标题" and r.period_year and r.period_year != r.year:
        yield {"year": r.year, "period_year": r.period_year}


def _fees_reported(checker, i, r, rule):
    fee = checker._value(i, "t3.results.other.fee_unpaid.total")
    outside = "".join(t for c, t in r.section_text.items() if c != "s6")
    reasons = []
    if fee:
        reasons.append(f"表三「（六）其他处理 / 2.申请人逾期未按收费通知要求缴纳费用…」总计为 {fmt(fee)}")
    if "信息处理费" in outside:
        reasons.append("正文提到了信息处理费")
    if reasons and not re.search(r"收费|处理费|费用", r.section_text.get("s6", "")):
        yield {"detail": "；".join(reasons)}


def _unknown_rows(checker, i, r, rule):
    for table, label, pos in r.unknown_rows:
        yield {"table": table, "label": label, "source": str(pos), "position": pos.as_dict()}


STRUCTURE_CHECKS = {"sections": _sections, "section_nonempty": _section_nonempty, "title_period": _title_period,
                    "fees_reported": _fees_reported, "unknown_rows": _unknown_rows}


def _texts(report: Report) -> list[str]:
    """The narrative paragraphs with hard line wraps removed (CJK text needs no separator)."""
    return [t.replace("\n", "") for t, _, _ in report.paragraphs]


def pair_years(reports: list[Report]) -> dict[int, int]:
    """Each report's previous-year report in the batch: the same body
    (validator.identity: one name may carry the other's administrative prefix), year − 1."""
    exact: dict[tuple[int, str], int] = {}
    by_year: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for i, r in enumerate(reports):
        if r.year is not None and body_key(r.body):
            exact.setdefault((r.year, body_key(r.body)), i)
            by_year[r.year].append((body_key(r.body), i))
    out = {}
    for i, r in enumerate(reports):
        key = body_key(r.body)
        if r.year is None or not key:
            continue
        if (r.year - 1, key) in exact:
            out[i] = exact[(r.year - 1, key)]
            continue
        for other, j in by_year.get(r.year - 1, ()):
            if other.endswith(key) or key.endswith(other):
                out[i] = j
                break
    return out
