"""Read any supported file into a :class:`~validator.document.Document`.

The format is detected from the content (magic bytes, markup), the extension only
breaking ties. Each reader lives in its own module and is imported only when needed,
so that checking one text file does not pay for lxml, python-docx or pdfplumber.

Safety ("no traceback, no hang, no harm"): every failure to read a file becomes
:class:`~validator.errors.Unreadable` with a Chinese reason and, where useful, the
technical cause in English; inputs are opened read-only and never written; no reader
touches the network or resolves XML entities. The limits below bound what a hostile or
broken file can cost; each refusal names the limit it hit.
"""
from __future__ import annotations

import codecs
import importlib
import re
import stat
import struct
import warnings
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from ..document import Document
from ..errors import Unreadable

# ----------------------------------------------------------------------------- limits

MAX_BYTES = 50 * 1024 * 1024
"""Largest input file read, in bytes (50 MB). A report is at most a few MB; larger files
are refused before a byte is read."""

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
"""DOCX/XLSX: largest total uncompressed size of the zip members (200 MB), taken from the
zip directory before anything is inflated (Python's zipfile never inflates a member past
its declared size, so the declared sizes bound the real ones)."""

MAX_ZIP_MEMBERS = 10_000
"""DOCX/XLSX: most files a zip may hold. Word and WPS write a few dozen."""

MAX_ZIP_RATIO = 200
"""DOCX/XLSX: highest compression ratio (uncompressed : compressed) of one zip member
larger than :data:`ZIP_RATIO_FLOOR`. Office XML compresses about 5-30 : 1; deflate's
maximum is about 1032 : 1, which only long runs of one byte reach (a zip bomb)."""

ZIP_RATIO_FLOOR = 1024 * 1024
"""Members smaller than this (1 MB uncompressed) are not held to :data:`MAX_ZIP_RATIO`:
they cannot do harm, and tiny parts of repetitive XML compress very well."""

MAX_PDF_PAGES = 300
"""PDF: most pages read (300), counted from the page tree before any page is parsed. An
annual report has 5 to 30 pages."""

MAX_PDF_INFLATED_BYTES = 500 * 1024 * 1024
"""PDF: largest total size of the Flate-compressed streams (content, fonts, object
streams; images are not counted, they are never decoded) once inflated (500 MB),
measured before the PDF is parsed: a stream of zeros compressed 1000 : 1 would otherwise
be inflated in one piece in memory."""

MAX_HTML_DEPTH = 200
"""HTML: deepest element nesting read (200 levels). Real pages nest 20 to 60 levels;
libxml2 silently stops parsing at 256, so deeper pages are refused rather than read in
part."""

MAX_HTML_ELEMENTS = 500_000
"""HTML: most elements (tags) in a page (500 000). A report page has a few thousand."""

MAX_CELLS = 1_000_000
"""Any format: most table cells (grid positions once merged cells are expanded) in one
document (1 000 000). A report has about 500; a table of thousands of rows is read."""

MAX_BLOCKS = 200_000
"""Any format: most blocks (table rows and paragraphs) in one document (200 000)."""


def size_text(n: int) -> str:
    """A byte count for messages: ``200 MB``, ``40 KB``."""
    return f"{n // _MB} MB" if n >= _MB else f"{max(1, n // 1024)} KB"


def too_many_cells(count: int) -> Unreadable:
    """The refusal for a document over :data:`MAX_CELLS`."""
    return Unreadable(f"表格单元格超过 {MAX_CELLS:,} 个上限，不像是年度报告",
                      f"more than {MAX_CELLS} cells ({count})")


def too_many_blocks(count: int) -> Unreadable:
    """The refusal for a document over :data:`MAX_BLOCKS`."""
    return Unreadable(f"文件中的段落和表格行超过 {MAX_BLOCKS:,} 个上限，不像是年度报告",
                      f"more than {MAX_BLOCKS} blocks ({count})")


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MB = 1024 * 1024


# ------------------------------------------------------------------------- zip safety

_EOCD = b"PK\x05\x06"
_CD_ENTRY_MIN = 46  # bytes of a central-directory entry without its name


