"""Writing an output file without ever touching an input.

:func:`check` refuses an output path that is the same file as anything the run reads
(the checked files, the ``--previous`` files, the rule files, a reviews or config file),
compared by device and inode after following symlinks, so a hard link, a symlink or a
path through ``..`` cannot slip past a comparison of names. :func:`write` then writes to
a temporary file in the output's directory and renames it over the output: a reader of
the output never sees half a report, and a crash leaves the old file as it was.
"""
from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputRefused(Exception):
    """The output path would overwrite something the run reads. ``str()`` is the Chinese reason."""


def _identity(p: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(p)  # follows symlinks: the file the name ends at
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def protected_files(paths: Iterable[Path]) -> list[Path]:
    """Files and, for directories, every file below them (a ``--rules`` directory)."""
    out = []
    for p in map(Path, paths):
        try:
            if p.is_dir():
                out.extend(x for x in p.rglob("*") if x.is_file())
            else:
                out.append(p)
        except OSError:
            out.append(p)
    return out


def check(output: str | os.PathLike, protected: Iterable[Path]) -> Path:
    """The output path, or :class:`OutputRefused` when it is the same file as any of
    ``protected`` (files or directories of files)."""
    target = Path(output)
    ident = _identity(target)
    if ident is not None:
        for p in protected_files(protected):
            if _identity(p) == ident:
                from .outputs.safe import path as shown

                raise OutputRefused(f"输出文件 {shown(output)} 就是本次读取的文件 {shown(p)}，拒绝覆盖")
    return target


def write(output: str | os.PathLike, data: str | bytes | Iterable[str], protected: Iterable[Path] = ()) -> Path:
    """Write ``data`` (text as UTF-8, or pieces of text, written as they come) to
    ``output`` via a temporary file and a rename, after :func:`check`. A device or pipe
    (``/dev/stdout``) is written directly."""
    target = check(output, protected)
    pieces = (data,) if isinstance(data, (str, bytes)) else data
    try:
        st = os.stat(target)
    except OSError:
        st = None

    def dump(f) -> None:
        for piece in pieces:
            f.write(piece.encode("utf-8") if isinstance(piece, str) else piece)

    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(target, "wb") as f:
            dump(f)
        return target
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            dump(f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, (st.st_mode & 0o777) if st is not None else 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target
