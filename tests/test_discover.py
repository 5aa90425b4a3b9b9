"""Batch discovery as users see it: which files a directory run checks, skips and reports."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

from click.testing import CliRunner

from validator.cli import main
from validator.discover import collect

from .conftest import SAMPLES


def _check(*args):
    r = CliRunner().invoke(main, ["check", "--format", "json", *map(str, args)])
    return r.exit_code, {os.path.relpath(f["path"], str(args[0])) if os.path.isdir(str(args[0])) else f["path"]: f
                         for f in json.loads(r.stdout)["files"]}


def _reports_repo(tmp_path):
    d = tmp_path / "repo"
    (d / "reports" / "2020").mkdir(parents=True)
    shutil.copy(SAMPLES / "taiqian_2020.txt", d / "reports" / "2020" / "ok.txt")
    shutil.copy(SAMPLES / "taiqian_2020_changed_cell.txt", d / "reports" / "wrong.TXT")
    (d / "README.md").write_text("# 本目录说明\n\n各单位报告放在 reports/ 下。\n", encoding="utf-8")
    (d / "INDEX.md").write_text("| 文件 | 机关 |\n|---|---|\n| ok.txt | 台前县 |\n", encoding="utf-8")
    (d / "build").mkdir()
    shutil.copy(SAMPLES / "taiqian_2020_changed_cell.txt", d / "build" / "ignored.txt")
    (d / ".gitignore").write_text("build/\n*.bak\n", encoding="utf-8")
    (d / "old.txt.bak").write_text("x", encoding="utf-8")
    (d / ".venv").mkdir()
    shutil.copy(SAMPLES / "taiqian_2020_changed_cell.txt", d / ".venv" / "hidden.txt")
    (d / "logo.png").write_bytes(b"\x89PNG\r\n")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(d)], check=True)
    return d


def test_a_reports_repository_checks_only_the_reports(tmp_path):
    d = _reports_repo(tmp_path)
    code, files = _check(d)
    assert code == 1  # the reports' verdict: the README and the index do not change it
    assert {k: f["status"] for k, f in files.items()} == {
        "INDEX.md": "skipped", "README.md": "skipped", "reports/2020/ok.txt": "passed", "reports/wrong.TXT": "failed"}
    # the skipped files are listed in every output, with the reason
    r = CliRunner().invoke(main, ["check", str(d)])
    assert "README.md" in r.stdout and "已跳过" in r.stdout


def test_include_exclude_and_glob_alias(tmp_path):
    d = _reports_repo(tmp_path)
    assert set(_check(d, "--include", "reports/**/*.txt")[1]) == {"reports/2020/ok.txt", "reports/wrong.TXT"}
    assert set(_check(d, "--glob", "*.txt")[1]) == {"reports/2020/ok.txt", "reports/wrong.TXT"}
    code, files = _check(d, "--exclude", "reports/2020/", "--exclude", "*.md")
    assert code == 1 and set(files) == {"reports/wrong.TXT"}


def test_a_file_named_on_the_command_line_is_always_checked(tmp_path):
    d = _reports_repo(tmp_path)
    code, files = _check(d / "README.md", d / "build" / "ignored.txt")
    assert code == 2  # named: not skipped; a README is not a readable report
    assert [f["status"] for f in files.values()] == ["unreadable", "failed"]


def test_skip_non_reports_treats_named_files_as_found_ones(tmp_path):
    """The pre-commit hook's option: a named README is skipped, a named report still checked,
    and a named file that is a damaged report is still unreadable (exit 2)."""
    d = _reports_repo(tmp_path)
    code, files = _check("--skip-non-reports", d / "README.md", d / "reports" / "wrong.TXT")
    assert code == 1 and [f["status"] for f in files.values()] == ["skipped", "failed"]
    code, files = _check("--skip-non-reports", d / "README.md", d / "reports" / "2020" / "ok.txt")
    assert code == 0 and [f["status"] for f in files.values()] == ["skipped", "passed"]
    damaged = d / "reports" / "damaged.txt"
    damaged.write_bytes((SAMPLES / "taiqian_2020.txt").read_bytes()[:300])  # the title, then cut off
    code, files = _check("--skip-non-reports", damaged)
    assert code == 2 and [f["status"] for f in files.values()] == ["unreadable"]


def test_dangling_links_and_fifos_get_a_result_line(tmp_path):
    d = tmp_path / "batch"
    d.mkdir()
    shutil.copy(SAMPLES / "taiqian_2020.txt", d / "ok.txt")
    (d / "gone.pdf").symlink_to(d / "nowhere.pdf")
    os.mkfifo(d / "pipe.txt")
    code, files = _check(d)
    assert code == 2
    assert {k: f["status"] for k, f in files.items()} == {"gone.pdf": "unreadable", "ok.txt": "passed",
                                                         "pipe.txt": "unreadable"}


def test_collect_keeps_command_line_order_and_drops_duplicates(tmp_path):
    d = _reports_repo(tmp_path)
    one = d / "reports" / "wrong.TXT"
    targets = collect([one, d / "reports", one])
    assert [t.path.name for t in targets] == ["wrong.TXT", "ok.txt"] and [t.named for t in targets] == [True, False]
