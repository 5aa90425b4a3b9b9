"""Every string from a file is data: the one place where outputs neutralise it.

Report text (body, title, labels, cell text, narrative snippets, exception details) and
file names reach programs that interpret what they are given: spreadsheets run formulas,
terminals obey escape sequences, rich reads ``[markup]``. Each output passes such text
through the function for its destination:

* :func:`csv_cell`: a spreadsheet cell (OWASP's rule against formula injection: text
  starting with ``= + - @``, a tab or a carriage return, or their full-width forms, gets
  a leading ``'``); numbers, and text that is a plain number, stay as they are;
* :func:`terminal`: one line of a terminal: control characters (C0, C1, DEL, so ANSI
  CSI and OSC sequences too), line breaks and bidirectional overrides are shown escaped
  (``\\x1b``, ``\\n``, ``\\u202e``), never sent;
* :func:`markup`: :func:`terminal`, then escaped for rich, so ``[bold]`` or ``[/]`` in a
  file prints literally and cannot break the console output;
* :func:`path`: a file name as text, bytes that are not valid in the file system's
  encoding shown as ``\\xNN`` (``os.fsdecode`` leaves them as lone surrogates, which no
  UTF-8 output can carry).
"""
from __future__ import annotations

import math
import os
import re

FORMULA_START = frozenset("=+-@\t\r＝＋－＠")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# C0 and C1 controls, DEL, lone surrogates, bidirectional embeddings/overrides/isolates,
# line and paragraph separators
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal(s) -> str:
    """Text for one terminal line: nothing in it is interpreted by the terminal."""
    s = "" if s is None else str(s)
    return _UNSAFE.sub(_escape, s)


def markup(s) -> str:
    """Text for rich (console.print, table cells): literal, terminal-safe."""
    from rich.markup import escape

    return escape(terminal(s))


def csv_cell(v):
    """A value for a CSV/spreadsheet cell: a number stays a number; text that a spreadsheet
    would take for a formula gets a leading ``'``; None and NaN are empty."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    s = text(v)
    if s and s[0] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(s):
        return "'" + s
    return s


def text(s) -> str:
    """Any string made safe to encode: lone surrogates (undecodable file-name bytes) as ``\\xNN``."""
    s = "" if s is None else str(s)
    if not _has_surrogate(s):
        return s
    return re.sub("[\ud800-\udfff]", _escape, s)


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def path(p) -> str:
    """A file name as users read it (undecodable bytes as ``\\xNN``)."""
    return text(os.fsdecode(p) if isinstance(p, bytes) else str(p))
