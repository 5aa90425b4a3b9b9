#!/usr/bin/env python
"""OCR pages per second (issue 19).

    python benchmarks/bench_ocr.py [--dpi 150 300] [--variants clean rot+1 ... scan] [--reports seed 014 001]

Rasterises the table pages of the seed's PDF fixture and of the corpus PDFs 014 and 001
(../shared/corpus; never copied into the repository) into image-only PDFs in a temporary
directory, clean or "scanned" (each of tests/ocr_fixtures.py's variants: rotated +1° / -1°,
blurred, grey, JPEG quality 50; ``scan`` is all of them at once: rotated +1°, blurred, grey,
then JPEG), and for each resolution and variant measures:

* seconds per page: wall and CPU time of ``validator.readers.read`` over the pages (one
  process, OCR on one thread; the models are loaded once beforehand and timed separately),
  and the CPU time spent inside the models' calls (text detection and recognition): the
  rest is the reader's own work (deskew, ruling lines, cells, crops, the PDF around them);
* accuracy: every 表三/表四 cell of the pages compared with the text PDF (right / unreadable,
  i.e. reported X030 / wrong). Accuracy is right / cells.

Prints the machine and a table; writes benchmarks/_build/ocr.json. The load average is
printed: on a shared machine the wall times grow, the CPU seconds much less.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus"
REPORTS = {"seed": (ROOT / "tests" / "fixtures" / "multiform" / "taiqian_2020_from_html.pdf", [3, 4, 5]),
           "014": (CORPUS / "014_huaian_hongze_district_gov_2023.pdf", [3, 4]),
           "001": (CORPUS / "001_huaian_city_gov_2024.pdf", [4, 5])}
VARIANTS = ("clean", "rot+1", "rot-1", "blur", "grey", "jpeg50", "scan")


def cells(path: Path) -> dict:
    from validator import readers
    from validator.extract import extract

    report = extract(readers.read(path))
    return {(c.table, c.row, c.column): c for c in report.cells if c.table in ("t3", "t4")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dpi", type=int, nargs="+", default=[150, 300])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--reports", nargs="+", default=list(REPORTS))
    args = ap.parse_args()
    if not CORPUS.exists() and set(args.reports) - {"seed"}:
        print(f"{CORPUS} is absent: the corpus lives in ../shared beside the project (or: --reports seed)",
              file=sys.stderr)
        return 2
    from tests import ocr_fixtures as F
    from validator.readers import ocr

    if not ocr.available():
        print("the OCR extra is not installed: pip install -e '.[ocr]'", file=sys.stderr)
        return 2
    from importlib.metadata import version

    import onnxruntime

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, rapidocr {version('rapidocr')}, "
          f"onnxruntime {onnxruntime.__version__}, load average {os.getloadavg()[0]:.1f}")
    t0, c0 = time.perf_counter(), time.process_time()
    ocr._engine()
    print(f"model load: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU")
    engine, model_cpu = ocr._engine, [0.0]

    def timed():
        run = engine()

        def call(img, **flags):
            c = time.process_time()
            try:
                return run(img, **flags)
            finally:
                model_cpu[0] += time.process_time() - c

        return call

    ocr._engine = timed  # the models' own CPU time, apart from the reader's work around them
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.reports:
            source, pages = REPORTS[key]
            want = cells(source)
            want = {k: c for k, c in want.items() if c.pos is not None and c.pos.page in pages}
            for dpi in args.dpi:
                base = F.render_pages(source, dpi, pages)
                for variant in args.variants:
                    steps = ("rot+1", "blur", "grey", "jpeg50") if variant == "scan" else (variant,)
                    imgs = base
                    for s in steps:
                        imgs = [F.scanned(im, s) for im in imgs]
                    pdf = F.image_pdf(imgs, Path(tmp) / f"{key}_{dpi}_{variant}.pdf", dpi)
                    t0, c0, m0 = time.perf_counter(), time.process_time(), model_cpu[0]
                    got = cells(pdf)
                    wall, cpu, model = time.perf_counter() - t0, time.process_time() - c0, model_cpu[0] - m0
                    right = sum(1 for k, c in want.items() if k in got and (got[k].value, got[k].state) == (c.value, c.state))
                    unreadable = sum(1 for k in want if k in got and got[k].state == "unreadable")
                    wrong = len(want) - right - unreadable
                    rows.append({"report": key, "dpi": dpi, "variant": variant, "pages": len(pages),
                                 "cells": len(want), "right": right, "unreadable": unreadable, "wrong": wrong,
                                 "accuracy": right / len(want) if want else None,
                                 "s_per_page": wall / len(pages), "cpu_s_per_page": cpu / len(pages),
                                 "model_cpu_s_per_page": model / len(pages),
                                 "pages_per_s": len(pages) / wall})
                    r = rows[-1]
                    print(f"{key:<4} {dpi:>3} dpi {variant:<6} cells {r['cells']:>3}: right {right:>3} "
                          f"({r['accuracy']:.1%}) unreadable "
                          f"{unreadable:>2} wrong {wrong:>2} | {r['s_per_page']:5.1f} s/page wall, "
                          f"{r['cpu_s_per_page']:5.2f} s/page CPU (model {r['model_cpu_s_per_page']:4.2f}), "
                          f"{r['pages_per_s']:.3f} pages/s", flush=True)
    out = HERE / "_build" / "ocr.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"load_average": os.getloadavg()[0], "rows": rows}, indent=1))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
