"""No traceback, no hang, no harm: limits, safe XML, the fuzz corpus, untouched inputs.

The fuzz corpus lives in ``tests/fuzz/cases`` (built by ``tests/fuzz/make_fuzz.py`` from the
seed and the fixtures; expectations in ``tests/fuzz/expected.json``). Large cases (a table
of thousands of rows, deep nesting, zips and PDFs past the limits) and cases derived from
``../shared/corpus`` are built at test time into temporary directories.
"""
from __future__ import annotations

import ast
import hashlib
import http.server
import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

import validator.readers as readers
from validator.document import Document
from validator.errors import Unreadable
from validator.readers import read
from validator.run import check_paths

from .cli import CliRun, invoke

# one xdist worker runs this module (pytest -n with --dist loadgroup, pyproject.toml): its
# module fixtures are built once
pytestmark = pytest.mark.xdist_group("robustness")


HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FUZZ = HERE / "fuzz"
CASES = FUZZ / "cases"
SAMPLES = ROOT / "samples"
EXPECTED: dict[str, dict] = json.loads((FUZZ / "expected.json").read_text(encoding="utf-8"))
sys.path.insert(0, str(FUZZ))
import make_fuzz  # noqa: E402

CLI_TIMEOUT = 180  # seconds; a hang fails the test instead of blocking the suite
SECRET = "TOPSECRET-7f3a9c-政府信息"


def run_cli(*args: str | Path, timeout: float = CLI_TIMEOUT) -> CliRun:
    """``validator check ARGS``, in-process (tests/cli.py); each file keeps the run's time budget."""
    return invoke("check", *args)


def _status_ok(exp: dict, status: str, reason: str | None, exit_code: int, findings: list[dict]) -> None:
    if exp["outcome"] == "unreadable":
        assert status == "unreadable", (status, findings[:3])
        assert exp["reason"] in (reason or ""), reason
        assert exit_code == 2
    elif exp.get("verdict") == "seed":  # the seed's verdict: no error, no warning
        assert status == "passed", [f["rule"] for f in findings]
        assert not [f for f in findings if f["severity"] in ("error", "warning")]
        assert exit_code == 0
    else:
        assert status != "unreadable", reason
        assert exit_code == exp["exit"]


