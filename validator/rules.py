"""The rule catalogue: rules are data (``rules/*.yaml``); this module loads and parses them.

An equation rule's assertion is a linear equality over the codes of one table, parsed by
a small recursive-descent parser (no ``eval``)::

    assertion := expr ("==" | "<=" | ">=") expr
    expr      := term (("+" | "-") term)*
    term      := CODE | "prev." CODE | "sum(" GLOB ")" | NUMBER
    CODE      := a row code (rules ``for_each: column``) or a column code (``for_each: row``)
    GLOB      := a code prefix followed by ".*": every detail (non-total) entry under it

``prev.CODE`` is the same cell in the previous year's report of the same body (cross-year
rules). The parsed form is a mapping {code or glob: coefficient} of ``lhs - rhs``, a
constant and the comparison operator.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same safety, faster

from .template import TEMPLATE, VERSIONS

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<sum>sum\(\s*(?P<glob>[a-z_][\w.]*\.\*)\s*\))|(?P<code>[a-z_][\w.]*)|(?P<op>==|<=|>=|\+|-))")
PREV = "prev."
SEVERITIES = ("error", "warning", "info")


class RuleError(ValueError):
    """A rule file is malformed."""


@dataclass(frozen=True)
class Assertion:
    text: str
    lhs: tuple[tuple[str, float], ...]  # (code or glob, coefficient) on the left
    rhs: tuple[tuple[str, float], ...]
    constant: float = 0.0  # constant of lhs - rhs
    op: str = "=="  # the comparison of lhs and rhs

    @property
    def cross_year(self) -> bool:
        return any(code.startswith(PREV) for code, _ in self.lhs + self.rhs)


def parse_assertion(text: str) -> Assertion:
    pos, sides, side, sign, const, op = 0, ([], []), 0, 1.0, 0.0, "=="
    expect_term = True
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise RuleError(f"cannot parse assertion at {text[pos:]!r}: {text!r}")
        pos = m.end()
        if m["op"]:
            if m["op"] in ("==", "<=", ">="):
                if side == 1 or expect_term:
                    raise RuleError(f"misplaced {m['op']!r} in {text!r}")
                side, sign, expect_term, op = 1, 1.0, True, m["op"]
            else:
                if not expect_term:
                    sign, expect_term = (1.0 if m["op"] == "+" else -1.0), True
                elif m["op"] == "-":
                    sign = -sign
            continue
        if not expect_term:
            raise RuleError(f"missing operator before {m.group(0).strip()!r} in {text!r}")
        if m["num"]:
            const += (sign if side == 0 else -sign) * float(m["num"])
        else:
            sides[side].append((m["glob"] or m["code"], sign))
        expect_term, sign = False, 1.0
    if side != 1 or expect_term:
        raise RuleError(f"an assertion must be 'expr == expr' (or <=, >=): {text!r}")
    return Assertion(text, tuple(sides[0]), tuple(sides[1]), const, op)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    severity: str
    message: str
    tables: tuple[str, ...] = ()
    versions: tuple[str, ...] = VERSIONS
    for_each: str | None = None  # "column" | "row" for equations
    assertion: Assertion | None = None
    check: str | None = None  # value checks: "count" | "signed" | "money" | "blank"
    tolerance: float = 0.0
    origin: str | None = None
    subject: str | None = None
    message_strict: str | None = None
    section: str | None = None
    patterns: tuple[str, ...] = ()
    readings: tuple = ()
    value: int | None = None  # what a narrative pattern without a number states
    doc: dict = field(default_factory=dict, hash=False, compare=False)
    file: str = ""

    @property
    def table(self) -> str | None:
        return self.tables[0] if len(self.tables) == 1 else None

    @property
    def kind(self) -> str:
        if self.assertion is not None:
            return "equation"
        if self.check is not None:
            return "value"
        return "extraction"

    def compiled_patterns(self) -> list[re.Pattern]:
        from .narrative import NUM

        try:
            return [re.compile(p.replace("NUM", NUM)) for p in self.patterns]
        except re.error as e:
            raise RuleError(f"rule {self.id}: bad pattern: {e}") from None

    def terms(self, version: str | None = None) -> dict[str, float]:
        """The assertion as {code: coefficient of (lhs - rhs)}, globs expanded from the template."""
        out: dict[str, float] = {}
        for items, side in ((self.assertion.lhs, 1.0), (self.assertion.rhs, -1.0)):
            for code, coef in items:
                for c in expand(self.table, self.for_each, code, version):
                    out[c] = out.get(c, 0.0) + side * coef
        return {c: k for c, k in out.items() if k}


def expand(table: str, for_each: str, code: str, version: str | None = None) -> list[str]:
    if code.startswith(PREV):
        return [PREV + c for c in expand(table, for_each, code[len(PREV):], version)]
    t = TEMPLATE[table]
    entries = t.rows if for_each == "column" else t.columns
    if version is not None:
        entries = [e for e in entries if version in e.versions]
    known = {e.code for e in (t.rows if for_each == "column" else t.columns)}
    if code.endswith(".*"):
        prefix = code[:-1]
        found = list(dict.fromkeys(e.code for e in entries if e.code.startswith(prefix) and not e.total))
        if not found and version is None:
            raise RuleError(f"sum({code}) matches nothing in {table}")
        return found
    if code not in known:
        raise RuleError(f"unknown {'row' if for_each == 'column' else 'column'} code {code!r} in table {table}")
    return [code]


def _rule(d: dict, file: str) -> Rule:
    missing = [k for k in ("id", "name", "title", "severity", "message") if k not in d]
    if missing:
        raise RuleError(f"{file}: rule {d.get('id', '?')} lacks {', '.join(missing)}")
    if d["severity"] not in SEVERITIES:
        raise RuleError(f"{file}: rule {d['id']} has unknown severity {d['severity']!r}")
    tables = d.get("table", ())
    tables = (tables,) if isinstance(tables, str) else tuple(tables)
    assertion = parse_assertion(d["assert"]) if "assert" in d else None
    rule = Rule(
        id=d["id"], name=d["name"], title=d["title"], severity=d["severity"], message=d["message"],
        tables=tables, versions=tuple(str(v) for v in d.get("versions", VERSIONS)),
        for_each=d.get("for_each"), assertion=assertion, check=d.get("check"),
        tolerance=float(d.get("tolerance", 0)), origin=d.get("origin"), subject=d.get("subject"),
        message_strict=d.get("message_strict"), doc=d.get("doc", {}), file=file,
        section=d.get("section"), patterns=tuple(d.get("patterns", ())), readings=tuple(d.get("readings", ())),
        value=d.get("value"),
    )
    rule.compiled_patterns()  # a malformed pattern fails at load time
    if assertion is not None:
        if rule.table is None or rule.for_each not in ("row", "column"):
            raise RuleError(f"{file}: equation rule {rule.id} needs one table and for_each: row|column")
        rule.terms()  # validates every code against the template
    return rule


@lru_cache(maxsize=4)
def load(directory: Path = RULES_DIR) -> dict[str, Rule]:
    """Every rule of every ``*.yaml`` file in ``directory``, by id (ids are unique)."""
    rules: dict[str, Rule] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for d in data.get("rules", []):
            rule = _rule(d, path.name)
            if not re.fullmatch(r"[A-Z]\d{3}", rule.id):
                raise RuleError(f"{path.name}: rule id {rule.id!r} must be a capital letter and three digits")
            if rule.id in rules:
                raise RuleError(f"duplicate rule id {rule.id} in {path.name} and {rules[rule.id].file}")
            rules[rule.id] = rule
    return dict(sorted(rules.items()))


def catalogue(extra: tuple = (), disable: dict[str, str] | None = None) -> dict[str, Rule]:
    """The active catalogue: the project's rules, plus the rule files of ``extra``
    directories (a user's own rules; ids must not clash), minus the rules switched off in
    ``disable`` ({id: reason}; a reason is required)."""
    rules = dict(load())
    for directory in extra:
        for rule_id, rule in load(Path(directory).resolve()).items():
            if rule_id in rules:
                raise RuleError(f"rule {rule_id} in {directory} has the id of an existing rule")
            rules[rule_id] = rule
    for rule_id, reason in (disable or {}).items():
        if rule_id not in rules:
            raise RuleError(f"cannot disable unknown rule {rule_id}")
        if not str(reason).strip():
            raise RuleError(f"disabling {rule_id} needs a reason")
    return {k: r for k, r in sorted(rules.items()) if k not in (disable or {})}
