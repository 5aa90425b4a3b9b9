"""Build the fuzz corpus in ``tests/fuzz/cases/`` and its expectations ``tests/fuzz/expected.json``.

Every case is derived from the seed report ``samples/taiqian_2020.txt`` or from the test
fixtures made from it (``tests/fixtures/``): never from ``../shared/corpus`` (files derived
from the corpus are only ever built at test time, into a temporary directory). The
committed files are small; the big ones (a table of thousands of rows, deeply nested HTML,
zips past the member or size limits, a PDF past the page limit) are built at test time by
the functions below, which the tests import.

Run ``python tests/fuzz/make_fuzz.py`` to rebuild; ``tests/test_robustness.py`` checks that
the committed files are what this script builds (the builds are deterministic).

Each expectation says what ``validator check <file>`` does with the case:

* ``{"outcome": "unreadable", "reason": "<substring of the Chinese reason>"}``: exit 2,
  one line on stderr naming the file; ``stage`` is ``"read"`` when
  ``validator.readers.read`` itself refuses the file, ``"extract"`` when the file reads
  but holds no 表三/表四;
* ``{"outcome": "readable", "verdict": "seed"}``: the seed's verdict: exit 0, no error
  or warning findings (the seed has none);
* ``{"outcome": "readable", "exit": 1}``: read, with error findings (damaged content).
"""
from __future__ import annotations

import io
import json
import random
import re
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CASES = HERE / "cases"
EXPECTED = HERE / "expected.json"
SEED = ROOT / "samples" / "taiqian_2020.txt"
FIXTURES = ROOT / "tests" / "fixtures"
SEED_HTML = FIXTURES / "taiqian_2020.html"
SEED_XLSX = FIXTURES / "taiqian_2020.xlsx"
SEED_DOCX = FIXTURES / "multiform" / "taiqian_2020_from_html.docx"
SEED_PDF = FIXTURES / "multiform" / "taiqian_2020_from_docx.pdf"

# A fixed date for every zip member written here, so that builds are byte-identical.
_DATE = (2020, 1, 1, 0, 0, 0)


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# ------------------------------------------------------------------------ zip helpers


