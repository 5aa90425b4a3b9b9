"""The pipeline for a batch: read each file → extract its tables → check the rules → results.

This is the one place that strings the stages together; the CLI and the Python API
(``validator.check``) both call :func:`check_paths`.

Batches are processed in chunks (memory stays flat in the number of files): the files
of a chunk are read in parallel worker processes (``jobs``), each under a time budget,
then the chunk's reports are checked together, every rule once, vectorised across
them. Cross-year rules need reports from anywhere in the batch, so they run last, on a
light copy of each report that keeps only the cells they use. A batch of more than one
chunk keeps its file results out of memory as each chunk is checked
(:class:`validator.store.FileStore`), and the outputs stream them one file at a time.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import extract as _extract
from .document import Position
from .errors import NotAReport, Unreadable
from .outputs.safe import path as shown_path
from .readers import read
from .template import TEMPLATE

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
TIME_BUDGET = 60.0
"""Seconds one file may take through the whole pipeline (reading, extraction, checking,
localisation, rendering of its findings) before it is given up as unreadable."""
CHUNK = 256
"""Files read and checked together; bounds memory on large batches."""
MAX_FINDINGS = 1000
"""Findings listed per file; past it one finding (X014) says how many more there were."""
WORKER_MEMORY = 4 * 1024 ** 3
"""Address-space limit of a worker process (bytes), so a hostile file cannot fill the machine."""


STATUSES = ("passed", "failed", "unreadable-in-part", "unreadable", "skipped")
"""A file's verdict. ``unreadable-in-part``: a required table or row could not be read (a
finding of an ``unread`` rule at error level, X002/X003/X006/X009) and nothing that was
read is wrong; the cells that were read are still checked. "Could not read" is neither
"wrong" nor "right": it exits 2, like an unreadable file. ``skipped``: found in a directory
and plainly not an annual report (a README, an index): listed, not changing the exit code."""


@dataclass
class FileResult:
    path: str
    status: str  # one of STATUSES
    format: str | None = None
    template: str | None = None
    year: int | None = None
    year_source: str | None = None
    body: str | None = None
    reason: str | None = None  # why the file is unreadable (Chinese)
    detail: str | None = None  # technical cause (English)
    findings: list = field(default_factory=list)  # validator.finding.Finding records
    # the report's canonical cells, for outputs that draw the tables (HTML):
    # {table, row, column (codes), value, raw, state, source (Chinese position text), position}
    cells: list[dict] = field(default_factory=list)
    # time the file took through the pipeline: reading and extraction, the checking (and
    # localisation) of the reports it was checked with, the rendering of its findings
    seconds: float = 0.0
    # how the OCR'd cells the findings name were read, with their image crops (kept with
    # ``cells``, for the HTML report): {(table, row, column) codes: Recognition}
    crops: dict = field(default_factory=dict)

    def count(self, severity: str) -> int:
        """Open findings of this severity: a reviewed finding (reviews file) is not counted."""
        return sum(f.severity == severity and not f.review for f in self.findings)

    @property
    def reviewed(self) -> int:
        """Findings covered by an entry of the reviews file (they keep their severity)."""
        return sum(bool(f.review) for f in self.findings)


EXIT_CODES = {0: "no finding at or above the fail-on level", 1: "findings at or above the fail-on level",
              2: "a report could not be read", 3: "internal error", 4: "usage or configuration error"}


@dataclass
class Result:
    """A run: every file's result, the catalogue the run used (user rules and severity
    overrides included) and its settings. Every output is a function of this alone."""

    files: list[FileResult]  # or, for a large batch, a validator.store.FileStore (read back one file at a time)
    disabled: dict[str, str] = field(default_factory=dict)  # rules switched off for this run: {id: reason}
    # the reviews file applied (validator.reviews.apply): {file, entries, applied, stale, elsewhere}
    reviews: dict | None = None
    rules: dict = field(default_factory=dict)  # the catalogue as configured (``disabled`` ones included): {id: Rule}
    settings: dict = field(default_factory=dict)  # strict, year, body, previous, severity (overrides)
    ruleset: str | None = None  # content hash of the active rules (validator.rules.ruleset_version)
    fail_on: str = "error"  # a file fails on findings of this severity or a graver one
    started: str | None = None  # when the run started (ISO 8601, UTC, seconds)
    hostname: str | None = None  # the machine that ran it
    notices: list[str] = field(default_factory=list)  # what the run did not use, and why (Chinese)

    @property
    def overrides(self) -> dict[str, tuple[str, str]]:
        """Rules whose severity this run changed: {id: (rule file's severity, severity used)}."""
        return {k: (r.default_severity, r.severity) for k, r in self.rules.items() if r.default_severity}

    @property
    def param_overrides(self) -> dict[str, dict]:
        """Rules whose params this run changed (config [params.ID]): {id: {key: (rule file's value, value used)}}."""
        return {k: p for k, r in self.rules.items() if (p := getattr(r, "param_overrides", None))}

    @property
    def statuses(self) -> list[str]:
        """Each file's status (from a FileStore without reading the files back)."""
        known = getattr(self.files, "statuses", None)
        return list(known) if known is not None else [f.status for f in self.files]

    @property
    def summary(self) -> dict[str, int]:
        """How many files have each status (every status, in order)."""
        statuses = self.statuses
        return {s: statuses.count(s) for s in STATUSES}

    @property
    def exit_code(self) -> int:
        statuses = set(self.statuses)
        if statuses & {"unreadable", "unreadable-in-part"}:
            return 2
        if "failed" in statuses:
            return 1
        return 0

    def findings_frame(self):
        """Every finding as one row of a DataFrame with fixed columns and dtypes whatever the
        findings (validator.finding.FRAME_COLUMNS): ``reported`` is a number (NaN when the cell
        held text, which is then in ``reported_text``)."""
        import pandas as pd

        from .finding import FRAME_COLUMNS

        rows = {k: [] for k in FRAME_COLUMNS}
        for f in self.files:
            for x in f.findings:
                number = isinstance(x.reported, (int, float)) and not isinstance(x.reported, bool)
                for k in FRAME_COLUMNS:
                    if k == "reported":
                        v = x.reported if number else None
                    elif k == "reported_text":
                        v = None if number or x.reported is None else str(x.reported)
                    else:
                        v = f.path if k == "path" else x.message if k == "message" else getattr(x, k)
                    rows[k].append("、".join(v) if k == "rules" else v)
        return pd.DataFrame({k: pd.Series(v, dtype=FRAME_COLUMNS[k]) for k, v in rows.items()},
                            columns=list(FRAME_COLUMNS))


def _status(findings: list, catalogue: dict, fail_on: str = "error") -> str:
    """failed (something read is wrong: an open finding at or above ``fail_on``) >
    unreadable-in-part (something required could not be read) > passed; an unread rule
    downgraded to a warning does not make a file unread."""
    gate = SEVERITY_ORDER[fail_on]
    open_ = [f for f in findings if not f.review]  # reviewed: not open
    unread = {id(f) for f in open_ if f.severity == "error" and getattr(catalogue.get(f.rule), "unread", False)}
    if any(SEVERITY_ORDER.get(f.severity, 9) <= gate and id(f) not in unread for f in open_):
        return "failed"
    return "unreadable-in-part" if unread else "passed"


def _cells(report) -> list[dict]:
    return [{"table": c.table, "row": c.row, "column": c.column, "value": c.value, "raw": c.raw, "state": c.state,
             "source": None if c.pos is None else str(c.pos), "position": None if c.pos is None else c.pos.as_dict()}
            for c in report.cells]


def load_reports(path: Path, *, year: int | None = None, body: str | None = None, ocr: bool = True,
                 on_ocr=None) -> list:
    """Read and extract one file: one report, or several from a canonical long-form file.
    Raises Unreadable."""
    doc = read(path, ocr=ocr, on_ocr=on_ocr)
    if isinstance(doc, list):  # a file of reports already extracted (readers.Format.reports)
        return doc
    report = _extract.extract(doc, year=year, body=body)
    report.path = shown_path(report.path)  # a name with undecodable bytes, as text every output can carry
    required = TEMPLATE.required
    if all(c.state == "missing" for c in report.cells if c.table in required):
        if (report.title is None and not report.sections and not report.unknown_rows
                and all(c.state == "missing" for c in report.cells)):
            raise NotAReport("不是年度报告：没有报告标题、章节标题，也没有表格的行名")
        labels = "、".join(TEMPLATE.table_label(t) for t in required)
        raise Unreadable(f"未找到{labels}的数据（表格可能是图片，或不是年度报告）")
    return [report]


class _OutOfTime(BaseException):
    """Raised by the timer inside a stage; a BaseException so that no reader's or check's
    ``except Exception`` can swallow it."""


def _alarm(signum, frame):
    raise _OutOfTime()


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def _deadline(seconds: float | None):
    """Raise :class:`_OutOfTime` in the block once ``seconds`` have passed (None: no limit;
    nothing left: at once). The one timer of every stage of a file's budget."""
    if seconds is None or not _can_time():
        yield
        return
    if seconds <= 0:
        raise _OutOfTime()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


OCR_BUDGET_FACTOR = 5
"""A file whose tables are read by OCR (images) gets this many times the time budget
(300 s by default): recognition takes seconds per page."""


def _over_budget(stage: str, limit: float, ocr: bool) -> str:
    return f"{stage}超时：超过每个文件 {limit:g} 秒的时间上限" + ("（含文字识别）" if ocr else "")


def load_within(path: Path, year: int | None, body: str | None, budget: float | None, ocr: bool = True):
    """``load_reports`` under a time budget: returns (the reports or an Unreadable, the
    file's budget). Once OCR starts on the file, its budget becomes ``OCR_BUDGET_FACTOR``
    times as long, for every later stage too."""
    budget = budget or None
    start = time.monotonic()
    limit = [budget]

    def on_ocr() -> None:
        if budget is not None and _can_time():
            limit[0] = budget * OCR_BUDGET_FACTOR
            signal.setitimer(signal.ITIMER_REAL, max(limit[0] - (time.monotonic() - start), 0.001))

    try:
        with _deadline(budget):
            return load_reports(path, year=year, body=body, ocr=ocr, on_ocr=on_ocr), limit[0]
    except Unreadable as e:
        return e, limit[0]
    except _OutOfTime:
        return Unreadable(_over_budget("读取", limit[0], limit[0] != budget), "time budget exceeded"), limit[0]
    except MemoryError:
        return Unreadable("读取时内存超限", "MemoryError"), limit[0]
    except RecursionError:
        return Unreadable("文件结构嵌套过深，无法解析", "RecursionError"), limit[0]


def _worker_init() -> None:
    _exit_with_parent()
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_MEMORY if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _exit_with_parent() -> None:
    """End this pool worker when the process that started it is gone. A worker waits on a
    pipe whose both ends it holds, so it never sees the parent go: a batch killed, or a
    service stopped (its pool shut down without waiting), would leave it running for ever."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _load_task(args):
    """(reports or Unreadable, seconds the file took to read, the file's budget)."""
    path, year, body, budget, ocr = args
    t0 = time.perf_counter()
    got, limit = load_within(Path(path), year, body, budget, ocr)
    return got, time.perf_counter() - t0, limit


def read_all(paths: list[Path], *, year=None, body=None, jobs: int = 1, budget: float | None = TIME_BUDGET,
             debug: bool = False, ocr: bool = True):
    """Yield (path, reports or Unreadable, seconds taken to read it, the file's time budget
    for the rest of the pipeline: ``budget``, longer when read by OCR) for every path, in order.

    With ``jobs > 1`` one pool of worker processes reads the whole batch; a window of
    files is kept in flight, so workers go on reading while the caller checks what it
    has (memory stays bounded, reading and checking overlap).
    """
    if jobs <= 1 or len(paths) < 2:
        for p in paths:
            if debug:
                t0 = time.perf_counter()
                got = load_reports(Path(p), year=year, body=body, ocr=ocr)
                yield p, got, time.perf_counter() - t0, None
            else:
                yield (p, *_load_task((str(p), year, body, budget, ocr)))
        return
    import gc
    import multiprocessing as mp

    _preload(paths)
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    # Forked workers share the main process's memory pages until they write to them; a
    # garbage collection in a worker writes to every object it traverses, so the objects
    # there before the fork are frozen out of it: the workers stay small however long they run.
    gc.freeze()
    try:
        yield from _pooled(paths, year, body, jobs, budget, ocr, ctx)
    finally:
        gc.unfreeze()


def _pooled(paths, year, body, jobs, budget, ocr, ctx):
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init) as pool:
        todo, pending = iter(paths), deque()

        def submit() -> None:
            p = next(todo, None)
            if p is not None:
                pending.append((p, pool.submit(_load_task, (str(p), year, body, budget, ocr))))

        for _ in range(jobs * 32):
            submit()
        while pending:
            p, fut = pending.popleft()
            submit()
            try:
                yield (p, *fut.result())
            except BrokenProcessPool:
                yield p, Unreadable("读取该文件的进程异常退出（文件可能过大或已损坏）", "worker process died"), 0.0, budget
            except Exception as e:  # a result that could not be sent back
                yield p, Unreadable("文件内容无法解析", f"{type(e).__name__}: {e}"), 0.0, budget


def _preload(paths: list[Path]) -> None:
    """Import the readers a batch needs once, before the workers are forked (what every
    reading imports, too: the workers then share those pages instead of each holding its
    own copy). A reader whose libraries are imported only when it reads names them in a
    ``preload()`` function, called when the batch has files of its format."""
    import importlib

    from .readers import by_extension

    every = {"validator.canonical", "validator.readers.ocr"}  # readers.sniff and readers.read use them
    wanted = {f.module for p in paths for f in by_extension(p) if f.found}
    for module in every | wanted:
        loaded = importlib.import_module(module)
        if module in wanted and hasattr(loaded, "preload"):
            try:
                loaded.preload()
            except Exception:  # only a head start: each worker then imports what it reads, as before
                pass


def default_jobs(n_files: int) -> int:
    """All cores for batches worth the start-up of worker processes, else in-process."""
    return min(os.cpu_count() or 1, 8) if n_files >= 8 else 1


def _light(reports, keep: set[tuple[str, str]]) -> list:
    """Copies of the reports with only the cells the cross-year rules use and each report's
    digest (numbers and a narrative sketch, validator.digest): memory stays flat.

    The copies share their strings and positions (one object for each distinct value, equal
    values being interchangeable): a report sent back by a worker has its own copy of every
    code, raw text and position, which would otherwise outlive it in its light copy, most of
    the copy's size (pickling a list of copies keeps what they share shared)."""
    shared: dict = {}
    return [_light_one(r, keep, shared.setdefault) for r in reports]


def _light_one(report, keep: set[tuple[str, str]], one):
    from . import digest

    cells = [_extract.CellRecord(*(one(v, v) if isinstance(v, (str, Position)) else v for v in c.fields()))
             for c in report.cells if (c.table, c.row) in keep or (c.table, "*") in keep]
    texts = {f: one(v, v) for f in ("format", "body", "year_source", "version", "version_source", "published_source")
             if isinstance(v := getattr(report, f), str)}
    return replace(report, cells=cells, notes=[], paragraphs=[], sections=[], unknown_rows=[],
                   digest=digest.of(report), **texts)


def _cross_year_cells(rules) -> set[tuple[str, str]]:
    from .rules import PREV, expand

    keep = set()
    for r in rules.values():
        if r.assertion is None:
            continue
        if r.for_each == "row":
            keep.add((r.table, "*"))
            continue
        for item, _ in r.assertion.lhs + r.assertion.rhs:
            for code in expand(r.table, r.for_each, item.removeprefix(PREV)):
                keep.add((r.table, code))
    return keep


MAX_CROPS_BYTES = 96_000
"""Most bytes of image crops (PNG) kept per report: the cells of its gravest findings first."""


def crops(report, findings) -> dict:
    """How the OCR'd cells that ``findings`` name were read, with their image crops: each
    finding's subject cell, then the cells it uses; errors first, within MAX_CROPS_BYTES."""
    read = {(c.table, c.row, c.column): c.ocr for c in report.cells if c.ocr is not None and c.ocr.crop}
    out: dict = {}
    if not read:
        return out
    size = 0
    for f in sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 9)):
        for key in ((f.table_code, f.row_code, f.column_code), *(c.key for c in f.cells)):
            rec = read.get(key)
            if rec is None or key in out:
                continue
            if size + len(rec.crop) > MAX_CROPS_BYTES:
                return out
            out[key] = rec
            size += len(rec.crop)
    return out


