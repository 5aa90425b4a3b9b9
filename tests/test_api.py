"""The Python API takes what the CLI takes and gives the same verdicts; findings_frame() has a
fixed shape; --previous files that cannot be used say why."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

import validator
from validator.cli import main
from validator.config import ConfigError
from validator.rules import RuleError
from validator.finding import FRAME_COLUMNS
from validator.run import Result

from .conftest import SAMPLES

WRONG = SAMPLES / "taiqian_2020_changed_cell.txt"


def _verdict(files):
    return [(f["path"] if isinstance(f, dict) else f.path,
             sorted((x["rule"], x["severity"]) for x in (f["findings"] if isinstance(f, dict) else f.findings)))
            for f in files]


def test_api_and_cli_agree_with_the_same_options(tmp_path):
    opts = {"disable": {"T301": "另行核对"}, "severity": {"T302": "warning"}, "strict": True}
    api = validator.check([str(WRONG)], config=False, **opts)
    r = CliRunner().invoke(main, ["check", str(WRONG), "--format", "json", "--disable", "T301=另行核对",
                                  "--severity", "T302=warning", "--strict"])
    cli = json.loads(r.stdout)
    assert api.exit_code == r.exit_code == 1
    assert _verdict(api.files) == _verdict(cli["files"])
    assert api.disabled == {"T301": "另行核对"} and api.ruleset == cli["tool"]["ruleset"]


def test_api_reads_a_config_file_and_fails_closed(tmp_path):
    conf = tmp_path / "validator.toml"
    conf.write_text('fail-on = "warning"\n[severity]\nT301 = "warning"\nT302 = "warning"\nT303 = "warning"\n',
                    encoding="utf-8")
    res = validator.check(WRONG, config=conf)
    assert res.exit_code == 1 and res.fail_on == "warning"
    assert {x["severity"] for x in res.files[0].findings if x["rule"].startswith("T3")} == {"warning"}
    with pytest.raises((ConfigError, RuleError)):
        validator.check(WRONG, config=False, disable={"Z999": "没有"})
    conf.write_text("colour = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        validator.check(WRONG, config=conf)


def test_api_directories_are_discovered_like_the_cli(tmp_path):
    shutil.copy(WRONG, tmp_path / "r.txt")
    (tmp_path / "README.md").write_text("# 说明\n", encoding="utf-8")
    res = validator.check(tmp_path, config=False)
    assert sorted((f.path.rsplit("/", 1)[-1], f.status) for f in res.files) == [("README.md", "skipped"),
                                                                                 ("r.txt", "failed")]
    assert res.exit_code == 1


def test_findings_frame_has_fixed_columns_and_dtypes(tmp_path):
    empty = Result([]).findings_frame()
    full = validator.check([str(WRONG), str(SAMPLES / "taiqian_2020.txt")], config=False).findings_frame()
    for frame in (empty, full):
        assert list(frame.columns) == list(FRAME_COLUMNS)
        assert {c: str(t) for c, t in frame.dtypes.items()} == {c: str(pd.Series(dtype=t).dtype)
                                                                for c, t in FRAME_COLUMNS.items()}
    t302 = full[full["rule"] == "T302"].iloc[0]
    assert (t302["reported"], t302["expected"]) == (5.0, 4.0)


def test_previous_that_cannot_be_used_says_why(corpus):
    r = CliRunner().invoke(main, ["check", str(corpus / "021_pingtan_zone_2022.html"),
                                  "--previous", str(corpus / "020_pingtan_zone_2019.html"), "--format", "json"])
    notices = json.loads(r.stdout)["notices"]
    assert len(notices) == 1 and "020_pingtan_zone_2019.html" in notices[0] and "年度不相邻" in notices[0]
    res = validator.check(corpus / "015_huaian_hongze_district_gov_2024.pdf", config=False,
                          previous=[corpus / "020_pingtan_zone_2019.html"])
    assert len(res.notices) == 1 and "发布机关不同" in res.notices[0]
    res = validator.check(WRONG, config=False, previous=[WRONG])
    assert len(res.notices) == 1 and "就是被检查的文件" in res.notices[0]
    res = validator.check(corpus / "015_huaian_hongze_district_gov_2024.pdf", config=False,
                          previous=[corpus / "014_huaian_hongze_district_gov_2023.pdf"])
    assert res.notices == []
