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
