"""GitLab Code Quality report (``--format gitlab``), shown in merge requests.

A JSON list with one issue per finding, with the fields GitLab documents: ``description``
(the Chinese message), ``check_name`` (the rule id), ``fingerprint`` (the finding's stable
fingerprint, so that GitLab can tell new findings from old ones), ``severity`` (error →
major, warning → minor, info → info; a reviewed finding is info, its description starting
with the decision and its reason) and ``location.path`` / ``location.lines.begin`` (the
line of a text report's cell, 1 otherwise). An unreadable file is a ``critical`` issue of
check ``unreadable``.
"""
from __future__ import annotations

import hashlib
import json

from . import details, fingerprint, line, relpath, review_text

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def _description(x: dict) -> str:
    parts = [x.get("message") or x.get("rule") or ""] + details(x, reported=False, fix=False)
    if review_text(x):
        parts.insert(0, review_text(x))
    return "；".join(parts)


def issues(result) -> list[dict]:
    out = []
    for f in result.files:
        path = relpath(f.path)
        if f.status == "unreadable":
            out.append({"description": f"无法读取：{f.reason or ''}", "check_name": "unreadable",
                        # one per file and reason: the file, not a finding, is what is wrong
                        "fingerprint": hashlib.sha256(f"unreadable\0{path}\0{f.reason}".encode()).hexdigest(),
                        "severity": "critical", "location": {"path": path, "lines": {"begin": 1}}})
            continue
        for x in f.findings:
            out.append({"description": _description(x), "check_name": x.get("rule"),
                        "fingerprint": fingerprint(x),
                        # reviewed (reviews file): kept, as info, so the merge request does not show it as open
                        "severity": "info" if x.get("review") else SEVERITY.get(x.get("severity"), "minor"),
                        "location": {"path": path, "lines": {"begin": line(x)}}})
    return out


def render(result) -> str:
    return json.dumps(issues(result), ensure_ascii=False, indent=2)
