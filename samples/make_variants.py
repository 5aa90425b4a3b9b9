"""Generate the sample variants of the seed report, each breaking one thing.

Run from the project root:  python samples/make_variants.py
The seed (taiqian_2020.txt, 台前县 2020, copied as found) is never modified; each variant
is the seed with one edit to its tab-separated cells, written next to it, and
samples/expected.json records what checking each file must produce (used by the tests).
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE / "taiqian_2020.txt"

# label fragment of the line → (index among the numeric cells of that line, new text)
VARIANTS = {
    "changed_cell": {
        "what": "表三（七）总计 × 自然人 4 → 5",
        "edits": [("(七) 总计", 0, "5")],
        "exit": 1,
        "findings": [["T301", "error", "t3", None, "natural_person"],
                     ["T302", "error", "t3", "results.total", "natural_person"],
                     ["T303", "error", "t3", "results.total", "total"]],
    },
    "swapped_digits": {
        "what": "表三一、本年新收：自然人 4 与商业企业 0 两个数字对调（4 0 → 0 4）",
        "edits": [("一、本年新收", 0, "0"), ("一、本年新收", 1, "4")],
        "exit": 1,
        "findings": [["T301", "error", "t3", None, "natural_person"],
                     ["T301", "error", "t3", None, "commercial"]],
    },
    "wrong_column": {
        "what": "表三（四）1.本机关不掌握相关政府信息：1 填进了相邻的商业企业列",
        "edits": [("1. 本机关不掌握", 0, "0"), ("1. 本机关不掌握", 1, "1")],
        "exit": 1,
        "findings": [["T302", "error", "t3", "results.total", "natural_person"],
                     ["T302", "error", "t3", "results.total", "commercial"]],
    },
    "blank_total": {
        "what": "表三（七）总计 × 总计 4 留空",
        "edits": [("(七) 总计", 6, "")],
        "exit": 0,
        "exit_strict": 1,
        # one finding about the blank cell, naming every rule that implies its value (T301–T303)
        "findings": [["B001", "warning", "t3", "results.total", "total"]],
    },
    "review_total_wrong": {
        "what": "表四行政复议：结果维持 0 → 2，总计仍为 0",
        "edits": [("__T4_DATA__", 0, "2")],
        "exit": 1,
        "findings": [["T401", "error", "t4", "review", "total"]],
    },
}


def _numeric_positions(cells: list[str]) -> list[int]:
    """Indices of the value cells of a line: after its last label cell, non-empty ones."""
    last_label = max((i for i, c in enumerate(cells) if c.strip() and not c.strip().replace(",", "").isdigit()),
                     default=-1)
    return [i for i in range(last_label + 1, len(cells)) if cells[i].strip()]


def apply(lines: list[str], edits) -> list[str]:
    out = list(lines)
    for fragment, k, new in edits:
        if fragment == "__T4_DATA__":  # the 15-number data row of 表四
            idx = next(i for i, l in enumerate(out) if l.count("\t") == 14 and all(c.strip().isdigit() for c in l.split("\t")))
        else:
            idx = next(i for i, l in enumerate(out) if fragment in l and "\t" in l)
        cells = out[idx].split("\t")
        positions = _numeric_positions(cells)
        cells[positions[k]] = new
        out[idx] = "\t".join(cells)
    return out


def main() -> None:
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    expected = {SEED.name: {"what": "原始报告（种子），各项勾稽关系成立", "exit": 0, "findings": []}}
    for name, v in VARIANTS.items():
        target = HERE / f"taiqian_2020_{name}.txt"
        target.write_text("\n".join(apply(lines, v["edits"])), encoding="utf-8")
        expected[target.name] = {k: v[k] for k in v if k != "edits"}
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