def rezip(data: bytes, replace: dict[str, bytes | None] | None = None,
          add: list[tuple[str, bytes]] = (), level: int = 6) -> bytes:
    """Rewrite a zip: members replaced (None drops one), extra members appended."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = replace.get(info.filename, zin.read(info.filename))
            if body is None:
                continue
            zout.writestr(_info(info.filename), body, compresslevel=level)
        for name, body in add:
            zout.writestr(_info(name), body, compresslevel=level)
    return out.getvalue()


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def minimal_docx(body_xml: str = "<w:p><w:r><w:t>台前县2020年政府信息公开工作年度报告</w:t></w:r></w:p>",
                 extra: list[tuple[str, bytes]] = ()) -> bytes:
    """The smallest DOCX python-docx opens (content types, package rels, document)."""
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Default Extension="bin" ContentType="application/octet-stream"/>'
          '<Override PartName="/word/document.xml" ContentType="application/'
          'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f'<w:body>{body_xml}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in (("[Content_Types].xml", ct.encode()), ("_rels/.rels", rels.encode()),
                           ("word/document.xml", doc.encode()), *extra):
            z.writestr(_info(name), body, compresslevel=9)
    return out.getvalue()


def with_doctype(xml: bytes, doctype: str, use: str | None = None) -> bytes:
    """Insert a DOCTYPE after the XML declaration; ``use`` is put before the first text."""
    s = xml.decode("utf-8")
    end = s.index("?>") + 2 if s.startswith("<?xml") else 0
    s = s[:end] + doctype + s[end:]
    if use:
        s = re.sub(r"(<w:t(?: [^>]*)?>)", lambda m: m.group(1) + use, s, count=1)
    return s.encode("utf-8")


def xxe_docx(secret: Path) -> bytes:
    """A DOCX written by python-docx whose document.xml declares an external entity that
    points at ``secret`` (a local file) and uses it in the text."""
    import docx

    d = docx.Document()
    d.add_paragraph("台前县2020年政府信息公开工作年度报告")
    for line in seed_text().splitlines()[:12]:
        if line.strip():
            d.add_paragraph(line.strip())
    buf = io.BytesIO()
    d.save(buf)
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml")
    dtd = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    return rezip(data, {"word/document.xml": with_doctype(xml, dtd, "&xxe;")})


# ----------------------------------------------------------------------------- PDFs


def image_pdf(text: str = "台前县 2020", pages: int = 1, size=(200, 80)) -> bytes:
    """A PDF whose pages are images only (no text layer), made with Pillow."""
    from PIL import Image, ImageDraw

    imgs = []
    for i in range(pages):
        im = Image.new("L", size, 255)
        ImageDraw.Draw(im).text((8, 8), f"{text} {i + 1}".encode("ascii", "replace").decode(), fill=0)
        imgs.append(im)
    buf = io.BytesIO()
    imgs[0].save(buf, "PDF", save_all=pages > 1, append_images=imgs[1:], resolution=72)
    data = buf.getvalue()
    # Pillow stamps the current time: pin it so the build is reproducible.
    return re.sub(rb"/(CreationDate|ModDate) \(D:\d+[^)]*\)", rb"/\1 (D:20200101000000)", data)


def flate_bomb_pdf(inflated_mb: int) -> bytes:
    """A one-page PDF whose content stream is ``inflated_mb`` MB of spaces, Flate-compressed
    (about 1000:1). Built from one compressed megabyte repeated (full flushes make the
    pieces independent), so that even a gigabyte takes no time to build."""
    import zlib

    mb = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(mb) + c.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty last block
    adler = 1
    for _ in range(inflated_mb):
        adler = zlib.adler32(mb, adler)
    stream = b"\x78\xda" + block * inflated_mb + final + struct.pack(">I", adler)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return _pdf(objs)


def _pdf(objs: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def many_pages_pdf(pages: int) -> bytes:
    """A PDF with ``pages`` empty pages (one shared page tree)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"] * pages
    return _pdf(objs)


# ----------------------------------------------------------------------- HTML helpers


def huge_table_html(rows: int = 5000, cols: int = 8) -> bytes:
    """The seed page with an extra table of ``rows`` rows appended after the report."""
    page = SEED_HTML.read_bytes().decode("gb18030")
    rng = random.Random(rows)
    body = "".join(
        "<tr>" + "".join(f"<td>{rng.randint(0, 9999)}</td>" for _ in range(cols)) + "</tr>\n"
        for _ in range(rows))
    table = f"<p>附表 统计明细</p><table border=1>{body}</table>"
    i = page.lower().rindex("</body>")
    return (page[:i] + table + page[i:]).encode("gb18030")


def deep_html(depth: int = 100_000) -> bytes:
    """A page nested ``depth`` levels deep, with the seed's title at the bottom."""
    return ("<html><head><title>台前县2020年政府信息公开工作年度报告</title></head><body>"
            + "<div>" * depth + "<p>一、总体情况</p>" + "</div>" * depth + "</body></html>").encode("utf-8")


def raw_zip(members: list[tuple[str, bytes]], compressed: dict[str, tuple[int, int, bytes]] | None = None) -> bytes:
    """Write a zip by hand: ``members`` deflated here, ``compressed`` given as
    ``name -> (size, crc32, raw deflate bytes)`` (so one compressed body can be reused)."""
    import zlib

    entries = []
    for name, body in members:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        entries.append((name, len(body), zlib.crc32(body), c.compress(body) + c.flush()))
    entries += [(name, *v) for name, v in (compressed or {}).items()]
    out, central = bytearray(), bytearray()
    for name, size, crc, comp in entries:
        n = name.encode("utf-8")
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(comp), size, len(n), 0) + n + comp
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(comp), size,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    at = len(out)
    out += central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), at, 0)
    return bytes(out)


