"""Reader for Word drafts (format ``"docx"``), WPS-made ones included.

The body is walked in order, paragraphs and tables interleaved (content controls
``w:sdt`` and ``w:customXml`` wrappers are looked through), exactly like the HTML reader:

* a *data* table (no nested table in it) becomes one row block per grid row, on the
  table's grid (``w:tblGrid``): ``w:gridSpan`` (horizontal), ``w:vMerge``
  (``restart``/continue, vertical) and the legacy ``w:hMerge`` are resolved so that a
  merged cell's text is repeated over every grid position it covers; ``w:gridBefore``
  leaves empty positions. Cells carry ``Position(table=t, row=r, col=c)`` (1-based grid
  coordinates, ``t`` counting data tables that contain any text). Rows whose cells are
  all empty are kept.
* a table that contains tables (or is a single-cell box, or holds long multi-paragraph
  text) is layout: its cells are walked like the body, so the inner tables come out as
  tables and its paragraphs as paragraphs.
* paragraphs become paragraph blocks (``Position(line=n)``, ``n`` counting paragraph
  blocks); the paragraphs of text boxes follow their anchor paragraph.

Cell and paragraph text is normalised with :func:`validator.text.normalize_text`
(the lines of a cell are joined with no separator between CJK characters). Deleted
revisions (``w:delText``), field codes (``w:instrText``) and the VML fallback copies of
drawings are not text. Headers, footers, footnotes and comments are not read.

Anything that is not a readable DOCX raises :class:`validator.errors.Unreadable`.
"""
from __future__ import annotations

import io
import pathlib
import zipfile

from lxml import etree

from validator.document import Block, Document, Position, paragraph, row
from validator.errors import Unreadable
from validator.readers import refuse_foreign
from validator.text import normalize_text

__all__ = ["read", "table_grid"]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

_P, _TBL, _TR, _TC = W + "p", W + "tbl", W + "tr", W + "tc"
_WRAPPERS = frozenset((W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag",
                       W + "ins", W + "moveTo"))
_VAL = W + "val"
_TRPR, _TCPR, _GRID_BEFORE, _GRID_SPAN = W + "trPr", W + "tcPr", W + "gridBefore", W + "gridSpan"
_VMERGE, _HMERGE = W + "vMerge", W + "hMerge"


def _children(el, wanted: str):
    """Direct children with tag ``wanted``, looking through sdt/customXml wrappers."""
    for ch in el:
        if ch.tag == wanted:
            yield ch
        elif ch.tag in _WRAPPERS:
            yield from _children(ch, wanted)


def _child(el, tag: str):
    """The first child with ``tag`` (lxml's C iteration: ``find`` goes through ElementPath
    in Python, which was a third of the table walk). Properties (``w:trPr``, ``w:tcPr``)
    come first in their element: that case is looked at before any iteration."""
    if el is None:
        return None
    if len(el) and el[0].tag == tag:
        return el[0]
    return next(el.iterchildren(tag), None)


def _cell_props(tcpr) -> tuple:
    """(gridSpan, vMerge, hMerge) of a ``w:tcPr``: the first child of each kind, or None;
    one C-level pass over the few children that matter."""
    span = vmerge = hmerge = None
    if tcpr is not None:
        for ch in tcpr.iterchildren(_GRID_SPAN, _VMERGE, _HMERGE):
            tag = ch.tag
            if tag == _GRID_SPAN:
                span = ch if span is None else span
            elif tag == _VMERGE:
                vmerge = ch if vmerge is None else vmerge
            elif hmerge is None:
                hmerge = ch
    return span, vmerge, hmerge


def _int(el, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, int(el.get(_VAL, default)))
    except (TypeError, ValueError):
        return default


# --------------------------------------------------------------------------- text


# What a paragraph's text is made of, what is skipped with everything under it, and text
# boxes (read as their own paragraphs after the one that anchors them).
_T, _TXBX = W + "t", W + "txbxContent"
_TEXT = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
_SKIP = frozenset((W + "delText", W + "instrText", W + "delInstrText", W + "del", W + "moveFrom",
                   W + "fldData", MC + "Fallback"))  # MC Fallback: the VML copy of what mc:Choice holds
