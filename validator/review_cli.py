"""``validator review add|list|prune``: keep the reviews file (validator/reviews.py).

``add`` appends one decision (the file is created when absent; its comments and other
entries are kept). ``list`` shows the entries and, given the reports, whether each still
matches a finding (适用), no longer matches one of a checked report (不再适用), or belongs to a
report not checked (未检查). ``prune`` removes the entries that no longer match; it needs
the reports, checked with the options the check itself uses (``--strict``, ``--previous``,
``--rules`` …), since those decide which findings exist. Entries of reports that were not
checked, or could not be read, are never removed.

Exit codes: 0 done; 2 a report could not be read (its entries are left alone); 4 a bad
reviews file, fingerprint, status or date (nothing is written).
"""
from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

DEFAULT_FILE = "reviews.yaml"
_STATE = {"applies": "适用", "stale": "不再适用", "unchecked": "未检查"}


def _fail(message: str) -> None:
    from .outputs.safe import terminal

    click.echo(f"validator: {terminal(message)}", err=True)
    sys.exit(4)


def _config(config_file=None, **given):
    """The configuration and catalogue ``validator check`` would use here (config file, then
    the options), with every configured rule active: a review of a switched-off rule's
    finding is still that finding's review (never pruned because the rule is off today)."""
    from . import config as cfg
    from .rules import RuleError, catalogue

    try:
        conf, _ = cfg.settings(config_file, **given)
    except cfg.ConfigError as e:
        _fail(str(e))
    except RuleError as e:
        _fail(f"规则设置有误：{e}")
    return conf, catalogue(tuple(conf["rules"]), {}, conf["severity"], conf["params"])


def _file(option: str | None, config_file=None) -> Path:
    """--file, else the configuration's ``reviews``, else reviews.yaml."""
    if option:
        return Path(option)
    from . import config as cfg

    try:  # only where the file is: no rule catalogue to build for that
        conf = cfg.load(Path(config_file)) if config_file else cfg.load()
    except cfg.ConfigError as e:
        _fail(str(e))
    return Path(conf["reviews"]) if conf["reviews"] else Path(DEFAULT_FILE)


def _load(path: Path):
    from .reviews import ReviewsError, load

    try:
        return load(path)
    except ReviewsError as e:
        _fail(f"审核记录有误：{e}")


_file_option = click.option("--file", "file_", type=click.Path(dir_okay=False),
                            help=f"审核记录文件（默认：配置项 reviews，否则 {DEFAULT_FILE}）。")


def _check_options(fn):
    """The options of ``validator check`` that decide which findings there are."""
    for opt in reversed((
        click.option("--strict/--no-strict", default=None, help="与检查时相同：每个空白单元格都是错误（默认：配置文件的 strict）。"),
        click.option("--year", type=int, help="与检查时相同：报告年度。"),
        click.option("--body", help="与检查时相同：发布机关。"),
        click.option("--previous", multiple=True, type=click.Path(dir_okay=False), help="与检查时相同：上一年度的报告。"),
        click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, exists=True),
                     help="与检查时相同：自定义规则目录（加在配置文件的 rules 之后）。"),
        click.option("--include", "--glob", "include", multiple=True, metavar="GLOB",
                     help="与检查时相同：从目录中选取文件（默认：配置文件的 include，否则所有报告文件）。"),
        click.option("--exclude", multiple=True, metavar="GLOB", help="与检查时相同：从目录中排除文件。"),
        click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True),
                     help="与检查时相同：配置文件（默认：从当前目录向上查找）。"),
    )):
        fn = opt(fn)
    return fn


def _states(reviews, reports, *, strict, year, body, previous, rule_dirs, include, exclude, config_file):
    """{fingerprint: (state, finding or None, path or None)} for every entry, and whether a
    report was unreadable: the reports checked as ``validator check`` checks them here."""
    from . import discover
    from .run import check_paths

    conf, rules = _config(config_file, include=include, exclude=exclude, strict=strict, rules=rule_dirs)
    targets = discover.collect([Path(p) for p in reports], conf["include"], conf["exclude"])
    result = check_paths([t.path for t in targets], strict=conf["strict"], year=year, body=body,
                         previous=[Path(p) for p in previous], rules=rules, reviews=reviews,
                         skip_non_reports=[t.path for t in targets if not t.named])
    from .outputs.safe import terminal

    for f in result.files:
        if f.status == "unreadable":
            click.echo(f"{terminal(f.path)}: 无法读取：{terminal(f.reason)}", err=True)
    found = {x["fingerprint"]: (x, f.path) for f in result.files for x in f.findings if x.get("review")}
    stale = set(result.reviews["stale"])
    states = {}
    for r in reviews.entries:
        if r.fingerprint in found:
            states[r.fingerprint] = ("applies", *found[r.fingerprint])
        else:
            states[r.fingerprint] = ("stale" if r.fingerprint in stale else "unchecked", None, None)
    return states, any(f.status == "unreadable" for f in result.files)


@click.group("review")
def review():
    """审核记录：把核对过的问题记入审核记录文件（add），查看（list），删除不再适用的记录（prune）。

    问题的指纹见 validator check 的各种输出（JSON/CSV 的 fingerprint，HTML 报告中每个问题下方）。
    """


