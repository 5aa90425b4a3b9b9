"""Text as the readers and the value parser see it: decoding, normalisation and the
character classes (CJK, dash marks, numbers) every module shares.

One place for each: a reader decodes with :func:`decode` (or, for a format with its own
declaration rules such as HTML, maps the declared name with :func:`codec_name`), joins
and collapses its text with :func:`normalize_text`, and asks :data:`CJK` whether a space
between two characters is a real one. :mod:`validator.values` reads cells with
:data:`DASHES` and :data:`NUMBER`.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

from .errors import Unreadable

# ----------------------------------------------------------------------- classes

IDEOGRAPHS = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
"""CJK ideographs (a regex class body): unified with extension A, compatibility, extensions B..G."""

CJK = ("\u2e80-\u33ff" + IDEOGRAPHS + "\ufe30-\ufe4f\uff00-\uffef"
       "\u2018-\u201f\u2014\u2015\u2026\u00b7")
"""Characters of Chinese text (a regex class body): radicals, CJK punctuation 、。（）「」,
kana, bopomofo, enclosed forms, the ideographs, compatibility and full-width forms
（）：，０-９, and the quotes and dashes of Chinese typesetting ‘’“”—―…·. No space is ever
needed between two of them."""

CHINESE_NUMERALS = "零〇一二两三四五六七八九十百千"
"""Characters of a number written in Chinese (a regex class body; 万 is left to the callers
that read amounts past ten thousand)."""

DASH_MARKS = frozenset("-—/－")
"""Characters that, repeated alone, write "none" in a cell: ``-``, ``——``, ``//``."""

DASHES = frozenset({"/", "／", "-", "－", "—", "——", "–", "无", "\\", "、", "－－", "--", "/ "})
"""Whole cells that write "none" instead of a number (read as state ``dash``, never 0)."""

NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
"""A plain number, thousands separated by commas or not."""

WITH_UNIT = re.compile(r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<unit>万元|元|件|条|个|项|次|起)$")
"""A number followed by its unit (万元, 元, 件, …)."""


def is_dash(s: str) -> bool:
    """A compacted cell that writes "none" (see :data:`DASHES`, :data:`DASH_MARKS`)."""
    return s in DASHES or (bool(s) and set(s) <= DASH_MARKS)


# ------------------------------------------------------------------ normalisation

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# a CJK character, then the whitespace to drop (the character is put back): a pattern that starts with a
# character class is scanned for by the regex engine, a lookbehind is tried at every position
_CJK_GAP = re.compile(f"([{CJK}])\\s+(?=[{CJK}])")
_CJK_CHAR = re.compile(f"[{CJK}]")
_WS_RUN = re.compile(r"\s+")  # str pattern: Unicode whitespace, incl. U+00A0 and U+3000


def normalize_text(text: str) -> str:
    """Collapse whitespace; drop it entirely between two CJK characters (and drop
    zero-width characters and soft hyphens).

    Line breaks count as whitespace, so the lines of one cell are joined with no separator
    between CJK characters and one space otherwise: ``结果<br>维持`` reads ``结果维持`` while
    ``1. 属于国家秘密`` keeps its space.
    """
    text = _INVISIBLE.sub("", text)
    return _WS_RUN.sub(" ", _CJK_GAP.sub(r"\1", text)).strip()


_APART = "\ufdd0"  # a noncharacter, neither whitespace nor CJK: no pattern above crosses it


def normalize_all(texts: list[str]) -> list[str]:
    """:func:`normalize_text` of each text (a table's cells), each pattern run once over
    them all, joined by a noncharacter that no pattern crosses (text by text if one holds it)."""
    joined = _WS_RUN.sub(" ", _CJK_GAP.sub(r"\1", _INVISIBLE.sub("", _APART.join(texts))))
    out = [t.strip() for t in joined.split(_APART)]
    return out if len(out) == len(texts) else [normalize_text(t) for t in texts]


def is_cjk(ch: str) -> bool:
    """Whether a character (the first of ``ch``) is of Chinese text (:data:`CJK`)."""
    return bool(_CJK_CHAR.match(ch))


@lru_cache(maxsize=1 << 16)
def compact(raw: str | None) -> str:
    """A cell's text as compared by content: NFKC (full-width to half-width), no whitespace."""
    return _WS_RUN.sub("", unicodedata.normalize("NFKC", raw or ""))


# ----------------------------------------------------------------------- decoding

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

GB_ALIASES = frozenset((
    "gb2312", "gbk", "gb18030", "cp936", "ms936", "windows-936", "euc-cn", "euccn", "x-gbk",
    "x-euc-cn", "gb-2312-80", "gb2312-80", "csgb2312", "chinese", "iso-ir-58", "csgb231280",
    "gb-18030", "x-gb2312", "gb-2312", "936",
))
"""Names files give the GB family (GB2312, GBK, CP936, EUC-CN, GB18030), lower case with
``-`` for ``_``: all decoded as GB18030, their superset."""

_UTF8_ALIASES = frozenset(("utf8", "utf-8", "unicode-1-1-utf-8", "utf8mb4", "x-utf-8"))
_BIG5_ALIASES = frozenset(("big5", "big5-hkscs", "cn-big5", "x-x-big5", "csbig5", "cp950", "ms950"))


def codec_name(name: str | bytes | None) -> str | None:
    """The Python codec for a declared or detected charset name, or None when there is none.
    The GB family is GB18030, Big5 is Big5-HKSCS (supersets)."""
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    n = name.strip().lower().replace("_", "-")
    if n in GB_ALIASES:
        return "gb18030"
    if n in _UTF8_ALIASES:
        return "utf-8"
    if n in _BIG5_ALIASES:
        return "big5hkscs"  # traditional-character mirror sites
    if n in ("unicode", "utf-16", "ucs-2"):
        return "utf-16"
    try:
        info = codecs.lookup(n)
    except LookupError:
        return None
    return "gb18030" if info.name in ("gb2312", "gbk", "gb18030") else info.name


_TEXT_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode a text file (plain text, markdown, CSV): a BOM wins, then a declared charset,
    then UTF-8, then UTF-16 without BOM, GB18030 and detection. Raises Unreadable when no
    encoding fits."""
    for bom, enc in _TEXT_BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    candidates = [c for c in (codec_name(declared),) if c] + ["utf-8"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as e:
            if enc == "utf-8" and e.start >= len(data) - 3 and e.reason == "unexpected end of data":
                return data[:e.start].decode("utf-8")  # a file cut in its last character
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
