"""The naive baseline (issue 8, measurement c): what a straightforward implementation does.

``python benchmarks/bench_naive.py DIR [--limit K]``: one report at a time, in one
process: ``validator.readers.read`` + ``validator.extract.extract``, the cells put into a
pandas DataFrame, pivoted into 表三 and 表四 (rows × columns), and validated with a pandera
``DataFrameSchema`` built for that report: non-negative counts per column, the 总计 column
equal to the sum of the applicant columns, （七）总计 equal to the sum of the result rows,
the 表三 balance 一 + 二 = （七） + 四 in every column, and 表四 总计 = the sum of its row.
Blank cells count as 0. With ``--limit K`` only K files (an even sample of the files
sorted by name) are checked (the caller extrapolates). Prints one JSON object: files, import and loop
seconds, and the names of the files that failed.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

T0 = time.perf_counter()
import pandas as pd  # noqa: E402
import pandera.pandas as pa  # noqa: E402

from validator.errors import Unreadable  # noqa: E402
from validator.extract import extract  # noqa: E402
from validator.readers import read  # noqa: E402

T_IMPORT = time.perf_counter() - T0

APPLICANTS = ["natural_person", "commercial", "research", "public_interest", "legal_services", "other_org"]
T4_PARTS = ["upheld", "corrected", "other", "pending"]


def t3_schema(rows: list[str]) -> pa.DataFrameSchema:
    leaves = [r for r in rows if r.startswith("results.") and r != "results.total"]
    return pa.DataFrameSchema(
        {c: pa.Column(float, pa.Check.ge(0), nullable=False) for c in APPLICANTS + ["total"]},
        checks=[
            pa.Check(lambda d: d[APPLICANTS].sum(axis=1) == d["total"], name="总计列 = 各申请人之和"),
            pa.Check(lambda d: d.loc[leaves].sum() == d.loc["results.total"], name="（七）总计 = 各办理结果之和"),
            pa.Check(lambda d: (d.loc["new"] + d.loc["carried_over"]
                                == d.loc["results.total"] + d.loc["carried_forward"]), name="一 + 二 = （七） + 四"),
        ],
        strict=True,
    )


def t4_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c: pa.Column(float, pa.Check.ge(0)) for c in T4_PARTS + ["total"]},
        checks=[pa.Check(lambda d: d[T4_PARTS].sum(axis=1) == d["total"], name="表四 总计 = 各项之和")],
        strict=True,
    )


def check_one(path: Path) -> list[str]:
    """The failed checks of one report ([] when it passes)."""
    report = extract(read(path))
    cells = pd.DataFrame([{"table": c.table, "row": c.row, "column": c.column, "value": c.value}
                          for c in report.cells])
    cells["value"] = cells["value"].astype("float64").fillna(0.0)
    failed = []
    for table, schema in (("t3", None), ("t4", t4_schema())):
        wide = cells[cells["table"] == table].pivot(index="row", columns="column", values="value")
        if schema is None:
            schema = t3_schema(list(wide.index))
        try:
            schema.validate(wide, lazy=True)
        except pa.errors.SchemaErrors as e:
            failed.extend(sorted({str(x) for x in e.failure_cases["check"]}))
    return failed


def sample(items: list, k: int) -> list:
    """An even sample of k items (every step-th), so that every kind of input is in it."""
    step = max(1, len(items) // k)
    return items[::step][:k]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="check only the first K files (0: all)")
    args = ap.parse_args(argv)
    files = sorted(p for p in args.dir.rglob("*") if p.is_file())
    total = len(files)
    if args.limit:
        files = sample(files, args.limit)
    failed, unreadable = [], []
    t0, c0 = time.perf_counter(), time.process_time()
    for p in files:
        try:
            if check_one(p):
                failed.append(p.name)
        except Unreadable:
            unreadable.append(p.name)
    loop, loop_cpu = time.perf_counter() - t0, time.process_time() - c0
    json.dump({"files": len(files), "of": total, "import_seconds": round(T_IMPORT, 4), "loop_seconds": round(loop, 4),
               "loop_cpu": round(loop_cpu, 4),
               "failed": failed, "unreadable": unreadable}, sys.stdout, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
