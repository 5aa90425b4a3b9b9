"""Rule documentation, rendered from the catalogue records (rules/*.yaml) only.

``validator explain``, ``validator rules --format markdown`` (docs/rules.md) and the SARIF
rule descriptions all come from here, so a rule is documented once.
"""
from __future__ import annotations

from .template import TEMPLATE

_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def scope(rule) -> str:
    if rule.assertion is not None:
        each = "每一列" if rule.for_each == "column" else "每一行"
        return f"{TEMPLATE.table_label(rule.table)}{each}：`{rule.assertion.text}`（容差 {rule.tolerance:g}）"
    if rule.check == "extraction":
        return "读取表格时发现"
    return f"检查：{rule.check}" + (f"（{'、'.join(map(TEMPLATE.table_label, rule.tables))}）" if rule.tables else "")


def explain_text(rule) -> str:
    d = rule.doc or {}
    ex = d.get("example") or {}
    lines = [f"{rule.id} {rule.name}（{_SEVERITY[rule.severity]}）", rule.title, "", scope(rule),
             f"适用格式版本：{'、'.join(rule.versions)}", ""]
    for key, head in (("what", "检查什么"), ("why", "为什么")):
        if d.get(key):
            lines += [f"## {head}", d[key], ""]
    if ex:
        lines += ["## 示例", f"不通过：{ex.get('wrong', '')}", f"通过：{ex.get('right', '')}", ""]
    for key, head in (("source", "依据"), ("limits", "局限")):
        if d.get(key):
            lines += [f"## {head}", d[key], ""]
    return "\n".join(lines).rstrip()


def markdown(rules: dict) -> str:
    """docs/rules.md: the catalogue index, then one section per rule."""
    out = ["# Rule catalogue", "",
           "Generated from `rules/*.yaml` by `validator rules --format markdown > docs/rules.md`;",
           "a test fails when this file is stale. Rule ids are stable and never reused.", "",
           "| id | name | severity | tables | versions | title |", "|---|---|---|---|---|---|"]
    for r in rules.values():
        tables = "、".join(map(TEMPLATE.table_label, r.tables)) or "—"
        out.append(f"| [{r.id}](#{r.id.lower()}) | `{r.name}` | {r.severity} | {tables} | {'、'.join(r.versions)} | {r.title} |")
    out.append("")
    for r in rules.values():
        body = explain_text(r).split("\n")
        out += [f"## {r.id}", "", f"**{body[0]}** — {body[1]}", ""]
        out += [line.replace("## ", "### ", 1) if line.startswith("## ") else line for line in body[3:]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def records(rules) -> list[dict]:
    """The catalogue as plain records (``validator rules --format json``, ``GET /api/rules``)."""
    return [{"id": r.id, "name": r.name, "title": r.title, "severity": r.severity, "tables": list(r.tables),
             "versions": list(r.versions), "kind": r.kind, "assert": r.assertion.text if r.assertion else None}
            for r in rules.values()]
