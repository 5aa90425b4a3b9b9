"""Command line: ``validator check``, ``validator extract``, ``validator rules``, ``validator explain``.

Exit codes of ``check``: 0 no error-level finding; 1 error-level findings; 2 a file could
not be read (each such file gets one line on stderr; the others are still checked).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .outputs import FORMATS


def _expand(paths: tuple[str, ...], pattern: str) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob(pattern) if x.is_file()))
        else:
            out.append(p)
    return out


def _write(text: str | bytes, output: str | None, protected: list[Path]) -> None:
    """To stdout, or to ``output`` (never one of the ``protected`` files the run reads:
    validator/outfile.py compares device and inode, then writes a temporary file and renames it)."""
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            click.echo(text)
        return
    from .outfile import OutputRefused, write

    try:
        write(output, text, protected)
    except OutputRefused as e:
        raise click.UsageError(str(e)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gov-report-validator")
def main():
    """检查政府信息公开工作年度报告的表格勾稽关系。

    Checks Chinese government information-disclosure annual reports
    (政府信息公开工作年度报告) for internal consistency: 表三 balances and totals, 表四
    totals, 表二 values, blank and unreadable cells, the narrative against the tables,
    the required sections, and (with several years) the carry-over between years. For
    each report that fails it names the cell most likely wrong and the value that would
    fix it. Reads text, markdown, HTML, DOCX, PDF, XLSX/CSV and its own canonical form.

    
    Start with:  validator check REPORT        (exit 0 ok, 1 errors, 2 unreadable)
                 validator rules / validator explain RULE
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="console", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file instead of stdout.")
@click.option("--strict", is_flag=True, help="Treat every blank cell as an error.")
@click.option("--year", type=int, help="Report year, overriding what is read from the title.")
@click.option("--body", help="Issuing body (发布机关), overriding what is read from the title.")
@click.option("--previous", multiple=True, type=click.Path(dir_okay=False),
              help="Last year's report of the same body, for the cross-year rules (repeatable; not itself reported).")
@click.option("--glob", "pattern", default="*", show_default=True, help="Files to take from directories (recursive).")
@click.option("--show-info", is_flag=True, help="Also list info-level findings in the console.")
@click.option("--quiet", "-q", is_flag=True, help="Only the verdict line per file (and the batch summary).")
@click.option("--jobs", "-j", type=int, default=0, show_default=True,
              help="Worker processes reading files (0: all cores for batches of 8 files or more).")
@click.option("--time-budget", type=float, default=60.0, show_default=True,
              help="Seconds one file may take to read before it is reported unreadable.")
@click.option("--disable", "disable", multiple=True, metavar="RULE=REASON",
              help="Switch a rule off, with the reason recorded in the outputs (repeatable).")
@click.option("--severity", "severity", multiple=True, metavar="RULE=LEVEL",
              help="规则的级别改为 error、warning 或 info，记录在输出中（可重复）。")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="A directory of extra rule files (*.yaml) to check as well (repeatable).")
@click.option("--reviews", "reviews_file", type=click.Path(dir_okay=False),
              help="审核记录文件（YAML）：其中接受的问题保留级别、标为已审核，不再导致检查不通过。")
@click.option("--no-reviews", is_flag=True, help="不应用任何审核记录，显示原始结论。")
@click.option("--debug", is_flag=True, help="Show Python tracebacks instead of one-line messages.")
def check(paths, fmt, output, strict, year, body, previous, pattern, show_info, quiet, jobs, time_budget, disable,
          severity, rule_dirs, reviews_file, no_reviews, debug):
    """Check report files (or directories of them).

    \b
    Exit codes: 0 = no error-level findings, 1 = error-level findings,
                2 = at least one file could not be read.
    """
    from .rules import RuleError, catalogue, parse_severity
    from .run import check_paths

    off = {}
    for item in disable:
        rule_id, sep, reason = item.partition("=")
        if not sep or not reason.strip():
            raise click.UsageError(f"--disable {item}：停用规则必须写明理由，格式为 RULE=理由")
        off[rule_id.strip().upper()] = reason.strip()
    try:
        rules = catalogue(rule_dirs, off, parse_severity(severity))
    except RuleError as e:
        raise click.UsageError(f"规则设置有误：{e}") from None
    from .outputs.safe import terminal

    reviews = None
    if reviews_file and not no_reviews:  # the configuration's `reviews` key joins here (validator/config.py)
        from .reviews import ReviewsError, load as load_reviews

        try:
            reviews = load_reviews(reviews_file)
        except ReviewsError as e:
            click.echo(f"validator: 审核记录有误：{terminal(e)}", err=True)
            sys.exit(4)
    files = _expand(paths, pattern)
    if not files:
        click.echo("validator: 没有找到要检查的文件", err=True)
        sys.exit(2)
    # everything this run reads: an output may not overwrite any of it (refused before the run)
    protected = [*files, *map(Path, previous), *map(Path, rule_dirs), *([Path(reviews_file)] if reviews_file else [])]
    if output:
        from .outfile import OutputRefused, check as check_output

        try:
            check_output(output, protected)
        except OutputRefused as e:
            raise click.UsageError(str(e)) from None
    from .outputs.console import Progress

    try:
        with Progress(len(files)) as progress:  # on stderr, only on a terminal and for long runs
            result = check_paths(files, year=year, body=body, strict=strict, debug=debug, jobs=jobs or None,
                                 budget=time_budget, keep_cells=fmt == "html", rules=rules, disabled=off,
                                 previous=[Path(p) for p in previous], on_file=progress.advance,
                                 reviews=reviews)
    except Exception as e:  # never a traceback for users unless --debug
        if debug:
            raise
        click.echo(f"validator: 内部错误：{type(e).__name__}: {terminal(e)}（加 --debug 查看详情）", err=True)
        sys.exit(3)
    for f in result.files:
        if f.status == "unreadable":
            detail = f"（{terminal(f.detail)}）" if f.detail else ""
            click.echo(f"{terminal(f.path)}: 无法读取：{terminal(f.reason)}{detail}", err=True)
    if fmt != "console":
        from .outputs import module

        _write(module(fmt).render(result), output, protected)
        if output:  # stdout is free: the verdicts and the batch summary, as in the console format
            from rich.console import Console

            from .outputs import console as out

            out.render(result, Console(), quiet=True, unreadable=False)
    else:
        from rich.console import Console

        from .outputs import console as out

        if output:
            import io

            buf = io.StringIO()
            out.render(result, Console(file=buf, width=160), show_info=show_info, quiet=quiet)
            _write(buf.getvalue(), output, protected)
        else:
            out.render(result, Console(), show_info=show_info, quiet=quiet, unreadable=False)  # said on stderr
    sys.exit(result.exit_code)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--year", type=int, help="Report year, overriding what is read from the title.")