_TAGS = (_T, W + "sym", _TXBX, *_TEXT, *_SKIP)


def _run_text(el, out: list[str], boxes: list) -> None:
    """Collect the visible text under ``el`` (inside one paragraph).

    One C-level ``iter`` over just the elements that matter, in document order (a Python
    walk of every run and property element was most of the reader's time); what lies
    under a skipped element or a text box is passed over."""
    skipped: set = set()
    for ch in el.iter(_TAGS):
        if skipped and ch in skipped:
            continue
        tag = ch.tag
        if tag == _T:
            out.append(ch.text or "")
        elif tag in _TEXT:
            out.append(_TEXT[tag])
        elif tag == W + "sym":
            char = ch.get(W + "char")
            if char:
                try:
                    code = int(char, 16)
                    out.append(chr(code - 0xF000 if code >= 0xF000 else code))
                except ValueError:
                    pass
        else:
            if tag == _TXBX:
                boxes.append(ch)
            skipped.update(ch.iterdescendants(_TAGS))


def _paragraph_text(p, boxes: list | None = None) -> str:
    out: list[str] = []
    _run_text(p, out, boxes if boxes is not None else [])
    return "".join(out)


def _cell_text(tc) -> str:
    lines: list[str] = []
    for ch in tc:
        _cell_lines(ch, lines)
    return normalize_text("\n".join(lines))


def _cell_lines(el, lines: list[str]) -> None:
    if el.tag == _P:
        boxes: list = []
        lines.append(_paragraph_text(el, boxes))
        for box in boxes:
            for ch in box:
                _cell_lines(ch, lines)
    elif el.tag == _TBL:
        for tr in _children(el, _TR):
            for tc in _children(tr, _TC):
                for ch in tc:
                    _cell_lines(ch, lines)
    elif el.tag in _WRAPPERS:
        for ch in el:
            _cell_lines(ch, lines)


# ---------------------------------------------------------------------------- grid


def table_grid(tbl) -> list[list[str]]:
    """The rectangular text grid of a ``w:tbl`` element, merges resolved into spans and
    expanded by :func:`validator.readers.grid.expand` (a merged label repeated over every
    position, a merged value once)."""
    grid_cols = 0
    tbl_grid = _child(tbl, W + "tblGrid")
    if tbl_grid is not None:
        grid_cols = sum(1 for _ in tbl_grid.iterchildren(W + "gridCol"))
    from validator import readers as limits

    from .grid import Span, expand

    spans: list[list] = []  # [row, col, text, rowspan, colspan], grown by vMerge/hMerge continuations
    anchor_at: dict[int, list] = {}  # grid column -> the span covering it in the row above
    rows = used = 0
    for r, tr in enumerate(_children(tbl, _TR)):
        rows = r + 1
        col = min(_int(_child(_child(tr, _TRPR), _GRID_BEFORE), 0), 1000)
        here: dict[int, list] = {}
        last: list | None = None
        for tc in _children(tr, _TC):
            grid_span, vmerge, hmerge = _cell_props(_child(tc, _TCPR))
            span = max(1, min(_int(grid_span, 1), 1000))
            above = anchor_at.get(col)
            if vmerge is not None and vmerge.get(_VAL, "continue") != "restart" and above is not None \
                    and above[1] == col and above[4] == span and above[0] + above[3] == r:
                above[3] += 1  # a vertical merge goes on: the cell above spans this row too
                cell = above
            elif hmerge is not None and hmerge.get(_VAL, "continue") != "restart" and last is not None \
                    and last[0] == r:
                last[4] += span  # legacy horizontal merge: the cell on the left spans this one
                cell = last
            else:
                cell = [r, col, _cell_text(tc), 1, span]
                spans.append(cell)
            for k in range(span):
                here[col + k] = cell
            last = cell
            col += span
            used += span
            if used > limits.MAX_CELLS:
                raise limits.too_many_cells(used)
        anchor_at = here
    return expand((Span(*s) for s in spans), width=grid_cols, height=rows)


_LONG_CELL = 300


