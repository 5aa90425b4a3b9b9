"""Command line: ``validator check``, ``validator extract``, ``validator rules``,
``validator explain``, ``validator config``.

Exit codes (every command; EXIT_HELP is what ``--help`` shows): 0 no finding at or above
the fail-on level; 1 such findings; 2 a report could not be read (one line on stderr for
each such file; the others are still checked); 3 internal error; 4 usage or configuration
error (a bad option or value, an unknown format, a bad configuration file, a broken or
missing rule file, an unknown rule id). Never a traceback without ``--debug``.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import click

from . import review_cli
from .outputs import FORMATS

EXIT_USAGE = 4
EXIT_HELP = """\b
退出码：0 没有达到 --fail-on 级别（默认 error）的问题；1 有这样的问题；
        2 有报告无法读取；3 内部错误；
        4 用法或配置错误（选项有误、未知格式、配置文件或规则文件有误、规则编号不存在）。
        --exit-zero 时有问题也以 0 退出（2、3、4 不变）。"""


class ConfigProblem(click.ClickException):
    """A configuration error (config file, rule files, rule ids, output paths): one line, exit 4."""
    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"validator: {self.format_message()}", err=True)


class _ChineseHelp:
    """``-h/--help`` described in Chinese, like every other option."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助后退出。"
        return option


class _Command(_ChineseHelp, click.Command):
    pass


class _Gate(_ChineseHelp, click.Group):
    """Maps click's usage errors to exit 4 (click's own 2 means "unreadable" here) and any
    unexpected exception to exit 3 with one line (the traceback only with ``--debug``)."""

    command_class = _Command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as e:
            e.show()
            sys.exit(EXIT_USAGE)
        except click.ClickException as e:
            e.show()
            sys.exit(e.exit_code if isinstance(e, ConfigProblem) else EXIT_USAGE)
        except click.Abort:
            click.echo("validator: 已中止", err=True)
            sys.exit(130)
        except Exception as e:  # never a traceback for users unless --debug
            if "--debug" in argv:
                raise
            click.echo(f"validator: 内部错误：{type(e).__name__}: {e}（加 --debug 查看详情）", err=True)
            sys.exit(3)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


def _version(ctx, param, value) -> None:
    if not value or ctx.resilient_parsing:
        return
    from . import __version__
    from .rules import RuleError, load, ruleset_version

    try:
        rules = load()
    except RuleError as e:
        raise ConfigProblem(f"validator {__version__}，规则集无法加载：{e}") from None
    click.echo(f"validator {__version__}（规则集 {ruleset_version(rules)}，{len(rules)} 条内置规则）")
    ctx.exit(0)


@click.group(cls=_Gate, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="显示版本号和规则集版本（内置规则的内容哈希）后退出。")
def main():
    """检查政府信息公开工作年度报告的表格勾稽关系。

    Checks Chinese government information-disclosure annual reports
    (政府信息公开工作年度报告) for internal consistency: 表三 balances and totals, 表四
    totals, 表二 values, blank and unreadable cells, the narrative against the tables,
    the required sections, and (with several years) the carry-over between years. For
    each report that fails it names the cell most likely wrong and the value that would
    fix it. Reads text, markdown, HTML, DOCX, PDF, XLSX/CSV and its own canonical form.

    \b
    Start with:  validator check REPORT        (exit 0 ok, 1 errors, 2 unreadable,
                                                4 usage or configuration error)
                 validator rules / validator explain RULE / validator config
    """


def _pairs(items, what: str, allowed: tuple[str, ...] | None = None) -> dict[str, str]:
    out = {}
    for item in items:
        rule_id, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise click.BadParameter(f"{item}：格式应为 RULE={what}", param_hint=f"--{'disable' if allowed is None else 'severity'}")
        if allowed is not None and value.strip() not in allowed:
            raise click.BadParameter(f"{item}：级别应为 {' | '.join(allowed)}", param_hint="--severity")
        out[rule_id.strip().upper()] = value.strip()
    return out


def _reviews(path):
    """The reviews file's decisions (None without one); a wrong file exits 4."""
    if not path:
        return None
    from .outputs.safe import terminal
    from .reviews import ReviewsError, load

    try:
        return load(path)
    except ReviewsError as e:
        raise ConfigProblem(f"审核记录有误：{terminal(e)}") from None


