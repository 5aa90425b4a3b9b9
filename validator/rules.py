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

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same safety, faster

from .template import TEMPLATE, VERSIONS

BUILTIN_FILES = ("crossyear.yaml", "extraction.yaml", "narrative.yaml", "reviews.yaml", "structure.yaml", "t2.yaml",
                 "t3.yaml", "t4.yaml", "values.yaml")
"""The built-in rule files (rules/ at the project's top level). Listed so that a missing
one is a configuration error, not a silently smaller catalogue (tests keep it equal to rules/)."""
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<sum>sum\(\s*(?P<glob>[a-z_][\w.]*\.\*)\s*\))|(?P<code>[a-z_][\w.]*)|(?P<op>==|<=|>=|\+|-))")
PREV = "prev."
SEVERITIES = ("error", "warning", "info")


class RuleError(ValueError):
    """A rule file is malformed or missing, or a rule id is unknown: a configuration error
    (the CLI exits 4), never a smaller catalogue."""


def split_ref(ref: str) -> tuple[str, str, str]:
    """'t3.results.total.total' → ('t3', 'results.total', 'total'): a cell written table.row.column."""
    table, rest = ref.split(".", 1)
    row, column = rest.rsplit(".", 1)
    return table, row, column



def builtin_dir() -> Path:
    """The directory of the built-in rules beside this copy of the code.

    Installed (wheel, sdist) the top-level rules/ is the package ``validator.builtin_rules``
    (pyproject's package-dir); in a source checkout (editable install) it is rules/ itself.
    Looked up beside ``__file__`` rather than by import, so that one checkout never reads
    the rules of another checkout's editable install."""
    here = Path(__file__).resolve().parent
    if (here / "builtin_rules").is_dir():
        return here / "builtin_rules"
    if (here.parent / "pyproject.toml").is_file() and (here.parent / "rules").is_dir():
        return here.parent / "rules"
    raise RuleError(f"内置规则目录缺失：{here / 'builtin_rules'}（安装不完整，请重新安装 gov-report-validator）")


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
class Listing:
    """How a message writes a list parameter (the rule file's ``lists:``): each item by
    ``item`` (a mapping's keys by name, a single value as ``{}``), joined by ``sep``, at most
    ``most`` of them and then ``more`` (「等」); ``none`` when there is no item. The wording
    is data; checks give the items."""

    item: str
    sep: str
    most: int | None = None
    more: str = ""
    none: str = ""

    def join(self, items) -> str:
        items = list(items)
        if not items:
            return self.none
        shown = items if self.most is None else items[: self.most]
        text = self.sep.join(_item(self.item, x) for x in shown)
        return text + (self.more if len(items) > len(shown) else "")


def _item(template: str, x) -> str:
    from .finding import fmt, render

    if isinstance(x, dict):
        return render(template, x)
    return template.format(fmt(x) if isinstance(x, float) else x)


