"""Seed variants for tests: the seed text with some cells changed, located by the reader's
own positions (line and tab cell), as ../shared/acceptance/lib/seedcell.py does by label."""
from __future__ import annotations

from pathlib import Path

from validator.extract import extract
from validator.readers import read

SEED = Path(__file__).resolve().parent.parent / "samples" / "taiqian_2020.txt"


def variant(out: Path, changes: dict[tuple[str, str, str], str], src: Path = SEED) -> Path:
    """Write ``src`` to ``out`` with each (table, row, column) cell set to its new text."""
    cells = {(c.table, c.row, c.column): c for c in extract(read(src)).cells}
    lines = src.read_text(encoding="utf-8").split("\n")
    for key, new in changes.items():
        pos = cells[key].pos
        parts = lines[pos.line - 1].split("\t")
        parts[pos.col - 1] = new
        lines[pos.line - 1] = "\t".join(parts)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


JUDGED = ("t3", "results.total", "natural_person")  # (七)总计 自然人: 4 in the seed
ELSEWHERE = ("t4", "review", "total")  # 表四 行政复议 总计: unrelated to 表三


# A user rule file (``--rules DIR``) and the seed variant that breaks it: 予以公开 自然人 3 → 9
USER_RULE = """
rules:
  - id: L001
    name: granted-exceeds-received
    title: 予以公开数大于新收与结转之和
    severity: error
    table: t3
    for_each: column
    assert: results.granted <= new + carried_over
    message: "表三「{column}」列：予以公开 {reported} 大于新收与结转之和 {expected}"
"""
GRANTED = ("t3", "results.granted", "natural_person")  # (一)予以公开 自然人: 3 in the seed
