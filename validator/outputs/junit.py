"""JUnit XML (``--format junit``) for CI test reports (Jenkins, GitLab, GitHub test reporters).

* one ``<testsuite>`` per checked file (its path as the name), with the report's body,
  year and template version as ``<properties>``;
* one ``<testcase>`` per rule of the catalogue that applies to the report (equation and
  value rules of the report's template version; cross-year rules only when they were
  evaluated, i.e. when they have a finding), and one per extraction finding (X rules) and
  per finding of any other rule;
* error-level findings are the ``<failure>`` of their rule's testcase (the Chinese
  message; every finding of the rule in the text), or its ``<error>`` when the rule says
  part of the report could not be read (``unread: true``: not read is not wrong), warnings
  and infos go to the
  testcase's ``<system-out>`` and do not fail it, and so do reviewed errors (reviews
  file), with the decision and its reason;
* a rule switched off for the run (``--disable RULE=REASON``) is a ``<skipped>`` testcase
  with the reason;
* an unreadable file is a suite with one testcase carrying an ``<error>``; a file found in a
  directory that is not a report, one ``<skipped>`` testcase;
* every suite has the run's ``timestamp`` and ``hostname`` and the file's reading ``time``
  (shared by its testcases: the rules are checked for the whole batch at once); every
  testcase its ``time`` and ``file``; the package version and rule-set hash are properties.

The layout follows the Ant/Jenkins JUnit format (validated in the tests against the
schema in tests/schemas/junit.xsd).
"""
from __future__ import annotations

import re

from lxml import etree

from .. import __version__
from ..engine import is_cross_year
from . import SEVERITY_ZH, catalogue, details, review_text

_READ_CASE = "读取报告"
# characters XML 1.0 cannot carry (control characters from a report's raw text)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(s) -> str:
    return _NOT_XML.sub("\ufffd", "" if s is None else str(s))


