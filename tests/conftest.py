"""Shared test fixtures: where the seed and the corpus are.

Corpus tests read ``../shared/corpus`` beside the project root. On a user's fresh clone
that folder may be absent: the tests skip with a clear reason. In CI (``CI`` set) a
missing corpus is a failure, never a skip.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "taiqian_2020.txt"


def _need(path: Path) -> Path:
    if not path.exists():
        msg = f"{path} is absent: the real-report corpus lives in ../shared beside the project"
        if os.environ.get("CI"):
            pytest.fail(msg + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    return _need(CORPUS)


@pytest.fixture(scope="session")
def seed() -> Path:
    return SEED
