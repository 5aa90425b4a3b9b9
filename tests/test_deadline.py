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


# ---------------------------------------------------------------- deadlines from the config ([params.RULE])

import json  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from validator.cli import main  # noqa: E402

from .cli import chdir as cwd  # noqa: E402

DRC = "022_shuyang_county_drc_2023.html"  # a county department, published 2024-01-17 (deadline 1月31日)


@pytest.fixture
def late(corpus, tmp_path):
    """022 published on 2024-02-20: after a department's 1月31日."""
    text = (corpus / DRC).read_text(encoding="utf-8")
    assert "<publishtime>2024-01-17</publishtime>" in text
    (tmp_path / DRC).write_text(text.replace("<publishtime>2024-01-17</publishtime>",
                                             "<publishtime>2024-02-20</publishtime>"), encoding="utf-8")
    return tmp_path


def run(project, *args):
    with cwd(project):
        r = CliRunner().invoke(main, [*args])
    return r


def s006(project, fmt="json"):
    r = run(project, "check", "--format", fmt, DRC)
    doc = json.loads(r.stdout)
    return doc, [x["severity"] for f in doc["files"] for x in f["findings"] if x["rule"] == "S006"]


@pytest.mark.parametrize("config", [
    ("validator.toml", '[params.S006.deadlines]\ndepartment = "02-20"\n'),
    ("pyproject.toml", '[project]\nname = "r"\n\n[tool.validator.params.S006]\ndeadlines = {department = "02-20"}\n'),
])
def test_a_deadline_set_in_the_config_is_used_and_recorded(late, config):
    default, fired = s006(late)
    assert fired == ["warning"] and default["param_overrides"] == []
    (late / config[0]).write_text(config[1], encoding="utf-8")
    doc, fired = s006(late)
    assert fired == []  # 2月20日 is now the department deadline
    assert doc["param_overrides"] == [{"rule": "S006", "key": "deadlines",
                                       "default": {"department": "01-31", "government": "03-31"},
                                       "value": {"department": "02-20", "government": "03-31"}}]
    assert doc["settings"]["params"]["S006"]["deadlines"] == {"department": "02-20", "government": "03-31"}
    assert doc["tool"]["ruleset"] != default["tool"]["ruleset"]  # the verdict says which rules judged it
    sarif = json.loads(run(late, "check", "--format", "sarif", DRC).stdout)
    (override,) = sarif["runs"][0]["invocations"][0]["ruleConfigurationOverrides"]
    assert override["descriptor"]["id"] == "S006"
    assert override["configuration"]["parameters"]["deadlines"]["department"] == "02-20"
    shown = run(late, "config")
    assert shown.exit_code == 0 and "[params.S006]" in shown.output
    assert 'deadlines = {department = "02-20"}' in shown.output


def test_an_earlier_deadline_in_the_config_fires_on_time_reports(corpus, tmp_path):
    (tmp_path / "validator.toml").write_text('[params.S006.deadlines]\ndepartment = "01-15"\n', encoding="utf-8")
    (tmp_path / DRC).write_bytes((corpus / DRC).read_bytes())  # published 2024-01-17
    assert s006(tmp_path)[1] == ["warning"]


@pytest.mark.parametrize("text, key", [
    ('[params.S006]\ndeadline = {department = "02-20"}\n', "deadline"),  # no such param
    ('[params.S006.deadlines]\nministry = "02-20"\n', "ministry"),  # no such level
    ('[params.S006.deadlines]\ndepartment = "02-30"\n', "02-30"),  # no such day
    ('[params.S006.deadlines]\ndepartment = 220\n', "220"),  # not a month-day
    ('[params.S006]\ndeadlines = "02-20"\n', "deadlines"),  # a table expected
    ('[params.Z999]\nx = 1\n', "Z999"),  # no such rule
    ('[params]\nS006 = 1\n', "params"),
    ('[params.Y007]\nfactor = "5"\n', "factor"),  # a number expected
    ('[params.Y006]\nsimilarity = 1.5\n', "similarity"),
])
def test_a_bad_rule_param_exits_4_naming_the_file(late, text, key):
    (late / "validator.toml").write_text(text, encoding="utf-8")
    for args in (("check", DRC), ("config",)):
        r = run(late, *args)
        lines = [line for line in r.output.splitlines() if line.strip()]
        assert r.exit_code == 4 and len(lines) == 1, r.output
        assert "validator.toml" in lines[0] and key in lines[0], r.output


def test_params_from_the_python_api(late):
    from validator import check

    with cwd(late):
        assert [f.rule for f in check([DRC], config=False).files[0].findings if f.rule == "S006"] == ["S006"]
        res = check([DRC], config=False, params={"S006": {"deadlines": {"department": "02-20"}}})
    assert not [f for f in res.files[0].findings if f.rule == "S006"]
    assert res.param_overrides["S006"]["deadlines"][1]["department"] == "02-20"
