"""Reader for report pages as saved from government websites (format ``"html"``).

What it produces (see :mod:`validator.document`):

* every *data* table (an innermost ``<table>``: one that contains no other table) becomes
  one row block per grid row, with ``rowspan``/``colspan`` expanded into a rectangular
  grid: a spanned cell's text is repeated in every grid position it covers. Cells carry
  ``Position(table=t, row=r, col=c)``, 1-based grid coordinates; ``t`` counts the data
  tables that contain any text, in document order. Rows whose cells are all empty are kept
  (an empty 表四 data row is information), whole tables without any text are dropped.
* layout tables (tables that contain other tables, single-cell boxes, or cells holding
  long multi-paragraph text) are not tables: their cells are walked like ``<div>``\\ s.
* text outside data tables (the ``<title>``, headings, paragraphs, ``<br>``-separated
  lines) becomes paragraph blocks in document order, ``Position(line=n)`` with ``n``
  counting the paragraph blocks.
* scripts, styles, forms controls, hidden elements and navigation/header/footer
  boilerplate (by tag, or by a class/id such as ``nav``, ``footer``, ``position``) are
  skipped, unless such an element contains a table (a data table is never dropped).

Text is normalised by :func:`validator.text.normalize_text`: whitespace (including ``&nbsp;`` and the
ideographic space) collapses to one space, and disappears entirely between two CJK
characters, so a label written ``结果<br>维持`` or ``商业 企业`` reads ``结果维持`` /
``商业企业`` while ``1. 属于国家秘密`` and ``共 4 件`` keep their spaces.

Decoding: a BOM wins, then a ``<meta charset>`` / ``http-equiv`` (or XML) declaration,
then detection (strict UTF-8, else charset-normalizer). The GB family (GB2312, GBK, CP936,
EUC-CN) is always decoded as GB18030, its superset (:func:`validator.text.codec_name`). A page that declares a legacy
encoding but is valid UTF-8 (with non-ASCII text) is read as UTF-8.

Anything that cannot be read raises :class:`validator.errors.Unreadable`, never another
exception.
"""
from __future__ import annotations

import functools
import pathlib
import re

from lxml import etree

from validator.document import Block, Cell, Document, Position, paragraph
from validator.errors import Unreadable
from validator.readers import refuse_foreign
from validator.text import BOMS, codec_name, normalize_all, normalize_text

__all__ = ["read", "decode", "normalize_text", "table_grid"]

# ----------------------------------------------------------------------- decoding

_META_TAG = re.compile(rb"<meta\b[^>]*>", re.I)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)


_WESTERN = frozenset(("iso8859-1", "iso8859-15", "cp1252", "ascii"))


def _declared_charset(data: bytes) -> str | None:
    head = data[:16384]
    m = _XML_DECL.match(head)
    if m:
        return m.group(1).decode("ascii", "ignore")
    for tag in _META_TAG.finditer(head):
        m = _META_CHARSET.search(tag.group(0))
        if m:
            return m.group(1).decode("ascii", "ignore")
    return None


