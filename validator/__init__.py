"""Consistency checks for Chinese government information-disclosure annual reports
(政府信息公开工作年度报告).

Python API::

    from validator import check
    result = check(["samples/taiqian_2020.txt"])
    result.exit_code            # 0 passed, 1 findings at the fail-on level, 2 a file was unreadable
    result.files[0].findings    # list of finding dicts
    result.findings_frame()     # the same findings as one pandas DataFrame
"""
from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"


def check(paths, *, year: int | None = None, body: str | None = None, strict: bool | None = None,
          previous=(), rules=(), disable: dict[str, str] | None = None, severity: dict[str, str] | None = None,
          fail_on: str | None = None, reviews=None, jobs: int | None = None, keep_cells: bool = False,
          include=(), exclude=(), config=None, budget: float | None = None, params: dict[str, dict] | None = None):
    """Check report files as ``validator check`` does; returns a :class:`validator.run.Result`.

    Takes what the CLI takes: ``previous`` (last year's reports), ``rules`` (extra rule
    directories), ``disable`` ({rule id: reason}), ``severity`` ({rule id: level}),
    ``params`` ({rule id: {key: value}}, as the config file's [params.ID]), ``strict``, ``fail_on``, ``reviews`` (a reviews file, or loaded reviews; False: none),
    ``jobs``, ``keep_cells``, ``include``/``exclude`` (for directories), ``budget`` (seconds
    per file). ``config``: a configuration file; None looks for one from the current
    directory upward, as the CLI does; False uses none. Directories are searched as the
    CLI searches them (non-reports found there are "skipped"). A bad configuration, rule
    file or rule id raises ``validator.config.ConfigError`` or ``validator.rules.RuleError``.
    """
    from . import config as cfg
    from . import discover
    from .run import TIME_BUDGET, check_paths

    if isinstance(paths, (str, Path)):
        paths = [paths]
    conf, catalogue = cfg.settings(config or None, search=config is not False, include=include, exclude=exclude,
                                   strict=strict, rules=rules, fail_on=fail_on, disable=disable, severity=severity,
                                   params=params, reviews=reviews if isinstance(reviews, (str, Path)) else None, source="check()")
    if reviews is False:
        reviews = None
    elif reviews is None or isinstance(reviews, (str, Path)):
        reviews = conf["reviews"]
    if isinstance(reviews, (str, Path)):
        from .reviews import load

        reviews = load(reviews)
    targets = discover.collect(paths, conf["include"], conf["exclude"])
    return check_paths([t.path for t in targets], year=year, body=body, strict=conf["strict"], rules=catalogue,
                       disabled=conf["disable"], fail_on=conf["fail-on"], previous=[Path(p) for p in previous],
                       reviews=reviews, jobs=jobs, keep_cells=keep_cells,
                       budget=TIME_BUDGET if budget is None else budget,
                       skip_non_reports=[t.path for t in targets if not t.named])


__all__ = ["check", "__version__"]