def _sub(parent, tag: str, text: str | None = None, **attrs):
    el = etree.SubElement(parent, tag, {k: _x(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _x(text)
    return el


def _line(x: dict) -> str:
    parts = [f"[{x.get('rule')} {SEVERITY_ZH.get(x.get('severity'), x.get('severity'))}] {x.get('message')}"]
    if review_text(x):
        parts.append(review_text(x))
    parts.extend(details(x))
    if x.get("fingerprint"):
        parts.append(f"指纹：{x['fingerprint']}")
    return "；".join(parts)


def _applies(rule, version: str | None) -> bool:
    return rule.kind in ("equation", "value") and (version is None or version in rule.versions)


def _case(suite, classname: str, name: str, findings: list[dict], unread: bool = False) -> tuple[int, int, int]:
    """One testcase: (tests, failures, errors) it adds to its suite."""
    case = _sub(suite, "testcase", name=name, classname=classname)
    failing = [x.get("severity") == "error" and not x.get("review") for x in findings]
    errors = [x for x, bad in zip(findings, failing) if bad]
    others = [x for x, bad in zip(findings, failing) if not bad]  # reviewed errors: reported, not failures
    if errors:
        msg = errors[0].get("message") or ""
        if len(errors) > 1:
            msg += f"（共 {len(errors)} 处）"
        _sub(case, "error" if unread else "failure", "\n".join(_line(x) for x in errors), message=msg,
             type=errors[0].get("rule") or "finding")
    if others:
        _sub(case, "system-out", "\n".join(_line(x) for x in others))
    return 1, int(bool(errors) and not unread), int(bool(errors) and unread)


def _properties(suite, f, result) -> None:
    props = etree.SubElement(suite, "properties")
    for name, value in (("validator.version", __version__), ("validator.ruleset", result.ruleset), ("path", f.path),
                        ("status", f.status), ("format", f.format), ("body", f.body),
                        ("year", f.year), ("template", f.template), ("errors", f.count("error")),
                        ("warnings", f.count("warning")), ("infos", f.count("info")), ("reviewed", f.reviewed)):
        if value is not None:
            _sub(props, "property", name=name, value=value)


def _suite(f, result, rules: dict, disabled: dict):
    """One file's ``<testsuite>`` and its (tests, failures, errors, skipped)."""
    suite = etree.Element("testsuite", name=_x(f.path))
    tests = failures = errors = skipped = 0
    if f.status == "unreadable":
        _properties(suite, f, result)
        case = _sub(suite, "testcase", name=_READ_CASE, classname=f.path)
        _sub(case, "error", f"{f.path}: 无法读取：{f.reason or ''}" + (f"（{f.detail}）" if f.detail else ""),
             message=f.reason or "无法读取", type="unreadable")
        tests, errors = 1, 1
    elif f.status == "skipped":  # found in a directory, plainly not a report
        _properties(suite, f, result)
        case = _sub(suite, "testcase", name=_READ_CASE, classname=f.path)
        _sub(case, "skipped", message=f"已跳过：{f.reason or ''}")
        tests, skipped = 1, 1
    else:
        _properties(suite, f, result)
        by_rule: dict[str, list[dict]] = {}
        for x in f.findings:
            by_rule.setdefault(x.get("rule"), []).append(x)
        for rule in rules.values():
            if not _applies(rule, f.template):
                continue
            if rule.id in disabled:  # switched off for this run (--disable RULE=REASON)
                case = _sub(suite, "testcase", name=f"{rule.id} {rule.title}", classname=f.path)
                _sub(case, "skipped", message=f"已停用：{disabled[rule.id]}")
                tests, skipped = tests + 1, skipped + 1
                continue
            found = by_rule.pop(rule.id, [])
            if is_cross_year(rule) and not found:
                continue  # not evaluated without last year's report
            t, fl, er = _case(suite, f.path, f"{rule.id} {rule.title}", found, rule.unread)
            tests, failures, errors = tests + t, failures + fl, errors + er
        for rule_id, found in by_rule.items():  # extraction problems, unknown rules: one case each
            for x in found:
                where = "".join(filter(None, (x.get("table"), f"「{x['row']}」" if x.get("row") else None,
                                              x.get("column"))))
                title = rules[rule_id].title if rule_id in rules else (x.get("name") or "")
                name = f"{rule_id} {title}" + (f"：{where}" if where else "")
                t, fl, er = _case(suite, f.path, name, [x], rule_id in rules and rules[rule_id].unread)
                tests, failures, errors = tests + t, failures + fl, errors + er
    # rules are checked for the whole batch at once: a file's testcases share its reading time
    cases = suite.findall("testcase")
    for case in cases:
        case.set("time", f"{(f.seconds or 0.0) / max(1, len(cases)):.3f}")
        case.set("file", _x(f.path))
    suite.set("time", f"{f.seconds or 0.0:.3f}")
    if result.started:
        suite.set("timestamp", result.started)
    if result.hostname:
        suite.set("hostname", _x(result.hostname))
    counts = (tests, failures, errors, skipped)
    for name, n in zip(_TOTALS, counts):
        suite.set(name, str(n))
    return suite, counts


_TOTALS = ("tests", "failures", "errors", "skipped")
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def stream(result):
    """The XML as pieces of text, one ``<testsuite>`` at a time; joined, exactly
    :func:`render`'s text. The root's totals come first in the file, so the suites are
    spooled (to disk past a few megabytes) until every file is counted: memory stays flat."""
    import tempfile

    rules = catalogue(result)
    disabled = dict(getattr(result, "disabled", None) or {})
    totals = [0, 0, 0, 0]
    with tempfile.SpooledTemporaryFile(max_size=8 * 2 ** 20, mode="w+", encoding="utf-8") as spool:
        for f in result.files:
            suite, counts = _suite(f, result, rules, disabled)
            for i, n in enumerate(counts):
                totals[i] += n
            # serialised as the child of a root, to get the indentation the whole document has
            holder = etree.Element("testsuites")
            holder.append(suite)
            text = etree.tostring(holder, encoding="unicode", pretty_print=True)
            spool.write(text[len("<testsuites>\n"):-len("</testsuites>\n")])
        root = etree.Element("testsuites", name="validator")
        for name, n in zip(_TOTALS, totals):
            root.set(name, str(n))
        if not spool.tell():  # no file: an empty root
            yield _HEAD + etree.tostring(root, encoding="unicode", pretty_print=True)
            return
        yield _HEAD + etree.tostring(root, encoding="unicode")[:-2] + ">\n"
        spool.seek(0)
        while piece := spool.read(2 ** 20):
            yield piece
        yield "</testsuites>\n"


def render(result) -> str:
    return "".join(stream(result))