def _is_utf8_with_non_ascii(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes) -> tuple[str, str]:
    """Decode an HTML page's bytes; returns ``(text, encoding)``. Raises Unreadable."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), enc
            except UnicodeDecodeError as e:
                raise Unreadable("网页文字编码与其字节顺序标记（BOM）不符，无法解码",
                                 f"BOM says {enc} but decoding failed: {e}") from None

    declared_raw = _declared_charset(data)
    declared = codec_name(declared_raw)
    if declared in _WESTERN and not data.isascii():
        # A Chinese page labelled Latin-1/Windows-1252/ASCII (CMS defaults) is never that:
        # those codecs decode any byte, so trusting them would silently give mojibake.
        declared = None
    if declared and declared.startswith(("utf-16", "utf-32")):
        declared = "utf-8"  # a declaration readable as ASCII cannot be UTF-16 (WHATWG rule)
    if declared is not None and declared != "utf-8" and _is_utf8_with_non_ascii(data):
        # The declaration lies (a common result of re-saving a GBK page as UTF-8):
        # non-ASCII bytes that are valid UTF-8 are practically never GBK text.
        return data.decode("utf-8"), "utf-8"
    if declared is not None:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            # Tolerate a few broken bytes (truncated pages), not a wrong declaration.
            text = data.decode(declared, errors="replace")
            bad = text.count("\ufffd")
            if bad <= max(3, len(text) // 2000):
                return text, declared
        except LookupError:
            pass
    if _is_utf8_with_non_ascii(data) or data.isascii():
        return data.decode("utf-8"), "utf-8"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception as e:  # detection must never crash the reader
        raise Unreadable("无法识别网页的文字编码", f"charset detection failed: {e!r}") from None
    if best is None or codec_name(best.encoding) is None:
        raise Unreadable("无法识别网页的文字编码（文件可能不是文本网页或已损坏）",
                         f"no charset declared ({declared_raw!r}) and none detected")
    enc = codec_name(best.encoding)
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return str(best), best.encoding


# ---------------------------------------------------------------------- sniffing

_HAS_MARKUP = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|meta|title|table|tr|td|p|div|br|span|h[1-6]|font|center)\b",
    re.I,
)


def _sniff(data: bytes) -> None:
    refuse_foreign(data, "HTML网页")
    head = data[:4096]
    if not any(head.startswith(b) for b, _ in BOMS) and b"\x00" in head:
        raise Unreadable("文件不是HTML网页（含有二进制内容）", "NUL bytes in the first 4 KiB")


# ------------------------------------------------------------------------ walking

_SKIP_TAGS = frozenset(
    "script style noscript template head iframe frame frameset object embed applet svg math "
    "canvas select option button textarea input map area audio video source picture".split()
)
_BOILERPLATE_TAGS = frozenset(("nav", "header", "footer", "aside"))
_BOILERPLATE_NAME = re.compile(
    r"^(?:nav\w*|navs|menu\w*|top|topbar|top[-_]?nav\w*|header|head|site[-_]?header|"
    r"footer|foot|bottom|site[-_]?footer|breadcrumbs?|crumbs?|position|location|curpos|"
    r"sidebar|side[-_]?bar|share\w*|bdshare\w*|copyright|toolbar|skip\w*|search\w*|"
    r"print|prints|close|dayin|fenxiang)$",
    re.I,
)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li "
    "main menu nav ol p pre section summary table tbody td tfoot th thead tr ul title".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _tag(el) -> str:
    t = el.tag
    return t.lower() if isinstance(t, str) else ""


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and _hiding(style)


@functools.lru_cache(maxsize=4096)  # pages repeat a few styles and class names on every element
def _hiding(style: str) -> bool:
    return bool(_HIDDEN_STYLE.search(style))


@functools.lru_cache(maxsize=4096)
def _boilerplate_name(names: str | None, ident: str | None) -> bool:
    names = (names or "").split()
    if ident:
        names.append(ident.strip())
    return any(_BOILERPLATE_NAME.match(n) for n in names)


_NEVER_BOILERPLATE = frozenset("html body main article form table tbody thead tfoot tr td th".split())


def _boilerplate(el, tag: str) -> bool:
    if tag in _NEVER_BOILERPLATE:
        return False
    named = tag in _BOILERPLATE_TAGS or _boilerplate_name(el.get("class"), el.get("id"))
    # Never drop a table: old sites lay out the whole page, report included, in tables.
    return named and next(el.iter("table"), None) is None


_SPAN = re.compile(r"\s*(\d+)")


def _span(value: str | None, default: int, lo: int, hi: int) -> int:
    if value is None:
        return default
    m = _SPAN.match(value)
    if not m:
        return default
    return max(lo, min(hi, int(m.group(1))))


_SENT = "\ufdd0"  # a paragraph break in the page text (a noncharacter: never text)
_TABLE = "\ufdd1"  # where a data table's rows go in the page text
_PICTURE = "\ufdd2"  # where an <img> stood (its number follows, then _PICTURE again)


_XPATHS: dict[str, object] = {}


def _xpath(name: str):
    """Compiled XPath expressions. Tag tests are left to ``iter(*tags)``: libxml2
    evaluates a ``self::x`` test per node slowly."""
    if not _XPATHS:
        _XPATHS.update(
            **{attr: etree.XPath(f"descendant-or-self::*/@{attr}") for attr in ("hidden", "style", "class", "id")},
            nested=etree.XPath("boolean(descendant::table)"),
            cells=etree.XPath("count(descendant::td | descendant::th)"),
            long_cells=etree.XPath(f"descendant::td[string-length(.) > {_LONG_CELL}]"
                                   f" | descendant::th[string-length(.) > {_LONG_CELL}]"),
        )
    return _XPATHS[name]


def _having(page, attr: str, judge=None) -> set:
    """The elements in ``page`` (itself included) with attribute ``attr``, and of those only
    the ones whose value ``judge`` is true of: libxml2 lists the values (with their elements),
    no Python walk over the page's elements."""
    return {v.getparent() for v in _xpath(attr)(page) if judge is None or judge(str(v))}


