"""Decoding bytes of text-like files: BOM, UTF-8, then the Chinese legacy encodings."""
from __future__ import annotations

from pathlib import Path

from ..errors import Unreadable

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes, path: Path | None = None, declared: str | None = None) -> str:
    """Decode text: a BOM wins, then a declared charset, then UTF-8, then detection.

    GBK and GB2312 are decoded as GB18030, their superset. Raises Unreadable when no
    encoding fits.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    candidates = []
    if declared:
        d = declared.strip().lower()
        candidates.append("gb18030" if d in ("gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936") else d)
    candidates += ["utf-8"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as e:
            if enc == "utf-8" and e.start >= len(data) - 3 and e.reason == "unexpected end of data":
                return data[:e.start].decode("utf-8")  # a file cut in its last character
            continue
        except LookupError:
            continue
    if b"\x00" in data[:4096]:
        # UTF-16 without BOM, or binary
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if sum(ch.isprintable() or ch.isspace() for ch in text[:2000]) > 0.95 * min(len(text), 2000):
                return text
        raise Unreadable("文件不是文本（含二进制内容）", "binary data")
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise Unreadable("无法识别文件的字符编码", "no charset fits")
    return str(best)