def _cap(r: FileResult, catalogue) -> None:
    """At most :data:`MAX_FINDINGS` findings per file (the most severe first), then one
    finding (X014) saying how many more there were; the verdict counts them all."""
    if len(r.findings) <= MAX_FINDINGS or "X014" not in catalogue:
        return
    from .finding import Finding
    from .fingerprint import attach, identity

    rest = r.findings[MAX_FINDINGS:]
    del r.findings[MAX_FINDINGS:]
    rule = catalogue["X014"]
    counts = {s: sum(f.severity == s for f in rest) for s in ("error", "warning", "info")}
    params = {"more": f"{len(rest):,}", "limit": f"{MAX_FINDINGS:,}", "errors": counts["error"],
              "warnings": counts["warning"], "infos": counts["info"]}
    r.findings.append(Finding(rule=rule.id, name=rule.name, severity=rule.severity, template=rule.message_for(None),
                              params=params, evidence={"more": len(rest), **counts}))
    attach(r.findings[-1:], identity(r.body, r.year, r.path))


def _render_within(r: FileResult, seconds: float | None, over) -> None:
    """Render the file's findings once (their JSON records: messages, cells, fixes: what
    every output is made of) within what is left of its budget; ``over()`` when it does not fit."""
    t0 = time.perf_counter()
    try:
        with _deadline(seconds):
            for f in r.findings:
                f.to_dict()
    except _OutOfTime:
        over()
    r.seconds += time.perf_counter() - t0