def _settings(config_file, *, include=(), exclude=(), strict=None, rule_dirs=(), fail_on=None, disable=(),
              severity=(), reviews=None):
    """The effective configuration (config file, then command-line options) and the catalogue
    (validator.config.settings, as the Python API builds them); any error exits 4."""
    from . import config as cfg
    from .rules import RuleError

    try:
        return cfg.settings(config_file, include=include, exclude=exclude, strict=strict, rules=rule_dirs,
                            fail_on=fail_on, disable=_pairs(disable, "理由（停用规则必须写明理由）"),
                            severity=_pairs(severity, "LEVEL", ("error", "warning", "info")), reviews=reviews)
    except cfg.ConfigError as e:
        raise ConfigProblem(str(e)) from None
    except RuleError as e:
        raise ConfigProblem(f"规则设置有误：{e}") from None


def _format_specs(specs: tuple[str, ...], output: str | None) -> list[tuple[str, str | None]]:
    """``--format FMT[=PATH]`` (repeatable) and ``--output`` as [(format, path or None for stdout)]."""
    out: list[tuple[str, str | None]] = []
    for spec in specs or ("console",):
        name, sep, path = spec.partition("=")
        name = name.strip().lower()
        if name not in FORMATS:
            raise click.BadParameter(f"未知的格式 {name!r}（可用：{'、'.join(FORMATS)}）", param_hint="--format")
        if sep and not path.strip():
            raise click.BadParameter(f"{spec}：= 后面应写输出文件的路径", param_hint="--format")
        out.append((name, path.strip() or None))
    if output is not None:
        free = [i for i, (_, p) in enumerate(out) if p is None]
        if len(free) != 1:
            raise click.UsageError("--output 只用于一种不带 =PATH 的格式；几种格式请写成 --format FORMAT=PATH")
        out[free[0]] = (out[free[0]][0], output)
    to_stdout = [n for n, p in out if p is None]
    if len(to_stdout) > 1:
        raise click.UsageError(f"只有一种格式可以写到标准输出（{'、'.join(to_stdout)}）；其余请写成 --format FORMAT=PATH")
    paths = [p for _, p in out if p is not None]
    if len({str(Path(p).resolve()) for p in paths}) < len(paths):
        raise click.UsageError("两种格式写到了同一个文件")
    return out


def _safe_output(output: str, protected: list[Path]) -> Path:
    """An output path checked before the run: an existing directory to write into, and never
    a file the run reads (validator/outfile.py compares device and inode)."""
    from .outfile import OutputRefused, check as check_output
    from .outputs.safe import terminal

    target = Path(output)
    if target.is_dir():
        raise ConfigProblem(f"{terminal(output)}: 输出路径是一个目录，应为文件")
    if not target.resolve().parent.is_dir():
        raise ConfigProblem(f"{terminal(output)}: 输出目录 {terminal(target.resolve().parent)} 不存在")
    try:
        return check_output(target, protected)
    except OutputRefused as e:
        raise ConfigProblem(str(e)) from None


def _write(text, target: Path | None, protected: list[Path]) -> None:
    """Text (bytes, or an iterable of pieces of text, written as they come) to stdout, or to
    ``target`` through a temporary file and a rename (validator/outfile.py)."""
    if target is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        elif isinstance(text, str):
            click.echo(text)
        else:  # piece by piece, as click.echo(the whole text) writes it
            for piece in text:
                click.echo(piece, nl=False)
            click.echo()
        return
    from .outfile import OutputRefused, write
    from .outputs.safe import terminal

    try:
        write(target, text, protected)
    except OutputRefused as e:
        raise ConfigProblem(str(e)) from None
    except OSError as e:
        raise ConfigProblem(f"{terminal(target)}: 无法写入（{e.strerror or e}）") from None


def _check_number(name: str, value, low=None, high=None):
    if value is None:
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise click.BadParameter(f"{value}：应为有限的数", param_hint=name)
    if (low is not None and value <= low) or (high is not None and value > high):
        raise click.BadParameter(f"{value}：超出范围", param_hint=name)
    return value


@main.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "formats", multiple=True, metavar="FORMAT[=PATH]",
              help="输出格式：console（默认）、json、html、junit、sarif、csv、github、gitlab；可重复，"
                   "FORMAT=PATH 写入文件，例如 --format console --format junit=junit.xml。所有格式出自同一次检查。")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="把（唯一一种不带 =PATH 的）格式写入该文件，而不是标准输出。")