def _listing(name: str, d) -> Listing:
    if not isinstance(d, dict) or not isinstance(d.get("item"), str) or not isinstance(d.get("sep"), str):
        raise RuleError(f"lists: {name} needs an item and a sep (strings)")
    unknown = set(d) - {"item", "sep", "most", "more", "none"}
    if unknown:
        raise RuleError(f"lists: {name} has unknown keys {', '.join(sorted(unknown))}")
    most = d.get("most")
    if most is not None and (not isinstance(most, int) or isinstance(most, bool) or most < 1):
        raise RuleError(f"lists: {name}: most must be a whole number of at least 1")
    return Listing(d["item"], d["sep"], most, str(d.get("more", "")), str(d.get("none", "")))


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
    check: str = "equation"  # the check kind (validator.engine.CHECKS); an assertion is an "equation"
    tolerance: float = 0.0
    origin: str | None = None
    subject: str | None = None
    messages: dict = field(default_factory=dict, hash=False, compare=False)  # named variants of message
    severity_by_table: dict = field(default_factory=dict, hash=False, compare=False)  # {table code: severity}
    section: str | None = None
    patterns: tuple[str, ...] = ()
    readings: tuple = ()
    value: int | None = None  # what a narrative pattern without a number states
    cells: tuple[str, ...] = ()  # cells a check reads, written table.row.column
    params: dict = field(default_factory=dict, hash=False, compare=False)  # a check's own settings (thresholds …)
    keywords: tuple[str, ...] = ()
    min_chars: int = 0
    unread: bool = False  # a finding means part of the report could not be read, not that it is wrong
    doc: dict = field(default_factory=dict, hash=False, compare=False)
    file: str = ""
    default_severity: str | None = None  # the rule file's severity, when overridden for this run
    default_params: dict | None = field(default=None, hash=False, compare=False)  # the rule file's params, when overridden
    digest: str = ""  # sha256 of the rule's file (the rule-set version)
    lists: dict = field(default_factory=dict, hash=False, compare=False)  # {param: Listing}: how list params are written

    @property
    def message_strict(self) -> str | None:
        return self.messages.get("strict")

    def message_for(self, variant: str | None = None) -> str:
        """The message template: the rule's ``message``, or its named variant in ``messages``."""
        if variant is None:
            return self.message
        if variant not in self.messages:
            raise RuleError(f"rule {self.id} has no message {variant!r} (messages: in {self.file})")
        return self.messages[variant]

    def listing(self, name: str, items) -> str:
        """A list parameter written as the rule's ``lists:`` say (the file's, or the rule's own)."""
        if name not in self.lists:
            raise RuleError(f"rule {self.id} has no lists: {name} (how to write its {name} in messages; in {self.file})")
        return self.lists[name].join(items)

    def severity_for(self, table: str | None = None) -> str:
        return self.severity_by_table.get(table, self.severity) if table else self.severity

    def with_severity(self, severity: str) -> "Rule":
        """The rule at another severity, for every table (a per-rule override)."""
        if severity not in SEVERITIES:
            raise RuleError(f"rule {self.id}: unknown severity {severity!r} (error, warning or info)")
        return replace(self, severity=severity, severity_by_table={},
                       default_severity=self.default_severity or self.severity)

    @property
    def table(self) -> str | None:
        return self.tables[0] if len(self.tables) == 1 else None

    @property
    def kind(self) -> str:
        """equation, extraction, or value (every other check of one report's values or text)."""
        if self.assertion is not None:
            return "equation"
        return "extraction" if self.check == "extraction" else "value"

    def with_params(self, given: dict) -> "Rule":
        """The rule with some of its ``params`` set otherwise (the config file's [params.ID]):
        only the keys the rule has, each a value of the same type as the rule file's (a table
        merges key by key), then the check kind's own test. RuleError names what is wrong."""
        if not isinstance(given, dict):
            raise RuleError(f"{self.id} 的参数应是一个表（键 = 值）")
        base = self.default_params if self.default_params is not None else self.params
        merged = _param(self.id, "", dict(self.params), given)
        _check_params(self, merged)
        return replace(self, params=merged, default_params=base)

    @property
    def param_overrides(self) -> dict:
        """{key: (the rule file's value, the value used)} of the params this run changed."""
        if self.default_params is None:
            return {}
        return {k: (self.default_params.get(k), v) for k, v in self.params.items() if self.default_params.get(k) != v}

    @property
    def subject_code(self) -> str | None:
        """The one code an equation's left side names (``results.withheld.subtotal`` of
        ``results.withheld.subtotal == sum(results.withheld.*)``), else None. Where a report
        has no such row or column (an optional row it does not print) the equation is skipped."""
        if self.assertion is None or len(self.assertion.lhs) != 1:
            return None
        code = self.assertion.lhs[0][0]
        return None if code.endswith("*") else code

    def compiled_patterns(self) -> list[re.Pattern]:
        from .narrative import MONEY, NUM

        try:
            return [re.compile(p.replace("MONEY", MONEY).replace("NUM", NUM)) for p in self.patterns]
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