def _hidden_in(page) -> set:
    """The elements in ``page`` that :func:`_hidden` is true of (a page has a few)."""
    return _having(page, "hidden") | _having(page, "style", _hiding)


def _named_in(page) -> set:
    """The elements in ``page`` whose class or id :func:`_boilerplate_name` is true of."""
    return (_having(page, "class", lambda v: _boilerplate_name(v, None))
            | _having(page, "id", lambda v: _boilerplate_name(None, v)))


def _within(els, top) -> set:
    """Those of ``els`` that are ``top`` or inside it."""
    return {el for el in els if el is top or any(a is top for a in el.iterancestors())}


_SKIP_OR_BOILERPLATE = tuple(_SKIP_TAGS | _BOILERPLATE_TAGS)
_SKIP = tuple(_SKIP_TAGS)
# the line breaks that matter inside a table's cells: not at its rows and cells themselves
# (their marks fall outside any cell's text, or at its ends, which normalising strips)
_BLOCK_BR = tuple(_BLOCK_TAGS - {"table", "thead", "tbody", "tfoot", "tr", "td", "th"} | {"br"})
_WALK_MARKS = tuple(_BLOCK_TAGS | {"br", "hr"})


def _text(el) -> str:
    """Every text node in ``el``, in order (``itertext()``, joined), as libxml2's text
    serialisation gives it: one C call, not one Python string per text node."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _drop(el) -> None:
    """Remove ``el`` and everything in it from the tree, keeping the text after it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _replace(el, text: str) -> None:
    """Put ``text`` where ``el`` was (``el`` and its content are removed)."""
    el.tail = text + (el.tail or "")
    _drop(el)


def _prepare_cells(table, hidden: set) -> None:
    """Make each cell's text what a browser shows, readable with one ``itertext()``:
    skipped and hidden content inside cells removed, a line break at ``<br>`` and around
    every block element. Idempotent. ``hidden``: the page's hidden elements (:func:`_hidden_in`)."""
    candidates = {*table.iter(_SKIP), *_within(hidden, table)} - {table}
    for el in candidates:
        if (el.tag in _SKIP_TAGS or _hidden(el)) and \
                next(el.iterancestors("td", "th", "caption", "table"), table).tag != "table":
            _drop(el)
            if next(el.iter("tr"), None) is not None:
                _prepare_cells(el, hidden)  # its rows are still rows of the table (see table_grid)
    for el in table.iter(_BLOCK_BR):
        if el is table:
            continue
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")


def _cell_text(td) -> str:
    """Text of a prepared cell (see :func:`_prepare_cells`), normalised."""
    return normalize_text(_text(td))


def _rows_of(table) -> list:
    return [tr for tr in table.iter("tr")]


