"""Plain text and markdown: tab-separated rows, markdown pipe tables, paragraphs.

Reports copied from a web page into text keep one table row per line with cells
separated by tabs (labels drift between cells: extraction matches by label). Markdown
conversions keep pipe tables. A line "行政许可 97" (a label, then numbers separated by
spaces, as PDF-to-text tools leave them) is a row too. The file is markdown when its
content says so (a pipe table's separator row or an ATX heading), whatever its name.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..document import Document, Position, paragraph, row
from ..errors import Unreadable
from ..text import decode

_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_SPACED_ROW = re.compile(r"^(?P<label>[^\d\s|][^\d|]{0,40}?)\s+(?P<nums>-?[\d,]+(?:\.\d+)?(?:\s+-?[\d,]+(?:\.\d+)?)*)\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S")  # CommonMark's ATX heading: "## 一、总体情况", not "#1"


def read(path: Path, data: bytes) -> Document:
    from validator import readers as limits

    text = decode(data)
    if text[:4096].count("\x00") > 40:  # decoded, yet full of NULs: binary data
        raise Unreadable("文件不是文本（含二进制内容）", "NUL characters after decoding")
    doc = Document(str(path), "text")
    ncells = 0
    markdown = False  # a separator row or a heading seen
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        ncells += 1 + line.count("\t") + line.count("|")
        limits.check_growth(len(doc.blocks) + 1, ncells)
        if "\t" in line:
            doc.blocks.append(row([(c.strip(), Position(line=n, col=i)) for i, c in enumerate(line.split("\t"), 1)]))
        elif stripped.startswith("|") and stripped.count("|") >= 2:
            if _MD_SEPARATOR.match(stripped):
                markdown = True
                continue
            cells = stripped.strip("|").split("|")
            doc.blocks.append(row([(c.strip(), Position(line=n, col=i)) for i, c in enumerate(cells, 1)]))
        elif m := _SPACED_ROW.match(stripped):
            cells = [m["label"].strip(), *m["nums"].split()]
            doc.blocks.append(row([(c, Position(line=n, col=i)) for i, c in enumerate(cells, 1)]))
        else:
            markdown = markdown or bool(_MD_HEADING.match(stripped))
            doc.blocks.append(paragraph(_HEADING.sub("", stripped), Position(line=n)))
    if not doc.blocks:
        raise Unreadable("文件没有文字内容")
    if markdown:
        doc.format = "markdown"
    return doc
