"""Tables published as images, read by OCR (validator.readers.ocr).

Every input is made here from the corpus PDFs and the seed's PDF fixture (tests/ocr_fixtures.py):
image-only PDFs, scanned variants, PNG files, an HTML page and a DOCX whose tables are
pictures. Each is held to the text form it came from: every 表三/表四 cell read right, or
reported unreadable (X030) — never a wrong number — and the same verdict.

OCR is slow (seconds per page): images are made once per session, each file is read once, and
the model is run once per distinct input (each_input_once).
"""
from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from tests import ocr_fixtures as F
from tests.conftest import ROOT
from validator import readers
from validator.readers import ocr
from validator.run import MAX_CROPS_BYTES, check_paths

SEED_PDF = ROOT / "tests" / "fixtures" / "multiform" / "taiqian_2020_from_html.pdf"
R014 = "014_huaian_hongze_district_gov_2023.pdf"
R001 = "001_huaian_city_gov_2024.pdf"
TABLE_PAGES = {R014: [3, 4], R001: [4, 5]}  # the pages holding 表三 and 表四
SEED_PAGES = [3, 4, 5]

if not ocr.available():
    if os.environ.get("CI"):
        pytest.fail("the OCR extra is not installed (CI installs '.[ocr]')", pytrace=False)
    pytest.skip("the OCR extra is not installed: pip install -e '.[ocr]'", allow_module_level=True)


@pytest.fixture(scope="session")
def images(tmp_path_factory):
    return tmp_path_factory.mktemp("ocr")


ENGINE = ocr._engine  # the real model, for the tests that must run it

# Under xdist (-n), the tests of a group run on one worker, so that each group's images are
# made and its text forms read once, not once per worker: 014's and 001's documents, and the
# seed's. The two cost about the same (~20 s of CPU), one group per worker; each_input_once
# shares the model's answers between the workers either way.
ON_014 = pytest.mark.xdist_group("ocr-014")
ON_SEED = pytest.mark.xdist_group("ocr-seed")


