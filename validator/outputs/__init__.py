"""Output formats: each module is a pure function of a run's :class:`~validator.run.Result`.

``FORMATS`` maps a ``--format`` name to the module that renders it; every module exposes
``render(result) -> str`` (the console module prints with rich instead).
"""
from __future__ import annotations

import importlib

FORMATS = {
    "console": "console",
    "json": "json",
}


def module(name: str):
    return importlib.import_module(f"{__name__}.{FORMATS[name]}")
