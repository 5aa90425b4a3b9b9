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


def file_dict(f, clean: bool = True) -> dict:
    """One file's record of the report (``files[i]``)."""
    _c = _clean if clean else _same
    return {
        "path": f.path, "status": f.status, "template": f.template, "year": f.year, "body": f.body,
        "reason": f.reason, "detail": f.detail,
        "counts": {**{s: f.count(s) for s in ("error", "warning", "info")}, "reviewed": f.reviewed},
        "findings": [_c(x.to_dict()) for x in f.findings],
    }


def to_dict(result, clean: bool = True, files: bool = True) -> dict:
    """The report as plain data. ``clean=False`` leaves non-finite floats in place (for
    :func:`render`, which cleans only when the encoder meets one); ``files=False`` leaves
    the files out (an empty list: :func:`stream` writes them one by one)."""
    _c = _clean if clean else _same
    return {
        "tool": {"name": "validator", "version": __version__, "ruleset": result.ruleset},
        "exit_code": result.exit_code,
        "summary": result.summary,
        "disabled": [{"rule": k, "reason": v} for k, v in getattr(result, "disabled", {}).items()],
        "reviews": getattr(result, "reviews", None),
        "severity_overrides": [{"rule": k, "default": d, "severity": s}
                               for k, (d, s) in sorted(getattr(result, "overrides", {}).items())],
        "param_overrides": [{"rule": k, "key": key, "default": d, "value": v}
                            for k, changed in sorted(getattr(result, "param_overrides", {}).items())
                            for key, (d, v) in changed.items()],
        "settings": _c({k: v for k, v in (getattr(result, "settings", None) or {}).items()}),
        "notices": list(getattr(result, "notices", None) or []),
        "files": [file_dict(f, clean) for f in result.files] if files else [],
    }


def _same(v):
    return v


def _dumps(data, indent) -> str:
    try:  # the usual case: no NaN/Infinity anywhere, so no recursive clean of every value
        return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:
        return json.dumps(_clean(data), ensure_ascii=False, indent=indent, allow_nan=False)


# indented for people up to this many files; compact above (json's indenting encoder is pure
# Python and slow)
INDENTED_FILES = 50


def stream(result):
    """The report as pieces of text, one file at a time (memory flat in the number of
    files); joined, exactly :func:`render`'s text."""
    if len(result.files) <= INDENTED_FILES:
        yield _dumps(to_dict(result, clean=False), 2)
        return
    head = _dumps(to_dict(result, clean=False, files=False), None)
    assert head.endswith('"files": []}')
    yield head[:-2]
    for k, f in enumerate(result.files):
        yield (", " if k else "") + _dumps(file_dict(f, clean=False), None)
    yield "]}"


def render(result) -> str:
    return "".join(stream(result))
