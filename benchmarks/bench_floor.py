"""The floor (issue 18, measurement a): parse every file with the parser library alone and
read every table cell's text (or, for PDF, every character), nothing else.

``python benchmarks/bench_floor.py DIR [-j J]``:

* HTML: ``lxml.etree`` parses the bytes (libxml2 reads the ``<meta charset>``) and the text
  of every ``<td>``/``<th>`` is joined with ``itertext()``;
* DOCX: ``word/document.xml`` is read from the zip and parsed with ``lxml.etree``, and the
  text of every ``w:tc`` is joined;
* PDF: pypdfium2 (the library the PDF reader reads pages with) extracts the characters of
  every page: the text page, its text and every character's box;
* text: the file is read and decoded and split into lines.

No tables are laid out, nothing is extracted or checked. With J > 1 the files are shared
among J forked worker processes, as ``validator check -j J`` does. Prints one JSON object:
files, pages (PDF), seconds spent importing, seconds parsing (in-process).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from pathlib import Path

T0 = time.perf_counter()
import lxml.etree as etree  # noqa: E402  (imported before the workers fork: they share it)

T_IMPORT = time.perf_counter() - T0
W_TC = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc"


def parse(path: str) -> tuple[int, int]:
    """(characters read, pages) of one file."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext in (".html", ".htm"):
        root = etree.fromstring(p.read_bytes(), etree.HTMLParser())
        return sum(len("".join(td.itertext())) for td in root.iter("td", "th")), 0
    if ext == ".docx":
        with zipfile.ZipFile(p) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        return sum(len("".join(tc.itertext())) for tc in root.iter(W_TC)), 0
    if ext == ".pdf":
        import pypdfium2

        chars = pages = 0
        pdf = pypdfium2.PdfDocument(p)
        for page in pdf:
            textpage = page.get_textpage()
            n = textpage.count_chars()
            textpage.get_text_range()
            for i in range(n):
                textpage.get_charbox(i, loose=True)
            chars += n
            pages += 1
            textpage.close()
            page.close()
        pdf.close()
        return chars, pages
    return len(p.read_bytes().decode("utf-8").splitlines()), 0


def parse_many(paths: list[str]) -> tuple[int, int]:
    chars = pages = 0
    for p in paths:
        c, n = parse(p)
        chars, pages = chars + c, pages + n
    return chars, pages


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=1)
    args = ap.parse_args(argv)
    files = sorted(str(p) for p in args.dir.rglob("*") if p.is_file())
    if any(f.lower().endswith(".pdf") for f in files):
        import pypdfium2  # noqa: F401  (before the fork, like validator's readers)
    t0 = time.perf_counter()
    if args.jobs > 1 and len(files) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        size = max(1, len(files) // (args.jobs * 8))
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=ctx) as pool:
            parts = list(pool.map(parse_many, chunks))
    else:
        parts = [parse_many(files)]
    elapsed = time.perf_counter() - t0
    json.dump({"files": len(files), "jobs": args.jobs, "import_seconds": round(T_IMPORT, 4),
               "parse_seconds": round(elapsed, 4), "chars": sum(c for c, _ in parts),
               "pages": sum(n for _, n in parts)}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
