"""Consistency checks for Chinese government information-disclosure annual reports
(政府信息公开工作年度报告).

Python API::

    from validator import check
    result = check(["samples/taiqian_2020.txt"])
    result.exit_code            # 0 passed, 1 error-level findings, 2 a file was unreadable
    result.files[0].findings    # list of finding dicts
    result.findings_frame()     # the same findings as one pandas DataFrame
"""
from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"


def check(paths, *, year: int | None = None, body: str | None = None, strict: bool = False, reviews=None):
    """Check report files; returns a :class:`validator.run.Result`. ``reviews``: the path
    of a reviews file (validator.reviews) to apply."""
    from .run import check_paths

    if isinstance(paths, (str, Path)):
        paths = [paths]
    if reviews is not None and not hasattr(reviews, "entries"):
        from .reviews import load

        reviews = load(reviews)
    return check_paths([Path(p) for p in paths], year=year, body=body, strict=strict, reviews=reviews)


__all__ = ["check", "__version__"]