# --------------------------------------------------------------------- generated cases


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Cases too big to commit, built at test time: name -> (path, expectation)."""
    d = tmp_path_factory.mktemp("fuzz_generated")
    secret = d / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")

    def unreadable(reason: str) -> dict:
        return {"outcome": "unreadable", "stage": "read", "reason": reason}

    cases = {
        "huge_table.html": (make_fuzz.huge_table_html(2000), {"outcome": "readable", "verdict": "seed"}),
        "deep_nesting.html": (make_fuzz.deep_html(100_000), unreadable(f"嵌套超过 {readers.MAX_HTML_DEPTH} 层上限")),
        "many_members.docx": (make_fuzz.many_members_zip(readers.MAX_ZIP_MEMBERS + 1),
                              unreadable(f"文件数超过 {readers.MAX_ZIP_MEMBERS:,} 个上限")),
        "small_bombs.docx": (make_fuzz.small_bombs_zip(readers.MAX_UNZIPPED_BYTES // (1 << 20) + 10),
                             unreadable(f"文件解压后超过 {readers.MAX_UNZIPPED_BYTES // (1 << 20)} MB 上限，可能是压缩炸弹")),
        "many_pages.pdf": (make_fuzz.many_pages_pdf(readers.MAX_PDF_PAGES + 1),
                           unreadable(f"超过 {readers.MAX_PDF_PAGES} 页上限")),
        "flate_bomb.pdf": (make_fuzz.flate_bomb_pdf(readers.MAX_PDF_INFLATED_BYTES // (1 << 20) + 100),
                           unreadable("可能是压缩炸弹")),
        "xxe_python_docx.docx": (make_fuzz.xxe_docx(secret), unreadable("实体声明")),
    }
    out = {}
    for name, (data, exp) in cases.items():
        (d / name).write_bytes(data)
        out[name] = (d / name, exp)
    big = d / "too_big.txt"
    with open(big, "wb") as f:  # sparse: costs no disk
        f.truncate(readers.MAX_BYTES + 1)
    out["too_big.txt"] = (big, unreadable("文件过大"))
    return out


def _all_cases(generated) -> dict[str, tuple[Path, dict]]:
    committed = {name: (CASES / name, exp) for name, exp in EXPECTED.items()}
    return {**committed, **generated}


# ------------------------------------------------------------------ the committed corpus


def test_committed_corpus_is_what_the_generator_builds():
    built = make_fuzz.build()
    assert sorted(p.name for p in CASES.iterdir()) == sorted(built)
    for name, (data, exp) in built.items():
        assert (CASES / name).read_bytes() == data, f"{name}: run python tests/fuzz/make_fuzz.py"
        assert EXPECTED[name] == exp, name
    assert sum(len(d) for d, _ in built.values()) < 1_000_000  # the committed corpus stays small


def test_corpus_covers_the_issue():
    """The cases issue 7 asks for are all there (committed or built at test time)."""
    names = set(EXPECTED)
    for needed in ("truncated.docx", "truncated.xlsx", "truncated.pdf", "truncated.html", "corrupt_directory.docx",
                   "corrupt_xml.docx", "image_pdf_named.txt", "docx_named.html", "empty.txt", "garbage.bin",
                   "seed_utf16le_bom.txt", "seed_utf16le_nobom.txt", "seed_gbk.txt", "seed_mixed_encoding.txt",
                   "zip_bomb.docx", "xxe.docx", "image_only.pdf", "no_tables.html"):
        assert needed in names


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_read_gives_a_document_or_unreadable(name):
    exp = EXPECTED[name]
    refused = exp["outcome"] == "unreadable" and exp["stage"] == "read"
    try:
        doc = read(CASES / name)
    except Unreadable as e:  # anything else fails the test
        assert refused, f"unexpectedly unreadable: {e}"
        assert exp["reason"] in e.reason
        assert any("\u4e00" <= ch <= "\u9fff" for ch in e.reason)  # a Chinese reason
        assert e.detail is None or isinstance(e.detail, str)  # the technical cause
        return
    assert isinstance(doc, Document)
    assert not refused, "expected Unreadable"


@pytest.fixture(scope="module")
def api_batch() -> dict[str, object]:
    """Every committed case checked by the API in one in-process batch (``jobs=1``; the CLI
    batch test below reads them in worker processes): {name: file result}. Y009 is left out
    of the catalogue: the batch holds many copies of the seed, which are duplicates of each
    other, not anything a case does."""
    from validator import rules

    catalogue = {k: r for k, r in rules.load().items() if k != "Y009"}
    names = sorted(EXPECTED)
    result = check_paths([CASES / n for n in names], jobs=1, rules=catalogue)
    # each file's result as the run of that file alone (its exit code from its status)
    return {n: replace(result, files=[f]) for n, f in zip(names, result.files)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_api_outcome(api_batch, name):
    result = api_batch[name]
    (f,) = result.files
    _status_ok(EXPECTED[name], f.status, f.reason, result.exit_code, f.findings)


# ---------------------------------------------------------------- generated, in process


@pytest.mark.parametrize("name", ["deep_nesting.html", "many_members.docx", "small_bombs.docx",
                                  "many_pages.pdf", "xxe_python_docx.docx", "too_big.txt"])
def test_generated_case(generated, name):
    """read() of each generated case; its check's verdict is in the batch test below (the
    generated cases are part of that batch), its CLI line in the unreadable-file test.
    The two that cost most to read, the 600 MB flate bomb (zlib inflates it to the 500 MB
    limit: a second) and the 2000-row table, are read once, in that batch, which asserts
    the same of them: the bomb unreadable with its reason, the table the seed's verdict."""
    path, exp = generated[name]
    if exp["outcome"] == "unreadable":
        with pytest.raises(Unreadable) as err:
            read(path)
        assert exp["reason"] in err.value.reason
    else:
        assert isinstance(read(path), Document)


