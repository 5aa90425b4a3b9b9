"""A finding's fingerprint: a short, stable name for "this rule judged these values in
this report", so that a decision about a finding (validator/reviews.py) can be kept across
runs.

The fingerprint is ``RRRRRRRR-FFFFFFFFFFFF`` (8 + 12 lower-case hex digits):

* ``RRRRRRRR`` is the first 8 hex digits of the SHA-256 of the **report identity**:
  ``body|year``, each part as far as it is known (the issuing body as reports are paired
  across years, ``validator.identity.body_key``: NFKC, no spaces or punctuation, without a
  trailing 人民政府/政府/管委会; the year of the report; ``--year`` / ``--body`` when given), and the file's name (without its directory) only when neither is known.
  Reports whose body is not recognised share the identity of their year (``|2020``):
  their findings still differ by the values judged, and ``--body`` gives them their own.
  The identity is shared by every finding of a report, which is how a reviews file tells
  a stale entry of a checked report from an entry of a report not checked this time.
* ``FFFFFFFFFFFF`` is the first 12 hex digits of the SHA-256 of the JSON array
  ``["v1", rule, identity, subject, cells, evidence, occurrence]``:

  - ``rule``: the rule id (T301);
  - ``subject``: the (table, row, column) codes of the cell the finding is about (the
    blank cell whose implied value it names, when it names one), null where it has none;
  - ``cells``: every cell the rule used, as (table, row, column, "prev" for last year's
    report's cells else "", value), sorted, where the value is the number as people write
    it (4, not 4.0 or "4"), "blank" for an empty or dash cell (the rules read both alike),
    and the state and the text for a cell that is not a number ("invalid:三");
  - ``evidence``: what a rule without cells judged — the narrative sentence (``snippet``,
    spaces removed, NFKC) and the facts a structure or year-gap check rendered its
    message from (``evidence``) — else null;
  - ``occurrence``: 0, or n for the n-th further finding of the same report with exactly
    the same inputs (so that two findings never share a fingerprint).

What is left out is what may change while the judgment stays the same: the file's path
and format, positions (lines, pages), labels and messages (their wording changes between
tool versions), severity (``--strict``, ``--severity``), computed sums, suggested fixes,
and every cell the rule did not use. So a fingerprint survives reruns, renames, another
version of the tool and changes elsewhere in the report, and changes when a value the rule
judged changes. ``v1`` names this recipe; a change to it must change that tag.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from pathlib import Path

from .identity import body_key
from .text import compact

RECIPE = "v1"
PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{12}")
"""What a fingerprint looks like (reviews files are validated against it)."""


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def identity(body: str | None, year: int | None, path: str | None) -> str:
    """The report identity the fingerprint is derived from (see the module docstring)."""
    key = body_key(body) or ""
    if key or year is not None:
        return f"{key}|{'' if year is None else int(year)}"
    return Path(str(path or "")).name


def report_part(ident: str) -> str:
    """The first part of every fingerprint of the report with this identity."""
    return _sha(ident)[:8]


def _value(cell: dict):
    state = cell.get("state")
    if state in ("blank", "dash"):
        return "blank"
    if state == "number":
        v = cell.get("value")
        if isinstance(v, float) and not math.isnan(v):
            return int(v) if v.is_integer() else round(v, 6)
        return v
    raw = compact(str(cell.get("raw") or ""))
    return f"{state or 'missing'}:{raw}"


def _subject(f: dict):
    implied = f.get("implied") or {}
    if implied.get("row_code") or implied.get("column_code"):
        return [f.get("table_code"), implied.get("row_code"), implied.get("column_code")]
    codes = [f.get("table_code"), f.get("row_code"), f.get("column_code")]
    return codes if any(codes) else None


def _text(v):
    if isinstance(v, str):
        return compact(v)
    if isinstance(v, dict):
        return {str(k): _text(x) for k, x in sorted(v.items())}
    if isinstance(v, (list, tuple)):
        return [_text(x) for x in v]
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def inputs(f: dict, ident: str) -> list:
    """The JSON-able inputs of a finding's fingerprint, without the occurrence."""
    cells = sorted({(c.get("table_code") or "", c.get("row_code") or "", c.get("column_code") or "",
                     "prev" if c.get("report") is not None else "",
                     json.dumps(_value(c), ensure_ascii=False))
                    for c in f.get("cells") or ()})
    evidence = {k: _text(f[k]) for k in ("snippet", "evidence") if f.get(k) not in (None, "", {})}
    return [RECIPE, f.get("rule"), ident, _subject(f), [list(c) for c in cells], evidence or None]


def compute(f: dict, ident: str, occurrence: int = 0) -> str:
    """The fingerprint of one finding of the report with identity ``ident``."""
    return _hashed(_key(f, ident), ident, occurrence)


def _key(f: dict, ident: str) -> str:
    return json.dumps(inputs(f, ident), ensure_ascii=False, separators=(",", ":"), default=str)


def _hashed(key: str, ident: str, occurrence: int) -> str:
    text = f"{key[:-1]},{occurrence}]"  # json.dumps of the inputs with the occurrence appended
    return f"{report_part(ident)}-{_sha(text)[:12]}"


def attach(findings: list, ident: str) -> None:
    """Set ``fingerprint`` on each finding of one report (the list's records are replaced:
    findings are frozen; in their reporting order, which numbers findings with the same inputs)."""
    seen: Counter = Counter()
    for i, f in enumerate(findings):
        key = _key(f, ident)  # made once: it numbers the finding and is what its fingerprint hashes
        findings[i] = f.with_(fingerprint=_hashed(key, ident, seen[key]))
        seen[key] += 1