def _is_layout_table(tbl) -> bool:
    if any(inner is not tbl for inner in tbl.iter(_TBL)):
        return True
    tcs = list(tbl.iter(_TC))
    if len(tcs) <= 1:
        return True
    for tc in tcs:
        paras = list(tc.iter(_P))
        if len(paras) >= 2 and sum(len(_paragraph_text(p)) for p in paras) > _LONG_CELL:
            return True
    return False


# ------------------------------------------------------------------------- walking

_PICTURES = etree.XPath(".//*[local-name()='blip']/@*[local-name()='embed'] | "
                        ".//*[local-name()='imagedata']/@*[local-name()='id']")


def _pictures(p) -> list:
    return _PICTURES(p)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines = 0
        self.tables = 0
        self.cells = 0
        self.pictures: list[tuple[int, str]] = []  # (where in blocks, relationship id) of each picture

    def _grow(self, blocks: int, cells: int) -> None:
        from validator.readers import check_growth

        self.cells += cells
        check_growth(len(self.blocks) + blocks, self.cells)

    def paragraph(self, p) -> None:
        boxes: list = []
        text = normalize_text(_paragraph_text(p, boxes))
        if text:
            self._grow(1, 1)
            self.lines += 1
            self.blocks.append(paragraph(text, Position(line=self.lines)))
        for rid in _pictures(p):
            self.pictures.append((len(self.blocks), str(rid)))
        for box in boxes:
            self.container(box)

    def table(self, tbl) -> None:
        if _is_layout_table(tbl):
            for tr in _children(tbl, _TR):
                for tc in _children(tr, _TC):
                    self.container(tc)
            return
        grid = table_grid(tbl)
        if not any(any(c for c in r) for r in grid):
            return
        self._grow(len(grid), sum(len(r) for r in grid))
        self.tables += 1
        t = self.tables
        for r, cells in enumerate(grid, 1):
            self.blocks.append(
                row([(text, Position(table=t, row=r, col=c)) for c, text in enumerate(cells, 1)])
            )

    def container(self, el) -> None:
        for ch in el:
            tag = ch.tag
            if tag == _P:
                self.paragraph(ch)
            elif tag == _TBL:
                self.table(ch)
            elif tag in _WRAPPERS:
                self.container(ch)


# ------------------------------------------------------------------------- reading

_OLE_REASON = "这是旧版Word（.doc）、WPS（.wps）或加密的文档，不是DOCX；请另存为DOCX格式后再检查"


