"""SARIF 2.1.0 (``--format sarif``), for code-scanning dashboards (GitHub code scanning and
other SARIF viewers).

One run. ``tool.driver.rules`` is the whole rule catalogue (id, name, title as
shortDescription, doc "what" as fullDescription, the ``validator explain`` text as help,
severity as defaultConfiguration.level). One result per finding: ruleId/ruleIndex, level
(error / warning / note), the Chinese message, a location in the checked file and the
finding's cells, fix and values in ``properties``.

Locations: ``artifactLocation.uri`` is the file path, relative to the working directory
when it can be (percent-encoded, so Chinese file names stay valid URI references). A
text report has line numbers: ``region.startLine`` is the line of the finding's subject
cell. Positions in these reports count *table cells*, not characters (「第70行第2格」 is
the second tab-separated cell of line 70), so the cell index is not put in
``startColumn`` (which SARIF defines as a character column) but in the region's
``properties.cell``. A PDF, HTML or DOCX position has no line: the page / table / row /
cell go into the physical location's ``properties`` and the region is line 1 (platforms
require a region on every result). ``partialFingerprints`` carries the finding's stable
fingerprint (validator/fingerprint.py). Every result
also has a logical location naming the cell in the report's own labels
(表三「（七）总计」自然人). The other cells of the rule are ``relatedLocations``.

A finding decided in the reviews file (``--reviews``) keeps its level and gets an
external, accepted ``suppression`` whose ``justification`` is the entry's reason
(``properties``: reviewStatus accepted | false-positive, by, date), so code-scanning UIs
show it as dismissed; the run's ``properties.reviews`` summarises the file.

A file that could not be read is a ``toolExecutionNotification`` (level error) of the
invocation, since it is not a finding of any rule. Rules switched off for the run
(``--disable RULE=REASON``) are ``ruleConfigurationOverrides`` with ``enabled: false`` and
the reason, rules given another severity (``--severity RULE=LEVEL``) overrides with that
level (the descriptor keeps the rule file's); rules from a user's rule directory (``--rules DIR``) that have findings get a
minimal descriptor after the catalogue's.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..ruledoc import explain_text
from . import cell_key, catalogue, expected, subject
from .json import _clean

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_FINDING_PROPS = ("name", "severity", "table", "row", "column", "table_code", "row_code", "column_code",
                  "reported", "expected", "implied", "rules", "group", "cells", "fix", "fingerprint", "review")


def version(result) -> str:
    """The package version with the rule-set hash as semver build metadata (0.1.0+rules.3f2a…)."""
    return f"{__version__}+rules.{result.ruleset}" if result.ruleset else __version__


def uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path(os.getcwd()))
        except ValueError:
            return _bytes(p.as_uri())
    return _bytes(quote(p.as_posix(), safe="/"))


def _bytes(u: str) -> str:
    """File-name bytes shown as \\xNN (validator.outputs.safe.path) back to their %NN escapes."""
    return re.sub(r"%5Cx([0-9a-f]{2})", lambda m: "%" + m.group(1).upper(), u)


def _rule(r) -> dict:
    doc = r.doc or {}
    return {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": doc.get("what") or r.title},
        "help": {"text": explain_text(r)},
        "defaultConfiguration": {"level": LEVEL.get(r.default_severity or r.severity, "warning")},
        "properties": {"kind": r.kind, "tables": list(r.tables), "versions": list(r.versions)},
    }


def _physical(artifact: str, position: dict | None) -> dict:
    loc: dict = {"artifactLocation": {"uri": artifact}}
    position = position or {}
    # every result has a region (code-scanning platforms require one): the cell's line in a
    # text report; line 1 for PDF/HTML/DOCX, whose page/table/row/cell are the properties
    region: dict = {"startLine": max(1, int(position.get("line") or 1))}
    if position.get("line") and position.get("col"):
        region["properties"] = {"cell": int(position["col"])}
    loc["region"] = region
    rest = {k: v for k, v in position.items() if k != "line" and v is not None}
    if rest and not position.get("line"):
        loc["properties"] = rest
    return loc


def _logical(cell_or_finding: dict) -> dict:
    table, row, column = (cell_or_finding.get(k) for k in ("table", "row", "column"))
    name = "".join(filter(None, (table, f"「{row}」" if row else None, column)))
    fqn = "/".join(filter(None, (table, row, column)))
    out = {"name": name or "报告", "kind": "element"}
    if fqn:
        out["fullyQualifiedName"] = fqn
    codes = {k: cell_or_finding.get(k) for k in ("table_code", "row_code", "column_code") if cell_or_finding.get(k)}
    if codes:
        out["properties"] = codes
    return out


def _result(x, artifact: str, index: dict[str, int]) -> dict:
    x = x.to_dict()
    cells = x.get("cells") or []
    key = subject(x)
    main = next((c for c in cells if key is not None and cell_key(c) == key and c.get("position")), None)
    if main is None and not x.get("position"):  # an equation over several cells: the first one
        main = next((c for c in cells if c.get("position")), None)
    position = (main or {}).get("position") or x.get("position")
    location = {"physicalLocation": _physical(artifact, position), "logicalLocations": [_logical(x)]}
    res: dict = {
        "ruleId": x["rule"],
        "level": LEVEL.get(x.get("severity"), "warning"),
        "message": {"text": x.get("message") or x["rule"]},
        "locations": [location],
    }
    if x["rule"] in index:
        res["ruleIndex"] = index[x["rule"]]
    if x.get("fingerprint"):  # validator/fingerprint.py: stable across runs, renames and changes elsewhere
        res["partialFingerprints"] = {"validatorFinding/v1": x["fingerprint"]}
    related = []
    for i, c in enumerate(cells):
        if c is main or not c.get("position"):
            continue
        text = "".join(filter(None, (c.get("table"), f"「{c.get('row')}」" if c.get("row") else None, c.get("column"))))
        raw = c.get("raw")
        related.append({"id": i + 1, "physicalLocation": _physical(artifact, c["position"]),
                        "message": {"text": f"{text}：{raw if raw not in (None, '') else '（空）'}"}})
    if related:
        res["relatedLocations"] = related
    props = {k: x.get(k) for k in _FINDING_PROPS if x.get(k) is not None}
    if expected(x) is not None:
        props["expected"] = expected(x)
    res["properties"] = _clean(props)
    review = x.get("review")
    if review:  # decided in the reviews file (kept outside the report): an external, accepted suppression
        res["suppressions"] = [{"kind": "external", "status": "accepted", "justification": review["reason"],
                                "properties": {k: v for k, v in (("reviewStatus", review["status"]), ("by", review.get("by")),
                                                              ("date", review.get("date"))) if v is not None}}]
    return res


def to_dict(result, emit=None) -> dict:
    """The SARIF log as plain data. ``emit``, when given, is called with each of the run's
    results in turn, which the log then leaves out (:func:`stream` writes them one at a time)."""
    rules = catalogue(result)
    index = {rid: i for i, rid in enumerate(rules)}
    descriptors = [_rule(r) for r in rules.values()]
    notifications, artifacts = [], {}
    results: list = []
    inline = emit is None
    emit = results.append if inline else emit
    for f in result.files:
        artifact = uri(f.path)
        artifacts.setdefault(artifact, {"location": {"uri": artifact}, "roles": ["analysisTarget"]})
        if f.status in ("unreadable", "skipped"):  # not findings of any rule: notifications of the run
            what = "无法读取" if f.status == "unreadable" else "已跳过"
            notifications.append({
                "level": "error" if f.status == "unreadable" else "note",
                "message": {"text": f"{f.path}: {what}：{f.reason or ''}" + (f"（{f.detail}）" if f.detail else "")},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact}}}],
                "descriptor": {"id": f.status},
            })
            continue
        for x in f.findings:
            if x["rule"] not in index:  # a rule from a user's rule directory (--rules DIR)
                index[x["rule"]] = len(descriptors)
                descriptors.append({"id": x["rule"], "name": x.get("name") or x["rule"],
                                    "shortDescription": {"text": x.get("name") or x["rule"]},
                                    "defaultConfiguration": {"level": LEVEL.get(x.get("severity"), "warning")}})
            emit(_result(x, artifact, index))
    invocation = {"executionSuccessful": True, "toolExecutionNotifications": notifications}
    disabled = dict(getattr(result, "disabled", None) or {})
    if disabled:  # rules switched off for this run (--disable RULE=REASON), with the reason
        invocation["ruleConfigurationOverrides"] = [
            {"descriptor": {"id": rid, **({"index": index[rid]} if rid in index else {})},
             "configuration": {"enabled": False, "properties": {"reason": reason}}}
            for rid, reason in disabled.items()]
    overrides = getattr(result, "overrides", None) or {}
    if overrides:  # severities changed for this run (--severity RULE=LEVEL)
        invocation.setdefault("ruleConfigurationOverrides", []).extend(
            {"descriptor": {"id": rid, **({"index": index[rid]} if rid in index else {})},
             "configuration": {"level": LEVEL[sev], "properties": {"default": LEVEL.get(default, default)}}}
            for rid, (default, sev) in sorted(overrides.items()))
    params = getattr(result, "param_overrides", None) or {}
    if params:  # rule params set for this run (the config file's [params.ID])
        invocation.setdefault("ruleConfigurationOverrides", []).extend(
            {"descriptor": {"id": rid, **({"index": index[rid]} if rid in index else {})},
             "configuration": {"parameters": {k: v for k, (_, v) in changed.items()},
                               "properties": {"defaultParameters": {k: d for k, (d, _) in changed.items()}}}}
            for rid, changed in sorted(params.items()))
    run = {
        "tool": {"driver": {"name": "validator", "fullName": "gov-report-validator 政府信息公开工作年度报告检查",
                            # the rule-set hash as build metadata: a verdict says which rules judged it
                            "version": version(result), "semanticVersion": version(result), "language": "zh-CN",
                            "properties": {"ruleset": result.ruleset},
                            "rules": descriptors}},
        # an unreadable file is reported, not a failure of the tool: the run itself completed
        "invocations": [invocation],
        "artifacts": list(artifacts.values()),
        "results": results if inline else _RESULTS,
        "columnKind": "unicodeCodePoints",
        "properties": {"exitCode": result.exit_code, "reviews": getattr(result, "reviews", None),
                       "summary": result.summary},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


_RESULTS = "\ufdd0results\ufdd0"  # where stream() puts the results (a noncharacter: never in a log)
_DEPTH = " " * 8  # the indentation of a result in the log: {, runs [, run {, results [


def stream(result):
    """The log as pieces of text, the results one at a time (spooled, to disk past a few
    megabytes, until the files' notifications and artifacts are known): memory stays flat.
    Joined, exactly :func:`render`'s text."""
    import tempfile

    with tempfile.SpooledTemporaryFile(max_size=8 * 2 ** 20, mode="w+", encoding="utf-8") as spool:
        count = 0

        def emit(res: dict) -> None:  # each result as the log's indenting encoder writes it there
            nonlocal count
            text = json.dumps(_clean(res), ensure_ascii=False, indent=2, allow_nan=False)
            spool.write((",\n" if count else "") + _DEPTH + text.replace("\n", "\n" + _DEPTH))
            count += 1

        text = json.dumps(_clean(to_dict(result, emit)), ensure_ascii=False, indent=2, allow_nan=False)
        head, tail = text.split(json.dumps(_RESULTS, ensure_ascii=False))
        if not count:
            yield head + "[]" + tail
            return
        yield head + "[\n"
        spool.seek(0)
        while piece := spool.read(2 ** 20):
            yield piece
        yield "\n" + _DEPTH[:-2] + "]" + tail


def render(result) -> str:
    return "".join(stream(result))
