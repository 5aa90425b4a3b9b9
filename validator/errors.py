"""Errors that end the reading of one file. They carry a Chinese reason for users."""
from __future__ import annotations

import functools


class Unreadable(Exception):
    """The file could not be read as a report. ``reason`` is shown to the user (Chinese);
    ``detail`` is an optional technical cause (English)."""

    def __init__(self, reason: str, detail: str | None = None):
        super().__init__(reason if detail is None else f"{reason} ({detail})")
        self.reason = reason
        self.detail = detail


class NotAReport(Unreadable):
    """The file is plainly not an annual report (no report title, none of the tables'
    labels: a README, an index). A file found in a directory is then *skipped*; a file
    named on the command line stays unreadable."""


def guarded(corrupt: str, deep: str = "文件结构嵌套过深，无法读取"):
    """Decorate a reader's ``read``: whatever goes wrong inside becomes :class:`Unreadable`
    (the readers' contract), with the reader's own Chinese reason and the English cause."""
    def wrap(fn):
        @functools.wraps(fn)
        def read(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Unreadable:
                raise
            except RecursionError:
                raise Unreadable(deep, "recursion limit exceeded") from None
            except Exception as e:
                raise Unreadable(corrupt, f"{type(e).__name__}: {e}") from None
        return read
    return wrap
