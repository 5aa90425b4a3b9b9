"""Size of the batch HTML report (issue 17): ``python benchmarks/html_size.py [--n 500]``.

Checks the cached benchmark corpus of N reports (``bench_corpus.cached``: HTML pages, DOCX
and text, 10 % with one wrong cell) with the cells kept, renders ``--format html`` and
prints the page's size and what it is made of (failing files drawn in full, passed files
as values, the summary, the layouts and rule documentation written once).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    import bench_corpus

    from validator.outputs import html
    from validator.run import check_paths

    corpus, _, reused = bench_corpus.cached(args.n, ["html", "docx", "text"], jobs=args.jobs)
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    result = check_paths(files, keep_cells=True, jobs=args.jobs)
    page = html.render(result)
    size = len(page.encode("utf-8"))
    sections = re.findall(r'<section class="file" id="file-\d+" data-status="(\w+)".*?</section>', page, re.S)
    parts: dict[str, list[int]] = {}
    for m in re.finditer(r'<section class="file" id="file-\d+" data-status="(\w+)".*?</section>', page, re.S):
        parts.setdefault(m.group(1), []).append(len(m.group().encode("utf-8")))
    print(f"corpus: {corpus} ({len(files)} files, {'cached' if reused else 'built'})")
    print(f"HTML report: {size:,} bytes ({size / 1e6:.2f} MB) for {len(sections)} files")
    for status, sizes in sorted(parts.items()):
        print(f"  {status:10} {len(sizes):4} files, {sum(sizes) / 1e6:.2f} MB, {sum(sizes) / len(sizes) / 1e3:.1f} kB each")
    rest = size - sum(sum(v) for v in parts.values())
    print(f"  summary, layouts, rule docs, CSS/JS: {rest / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
