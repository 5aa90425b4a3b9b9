"""The floor (issue 8, measurement a): parse every file with the parser library alone.

``python benchmarks/bench_floor.py DIR [-j J]``: lxml.html parses each HTML page (bytes;
libxml2 reads the ``<meta charset>``), python-docx opens each DOCX, each text file is read
and decoded; nothing else (no tables walked, no extraction, no rules). With J > 1 the
files are shared among J forked worker processes, as ``validator check -j J`` does.
Prints one JSON object: files, seconds spent importing, seconds parsing (in-process).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

T0 = time.perf_counter()
import docx  # noqa: E402  (imported before the workers fork: they share it)
import lxml.html  # noqa: E402

T_IMPORT = time.perf_counter() - T0


def parse(path: str) -> int:
    p = Path(path)
    ext = p.suffix.lower()
    if ext in (".html", ".htm"):
        return len(lxml.html.document_fromstring(p.read_bytes()))
    if ext == ".docx":
        return len(docx.Document(path).element.body)
    return len(p.read_bytes().decode("utf-8").splitlines())


def parse_many(paths: list[str]) -> int:
    return sum(parse(p) for p in paths)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=1)
    args = ap.parse_args(argv)
    files = sorted(str(p) for p in args.dir.rglob("*") if p.is_file())
    t0 = time.perf_counter()
    if args.jobs > 1 and len(files) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        size = max(1, len(files) // (args.jobs * 8))
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=ctx) as pool:
            total = sum(pool.map(parse_many, chunks))
    else:
        total = parse_many(files)
    elapsed = time.perf_counter() - t0
    json.dump({"files": len(files), "jobs": args.jobs, "import_seconds": round(T_IMPORT, 4),
               "parse_seconds": round(elapsed, 4), "elements": total}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