def _docx_parts() -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(minimal_docx())) as z:
        return [(n, z.read(n)) for n in z.namelist()]


def small_bombs_zip(members: int, size: int = (1 << 20) - 1) -> bytes:
    """A DOCX-looking zip of ``members`` members of ``size`` zero bytes each: each is
    under :data:`~validator.readers.ZIP_RATIO_FLOOR`, together they pass
    :data:`~validator.readers.MAX_UNZIPPED_BYTES`."""
    import zlib

    body = b"\0" * size
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    comp = c.compress(body) + c.flush()
    crc = zlib.crc32(body)
    return raw_zip(_docx_parts(), {f"word/media/zeros{i}.bin": (size, crc, comp) for i in range(members)})


def many_members_zip(n: int) -> bytes:
    """A DOCX-looking zip with ``n`` more (empty) members."""
    return raw_zip(_docx_parts() + [(f"word/media/m{i}.bin", b"") for i in range(n)])


# --------------------------------------------------------------------------- the cases


def _set_flag(data: bytes, member: str, bit: int) -> bytes:
    """Set a general-purpose flag bit of one member in both its local and central headers."""
    buf = bytearray(data)
    name = member.encode()
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        i = buf.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", buf, i + (26 if sig == b"PK\x03\x04" else 28))[0]
            if bytes(buf[i + name_at:i + name_at + n]) == name:
                flags = struct.unpack_from("<H", buf, i + flag_at)[0]
                struct.pack_into("<H", buf, i + flag_at, flags | bit)
            i = buf.find(sig, i + 4)
    return bytes(buf)


