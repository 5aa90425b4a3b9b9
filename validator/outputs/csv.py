"""Findings as CSV (``--format csv``): UTF-8 with a byte-order mark, so that Excel opens the
Chinese text correctly.

One row per finding, with the columns ``COLUMNS`` (``review_*``: the reviews file's
decision about the finding, empty when it has none). A file without findings still gets one
row (its status, the other columns empty), and an unreadable file one row with status
``unreadable`` and the reason in ``message``, so the CSV lists every file checked.

Every cell goes through :func:`validator.outputs.safe.csv_cell`: text from a file that a
spreadsheet would run as a formula (``=HYPERLINK(…)``, ``@SUM(…)``) gets a leading ``'``,
in every column, the path included; numbers stay numbers.
"""
from __future__ import annotations

import csv
import io

from . import expected, num, source
from .safe import csv_cell

COLUMNS = ("path", "status", "rule", "severity", "table", "row", "column", "reported", "expected", "message", "source",
           "fingerprint", "review_status", "review_reason", "review_by", "review_date")
BOM = "\ufeff"


def rows(result):
    for f in result.files:
        if f.status in ("unreadable", "skipped"):
            reason = f.reason or ""
            if f.detail:
                reason += f"（{f.detail}）"
            yield {"path": f.path, "status": f.status, "message": reason}
            continue
        if not f.findings:
            yield {"path": f.path, "status": f.status}
        for x in f.findings:
            yield {"path": f.path, "status": f.status, "rule": x.get("rule"), "severity": x.get("severity"),
                   "table": x.get("table"), "row": x.get("row"), "column": x.get("column"),
                   "reported": num(x.get("reported")), "expected": num(expected(x)), "message": x.get("message"),
                   "source": source(x), "fingerprint": x.get("fingerprint"),
                   **{f"review_{k}": v for k, v in (x.get("review") or {}).items()}}


def stream(result):
    """The CSV as pieces of text, one file's rows at a time; joined, exactly :func:`render`'s."""
    buf = io.StringIO()
    # CRLF rows (RFC 4180): a CR or LF inside a field is then always quoted, never a forged row
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n", restval="")
    w.writeheader()
    yield BOM + buf.getvalue()
    for row in rows(result):
        buf.seek(0)
        buf.truncate()
        w.writerow({k: csv_cell(v) for k, v in row.items()})
        yield buf.getvalue()


def render(result) -> str:
    return "".join(stream(result))
