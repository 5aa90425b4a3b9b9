"""Changing any single number of the seed's 表三 or 表四 gives an error naming that cell.

All mutants are checked in one batch, which also exercises the vectorised engine on many
reports at once.
"""
from __future__ import annotations

from dataclasses import replace

from validator.document import Block, Cell
from validator.engine import Checker
from validator.extract import extract
from validator.frame import build
from validator.readers import read
from validator.rules import load


def _mutate(doc, pos, new_text):
    blocks = []
    for b in doc.blocks:
        if b.kind == "row" and any(c.pos == pos for c in b.cells):
            b = Block("row", tuple(Cell(new_text, c.pos) if c.pos == pos else c for c in b.cells))
        blocks.append(b)
    return replace(doc, blocks=blocks)


def test_every_single_change_is_caught(seed):
    doc = read(seed)
    base = extract(doc)
    targets = [c for c in base.cells if c.table in ("t3", "t4") and c.state == "number"]
    assert len(targets) == 23 * 7 + 15  # 2019 表三: 23 rows × 7 columns; 表四: 15 numbers
    reports, changed = [], []
    for c in targets:
        for new in (c.value + 1, c.value + 10):
            reports.append(extract(_mutate(doc, c.pos, f"{new:g}")))
            changed.append((c.table, c.row, c.column))
    findings = Checker(reports, build(reports), load()).run()
    by_report: dict[int, list] = {}
    for f in findings:
        by_report.setdefault(f["report"], []).append(f)
    missed = []
    for i, key in enumerate(changed):
        errors = [f for f in by_report.get(i, []) if f["severity"] == "error"]
        if not any((c["table_code"], c["row_code"], c["column_code"]) == key for f in errors for c in f["cells"]):
            missed.append(key)
    assert not missed, missed