def _param(rule_id: str, key: str, default, value):
    """``value`` checked against the rule file's ``default`` (same type; a table only with
    the default's keys, merged into it)."""
    name = key or "params"
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise RuleError(f"{rule_id} 的参数 {name} 应是一个表（键：{'、'.join(map(str, default))}）")
        out = dict(default)
        for k, v in value.items():
            if k not in default:
                raise RuleError(f"{rule_id} 没有参数 {f'{key}.' if key else ''}{k}（可用：{'、'.join(map(str, default)) or '无'}）")
            out[k] = _param(rule_id, f"{key}.{k}" if key else str(k), default[k], v)
        return out
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, (int, float)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and 0 <= value < float("inf")
    elif isinstance(default, str):
        ok = isinstance(value, str) and bool(value.strip())
    else:
        ok = isinstance(value, type(default))
    if not ok:
        want = {bool: "true 或 false", int: "不小于 0 的数", float: "不小于 0 的数", str: "非空的字符串"}.get(type(default), type(default).__name__)
        raise RuleError(f"{rule_id} 的参数 {name} = {value!r}：应为{want}（规则文件中为 {default!r}）")
    return value


def _check_params(rule: Rule, params: dict) -> None:
    """The check kind's own test of a rule's params (validator.engine.check(params=…))."""
    from .engine import CHECKS

    kind = CHECKS.get(rule.check)
    if kind is not None and kind.params is not None:
        try:
            kind.params(params)
        except (ValueError, TypeError) as e:
            raise RuleError(f"{rule.id} 的参数 {e}") from None


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


def _rule(d: dict, file: str, lists: dict | None = None) -> Rule:
    missing = [k for k in ("id", "name", "title", "severity", "message") if k not in d]
    if missing:
        raise RuleError(f"{file}: rule {d.get('id', '?')} lacks {', '.join(missing)}")
    if d["severity"] not in SEVERITIES:
        raise RuleError(f"{file}: rule {d['id']} has unknown severity {d['severity']!r}")
    tables = d.get("table", ())
    tables = (tables,) if isinstance(tables, str) else tuple(tables)
    assertion = parse_assertion(d["assert"]) if "assert" in d else None
    check = d.get("check", "equation" if assertion is not None else None)
    from .engine import CHECKS  # the registry of check kinds

    if check not in CHECKS:
        raise RuleError(f"{file}: rule {d['id']} has unknown check {check!r} (one of {', '.join(sorted(CHECKS))})")
    if (check == "equation") != (assertion is not None):
        raise RuleError(f"{file}: rule {d['id']}: an equation rule needs an assert, and only it has one")
    by_table = dict(d.get("severity_by_table") or {})
    if any(s not in SEVERITIES for s in by_table.values()):
        raise RuleError(f"{file}: rule {d['id']} has an unknown severity in severity_by_table")
    messages = dict(d.get("messages") or {})
    if "message_strict" in d:
        messages.setdefault("strict", d["message_strict"])
    rule = Rule(
        id=d["id"], name=d["name"], title=d["title"], severity=d["severity"], message=d["message"],
        tables=tables, versions=tuple(str(v) for v in d.get("versions", VERSIONS)),
        for_each=d.get("for_each"), assertion=assertion, check=check,
        tolerance=float(d.get("tolerance", 0)), origin=d.get("origin"), subject=d.get("subject"),
        messages=messages, severity_by_table=by_table, doc=d.get("doc", {}), file=file,
        section=d.get("section"), patterns=tuple(d.get("patterns", ())), readings=tuple(d.get("readings", ())),
        value=d.get("value"), cells=tuple(d.get("cells", ())), params=dict(d.get("params") or {}),
        keywords=tuple(d.get("keywords", ())), min_chars=int(d.get("min_chars", 0)),
        unread=bool(d.get("unread", False)),
        lists={**(lists or {}), **{k: _listing(k, v) for k, v in (d.get("lists") or {}).items()}},
    )
    rule.compiled_patterns()  # a malformed pattern fails at load time
    _check_params(rule, rule.params)  # and so do params the check cannot use
    for ref in rule.cells + tuple(ref for reading in rule.readings for ref in reading.get("cells", ())):
        _known_cell(file, rule.id, ref)
    if assertion is not None:
        if rule.table is None or rule.for_each not in ("row", "column"):
            raise RuleError(f"{file}: equation rule {rule.id} needs one table and for_each: row|column")
        rule.terms()  # validates every code against the template
    return rule


