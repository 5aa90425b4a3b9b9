"""The HTML report in a real headless browser (Debian's chromium, driven by Playwright).

The page must load from a file with no console error, no uncaught exception and no
request other than the file itself (it is self-contained); the marked cells must be in
the DOM and styled; the "在表中标出" button and the rule-doc <details> must work. A
screenshot goes to pytest's tmp_path (never committed).

Locally the test skips when chromium or Playwright is absent; with ``CI`` set it fails
(.ci/run installs chromium with apt-get).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from validator.outputs import html as html_out
from validator.run import check_paths

from .conftest import SAMPLES

# the browser (tests/conftest.py) is started once per session: this module runs on the
# xdist worker of test_serve's page test (pytest -n with --dist loadgroup, pyproject.toml)
pytestmark = pytest.mark.xdist_group("serve")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, object]:
    d = tmp_path_factory.mktemp("html")
    empty = d / "empty.txt"
    empty.write_bytes(b"")
    result = check_paths([*sorted(SAMPLES.glob("*.txt")), empty], keep_cells=True)
    out = d / "report.html"
    out.write_text(html_out.render(result), encoding="utf-8")
    return out, result


def _section_id(result, name: str) -> str:
    i = next(i for i, f in enumerate(result.files, 1) if Path(f.path).name == name)
    return f"#file-{i}"


def test_report_in_headless_chromium(browser, report, tmp_path):
    path, result = report
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")

    assert errors == []
    assert requests == [path.as_uri()]  # nothing fetched besides the file itself
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.title() == "政府信息公开工作年度报告检查结果"

    # marked cells are in the DOM and styled: errors red, warnings amber, subjects emphasised
    assert page.locator("td.cell.err").count() > 0
    sec = _section_id(result, "taiqian_2020_changed_cell.txt")
    subject = page.locator(f'{sec} td.cell[data-table="t3"][data-row="results.total"][data-column="natural_person"]')
    assert subject.count() == 1
    assert set(subject.get_attribute("class").split()) >= {"err", "subject"}
    style = subject.evaluate("td => { const s = getComputedStyle(td); return [s.backgroundColor, s.fontWeight]; }")
    assert style == ["rgb(252, 232, 230)", "700"]
    assert "应为 4" in subject.inner_text() and "建议 4" in subject.inner_text()
    # a passed file is one line; opening it draws its tables from its values and marks
    blank_sec = _section_id(result, "taiqian_2020_blank_total.txt")
    blank = page.locator(f'{blank_sec} td.cell[data-row="results.total"][data-column="total"]')
    assert blank.count() == 0 and not page.locator(f"{blank_sec} details.file").evaluate("d => d.open")
    page.locator(f"{blank_sec} details.file > summary").click()
    assert blank.count() == 1
    assert set(blank.get_attribute("class").split()) >= {"cell", "blank", "warn", "subject"}
    assert blank.evaluate("td => getComputedStyle(td).backgroundColor") == "rgb(254, 243, 214)"
    assert "应为 4" in blank.inner_text()
    seed = next(f for f in result.files if f.path.endswith("taiqian_2020.txt"))
    seed_sec = _section_id(result, "taiqian_2020.txt")
    page.locator(f"{seed_sec} details.file > summary").click()
    for c in seed.cells:
        if c["state"] == "number" and c["table"] in ("t3", "t4"):
            td = page.locator(f'{seed_sec} td.cell[data-table="{c["table"]}"][data-row="{c["row"]}"]'
                              f'[data-column="{c["column"]}"] .v')
            assert td.inner_text() == c["raw"].strip(), c

    # the filter by rule / severity, without network: only the files with such findings stay
    page.select_option("#filter-rule", "T302")
    visible = page.locator("section.file:visible")
    with_t302 = [f for f in result.files if any(x["rule"] == "T302" for x in f.findings)]
    assert visible.count() == len(with_t302)
    assert page.locator("li.finding:visible").evaluate_all(
        "els => els.every(e => e.dataset.rule === 'T302')")
    page.select_option("#filter-severity", "error")
    assert page.locator("section.file:visible").count() == sum(
        any(x["rule"] == "T302" and x["severity"] == "error" for x in f.findings) for f in result.files)
    page.locator("#filter-clear").click()
    assert page.locator("section.file:visible").count() == len(result.files)

    # the finding's button marks its cells in the table
    finding = page.locator(f'{sec} li.finding[data-rule="T302"]').first
    assert "表三「（七）总计」自然人列：报告值 5，按各项办理结果之和应为 4" in finding.inner_text()
    finding.locator("button.locate").click()
    assert "focus" in subject.get_attribute("class").split()
    assert page.locator(f"{sec} td.cell.focus").count() == len(
        next(x for x in next(f for f in result.files if f.path.endswith("changed_cell.txt")).findings
             if x["rule"] == "T302")["cells"])

    # the rule documentation is one click away
    doc = finding.locator("details.doc")
    assert not doc.evaluate("d => d.open")
    doc.locator("summary").click()
    assert doc.evaluate("d => d.open")
    assert "检查什么" in doc.inner_text() and doc.locator("dl").is_visible()

    assert errors == []
    shot = tmp_path / "report.png"
    subject.scroll_into_view_if_needed()
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    page.close()