# ------------------------------------------------------------------------------- CLI


def _unreadable_cases(generated) -> dict[str, tuple[Path, dict]]:
    return {n: v for n, v in _all_cases(generated).items() if v[1]["outcome"] == "unreadable"}


@pytest.fixture(scope="module")
def cli_runs() -> dict[str, CliRun]:
    """``validator check <file>`` once per committed unreadable case. The generated ones (the
    bombs: reading one to its limit costs up to a second) get their CLI line in the batch
    test below, which asserts each unreadable file's one line and reason there, and their
    read() in test_generated_case."""
    return {name: run_cli(path) for name, (path, _) in _unreadable_cases({}).items()}


def test_each_unreadable_file_exits_2_with_one_line(cli_runs):
    cases = _unreadable_cases({})
    assert set(cli_runs) == set(cases)
    for name, (path, exp) in cases.items():
        r = cli_runs[name]
        assert "Traceback" not in r.stderr + r.stdout, name
        assert r.returncode == 2, (name, r.returncode, r.stderr)
        lines = r.stderr.splitlines()
        assert len(lines) == 1, (name, lines)
        assert lines[0].startswith(f"{path}: 无法读取：{''}"), lines[0]
        assert exp["reason"] in lines[0], (name, lines[0])


def _fingerprint(paths: list[Path]) -> dict[str, tuple[str, int, int]]:
    out = {}
    for p in paths:
        st = p.stat()
        out[str(p)] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_size)
    return out


def test_batch_check_reports_every_file_and_leaves_inputs_untouched(generated, tmp_path):
    """One ``validator check`` over the whole corpus + samples/ (+ the generated cases):
    one stderr line per unreadable file, the verdict of each file as expected, no
    traceback, and every input byte-identical with the same mtime afterwards."""
    gen_dir = next(iter(generated.values()))[0].parent
    dirs = [CASES, SAMPLES, gen_dir]
    inputs = sorted(p for d in dirs for p in d.rglob("*") if p.is_file())
    listing = {d: sorted(p.name for p in d.rglob("*")) for d in dirs}
    before = _fingerprint(inputs)
    report = tmp_path / "report.json"
    r = run_cli(*dirs, "--format", "json", "--output", report, timeout=600)
    assert "Traceback" not in r.stderr + r.stdout
    assert r.returncode == 2, r.stderr[-2000:]
    assert _fingerprint(inputs) == before
    assert {d: sorted(p.name for p in d.rglob("*")) for d in dirs} == listing  # nothing written beside inputs

    result = json.loads(report.read_text(encoding="utf-8"))
    by_path = {f["path"]: f for f in result["files"]}
    from validator.discover import REPORT_EXTENSIONS

    # a directory run takes the files with a report extension (issue 11): the others are not listed
    cases = _all_cases(generated).values()
    assert not [p for p, _ in cases if p.suffix.lower() not in REPORT_EXTENSIONS and str(p) in by_path]
    expectations = {str(p): exp for p, exp in cases if p.suffix.lower() in REPORT_EXTENSIONS}
    samples = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    lines = r.stderr.splitlines()
    unreadable = [f for f in result["files"] if f["status"] == "unreadable"]
    assert len(lines) == len(unreadable)
    for f in unreadable:
        assert sum(line.startswith(f"{f['path']}: 无法读取：") for line in lines) == 1, f["path"]
    for path, exp in expectations.items():  # the line gives the reason (the generated cases are run only here)
        if exp["outcome"] == "unreadable":
            (line,) = [ln for ln in lines if ln.startswith(f"{path}: 无法读取：")]
            assert exp["reason"] in line, line
    for path, exp in expectations.items():
        f = by_path[path]
        if exp["outcome"] == "unreadable":
            assert f["status"] == "unreadable" and exp["reason"] in f["reason"], (path, f["status"], f["reason"])
        elif exp.get("verdict") == "seed":
            # the batch holds many copies of one report, truncated ones among them: Y009
            # (two different reports of one body and year) is right there, nothing else is
            other = [x["rule"] for x in f["findings"] if x["severity"] in ("error", "warning") and x["rule"] != "Y009"]
            assert f["status"] == "passed" and other == [], (path, other)
        else:
            assert f["status"] == {0: "passed", 1: "failed", 2: "unreadable-in-part"}[exp["exit"]], path
    for name, exp in samples.items():
        f = by_path[str(SAMPLES / name)]
        assert f["status"] == ("failed" if exp["exit"] == 1 else "passed"), name


