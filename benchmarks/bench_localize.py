#!/usr/bin/env python
"""CPU of the suggested-fix localiser (validator.localize) on damaged real tables.

    python benchmarks/bench_localize.py [--pairs 200] [--milp]

The 表三/表四 of the seed (2019 format) and of corpus report 003 (2021 format) are read with
the real reader and turned into equations by ``validator.fixes.equations`` (the rule
catalogue, as the engine does). Then ``localize`` runs on: every single-cell change of every
number (+1, -1, ×10, two adjacent digits swapped), and ``--pairs`` deterministic damages of
two and of three cells each (perturbed numbers, blanks, a count moved to the neighbouring
column). Prints the load, and per class: calls, CPU seconds (``time.process_time``), median
and max ms per call, and how many reached the MILP. ``--milp`` also times every class with
the exact shortcuts switched off (MILP only), for comparison. Needs ../shared (the seed and
the corpus) beside the repository.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import validator.localize as L  # noqa: E402
from validator.fixes import _neighbours, equations  # noqa: E402
from validator.rules import load  # noqa: E402
from validator.run import load_reports  # noqa: E402

SHARED = ROOT.parent / "shared"
REPORTS = [next((SHARED / "seed").glob("*.txt")), SHARED / "corpus" / "003_shuyang_county_gov_2025.md"]


def perturbations(v: int) -> list[int]:
    out = {v + 1, v * 10} | ({v - 1} if v >= 1 else set())
    s = str(v)
    out |= {int(s[:i] + s[i + 1] + s[i] + s[i + 2:]) for i in range(len(s) - 1) if s[i] != s[i + 1]}
    out.discard(v)
    return sorted(out)


def damages(cells, values, k: int, n: int, rng: random.Random) -> list[dict]:
    index = {c: i for i, c in enumerate(cells)}
    out = []
    while len(out) < n:
        ch = {}
        for _ in range(k):
            i = rng.randrange(len(cells))
            v = int(values[i] or 0)
            table, row, col = cells[i]
            nb = [index[c] for c in _neighbours(tuple(cells))[cells[i]]]
            r = rng.random()
            if r < 0.15:
                ch[i] = None
            elif r < 0.4 and nb and v > 0:
                j = rng.choice(nb)
                d = rng.randint(1, v)
                ch[i], ch[j] = v - d, int(values[j] or 0) + d
            else:
                ch[i] = rng.choice(perturbations(v))
        if any(ch[i] != values[i] for i in ch):
            out.append(ch)
    return out


def run(cases, cells, values, eqs, nb) -> tuple[float, list[float], int]:
    milp = L._enumerate
    solved = []
    L._enumerate = lambda *a, **k: solved.append(1) or milp(*a, **k)
    times, reached = [], 0
    try:
        for ch in cases:
            vals = list(values)
            for i, x in ch.items():
                vals[i] = x
            solved.clear()
            t0 = time.process_time()
            L.localize(cells, vals, eqs, neighbours=nb)
            times.append(time.process_time() - t0)
            reached += bool(solved)
    finally:
        L._enumerate = milp
    return sum(times), times, reached


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=200, help="damages of two (and of three) cells per report")
    ap.add_argument("--milp", action="store_true", help="also time the MILP alone (shortcuts off)")
    args = ap.parse_args()
    rules = load()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {os.cpu_count()} CPUs")
    import scipy.optimize  # noqa: F401  (imported before timing: a batch pays it once)

    for path in REPORTS:
        report = load_reports(path)[0]
        cells, values, eqs = equations(rules, report)
        nb = _neighbours(tuple(cells))
        rng = random.Random(18)
        classes = {
            "one cell": [{i: x} for i, v in enumerate(values) if v is not None for x in perturbations(int(v))],
            "two cells": damages(cells, values, 2, args.pairs, rng),
            "three cells": damages(cells, values, 3, args.pairs, rng),
        }
        print(f"\n{path.name}: {len(cells)} cells, {len(eqs)} equations")
        for name, cases in classes.items():
            modes = [("shortcuts", True)] + ([("MILP only", False)] if args.milp else [])
            for mode, fast in modes:
                L._FAST_PATH = fast
                cpu, times, reached = run(cases, cells, values, eqs, nb)
                L._FAST_PATH = True
                print(f"  {name:11s} {mode:9s} {len(cases):5d} calls  {cpu:7.2f} s CPU  "
                      f"median {statistics.median(times) * 1000:6.1f} ms  max {max(times) * 1000:7.1f} ms  "
                      f"{reached:4d} reached the MILP")


if __name__ == "__main__":
    main()
