"""The JSON report (``--format json``), described by validator/report.schema.json."""
from __future__ import annotations

import json
import math

from .. import __version__

def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):  # JSON has no NaN/Infinity
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def to_dict(result) -> dict:
    files = []
    for f in result.files:
        files.append({
            "path": f.path, "status": f.status, "template": f.template, "year": f.year, "body": f.body,
            "reason": f.reason, "detail": f.detail,
            "counts": {**{s: f.count(s) for s in ("error", "warning", "info")}, "reviewed": f.reviewed},
            "findings": [_clean(x.to_dict()) for x in f.findings],
        })
    return {
        "tool": {"name": "validator", "version": __version__, "ruleset": result.ruleset},
        "exit_code": result.exit_code,
        "summary": result.summary,
        "disabled": [{"rule": k, "reason": v} for k, v in getattr(result, "disabled", {}).items()],
        "reviews": getattr(result, "reviews", None),
        "severity_overrides": [{"rule": k, "default": d, "severity": s}
                               for k, (d, s) in sorted(getattr(result, "overrides", {}).items())],
        "settings": _clean({k: v for k, v in (getattr(result, "settings", None) or {}).items()}),
        "notices": list(getattr(result, "notices", None) or []),
        "files": files,
    }


def render(result) -> str:
    # indented for people; compact for large batches (json's indenting encoder is pure Python and slow)
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2 if len(result.files) <= 50 else None,
                      allow_nan=False)
