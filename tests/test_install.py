"""The wheel is the product: build it (through the sdist), install it in a fresh venv and run it
from a directory outside the source tree, as the office above does; then the pre-commit hook,
installed by pre-commit itself from a temporary reports repository's .pre-commit-config.yaml.

These take minutes (two fresh environments with pandas and scipy), so they run in CI
(``.ci/run`` sets VALIDATOR_INSTALL_TEST=1) and when asked, not in every developer run.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES

pytestmark = pytest.mark.skipif(not os.environ.get("VALIDATOR_INSTALL_TEST"),
                                reason="builds and installs the wheel (minutes): set VALIDATOR_INSTALL_TEST=1 (.ci/run does)")


def _env() -> dict:
    # nothing of the source tree may leak into the installed tool
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _run(*args, cwd, check=False):
    r = subprocess.run([str(a) for a in args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=1200)
    if check and r.returncode != 0:
        raise AssertionError(f"{args} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `validator` command of a wheel built from the sdist, in a fresh venv."""
    base = tmp_path_factory.mktemp("install")
    # a clean copy of the tree (what a clone has), so build artefacts never land in the checkout
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", "dist",
                                                           "_build", ".venv"))
    dist = base / "dist"
    _run(sys.executable, "-m", "build", "--sdist", "--outdir", dist, src, cwd=base, check=True)
    sdist = next(dist.glob("*.tar.gz"))
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, sdist, cwd=base, check=True)
    wheel = next(dist.glob("*.whl"))
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=base, check=True)
    _run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=base, check=True)
    return venv / "bin" / "validator"


def test_installed_wheel_gates_like_the_checkout(installed, tmp_path, corpus):
    work = tmp_path / "elsewhere"
    work.mkdir()
    # the README's first command, on the samples: exit 1 and every sample's verdict
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    r = _run(installed, "check", SAMPLES, "--glob", "*.txt", "--format", "json", cwd=work)
    assert r.returncode == 1, r.stderr
    got = {Path(f["path"]).name: f for f in json.loads(r.stdout)["files"]}
    for name, exp in expected.items():
        assert sorted(x["rule"] for x in got[name]["findings"] if x["severity"] == "error") == \
            sorted(x[0] for x in exp["findings"] if x[1] == "error"), name
    # the published report with 表四 errors
    r = _run(installed, "check", corpus / "014_huaian_hongze_district_gov_2023.pdf", "--format", "json", cwd=work)
    assert r.returncode == 1, r.stderr
    errors = [x for f in json.loads(r.stdout)["files"] for x in f["findings"] if x["severity"] == "error"]
    assert errors and {x["table"] for x in errors} == {"表四"}
    # every rule of the source tree is in the installed catalogue
    r = _run(installed, "rules", "--format", "json", cwd=work)
    from validator.rules import load

    assert r.returncode == 0 and {x["id"] for x in json.loads(r.stdout)} == set(load())
    # a broken rule file: exit 4, one line naming it
    (work / "bad").mkdir()
    (work / "bad" / "x.yaml").write_text("rules:\n  - id: Z001\n    title: [broken\n", encoding="utf-8")
    r = _run(installed, "check", SAMPLES / "taiqian_2020.txt", "--rules", "bad", cwd=work)
    assert r.returncode == 4 and "x.yaml" in r.stderr and "Traceback" not in r.stderr


def test_pre_commit_hook_gates(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git = ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci"]
    # the hook's repository: the source tree as it is, committed (what try-repo makes), so that
    # one pre-commit store builds the hook's environment once for the three runs below
    hooks = tmp_path / "hooks"
    shutil.copytree(ROOT, hooks, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", "dist",
                                                             "_build", ".venv"))
    _run(*git, "init", "-q", ".", cwd=hooks, check=True)
    _run(*git, "add", "-A", cwd=hooks, check=True)
    _run(*git, "commit", "-qm", "hooks", cwd=hooks, check=True)
    rev = _run("git", "rev-parse", "HEAD", cwd=hooks, check=True).stdout.strip()
    # a reports repository using it as the README says, from its .pre-commit-config.yaml
    repo = tmp_path / "reports"
    repo.mkdir()
    shutil.copy(SAMPLES / "taiqian_2020.txt", repo / "ok.txt")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: validator-check\n", encoding="utf-8")
    _run(*git, "init", "-q", ".", cwd=repo, check=True)
    _run(*git, "add", "ok.txt", ".pre-commit-config.yaml", cwd=repo, check=True)
    _run(*git, "commit", "-qm", "reports", cwd=repo, check=True)
    os.environ["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    try:
        hook = [sys.executable, "-m", "pre_commit", "run", "validator-check", "--all-files"]
        r = _run(*hook, cwd=repo)
        assert r.returncode == 0, r.stdout + r.stderr
        (repo / "README.md").write_text("# 年度报告\n\n各单位的报告放在本目录。\n", encoding="utf-8")
        _run(*git, "add", "README.md", cwd=repo, check=True)
        r = _run(*hook, cwd=repo)
        assert r.returncode == 0, r.stdout + r.stderr  # a staged README is skipped, not unreadable
        shutil.copy(SAMPLES / "taiqian_2020_changed_cell.txt", repo / "wrong.txt")
        _run(*git, "add", "wrong.txt", cwd=repo, check=True)
        r = _run(*hook, cwd=repo)
        assert r.returncode == 1 and "T302" in r.stdout, r.stdout + r.stderr
    finally:
        os.environ.pop("PRE_COMMIT_HOME", None)
