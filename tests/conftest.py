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


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def need_browser(what: str):
    msg = f"{what}: the browser tests need Debian's chromium (apt-get install chromium) and playwright (pip install -e '.[test]')"
    if os.environ.get("CI"):
        pytest.fail(msg + " (CI is set, so this is a failure, not a skip)")
    pytest.skip(msg)


@pytest.fixture(scope="session")
def browser():
    """Headless chromium (Debian's, driven by Playwright), started once for the browser tests
    (test_browser, test_serve; one xdist group): each test opens its own page. Skips without
    chromium or Playwright, fails so with ``CI`` set."""
    import shutil

    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        need_browser("chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need_browser("the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session", autouse=True)
def _pdf_parsed_once():
    """Parse each PDF once per session. Many tests check the same corpus PDFs (about a
    second each to parse); the PDF reader is a pure function of the file's bytes, the
    readers' limits and the OCR switch (the name only goes into ``Document.path``), so a
    repeat, under any name, gets a copy of the first parse named as asked: a new Document
    and block list around the same blocks, which are frozen all the way down (cells,
    positions, OCR records). Every other step (stat, sniff, size checks, extraction, rules)
    still runs on every call. Unreadable files are never cached.
    ``VALIDATOR_TEST_PARSE_EVERY_TIME=1`` turns the cache off."""
    if os.environ.get("VALIDATOR_TEST_PARSE_EVERY_TIME"):
        yield
        return
    import dataclasses
    import hashlib

    from validator import readers
    from validator.readers import ocr, pdf

    original = pdf.read
    parsed: dict = {}

    def read(path, data=None):
        if data is None:
            return original(path, data)
        limits = tuple(v for k, v in sorted(vars(readers).items()) if k.startswith("MAX_"))
        # the parse also depends on whether OCR is switched on for this read (--no-ocr)
        key = (hashlib.sha256(data).digest(), limits, ocr.wanted())
        if key not in parsed:
            parsed[key] = original(path, data)
        doc = parsed[key]
        return dataclasses.replace(doc, path=str(path), blocks=list(doc.blocks))

    pdf.read = read
    yield
    pdf.read = original
