"""Which files a batch checks (as ruff and pytest find their files).

A path named on the command line is always checked, whatever its name. A directory is
walked recursively, skipping hidden entries (``.git``, ``.venv``, …) and what the
``.gitignore`` files on the way ignore (git's own matching, by ``pathspec``), and taking
the files with a report extension. ``include`` globs replace the extension filter,
``exclude`` globs remove files and whole directories; both are gitignore-style patterns
(``**`` supported, a pattern without ``/`` matches at any depth), case-insensitive, matched
against the path relative to the directory walked.

Nothing is dropped silently: a dangling link, a FIFO or a file that cannot be listed
within the filters is returned like any other file, and gets a result line when it is
read (unreadable).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pathspec

from .readers import LEGACY_WORD, extensions

REPORT_EXTENSIONS = tuple(dict.fromkeys((*extensions(found=True), *LEGACY_WORD)))
"""Extensions taken from directories: every form the readers read (their registry,
:data:`validator.readers.FORMATS`, with the canonical cells, but for pictures) and the old
Word forms (so that they get their "save as DOCX" line)."""


@dataclass(frozen=True)
class Target:
    path: Path
    named: bool  # named on the command line (always checked, never skipped as "not a report")


def _spec(patterns) -> pathspec.PathSpec | None:
    patterns = [p.lower() for p in patterns if p and p.strip()]
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


def _gitignore(directory: Path) -> pathspec.PathSpec | None:
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _walk(root: Path, include, exclude) -> list[Path]:
    """Report files under ``root``, sorted, hidden and ignored entries left out."""
    out: list[Path] = []
    ignores: list[tuple[Path, pathspec.PathSpec]] = []  # (directory of the .gitignore, its patterns)

    def ignored(path: Path, is_dir: bool) -> bool:
        for base, spec in ignores:
            rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            if spec.match_file(rel):
                return True
        return False

    def visit(directory: Path) -> None:
        spec = _gitignore(directory)
        if spec is not None:
            ignores.append((directory, spec))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            entries = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            rel = path.relative_to(root).as_posix().lower()
            try:
                is_dir = entry.is_dir()  # follows links; a dangling link is not a directory
            except OSError:
                is_dir = False
            if ignored(path, is_dir):
                continue
            if is_dir:
                if exclude is None or not exclude.match_file(rel + "/"):
                    visit(path)
                continue
            if exclude is not None and exclude.match_file(rel):
                continue
            if include is not None:
                if include.match_file(rel):
                    out.append(path)
            elif path.suffix.lower() in REPORT_EXTENSIONS:
                out.append(path)
        if spec is not None:
            ignores.pop()

    visit(root)
    return out


def collect(paths, include=(), exclude=()) -> list[Target]:
    """The files to check for ``paths`` (files and directories), in order, each once."""
    inc, exc = _spec(include), _spec(exclude)
    seen: set[Path] = set()
    out: list[Target] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = [Target(x, False) for x in _walk(p, inc, exc)]
        else:
            found = [Target(p, True)]
        for t in found:
            key = Path(os.path.abspath(t.path))
            if key not in seen:
                seen.add(key)
                out.append(t)
    return out
