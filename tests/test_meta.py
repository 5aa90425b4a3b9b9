"""Year, issuing body and template version read from the report itself."""
from __future__ import annotations

import pytest

from validator.run import load_reports

from .conftest import ROOT, SAMPLES

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.mark.parametrize("path", [
    FIXTURES / "taiqian_2020.html", FIXTURES / "taiqian_2020.xlsx", FIXTURES / "taiqian_2020.csv",
    FIXTURES / "multiform" / "taiqian_2020_from_html.docx", FIXTURES / "multiform" / "taiqian_2020_from_html.pdf",
    FIXTURES / "multiform" / "taiqian_2020_from_docx.pdf",
], ids=lambda p: p.name)
def test_title_gives_body_and_year_through_page_navigation(path):
    r = load_reports(path)[0]
    assert (r.body, r.year, r.year_source, r.version) == ("台前县人民政府", 2020, "标题", "2019")


def test_seed_without_title_takes_the_year_from_the_text_and_no_body():
    r = load_reports(SAMPLES / "taiqian_2020.txt")[0]
    assert (r.body, r.year, r.year_source) == (None, 2020, "正文中出现最多的年份")


@pytest.mark.parametrize("name,body,year", [
    ("001_huaian_city_gov_2024.pdf", "淮安市人民政府", 2024),
    ("003_shuyang_county_gov_2025.md", "沐阳县人民政府", 2025),
    ("004_shanghai_stcsm_kewei_2024.md", "上海市科委", 2024),  # title wrapped over two lines
    ("014_huaian_hongze_district_gov_2023.pdf", "洪泽区人民政府", 2023),
    ("015_huaian_hongze_district_gov_2024.pdf", "淮安市洪泽区人民政府", 2024),
])
def test_corpus_titles(corpus, name, body, year):
    r = load_reports(corpus / name)[0]
    assert (r.body, r.year, r.version) == (body, year, "2021")


def test_title_search_is_the_patterns_leftmost_match(corpus):
    """extract._title_in (linear) finds what ``_YEAR_TITLE.search`` (quadratic in a long
    paragraph without punctuation) finds: span and groups, on every paragraph and adjacent
    pair of the seed, the fixtures and the corpus, and on random strings of title pieces."""
    import random

    from validator import extract
    from validator.readers import read

    def same(text: str) -> None:
        a, b = extract._YEAR_TITLE.search(text), extract._title_in(text)
        assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict())), text[:200]

    paths = [SAMPLES / "taiqian_2020.txt", *sorted(FIXTURES.glob("*.html")),
             *sorted(p for p in corpus.iterdir() if p.suffix in (".md", ".html", ".docx"))]
    for p in paths:
        texts = [b.text for b in read(p).blocks if b.kind == "text"]
        for t in texts + [a + b for a, b in zip(texts, texts[1:])]:
            same(t)
    pieces = ["2", "0", "9", "20", "2020", "年", "度", "年度", "政府信息公开", "工作", "报告", "人民政府", "县",
              "\n", "。", "，", ",", "；", ";", " ", "x"]
    rng = random.Random(0)
    for _ in range(20_000):
        same("".join(rng.choice(pieces) for _ in range(rng.randrange(24))))
