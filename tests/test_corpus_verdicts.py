"""The verdicts on every real report of ../shared/corpus, checked together as one batch.

014 (洪泽区 2023) must report exactly its two published 表四 errors and no other error; every
other file no error, except the blank form (X013, nothing to check); 004 leaves 四 × 总计 blank, a warning with the implied value 1.
"""
from __future__ import annotations

import pytest

from validator.run import check_paths


@pytest.fixture(scope="module")
def verdicts(corpus):
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".pdf", ".md", ".docx") and p.name != "INDEX.md")
    result = check_paths(files)
    return {f.path.rsplit("/", 1)[-1]: f for f in result.files}


def errors(f):
    return sorted((x["rule"], x["row_code"], x["column_code"], x["reported"], x["expected"])
                  for x in f.findings if x["severity"] == "error")


def test_every_corpus_file_is_read(verdicts):
    assert len(verdicts) == 6
    assert all(f.status != "unreadable" for f in verdicts.values())


def test_014_exactly_its_two_table_four_errors(verdicts):
    f = verdicts["014_huaian_hongze_district_gov_2023.pdf"]
    assert errors(f) == [("T401", "review", "total", 0.0, 11.0), ("T401", "suit_after_review", "total", 0.0, 5.0)]
    assert f.status == "failed"
    fix = next(x["fix"] for x in f.findings if x["rule"] == "T401")
    assert fix is not None and "表四「行政复议」× 总计：0 → 11" in fix["text"]
    assert "X004" in {x["rule"] for x in f.findings}  # the 2019-style single （六）其他处理 row, read with a warning


@pytest.mark.parametrize("name", ["001_huaian_city_gov_2024.pdf", "003_shuyang_county_gov_2025.md",
                                  "004_shanghai_stcsm_kewei_2024.md", "015_huaian_hongze_district_gov_2024.pdf"])
def test_no_error_elsewhere(verdicts, name):
    assert errors(verdicts[name]) == [] and verdicts[name].status == "passed"


def test_the_blank_form_does_not_pass(verdicts):
    """Nothing to check is not a pass (issue 13): one error, the tables are empty."""
    f = verdicts["blank_2021_template.wps.docx"]
    assert errors(f) == [("X013", None, None, None, None)] and f.status == "failed"


def test_004_blank_total_is_a_warning_with_implied_value(verdicts):
    f = verdicts["004_shanghai_stcsm_kewei_2024.md"]
    implied = {(x["row_code"], x["column_code"], x["expected"]) for x in f.findings if x.get("implied")}
    assert implied == {("carried_forward", "total", 1.0)}