def test_fifo_is_refused_without_blocking(tmp_path):
    """A named pipe would block ``open()`` until a writer comes: the reader refuses it
    from ``stat()`` (run in a subprocess so that a regression fails instead of hanging)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    code = ("import sys; from pathlib import Path; from validator.readers import read; from validator.errors import "
            "Unreadable\ntry:\n read(Path(sys.argv[1]))\nexcept Unreadable as e:\n print(e.reason)")
    r = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "不是普通文件" in r.stdout, r.stderr


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(Unreadable, match="文件夹"):
        read(tmp_path)
    with pytest.raises(Unreadable, match="不存在"):
        read(tmp_path / "nope.txt")


# ------------------------------------------------------------------------------- limits


def test_every_limit_is_a_named_constant_with_a_docstring():
    tree = ast.parse(Path(readers.__file__).read_text(encoding="utf-8"))
    body = tree.body
    documented = set()
    for node, nxt in zip(body, body[1:]):
        if isinstance(node, ast.Assign) and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) \
                and isinstance(nxt.value.value, str):
            documented.update(t.id for t in node.targets if isinstance(t, ast.Name))
    limits = {"MAX_BYTES", "MAX_UNZIPPED_BYTES", "MAX_ZIP_MEMBERS", "MAX_ZIP_RATIO", "ZIP_RATIO_FLOOR",
              "MAX_PDF_PAGES", "MAX_PDF_INFLATED_BYTES", "MAX_HTML_DEPTH", "MAX_HTML_ELEMENTS", "MAX_CELLS",
              "MAX_BLOCKS"}
    assert limits <= documented
    assert (readers.MAX_BYTES, readers.MAX_UNZIPPED_BYTES, readers.MAX_ZIP_MEMBERS, readers.MAX_PDF_PAGES) == (
        50 << 20, 200 << 20, 10_000, 300)


SEED_DOCX = make_fuzz.SEED_DOCX
SEED_XLSX = make_fuzz.SEED_XLSX
SEED_PDF = make_fuzz.SEED_PDF
SEED_HTML = make_fuzz.SEED_HTML


def _copy(tmp_path: Path, src: Path, name: str | None = None) -> Path:
    p = tmp_path / (name or src.name)
    p.write_bytes(src.read_bytes())
    return p


def test_seed_files_pass_every_limit(tmp_path):
    for src in (SEED_DOCX, SEED_XLSX, SEED_PDF, SEED_HTML, make_fuzz.SEED):
        assert isinstance(read(_copy(tmp_path, src)), Document), src


def test_file_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_BYTES", 1024)
    with pytest.raises(Unreadable, match=r"文件过大（8 KB，上限 1 KB）"):
        read(_copy(tmp_path, make_fuzz.SEED))


def test_unzipped_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UNZIPPED_BYTES", 40 * 1024)
    with pytest.raises(Unreadable, match="文件解压后超过 40 KB 上限，可能是压缩炸弹"):
        read(_copy(tmp_path, SEED_DOCX))
    with pytest.raises(Unreadable, match="可能是压缩炸弹"):
        read(_copy(tmp_path, SEED_XLSX))


def test_member_count_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ZIP_MEMBERS", 5)
    with pytest.raises(Unreadable, match="文件数超过 5 个上限"):
        read(_copy(tmp_path, SEED_DOCX))


def test_ratio_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ZIP_RATIO", 10)
    monkeypatch.setattr(readers, "ZIP_RATIO_FLOOR", 1024)
    with pytest.raises(Unreadable, match=r"文件中的 word/\S+\.xml 压缩比异常（约 \d+:1，上限 10:1），可能是压缩炸弹"):
        read(_copy(tmp_path, SEED_DOCX))


@pytest.mark.parametrize("name", ["../evil.xml", "/abs.xml", "word\\..\\x.xml", "C:/x.xml", "word/./x.xml"])
def test_path_tricks(tmp_path, name):
    p = tmp_path / "t.docx"
    p.write_bytes(make_fuzz.rezip(SEED_DOCX.read_bytes(), add=[(name, b"<x/>")]))
    with pytest.raises(Unreadable, match="可疑的文件路径"):
        read(p)


def test_case_insensitive_duplicate_part_names(tmp_path):
    p = tmp_path / "t.docx"
    p.write_bytes(make_fuzz.rezip(SEED_DOCX.read_bytes(), add=[("WORD/Document.xml", b"<x/>")]))
    with pytest.raises(Unreadable, match="重名"):
        read(p)


def test_pdf_page_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_PDF_PAGES", 1)
    with pytest.raises(Unreadable, match=r"PDF文件超过 1 页上限（共 \d+ 页）"):
        read(_copy(tmp_path, SEED_PDF))


def test_pdf_inflate_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_PDF_INFLATED_BYTES", 1 << 20)
    p = tmp_path / "bomb.pdf"
    p.write_bytes(make_fuzz.flate_bomb_pdf(3))
    with pytest.raises(Unreadable, match="解压后超过 1 MB 上限，可能是压缩炸弹"):
        read(p)


def test_pdf_inflate_limit_counts_chained_filters(tmp_path, monkeypatch):
    import zlib

    monkeypatch.setattr(readers, "MAX_PDF_INFLATED_BYTES", 1 << 20)
    twice = zlib.compress(zlib.compress(b" " * (3 << 20), 9), 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(twice) + twice + b"\nendstream"]
    p = tmp_path / "twice.pdf"
    p.write_bytes(make_fuzz._pdf(objs))
    with pytest.raises(Unreadable, match="压缩炸弹"):
        read(p)


def test_html_element_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_HTML_ELEMENTS", 100)
    with pytest.raises(Unreadable, match="元素（标签）超过 100 个上限"):
        read(_copy(tmp_path, SEED_HTML))


def test_html_depth_limit(tmp_path, monkeypatch):
    p = tmp_path / "deep.html"
    p.write_bytes(make_fuzz.deep_html(readers.MAX_HTML_DEPTH - 10))
    assert isinstance(read(p), Document)  # under the limit: read
    monkeypatch.setattr(readers, "MAX_HTML_DEPTH", 50)
    with pytest.raises(Unreadable, match="嵌套超过 50 层上限"):
        read(p)


def test_html_huge_text_node_is_refused_not_truncated(tmp_path):
    p = tmp_path / "big.html"
    p.write_bytes(b"<html><body><p>" + "台".encode() * 4_000_000 + b"</p><table><tr><td>1</td><td>2</td></tr></table></body></html>")
    with pytest.raises(Unreadable, match="超出解析器的限制"):
        read(p)


def test_html_span_cannot_blow_up_the_grid(tmp_path):
    rows = "".join("<tr><td colspan=1000>x</td></tr>" for _ in range(2000))
    p = tmp_path / "spans.html"
    p.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    with pytest.raises(Unreadable, match="单元格超过"):
        read(p)


def test_docx_span_cannot_blow_up_the_grid(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_CELLS", 10_000)
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="1000"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
    tbl = "<w:tbl>" + "".join(f"<w:tr>{cell}{cell}</w:tr>" for _ in range(20)) + "</w:tbl>"
    p = tmp_path / "spans.docx"
    p.write_bytes(make_fuzz.minimal_docx(tbl))
    with pytest.raises(Unreadable, match="单元格超过 10,000 个上限"):
        read(p)


def test_text_block_and_cell_limits(tmp_path, monkeypatch):
    seed = _copy(tmp_path, make_fuzz.SEED)
    monkeypatch.setattr(readers, "MAX_BLOCKS", 20)
    with pytest.raises(Unreadable, match="段落和表格行超过 20 个上限"):
        read(seed)
    monkeypatch.setattr(readers, "MAX_BLOCKS", 200_000)
    monkeypatch.setattr(readers, "MAX_CELLS", 50)
    with pytest.raises(Unreadable, match="单元格超过 50 个上限"):
        read(seed)


# ----------------------------------------------------------------------------- safe XML


def _docx_with_entity(secret_uri: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("台前县2020年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    buf = io.BytesIO()
    d.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        xml = z.read("word/document.xml")
    dtd = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret_uri}">]>'
    return make_fuzz.rezip(buf.getvalue(), {"word/document.xml": make_fuzz.with_doctype(xml, dtd, "&xxe;")})


def _text_of(doc: Document) -> str:
    return "\n".join(c.text for b in doc.blocks for c in b.cells)


def test_xxe_docx_is_refused(tmp_path):
    """A real DOCX (python-docx) whose document.xml declares an external entity pointing at
    a local secret and uses it in the text: refused, or read without the secret."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    p = tmp_path / "xxe.docx"
    p.write_bytes(_docx_with_entity(secret.as_uri()))
    try:
        doc = read(p)
    except Unreadable as e:
        assert e.reason == "文件包含 XML 实体声明（DOCTYPE/ENTITY），出于安全原因拒绝读取"
        assert SECRET not in str(e)
    else:
        assert SECRET not in _text_of(doc)
    r = run_cli(p)
    assert r.returncode == 2 and SECRET not in r.stdout + r.stderr and "实体声明" in r.stderr


