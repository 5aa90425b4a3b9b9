"""A large batch's file results kept out of memory (issue 18: memory flat in the number of files).

:class:`FileStore` is the ``files`` of a :class:`~validator.run.Result` for batches larger
than one chunk: each :class:`~validator.run.FileResult` is pickled to an anonymous
temporary file as soon as its chunk is checked, and read back one at a time by whoever
iterates the result (the outputs stream them, see :mod:`validator.outputs`). Only the
offsets and each file's status stay in memory, so a run's summary and exit code need no
pass over the records. The light copies the cross-year pass compares are spilled the same
way (:class:`Store`, one record per chunk) while the batch is read.

A record read back is a fresh object: changing it changes nothing in the store until it
is put back (``store[i] = record``, which appends the new record and moves the offset).
The temporary file is unlinked on creation (no leftovers, even after a crash).
"""
from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator, Sequence


class Store(Sequence):
    """A sequence of records pickled to a temporary file, read back one at a time."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="validator-results-")
        self._at: list[tuple[int, int]] = []  # (offset, length) of each record

    def _write(self, record) -> tuple[int, int]:
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(0, 2)
        at = self._file.tell()
        self._file.write(data)
        return at, len(data)

    def append(self, record) -> None:
        self._at.append(self._write(record))

    def __setitem__(self, i: int, record) -> None:
        self._at[range(len(self._at))[i]] = self._write(record)

    def _read(self, at: int, size: int):
        self._file.seek(at)
        return pickle.loads(self._file.read(size))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(len(self._at))[i]]
        return self._read(*self._at[range(len(self._at))[i]])

    def __len__(self) -> int:
        return len(self._at)

    def __iter__(self) -> Iterator:
        for k in range(len(self._at)):
            yield self._read(*self._at[k])

    def __reduce__(self):  # sent to another process (or copied): as the plain list it stands for
        return list, (list(self),)

    def close(self) -> None:
        self._file.close()


class FileStore(Store):
    """A sequence of FileResults pickled to a temporary file (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[str] = []  # each file's status, without reading its record

    def append(self, record) -> None:
        super().append(record)
        self.statuses.append(record.status)

    def __setitem__(self, i: int, record) -> None:
        super().__setitem__(i, record)
        self.statuses[range(len(self._at))[i]] = record.status