@review.command("add")
@click.argument("fingerprint")
@click.option("--reason", required=True, help="理由（必填），如“核对原始台账后确认”。")
@click.option("--status", type=click.Choice(["accepted", "false-positive"]), default="accepted", show_default=True,
              help="accepted：确认无误、接受；false-positive：规则误报。")
@click.option("--by", help="审核人或单位。")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="审核日期（默认今天）。")
@_file_option
def add(fingerprint, reason, status, by, date_, file_):
    """记录一条审核结论（追加到审核记录文件，文件不存在时创建）。"""
    from .fingerprint import PATTERN
    from .reviews import ReviewsError, add as add_entry

    fingerprint = fingerprint.strip()
    if not PATTERN.fullmatch(fingerprint):
        _fail(f"指纹 {fingerprint!r} 格式不对（应为 validator check 输出的指纹，如 a47d7969-d0122b837353）")
    if not reason.strip():
        _fail("--reason 不能为空：每条审核记录都必须写明理由")
    try:
        date = datetime.date.fromisoformat(date_) if date_ else datetime.date.today()
    except ValueError:
        _fail(f"--date {date_!r} 不是日期（如 2026-12-01）")
    path = _file(file_)
    try:
        add_entry(path, fingerprint, reason.strip(), status=status, by=(by or "").strip() or None, date=date.isoformat())
    except ReviewsError as e:
        _fail(f"审核记录有误：{e}")
    click.echo(f"已记录 {fingerprint}（{status}）到 {path}")


@review.command("list")
@click.argument("reports", nargs=-1)
@_file_option
@_check_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_(reports, file_, fmt, **options):
    """列出审核记录；给出报告时，标明每条是否仍适用（适用 / 不再适用 / 未检查）。"""
    import json

    path = _file(file_, options["config_file"])
    reviews = _load(path)
    states, unreadable = ({}, False)
    if reports:
        states, unreadable = _states(reviews, reports, **options)
    rows = []
    for r in reviews.entries:
        state, finding, where = states.get(r.fingerprint, (None, None, None))
        row = {"fingerprint": r.fingerprint, "status": r.status, "reason": r.reason, "by": r.by, "date": r.date,
               "line": r.line, "state": state, "path": where,
               "rule": finding["rule"] if finding else None,
               "where": "".join(filter(None, (finding.get("table"), f"「{finding['row']}」" if finding.get("row") else None,
                                              finding.get("column")))) if finding else None,
               "finding": finding["message"] if finding else None}
        rows.append(row)
    if fmt == "json":
        click.echo(json.dumps({"file": str(path), "entries": rows}, ensure_ascii=False, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        from .outputs.safe import markup

        table = Table(title=markup(f"{path}：{len(rows)} 条审核记录"), header_style="bold", pad_edge=False)
        columns = ["指纹", "结论", "理由", "审核人", "日期"] + (["是否适用", "对应的问题"] if reports else [])
        for col in columns:
            table.add_column(col, overflow="fold", no_wrap=col in ("指纹", "日期"))
        from .reviews import STATUSES

        for row in rows:
            cells = [row["fingerprint"], STATUSES[row["status"]], row["reason"], row["by"] or "", row["date"] or ""]
            if reports:
                cells += [_STATE[row["state"]], f"{row['rule']} {row['where']}" if row["rule"] else ""]
            table.add_row(*map(markup, cells))
        Console().print(table)
    sys.exit(2 if unreadable else 0)


@review.command("prune")
@click.argument("reports", nargs=-1, required=True)
@_file_option
@_check_options
@click.option("--dry-run", is_flag=True, help="只列出将删除的记录，不修改文件。")
def prune(reports, file_, dry_run, **options):
    """删除不再适用的审核记录（检查给出的报告后，属于这些报告却已没有对应问题的记录）。

    与 validator check 一样读取配置文件（规则目录、级别、规则参数、strict、include/exclude）；
    请使用与检查时相同的选项（--previous 等）：它们决定有哪些问题。配置中停用的规则照样检查，
    其问题的审核记录不会因停用而被删除。未检查或无法读取的报告的记录不会被删除。
    """
    from .reviews import ReviewsError, remove

    path = _file(file_, options["config_file"])
    reviews = _load(path)
    states, unreadable = _states(reviews, reports, **options)
    stale = [r for r in reviews.entries if states[r.fingerprint][0] == "stale"]
    from .outputs.safe import terminal

    for r in stale:
        click.echo(f"{'将删除' if dry_run else '已删除'} {r.fingerprint}（{r.status}，理由：{terminal(r.reason)}）")
    if stale and not dry_run:
        try:
            remove(path, [r.fingerprint for r in stale])
        except ReviewsError as e:
            _fail(f"审核记录有误：{e}")
    kept = len(reviews.entries) - (0 if dry_run else len(stale))
    click.echo(f"{path}：{len(stale)} 条不再适用，{'未修改文件' if dry_run else '已删除'}，保留 {kept} 条")
    sys.exit(2 if unreadable else 0)
