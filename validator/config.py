"""The configuration file: ``validator.toml``, or ``[tool.validator]`` in ``pyproject.toml``.

Found as ruff finds its own: from the current directory upward, the first directory with
a ``validator.toml``, or with a ``pyproject.toml`` that has a ``[tool.validator]`` table
(a ``pyproject.toml`` without one is passed over), wins. Command-line options override it.
Paths in it (``rules``, ``reviews``) are relative to the file's directory.

Example::

    include = ["reports/**/*.pdf"]
    exclude = ["reports/草稿/"]
    strict = false
    fail-on = "error"
    rules = ["my-rules"]
    [disable]
    T401 = "复议数据口径另行核对"
    [severity]
    N002 = "info"
    [params.S006.deadlines]      # a rule's params (the keys of its params: in rules/*.yaml)
    department = "02-15"

An unknown key or a bad value is a :class:`ConfigError` naming the file and the key (the
CLI exits 4): a configuration that cannot be read never means "check less".
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FILE = "validator.toml"
LEVELS = ("error", "warning", "info")
FAIL_ON = ("error", "warning")
DEFAULTS = {"include": [], "exclude": [], "strict": False, "rules": [], "reviews": None, "fail-on": "error",
            "disable": {}, "severity": {}, "params": {}}


class ConfigError(ValueError):
    """A configuration file that cannot be used (the CLI exits 4)."""


@dataclass
class Config:
    """The effective configuration: every key of DEFAULTS, and where each value came from
    (the file's path, "命令行" or "默认")."""
    values: dict = field(default_factory=lambda: {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()})
    sources: dict = field(default_factory=lambda: dict.fromkeys(DEFAULTS, "默认"))
    path: Path | None = None

    def __getitem__(self, key: str):
        return self.values[key]

    def override(self, key: str, value, source: str = "命令行") -> None:
        """A command-line value: replaces a scalar or list, merges into a table (per rule id)."""
        if isinstance(self.values[key], dict):
            if value:
                self.values[key] = {**self.values[key], **value}
                self.sources[key] = source if self.sources[key] == "默认" else f"{self.sources[key]} + {source}"
        else:
            self.values[key] = value
            self.sources[key] = source


def find(start: Path | None = None) -> Path | None:
    """The configuration file governing ``start`` (default: the current directory)."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / FILE).is_file():
            return d / FILE
        pyproject = d / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "validator" in _toml(pyproject).get("tool", {}):
                    return pyproject
            except ConfigError:
                continue  # a broken pyproject.toml without our table is not ours to judge
    return None


def _toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as e:
        raise ConfigError(f"{path}: 无法读取配置文件（{e.strerror or e}）") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: 不是有效的 TOML（{e}）") from None


def _strings(path: Path, key: str, v) -> list[str]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ConfigError(f"{path}: {key} 应是字符串或字符串列表")
    return v


def _table(path: Path, key: str, v, allowed: tuple[str, ...] | None) -> dict[str, str]:
    if not isinstance(v, dict):
        raise ConfigError(f"{path}: [{key}] 应是一个表（规则编号 = 值）")
    out = {}
    for rule_id, x in v.items():
        if not isinstance(x, str) or not x.strip():
            what = "停用的理由（不能为空）" if allowed is None else "级别"
            raise ConfigError(f"{path}: [{key}] {rule_id} 应写明{what}")
        if allowed is not None and x not in allowed:
            raise ConfigError(f"{path}: [{key}] {rule_id} = {x!r}：级别应为 {' | '.join(allowed)}")
        out[rule_id.strip().upper()] = x.strip()
    return out


def parse(path: Path) -> dict:
    """The values set in one configuration file, checked (ConfigError on anything wrong)."""
    data = _toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("validator", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.validator] 应是一个表")
    base = path.parent
    out: dict = {}
    for key, v in data.items():
        if key not in DEFAULTS:
            known = "、".join(DEFAULTS)
            raise ConfigError(f"{path}: 未知的配置项 {key!r}（可用：{known}）")
        if key in ("include", "exclude"):
            out[key] = _strings(path, key, v)
        elif key == "rules":
            out[key] = [str((base / d).resolve()) for d in _strings(path, key, v)]
            for d in out[key]:
                if not Path(d).is_dir():
                    raise ConfigError(f"{path}: rules 中的目录不存在：{d}")
        elif key == "reviews":
            if not isinstance(v, str) or not v.strip():
                raise ConfigError(f"{path}: reviews 应是一个文件路径")
            out[key] = str((base / v).resolve())
        elif key == "strict":
            if not isinstance(v, bool):
                raise ConfigError(f"{path}: strict 应为 true 或 false")
            out[key] = v
        elif key == "fail-on":
            if v not in FAIL_ON:
                raise ConfigError(f"{path}: fail-on = {v!r}：应为 {' | '.join(FAIL_ON)}")
            out[key] = v
        elif key == "disable":
            out[key] = _table(path, key, v, None)
        elif key == "severity":
            out[key] = _table(path, key, v, LEVELS)
        elif key == "params":
            out[key] = _params(path, v)
    return out


def _params(path, v) -> dict[str, dict]:
    """[params.RULE] tables: {rule id: {key: value}} (keys and values are checked against
    the rule, see :func:`check_params`)."""
    if not isinstance(v, dict) or not all(isinstance(x, dict) for x in v.values()):
        raise ConfigError(f"{path}: [params] 应由 [params.规则编号] 表组成（键与该规则的 params 相同）")
    return {str(rule_id).strip().upper(): dict(x) for rule_id, x in v.items()}


def load(path: Path | None = None, *, start: Path | None = None) -> Config:
    """The configuration of ``path`` (or the one found from ``start`` upward; none: defaults)."""
    config = Config()
    path = path if path is not None else find(start)
    if path is None:
        return config
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: 配置文件不存在")
    config.path = path
    for key, value in parse(path).items():
        config.values[key] = value
        config.sources[key] = str(path)
    return config


def settings(path=None, *, search: bool = True, include=(), exclude=(), strict: bool | None = None, rules=(),
             fail_on: str | None = None, disable: dict | None = None, severity: dict | None = None,
             params: dict | None = None, reviews=None, source: str = "命令行"):
    """The effective configuration and the active rule catalogue, as the CLI and the Python
    API build them: the configuration file (``path``, else the one found upward when
    ``search``), then the explicit values (lists replace, ``rules`` directories add up,
    ``disable``/``severity`` merge per rule id, ``params`` per rule id and key). Raises
    ConfigError or rules.RuleError."""
    from .rules import catalogue

    conf = load(Path(path)) if path else (load() if search else Config())
    if include:
        conf.override("include", list(include), source)
    if exclude:
        conf.override("exclude", list(exclude), source)
    if strict is not None:
        conf.override("strict", bool(strict), source)
    if fail_on is not None:
        if fail_on not in FAIL_ON:
            raise ConfigError(f"fail-on = {fail_on!r}：应为 {' | '.join(FAIL_ON)}")
        conf.override("fail-on", fail_on, source)
    if reviews is not None:
        conf.override("reviews", str(Path(reviews).resolve()), source)
    if rules:
        conf.values["rules"] = list(conf["rules"]) + [str(Path(d).resolve()) for d in rules]
        conf.sources["rules"] = source if conf.sources["rules"] == "默认" else f"{conf.sources['rules']} + {source}"
    for key, given in (("disable", disable), ("severity", severity)):
        given = {str(k).strip().upper(): str(v).strip() for k, v in (given or {}).items()}
        for rule_id, v in given.items():
            if not v:
                raise ConfigError(f"{source}: {key} {rule_id} 应写明{'停用的理由' if key == 'disable' else '级别'}")
            if key == "severity" and v not in LEVELS:
                raise ConfigError(f"{source}: {key} {rule_id} = {v!r}：级别应为 {' | '.join(LEVELS)}")
        conf.override(key, given, source)
    if params:
        merged = {k: dict(v) for k, v in conf["params"].items()}
        for rule_id, given in params.items():
            if not isinstance(given, dict):
                raise ConfigError(f"{source}: params {rule_id} 应是一个表（键 = 值）")
            merged.setdefault(str(rule_id).strip().upper(), {}).update(given)
        conf.values["params"] = merged
        conf.sources["params"] = source if conf.sources["params"] == "默认" else f"{conf.sources['params']} + {source}"
    known = catalogue(tuple(conf["rules"]))
    check_rule_ids(conf, known)
    check_params(conf, known)
    return conf, catalogue(tuple(conf["rules"]), conf["disable"], conf["severity"], conf["params"])


def check_rule_ids(config: Config, known) -> None:
    """Every rule id named in [disable] and [severity] exists (ConfigError otherwise)."""
    for key in ("disable", "severity"):
        for rule_id in config.values[key]:
            if rule_id not in known:
                raise ConfigError(f"{config.sources[key]}: [{key}] {rule_id}：没有这条规则（用 validator rules 列出全部规则）")


def check_params(config: Config, known) -> None:
    """Every [params.RULE] names a rule, only keys of its params, values it can use
    (ConfigError naming where they were set otherwise)."""
    from .rules import RuleError, set_params

    try:
        set_params(known, config.values["params"])
    except RuleError as e:
        raise ConfigError(f"{config.sources['params']}: [params] {e}") from None


def render(config: Config) -> str:
    """The effective configuration as TOML, each value followed by where it came from."""
    import json

    def value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(json.dumps(x, ensure_ascii=False) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False) if v is not None else '""'

    head = f"# 配置文件：{config.path}" if config.path else "# 没有找到配置文件（validator.toml 或 pyproject.toml 的 [tool.validator]），使用默认值"
    lines = [head]
    for key, v in config.values.items():
        if not isinstance(v, dict):
            lines.append(f"{key} = {value(v)}  # {config.sources[key]}")
    def toml(v) -> str:  # a value as TOML (tables inline)
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {toml(x)}" for k, x in v.items()) + "}"
        return value(v)

    for key, v in config.values.items():
        if key == "params":
            if not v:
                lines.append(f"\n[params]  # {config.sources[key]}（规则文件中的参数，见 validator explain 规则编号）")
            for rule_id, given in v.items():
                lines.append(f"\n[params.{rule_id}]  # {config.sources[key]}")
                lines.extend(f"{k} = {toml(x)}" for k, x in given.items())
        elif isinstance(v, dict):
            lines.append(f"\n[{key}]  # {config.sources[key]}")
            lines.extend(f"{k} = {value(x)}" for k, x in v.items())
    return "\n".join(lines)
