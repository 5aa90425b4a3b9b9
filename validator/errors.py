"""Errors that end the reading of one file. They carry a Chinese reason for users."""
from __future__ import annotations


class Unreadable(Exception):
    """The file could not be read as a report. ``reason`` is shown to the user (Chinese);
    ``detail`` is an optional technical cause (English)."""

    def __init__(self, reason: str, detail: str | None = None):
        super().__init__(reason if detail is None else f"{reason} ({detail})")
        self.reason = reason
        self.detail = detail


class NotAReport(Unreadable):
    """The file is plainly not an annual report (no report title, none of the template's
    section headings or tables' labels: a README, an index). A file found in a directory is then *skipped*; a file
    named on the command line stays unreadable."""