@click.option("--strict/--no-strict", default=None, help="把每个空白单元格都当作错误（默认：配置文件的 strict，否则否）。")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="什么级别的问题使检查不通过、退出码为 1：error（默认）或 warning。")
@click.option("--exit-zero", is_flag=True, help="只报告：有问题也以退出码 0 结束（无法读取、内部错误、用法错误除外）。")
@click.option("--year", type=click.IntRange(2008, 2100), help="报告年度（2008–2100），覆盖从标题读出的年度。")
@click.option("--body", help="发布机关，覆盖从标题读出的机关名称。")
@click.option("--previous", multiple=True, type=click.Path(dir_okay=False),
              help="同一机关上一年度的报告，用于跨年度规则（可重复；它本身不出结果）。")
@click.option("--include", "--glob", "include", multiple=True, metavar="GLOB",
              help="从目录中只取匹配的文件（gitignore 写法，支持 **，不分大小写；可重复；默认取报告扩展名的文件；--glob 同义）。")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="从目录中排除匹配的文件或子目录（gitignore 写法，支持 **；可重复）。")
@click.option("--skip-non-reports", is_flag=True,
              help="命令行列出的文件也像目录中找到的一样：明显不是年度报告的（没有报告标题、章节标题，也没有表格行名，如 README）列为已跳过，而不是无法读取（pre-commit 钩子使用）。")
@click.option("--show-info", is_flag=True, help="在控制台输出中也列出提示级别的结果。")
@click.option("--quiet", "-q", is_flag=True, help="每个文件只显示结论一行（以及批量汇总）。")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="读取文件的工作进程数（0：8 个文件以上的批量用全部核心）。")
@click.option("--time-budget", type=float, default=60.0, show_default=True,
              help="每个文件的时间上限（秒，大于 0 的有限数），含读取、核对、定位和输出，超时即报无法读取。")
@click.option("--disable", "disable", multiple=True, metavar="RULE=REASON",
              help="停用一条规则，须写明理由，理由记入所有输出（可重复）。")
@click.option("--severity", "severity", multiple=True, metavar="RULE=LEVEL",
              help="改变一条规则的级别：error、warning 或 info（可重复）。")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="另外加载的规则目录（其中的 *.yaml，写法同 rules/；可重复）。")
@click.option("--reviews", "reviews_file", type=click.Path(dir_okay=False),
              help="审核记录文件（YAML）：其中接受的问题保留级别、标为已审核，不再导致检查不通过（默认：配置文件的 reviews）。")
@click.option("--no-reviews", is_flag=True, help="不应用任何审核记录，显示原始结论。")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True),
              help="使用该配置文件（默认：从当前目录向上找 validator.toml 或 pyproject.toml 的 [tool.validator]）。")
@click.option("--no-ocr", "no_ocr", is_flag=True,
              help="不识别以图片发布的表格（扫描版 PDF、PNG/JPEG、网页和 Word 中的表格图片）；"
                   "需要文字识别的文件读取时限为 --time-budget 的 5 倍（默认 300 秒）。")
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈，而不是一行说明。")
def check(paths, formats, output, strict, fail_on, exit_zero, year, body, previous, include, exclude, skip_non_reports,
          show_info,
          quiet, jobs, time_budget, disable, severity, rule_dirs, reviews_file, no_reviews, config_file, debug, no_ocr):
    """Check report files (or directories of them).

    A directory is searched recursively for report files (.txt .md .html .docx .pdf
    .xlsx .csv …), skipping hidden directories and what .gitignore ignores; a file found
    there that is plainly not an annual report (a README, an index) is listed as skipped.
    A file named on the command line is always checked.
    """
    from . import discover
    from .outputs.safe import terminal
    from .run import check_paths

    _check_number("--time-budget", time_budget, low=0)
    specs = _format_specs(formats, output)
    conf, rules = _settings(config_file, include=include, exclude=exclude, strict=strict, rule_dirs=rule_dirs,
                            fail_on=fail_on, disable=disable, severity=severity, reviews=reviews_file)
    reviews = None if no_reviews else _reviews(conf["reviews"])
    targets = discover.collect(paths, conf["include"], conf["exclude"])
    files = [t.path for t in targets]
    if not files:
        raise ConfigProblem("没有找到要检查的文件（请检查路径和 --include / --exclude）")
    # everything this run reads: no output may overwrite any of it (refused before the run)
    protected = [*files, *map(Path, previous), *map(Path, conf["rules"]),
                 *(Path(x) for x in (conf["reviews"], conf.path) if x)]
    writes = [(fmt, _safe_output(p, protected) if p else None) for fmt, p in specs]
    from .outputs.console import Progress

    try:
        with Progress(len(files)) as progress:  # on stderr, only on a terminal and for long runs
            result = check_paths(files, year=year, body=body, strict=conf["strict"], debug=debug, jobs=jobs or None,
                                 budget=time_budget, keep_cells=any(f == "html" for f, _ in writes), rules=rules,
                                 disabled=conf["disable"], fail_on=conf["fail-on"],
                                 previous=[Path(p) for p in previous], on_file=progress.advance,
                                 skip_non_reports=[t.path for t in targets if skip_non_reports or not t.named],
                                 reviews=reviews,
                                 ocr=not no_ocr)
    except Exception as e:  # never a traceback for users unless --debug
        if debug:
            raise
        click.echo(f"validator: 内部错误：{type(e).__name__}: {terminal(e)}（加 --debug 查看详情）", err=True)
        sys.exit(3)
    for i, status in enumerate(result.statuses):  # (a large batch's files are read back only for these)
        if status == "unreadable":
            f = result.files[i]
            detail = f"（{terminal(f.detail)}）" if f.detail else ""
            click.echo(f"{terminal(f.path)}: 无法读取：{terminal(f.reason)}{detail}", err=True)
    for notice in result.notices:  # e.g. a --previous report that pairs with none of the checked ones
        click.echo(f"validator: {terminal(notice)}", err=True)
    _render(result, writes, protected, show_info=show_info, quiet=quiet)
    code = result.exit_code
    sys.exit(0 if exit_zero and code == 1 else code)


