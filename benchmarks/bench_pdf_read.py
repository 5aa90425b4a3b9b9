"""CPU per page of the PDF reader alone (``validator.readers.pdf.read``), in this process.

``python benchmarks/bench_pdf_read.py [--reps N]`` (from the tree to measure: the current
directory's ``validator`` is the one imported):

the real text PDFs (``../shared/corpus`` 001, 014, 015, read in place, and the two
LibreOffice fixtures of ``tests/fixtures/multiform``), each read once to warm up, then the
best of N reads (``time.process_time``: CPU of this process); OCR is off (these pages have
a text layer; it would not run). Prints the load average before and after: on a shared
machine compare runs made close together, alternating trees.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT.parent / "shared" / "corpus" / name for name in (
    "001_huaian_city_gov_2024.pdf", "014_huaian_hongze_district_gov_2023.pdf",
    "015_huaian_hongze_district_gov_2024.pdf")] + [
    ROOT / "tests" / "fixtures" / "multiform" / name for name in ("taiqian_2020_from_docx.pdf", "taiqian_2020_from_html.pdf")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10, help="reads of each file; the best counts (default 10)")
    args = ap.parse_args()
    sys.path.insert(0, os.getcwd())
    import pypdfium2

    from validator.readers import ocr, pdf

    print(f"load average {os.getloadavg()}; validator from {Path(pdf.__file__).parent.parent}")
    total, pages = 0.0, 0
    for path in FILES:
        if not path.exists():
            print(f"{path}: absent, skipped")
            continue
        data = path.read_bytes()
        n = len(pypdfium2.PdfDocument(data))
        with ocr.settings(False):
            pdf.read(path, data)
            best = float("inf")
            for _ in range(args.reps):
                t = time.process_time()
                pdf.read(path, data)
                best = min(best, time.process_time() - t)
        total, pages = total + best, pages + n
        print(f"{path.name}: {n} pages, {best * 1000:.0f} ms, {best / n * 1000:.1f} ms per page")
    if pages:
        print(f"all: {pages} pages, {total / pages * 1000:.1f} ms of CPU per page (best of {args.reps})")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