def _directory_bound(data: bytes) -> int | None:
    """The most members the zip directory can hold, from its size in the
    end-of-central-directory record (None when the record is absent or damaged)."""
    at = data.rfind(_EOCD, max(0, len(data) - 65557))
    if at < 0 or len(data) - at < 22:
        return None
    cd_size = struct.unpack_from("<L", data, at + 12)[0]
    if cd_size > len(data):  # a damaged record: zipfile will say so
        return None
    return cd_size // _CD_ENTRY_MIN  # zipfile reads entries until the size is used up


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a DOCX/XLSX zip after checking the member count. Raises Unreadable."""
    # Parsing a directory costs about 10 µs and 500 bytes per entry: a 50 MB file could
    # announce a million. Refuse early when even 10x the limit could be there (legitimate
    # names average far below the ~400 bytes that would take); count exactly afterwards.
    bound = _directory_bound(data)
    if bound is not None and bound > 10 * MAX_ZIP_MEMBERS:
        raise _too_many_members(f"up to {bound}")
    try:
        z = zipfile.ZipFile(BytesIO(data))
    except Exception as e:  # BadZipFile, and ValueError/OSError/struct.error on mangled headers
        raise Unreadable("压缩包结构损坏，无法打开（DOCX/XLSX 文件可能不完整）",
                         f"{type(e).__name__}: {e}") from None
    if len(z.infolist()) > MAX_ZIP_MEMBERS:
        raise _too_many_members(len(z.infolist()))
    return z


def _too_many_members(n: int | str) -> Unreadable:
    return Unreadable(f"压缩包中的文件数超过 {MAX_ZIP_MEMBERS:,} 个上限，不像是 DOCX/XLSX 文档",
                      f"{n} zip members")


_BAD_NAME = re.compile(r"(^[/\\])|(^[A-Za-z]:)|\\|\x00|(^|/)\.\.?(/|$)|[\x01-\x1f]")

# "<!doctype" and "<!entity" in the encodings an XML parser detects by itself.
_DTD_MARKS = tuple(
    mark.encode(enc)
    for mark in ("<!doctype", "<!entity")
    for enc in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""")
_XML_START = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"),
)
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC


def _looks_like_xml(head: bytes) -> str | None:
    """The encoding family of a member that an XML parser would accept, or None."""
    if head.startswith(_EBCDIC_XML):
        return "ebcdic"
    for start, enc in _XML_START:
        if head.startswith(start):
            return enc
    if head.lstrip(b" \t\r\n").startswith(b"<"):
        return "ascii"
    return None


_XML_CHARSETS = frozenset((
    "utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "unicode", "ascii", "us-ascii",
    "iso-8859-1", "latin1", "latin-1", "gbk", "gb2312", "gb18030",
))
"""Encodings an XML part of a DOCX/XLSX may declare. Office writes UTF-8 (rarely UTF-16);
in these, ``<!DOCTYPE`` can only be written as the bytes the DTD search looks for. Others
are refused: in UTF-7, for one, ``<`` can be written ``+ADw-``."""


def _declared_xml_encoding(head: bytes, family: str) -> str | None:
    """The encoding named by the XML declaration at the start of a part, if any."""
    try:
        text = head.decode("ascii" if family == "ascii" else family, errors="ignore")
    except LookupError:
        return None
    m = _XML_ENCODING.match(text.lstrip("\ufeff \t\r\n").encode("ascii", "ignore"))
    return m.group(1).decode("ascii").lower() if m else None


_XXE = "文件包含 XML 实体声明（DOCTYPE/ENTITY），出于安全原因拒绝读取"


