"""Publication date and deadline (issue 15 item 8): the date a document states about
itself, never the file's mtime; the deadline by the body's level."""
from __future__ import annotations

import pytest

from validator.extract import extract
from validator.readers import read


@pytest.mark.parametrize("name,date", [
    ("020_pingtan_zone_2019.html", "2020-01-20"),  # <meta name="PubDate">
    ("021_pingtan_zone_2022.html", "2023-02-20"),
    ("022_shuyang_county_drc_2023.html", "2024-01-17"),  # the page template's <publishtime>, not the crawl time
])
def test_publication_date_of_real_pages(corpus, name, date):
    assert extract(read(corpus / name)).published == date


def test_publication_date_line_in_text(tmp_path, seed):
    path = tmp_path / "r.txt"
    path.write_text("发布时间：2021年4月2日\n" + seed.read_text(encoding="utf-8"), encoding="utf-8")
    assert extract(read(path)).published == "2021-04-02"


def test_no_stated_date_is_none_whatever_the_mtime(corpus, seed):
    assert extract(read(seed)).published is None
    assert extract(read(corpus / "014_huaian_hongze_district_gov_2023.pdf")).published is None
