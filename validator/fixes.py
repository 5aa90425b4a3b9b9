"""Suggested corrections: which cell is most likely wrong, and what it should read.

For every report with an error-level finding of an equality rule of 表三/表四, the
report's equality rules (the same catalogue records the engine checks, for every column
or row they apply to) become linear equations over its cells, and
:func:`validator.localize.localize` finds the smallest set of cells whose change makes
them all hold (Fellegi–Holt, solved as a MILP with HiGHS). The result is attached to the
report's findings as ``fix``; nothing is ever written to any file.

``fix`` (JSON): ``{"unique": bool, "text": str, "cause": str|None, "cause_text": str|None,
"cells": [{table, row, column, table_code, row_code, column_code, current, suggested, [ocr]}],
"alternatives": [ {same without alternatives}, ... ]}``. A changed cell read by OCR carries
``ocr`` ({image, score, raw}) and its recognition-error cause (wording in
validator/causes.yaml) is added to ``cause_text`` (``cause`` "recognition_error" when the
localiser diagnosed nothing else).
"""
from __future__ import annotations

import functools

from .finding import Finding, fmt, render
from .rules import Rule
from .template import TEMPLATE

TABLES = TEMPLATE.required  # the tables whose equations are localised together (表三, 表四)
_USABLE = ("number", "blank", "dash")


def equations(rules: dict[str, Rule], report) -> tuple[list, list, list[dict]]:
    """(cells, values, equations) of a report's equality rules of 表三/表四."""
    cells = {(c.table, c.row, c.column): c for c in report.cells if c.table in TABLES}
    plan = _plan(tuple(r for r in rules.values() if r.kind == "equation" and r.assertion.op == "=="
                       and not r.assertion.cross_year and r.table in TABLES), report.version)
    used, eqs = _structure(plan, tuple((k, c.state in _USABLE) for k, c in cells.items()))
    values = [cells[c].value if cells[c].state == "number" else None for c in used]
    return list(used), values, [dict(eq) for eq in eqs]


class _Plan(tuple):
    """Every candidate equation of a rule set for one template version, as
    ((cell, coefficient), ...) with its subject cell (or None); hashed by identity."""

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other


@functools.lru_cache(maxsize=8)
def _plan(rules: tuple[Rule, ...], version: str) -> _Plan:
    out = []
    for rule in rules:
        if version not in rule.versions:
            continue
        terms = rule.terms()
        t = TEMPLATE[rule.table]
        keys = [c.code for c in t.columns] if rule.for_each == "column" else [r.code for r in t.rows]
        subject = rule.subject_code
        for key in keys:
            def cell(code):
                return (rule.table, code, key) if rule.for_each == "column" else (rule.table, key, code)
            out.append((tuple((cell(code), coef) for code, coef in terms.items()),
                        None if subject is None else cell(subject)))
    return _Plan(out)


@functools.lru_cache(maxsize=64)
def _structure(plan: _Plan, usable: tuple) -> tuple[tuple, tuple]:
    """(cells used, equations) for a report whose 表三/表四 cells are ``usable``
    ((cell, state is usable), ...): the same for every report with the same cells."""
    state = dict(usable)
    eqs: list[dict] = []
    seen = set()
    for terms, subject in plan:
        eq = {c: coef for c, coef in terms if c in state}
        if subject is not None and subject not in state:
            continue  # the report has no subject row (an optional subtotal it does not print)
        if not eq or not all(state[c] for c in eq):
            continue  # a missing or unreadable cell: the equation is not used (never guessed)
        key = frozenset(eq.items())
        if key not in seen:
            seen.add(key)
            eqs.append(eq)
    used = tuple(dict.fromkeys(c for eq in eqs for c in eq))
    return used, tuple(eqs)


@functools.lru_cache(maxsize=64)
def _neighbours(cells: tuple) -> dict:
    """Each cell's left and right neighbours in its row (for the column-shift diagnosis)."""
    out = {}
    order = {t: [c.code for c in TEMPLATE[t].columns] for t in TABLES}
    present = set(cells)
    for table, row, col in cells:
        cols = order[table]
        i = cols.index(col)
        out[(table, row, col)] = [n for n in ((table, row, cols[j]) for j in (i - 1, i + 1) if 0 <= j < len(cols))
                                  if n in present]
    return out