def check_zip(data: bytes, keep: Collection[str] = ()) -> dict[str, bytes]:
    """Inspect a DOCX/XLSX zip before python-docx or openpyxl sees it. Raises Unreadable.
    Returns the content of the members named in ``keep`` (those the caller parses next),
    inflated by the search itself, so that nothing is inflated twice.

    From the zip directory: member count (:data:`MAX_ZIP_MEMBERS`), total uncompressed size
    (:data:`MAX_UNZIPPED_BYTES`), per-member compression ratio (:data:`MAX_ZIP_RATIO`),
    encrypted members, compression methods Office never uses, and member names that try
    path tricks (absolute, ``..``, backslashes, drive letters, control characters) or
    collide (OPC part names are case-insensitive). Then every member that an XML parser
    would accept is searched for a DTD (``<!DOCTYPE``, ``<!ENTITY``) in any encoding a
    parser would detect; XML declaring an encoding outside :data:`_XML_CHARSETS` (in which
    that search might not see the markup) is refused too. Office never writes DTDs.

    This is defence in depth: python-docx parses with lxml ``resolve_entities=False`` (no
    network, no DTD loading: lxml's defaults), openpyxl with the same lxml setting for
    most parts but with the standard library's expat ``iterparse`` for worksheets and
    shared strings (``defusedxml`` is not installed), which leaves external entities
    unresolved ("undefined entity") and, with expat >= 2.4, stops entity amplification.
    """
    with open_zip(data) as z:
        infos = z.infolist()
        total = 0
        seen: dict[str, str] = {}
        for info in infos:
            name = info.filename
            if _BAD_NAME.search(name):
                raise Unreadable("压缩包中含有可疑的文件路径，拒绝读取", f"zip member name {name!r}")
            key = name.casefold()
            if key in seen:
                raise Unreadable("压缩包中有重名的文件，拒绝读取", f"zip members {seen[key]!r} and {name!r}")
            seen[key] = name
            if info.flag_bits & 0x1:
                raise Unreadable("文件已加密（压缩包内容受密码保护），请取消密码后再检查",
                                 f"encrypted zip member {name!r}")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Unreadable("压缩包使用了 Office 文档不使用的压缩方式，无法读取",
                                 f"compression method {info.compress_type} for {name!r}")
            total += info.file_size
            if total > MAX_UNZIPPED_BYTES:
                raise Unreadable(f"文件解压后超过 {size_text(MAX_UNZIPPED_BYTES)} 上限，可能是压缩炸弹",
                                 f"declared uncompressed size over {MAX_UNZIPPED_BYTES} bytes")
            if info.file_size > ZIP_RATIO_FLOOR and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise Unreadable(f"文件中的 {name} 压缩比异常（约 {ratio}:1，上限 {MAX_ZIP_RATIO}:1），可能是压缩炸弹",
                                 f"member {name!r}: {info.file_size} bytes from {info.compress_size}")
        kept: dict[str, bytes] = {}
        for info in infos:
            parts: list[bytes] | None = [] if info.filename in keep else None
            _scan_member(z, info, parts)
            if parts is not None:
                kept[info.filename] = b"".join(parts)
        return kept


def _scan_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, parts: list[bytes] | None = None) -> None:
    """Search one member for a DTD as it is inflated; its content is appended to ``parts``
    when given."""
    name = info.filename
    try:
        with z.open(info) as f:
            head = f.read(4096)
            kind = _looks_like_xml(head)
            if kind == "ebcdic":
                raise Unreadable("文件中的 XML 使用了不支持的字符编码，拒绝读取", f"EBCDIC XML in {name!r}")
            declared = _declared_xml_encoding(head, kind) if kind else None
            if declared is not None and declared not in _XML_CHARSETS:
                raise Unreadable("文件中的 XML 使用了不支持的字符编码，拒绝读取",
                                 f"encoding {declared!r} declared in {name!r}")
            # Every member is searched, XML-looking or not (which parts get parsed as XML
            # is up to [Content_Types].xml and the relationships, both in the file).
            tail = b""
            chunk = head
            while chunk:
                if parts is not None:
                    parts.append(chunk)
                buf = tail + chunk
                # every mark holds the byte "!" (in all five encodings): without it, none can be
                # there; Office XML rarely has one, so the buffer is seldom lowered and searched
                if b"!" in buf:
                    buf = buf.lower()
                    if any(mark in buf for mark in _DTD_MARKS):
                        raise Unreadable(_XXE, f"DOCTYPE/ENTITY in zip member {name!r}")
                tail = buf[-40:]
                chunk = f.read(1 << 20)
    except Unreadable:
        raise
    except Exception as e:  # bad CRC, truncated or corrupt deflate data
        raise Unreadable("压缩包中的文件已损坏，无法读取（DOCX/XLSX 文件可能不完整）",
                         f"zip member {name!r}: {type(e).__name__}: {e}") from None