def table_grid(table, hidden: set | None = None) -> list[list[str]]:
    """The rectangular text grid of an innermost ``<table>`` element (lxml), spans expanded
    by :func:`validator.readers.grid.expand` (a spanned label repeated, a spanned value once).

    A ``rowspan`` is clipped at the end of its row group (``thead``/``tbody``/``tfoot``)
    as browsers do; ``rowspan="0"`` spans to the end of the group. ``hidden``: the page's
    hidden elements (:func:`_hidden_in`; None: the table's).
    """
    trs = _rows_of(table)
    if not trs:
        return []
    hidden = _hidden_in(table) if hidden is None else hidden
    _prepare_cells(table, hidden)
    # Row-group boundaries: index of the last row of each row's group.
    group_end: list[int] = [0] * len(trs)
    start = 0
    for i in range(1, len(trs) + 1):
        if i == len(trs) or trs[i].getparent() is not trs[start].getparent():
            for k in range(start, i):
                group_end[k] = i - 1
            start = i
    from validator import readers as limits

    from .grid import expand

    cap = limits.MAX_CELLS
    where: list[tuple[int, int, int, int]] = []  # each cell's row, column, rowspan, colspan
    raw: list[str] = []  # and its text, normalised below all at once
    # The grid positions the cells cover, counted (``used``) before each is placed so that
    # a huge span is refused before it is expanded. A cell without span attributes (most)
    # covers one free position; only rowspans are remembered, as the columns they cover in
    # each row below (``below``), where the cells of that row skip them.
    used = 0
    below: dict[int, set[int]] = {}
    check_hidden = bool(hidden)
    for r, tr in enumerate(trs):
        taken = below.pop(r, ())
        c = 0
        for td in tr.iterchildren("td", "th"):
            while c in taken:
                c += 1
            colspan, rowspan = td.get("colspan"), td.get("rowspan")
            if colspan is None and rowspan is None:
                if used >= cap:
                    raise limits.too_many_cells(used + 1)
                used += 1
                where.append((r, c, 1, 1))
                c += 1
            else:
                cs = _span(colspan, 1, 1, 1000)
                rs = _span(rowspan, 1, 0, 65534)
                if rs != 1:
                    last = group_end[r]
                    rs = last - r + 1 if rs == 0 else min(rs, last - r + 1)
                if used + rs * cs > cap:  # before a huge span is expanded
                    raise limits.too_many_cells(used + rs * cs)
                cols = range(c, c + cs)
                used += cs - sum(1 for k in cols if k in taken) if taken else cs
                for rr in range(r + 1, r + rs):
                    occ = below.setdefault(rr, set())
                    n = len(occ)
                    occ.update(cols)
                    used += len(occ) - n
                where.append((r, c, rs, cs))
                c += cs
            raw.append("" if check_hidden and td in hidden else _text(td))
    texts = normalize_all(raw)
    return expand([(r, c, t, rs, cs, None) for (r, c, rs, cs), t in zip(where, texts)], height=len(trs))


_LONG_CELL = 300


_GRID_NUMBERS = 4
"""Cells holding a bare number that make a table a grid of figures (表四 has 15)."""


def _is_layout_table(table) -> bool:
    """Nested tables, a single-cell box, or a box of long multi-paragraph text (paragraphs
    inside a cell, not the cell itself: one long number or line is a value) that is not a
    grid of figures: whatever one cell of 表三 holds, 表三 stays a table."""
    if _xpath("nested")(table) or _xpath("cells")(table) <= 1:
        return True
    if not any(sum(1 for el in td.iter() if el is not td and (_tag(el) in _BLOCK_TAGS or _tag(el) == "br")) >= 2
               for td in _xpath("long_cells")(table)):
        return False
    from validator.values import is_number

    numbers = 0
    for td in table.iter("td", "th"):
        numbers += is_number(_cell_text(td))
        if numbers >= _GRID_NUMBERS:
            return False
    return True


