"""validator.toml / [tool.validator]: found upward, honoured, recorded, overridden by flags, strict about mistakes."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from validator.cli import main

from .cli import chdir as cwd
from .conftest import SAMPLES

WRONG = "taiqian_2020_changed_cell.txt"  # T301, T302, T303 errors


@pytest.fixture
def project(tmp_path):
    (tmp_path / "reports").mkdir()
    shutil.copy(SAMPLES / WRONG, tmp_path / "reports" / WRONG)
    return tmp_path


def _check(*args):
    r = CliRunner().invoke(main, ["check", "--format", "json", *args])
    return r.exit_code, (json.loads(r.stdout) if r.stdout.startswith("{") else r.output)


def test_disable_in_validator_toml_is_honoured_and_recorded(project):
    (project / "validator.toml").write_text(
        '[disable]\nT301 = "收支口径另行核对"\nT302 = "同上"\nT303 = "同上"\n', encoding="utf-8")
    with cwd(project / "reports"):  # found from a subdirectory, upward
        code, data = _check(WRONG)
    assert code == 0
    assert data["disabled"] == [{"rule": "T301", "reason": "收支口径另行核对"}, {"rule": "T302", "reason": "同上"},
                                {"rule": "T303", "reason": "同上"}]
    assert not [x for x in data["files"][0]["findings"] if x["rule"] in ("T301", "T302", "T303")]


def test_pyproject_table_severity_and_fail_on(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "reports"\n\n[tool.validator]\nfail-on = "warning"\n'
        '[tool.validator.severity]\nT301 = "warning"\nT302 = "warning"\nT303 = "warning"\n', encoding="utf-8")
    with cwd(project):
        code, data = _check("reports")
        assert code == 1 and {x["severity"] for x in data["files"][0]["findings"] if x["severity"] != "info"} == {"warning"}
        code, _ = _check("reports", "--fail-on", "error")  # the flag overrides the file
        assert code == 0


def test_a_pyproject_without_our_table_is_passed_over(project):
    (project / "validator.toml").write_text('[disable]\nT301 = "x"\n', encoding="utf-8")
    (project / "reports" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    with cwd(project / "reports"):
        _, data = _check(WRONG)
    assert [d["rule"] for d in data["disabled"]] == ["T301"]


@pytest.mark.parametrize("text, key", [
    ('colour = "red"\n', "colour"),
    ('fail-on = "fatal"\n', "fail-on"),
    ("strict = 1\n", "strict"),
    ('[disable]\nT301 = ""\n', "T301"),
    ('[disable]\nZ999 = "没有这条规则"\n', "Z999"),
    ('[severity]\nT301 = "fatal"\n', "T301"),
    ('rules = ["no-such-dir"]\n', "rules"),
    ("include = [\n", "TOML"),
])
def test_a_bad_configuration_exits_4_naming_file_and_key(project, text, key):
    (project / "validator.toml").write_text(text, encoding="utf-8")
    with cwd(project):
        r = CliRunner().invoke(main, ["check", "reports"])
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert r.exit_code == 4 and len(lines) == 1 and "validator.toml" in lines[0] and key in lines[0], r.output


def test_config_command_shows_values_and_their_sources(project):
    (project / "validator.toml").write_text('exclude = ["drafts/"]\n[disable]\nT401 = "复议数据口径另行核对"\n',
                                            encoding="utf-8")
    with cwd(project):
        r = CliRunner().invoke(main, ["config"])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert any(line.startswith('exclude = ["drafts/"]') and "validator.toml" in line for line in lines)
    assert any(line.startswith('fail-on = "error"') and "默认" in line for line in lines)
    assert 'T401 = "复议数据口径另行核对"' in lines