def _known_cell(file: str, rule_id: str, ref: str) -> None:
    """A cell written table.row.column must be the template's; the row may be a group
    (``results.withheld``) or a glob (``results.withheld.*``): the detail rows under it."""
    try:
        table, row, column = split_ref(ref)
        t = TEMPLATE[table]
        t.column(column)
        prefix = row.removesuffix(".*") + "."
        if not row.endswith(".*") and row in {r.code for r in t.rows}:
            return
        if not any(r.code.startswith(prefix) for r in t.rows):
            raise KeyError(row)
    except (KeyError, ValueError):
        raise RuleError(f"{file}: rule {rule_id} names the cell {ref!r}, which the template does not have") from None


def _read(path: Path) -> tuple[list[dict], dict]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as e:
        raise RuleError(f"{path}: 无法读取规则文件（{e.strerror or e}）") from None
    except UnicodeDecodeError:
        raise RuleError(f"{path}: 规则文件不是 UTF-8 文本") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行：" if mark is not None else ""
        raise RuleError(f"{path}: 规则文件不是有效的 YAML（{where}{getattr(e, 'problem', None) or e}）") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleError(f"{path}: 规则文件应有 rules: 列表")
    if not all(isinstance(d, dict) for d in data["rules"]):
        raise RuleError(f"{path}: rules: 列表的每一项应是一条规则（键: 值）")
    lists = data.get("lists") or {}
    if not isinstance(lists, dict):
        raise RuleError(f"{path}: lists: 应是“名称: 写法”的映射")
    try:
        return data["rules"], {k: _listing(k, v) for k, v in lists.items()}
    except RuleError as e:
        raise RuleError(f"{path}: {e}") from None


@lru_cache(maxsize=1)
def builtin_lists() -> dict[str, "Listing"]:
    """The ``lists:`` of the built-in rule files: how a message writes a list parameter
    unless the rule or its file says otherwise (so a user's rule of any check kind renders
    as the built-in ones do). A name two files write differently is a RuleError."""
    out: dict[str, Listing] = {}
    for path in sorted(builtin_dir().glob("*.yaml")):
        for name, listing in _read(path)[1].items():
            if out.get(name, listing) != listing:
                raise RuleError(f"{path}: lists: {name} differs from another built-in rule file's")
            out[name] = listing
    return out


@lru_cache(maxsize=8)
def load(directory: Path | None = None) -> dict[str, Rule]:
    """Every rule of every ``*.yaml`` file in ``directory`` (default: the built-in rules),
    by id (ids are unique). A missing built-in file, a file that does not parse, a
    malformed rule or an empty directory raises RuleError naming the file."""
    builtin = directory is None
    directory = builtin_dir() if builtin else Path(directory)
    if not directory.is_dir():
        raise RuleError(f"{directory}: 规则目录不存在")
    paths = sorted(directory.glob("*.yaml"))
    if builtin:
        missing = [name for name in BUILTIN_FILES if not (directory / name).is_file()]
        if missing:
            raise RuleError(f"{directory / missing[0]}: 内置规则文件缺失（安装不完整，请重新安装 gov-report-validator）")
    if not paths:
        raise RuleError(f"{directory}: 目录中没有规则文件（*.yaml）")
    rules: dict[str, Rule] = {}
    defaults = builtin_lists()
    for path in paths:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entries, own = _read(path)
        lists = {**defaults, **own}
        if builtin and not entries:
            raise RuleError(f"{path}: 内置规则文件中没有规则（安装不完整，请重新安装 gov-report-validator）")
        for d in entries:
            try:
                rule = _rule(d, path.name, lists)
            except RuleError as e:  # named by the file's full path: the user must find it
                raise RuleError(f"{path}: {str(e).removeprefix(path.name + ': ')}") from None
            except (TypeError, ValueError, AttributeError) as e:  # a key of the wrong type
                raise RuleError(f"{path}: 规则 {d.get('id', '?')} 有误：{e}") from None
            if not isinstance(rule.id, str) or not re.fullmatch(r"[A-Z]\d{3}", rule.id):
                raise RuleError(f"{path}: rule id {rule.id!r} must be a capital letter and three digits")
            if rule.id in rules:
                raise RuleError(f"{path}: duplicate rule id {rule.id} (also in {rules[rule.id].file})")
            rules[rule.id] = replace(rule, digest=digest)
    if not rules:
        raise RuleError(f"{directory}: 目录中的规则文件里没有规则")
    return dict(sorted(rules.items()))