class _Answers:
    """What the model answered for each input it was given in this test run. Under xdist the
    workers of the run share them through files in ``folder`` (one per input, written whole by
    os.replace): a worker that finds an input being computed by the other waits for its
    answer (without CPU). ``folder`` None: held in memory only."""

    def __init__(self, folder: Path | None):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.held = folder, {}

    def get(self, key: str, compute):
        data = self.held.get(key)
        if data is None:
            data = self.held[key] = self._shared(key, compute) if self.folder else pickle.dumps(compute())
        return pickle.loads(data)  # a copy: no answer is shared between callers

    def _shared(self, key: str, compute) -> bytes:
        done = self.folder / key
        try:
            return done.read_bytes()
        except FileNotFoundError:
            pass
        try:
            os.close(os.open(self.folder / (key + ".claim"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:  # the other worker computes it: wait for it, then compute it anyway
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    return done.read_bytes()
                except FileNotFoundError:
                    time.sleep(0.02)
        data = pickle.dumps(compute())
        tmp = self.folder / f"{key}.{os.getpid()}"
        tmp.write_bytes(data)
        os.replace(tmp, done)
        return data


@pytest.fixture(scope="module", autouse=True)
def each_input_once(tmp_path_factory):
    """The model is a pure function of its input pixels (test_deterministic): each distinct
    input (a page to detect text in, a line of text to recognise) is run once per test run,
    across the xdist workers, however many files and tests hold the same pixels (a page in an
    altered copy of its document, a table picture cut from its page). Everything else runs for
    every file: rendering, deskew, ruling lines, crops, tables, text, extraction, the rules."""
    import hashlib
    from types import SimpleNamespace

    worker = os.environ.get("PYTEST_XDIST_WORKER")  # the run's base temp is shared by its workers
    answers = _Answers(tmp_path_factory.getbasetemp().parent / "ocr-answers" if worker else None)

    def engine():
        model = ENGINE()  # loaded once (again after ENGINE.cache_clear())

        def call(img, **flags):
            key = hashlib.sha256(img.tobytes() + repr((img.shape, img.dtype.str, sorted(flags.items()))).encode())

            def run():
                out = model(img, **flags)
                return SimpleNamespace(**{k: getattr(out, k, None) for k in ("boxes", "txts", "scores")})

            return answers.get(key.hexdigest(), run)

        return call

    mp = pytest.MonkeyPatch()
    mp.setattr(ocr, "_engine", engine)
    yield
    mp.undo()


_CACHE: dict[Path, object] = {}


def checked(path: Path):
    """The result of checking one file (with its cells), once per session."""
    if path not in _CACHE:
        _CACHE[path] = check_paths([path], budget=None, keep_cells=True)
    return _CACHE[path]


def read(path: Path):
    """(表三/表四 cells, file result) of one file, checked once per session."""
    f = checked(path).files[0]
    assert f.status != "unreadable", (f.reason, f.detail)
    return {(c["table"], c["row"], c["column"]): c for c in f.cells if c["table"] in ("t3", "t4")}, f


def verdict(f) -> set:
    return {(x["rule"], x.get("table"), x.get("row"), x.get("column"), x["severity"])
            for x in f.findings if x["severity"] == "error"}


def assert_read_right(text: Path, image: Path, *, strict: bool) -> list:
    """Every 表三/表四 cell of ``image`` equals the text form's, or (unless ``strict``) is
    unreadable and named by an X030 finding. Returns the unreadable cells."""
    want, _ = read(text)
    got, f = read(image)
    assert set(got) == set(want)
    unreadable, wrong = [], []
    for key, c in want.items():
        g = got[key]
        if (g["value"], g["state"]) == (c["value"], c["state"]):
            continue
        if g["state"] == "unreadable" and not strict:
            unreadable.append(key)
            continue
        wrong.append((key, c["raw"], g["raw"], g["state"]))
    assert not wrong, f"cells read wrong from {image.name}: {wrong}"
    named = {(x["table_code"], x["row_code"], x["column_code"]) for x in f.findings if x["rule"] == "X030"}
    assert named == set(unreadable)
    return unreadable


# ------------------------------------------------------------------ image-only PDFs


@pytest.fixture(scope="session")
def image_pdf_014(corpus, images):
    return F.image_pdf(F.render_pages(corpus / R014, 150), images / "014_150.pdf")


@pytest.fixture(scope="session")
def tables_001(corpus, images):
    """001's table pages: the text form, and an image-only PDF of them with the first page at
    300 dpi (as scanners write; the reader renders it at 150) and the second at 150."""
    first, second = TABLE_PAGES[R001]
    text = F.pdf_pages([(corpus / R001, [first, second])], images / "001_tables.pdf")
    at300 = F.image_pdf(F.render_pages(corpus / R001, 300, [first]), images / "001_300.pdf", 300)
    at150 = F.image_pdf(F.render_pages(corpus / R001, 150, [second]), images / "001_150.pdf")
    return text, F.pdf_pages([(at300, [1]), (at150, [1])], images / "001_tables_image.pdf")


@pytest.fixture(scope="session")
def seed_pages():
    """The seed PDF's table pages (表三 and 表四) at 150 dpi; copy them before drawing on them."""
    return F.render_pages(SEED_PDF, 150, SEED_PAGES)


@pytest.fixture(scope="session")
def seed_tables(images):
    """The seed PDF's table pages as a text PDF."""
    return F.pdf_pages([(SEED_PDF, SEED_PAGES)], images / "seed_tables.pdf")


@ON_014
def test_image_only_014_reads_every_cell_and_finds_its_two_errors(corpus, image_pdf_014):
    """The whole document, end to end: its text pages read by OCR into the same body, year and
    template as the text form, its tables into the same cells and verdict."""
    assert_read_right(corpus / R014, image_pdf_014, strict=True)
    _, text = read(corpus / R014)
    _, img = read(image_pdf_014)
    assert img.format == "pdf"
    assert verdict(img) == verdict(text)
    assert {(x[0], x[2]) for x in verdict(img)} == {("T401", "行政复议"), ("T401", "行政诉讼 / 复议后起诉")}
    assert img.status == text.status == "failed"
    assert (img.year, img.template, img.body) == (text.year, text.template, text.body)


@ON_014
def test_image_only_001_reads_every_cell_at_300_and_150_dpi(corpus, tables_001):
    """A second layout of the tables, read the same from a page scanned at a higher resolution
    and from one at 150 dpi (reading the pages of text is 014's test's)."""
    text_pdf, pdf = tables_001
    assert_read_right(corpus / R001, pdf, strict=True)
    _, text = read(text_pdf)
    _, img = read(pdf)
    assert img.status == text.status == "passed"
    assert verdict(img) == verdict(text) == set()


@pytest.fixture(scope="session")
def image_pdf_seed(images, seed_pages):
    return F.image_pdf(seed_pages, images / "seed.pdf")


@ON_SEED
def test_seed_pdf_rasterised(image_pdf_seed, seed_tables):
    pdf = image_pdf_seed
    assert_read_right(SEED_PDF, pdf, strict=True)
    assert read(pdf)[1].status == read(seed_tables)[1].status == "passed"
    assert verdict(read(pdf)[1]) == verdict(read(seed_tables)[1]) == set()


# ------------------------------------------------------------------ scanned variants


SCANNED_PAGE = {"rot+1": 3, "rot-1": 5, "blur": 3, "grey": 5, "jpeg50": 3}
"""The seed's table page each scanned variant is made from: 3 (表三's first rows) or 5 (表四's
figures), so that both tables see a rotation each way."""


def _scanned_documents() -> list[tuple[str, ...]]:
    """The variants grouped into documents, at most one per page: (rot+1, rot-1), (blur, grey),
    (jpeg50). A page is read on its own, so each variant's page reads as in a document of its
    own; the clean pages between them are read once per document, not once per variant."""
    by_page: dict[int, list[str]] = {}
    for v in F.SCANS:
        by_page.setdefault(SCANNED_PAGE[v], []).append(v)
    return [tuple(vs[i] for vs in by_page.values() if i < len(vs)) for i in range(max(map(len, by_page.values())))]


@ON_SEED
@pytest.mark.parametrize("variants", _scanned_documents(), ids=",".join)
def test_scanned_variants_read_right_or_name_the_cells(images, image_pdf_seed, seed_pages, seed_tables, variants):
    """Rotated ±1°, blurred, grey, JPEG-compressed, each on one table page of the seed (the
    others as its image-only PDF has them): each cell right or reported unreadable; the errors
    found are the text form's (or fewer, when a cell of their equations is unreadable)."""
    on = {SCANNED_PAGE[v]: v for v in variants}
    parts = []
    for k, p in enumerate(SEED_PAGES, start=1):
        if p in on:
            scan = F.scanned(seed_pages[k - 1], on[p])
            parts.append((F.image_pdf([scan], images / f"seed_{on[p]}_p{p}.pdf"), [1]))
        else:
            parts.append((image_pdf_seed, [k]))
    pdf = F.pdf_pages(parts, images / f"seed_{'_'.join(variants)}.pdf")
    assert_read_right(SEED_PDF, pdf, strict=False)
    assert {x for x in verdict(read(pdf)[1]) if x[0] != "X030"} <= verdict(read(seed_tables)[1])


@ON_014
def test_a_damaged_digit_is_unreadable_not_a_value(corpus, images):
    """A value cell blotted beyond recognition is reported (X030) with its page, never read."""
    from PIL import ImageDraw

    pages = F.render_pages(corpus / R014, 150, TABLE_PAGES[R014])
    # 表四 is the last table of page 4: smudge its first value (行政复议 结果维持, 10).
    img = pages[1]
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = _value_box(corpus / R014, page=4, text="10")
    draw.ellipse((x0 - 4, y0 - 3, x1 + 4, y1 + 3), fill=40)  # an ink blot over the digits
    pdf = F.image_pdf(pages, images / "014_smudged.pdf")
    unreadable = assert_read_right(corpus / R014, pdf, strict=False)
    assert ("t4", "review", "upheld") in unreadable
    _, f = read(pdf)
    x = next(x for x in f.findings if x["rule"] == "X030" and x["table_code"] == "t4")
    assert (x["severity"], x["row_code"], x["column_code"], x["position"]["page"]) == ("error", "review", "upheld", 2)
    assert not any(v[0] == "T401" and v[2] == "行政复议" for v in verdict(f))  # its equation is not judged


def _value_box(pdf: Path, page: int, text: str, dpi: int = 150):
    w = F.words(pdf, page, text)[-1]
    s = dpi / 72
    return (int(w["x0"] * s) - 2, int(w["top"] * s) - 2, int(w["x1"] * s) + 2, int(w["bottom"] * s) + 2)


# ------------------------------------------------------------------ image files, HTML, DOCX


@ON_014
def test_png_file(corpus, images, image_pdf_014):
    """A screenshot of the 表四 page (of the image-only PDF), as a PNG file."""
    png = images / "014_p4.png"
    png.write_bytes(F.png_bytes(F.seen_pages(image_pdf_014, [4])[0]))
    got, f = read(png)
    assert f.format == "image"
    want, _ = read(corpus / R014)
    assert {k: c["value"] for k, c in got.items() if k[0] == "t4"} == \
           {k: c["value"] for k, c in want.items() if k[0] == "t4"}


@ON_014
def test_no_ocr_keeps_todays_behaviour(image_pdf_014, images):
    with pytest.raises(readers.Unreadable) as e:
        readers.read(image_pdf_014, ocr=False)
    assert e.value.reason == "未找到表格文字，表格可能是图片"
    png = images / "tiny.png"
    from PIL import Image

    png.write_bytes(F.png_bytes(Image.new("L", (100, 100), 255)))
    with pytest.raises(readers.Unreadable):
        readers.read(png, ocr=False)
    result = check_paths([image_pdf_014], budget=None, ocr=False)
    assert result.files[0].status == "unreadable" and result.exit_code == 2


def test_decompression_bomb_is_refused(images):
    """An image declaring more pixels than the limit is refused before it is decoded."""
    import struct
    import zlib

    w = h = 20_000  # 400 megapixels, a few hundred bytes of file
    raw = zlib.compress(b"\x00" * 10)
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    path = images / "bomb.png"
    path.write_bytes(png)
    with pytest.raises(readers.Unreadable) as e:
        readers.read(path)
    assert "像素" in e.value.reason


@ON_014
def test_no_network_at_run_time_and_deterministic(images, table_pictures, monkeypatch):
    """Models come from the installed package: reading an image, the models loaded afresh,
    opens no socket. And the same image gives the same text and scores (one thread, no
    randomness), however many images were read before it: the page the model reads here is
    the page read from the answers given for these pixels to an earlier test, if one read
    them (one run of the model for both checks)."""
    import socket

    import numpy as np

    img = np.asarray(table_pictures[-1].convert("RGB"))
    a = ocr.read_image(img)
    png = images / "014_t4_net.png"
    png.write_bytes(F.png_bytes(table_pictures[-1]))  # the same pixels, as a file

    def refuse(*a, **k):
        raise AssertionError("network access during OCR")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    pages, read_image = [], ocr.read_image

    def kept(im):
        pages.append(read_image(im))
        return pages[-1]

    monkeypatch.setattr(ocr, "read_image", kept)
    monkeypatch.setattr(ocr, "_engine", ENGINE)  # the model run here, whatever was read before
    ENGINE.cache_clear()  # load the models again, under the ban
    assert readers.read(png).format == "image"
    b, = pages
    assert [(c.text, c.score, c.box, c.unsure) for t in a.tables for c in t.cells] == \
           [(c.text, c.score, c.box, c.unsure) for t in b.tables for c in t.cells]
    assert [(ln.text, ln.score) for ln in a.lines] == [(ln.text, ln.score) for ln in b.lines]


# ------------------------------------------------------------------ pictures in HTML and DOCX


@pytest.fixture(scope="session")
def table_pictures(corpus, image_pdf_014):
    """The 表三 (two parts, across a page break) and 表四 of 014 as screenshots of its
    image-only PDF."""
    pages = TABLE_PAGES[R014]
    return F.table_crops(corpus / R014, F.seen_pages(image_pdf_014, pages), pages)


TITLE = "淮安市洪泽区人民政府2023年政府信息公开工作年度报告"


@ON_014
@pytest.mark.parametrize("inline", [False, True], ids=["files-beside", "data-uri"])
def test_html_page_with_table_pictures(corpus, images, table_pictures, inline):
    page = F.html_with_images(TITLE, ["一、总体情况"], table_pictures, images / f"html_{inline}", inline=inline)
    assert_read_right(corpus / R014, page, strict=True)
    assert verdict(read(page)[1]) == verdict(read(corpus / R014)[1])


@ON_014
def test_docx_with_table_pictures(corpus, images, table_pictures):
    docx = F.docx_with_images(TITLE, ["一、总体情况"], table_pictures, images / "pictures.docx")
    assert_read_right(corpus / R014, docx, strict=True)
    assert verdict(read(docx)[1]) == verdict(read(corpus / R014)[1])


def test_html_pictures_are_never_fetched(images, monkeypatch):
    """An <img> on another host, or outside the page's folder, is not read."""
    from validator.readers import html

    folder = images / "fetch"
    folder.mkdir()
    (images / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for src in ("http://example.org/t.png", "//example.org/t.png", "/etc/passwd", "../outside.png",
                "file:///etc/passwd"):
        assert html._picture(folder / "page.html", src) is None


# ------------------------------------------------------------------ a misread figure: cause and crop

WRONG = ("t3", "new", "natural_person")  # 表三 一、本年新收政府信息公开申请数量 自然人: 4 in the seed


@pytest.fixture(scope="session")
def wrong_digit(images, seed_pages):
    """The seed's image-only PDF (its table pages) with one figure changed: the "4" of 表三
    一、本年新收 自然人 printed over by the "3" of （一）予以公开 below it (same font), as a
    misread or a typo would leave it."""
    pages = [im.copy() for im in seed_pages]
    F.paste_word(pages[0], F.word_box(SEED_PDF, 3, "3", (337, 725)), F.word_box(SEED_PDF, 3, "4", (337, 665)))
    return F.image_pdf(pages, images / "seed_wrong_digit.pdf")


def _fixes_naming(f, key) -> list[dict]:
    return [x["fix"] for x in f.findings if x.get("fix")
            and any((c["table_code"], c["row_code"], c["column_code"]) == key for c in x["fix"]["cells"])]


@ON_SEED
def test_a_misread_figure_names_recognition_as_a_cause(wrong_digit, tmp_path):
    """The localiser's fix for an OCR'd cell says a recognition error is a possible cause (the
    wording from validator/causes.yaml); the same wrong figure typed in a text report does not."""
    from tests.variants import variant
    from validator.finding import render
    from validator.fixes import causes

    got, f = read(wrong_digit)
    want, _ = read(SEED_PDF)
    assert [k for k in want if (got[k]["value"], got[k]["state"]) != (want[k]["value"], want[k]["state"])] == [WRONG]
    assert got[WRONG]["value"] == 3 and f.status == "failed"
    fixes = _fixes_naming(f, WRONG)
    assert fixes
    for fix in fixes:
        cell = next(c for c in fix["cells"] if (c["table_code"], c["row_code"], c["column_code"]) == WRONG)
        assert (cell["current"], cell["suggested"], cell["ocr"]["image"], cell["ocr"]["raw"]) == (3, 4, "第1页", "3")
        said = render(causes()["recognition"], {**cell, "where": "第1页", "raw": "3", "score": f"{cell['ocr']['score']:.2f}"})
        assert said in fix["cause_text"]
    typed = check_paths([variant(tmp_path / "typed.txt", {WRONG: "3"})], budget=None).files[0]
    fixes = _fixes_naming(typed, WRONG)
    assert fixes and all("ocr" not in c for fix in fixes for c in fix["cells"])
    assert all(causes()["recognition"].split("{")[-2].split("}")[-1] not in (fix["cause_text"] or "") for fix in fixes)


@ON_SEED
def test_html_report_shows_the_crop_of_the_failing_cell(wrong_digit, tmp_path):
    """The HTML report shows, beside the value read, the image of every OCR'd cell a finding
    names (a data: URI, escaped, bounded); a text report shows no image."""
    import base64
    import io as _io
    import re

    from PIL import Image

    from tests.variants import variant
    from validator.outputs import html

    result = checked(wrong_digit)  # the misread-figure test's result: the same call
    f = result.files[0]
    named = {(x["table_code"], x["row_code"], x["column_code"]) for x in f.findings if x["table_code"]}
    named |= {(c["table_code"], c["row_code"], c["column_code"]) for x in f.findings for c in x["cells"]}
    assert WRONG in f.crops and set(f.crops) <= named
    page = html.render(result)
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"<>]+)"', page)
    shown = dict(images)
    assert len(images) == len(shown) == len(f.crops)  # each crop drawn once per file
    crop = f.crops[WRONG].crop
    assert base64.b64encode(crop).decode("ascii") in shown
    assert sum(len(c.crop) for c in f.crops.values()) <= MAX_CROPS_BYTES
    im = Image.open(_io.BytesIO(crop))
    assert im.format == "PNG" and im.height <= ocr.CROP_HEIGHT and im.width <= ocr.CROP_WIDTH
    assert len(crop) <= ocr.CROP_BYTES
    # the crop is the cell's own image: recognised again, it reads the figure shown
    assert ocr._recognise([np_rgb(im, scale=2)])[0][0] == "3"
    typed = check_paths([variant(tmp_path / "typed.txt", {WRONG: "3"})], budget=None, keep_cells=True)
    assert typed.files[0].status == "failed" and not typed.files[0].crops
    assert "<img" not in html.render(typed)


def np_rgb(im, scale: int = 1):
    import numpy as np

    im = im.convert("RGB")
    if scale != 1:
        im = im.resize((im.width * scale, im.height * scale))
    return np.asarray(im).copy()


# ------------------------------------------------------------------ a ruling line missing


@ON_SEED
def test_a_missing_rule_line_makes_the_cells_it_merged_unreadable(images, seed_pages):
    """A rule lost by a faint scan (the line between 表三 rows 一 and 二, across the figures)
    joins their cells: each is reported unreadable (X030), never a value or a blank."""
    from validator.template import TEMPLATE

    pages = [im.copy() for im in seed_pages]
    F.erase(pages[0], (322, 693, 552, 693))
    pdf = F.image_pdf(pages, images / "seed_rule_erased.pdf")
    unreadable = assert_read_right(SEED_PDF, pdf, strict=False)
    assert set(unreadable) == {("t3", row, col.code) for row in ("new", "carried_over") for col in TEMPLATE["t3"].columns}
    f = read(pdf)[1]
    assert f.status == "unreadable-in-part"
    assert not [x for x in verdict(f) if x[0] != "X030"]