def _member_offset(data: bytes, member: str) -> int:
    """Offset of a member's compressed data."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(member)
    off = info.header_offset
    n, m = struct.unpack_from("<HH", data, off + 26)
    return off + 30 + n + m


def _duplicate(data: bytes, member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(_info(info.filename), zin.read(info.filename))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name": that is the point
            zout.writestr(_info(member), b"<w:document/>")
    return out.getvalue()


def build() -> dict[str, tuple[bytes, dict]]:
    """Every committed case: file name -> (bytes, expectation)."""
    seed = seed_text()
    rng = random.Random(20200101)
    docx_ = SEED_DOCX.read_bytes()
    xlsx = SEED_XLSX.read_bytes()
    page = SEED_HTML.read_bytes()
    page_text = page.decode("gb18030")
    pdf = SEED_PDF.read_bytes()
    seed_ok = {"outcome": "readable", "verdict": "seed"}

    def unreadable(reason: str, what: str, stage: str = "read") -> dict:
        return {"outcome": "unreadable", "stage": stage, "reason": reason, "what": what}

    def readable(what: str, **kw) -> dict:
        return {**seed_ok, "what": what, **kw}

    cases: dict[str, tuple[bytes, dict]] = {}

    # --- empty, garbage, wrong kinds
    cases["empty.txt"] = (b"", unreadable("文件为空", "empty file"))
    cases["garbage.bin"] = (bytes(rng.randrange(256) for _ in range(4096)),
                            unreadable("文件不是文本", "4 KB of random bytes"))
    cases["old_word.doc"] = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(2048)),
                             unreadable("旧版 Word", "an OLE2 (.doc) header and garbage"))
    cases["pdf_header_garbage.pdf"] = (b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(4096)),
                                       unreadable("PDF文件", "a PDF header followed by random bytes"))
    cases["not_canonical.json"] = (b'[{"a": 1}, {"b": ', unreadable("JSON", "broken JSON that is not canonical data"))

    # --- text encodings of the seed
    cases["seed_utf16le_bom.txt"] = (b"\xff\xfe" + seed.encode("utf-16-le"), readable("the seed in UTF-16 LE with BOM"))
    cases["seed_utf16be_bom.txt"] = (b"\xfe\xff" + seed.encode("utf-16-be"), readable("the seed in UTF-16 BE with BOM"))
    cases["seed_utf16le_nobom.txt"] = (seed.encode("utf-16-le"), readable("the seed in UTF-16 LE without BOM"))
    cases["seed_utf8_bom.txt"] = (b"\xef\xbb\xbf" + seed.encode("utf-8"), readable("the seed in UTF-8 with BOM"))
    cases["seed_gbk.txt"] = (seed.encode("gbk"), readable("the seed in GBK"))
    half = len(seed) // 2
    cases["seed_mixed_encoding.txt"] = (
        seed[:half].encode("gbk") + seed[half:].encode("utf-8"),
        unreadable("字符编码", "first half GBK, second half UTF-8: no one encoding fits"))
    raw = seed.encode("utf-8")
    cut = len(raw) - 1
    while (raw[cut] & 0xC0) == 0x80:
        cut -= 1
    cases["seed_truncated_utf8.txt"] = (raw[:cut + 1], readable("the seed cut in the middle of its last character"))
    nul = bytearray(raw)
    for at in sorted(rng.sample(range(len(raw)), 5), reverse=True):
        if (nul[at] & 0xC0) != 0x80 and nul[at] < 0x80:
            nul[at:at] = b"\x00"
    cases["seed_with_nul.txt"] = (bytes(nul), readable("the seed with a few NUL bytes inserted"))

    # --- wrong extensions
    cases["image_pdf_named.txt"] = (image_pdf(), unreadable("未找到表格文字", "an image-only PDF named .txt"))
    cases["docx_named.html"] = (docx_, readable("the seed DOCX named .html"))
    cases["xlsx_named.docx"] = (xlsx, readable("the seed XLSX named .docx"))
    cases["html_named.pdf"] = (page, readable("the seed HTML page named .pdf"))

    # --- PDF
    cases["image_only.pdf"] = (image_pdf(pages=2), unreadable("未找到表格文字", "a PDF of two images, no text layer"))
    cases["truncated.pdf"] = (pdf[:20000], unreadable("PDF", "the seed PDF cut after 20 KB"))

    # --- HTML
    cases["truncated.html"] = (page[: len(page) * 45 // 100],
                               {"outcome": "readable", "exit": 2, "what": "the seed page cut at 45% (表三 present, 表四 lost: unreadable in part)"})
    body = re.search(r"<body.*?>", page_text, re.S | re.I).end()
    paras = "".join(f"<p>{line}</p>" for line in seed.splitlines()[:30] if line.strip() and "\t" not in line)
    cases["no_tables.html"] = (
        (page_text[:body] + paras + "</body></html>").encode("gb18030"),
        unreadable("未找到表三、表四", "the seed's narrative with no table", stage="extract"))
    cases["seed_utf16.html"] = (
        b"\xff\xfe" + page_text.replace("charset=gb2312", "charset=utf-16").encode("utf-16-le"),
        readable("the seed page in UTF-16 with BOM"))
    cases["seed_utf8_lying_meta.html"] = (page_text.encode("utf-8"),
                                          readable("the seed page in UTF-8 that declares gb2312"))
    unbalanced = re.sub(r"</t[dr]>", "", page_text)  # no closing cell/row tags: browsers cope
    cases["unclosed_cells.html"] = (unbalanced.encode("gb18030"), readable("the seed page without </td> and </tr>"))
    cases["binary_in_html.html"] = (
        page[:3000] + bytes(rng.randrange(256) for _ in range(3000)) + page[3000:6000],
        unreadable("二进制", "the start of the seed page with 3 KB of random bytes in its head"))

    # --- DOCX / XLSX (zip)
    cases["truncated.docx"] = (docx_[: len(docx_) // 2], unreadable("压缩包", "the seed DOCX cut in half"))
    cases["truncated.xlsx"] = (xlsx[: len(xlsx) * 2 // 3], unreadable("压缩包", "the seed XLSX cut at two thirds"))
    corrupt = bytearray(docx_)
    cd = corrupt.find(b"PK\x01\x02")
    corrupt[cd:cd + 64] = bytes(rng.randrange(256) for _ in range(64))
    cases["corrupt_directory.docx"] = (bytes(corrupt), unreadable("压缩包", "the seed DOCX with its zip directory scrambled"))
    crc = bytearray(docx_)
    at = _member_offset(docx_, "word/document.xml") + 2000
    crc[at:at + 32] = bytes(rng.randrange(256) for _ in range(32))
    cases["corrupt_member.docx"] = (bytes(crc), unreadable("压缩包中的文件已损坏", "deflate data of document.xml scrambled"))
    with zipfile.ZipFile(io.BytesIO(docx_)) as z:
        doc_xml = z.read("word/document.xml")
    cases["corrupt_xml.docx"] = (rezip(docx_, {"word/document.xml": doc_xml[: len(doc_xml) // 2]}),
                                 unreadable("XML", "valid zip, document.xml cut in half"))
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    cases["corrupt_xml.xlsx"] = (rezip(xlsx, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]}),
                                 unreadable("损坏", "valid zip, sheet1.xml cut in half"))
    cases["not_office.zip"] = (rezip(minimal_docx(), {"word/document.xml": None, "[Content_Types].xml": None},
                                     add=[("readme.txt", "台前县".encode())]),
                               unreadable("不是 DOCX 或 XLSX", "a zip that is no Office document"))
    cases["zip_bomb.docx"] = (minimal_docx(extra=[("word/media/zeros.bin", b"\0" * (8 << 20))]),
                              unreadable("压缩炸弹", "a DOCX with an 8 MB member of zeros (about 1000:1)"))
    cases["path_traversal.docx"] = (rezip(docx_, add=[("../../evil.txt", b"x")]),
                                    unreadable("可疑的文件路径", "the seed DOCX with a member named ../../evil.txt"))
    cases["duplicate_member.docx"] = (_duplicate(docx_, "word/document.xml"),
                                      unreadable("重名", "the seed DOCX with a second word/document.xml"))
    cases["encrypted_member.docx"] = (_set_flag(docx_, "word/document.xml", 0x1),
                                      unreadable("加密", "the seed DOCX with document.xml flagged encrypted"))
    secret_dtd = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
    cases["xxe.docx"] = (rezip(docx_, {"word/document.xml": with_doctype(doc_xml, secret_dtd, "&xxe;")}),
                         unreadable("实体声明", "the seed DOCX with an external entity (file:///etc/hostname) in its text"))
    laughs = ('<!DOCTYPE r [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
              + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
              + "]>")
    cases["billion_laughs.xlsx"] = (rezip(xlsx, {"xl/worksheets/sheet1.xml": with_doctype(sheet, laughs)}),
                                    unreadable("实体声明", "the seed XLSX with nested internal entities in sheet1.xml"))
    utf16_dtd = with_doctype(doc_xml.replace(b"UTF-8", b"UTF-16", 1), secret_dtd, "&xxe;").decode("utf-8")
    cases["xxe_utf16.docx"] = (rezip(docx_, {"word/document.xml": b"\xff\xfe" + utf16_dtd.encode("utf-16-le")}),
                               unreadable("实体声明", "the XXE DOCX with document.xml in UTF-16"))
    utf7 = doc_xml.replace(b"UTF-8", b"UTF-7", 1)
    cases["utf7_xml.docx"] = (rezip(docx_, {"word/document.xml": utf7}),
                              unreadable("字符编码", "the seed DOCX whose document.xml declares UTF-7"))
    return cases


def main() -> None:
    cases = build()
    CASES.mkdir(exist_ok=True)
    for old in CASES.iterdir():
        if old.name not in cases:
            old.unlink()
    for name, (data, _) in cases.items():
        (CASES / name).write_bytes(data)
    expected = {name: exp for name, (_, exp) in cases.items()}
    EXPECTED.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    total = sum(len(d) for d, _ in cases.values())
    print(f"{len(cases)} cases, {total // 1024} KB in {CASES.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