def read(path: pathlib.Path, data: bytes) -> Document:
    """Read a Word ``.docx`` file into a :class:`Document` (format ``"docx"``)."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable(_OLE_REASON, "OLE2 compound file")
    refuse_foreign(data, "DOCX（Word）文档", b"PK\x03\x04")
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"mime-version", b"<?xml")) or b"<html" in head:
        raise Unreadable("文件实际是网页（HTML/MHT/XML），不是DOCX；请按网页读取或另存为DOCX",
                         "markup where a zip archive was expected")
    if not data.startswith(b"PK"):
        raise Unreadable("文件不是DOCX（Word）文档", "not a zip archive")
    from validator import readers as limits

    try:
        with limits.open_zip(data) as z:
            names = set(z.namelist())
    except Unreadable as e:
        if e.reason.startswith("压缩包结构损坏"):
            raise Unreadable("DOCX文件已损坏，无法打开（压缩包不完整）", e.detail) from None
        raise
    if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
        what = "XLSX表格" if any(n.startswith("xl/") for n in names) else (
            "PPTX演示文稿" if any(n.startswith("ppt/") for n in names) else "压缩包")
        raise Unreadable(f"文件是{what}，不是DOCX（Word）文档", f"zip members: {sorted(names)[:5]}")

    # Sizes, ratios, names, integrity and DTDs are checked before anything is inflated
    # and parsed (the lxml parser below does not resolve entities either); the parts read
    # next come back from that check already inflated.
    kept = limits.check_zip(data, keep=_PARTS)

    # Only the main document part is read, parsed with lxml as python-docx parses it
    # (blank text between elements dropped, entities never resolved); python-docx would
    # also parse every other part (styles, numbering, settings …), which the reader never uses.
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            def part(name: str) -> bytes:
                return kept[name] if name in kept else z.read(name)

            main = _main_part(part, parser)
            body = etree.fromstring(part(main), parser).find(W + "body")
    except etree.XMLSyntaxError as e:  # libxml2's own limits (no huge_tree): 256 levels, 10 MB text nodes
        if "depth" in str(e).lower():
            raise Unreadable("DOCX文档中的 XML 嵌套超过 256 层上限，无法读取", f"XMLSyntaxError: {e}") from None
        if "huge" in str(e).lower() or "resource limit" in str(e).lower():
            raise Unreadable("DOCX文档中的 XML 超出解析器的限制（例如单段文字超过 10 MB），无法读取",
                             f"XMLSyntaxError: {e}") from None
        raise Unreadable("DOCX文件中的 XML 内容已损坏，无法读取", f"XMLSyntaxError: {e}") from None
    except (KeyError, ValueError, zipfile.BadZipFile) as e:
        raise Unreadable("文件不是有效的DOCX（Word）文档，或已损坏", f"{type(e).__name__}: {e}") from None

    walker = _Walker()
    if body is not None:
        walker.container(body)
    blocks = walker.blocks
    if walker.pictures:
        from validator.readers import ocr

        if ocr.needs_pictures(blocks):  # tables pasted as pictures: read them by OCR
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                targets = _relationships(z, main, parser)
                pictures = [(at, data) for at, rid in walker.pictures
                            if (data := _member(z, targets.get(rid))) is not None]
            blocks = ocr.insert(blocks, ocr.picture_blocks(pictures, walker.tables + 1))
    return Document(path=str(path), format="docx", blocks=blocks)


def _relationships(z: zipfile.ZipFile, part: str, parser) -> dict[str, str]:
    """Relationship id -> zip member of the parts the main document embeds (external
    targets, i.e. linked pictures, are left out: nothing is ever fetched)."""
    import posixpath

    folder, name = posixpath.split(part)
    try:
        rels = etree.fromstring(z.read(posixpath.join(folder, "_rels", name + ".rels")), parser)
    except (KeyError, etree.XMLSyntaxError):
        return {}
    out = {}
    for r in rels:
        if r.get("TargetMode") == "External" or not r.get("Id") or not r.get("Target"):
            continue
        target = r.get("Target").split("#")[0]
        out[r.get("Id")] = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
    return out


def _member(z: zipfile.ZipFile, name: str | None) -> bytes | None:
    if not name:
        return None
    try:
        return z.read(name)  # sizes were checked by check_zip
    except KeyError:
        return None


_OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
                    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")
_WML_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"


_PARTS = ("[Content_Types].xml", "_rels/.rels", "word/document.xml")
"""The parts every reading parses (where Word, WPS and LibreOffice put the main part)."""


def _main_part(part, parser) -> str:
    """The zip member of the main document part: the package's officeDocument
    relationship, which must be a Word document (as python-docx requires). ``part(name)``
    gives a member's bytes. Raises KeyError/ValueError."""
    import posixpath

    rels = etree.fromstring(part("_rels/.rels"), parser)
    target = next((r.get("Target") for r in rels if r.get("Type") in _OFFICE_DOCUMENT and r.get("Target")), None)
    if target is None:
        raise KeyError("no relationship of type 'officeDocument' in the package")
    name = posixpath.normpath(target.split("#")[0].lstrip("/"))  # relative to the package root
    types = etree.fromstring(part("[Content_Types].xml"), parser)
    ext = name.rsplit(".", 1)[-1].lower()
    ct = next((t.get("ContentType") for t in types.iter(_CT + "Override")
               if (t.get("PartName") or "").lstrip("/").lower() == name.lower()), None)
    if ct is None:
        ct = next((t.get("ContentType") for t in types.iter(_CT + "Default")
                   if (t.get("Extension") or "").lower() == ext), None)
    if ct != _WML_MAIN:
        raise ValueError(f"the main part is not a Word document, content type is '{ct}'")
    return name