def _walk_text(start, hidden: set) -> tuple[str, int, list, list]:
    """The text of the page as the reader walks it, the number of images seen, and the
    data tables.

    The tree is rewritten in place so that one ``itertext()`` gives it: each data table
    is taken out (read later, only if the walk reaches it) and a :data:`_TABLE` mark with
    its number left in its place; skipped content (scripts, hidden elements, boilerplate
    without a table …) is removed; :data:`_SENT` marks the paragraph breaks (block
    elements, ``<br>``/``<hr>``, line ends inside ``<pre>``). ``hidden``: the page's
    hidden elements (:func:`_hidden_in`).
    """
    tables = [t for t in start.iter("table") if not _is_layout_table(t)]  # judged on the page as published
    for k, table in enumerate(tables):
        # a table still, for _boilerplate (a box holding it is kept), hidden if it was
        stub = etree.Element("table", {a: table.get(a) for a in ("hidden", "style") if table.get(a) is not None})
        stub.text, stub.tail = f"{_TABLE}{k}", table.tail
        table.getparent().replace(table, stub)
    # What the walk skips, judged before anything is removed (a boilerplate box holding a
    # table only inside a script is not boilerplate).
    gone = {el for el in {*start.iter(_SKIP_OR_BOILERPLATE), *_within(hidden, start), *_named_in(start)}
            if el.tag in _SKIP_TAGS or _hidden(el) or _boilerplate(el, el.tag)}
    if start in gone:
        return "", 0, tables, []
    # a skipped <img> the walk would have reached still counts as an image seen
    images = sum(1 for el in gone if el.tag == "img" and not any(a in gone for a in el.iterancestors()))
    for el in gone:  # in any order: what is removed with an ancestor is gone either way
        _drop(el)
    images += sum(1 for _ in start.iter("img"))
    pictures: list[str] = []  # the src of each <img> the walk reaches, marked in the text
    for el in start.iter("img"):
        src = (el.get("src") or "").strip()
        if src:
            el.tail = f"{_PICTURE}{len(pictures)}{_PICTURE}" + (el.tail or "")
            pictures.append(src)
    for el in start.iter("pre", "listing", "plaintext"):
        if el.text:
            el.text = el.text.replace("\n", _SENT)
        for sub in el.iterdescendants():
            if sub.text:
                sub.text = sub.text.replace("\n", _SENT)
            if sub.tail:
                sub.tail = sub.tail.replace("\n", _SENT)
    for el in start.iter(_WALK_MARKS):
        if el.tag in ("br", "hr"):
            el.text = None  # never read
        else:
            el.text = _SENT + (el.text or "")
        if el is not start:
            el.tail = _SENT + (el.tail or "")
    return _text(start), images, tables, pictures


@functools.lru_cache(maxsize=1 << 14)
def _grid_pos(table: int, row: int, col: int) -> Position:
    """One shared (immutable) Position per grid cell: every page has the same few hundred."""
    return Position(table=table, row=row, col=col)


def _grid_cell(text: str, table: int, row: int, col: int) -> Cell:
    """The (immutable) Cell of a grid position: one shared object for the labels and figures
    that repeat at the same place on every page, a new one for long texts (never kept)."""
    return _shared_cell(text, table, row, col) if len(text) <= 64 else Cell(text, _grid_pos(table, row, col))


@functools.lru_cache(maxsize=1 << 16)
def _shared_cell(text: str, table: int, row: int, col: int) -> Cell:
    return Cell(text, _grid_pos(table, row, col))


_PICTURE_MARK = re.compile(f"{_PICTURE}(\\d+){_PICTURE}")