def ruleset_version(rules: dict[str, Rule]) -> str:
    """A short content hash of the active rules (their files' bytes, ids and severities):
    what every output records, so that a verdict says which rules judged it."""
    h = hashlib.sha256()
    for rule_id, r in sorted(rules.items()):
        by_table = ",".join(f"{t}={v}" for t, v in sorted((getattr(r, "severity_by_table", None) or {}).items()))
        params = json.dumps(r.params, sort_keys=True, ensure_ascii=False) if r.default_params is not None else ""
        h.update(f"{rule_id}\0{r.severity}\0{by_table}\0{r.digest}\0{params}\n".encode())
    return h.hexdigest()[:12]


def catalogue(extra: tuple = (), disable: dict[str, str] | None = None,
              severity: dict[str, str] | None = None, params: dict[str, dict] | None = None) -> dict[str, Rule]:
    """The active catalogue: the project's rules, plus the rule files of ``extra``
    directories (a user's own rules; ids must not clash), minus the rules switched off in
    ``disable`` ({id: reason}; a reason is required), with the severities of ``severity``
    ({id: error|warning|info}, see :func:`override`) and the params of ``params``
    ({id: {key: value}}, see :meth:`Rule.with_params`)."""
    rules = dict(load())
    for directory in extra:
        for rule_id, rule in load(Path(directory).resolve()).items():
            if rule_id in rules:
                raise RuleError(f"{Path(directory) / rule.file}: rule {rule_id} has the id of a built-in rule")
            rules[rule_id] = rule
    if not rules:
        raise RuleError("规则目录为空：没有可用的规则")
    for rule_id, reason in (disable or {}).items():
        if rule_id not in rules:
            raise RuleError(f"cannot disable unknown rule {rule_id}")
        if not str(reason).strip():
            raise RuleError(f"disabling {rule_id} needs a reason")
    rules = override(rules, severity or {})
    rules = set_params(rules, params or {})
    return {k: r for k, r in sorted(rules.items()) if k not in (disable or {})}


def override(rules: dict[str, Rule], severity: dict[str, str]) -> dict[str, Rule]:
    """The catalogue with per-rule severities ({id: error|warning|info}): ``--severity`` and
    the config file's [severity] table. The rule's findings take that severity wherever
    they come from (equations, extraction, structure …). An unknown id is a RuleError."""
    out = dict(rules)
    for rule_id, sev in severity.items():
        key = str(rule_id).strip().upper()
        if key not in out:
            raise RuleError(f"cannot set the severity of unknown rule {rule_id}")
        out[key] = out[key].with_severity(str(sev).strip().lower())
    return out


def set_params(rules: dict[str, Rule], params: dict[str, dict]) -> dict[str, Rule]:
    """The catalogue with some rules' params set otherwise ({id: {key: value}}: the config
    file's [params.ID] tables). An unknown id, key or a bad value is a RuleError."""
    out = dict(rules)
    for rule_id, given in params.items():
        key = str(rule_id).strip().upper()
        if key not in out:
            raise RuleError(f"没有规则 {rule_id}（用 validator rules 列出全部规则）")
        out[key] = out[key].with_params(given)
    return out


def parse_severity(items) -> dict[str, str]:
    """``RULE=error|warning|info`` items (``--severity``) as {id: severity}; RuleError if malformed."""
    out = {}
    for item in items:
        rule_id, sep, sev = str(item).partition("=")
        if not sep or not rule_id.strip() or sev.strip().lower() not in SEVERITIES:
            raise RuleError(f"--severity {item}: write RULE=error|warning|info")
        out[rule_id.strip().upper()] = sev.strip().lower()
    return out