def _render(result, writes, protected, *, show_info: bool, quiet: bool) -> None:
    """Every requested format from the one result; when none goes to stdout, stdout shows the
    verdict lines and the batch summary."""
    from rich.console import Console

    from .outputs import console as out
    from .outputs import pieces

    for fmt, target in writes:
        if fmt == "console":
            if target is None:  # unreadable files: already said on stderr
                out.render(result, Console(), show_info=show_info, quiet=quiet, unreadable=False)
            else:
                import io

                buf = io.StringIO()
                out.render(result, Console(file=buf, width=160), show_info=show_info, quiet=quiet)
                _write(buf.getvalue(), target, protected)
        else:
            _write(pieces(fmt, result), target, protected)
    if all(target is not None for _, target in writes):
        out.render(result, Console(), quiet=True, unreadable=False)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), default="csv", show_default=True,
              help="输出格式：csv、json 或 parquet（parquet 需要 --output 和 gov-report-validator[parquet]）。")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="写入该文件，而不是标准输出。")
@click.option("--year", type=click.IntRange(2008, 2100), help="报告年度（2008–2100），覆盖从标题读出的年度。")
@click.option("--body", help="发布机关，覆盖从标题读出的机关名称。")
@click.option("--include", "--glob", "include", multiple=True, metavar="GLOB",
              help="从目录中只取匹配的文件（gitignore 写法，支持 **；可重复；--glob 同义）。")
@click.option("--exclude", multiple=True, metavar="GLOB", help="从目录中排除匹配的文件或子目录（可重复）。")
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈，而不是一行说明。")
def extract(paths, fmt, output, year, body, include, exclude, debug):
    """Extract the canonical cells of reports, one row per cell.

    \b
    Columns: file, body, year, template, table, row_code, row_label, column_code,
    column_label, value, raw, state, source, page, line, grid_table, grid_row, grid_col, note.
    `validator check` reads the written file back and gives the same findings.
    Exit code 2 when a file could not be read (the others are still extracted).
    """
    import io

    from . import canonical, discover
    from .errors import Unreadable
    from .outputs.safe import terminal
    from .run import default_jobs, read_all

    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet 需要 --output 文件")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ConfigProblem("写 Parquet 需要 pyarrow：请安装 gov-report-validator[parquet]") from None
    files = [t.path for t in discover.collect(paths, include, exclude)]
    if not files:
        raise ConfigProblem("没有找到要提取的文件（请检查路径和 --include / --exclude）")
    target = _safe_output(output, files) if output else None
    reports, unreadable = [], 0
    for p, got, *_ in read_all(files, year=year, body=body, jobs=default_jobs(len(files)), debug=debug):
        if isinstance(got, Unreadable):
            unreadable += 1
            click.echo(f"{terminal(p)}: 无法读取：{terminal(got.reason)}"
                       + (f"（{terminal(got.detail)}）" if got.detail else ""), err=True)
        else:
            reports.extend(got)
    buf = io.BytesIO()
    canonical.write(reports, fmt, buf)
    _write(buf.getvalue(), target, files)
    sys.exit(2 if unreadable else 0)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True,
              help="输出格式：table（表格）、json，或 markdown（即 docs/rules.md）。")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="另外加载的规则目录（可重复）。")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True), help="使用该配置文件。")