def _blocks(title: str | None, text: str, tables: list, pictures: list | None = None,
            hidden: set | None = None) -> list[Block]:
    """Paragraph and row blocks from the walked page text (see :func:`_walk_text`): a data
    table gives its caption as a paragraph, then its rows, unless it has no text at all.
    ``pictures`` receives (where in the blocks, number) of each <img> mark (after the
    paragraph it stood in: an icon never splits a paragraph)."""
    from validator.readers import check_growth

    pieces = ([title] if title is not None else []) + text.split(_SENT)
    marks: dict[int, list[int]] = {}  # piece → the <img> marks it held (taken out before normalising)
    if _PICTURE in text:
        for i, piece in enumerate(pieces):
            if _PICTURE in piece:
                marks[i] = [int(n) for n in _PICTURE_MARK.findall(piece)]
                pieces[i] = _PICTURE_MARK.sub("", piece)
    shown = normalize_all(pieces)  # every paragraph normalised at once (one pass of each pattern)
    blocks: list[Block] = []
    cells = lines = numbered = 0
    for i, piece in enumerate(shown):
        grid = None
        if piece.startswith(_TABLE):
            table = tables[int(piece[1:])]
            grid = table_grid(table, hidden)  # prepares the caption's text too
            caption = next((c for c in table if _tag(c) == "caption"), None)
            piece = "" if caption is None else _cell_text(caption)
        if piece:
            cells += 1
            check_growth(len(blocks) + 1, cells)
            lines += 1
            blocks.append(paragraph(piece, Position(line=lines)))
        if grid and any(any(r) for r in grid):
            cells += sum(len(r) for r in grid)
            check_growth(len(blocks) + len(grid), cells)
            numbered += 1
            blocks.extend([Block("row", tuple([_grid_cell(t, numbered, r, c) for c, t in enumerate(row_cells, 1)]))
                           for r, row_cells in enumerate(grid, 1)])
        if pictures is not None and i in marks:
            pictures.extend((len(blocks), n) for n in marks[i])
    return blocks


# ------------------------------------------------------------------------ limits

_TAG_OPEN = re.compile(r"<[A-Za-z]")


def _too_many_elements(n: int) -> Unreadable:
    from validator import readers as limits

    return Unreadable(f"网页中的元素（标签）超过 {limits.MAX_HTML_ELEMENTS:,} 个上限，不像是年度报告页面",
                      f"{n} elements")


def _check_tree(root, parser) -> None:
    """Refuse, rather than read in part, a page that hit a limit while being parsed.

    libxml2 stops parsing (and keeps what it has, silently) at 256 levels of nesting and
    at text nodes or attributes over 10 MB; a page deeper than
    :data:`~validator.readers.MAX_HTML_DEPTH` or with more than
    :data:`~validator.readers.MAX_HTML_ELEMENTS` elements is refused.
    """
    from validator import readers as limits

    # both measured by libxml2's XPath engine, not a Python walk over every element:
    # an element MAX_HTML_DEPTH child steps below the root is one level too deep
    # (node tests only: libxml2 evaluates a ``self::`` predicate per node slowly)
    count = int(root.xpath("count(//*) + count(//comment()) + count(//processing-instruction())")) + 1
    if root.xpath("boolean(" + "/".join(["*"] * limits.MAX_HTML_DEPTH) + ")"):
        raise Unreadable(f"网页结构嵌套超过 {limits.MAX_HTML_DEPTH} 层上限，无法读取",
                         f"element nesting depth over {limits.MAX_HTML_DEPTH}")
    if count > limits.MAX_HTML_ELEMENTS:
        raise _too_many_elements(count)
    for err in parser.error_log:
        if err.type_name == "ERR_RESOURCE_LIMIT" or "XML_PARSE_HUGE" in err.message:
            raise Unreadable("网页内容超出解析器的限制（例如单段文字超过 10 MB 或嵌套过深），无法完整读取",
                             f"libxml2: {err.message.strip()}")


# ------------------------------------------------------------------------ reading


