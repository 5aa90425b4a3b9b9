"""Real reports in text form (markdown) from ../shared/corpus: values read and verdicts."""
from __future__ import annotations

import json

from click.testing import CliRunner

from validator.cli import main
from validator.extract import extract
from validator.readers import read


def rows(path):
    r = extract(read(path))
    out = {}
    for c in r.cells:
        out.setdefault((c.table, c.row), []).append(c.value)
    return r, out


def verdict(path):
    res = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    return res.exit_code, json.loads(res.output)["files"][0]


def test_003_shuyang(corpus):
    r, v = rows(corpus / "003_shuyang_county_gov_2025.md")
    assert (r.year, r.version, r.body) == (2025, "2021", "沐阳县人民政府")
    assert v[("t3", "new")] == [705, 3, 0, 0, 5, 0, 713]
    assert v[("t3", "results.total")] == [710, 3, 0, 0, 5, 0, 718]
    assert v[("t3", "carried_forward")] == [31, 0, 0, 0, 0, 0, 31]
    assert v[("t4", "review")] == [27, 10, 9, 15, 61]
    assert v[("t4", "suit_direct")] == [3, 0, 0, 0, 3]
    assert v[("t4", "suit_after_review")] == [8, 0, 1, 1, 10]
    code, f = verdict(corpus / "003_shuyang_county_gov_2025.md")
    assert code == 0 and f["counts"]["error"] == 0


def test_004_shanghai_fragmented_table(corpus):
    r, v = rows(corpus / "004_shanghai_stcsm_kewei_2024.md")
    assert (r.year, r.version, r.body) == (2024, "2021", "上海市科委")
    assert v[("t3", "new")] == [32, 2, 0, 0, 0, 0, 34]
    assert v[("t3", "results.other.no_correction")] == [8, 2, 0, 0, 0, 0, 10]
    assert v[("t3", "results.total")] == [33, 2, 0, 0, 0, 0, 35]
    assert v[("t3", "carried_forward")][:6] == [1, 0, 0, 0, 0, 0]
    assert v[("t4", "review")] == [1, 0, 0, 0, 1]
    code, f = verdict(corpus / "004_shanghai_stcsm_kewei_2024.md")
    assert code == 0 and f["counts"]["error"] == 0
    implied = [x for x in f["findings"] if x.get("implied")]
    assert implied and all(x["severity"] == "warning" and x["expected"] == 1 for x in implied)
    assert {(x["row_code"], x["column_code"]) for x in implied} == {("carried_forward", "total")}


def test_markdown_is_told_by_content_not_name(corpus, seed, tmp_path):
    """A markdown report renamed .txt (or without an extension) is still markdown and reads
    the same cells; a tab-separated text named .md is still text."""
    cells = lambda path: [(c.table, c.row, c.column, c.value, c.state) for c in extract(read(path)).cells]  # noqa: E731
    for name in ("003_shuyang_county_gov_2025.md", "004_shanghai_stcsm_kewei_2024.md"):
        original = corpus / name
        for renamed in (tmp_path / f"{original.stem}.txt", tmp_path / original.stem):
            renamed.write_bytes(original.read_bytes())
            assert read(renamed).format == read(original).format == "markdown"
            assert cells(renamed) == cells(original)
    text = tmp_path / "seed.md"
    text.write_bytes(seed.read_bytes())
    assert read(text).format == read(seed).format == "text"
    assert cells(text) == cells(seed)
