"""Property-based fuzzing (hypothesis) of the text and HTML readers and of the whole check.

Real reports are mutated: random byte edits (flip, insert, delete, duplicate, truncate)
and structure edits (drop, duplicate and shuffle lines, rows and cells, swap labels, insert
random numbers, unbalanced and stray tags, absurd spans). The property: every example ends
in a Document / a result with a findings list, or in ``Unreadable`` with a reason; never
another exception.

Seeds: ``samples/taiqian_2020.txt``, ``tests/fixtures/taiqian_2020.html`` and, when
``../shared/corpus`` is present, its markdown reports (mutated in memory and in a
temporary directory, never committed). ``derandomize=True`` keeps runs reproducible;
there is no deadline (no wall-clock assertion: a hang is caught by the CLI tests'
timeouts in ``test_robustness.py``).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator.document import Document
from validator.errors import Unreadable
from validator.readers import read
from validator.run import STATUSES, check_paths

HERE = Path(__file__).resolve().parent
SEED = HERE.parent / "samples" / "taiqian_2020.txt"
SEED_HTML = HERE / "fixtures" / "taiqian_2020.html"

SEED_BYTES = SEED.read_bytes()
SEED_TEXT = SEED_BYTES.decode("utf-8")
HTML_BYTES = SEED_HTML.read_bytes()
HTML_TEXT = HTML_BYTES.decode("gb18030")

# Examples per property: enough to keep every mutation kind exercised in the suite's budget
# (the check properties draw up to BATCH reports per example); VALIDATOR_FUZZ_EXAMPLES=1000
# for a deep run.
EXAMPLES = int(os.environ.get("VALIDATOR_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
FEW = settings(FUZZ, max_examples=max(1, EXAMPLES * 2 // 3))


# --------------------------------------------------------------------------- mutations


@st.composite
def byte_mutations(draw, data: bytes) -> bytes:
    """Up to 8 random byte edits of ``data``."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "replace"]))
        i = draw(st.integers(0, max(0, len(buf) - 1)))
        if op == "flip" and buf:
            buf[i] ^= draw(st.integers(1, 255))
        elif op == "insert":
            buf[i:i] = draw(st.binary(min_size=1, max_size=32))
        elif op == "delete":
            del buf[i:i + draw(st.integers(1, 256))]
        elif op == "duplicate":
            buf[i:i] = buf[i:i + draw(st.integers(1, 512))]
        elif op == "truncate":
            del buf[i:]
        elif op == "replace":
            n = draw(st.integers(1, 64))
            buf[i:i + n] = draw(st.binary(min_size=n, max_size=n))
    return bytes(buf)


_NUMBERS = st.one_of(
    st.integers(-10**15, 10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "-", "—", "/", "无", "１２", "1,234", "1.5e3", "", " ", "0x1F", "٣", "Ⅻ", "10%", "NaN"]),
)
_JUNK_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def _swap_first_cells(lines: list[str], i: int, j: int) -> None:
    a, b = lines[i].split("\t"), lines[j].split("\t")
    a[0], b[0] = b[0], a[0]
    lines[i], lines[j] = "\t".join(a), "\t".join(b)