def test_python_docx_alone_does_not_resolve_entities(tmp_path, monkeypatch):
    """Without our zip check, python-docx's own parser (lxml, resolve_entities=False) leaves
    the entity unresolved: the secret never reaches the text."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    monkeypatch.setattr(readers, "check_zip", lambda data, keep=(): {})
    p = tmp_path / "xxe.docx"
    p.write_bytes(_docx_with_entity(secret.as_uri()))
    try:
        doc = read(p)
    except Unreadable as e:
        assert SECRET not in str(e)
    else:
        assert SECRET not in _text_of(doc)
        assert "一、总体情况" in _text_of(doc)  # the rest of the document is read


def _xlsx_with_entity(uri: str, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    data = SEED_XLSX.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(member).decode("utf-8")
    dtd = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{uri}">]>'
    end = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
    xml = xml[:end] + dtd + xml[end:]
    xml = xml.replace("<t>", "<t>&xxe;", 1) if "<t>" in xml else xml.replace("<v>", "<v>&xxe;", 1)
    return make_fuzz.rezip(data, {member: xml.encode("utf-8")})


def test_xxe_xlsx_is_refused_and_openpyxl_alone_does_not_resolve_it(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    p = tmp_path / "xxe.xlsx"
    p.write_bytes(_xlsx_with_entity(secret.as_uri()))
    with pytest.raises(Unreadable, match="实体声明"):
        read(p)
    monkeypatch.setattr(readers, "check_zip", lambda data, keep=(): {})
    try:
        doc = read(p)
    except Unreadable as e:  # expat: "undefined entity"
        assert SECRET not in str(e)
    else:
        assert SECRET not in _text_of(doc)


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "LEAKED">')

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _Recorder.hits = []
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_no_reader_touches_the_network(tmp_path, monkeypatch, http_server):
    """External entities, external DTDs and parameter entities pointing at a local HTTP
    server, in DOCX, XLSX and HTML, read with our zip check switched off: the libraries
    never fetch anything."""
    monkeypatch.setattr(readers, "check_zip", lambda data, keep=(): {})
    files = {
        "e.docx": _docx_with_entity(f"{http_server}/docx-entity"),
        "e.xlsx": _xlsx_with_entity(f"{http_server}/xlsx-entity"),
        "e2.xlsx": _xlsx_with_entity(f"{http_server}/xlsx-workbook", "xl/workbook.xml"),
        "e.html": (f'<!DOCTYPE html SYSTEM "{http_server}/html-dtd" [<!ENTITY % p SYSTEM "{http_server}/html-pe"> %p;'
                   f'<!ENTITY leak SYSTEM "{http_server}/html-entity">]><html><body><p>&leak;一、总体情况</p>'
                   f'<img src="{http_server}/img.png"><table><tr><td>a</td><td>1</td></tr></table></body></html>'
                   ).encode("utf-8"),
    }
    for name, data in files.items():
        p = tmp_path / name
        p.write_bytes(data)
        try:
            doc = read(p)
        except Unreadable:
            continue
        assert "LEAKED" not in _text_of(doc)
    assert _Recorder.hits == []


def test_zip_check_accepts_what_office_writes():
    """Word/WPS/Excel files (the fixtures) pass the zip check; the DTD search is not fooled
    by a member in UTF-16."""
    for src in (SEED_DOCX, SEED_XLSX):
        readers.check_zip(src.read_bytes())
    docx_ = SEED_DOCX.read_bytes()
    with zipfile.ZipFile(io.BytesIO(docx_)) as z:
        xml = z.read("word/document.xml").decode("utf-8").replace("UTF-8", "UTF-16", 1)
    utf16 = make_fuzz.rezip(docx_, {"word/document.xml": b"\xff\xfe" + xml.encode("utf-16-le")})
    readers.check_zip(utf16)  # UTF-16 without DTD: fine
    with pytest.raises(Unreadable, match="实体声明"):
        readers.check_zip(make_fuzz.rezip(docx_, {"word/document.xml": make_fuzz.with_doctype(
            xml.replace("UTF-16", "UTF-8", 1).encode(), "<!DOCTYPE x>").decode().encode("utf-16-be")}))


# ------------------------------------------------------------- corpus-derived (tmp only)


FLIPPED_PDF = "014_huaian_hongze_district_gov_2023.pdf"
"""The one corpus PDF whose byte flips are read: a flipped PDF still parses page by page
(0.6–1.3 s each), the same damage on each; every PDF's truncations are read."""