# ---------------------------------------------------------------------------- formats


@dataclass(frozen=True)
class Format:
    """One format the tool reads: its reader module, how its content starts, the
    extensions that name it, and the reasons shown when its reader fails unforeseen."""

    name: str
    """The format's name (``Document.format``); its reader is ``validator.readers.<name>``
    unless :attr:`module` says otherwise."""
    what: str
    """What such a file is, for messages: 「这是{what}」."""
    extensions: tuple[str, ...] = ()
    """Lower-case suffixes that name the format: they break ties between readers."""
    magic: tuple[bytes, ...] = ()
    """How the content starts (a PDF may have a few bytes before its ``%PDF``)."""
    zip_part: str | None = None
    """For the Office zips: the part that makes a zip this format."""
    found: bool = True
    """Whether files with these extensions are taken from directories (pictures beside a
    saved web page are not reports)."""
    corrupt: str = "文件内容无法解析"
    """The reason when the reader fails in a way it did not foresee (a malformed file)."""
    deep: str = "文件结构嵌套过深，无法读取"
    """The reason when the file nests deeper than Python's recursion limit."""
    module: str = ""
    """The reader module, whose ``read(path, data)`` gives a Document to extract or, for a
    file of reports already extracted (:attr:`reports`), the reports themselves."""
    reports: bool = False
    """The reader gives a list of reports (the canonical long form of ``validator extract``)."""

    def __post_init__(self):
        if not self.module:
            object.__setattr__(self, "module", f"{__name__}.{self.name}")