@st.composite
def line_mutations(draw, text: str) -> str:
    """Structure edits of a text/markdown report: lines and tab/pipe cells."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            lines.append(draw(_JUNK_TEXT))
            continue
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "duplicate", "shuffle", "swap_labels", "number", "cells", "junk",
                                   "move", "pipes"]))
        if op == "drop":
            del lines[min(i, j):max(i, j) + 1][: draw(st.integers(1, 20))]
        elif op == "duplicate":
            lines[i:i] = lines[j:j + draw(st.integers(1, 10))]
        elif op == "shuffle":
            lo, hi = min(i, j), min(max(i, j) + 1, min(i, j) + 30)
            lines[lo:hi] = draw(st.permutations(lines[lo:hi]))
        elif op == "swap_labels":
            rows = [k for k, ln in enumerate(lines) if "\t" in ln]
            if len(rows) >= 2:
                a, b = draw(st.sampled_from(rows)), draw(st.sampled_from(rows))
                _swap_first_cells(lines, a, b)
        elif op == "number":
            cells = lines[i].split("\t")
            k = draw(st.integers(0, len(cells)))
            if draw(st.booleans()) and k < len(cells):
                cells[k] = draw(_NUMBERS)
            else:
                cells.insert(k, draw(_NUMBERS))
            lines[i] = "\t".join(cells)
        elif op == "cells":
            cells = lines[i].split("\t")
            how = draw(st.sampled_from(["drop", "duplicate", "shuffle"]))
            k = draw(st.integers(0, max(0, len(cells) - 1)))
            if how == "drop" and len(cells) > 1:
                del cells[k]
            elif how == "duplicate":
                cells.insert(k, cells[k])
            else:
                cells = draw(st.permutations(cells))
            lines[i] = "\t".join(cells)
        elif op == "junk":
            lines.insert(i, draw(_JUNK_TEXT))
        elif op == "move":
            lines.insert(j, lines.pop(i))
        elif op == "pipes":
            lines[i] = "|" + lines[i].replace("\t", "|") + "|"
    return "\n".join(lines) + ("\n" if draw(st.booleans()) else "")


_TR = re.compile(r"<tr\b.*?</tr>", re.S | re.I)
_TD = re.compile(r"<t[dh]\b[^>]*>.*?</t[dh]>", re.S | re.I)
_SPAN = re.compile(r"\b(rowspan|colspan)\s*=\s*[\"']?\d+[\"']?", re.I)
_TAG = re.compile(r"<[^<>]*>")
_STRAY = st.sampled_from([
    "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "<tbody>", "</tbody>", "<div>", "</div>",
    "<p>", "</p>", "<br>", "<td rowspan=0>", "<td colspan=999>", "<td rowspan=65534>", "<!--", "-->", "<script>",
    "</script>", "<style>", "<table><tr><td>", "<caption>", "<![CDATA[", "<?xml version='1.0'?>", "&#0;", "&#xD800;",
    "&nbsp;", "&amp", "<", ">", "<td hidden>", "<tr style='display:none'>", "<html>", "</html>", "<body>", "<meta charset=utf-8>",
])


@st.composite
def html_mutations(draw, page: str) -> str:
    """Structure edits of an HTML page: rows, cells, labels, numbers, spans, stray and missing tags."""
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["drop_row", "dup_row", "shuffle_rows", "drop_cell", "dup_cell", "swap_labels",
                                   "number", "span", "stray", "unclose", "drop_tag"]))
        # the page's rows or cells, found only for the edits that use them (the same draws either way)
        rows = list(_TR.finditer(page)) if op in ("drop_row", "dup_row", "shuffle_rows") else []
        cells = list(_TD.finditer(page)) if op in ("drop_cell", "dup_cell", "swap_labels", "number") else []
        if op in ("drop_row", "dup_row") and rows:
            m = draw(st.sampled_from(rows))
            page = page[:m.start()] + (m.group(0) * 2 if op == "dup_row" else "") + page[m.end():]
        elif op == "shuffle_rows" and len(rows) >= 2:
            k = draw(st.integers(0, len(rows) - 2))
            chosen = rows[k:k + draw(st.integers(2, 12))]
            texts = draw(st.permutations([m.group(0) for m in chosen]))
            out, last = [], 0
            for m, t in zip(chosen, texts):
                out += [page[last:m.start()], t]
                last = m.end()
            page = "".join(out) + page[last:]
        elif op in ("drop_cell", "dup_cell") and cells:
            m = draw(st.sampled_from(cells))
            page = page[:m.start()] + (m.group(0) * 2 if op == "dup_cell" else "") + page[m.end():]
        elif op == "swap_labels" and len(cells) >= 2:
            a, b = sorted(draw(st.lists(st.sampled_from(cells), min_size=2, max_size=2, unique_by=lambda m: m.start())),
                          key=lambda m: m.start())
            page = page[:a.start()] + b.group(0) + page[a.end():b.start()] + a.group(0) + page[b.end():]
        elif op == "number" and cells:
            m = draw(st.sampled_from(cells))
            inner = _TAG.sub("", m.group(0))
            page = page[:m.start()] + f"<td>{draw(_NUMBERS)}{inner[:5] if draw(st.booleans()) else ''}</td>" + page[m.end():]
        elif op == "span":
            spans = list(_SPAN.finditer(page))
            if spans:
                m = draw(st.sampled_from(spans))
                page = page[:m.start()] + f'{m.group(1)}="{draw(st.integers(0, 10**6))}"' + page[m.end():]
        elif op == "stray":
            at = draw(st.integers(0, len(page)))
            page = page[:at] + draw(_STRAY) + page[at:]
        elif op == "unclose":
            closing = [m for m in _TAG.finditer(page) if m.group(0).startswith("</")]
            if closing:
                for m in sorted(draw(st.lists(st.sampled_from(closing), max_size=20, unique_by=lambda m: m.start())),
                                key=lambda m: -m.start()):
                    page = page[:m.start()] + page[m.end():]
        elif op == "drop_tag":
            tags = list(_TAG.finditer(page))
            if tags:
                m = draw(st.sampled_from(tags))
                page = page[:m.start()] + page[m.end():]
    return page


def _encode(text: str, how: str) -> bytes:
    if how == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le", "surrogatepass")
    return text.encode(how, "surrogatepass" if how == "utf-8" else "replace")


# ------------------------------------------------------------------------------ checks


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _read_ok(path: Path) -> Document | None:
    """read(): a Document, or None for Unreadable (with a reason); anything else propagates."""
    try:
        doc = read(path)
    except Unreadable as e:
        assert e.reason and isinstance(e.reason, str)
        return None
    assert isinstance(doc, Document)
    return doc


def _check_ok(paths: list[Path]) -> None:
    """The whole check of a batch: every file an unreadable file with a reason and no
    findings, or a verdict that follows from its findings; every finding a rule of the
    catalogue, about the template's cells, in the template's labels, with its message
    rendered. One batch per example (the batch path users run), so each example checks
    several mutated reports for the cost of one run."""
    from validator.template import TEMPLATE

    result = check_paths(paths)
    assert [Path(f.path).name for f in result.files] == [p.name for p in paths]
    statuses = {f.status for f in result.files}
    assert statuses <= set(STATUSES)
    assert result.exit_code == (2 if statuses & {"unreadable", "unreadable-in-part"} else 1 if "failed" in statuses
                                else 0)
    for f in result.files:
        if f.status == "unreadable":
            assert f.reason and not f.findings
            continue
        errors = [x for x in f.findings if x.severity == "error" and not x.review]
        wrong = [x for x in errors if not result.rules[x.rule].unread]  # an unread rule: could not read
        assert f.status == ("failed" if wrong else "unreadable-in-part" if errors else "passed")
        for x in f.findings:
            assert x.rule in result.rules and x.message
            if x.table_code is not None:
                table = TEMPLATE[x.table_code]
                assert x.table == table.label
                if x.row_code is not None:
                    assert x.row == table.row(x.row_code).display
                if x.column_code is not None:
                    table.column(x.column_code)


def _write(workdir: Path, name: str, data: bytes) -> Path:
    p = workdir / name
    p.write_bytes(data)
    return p


@FUZZ
@given(data=byte_mutations(SEED_BYTES))
def test_text_reader_survives_byte_mutations(workdir, data):
    _read_ok(_write(workdir, "bytes.txt", data))


@FUZZ
@given(text=line_mutations(SEED_TEXT), how=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_text_reader_survives_structure_mutations(workdir, text, how):
    _read_ok(_write(workdir, "lines.txt", _encode(text, how)))


@FUZZ
@given(data=byte_mutations(HTML_BYTES))
def test_html_reader_survives_byte_mutations(workdir, data):
    _read_ok(_write(workdir, "bytes.html", data))


@FUZZ
@given(page=html_mutations(HTML_TEXT), how=st.sampled_from(["gb18030", "utf-8", "utf-16"]))
def test_html_reader_survives_structure_mutations(workdir, page, how):
    _read_ok(_write(workdir, "structure.html", _encode(page, how)))


# Mutated reports per checked batch: the check properties draw lists of this many at most.
BATCH = 4


def _batch(workdir, data, docs, suffix: str, encode) -> list:
    """The files of one checked batch: each (text, flips) encoded, its bytes mutated too when
    ``flips``."""
    paths = []
    for i, (doc, flips) in enumerate(docs):
        raw = encode(doc)
        if flips:
            raw = data.draw(byte_mutations(raw))
        paths.append(_write(workdir, f"check{i}.{suffix}", raw))
    return paths


@FEW
@given(texts=st.lists(st.tuples(line_mutations(SEED_TEXT), st.booleans()), min_size=1, max_size=BATCH), data=st.data())
def test_check_survives_mutated_text_reports(workdir, texts, data):
    _check_ok(_batch(workdir, data, texts, "txt", lambda text: text.encode("utf-8", "surrogatepass")))


@FEW
@given(pages=st.lists(st.tuples(html_mutations(HTML_TEXT), st.booleans()), min_size=1, max_size=BATCH), data=st.data())
def test_check_survives_mutated_html_reports(workdir, pages, data):
    _check_ok(_batch(workdir, data, pages, "html", lambda page: page.encode("gb18030", "replace")))


@pytest.fixture(scope="module")
def corpus_markdown(corpus) -> list[tuple[str, str]]:
    files = sorted(p for p in corpus.glob("*.md") if p.name != "INDEX.md")
    if not files:
        pytest.skip("no markdown report in the corpus")
    return [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in files]


@FEW
@given(data=st.data())
def test_check_survives_mutated_corpus_markdown(workdir, corpus_markdown, data):
    paths = []
    for i in range(data.draw(st.integers(1, BATCH))):
        name, text = data.draw(st.sampled_from(corpus_markdown))
        mutated = data.draw(line_mutations(text)).encode("utf-8", "surrogatepass")
        if data.draw(st.booleans()):
            mutated = data.draw(byte_mutations(mutated))
        paths.append(_write(workdir, f"corpus{i}_" + name, mutated))
        _read_ok(paths[-1])
    _check_ok(paths)
