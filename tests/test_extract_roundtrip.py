"""`validator extract` round-trips: checking the extracted canonical file gives the same findings."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from validator.cli import main

from .conftest import SAMPLES

KEYS = ("rule", "severity", "table_code", "row_code", "column_code", "reported", "expected", "message")


def findings(path):
    res = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    data = json.loads(res.output)
    return res.exit_code, [sorted(tuple(f[k] for k in KEYS) for f in x["findings"]) for x in data["files"]]


@pytest.fixture(scope="module")
def of_source():
    """findings(path) of each source report, checked once for the three formats."""
    cache: dict = {}

    def get(path):
        if path not in cache:
            cache[path] = findings(path)
        return cache[path]

    return get


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
@pytest.mark.parametrize("name", ["taiqian_2020.txt", "taiqian_2020_changed_cell.txt", "taiqian_2020_blank_total.txt"])
def test_roundtrip(of_source, tmp_path, fmt, name):
    src = SAMPLES / name
    out = tmp_path / f"cells.{fmt}"
    res = CliRunner().invoke(main, ["extract", str(src), "--format", fmt, "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert findings(out) == of_source(src)


def test_roundtrip_corpus(tmp_path, corpus):
    src = corpus / "004_shanghai_stcsm_kewei_2024.md"
    out = tmp_path / "cells.csv"
    assert CliRunner().invoke(main, ["extract", str(src), "--output", str(out)]).exit_code == 0
    assert findings(out) == findings(src)


def test_extract_columns_and_values(tmp_path):
    import pandas as pd

    out = tmp_path / "cells.csv"
    CliRunner().invoke(main, ["extract", str(SAMPLES / "taiqian_2020.txt"), "--output", str(out)])
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert list(df.columns[:10]) == ["file", "body", "year", "template", "table", "row_code", "row_label",
                                     "column_code", "column_label", "value"]
    total = df[(df.table == "t3") & (df.row_code == "results.total") & (df.column_code == "total")]
    assert total.value.tolist() == [4.0] and total.row_label.tolist() == ["（七）总计"]
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_canonical_file_with_unknown_codes_or_no_cells_is_unreadable(tmp_path):
    header = ("file,body,year,template,table,row_code,row_label,column_code,column_label,value,raw,state,source,"
              "page,line,grid_table,grid_row,grid_col,note\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "a.txt,,2020,2019,t3,no_such_row,,total,,1,1,number,,,,,,,\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(bad)])
    assert res.exit_code == 2 and "表、行或列代码不在格式中" in res.output
    empty = tmp_path / "empty.csv"
    empty.write_text(header, encoding="utf-8")
    assert CliRunner().invoke(main, ["check", str(empty)]).exit_code == 2


def test_the_documents_normal_form_is_its_parts_normal_forms(seed, corpus):
    """The version markers are looked for in the whole document's normal form, assembled
    from its paragraphs' and cells' normal forms: the same text as normalising it whole,
    on the seed and the corpus, and where a part starts with a character NFKC joins to the
    one before it (a combining mark, a Hangul vowel, a kana sound mark)."""
    from validator.document import Document, Position, paragraph
    from validator.extract import _normalized_text
    from validator.readers import read
    from validator.template import normalize

    docs = [read(p) for p in [seed, *sorted(corpus.glob("0*"))]]  # text PDFs: OCR has nothing to do
    docs += [Document("x", "text", [paragraph(t, Position(line=i)) for i, t in enumerate(parts, 1)])
             for parts in (["e", "\u0301（一）"], ["\u1100", "\u1161"], ["か", "\u3099"], ["x", "Ａ", "\u00a8"])]
    for doc in docs:
        normal = {k: normalize(b.text) for k, b in enumerate(doc.blocks) if b.kind == "text"}
        assert _normalized_text(doc, normal) == normalize("".join(b.text for b in doc.blocks)), doc.path