def test_corpus_derived_damage_never_raises_anything_else(corpus, tmp_path):
    """Truncations and byte flips of real reports (built here, in tmp_path; never
    committed): read gives a Document or Unreadable, nothing else."""
    import random

    rng = random.Random(7)
    sources = sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".pdf", ".md", ".docx", ".html", ".txt"))
    assert sources and FLIPPED_PDF in {p.name for p in sources}
    n = 0
    for src in sources:
        data = src.read_bytes()
        variants = [data[: len(data) * k // 5] for k in (1, 3)]
        flipped = bytearray(data)
        for _ in range(20):  # drawn for every file, so each file's flips stay the same
            i = rng.randrange(len(flipped))
            flipped[i] ^= 1 << rng.randrange(8)
        if src.suffix.lower() != ".pdf" or src.name == FLIPPED_PDF:
            variants.append(bytes(flipped))
        for k, v in enumerate(variants):
            p = tmp_path / f"{src.stem}.{k}{src.suffix}"
            p.write_bytes(v)
            n += 1
            try:
                assert isinstance(read(p), Document)
            except Unreadable as e:
                assert e.reason
    assert n >= 3


def test_damaged_canonical_csv_is_unreadable(tmp_path):
    from validator.canonical import REQUIRED

    cols = sorted(REQUIRED)
    p = tmp_path / "cells.csv"
    p.write_text(",".join(cols) + "\n" + ",".join(["x"] * len(cols)) + "\n", encoding="utf-8")
    r = run_cli(p)
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1, r.stderr