def check_paths(paths: list[Path], *, year: int | None = None, body: str | None = None, strict: bool = False,
                rules=None, debug: bool = False, previous: list[Path] = (), on_file=None, jobs: int | None = None,
                budget: float | None = TIME_BUDGET, keep_cells: bool = False, chunk: int = CHUNK,
                disabled: dict[str, str] | None = None, reviews=None, fail_on: str = "error",
                skip_non_reports=(), ocr: bool = True, spill: bool | None = None) -> Result:
    """Check files as one batch.

    ``previous`` files are read only as last year's reports for the cross-year rules: they
    are paired with the checked reports but not reported on. ``on_file(path)``, when given,
    is called after each checked file is read (progress). ``jobs`` worker processes read
    the files (None: all cores for large batches); each file has ``budget`` seconds.
    ``keep_cells`` keeps every report's cells on its FileResult (for outputs that draw
    the tables), and the image crops of the OCR'd cells its findings name (``crops``). ``disabled`` ({rule id: reason}) is recorded on the result for the outputs;
    pass the catalogue without those rules as ``rules`` (validator.rules.catalogue).
    ``reviews`` (validator.reviews.load) marks the findings it covers, which then do not
    make their file fail, and reports its stale entries.
    A file fails when it has a finding of severity ``fail_on`` ("error" | "warning") or graver.
    Files in ``skip_non_reports`` (found in a directory, not named) that are plainly not
    annual reports are "skipped" (listed, not failing) instead of unreadable.
    ``spill`` (None: for batches of more than :data:`CHUNK` files) keeps the file results out
    of memory as each chunk is checked (``Result.files`` is then a validator.store.FileStore,
    read back one file at a time): memory stays flat in the number of files.
    """
    from . import rules as _rules
    from .engine import Checker, is_cross_year
    from .frame import build
    from .outputs.safe import path as shown

    if fail_on not in ("error", "warning"):
        raise ValueError(f"fail_on must be 'error' or 'warning', not {fail_on!r}")
    import datetime
    import socket

    started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    catalogue = rules if rules is not None else _rules.load()
    cross = {k: r for k, r in catalogue.items() if is_cross_year(r)}
    single = {k: r for k, r in catalogue.items() if k not in cross}
    keep = _cross_year_cells(cross)
    jobs = default_jobs(len(paths)) if jobs is None or jobs < 1 else jobs

    # every file's result, in order; with a store, only those of the chunk being checked
    # (``base``: the index of results[0] in the batch)
    store = None
    if spill or (spill is None and len(paths) > CHUNK):
        from .store import FileStore

        store = FileStore()
    results: list[FileResult] = []
    base = 0
    cross_found: dict[int, list] = {}  # the cross-year pass's findings, by file
    broken: dict[int, tuple[str, str]] = {}  # files the cross-year pass failed on: (reason, detail)

    def at(i: int) -> FileResult:  # a file of the chunk being checked, by its index in the batch
        return results[i - base]

    def flush() -> None:
        nonlocal base
        if store is not None:
            for r in results:
                store.append(r)
            base += len(results)
            results.clear()

    light: list = []  # light copies of every report, for the cross-year pass
    light_owner: list[int | None] = []
    # while a large batch is read, its light copies wait on disk (a record per chunk) for the
    # cross-year pass at the end, when the worker processes are gone
    spilled = None
    if store is not None and cross:
        from .store import Store

        spilled = Store()

    may_skip = {str(p) for p in skip_non_reports}

    def unreadable(p, e, prefix=""):
        status = "skipped" if isinstance(e, NotAReport) and not prefix and str(p) in may_skip else "unreadable"
        results.append(FileResult(shown(p), status, reason=prefix + e.reason, detail=e.detail))

    allowed: dict[int, float | None] = {}  # each checked file's time budget (results index: seconds)

    def left(o: int, r: FileResult | None = None) -> float | None:
        return None if allowed.get(o) is None else allowed[o] - (r or at(o)).seconds

    def give_up(o: int, reason: str, detail: str, r: FileResult | None = None) -> None:
        bad = r or at(o)
        bad.status, bad.reason, bad.detail, bad.findings, bad.cells = "unreadable", reason, detail[:300], [], []

    def check_chunk(reports, owners):
        """Check the reports together under the tightest remaining budget among them; a
        check that fails (an exception, or out of that time) is split in halves until the
        report it fails on is alone, which then ends unreadable with the reason."""
        found = []

        def attempt(idx: list[int]) -> None:
            sub = [reports[i] for i in idx]
            budgets = [b for b in (left(owners[i]) for i in idx) if b is not None]
            t0 = time.perf_counter()
            try:
                with _deadline(min(budgets) if budgets else None):
                    got = Checker(sub, build(sub), single, strict=strict).run()
            except (Exception, _OutOfTime) as e:
                if debug and not isinstance(e, _OutOfTime):
                    raise
                if len(idx) > 1:
                    attempt(idx[: len(idx) // 2])
                    attempt(idx[len(idx) // 2:])
                elif isinstance(e, _OutOfTime):
                    o = owners[idx[0]]
                    give_up(o, _over_budget("核对", allowed[o], allowed[o] != budget), "time budget exceeded")
                else:
                    give_up(owners[idx[0]], "核对该报告时出错，未能完成检查（请把文件发给维护者）",
                            f"{type(e).__name__}: {e}")
                return
            spent = time.perf_counter() - t0  # a report's checking took as long as its batch's
            for i in idx:
                at(owners[i]).seconds += spent
            found.extend(f.with_(report=idx[f.report]) for f in got)

        attempt(list(range(len(reports))))
        for f in found:
            at(owners[f.report]).findings.append(f)
        if keep_cells:
            for report, o in zip(reports, owners):
                at(o).crops = crops(report, at(o).findings)
        if cross:
            copies = _light([r for r, o in zip(reports, owners) if at(o).status != "unreadable"], keep)
            light_owner.extend(o for o in owners if at(o).status != "unreadable")
            if spilled is not None:
                spilled.append(copies)
            else:
                light.extend(copies)

    reports, owners = [], []
    for p, got, seconds, limit in read_all(paths, year=year, body=body, jobs=jobs, budget=budget, debug=debug,
                                           ocr=ocr):
        if isinstance(got, Unreadable):
            unreadable(p, got)
            results[-1].seconds = seconds
        else:
            for report in got:
                owners.append(base + len(results))
                reports.append(report)
                allowed[base + len(results)] = limit
                results.append(FileResult(shown(report.path if len(got) > 1 else p), "passed", format=report.format,
                                          template=report.version, year=report.year,
                                          year_source=report.year_source, body=report.body, seconds=seconds,
                                          cells=_cells(report) if keep_cells else []))
        if on_file is not None:
            on_file(p)
        if len(reports) >= max(1, chunk):
            check_chunk(reports, owners)
            reports, owners = [], []
            flush()
    if reports:
        check_chunk(reports, owners)
    del reports, owners
    if spilled is not None:
        light = [r for copies in spilled for r in copies]
        spilled.close()
    notices: list[str] = []
    checked = {_identity_of(p) for p in paths} - {None}
    context = []
    for p in previous:
        if _identity_of(p) in checked:
            notices.append(f"--previous {shown(p)} 未使用：它就是被检查的文件")
        else:
            context.append(p)
    first_context = len(light)
    for p, got, *_ in read_all(context, body=body, jobs=1, budget=budget, debug=debug, ocr=ocr):
        if isinstance(got, Unreadable):
            unreadable(p, got, "（--previous）")
            continue
        for report in got:
            report.context = True
        light.extend(_light(got, keep))
        light_owner.extend(None for _ in got)
    if cross:
        notices.extend(_unpaired(light, first_context))
    elif context:
        notices.append("--previous 未使用：跨年度规则都已停用")
    if cross and len(light) > 1:
        try:
            found = Checker(light, build(light), cross, strict=strict).run()
        except Exception as e:  # fail closed, and never without a result for every file
            if debug:
                raise
            found = []
            for o in set(light_owner) - {None}:
                broken[o] = ("跨年度核对时出错，未能完成检查（请把文件发给维护者）", f"{type(e).__name__}: {e}"[:300])
        for f in found:
            cross_found.setdefault(light_owner[f.report], []).append(f)
    del light, light_owner
    flush()
    files = store if store is not None else results
    from .fingerprint import attach, identity

    applying = None
    if reviews is not None:
        from .reviews import Applying

        applying = Applying(reviews, catalogue)

    def verdict(o: int, r: FileResult) -> None:
        if r.status not in ("unreadable", "skipped"):
            r.status = _status(r.findings, catalogue, fail_on)
        _cap(r, catalogue)
        if o in allowed and r.status != "unreadable":
            _render_within(r, left(o, r), lambda: give_up(o, _over_budget("输出", allowed[o], allowed[o] != budget),
                                                          "time budget exceeded", r))

    # one pass over the files (two with a reviews file: its stale entries are known at the end)
    for i in range(len(files)):
        r = files[i]
        if i in broken:
            r.status, (r.reason, r.detail) = "unreadable", broken[i]
        r.findings.extend(cross_found.get(i, ()))
        r.findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule))
        attach(r.findings, identity(r.body, r.year, r.path))
        if applying is not None:
            applying.mark(i, r)
        else:
            verdict(i, r)
        if store is not None:
            store[i] = r
    summary = None
    if applying is not None:
        stale = applying.stale()
        summary = applying.summary()
        for i in range(len(files)):
            r = files[i]
            r.findings.extend(stale.get(i, ()))
            verdict(i, r)
            if store is not None:
                store[i] = r
    settings = {"strict": strict, "year": year, "body": body, "previous": [str(p) for p in previous],
                "severity": {k: r.severity for k, r in catalogue.items() if r.default_severity},
                "params": {k: r.params for k, r in catalogue.items() if r.param_overrides}}
    # the catalogue as configured: the rules checked, and the records of those switched off
    known = _rules.load() if disabled else {}
    configured = {**{k: known[k] for k in (disabled or {}) if k in known}, **catalogue}
    return Result(files, disabled=dict(disabled or {}), rules=dict(sorted(configured.items())), settings=settings,
                  reviews=summary, ruleset=_rules.ruleset_version(catalogue), fail_on=fail_on, started=started,
                  hostname=socket.gethostname(), notices=notices)


def _identity_of(path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _unpaired(light: list, first_context: int) -> list[str]:
    """Why each --previous report (light[first_context:]) pairs with no checked report:
    never silently unused."""
    from .engine import pair_years
    from .identity import same_body
    from .outputs.safe import path as shown

    used = {j for i, j in pair_years(light).items() if i < first_context}  # last year of a checked report
    checked = light[:first_context]
    out = []
    for i in range(first_context, len(light)):
        if i in used:
            continue
        r = light[i]
        what = f"--previous {shown(r.path)} 未使用："
        if r.year is None or not r.body:
            out.append(what + "读不出它的年度或发布机关")
        elif not any(same_body(r.body, c.body) for c in checked):
            bodies = "、".join(dict.fromkeys(str(c.body) for c in checked if c.body)) or "未知"
            out.append(what + f"发布机关不同（它是 {r.body}，被检查的报告是 {bodies}）")
        else:
            years = "、".join(str(c.year) for c in checked if same_body(r.body, c.body) and c.year)
            out.append(what + f"年度不相邻（它是 {r.year} 年，被检查的报告是 {years or '未知'} 年，应为前一年）")
    return out