def list_rules(fmt, rule_dirs, config_file):
    """List every rule: id, severity, tables, versions, title."""
    import json

    _, rules = _settings(config_file, rule_dirs=rule_dirs)
    if fmt == "markdown":
        from .ruledoc import markdown

        click.echo(markdown(rules), nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "name": r.name, "title": r.title, "severity": r.severity,
                                "tables": list(r.tables), "versions": list(r.versions), "kind": r.kind,
                                "assert": r.assertion.text if r.assertion else None} for r in rules.values()],
                              ensure_ascii=False, indent=2))
        return
    from .outputs import console

    console.rules(rules)


@main.command()
@click.argument("rule_id")
def explain(rule_id):
    """Print a rule's documentation with a wrong and a right example."""
    from .rules import RuleError, load

    try:
        rules = load()
    except RuleError as e:
        raise ConfigProblem(f"规则设置有误：{e}") from None
    rule = rules.get(rule_id.upper()) or next((r for r in rules.values() if r.name == rule_id), None)
    if rule is None:
        raise ConfigProblem(f"没有规则 {rule_id}（用 validator rules 列出全部规则）")
    from .ruledoc import explain_text

    click.echo(explain_text(rule))


@main.command("config")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True),
              help="使用该配置文件（默认：从当前目录向上查找）。")
def show_config(config_file):
    """Print the effective configuration and where each value came from.

    The configuration file is validator.toml, or [tool.validator] in pyproject.toml, found
    from the current directory upward; command-line options override it. Keys: include,
    exclude, strict, rules, reviews, fail-on, [disable] (RULE = reason), [severity]
    (RULE = error | warning | info). Exit 4 when it is wrong.
    """
    from . import config as cfg

    conf, _ = _settings(config_file)
    click.echo(cfg.render(conf))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址；本机以外的地址（内网服务）必须同时设置 --token。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="监听的端口。")
@click.option("--token", envvar="VALIDATOR_TOKEN", help="接口的访问令牌（也可用环境变量 VALIDATOR_TOKEN）。")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="检查用的工作进程数（默认：CPU 核数）。")
@click.option("--queue", type=click.IntRange(0, 10_000), default=32, show_default=True,
              help="排队等待的请求数上限，超出时回答 503。")
@click.option("--max-files", type=click.IntRange(1, 1000), default=20, show_default=True, help="每次请求的文件数上限。")
@click.option("--time-budget", type=float, default=60.0, show_default=True, help="每个文件的时间上限（秒，含读取、核对、定位和输出）。")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True),
              help="配置文件（默认：从当前目录向上查找 validator.toml 或 pyproject.toml 的 [tool.validator]），与 check 相同。")
@click.option("--reviews", "reviews_file", type=click.Path(dir_okay=False),
              help="审核记录文件（YAML），与 check 相同（默认：配置文件的 reviews）。")
@click.option("--no-reviews", is_flag=True, help="不应用任何审核记录。")
def serve(host, port, token, jobs, queue, max_files, time_budget, config_file, reviews_file, no_reviews):
    """网页和接口服务：上传报告，在浏览器中查看检查结果（需要 pip install 'gov-report-validator[serve]'）。

    Checks as `validator check` does here: the configuration file's rules, severities,
    switched-off rules, strict, fail-on and reviews apply to every upload.
    """
    import os

    try:
        from .serve import Settings, is_loopback, serve as run
    except ImportError as e:
        raise click.UsageError(f"缺少网页服务的依赖（{e.name}）：pip install 'gov-report-validator[serve]'") from None
    if not is_loopback(host) and not token:
        raise click.UsageError(f"--host {host} 不是本机地址：请用 --token 或环境变量 VALIDATOR_TOKEN 设置访问令牌")
    from .readers import MAX_BYTES

    _check_number("--time-budget", time_budget, low=0)
    conf, rules = _settings(config_file, reviews=reviews_file)
    check = {"rules": rules, "disabled": conf["disable"], "fail_on": conf["fail-on"], "strict": conf["strict"],
             "reviews": None if no_reviews else _reviews(conf["reviews"])}
    settings = Settings(token=token or None, max_bytes=MAX_BYTES, max_files=max_files,
                        workers=jobs or min(os.cpu_count() or 1, 8), queue=queue, budget=time_budget, check=check)
    click.echo(f"validator serve：http://{host}:{port}/（Ctrl+C 停止）", err=True)
    run(host, port, settings)


main.add_command(review_cli.review)  # validator review add|list|prune

if __name__ == "__main__":
    main()
