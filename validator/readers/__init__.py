"""Read any supported file into a :class:`~validator.document.Document`.

The format is detected from the content (magic bytes, markup), the extension only
breaking ties. Each reader lives in its own module and is imported only when needed,
so that checking one text file does not pay for lxml, python-docx or pdfplumber.
"""
from __future__ import annotations

import importlib
import zipfile
from io import BytesIO
from pathlib import Path

from ..document import Document
from ..errors import Unreadable

MAX_BYTES = 50 * 1024 * 1024

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path, data: bytes) -> str:
    """Name the reader module for these bytes."""
    head = data[:4096]
    ext = path.suffix.lower()
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE):
        if ext in (".xls", ".et"):
            raise Unreadable("这是旧版 Excel（.xls）文件，请另存为 .xlsx 后再检查")
        raise Unreadable("这是旧版 Word/WPS 二进制文件（.doc/.wps），请另存为 .docx 后再检查")
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile as e:
            raise Unreadable("压缩包结构损坏，无法打开（DOCX/XLSX 文件可能不完整）", str(e)) from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "sheet"  # .xlsx, .xlsm (macros are never run), .xltx
        if "xl/workbook.bin" in names:
            raise Unreadable("这是 Excel 二进制工作簿（.xlsb），请另存为 .xlsx 后再检查")
        raise Unreadable("压缩文件不是 DOCX 或 XLSX 文档")
    lowered = head.lower()
    if ext in (".json",) or head.lstrip()[:1] in (b"{", b"["):
        return "canonical"
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered or ext in (".html", ".htm"):
        return "html"
    if ext == ".csv":
        return "sheet"
    if ext in (".doc", ".wps"):
        raise Unreadable("这是旧版 Word/WPS 文件，请另存为 .docx 后再检查")
    return "text"


def read(path: Path) -> Document:
    """Read one file. Raises Unreadable with a Chinese reason for anything that fails."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise Unreadable("文件不存在") from None
    except OSError as e:
        raise Unreadable("无法访问文件", str(e)) from None
    if path.is_dir():
        raise Unreadable("这是一个文件夹，不是文件")
    if size > MAX_BYTES:
        raise Unreadable(f"文件过大（{size // 1024 // 1024} MB，上限 {MAX_BYTES // 1024 // 1024} MB）")
    if size == 0:
        raise Unreadable("文件为空")
    try:
        with open(path, "rb") as f:  # read-only: inputs are never modified
            data = f.read()
    except OSError as e:
        raise Unreadable("无法读取文件", str(e)) from None
    kind = sniff(path, data)
    try:
        module = importlib.import_module(f"{__name__}.{kind}")
    except ModuleNotFoundError as e:
        raise Unreadable(f"暂不支持该格式（{kind}）", str(e)) from None
    try:
        return module.read(path, data)
    except Unreadable:
        raise
    except Exception as e:  # a reader bug or a malformed file: never a traceback for users
        raise Unreadable("文件内容无法解析", f"{type(e).__name__}: {e}") from e
