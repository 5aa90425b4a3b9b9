"""Review state in every output: the reviewed findings keep their severity, carry the
decision and its reason, and no format counts them as failing; the open error still fails."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from lxml import etree, html as lhtml

from validator.outputs import module
from validator.reviews import load
from validator.run import check_paths

from .test_outputs import _errors, sarif_validator  # noqa: F401 (the SARIF 2.1.0 schema fixture)
from .variants import ELSEWHERE, JUDGED, variant

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "validator" / "report.schema.json").read_text("utf-8"))
REASON = "核对原始台账后确认"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """m2 (the judged cell and an unrelated 表四 cell changed) with m1's errors accepted."""
    d = tmp_path_factory.mktemp("reviewed")
    m1 = variant(d / "m1.txt", {JUDGED: "5"})
    m2 = variant(d / "m2.txt", {JUDGED: "5", ELSEWHERE: "9"})
    accepted = sorted(x["fingerprint"] for x in check_paths([m1]).files[0].findings if x["severity"] == "error")
    path = d / "reviews.yaml"
    path.write_text("reviews:\n" + "".join(
        f'  - fingerprint: "{fp}"\n    status: accepted\n    reason: "{REASON}"\n    by: 市政务公开办\n'
        f"    date: 2026-12-01\n" for fp in accepted), encoding="utf-8")
    result = check_paths([m2], keep_cells=True, reviews=load(path))
    [open_error] = [x["fingerprint"] for x in result.files[0].findings
                    if x["severity"] == "error" and not x.get("review")]
    return result, set(accepted), open_error, str(path)


def test_json(run):
    result, accepted, open_error, _ = run
    data = json.loads(module("json").render(result))
    import jsonschema

    jsonschema.validate(data, SCHEMA)
    [f] = data["files"]
    reviewed = {x["fingerprint"]: x for x in f["findings"] if x["review"]}
    assert set(reviewed) == accepted
    assert all(x["severity"] == "error" and x["review"] == {"status": "accepted", "reason": REASON,
                                                            "by": "市政务公开办", "date": "2026-12-01"}
               for x in reviewed.values())
    assert (f["status"], f["counts"]["error"], f["counts"]["reviewed"], data["exit_code"]) == ("failed", 1, 3, 1)
    assert data["reviews"]["applied"] == 3 and data["reviews"]["stale"] == []


def test_csv(run):
    result, accepted, open_error, _ = run
    rows = list(csv.DictReader(io.StringIO(module("csv").render(result).lstrip("\ufeff"))))
    by_fp = {r["fingerprint"]: r for r in rows}
    assert {fp for fp, r in by_fp.items() if r["review_status"]} == accepted
    assert {(r["severity"], r["review_status"], r["review_reason"], r["review_by"], r["review_date"])
            for fp, r in by_fp.items() if fp in accepted} == {("error", "accepted", REASON, "市政务公开办", "2026-12-01")}
    assert by_fp[open_error]["review_status"] == "" and by_fp[open_error]["severity"] == "error"


def test_sarif(run, sarif_validator):  # noqa: F811
    result, accepted, open_error, _ = run
    doc = json.loads(module("sarif").render(result))
    assert _errors(sarif_validator, doc) == []
    results = {r["partialFingerprints"]["validatorFinding/v1"]: r for r in doc["runs"][0]["results"]}
    for fp in accepted:
        assert results[fp]["level"] == "error"
        [s] = results[fp]["suppressions"]
        assert (s["kind"], s["status"], s["justification"], s["properties"]["reviewStatus"]) == (
            "external", "accepted", REASON, "accepted")
    assert "suppressions" not in results[open_error]
    assert not [r for fp, r in results.items() if fp not in accepted and r.get("suppressions")]


def test_junit(run):
    result, accepted, open_error, _ = run
    root = etree.fromstring(module("junit").render(result).encode("utf-8"))
    failing = {c.get("name").split()[0] for c in root.iter("testcase") if c.find("failure") is not None}
    assert failing == {"T401"}  # the reviewed T301/T302/T303 errors are not failures
    assert root.get("failures") == "1"
    for rule in ("T301", "T302", "T303"):
        [case] = [c for c in root.iter("testcase") if c.get("name").startswith(rule + " ")]
        assert REASON in case.findtext("system-out")
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert (props["errors"], props["reviewed"]) == ("1", "3")