@functools.lru_cache(maxsize=1)
def causes() -> dict[str, str]:
    """The wording of the causes added here (validator/causes.yaml)."""
    from importlib.resources import files

    import yaml

    return yaml.safe_load(files("validator").joinpath("causes.yaml").read_text(encoding="utf-8"))


def _cell(key, current, suggested, read=None) -> dict:
    table, row, col = key
    out = {"table": TEMPLATE.table_label(table), "row": TEMPLATE.row_label(table, row),
           "column": TEMPLATE.column_label(table, col),
           "table_code": table, "row_code": row, "column_code": col, "current": current, "suggested": suggested}
    if read is not None and read.ocr is not None:  # read by OCR: where, and how sure
        out["ocr"] = {"image": read.ocr.image, "score": read.ocr.score, "raw": read.raw}
    return out


def _describe(fix, cells_read: dict) -> dict:
    cells = [_cell(ch.cell, ch.current, ch.suggested, cells_read.get(ch.cell)) for ch in fix.changes]
    text = "；".join(f"{c['table']}「{c['row']}」× {c['column']}：{fmt(c['current'])} → {fmt(c['suggested'])}"
                     for c in cells)
    cause, cause_text = fix.cause, fix.cause_text
    # A changed cell read by OCR may be right in the original: a recognition error is a cause too.
    misread = [render(causes()["recognition"], {**c, "where": c["ocr"]["image"], "raw": c["ocr"]["raw"] or "",
                                                  "score": "" if c["ocr"]["score"] is None else f"{c['ocr']['score']:.2f}"})
               for c in cells if "ocr" in c]
    if misread:
        cause_text = "；".join([cause_text, *misread] if cause_text else misread)
        cause = cause or "recognition_error"
    return {"cells": cells, "text": text, "cause": cause, "cause_text": cause_text}


def localize_report(rules: dict[str, Rule], report) -> dict | None:
    from .localize import localize

    cells, values, eqs = equations(rules, report)
    if not eqs:
        return None
    loc = localize(cells, values, eqs, neighbours=_neighbours(tuple(cells)))
    if loc is None or not loc.fixes:
        return None
    read = {(c.table, c.row, c.column): c for c in report.cells if c.ocr is not None}
    best = _describe(loc.fixes[0], read)
    best["unique"] = loc.unique
    best["alternatives"] = [_describe(f, read) for f in loc.fixes[1:]]
    if not loc.unique:
        best["text"] = "（不唯一，以下任一组修改都能使勾稽关系成立）" + " 或 ".join(
            [best["text"], *(a["text"] for a in best["alternatives"])])
    return best


def _equation_rules(rules: dict[str, Rule], f: Finding) -> bool:
    """A finding that stands for (same-year) equation rules of the localised tables."""
    return f.table_code in TABLES and any(
        r is not None and r.kind == "equation" and not r.assertion.cross_year for r in map(rules.get, f.rules))


def attach(rules: dict[str, Rule], reports: list, findings: list[Finding]) -> list[Finding]:
    """Localise each report that has an error of an equality rule, and put the fix on the
    report's equation findings (errors and warnings alike, blank cells too). Findings that
    use a cell the fix changes share its ``group`` (one problem, several rules)."""
    failing = sorted({f.report for f in findings if f.severity == "error" and _equation_rules(rules, f)})
    fixed = {}
    for i in failing:
        fix = localize_report(rules, reports[i])
        if fix is not None:
            fixed[i] = fix
    if not fixed:
        return findings
    out = []
    for f in findings:
        fix = fixed.get(f.report)
        if fix is not None and _equation_rules(rules, f):
            changed = [(c["table_code"], c["row_code"], c["column_code"]) for c in fix["cells"]]
            used = {c.key for c in f.cells}
            group = f.group or next(("/".join(k) for k in changed if k in used), None)
            f = f.with_(fix=fix, group=group)
        out.append(f)
    return out


__all__ = ["attach", "equations", "localize_report"]