def read(path: pathlib.Path, data: bytes) -> Document:
    """Read a saved government web page into a :class:`Document` (format ``"html"``)."""
    _sniff(data)
    text, encoding = decode(data)
    if "\x00" in text[:4096]:
        raise Unreadable("文件不是HTML网页（含有二进制内容）", f"NUL characters after decoding as {encoding}")
    if not _HAS_MARKUP.search(text):
        raise Unreadable("文件内容不是HTML网页（没有找到任何HTML标记）",
                         f"no HTML tags found (decoded as {encoding})")
    from validator import readers as limits

    # every tag starts with "<": only a page with that many is counted tag by tag
    if text.count("<") > limits.MAX_HTML_ELEMENTS and (tags := len(_TAG_OPEN.findall(text))) > limits.MAX_HTML_ELEMENTS:
        raise _too_many_elements(tags)
    # The HTML parser of libxml2 knows no DTDs or external entities (an internal subset
    # is read as text); no_network makes sure nothing is ever fetched. Plain lxml.etree
    # elements (not lxml.html's): the reader needs no HtmlElement methods.
    parser = etree.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
        recover=True, default_doctype=False, huge_tree=False,
    )
    try:
        if _SENT in text or _TABLE in text or _PICTURE in text:
            text = text.replace(_SENT, "\ufffd").replace(_TABLE, "\ufffd").replace(_PICTURE, "\ufffd")
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise Unreadable("HTML网页无法解析", f"{type(e).__name__}: {e}") from None
    _check_tree(root, parser)

    published = _published(root)  # before the walk rewrites the tree
    title = root.find(".//title")
    title_text = _text(title) if title is not None else None
    body = root.find("body")
    hidden = _hidden_in(root)  # before the walk takes the tables out
    page, images, tables, srcs = _walk_text(body if body is not None else root, hidden)
    marks: list[tuple[int, int]] = []
    blocks = _blocks(title_text, page, tables, marks, hidden)
    if marks:
        from validator.readers import ocr

        if ocr.needs_pictures(blocks):  # tables published as pictures: read them by OCR
            pictures = [(at, data) for at, n in marks if (data := _picture(pathlib.Path(path), srcs[n])) is not None]
            numbered = sum(1 for b in blocks if b.kind == "row" and b.cells and b.cells[0].pos.row == 1)
            blocks = ocr.insert(blocks, ocr.picture_blocks(pictures, numbered + 1))
    from_title = 1 if title_text is not None and normalize_text(title_text) else 0
    if not any(b.text for b in blocks[from_title:]):
        hint = "（内容可能以图片形式发布）" if images else ""
        raise Unreadable(
            "网页中没有可读取的正文文字" + hint,
            f"no text outside boilerplate (decoded as {encoding}; {images} image(s))",
        )
    return Document(path=str(path), format="html", blocks=blocks, published=published)


def _picture(page: pathlib.Path, src: str) -> bytes | None:
    """The bytes of an ``<img>``: a ``data:`` URI, or a file beside the saved page (in its
    folder or below it). Nothing is ever fetched: ``http:``, ``//host``, absolute paths and
    paths leaving the page's folder give None."""
    import base64
    import urllib.parse

    from validator import readers as limits

    if src.lower().startswith("data:"):
        head, sep, body = src.partition(",")
        if not sep or not head.lower().startswith("data:image/"):
            return None
        try:
            raw = base64.b64decode(body, validate=False) if ";base64" in head.lower() else urllib.parse.unquote_to_bytes(body)
        except ValueError:
            return None
        return raw if len(raw) <= limits.MAX_BYTES else None
    parts = urllib.parse.urlsplit(src)
    if parts.scheme or parts.netloc or parts.path.startswith(("/", "\\")):
        return None
    folder = page.resolve().parent
    try:
        target = (folder / urllib.parse.unquote(parts.path)).resolve()
        if not target.is_relative_to(folder) or not target.is_file() or target.stat().st_size > limits.MAX_BYTES:
            return None
        return target.read_bytes()
    except (OSError, ValueError):
        return None


# CMS pages state their publication date in a meta element (PubDate on 政府网站集约化
# platforms, firstpublishedtime on others) or a <publishtime> element of the page template.
_PUBLISHED_META = ("pubdate", "firstpublishedtime")  # the meta names, in any letter case


def _published(root) -> str | None:
    """The first non-empty (stripped, at most 40 characters): content of a PubDate meta, of
    a firstpublishedtime meta, text inside a <publishtime> element; in document order.
    lxml's C tag filter finds the few elements, not an XPath string function per element."""
    metas = [(m.get("name"), m.get("content")) for m in root.iter("meta")]
    for wanted in _PUBLISHED_META:
        for name, content in metas:
            if name is not None and content is not None and name.lower() == wanted and content.strip():
                return content.strip()[:40]
    for el in root.iter("publishtime"):
        for text in el.itertext():
            if text.strip():
                return text.strip()[:40]
    return None