@click.option("--body", help="Issuing body (发布机关), overriding what is read from the title.")
@click.option("--glob", "pattern", default="*", show_default=True, help="Files to take from directories (recursive).")
@click.option("--debug", is_flag=True, help="Show Python tracebacks instead of one-line messages.")
def extract(paths, fmt, output, year, body, pattern, debug):
    """Extract the canonical cells of reports, one row per cell.

    \b
    Columns: file, body, year, template, table, row_code, row_label, column_code,
    column_label, value, raw, state, source, page, line, grid_table, grid_row, grid_col, note.
    `validator check` reads the written file back and gives the same findings.
    Exit code 2 when a file could not be read (the others are still extracted).
    """
    import io

    from . import canonical
    from .errors import Unreadable
    from .outputs.safe import terminal
    from .run import default_jobs, read_all

    files = _expand(paths, pattern)
    reports, unreadable = [], 0
    for p, got in read_all(files, year=year, body=body, jobs=default_jobs(len(files)), debug=debug):
        if isinstance(got, Unreadable):
            unreadable += 1
            click.echo(f"{terminal(p)}: 无法读取：{terminal(got.reason)}"
                       + (f"（{terminal(got.detail)}）" if got.detail else ""), err=True)
        else:
            reports.extend(got)
    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet 需要 --output 文件")
    buf = io.BytesIO()
    canonical.write(reports, fmt, buf)
    _write(buf.getvalue(), output, files)
    sys.exit(2 if unreadable else 0)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True,
              help="markdown renders docs/rules.md.")
def list_rules(fmt):
    """List every rule: id, severity, tables, versions, title."""
    import json

    from .rules import load

    rules = load()
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
    from .rules import load

    rules = load()
    rule = rules.get(rule_id.upper()) or next((r for r in rules.values() if r.name == rule_id), None)
    if rule is None:
        click.echo(f"validator: 没有规则 {rule_id}（用 validator rules 列出全部规则）", err=True)
        sys.exit(2)
    from .ruledoc import explain_text

    click.echo(explain_text(rule))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址；本机以外的地址（内网服务）必须同时设置 --token。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="监听的端口。")
@click.option("--token", envvar="VALIDATOR_TOKEN", help="接口的访问令牌（也可用环境变量 VALIDATOR_TOKEN）。")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="检查用的工作进程数（默认：CPU 核数）。")
@click.option("--queue", type=click.IntRange(0, 10_000), default=32, show_default=True,
              help="排队等待的请求数上限，超出时回答 503。")
@click.option("--max-files", type=click.IntRange(1, 1000), default=20, show_default=True, help="每次请求的文件数上限。")
@click.option("--time-budget", type=float, default=60.0, show_default=True, help="每个文件读取的时间上限（秒）。")
def serve(host, port, token, jobs, queue, max_files, time_budget):
    """网页和接口服务：上传报告，在浏览器中查看检查结果（需要 pip install 'gov-report-validator[serve]'）。"""
    import os

    try:
        from .serve import Settings, is_loopback, serve as run
    except ImportError as e:
        raise click.UsageError(f"缺少网页服务的依赖（{e.name}）：pip install 'gov-report-validator[serve]'") from None
    if not is_loopback(host) and not token:
        raise click.UsageError(f"--host {host} 不是本机地址：请用 --token 或环境变量 VALIDATOR_TOKEN 设置访问令牌")
    from .readers import MAX_BYTES

    settings = Settings(token=token or None, max_bytes=MAX_BYTES, max_files=max_files,
                        workers=jobs or min(os.cpu_count() or 1, 8), queue=queue, budget=time_budget)
    click.echo(f"validator serve：http://{host}:{port}/（Ctrl+C 停止）", err=True)
    run(host, port, settings)


if __name__ == "__main__":
    main()