FORMATS: dict[str, Format] = {f.name: f for f in (
    # what `validator extract` wrote: told by its columns, before the spreadsheet and JSON it also is
    Format("canonical", "规范化数据", (".csv", ".json", ".parquet"), module="validator.canonical",
           reports=True, corrupt="规范化数据文件无法解析", deep="规范化数据文件无法解析"),
    Format("pdf", "PDF文件", (".pdf",), magic=(b"%PDF",)),
    Format("docx", "Word文档（DOCX）", (".docx", ".docm", ".dotx"), zip_part="word/document.xml",
           corrupt="DOCX文件已损坏或格式不正确，无法读取", deep="DOCX文档结构嵌套过深，无法读取"),
    Format("sheet", "Excel表格（XLSX）", (".xlsx", ".xlsm", ".xltx", ".csv"), zip_part="xl/workbook.xml",
           corrupt="表格文件已损坏或格式不正确，无法读取", deep="表格文件结构嵌套过深，无法读取"),
    Format("html", "HTML网页", (".html", ".htm"), corrupt="HTML网页无法解析", deep="网页结构嵌套过深，无法读取"),
    Format("ocr", "图片", (".png", ".jpg", ".jpeg", ".tif", ".tiff"),
           magic=(b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*"), found=False),
    Format("text", "文本文件", (".txt", ".md", ".markdown")),
)}
"""Every format read, in the order content is tried (plain text is what remains)."""

LEGACY_WORD = (".doc", ".wps")
"""Extensions of the binary Word/WPS forms: refused with a "save as .docx" line (and taken
from directories, so that they get it)."""
LEGACY_EXCEL = (".xls", ".et")
"""Extensions of the binary Excel/WPS forms: an OLE2 file so named is told to be saved as .xlsx."""

_ZIP = b"PK\x03\x04"

FOREIGN = (
    (b"%PDF", "PDF文件"), (_ZIP, "ZIP压缩包或DOCX/XLSX等Office文件"), (_OLE[:4], "旧版Word/Excel/WPS文件"),
    (b"\x89PNG", "PNG图片"), (b"\xff\xd8\xff", "JPEG图片"), (b"II*\x00", "TIFF图片"), (b"MM\x00*", "TIFF图片"),
    (b"GIF8", "GIF图片"), (b"\x1f\x8b", "gzip压缩文件"), (b"Rar!", "RAR压缩包"), (b"7z\xbc\xaf", "7z压缩包"),
    (b"{\\rtf", "RTF文档（请另存为 .docx）"), (b"\x7fELF", "程序文件"),
)
"""How the files the tool meets start, and what they are: a reader handed bytes of another
kind says what they look like (:func:`looks_like`)."""


def looks_like(data: bytes) -> tuple[bytes, str] | None:
    """The magic bytes these bytes start with and what they make the file
    (``b"%PDF"``, \"PDF文件\"), or None."""
    return next(((m, what) for m, what in FOREIGN if data.startswith(m)), None)


def refuse_foreign(data: bytes, expected: str, *skip: bytes) -> None:
    """Raise Unreadable when ``data`` starts like a file of another kind than ``expected``
    (\"HTML网页\"); ``skip`` the magic bytes the caller reads itself."""
    for magic, what in FOREIGN:
        if data.startswith(magic) and magic not in skip:
            raise Unreadable(f"文件不是{expected}（看起来是{what}）", f"magic bytes {magic!r}")


def extensions(found: bool = True) -> tuple[str, ...]:
    """The extensions of the readable formats (only those taken from directories with ``found``)."""
    return tuple(e for f in FORMATS.values() if f.found or not found for e in f.extensions)


def by_extension(path: Path) -> tuple[Format, ...]:
    """The formats a file's name suggests (a hint, e.g. to import readers ahead of a batch)."""
    ext = Path(path).suffix.lower()
    return tuple(f for f in FORMATS.values() if ext in f.extensions)


def sniff(path: Path, data: bytes) -> str:
    """Name the format of these bytes (a key of :data:`FORMATS`). The content decides; the
    extension only breaks ties."""
    from .. import canonical

    head = data[:4096]
    ext = path.suffix.lower()
    if canonical.sniff(path, head) is not None:
        return "canonical"
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE):
        if ext in LEGACY_EXCEL:
            raise Unreadable("这是旧版 Excel（.xls）文件，请另存为 .xlsx 后再检查")
        raise Unreadable("这是旧版 Word/WPS 二进制文件（.doc/.wps），请另存为 .docx 后再检查")
    if head.startswith(_ZIP):
        with open_zip(data) as z:
            names = set(z.namelist())
        for f in FORMATS.values():
            if f.zip_part in names:
                return f.name  # .xlsm: macros are never run
        if "xl/workbook.bin" in names:
            raise Unreadable("这是 Excel 二进制工作簿（.xlsb），请另存为 .xlsx 后再检查")
        raise Unreadable("压缩文件不是 DOCX 或 XLSX 文档")
    lowered = head.lower()
    if ext == ".json" or (head.lstrip()[:1] in (b"{", b"[") and _is_json(data)):
        # a markdown or text report may well start with "[" or "{": only JSON that parses
        raise Unreadable("文件看起来是 JSON 数据，但不是本工具导出的规范化数据（须含 row_code、column_code 等列）",
                         "JSON that is not the canonical long form")
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered or ext in FORMATS["html"].extensions:
        return "html"
    if ext == ".csv":
        return "sheet"
    if ext in LEGACY_WORD:
        raise Unreadable("这是旧版 Word/WPS 文件，请另存为 .docx 后再检查")
    for f in FORMATS.values():
        if any(head.startswith(m) for m in f.magic):
            return f.name  # a picture of the tables: read by OCR (validator.readers.ocr)
    foreign = looks_like(head)
    if foreign is not None:
        raise Unreadable(f"这是{foreign[1]}，不是文字版的报告", f"magic bytes {foreign[0]!r}")
    zipped = next((f for f in FORMATS.values() if f.zip_part and ext in f.extensions), None)
    if zipped is not None:
        raise Unreadable(f"文件扩展名是 {ext}，但内容不是 DOCX/XLSX 文档（文件头已损坏或格式不符）",
                         "no zip signature at the start")
    if ext in FORMATS["pdf"].extensions:
        raise Unreadable("文件扩展名是 .pdf，但内容不是 PDF（文件头已损坏或格式不符）", "no %PDF header")
    return "text"


def _is_json(data: bytes) -> bool:
    import json

    try:
        json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False
    return True


def read(path: Path, *, ocr: bool = True, on_ocr=None) -> Document | list:
    """Read one file: a Document to extract or, for a file of reports already extracted
    (the canonical long form, :attr:`Format.reports`), its reports. Raises Unreadable with
    a Chinese reason for anything that fails.

    The file is opened read-only, once, and never written; nothing else is raised (a
    reader bug becomes Unreadable too, with the exception in ``detail``). ``ocr=False``
    reads no image (``--no-ocr``); ``on_ocr()`` is called once if an image is recognised.
    """
    from . import ocr as _ocr

    with _ocr.settings(ocr, on_ocr):
        return _read(Path(path))


def _read(path: Path) -> Document | list:
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise Unreadable("文件不存在") from None
    except (OSError, ValueError) as e:  # permissions, a name the system cannot take
        raise Unreadable("无法访问文件", f"{type(e).__name__}: {e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise Unreadable("这是一个文件夹，不是文件")
    if not stat.S_ISREG(st.st_mode):  # a pipe, socket or device could block or never end
        raise Unreadable("这不是普通文件（可能是管道或设备），拒绝读取", f"st_mode {st.st_mode:o}")
    size = st.st_size
    if size > MAX_BYTES:
        raise Unreadable(f"文件过大（{size_text(size)}，上限 {size_text(MAX_BYTES)}）", f"{size} bytes")
    if size == 0:
        raise Unreadable("文件为空")
    try:
        with open(path, "rb") as f:  # read-only: inputs are never modified
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise Unreadable("无法读取文件", f"{type(e).__name__}: {e}") from None
    if len(data) > MAX_BYTES:  # the file grew after stat()
        raise Unreadable(f"文件过大（超过 {size_text(MAX_BYTES)} 上限）", f"more than {MAX_BYTES} bytes read")
    if not data:
        raise Unreadable("文件为空")
    try:
        kind = sniff(path, data)
    except Unreadable:
        raise
    except Exception as e:  # sniffing must never crash either
        raise Unreadable("无法识别文件格式", f"{type(e).__name__}: {e}") from None
    return parse(kind, path, data)


def parse(kind: str, path: Path, data: bytes) -> Document | list:
    """Read bytes already in memory with the reader of format ``kind`` (a key of
    :data:`FORMATS`): a Document, or reports (:attr:`Format.reports`). Raises Unreadable,
    and nothing else.

    The readers' boundary: the one place where whatever a reader did not foresee (a
    library's exception on a malformed file, a reader bug) becomes Unreadable, with the
    format's own reason and the English cause; readers raise Unreadable for what they
    recognise and let the rest through to here. Every reader gets bytes with some content.
    """
    fmt = FORMATS[kind]
    path = Path(path)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise Unreadable("文件内容无法读取", f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise Unreadable("文件是空的", "empty input")
    try:
        module = importlib.import_module(fmt.module)
    except ImportError as e:
        raise Unreadable("暂不支持该格式", f"{type(e).__name__}: {e}") from None
    try:
        with warnings.catch_warnings():  # library warnings are not for users: one line per file
            warnings.simplefilter("ignore")
            doc = module.read(path, data)
    except Unreadable:
        raise
    except RecursionError:
        raise Unreadable(fmt.deep, "recursion limit exceeded") from None
    except MemoryError:
        raise Unreadable("文件内容过大，内存不足，无法读取", "MemoryError") from None
    except Exception as e:  # a reader bug or a malformed file: never a traceback for users
        raise Unreadable(fmt.corrupt, f"{type(e).__name__}: {e}") from None
    if not fmt.reports:  # a canonical file is held to its row limit (validator.canonical.MAX_ROWS)
        _check_size(doc)
    return doc


def check_growth(blocks: int, cells: int) -> None:
    """Refuse a document grown past :data:`MAX_BLOCKS` blocks or :data:`MAX_CELLS` cells
    (readers that build large grids call this as they go)."""
    if blocks > MAX_BLOCKS:
        raise too_many_blocks(blocks)
    if cells > MAX_CELLS:
        raise too_many_cells(cells)


def _check_size(doc: Document) -> None:
    """The backstop for every reader: the whole document within the limits."""
    check_growth(len(doc.blocks), sum(len(b.cells) for b in doc.blocks))