def test_html_shows_reviews_fingerprints_and_the_accept_command(run):
    result, accepted, open_error, reviews_file = run
    page = lhtml.fromstring(module("html").render(result))
    items = page.xpath('//li[contains(@class, "finding")]')
    reviewed = {li.get("data-fingerprint"): li for li in items if "reviewed" in li.get("class").split()}
    assert set(reviewed) == accepted
    assert all(REASON in li.xpath('string(.//*[@class="review"])') for li in reviewed.values())
    assert all(li.xpath('.//*[@class="fingerprint"]/code/text()') == [li.get("data-fingerprint")] for li in items)
    [li] = [li for li in items if li.get("data-fingerprint") == open_error]
    cmd = li.xpath('string(.//code[@class="cmd"])')
    assert cmd.startswith(f"validator review add {open_error} --reason ") and cmd.endswith(f"--file {reviews_file}")
    assert not [li for li in reviewed.values() if li.xpath('.//code[@class="cmd"]')]
    # the reviewed errors no longer mark the tables: only the open error's cells (and its fix's) are red
    from validator.outputs import cell_key, suggestions

    [x] = [x for x in result.files[0].findings if x["fingerprint"] == open_error]
    keys = {cell_key(c) for c in x["cells"]} | {k for k, _ in suggestions(x)}
    red = {(td.get("data-table"), td.get("data-row"), td.get("data-column"))
           for td in page.xpath('//td[contains(@class, "err")]')}
    assert red == keys
    assert ("t3", "results.total", "total") not in red  # T303's subject, reviewed


def test_console_marks_reviewed_findings(run):
    from rich.console import Console

    result, accepted, open_error, _ = run
    buf = io.StringIO()
    module("console").render(result, Console(file=buf, width=200))
    text = buf.getvalue()
    rows = [line for line in text.splitlines() if line.startswith("│T")]
    reviewed = [r for line in rows if "（已审核）" in line for r in line.split("│")[1].strip().split("、")]
    opened = [r for line in rows if "（已审核）" not in line for r in line.split("│")[1].strip().split("、")]
    assert (sorted(reviewed), opened) == (["T301", "T302", "T303"], ["T401"])  # one row per problem and state
    assert REASON in text
    assert "已审核 3" in text.splitlines()[0]


def test_cli_stale_summary_on_the_console(run, tmp_path):
    """The judged cell changed again: the stale entries are named in the summary line."""
    from click.testing import CliRunner

    from validator.cli import main

    result, accepted, _, reviews_file = run
    m3 = variant(tmp_path / "m3.txt", {JUDGED: "6"})
    out = CliRunner().invoke(main, ["check", str(m3), "--reviews", reviews_file])
    assert out.exit_code == 1
    lines = out.output.splitlines()
    [start] = [i for i, line in enumerate(lines) if line.startswith("审核记录 ")]
    summary = "".join(line.strip() for line in lines[start:])  # the line, wrapped to the console
    assert all(fp in summary for fp in accepted)  # the R001 findings themselves need --show-info


def test_console_blocks_at_80_columns_mark_reviewed_findings(run):
    from rich.console import Console

    result, accepted, open_error, _ = run
    buf = io.StringIO()
    module("console").render(result, Console(file=buf, width=80, force_terminal=True, color_system=None))
    import re

    heads = [line for line in buf.getvalue().splitlines() if re.match(r"\s+\d+\. ", line)]
    assert sorted(h.split()[2] for h in heads if "（已审核）" in h) == ["T301", "T302", "T303"]
    assert [h.split()[2] for h in heads if "（已审核）" not in h] == ["T401"]


def test_ci_annotations(run):
    """GitHub: reviewed findings are notices with the reason, the open error stays an error;
    GitLab: reviewed ones are info, with the reason."""
    result, accepted, open_error, _ = run
    lines = module("github").render(result).splitlines()
    levels = {}
    for line in lines:
        level, rest = line[2:].split(" ", 1)
        levels.setdefault(level, []).append(rest)
    assert len(levels["error"]) == 1 and "T401" in levels["error"][0]
    assert sum(REASON in rest for rest in levels["notice"]) == 3
    issues = {i["fingerprint"]: i for i in json.loads(module("gitlab").render(result))}
    assert {issues[fp]["severity"] for fp in accepted} == {"info"}
    assert all(REASON in issues[fp]["description"] for fp in accepted)
    assert issues[open_error]["severity"] == "major"
