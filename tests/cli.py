"""The CLI in-process: click's runner on ``validator.cli.main``, the command's own code path
without starting an interpreter per call (tests/test_samples.py keeps one real subprocess
run of the installed entry point's module)."""
from __future__ import annotations

import contextlib
import os
import traceback
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def chdir(path: Path):
    """Run in ``path`` (contextlib.chdir, which Python 3.10 lacks)."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def invoke(*args: str | Path, cwd: Path | None = None) -> CliRun:
    """``validator ARGS``. An uncaught exception is put on stderr as the traceback a user
    would see, so that no-traceback assertions keep their meaning."""
    from click.testing import CliRunner

    from validator.cli import main

    with chdir(cwd) if cwd is not None else contextlib.nullcontext():
        r = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200"})
    stderr = r.stderr
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        stderr += "".join(traceback.format_exception(r.exception))
    return CliRun(r.exit_code, r.stdout, stderr)
