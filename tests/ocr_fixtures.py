"""Image forms of real reports, made at test time (never committed): text PDFs rasterised
into image-only PDFs and PNGs, "scanned" variants, an HTML page and a DOCX whose tables are
pictures.

Everything is derived from inputs the tests already use (the corpus PDFs, the seed's PDF
fixture) with pypdfium2 (rendering) and Pillow (image edits, image-only PDFs).
"""
from __future__ import annotations

import base64
import io
from pathlib import Path

SCANS = ("rot+1", "rot-1", "blur", "grey", "jpeg50")
"""The scanned variants: rotated by ±1°, blurred, on a grey background, JPEG quality 50."""


def render_pages(pdf: Path, dpi: int = 150, pages: list[int] | None = None) -> list:
    """The pages of a PDF (1-based numbers; all by default) as greyscale Pillow images."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        numbers = pages or list(range(1, len(doc) + 1))
        return [doc[n - 1].render(scale=dpi / 72).to_pil().convert("L") for n in numbers]
    finally:
        doc.close()


def seen_pages(pdf: Path, pages: list[int] | None = None) -> list:
    """The pages of an image-only PDF as the PDF reader hands them to OCR (RGB Pillow images):
    a picture cut from them holds the very pixels the PDF's test read."""
    import pypdfium2
    from PIL import Image

    from validator.readers.pdf import _render

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        return [Image.fromarray(_render(doc, n)[0]) for n in (pages or range(1, len(doc) + 1))]
    finally:
        doc.close()


def pdf_pages(parts: list[tuple[Path, list[int]]], out: Path) -> Path:
    """A PDF of some pages of others, as they are: ``parts`` is (PDF, its page numbers,
    1-based) in order."""
    import pypdfium2

    doc = pypdfium2.PdfDocument.new()
    try:
        for pdf, pages in parts:
            src = pypdfium2.PdfDocument(str(pdf))
            try:
                doc.import_pages(src, [n - 1 for n in pages])
            finally:
                src.close()
        doc.save(str(out))
    finally:
        doc.close()
    return out


def scanned(img, variant: str):
    """One scanned-looking variant of a page image."""
    from PIL import Image, ImageFilter

    img = img.convert("L")
    if variant == "clean":
        return img
    if variant in ("rot+1", "rot-1"):  # PIL turns counter-clockwise for a positive angle
        return img.rotate(-1 if variant == "rot+1" else 1, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if variant == "blur":
        return img.filter(ImageFilter.GaussianBlur(0.8))
    if variant == "grey":  # paper grey, ink not quite black
        return img.point(lambda p: int(70 + p * 0.62))
    if variant == "jpeg50":
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=50)
        return Image.open(io.BytesIO(buf.getvalue())).convert("L")
    raise ValueError(variant)


def image_pdf(images: list, out: Path, dpi: int = 150) -> Path:
    """An image-only PDF (no text layer), one page per image."""
    first, *rest = [im.convert("RGB") for im in images]
    first.save(out, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return out


def png_bytes(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)  # the same pixels, written fast
    return buf.getvalue()


def _pages(pdf: Path, numbers: list[int] | None = None):
    """(number, page) of a text PDF in the PDF reader's own terms (PDFium's characters and
    visible edges, as pdfplumber has them; validator.readers.pdf._Page)."""
    import pypdfium2

    from validator.readers.pdf import _Page

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        return [(n, _Page(doc, n)) for n in (numbers or range(1, len(doc) + 1))]
    finally:
        doc.close()


def _tables(page):
    """The ruled tables of a page as the PDF reader finds them (drawn lines only, the border
    left open at a page break closed), so that a crop holds the whole table."""
    from pdfplumber.table import TableFinder

    from validator.readers.pdf import _closing_edges

    tables = TableFinder(page, {"explicit_horizontal_lines": _closing_edges(page.edges)}).tables
    return [t for t in tables if t.bbox[2] - t.bbox[0] >= page.width / 3]


def table_crops(pdf: Path, images: list, numbers: list[int], dpi: int = 150) -> list:
    """Each ruled table of pages ``numbers`` of a text PDF cut from ``images`` (those pages'
    images at ``dpi``) with a margin, in reading order: the "screenshots" a web editor pastes
    instead of the tables."""
    crops, s, m = [], dpi / 72, 6
    for img, (_, page) in zip(images, _pages(pdf, numbers)):
        for t in _tables(page):
            x0, top, x1, bottom = t.bbox
            crops.append(img.crop((int(x0 * s) - m, int(top * s) - m, int(x1 * s) + m, int(bottom * s) + m)))
    return crops


def words(pdf: Path, page: int, text: str) -> list[dict]:
    """The words ``text`` of a page of a text PDF (pdfplumber's word boxes, in points)."""
    from pdfplumber.utils import extract_words

    (_, p), = _pages(pdf, [page])
    return [w for w in extract_words(p.chars) if w["text"] == text]


def html_with_images(title: str, paragraphs: list[str], images: list, folder: Path, *, inline: bool) -> Path:
    """A saved web page whose tables are PNG pictures: files beside the page (``inline=False``)
    or data: URIs."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = [f"<h1>{title}</h1>"] + [f"<p>{p}</p>" for p in paragraphs]
    for k, img in enumerate(images, start=1):
        data = png_bytes(img)
        if inline:
            src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        else:
            (folder / "page_files").mkdir(exist_ok=True)
            (folder / "page_files" / f"table{k}.png").write_bytes(data)
            src = f"page_files/table{k}.png"
        parts.append(f'<p><img src="{src}" alt="表格{k}"></p>')
    page = folder / "page.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + title + "</title></head><body>"
                    + "\n".join(parts) + "</body></html>", encoding="utf-8")
    return page


def docx_with_images(title: str, paragraphs: list[str], images: list, out: Path) -> Path:
    """A Word document whose tables are pasted pictures."""
    import docx
    from docx.shared import Cm

    d = docx.Document()
    d.add_heading(title, 1)
    for p in paragraphs:
        d.add_paragraph(p)
    for img in images:
        d.add_paragraph().add_run().add_picture(io.BytesIO(png_bytes(img)), width=Cm(16))
    d.save(out)
    return out


def word_box(pdf: Path, page: int, text: str, near: tuple[float, float], dpi: int = 150) -> tuple[int, int, int, int]:
    """The pixel box (at ``dpi``) of the word ``text`` on a page of a text PDF nearest to
    ``near`` (x0, top in points), from the PDF's own text layer."""
    w = min(words(pdf, page, text), key=lambda w: abs(w["x0"] - near[0]) + abs(w["top"] - near[1]))
    s = dpi / 72
    return (int(w["x0"] * s) - 2, int(w["top"] * s) - 2, int(w["x1"] * s) + 3, int(w["bottom"] * s) + 3)


def paste_word(img, source: tuple[int, int, int, int], target: tuple[int, int, int, int]) -> None:
    """Print over the word at ``target`` the word at ``source`` (same font, same size): a
    figure changed as if typed so."""
    from PIL import ImageDraw

    glyph = img.crop(source)
    ImageDraw.Draw(img).rectangle(target, fill=255)
    img.paste(glyph, (target[0], target[1]))


def erase(img, box: tuple[float, float, float, float], dpi: int = 150, width: int = 3) -> None:
    """Paint white over a ruling line segment (x0, top, x1, bottom in points; ``width``
    pixels either side): a rule lost by a faint scan."""
    from PIL import ImageDraw

    s = dpi / 72
    x0, y0, x1, y1 = box
    ImageDraw.Draw(img).rectangle((x0 * s - width, y0 * s - width, x1 * s + width, y1 * s + width), fill=255)
