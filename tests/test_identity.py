"""Who issued a report (validator/identity.py): the body read from real titles, one name
for the same body written several ways, and the body's level."""
from __future__ import annotations

import pytest

from validator.extract import extract
from validator.identity import body_key, level, same_body
from validator.readers import read


@pytest.mark.parametrize("name,body", [
    ("020_pingtan_zone_2019.html", "平潭综合实验区"),  # a zone reporting as a whole: no organ word
    ("021_pingtan_zone_2022.html", "平潭综合实验区"),
    ("022_shuyang_county_drc_2023.html", "沭阳县发展和改革局"),
    ("015_huaian_hongze_district_gov_2024.pdf", "淮安市洪泽区人民政府"),
])
def test_body_read_from_the_title(corpus, name, body):
    assert extract(read(corpus / name)).body == body


@pytest.mark.parametrize("a,b", [
    ("洪泽区人民政府", "淮安市洪泽区人民政府"),
    ("平潭综合实验区", "平潭综合实验区管委会"),
    ("平潭综合实验区", "平潭综合实验区党工委管委会"),
    ("平潭综合实验区管理委员会", "平潭综合实验区管委会"),
    ("沭阳县人民政府", "沭阳县政府"),
])
def test_same_body_written_two_ways(a, b):
    assert same_body(a, b) and same_body(b, a)


@pytest.mark.parametrize("a,b", [
    ("沭阳县发展和改革局", "沭阳县人民政府"),  # a department is not its government
    ("淮安市人民政府", "淮安市洪泽区人民政府"),  # a city is not its district
    ("台前县人民政府办公室", "台前县人民政府"),
    (None, "台前县人民政府"),
])
def test_different_bodies_stay_apart(a, b):
    assert not same_body(a, b)


@pytest.mark.parametrize("body,expected", [
    ("沭阳县发展和改革局", "department"), ("上海市科学技术委员会", "department"),
    ("台前县人民政府办公室", "department"), ("淮安市洪泽区人民政府", "government"),
    ("平潭综合实验区", "government"), ("平潭综合实验区管委会", "government"), ("某某", None), (None, None),
])
def test_level_from_the_name(body, expected):
    assert level(body) == expected


def test_key_keeps_a_department_name():
    assert body_key("沭阳县发展和改革局") == "沭阳县发展和改革局"
    assert body_key("淮安市洪泽区人民政府") == "淮安市洪泽区"
