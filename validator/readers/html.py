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

Text is normalised by :func:`normalize_text`: whitespace (including ``&nbsp;`` and the
ideographic space) collapses to one space, and disappears entirely between two CJK
characters, so a label written ``结果<br>维持`` or ``商业 企业`` reads ``结果维持`` /
``商业企业`` while ``1. 属于国家秘密`` and ``共 4 件`` keep their spaces.

Decoding: a BOM wins, then a ``<meta charset>`` / ``http-equiv`` (or XML) declaration,
then detection (strict UTF-8, else charset-normalizer). The GB family (GB2312, GBK, CP936,
EUC-CN) is always decoded as GB18030, its superset. A page that declares a legacy
encoding but is valid UTF-8 (with non-ASCII text) is read as UTF-8.

Anything that cannot be read raises :class:`validator.errors.Unreadable`, never another
exception.
"""
from __future__ import annotations

import codecs
import pathlib
import re

from validator.document import Block, Document, Position, paragraph, row
from validator.errors import Unreadable, guarded

__all__ = ["read", "decode", "normalize_text", "table_grid"]

# --------------------------------------------------------------------------- text


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF  # radicals, CJK punctuation 、。（）「」, kana, CJK unified
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= o <= 0xFE4F  # CJK compatibility forms
        or 0xFF00 <= o <= 0xFFEF  # full-width forms （）：，０-９
        or 0x20000 <= o <= 0x3134F  # extension B..G
        or o in (0x2018, 0x2019, 0x201C, 0x201D, 0x2014, 0x2026, 0x00B7)  # ‘’“”—…·
    )


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_WS_RUN = re.compile(r"\s+")  # str pattern: Unicode whitespace, incl. U+00A0 and U+3000


def normalize_text(text: str) -> str:
    """Collapse whitespace; drop it entirely between two CJK characters.

    Line breaks count as whitespace, so lines inside one cell are joined with no
    separator between CJK characters and one space otherwise.
    """
    text = text.translate(_INVISIBLE)
    parts = _WS_RUN.split(text)
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and not (_is_cjk(out[-1][-1]) and _is_cjk(part[0])):
            out.append(" ")
        out.append(part)
    return "".join(out)


# ----------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_TAG = re.compile(rb"<meta\b[^>]*>", re.I)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)


def _canonical(name: str | bytes | None) -> str | None:
    """A Python codec name for a declared or detected charset; GB family -> gb18030."""
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    n = name.strip().lower().replace("_", "-")
    if n in ("gb2312", "gbk", "gb18030", "cp936", "ms936", "windows-936", "euc-cn", "euccn",
             "x-gbk", "x-euc-cn", "gb-2312-80", "gb2312-80", "csgb2312", "chinese", "iso-ir-58",
             "csgb231280", "gb-18030", "x-gb2312", "gb-2312", "936"):
        return "gb18030"
    if n in ("utf8", "utf-8", "unicode-1-1-utf-8", "utf8mb4", "x-utf-8"):
        return "utf-8"
    if n in ("big5", "big5-hkscs", "cn-big5", "x-x-big5", "csbig5", "cp950", "ms950"):
        return "big5hkscs"  # superset of Big5 (traditional-character mirror sites)
    if n in ("unicode", "utf-16", "ucs-2"):
        return "utf-16"
    try:
        info = codecs.lookup(n)
    except LookupError:
        return None
    if info.name in ("gb2312", "gbk", "gb18030"):
        return "gb18030"
    return info.name


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
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), enc
            except UnicodeDecodeError as e:
                raise Unreadable("网页文字编码与其字节顺序标记（BOM）不符，无法解码",
                                 f"BOM says {enc} but decoding failed: {e}") from None

    declared_raw = _declared_charset(data)
    declared = _canonical(declared_raw)
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
    if best is None or _canonical(best.encoding) is None:
        raise Unreadable("无法识别网页的文字编码（文件可能不是文本网页或已损坏）",
                         f"no charset declared ({declared_raw!r}) and none detected")
    enc = _canonical(best.encoding)
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return str(best), best.encoding


# ---------------------------------------------------------------------- sniffing

_MAGIC = (
    (b"%PDF", "PDF文件"),
    (b"PK\x03\x04", "ZIP压缩包或DOCX/XLSX等Office文件"),
    (b"\xd0\xcf\x11\xe0", "旧版Word/Excel/WPS文件"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPEG图片"),
    (b"GIF8", "GIF图片"),
    (b"\x1f\x8b", "gzip压缩文件"),
    (b"Rar!", "RAR压缩包"),
    (b"{\\rtf", "RTF文档"),
)

_HAS_MARKUP = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|meta|title|table|tr|td|p|div|br|span|h[1-6]|font|center)\b",
    re.I,
)


def _sniff(data: bytes) -> None:
    if not data.strip():
        raise Unreadable("文件是空的", "empty input")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise Unreadable(f"文件不是HTML网页（看起来是{what}）", f"magic bytes {magic!r}")
    head = data[:4096]
    if not any(head.startswith(b) for b, _ in _BOMS) and b"\x00" in head:
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
    return bool(style and _HIDDEN_STYLE.search(style))


_NEVER_BOILERPLATE = frozenset("html body main article form table tbody thead tfoot tr td th".split())


def _boilerplate(el, tag: str) -> bool:
    if tag in _NEVER_BOILERPLATE:
        return False
    named = tag in _BOILERPLATE_TAGS
    if not named:
        names = (el.get("class") or "").split()
        ident = el.get("id")
        if ident:
            names.append(ident.strip())
        named = any(_BOILERPLATE_NAME.match(n) for n in names)
    # Never drop a table: old sites lay out the whole page, report included, in tables.
    return named and next(el.iter("table"), None) is None


def _span(value: str | None, default: int, lo: int, hi: int) -> int:
    if value is None:
        return default
    m = re.match(r"\s*(\d+)", value)
    if not m:
        return default
    return max(lo, min(hi, int(m.group(1))))


def _cell_lines(el, out: list[str]) -> None:
    """Text of an element, with "\\n" at line breaks and block boundaries."""
    tag = _tag(el)
    if not tag:  # comment or processing instruction
        return
    if tag in _SKIP_TAGS or _hidden(el):
        return
    block = tag in _BLOCK_TAGS
    if tag == "br":
        out.append("\n")
    if block:
        out.append("\n")
    if el.text:
        out.append(el.text)
    for child in el:
        _cell_lines(child, out)
        if child.tail:
            out.append(child.tail)
    if block:
        out.append("\n")


def _cell_text(td) -> str:
    out: list[str] = []
    if td.text:
        out.append(td.text)
    for child in td:
        _cell_lines(child, out)
        if child.tail:
            out.append(child.tail)
    return normalize_text("".join(out))


def _rows_of(table) -> list:
    return [tr for tr in table.iter("tr")]


def table_grid(table) -> list[list[str]]:
    """The rectangular text grid of an innermost ``<table>`` element (lxml), spans expanded.

    A ``rowspan`` is clipped at the end of its row group (``thead``/``tbody``/``tfoot``)
    as browsers do; ``rowspan="0"`` spans to the end of the group.
    """
    trs = _rows_of(table)
    if not trs:
        return []
    # Row-group boundaries: index of the last row of each row's group.
    group_end: list[int] = [0] * len(trs)
    start = 0
    for i in range(1, len(trs) + 1):
        if i == len(trs) or trs[i].getparent() is not trs[start].getparent():
            for k in range(start, i):
                group_end[k] = i - 1
            start = i
    from validator import readers as limits

    occupied: dict[tuple[int, int], str] = {}
    width = 0
    for r, tr in enumerate(trs):
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            while (r, c) in occupied:
                c += 1
            cs = _span(td.get("colspan"), 1, 1, 1000)
            rs = _span(td.get("rowspan"), 1, 0, 65534)
            last = group_end[r]
            rs = last - r + 1 if rs == 0 else min(rs, last - r + 1)
            if len(occupied) + rs * cs > limits.MAX_CELLS:  # before a huge span is expanded
                raise limits.too_many_cells(len(occupied) + rs * cs)
            text = "" if _hidden(td) else _cell_text(td)
            for dr in range(rs):
                for dc in range(cs):
                    occupied.setdefault((r + dr, c + dc), text)
            c += cs
            width = max(width, c)
    if width * len(trs) > limits.MAX_CELLS:
        raise limits.too_many_cells(width * len(trs))
    return [[occupied.get((r, c), "") for c in range(width)] for r in range(len(trs))]


_LONG_CELL = 300


def _is_layout_table(table) -> bool:
    for inner in table.iter("table"):
        if inner is not table:
            return True
    cells = [el for el in table.iter("td", "th")]
    if len(cells) <= 1:
        return True
    for td in cells:
        text = td.text_content()
        if len(text) > _LONG_CELL:
            blocks = sum(1 for el in td.iter() if _tag(el) in _BLOCK_TAGS or _tag(el) == "br")
            if blocks >= 2:
                return True
    return False


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.lines = 0
        self.tables = 0
        self.images = 0
        self.cells = 0

    def _grow(self, blocks: int, cells: int) -> None:
        from validator.readers import check_growth

        self.cells += cells
        check_growth(len(self.blocks) + blocks, self.cells)

    def flush(self) -> None:
        if self.buf:
            text = normalize_text("".join(self.buf))
            self.buf.clear()
            if text:
                self._grow(1, 1)
                self.lines += 1
                self.blocks.append(paragraph(text, Position(line=self.lines)))

    def text(self, s: str | None, pre: bool) -> None:
        if not s:
            return
        if pre and "\n" in s:
            first, *rest = s.split("\n")
            self.buf.append(first)
            for line in rest:
                self.flush()
                self.buf.append(line)
        else:
            self.buf.append(s)

    def table(self, table) -> None:
        self.flush()
        caption = next((c for c in table if _tag(c) == "caption"), None)
        if caption is not None:
            self.buf.append(_cell_text(caption))
            self.flush()
        grid = table_grid(table)
        if not any(any(cell for cell in r) for r in grid):
            return
        self._grow(len(grid), sum(len(r) for r in grid))
        self.tables += 1
        t = self.tables
        for r, cells in enumerate(grid, 1):
            self.blocks.append(
                row([(text, Position(table=t, row=r, col=c)) for c, text in enumerate(cells, 1)])
            )

    def walk(self, el, pre: bool = False) -> None:
        tag = _tag(el)
        if not tag:
            return
        if tag == "img":
            self.images += 1
        if tag in _SKIP_TAGS or _hidden(el) or _boilerplate(el, tag):
            return
        if tag == "table" and not _is_layout_table(el):
            self.table(el)
            return
        if tag == "br" or tag == "hr":
            self.flush()
            return
        block = tag in _BLOCK_TAGS
        pre = pre or tag in ("pre", "textarea", "listing", "plaintext")
        if block:
            self.flush()
        self.text(el.text, pre)
        for child in el:
            self.walk(child, pre)
            self.text(child.tail, pre)
        if block:
            self.flush()


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
    count = int(root.xpath("count(//node()[self::* or self::comment() or self::processing-instruction()])")) + 1
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


@guarded("HTML网页无法解析", "网页结构嵌套过深，无法读取")
def read(path: pathlib.Path, data: bytes) -> Document:
    """Read a saved government web page into a :class:`Document` (format ``"html"``)."""
    import lxml.etree
    import lxml.html

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise Unreadable("文件内容无法读取", f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    _sniff(data)
    text, encoding = decode(data)
    if "\x00" in text[:4096]:
        raise Unreadable("文件不是HTML网页（含有二进制内容）", f"NUL characters after decoding as {encoding}")
    if not _HAS_MARKUP.search(text):
        raise Unreadable("文件内容不是HTML网页（没有找到任何HTML标记）",
                         f"no HTML tags found (decoded as {encoding})")
    from validator import readers as limits

    tags = sum(1 for _ in _TAG_OPEN.finditer(text))
    if tags > limits.MAX_HTML_ELEMENTS:
        raise _too_many_elements(tags)
    # The HTML parser of libxml2 knows no DTDs or external entities (an internal subset
    # is read as text); no_network makes sure nothing is ever fetched.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
        recover=True, default_doctype=False, huge_tree=False,
    )
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as e:
        raise Unreadable("HTML网页无法解析", f"{type(e).__name__}: {e}") from None
    _check_tree(root, parser)

    walker = _Walker()
    title = root.find(".//title")
    if title is not None:
        walker.buf.append(title.text_content())
        walker.flush()
    from_title = len(walker.blocks)
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    if not any(b.text for b in walker.blocks[from_title:]):
        hint = "（内容可能以图片形式发布）" if walker.images else ""
        raise Unreadable(
            "网页中没有可读取的正文文字" + hint,
            f"no text outside boilerplate (decoded as {encoding}; {walker.images} image(s))",
        )
    return Document(path=str(path), format="html", blocks=walker.blocks, published=_published(root))


# CMS pages state their publication date in a meta element (PubDate on 政府网站集约化
# platforms, firstpublishedtime on others) or a <publishtime> element of the page template.
_PUBLISHED = ("//meta[translate(@name, 'PUBDATEFIRSTLHIM', 'pubdatefirstlhim')='pubdate']/@content",
              "//meta[translate(@name, 'PUBDATEFIRSTLHIM', 'pubdatefirstlhim')='firstpublishedtime']/@content",
              "//publishtime//text()")


def _published(root) -> str | None:
    for xpath in _PUBLISHED:
        for value in root.xpath(xpath):
            if str(value).strip():
                return str(value).strip()[:40]
    return None
