#!/usr/bin/env python
"""Benchmark of ``validator check`` against the parse floor (issues 8 and 18).

    python benchmarks/run.py [--sizes 200 2000] [--formats html docx pdf] [--jobs J] [--pdf-files 10]

Each format is measured on its own batch, so that every ratio is per format. A batch of N
inputs of one format is a directory of links in benchmarks/_build/in-FORMAT-N: to
generated reports (see bench_corpus.py: consistent numbers, 10 % with one wrong cell) and
to real files read in place from ../shared/corpus and tests/fixtures (never copied): half
of an HTML batch is the corpus's published pages, a tenth of a DOCX batch the WPS template
and the LibreOffice DOCX fixture, a PDF batch the real PDFs in turn (PDF is compared per
page). On the same J worker processes, in one run, each in its own subprocess (CPU
seconds of all its processes, wall time, peak memory):

  (a) floor  the parser library alone reading every cell's text (bench_floor.py: lxml for
             HTML, lxml on word/document.xml for DOCX, pypdfium2's characters (text and boxes) for PDF);
  (b) check  ``validator check DIR --format json -j J``; every file's verdict compared with
             the intended one (generated) or with the file checked alone (real);
  (c) naive  one report at a time in one process: readers.read + extract, a pandas
             DataFrame, a pandera schema per report (bench_naive.py); on an even sample of
             --naive-limit reports, extrapolated beyond that (marked ~).

then the start-up of a single report (median of 5 runs) against ``import pandas, pandera``.
Prints the machine and its load, the table of the README (CPU ratios per format), wall
times, memory of the largest batch against the smallest, verdicts; writes
benchmarks/_build/results.json. ``--profile`` also runs ``validator check -j 1`` under
cProfile on the largest HTML batch and prints where the time goes.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_corpus as bc  # noqa: E402


def bench_naive_sample(items: list, k: int) -> list:
    """The files bench_naive.py checks with --limit k (the same even sample)."""
    step = max(1, len(items) // k)
    return items[::step][:k]

BUILD = bc.BUILD
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def say(*a) -> None:
    print(*a, flush=True)


# ------------------------------------------------------------------------- machine


def _cpuinfo() -> tuple[str, int | None]:
    model, cores = platform.processor() or "unknown", set()
    try:
        phys = None
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            k, _, v = line.partition(":")
            k, v = k.strip(), v.strip()
            if k == "model name":
                model = v
            elif k == "physical id":
                phys = v
            elif k == "core id":
                cores.add((phys, v))
    except OSError:
        pass
    return model, len(cores) or None


def _meminfo_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    return None


def _version(mod: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(mod)
    except metadata.PackageNotFoundError:
        return None


def _git() -> str | None:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "validator"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
        return head + (" (validator/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict:
    model, physical = _cpuinfo()
    return {"cpu": model, "logical_cpus": os.cpu_count(), "physical_cores": physical, "memory_gb": _meminfo_gb(),
            "python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "loadavg": loadavg(), "commit": _git(),
            "packages": {m: _version(m) for m in ("gov-report-validator", "pandas", "pandera", "lxml", "python-docx",
                                                  "numpy", "pdfplumber", "pdfminer.six", "pypdfium2")}}


# --------------------------------------------------------------------- measuring


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def _mem(pid: int) -> tuple[int, int, int]:
    """(PSS, anonymous PSS, resident file-backed bytes) of a process.

    PSS splits each shared page among the processes that map it: exact for the anonymous
    pages a fork shares (all their sharers are in the measured tree), an undercount for
    the libraries' file pages, which every other Python process on the machine shares too
    (the share then depends on what else runs). Without smaps_rollup: RSS for all three."""
    pss = anon = None
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith(("Pss_Anon:", "Pss_Shmem:")):
                    anon = (anon or 0) + int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    file_rss = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("RssFile:"):
                    file_rss = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if pss is None:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                pss = int(fh.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            pss = 0
    return pss, pss if anon is None else anon, file_rss


def _tree_rss(pid: int) -> tuple[int, int]:
    """Memory of a process and all its descendants (Linux /proc): (the sum of their PSS,
    their pages each counted once: the sum of their anonymous PSS plus the file pages of
    the process that maps most, the libraries counted in full as in its RSS)."""
    pss = anon = files = 0
    todo, seen = [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        a, b, c = _mem(p)
        pss, anon, files = pss + a, anon + b, max(files, c)
        todo.extend(_children(p))
    return pss, anon + files


# Every measured process runs the code of this tree (not whatever an editable install points at).
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def measured(cmd: list[str], stdout: Path | None = None, *, sample: bool = True) -> dict:
    """Run cmd in its own process; its wall and CPU time, exit code and peak memory.

    ``maxrss_mb``: the peak resident memory of the largest single process of cmd's tree
    (the main process or one worker), from ``/usr/bin/time -f %M`` (GNU time forks the
    command from its own small process, so the figure is not inflated by this script's
    memory as ru_maxrss of a direct child would be); without /usr/bin/time, ru_maxrss
    from wait4. ``tree_mb``: the largest sum of the resident memory of the process and
    its workers (PSS: pages shared after fork counted once), sampled every 0.05 s;
    ``tree_pages_mb``: the same with the libraries' file pages counted in full, once
    (PSS shares them with every other process on the machine that maps them, see _mem).
    """
    err = tempfile.TemporaryFile()
    out = open(stdout, "wb") if stdout else open(os.devnull, "wb")
    stats = tempfile.NamedTemporaryFile(prefix="bench-time-", delete=False) if TIME else None
    full = [TIME, "-f", "%M %U %S", "-o", stats.name, *cmd] if stats else cmd
    load0 = loadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(full, stdout=out, stderr=err, cwd=ROOT, env=ENV)
    peak, done = [0, 0], threading.Event()

    def sampler():
        while not done.wait(0.05):
            now = _tree_rss(proc.pid)
            peak[:] = [max(peak[0], now[0]), max(peak[1], now[1])]

    th = threading.Thread(target=sampler, daemon=True)
    if sample and sys.platform.startswith("linux"):
        th.start()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    if th.is_alive():
        th.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.close()
    err.seek(0)
    stderr = err.read().decode("utf-8", "replace")
    err.close()
    maxrss_kb, source = ru.ru_maxrss, "wait4"
    if stats:
        try:
            last = Path(stats.name).read_text().strip().splitlines()[-1].split()
            maxrss_kb, source = int(last[0]), "/usr/bin/time"
        except (OSError, IndexError, ValueError):
            pass
        stats.close()
        os.unlink(stats.name)
    return {"cmd": [Path(c).name if i == 0 else c for i, c in enumerate(cmd)], "wall": round(wall, 3),
            "cpu": round(ru.ru_utime + ru.ru_stime, 3), "exit": proc.returncode,
            "maxrss_mb": round(maxrss_kb / 1024, 1), "maxrss_source": source,
            "tree_mb": round(peak[0] / 2 ** 20, 1) if peak[0] else None,
            "tree_pages_mb": round(peak[1] / 2 ** 20, 1) if peak[1] else None,
            "loadavg_before": load0, "stderr_tail": stderr[-2000:] if stderr.strip() else ""}


def validator_exe() -> str:
    near = Path(sys.executable).with_name("validator")
    return str(near) if near.exists() else (shutil.which("validator") or "validator")


# ---------------------------------------------------------------------- inputs

CORPUS = ROOT.parent / "shared" / "corpus"
MULTIFORM = ROOT / "tests" / "fixtures" / "multiform"
# real files among the inputs, read in place (linked from benchmarks/_build, never copied)
REAL = {
    "html": [CORPUS / "020_pingtan_zone_2019.html", CORPUS / "021_pingtan_zone_2022.html",
             CORPUS / "022_shuyang_county_drc_2023.html"],
    "docx": [MULTIFORM / "taiqian_2020_from_html.docx", CORPUS / "blank_2021_template.wps.docx"],
    "pdf": [CORPUS / "001_huaian_city_gov_2024.pdf", CORPUS / "014_huaian_hongze_district_gov_2023.pdf",
            CORPUS / "015_huaian_hongze_district_gov_2024.pdf", MULTIFORM / "taiqian_2020_from_docx.pdf",
            MULTIFORM / "taiqian_2020_from_html.pdf"],
    "text": [],
}
REAL_SHARE = {"html": 0.5, "docx": 0.1, "pdf": 1.0, "text": 0.0}  # of the N inputs of a format


def single_verdict(exe: str, path: Path, cache: dict) -> str | None:
    """The status ``validator check`` gives a file checked alone (what it must get in a batch)."""
    if path not in cache:
        out = subprocess.run([exe, "check", str(path), "--format", "json"], capture_output=True, cwd=ROOT,
                             timeout=600, env=ENV)
        try:
            cache[path] = json.loads(out.stdout)["files"][0]["status"]
        except (ValueError, KeyError, IndexError):
            cache[path] = None
    return cache[path]


def inputs(fmt: str, n: int, args, exe: str, verdicts: dict) -> tuple[Path, dict, dict]:
    """The directory of the n inputs of one format (links to generated and real files), the
    status each must get, and a description."""
    real = [p for p in REAL[fmt] if p.exists()]
    n_real = round(n * REAL_SHARE[fmt]) if real else 0
    if fmt == "pdf" and not real:
        raise SystemExit("PDF: no real PDF found (../shared/corpus, tests/fixtures/multiform)")
    d = BUILD / f"in-{fmt}-{n}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    expected: dict[str, str] = {}
    desc: dict = {"real": {}, "generated": 0}
    if n - n_real:
        corpus, meta, reused = bc.cached(n - n_real, [fmt], error_rate=args.error_rate, seed=args.seed,
                                         jobs=args.jobs, say=say)
        for spec in bc.load_reports(corpus):
            (d / f"g-{spec['name']}").symlink_to(corpus / spec["name"])
            expected[f"g-{spec['name']}"] = spec["expected"]
        desc.update(generated=n - n_real, corpus=str(corpus.relative_to(ROOT)), reused=reused,
                    injected=meta["injected"], bytes=meta["bytes"])
    for i in range(n_real):
        src = real[i % len(real)]
        name = f"r{i:05d}-{src.name}"
        (d / name).symlink_to(src)
        expected[name] = single_verdict(exe, src, verdicts)
        desc["real"][src.name] = desc["real"].get(src.name, 0) + 1
    return d, expected, desc


# ---------------------------------------------------------------------- one size


def run_size(fmt: str, n: int, args, exe: str, verdicts: dict) -> dict:
    t0 = time.perf_counter()
    corpus, expected, desc = inputs(fmt, n, args, exe, verdicts)
    say(f"{fmt} N={n}: {desc['generated']} generated"
        + (f" ({desc['corpus']}, {'cached' if desc['reused'] else 'built'})" if desc["generated"] else "")
        + (", real: " + ", ".join(f"{k} × {v}" for k, v in desc["real"].items()) if desc["real"] else "")
        + f" [{time.perf_counter() - t0:.1f} s]")
    res: dict = {"format": fmt, "n": n, "inputs": {**desc, "dir": str(corpus)}}

    say("  (a) floor: parse + every cell's text ...")
    fl = measured([sys.executable, str(HERE / "bench_floor.py"), str(corpus), "-j", str(args.jobs)],
                  BUILD / f"floor-{fmt}-{n}.json")
    fl["inner"] = json.loads((BUILD / f"floor-{fmt}-{n}.json").read_text() or "{}") if fl["exit"] == 0 else None
    res["floor"] = fl
    res["pages"] = (fl["inner"] or {}).get("pages") or None

    say("  (b) validator check ...")
    out = BUILD / f"check-{fmt}-{n}.json"
    ck = measured([exe, "check", str(corpus), "--format", "json", "-j", str(args.jobs)], out)
    try:
        files = json.loads(out.read_text(encoding="utf-8"))["files"]
        got = {Path(f["path"]).name: f["status"] for f in files}
    except (OSError, ValueError, KeyError):
        got = {}
    wrong = sorted(k for k in expected if got.get(k) != expected[k])
    ck["expected_exit"] = 2 if "unreadable" in expected.values() else 1 if "failed" in expected.values() else 0
    ck["verdicts_as_expected"] = len(expected) - len(wrong)
    ck["verdicts_wrong"] = wrong[:20]
    res["check"] = ck

    k = n if args.naive_limit == 0 or args.naive_limit >= n else args.naive_limit
    say(f"  (c) naive pandas + pandera{'' if k == n else f' (first {k} reports)'} ...")
    nv = measured([sys.executable, str(HERE / "bench_naive.py"), str(corpus), "--limit", str(k)],
                  BUILD / f"naive-{fmt}-{n}.json")
    inner = json.loads((BUILD / f"naive-{fmt}-{n}.json").read_text() or "{}") if nv["exit"] == 0 else {}
    nv["inner"] = {k2: v for k2, v in inner.items() if k2 not in ("failed", "unreadable")}
    nv["sampled"] = k
    if inner and k < n:
        nv["extrapolated_wall"] = round(nv["wall"] - inner["loop_seconds"] + inner["loop_seconds"] * n / k, 2)
        nv["extrapolated_cpu"] = round(nv["cpu"] - inner["loop_cpu"] + inner["loop_cpu"] * n / k, 2)
    if inner:
        sample = bench_naive_sample(sorted(expected), k)
        failed = set(inner["failed"])
        nv["verdicts_as_expected"] = sum((name in failed) == (expected[name] == "failed") for name in sample)
        nv["unreadable"] = len(inner["unreadable"])
    res["naive"] = nv
    return res


def naive_wall(r: dict) -> float:
    return r["naive"].get("extrapolated_wall", r["naive"]["wall"])


def naive_cpu(r: dict) -> float:
    return r["naive"].get("extrapolated_cpu", r["naive"]["cpu"])


# ------------------------------------------------------------------------ start-up


def startup(exe: str, runs: int) -> dict:
    html = ROOT / "tests" / "fixtures" / "taiqian_2020.html"
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import pandas, pandera'": [sys.executable, "-c", "import pandas, pandera"],
        "validator check samples/taiqian_2020.txt": [exe, "check", "samples/taiqian_2020.txt"],
    }
    if html.exists():
        cases["validator check tests/fixtures/taiqian_2020.html"] = [exe, "check", str(html.relative_to(ROOT))]
    times: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    rss: dict[str, float] = {}
    exits: dict[str, int] = {}
    for _ in range(runs):  # round robin: a change in the machine's load hits every case alike
        for name, cmd in cases.items():
            m = measured(cmd, sample=False)
            times[name].append(m["wall"])
            cpu[name].append(m["cpu"])
            rss[name] = max(rss.get(name, 0), m["maxrss_mb"])
            exits[name] = m["exit"]
    out = {name: {"median_wall": round(statistics.median(v), 3), "median_cpu": round(statistics.median(cpu[name]), 3),
                  "runs": v, "maxrss_mb": rss[name], "exit": exits[name]} for name, v in times.items()}
    base = out["python -c 'import pandas, pandera'"]
    for name, v in out.items():
        v["ratio_to_import"] = round(v["median_wall"] / base["median_wall"], 2) if base["median_wall"] else None
        v["cpu_ratio_to_import"] = round(v["median_cpu"] / base["median_cpu"], 2) if base["median_cpu"] else None
    return out


# ------------------------------------------------------------------------- profile

_STAGES = [  # (label, file suffix, function name)
    ("read: html (validator/readers/html.py read)", "validator/readers/html.py", "read"),
    ("read: docx (validator/readers/docx.py read)", "validator/readers/docx.py", "read"),
    ("read: text (validator/readers/text.py read)", "validator/readers/text.py", "read"),
    ("read: all (readers.read, incl. sniffing)", "validator/readers/__init__.py", "read"),
    ("extract (extract.extract)", "validator/extract.py", "extract"),
    ("load_reports (read + extract + checks)", "validator/run.py", "load_reports"),
    ("frame building (frame.build)", "validator/frame.py", "build"),
    ("rules (engine.Checker.run)", "validator/engine.py", "run"),
    ("check_paths (whole batch)", "validator/run.py", "check_paths"),
    ("output (outputs/json.py render)", "validator/outputs/json.py", "render"),
    ("console summary (outputs/console.py render)", "validator/outputs/console.py", "render"),
    ("imports (importlib _find_and_load)", "<frozen importlib._bootstrap>", "_find_and_load"),
]


def profile(corpus: Path, exe_args: list[str], n: int) -> dict:
    prof = BUILD / f"profile-{n}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "validator", *exe_args]
    say(f"profile: {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))}")
    m = measured(cmd, BUILD / f"profile-{n}.out", sample=False)
    import pstats

    st = pstats.Stats(str(prof))
    total = st.total_tt
    stages = []
    for label, suffix, func in _STAGES:
        ct = sum(v[3] for (f, _, fn), v in st.stats.items() if f.endswith(suffix) and fn == func)
        calls = sum(v[1] for (f, _, fn), v in st.stats.items() if f.endswith(suffix) and fn == func)
        if ct:
            stages.append({"stage": label, "seconds": round(ct, 2), "share": round(ct / total, 3), "calls": calls})
    top = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:25]
    tops = [{"function": f"{Path(f).name}:{ln}({fn})" if not f.startswith("<") else f"{f}({fn})",
             "path": f, "tottime": round(v[2], 3), "cumtime": round(v[3], 3), "calls": v[1]} for (f, ln, fn), v in top]
    return {"n": n, "wall": m["wall"], "exit": m["exit"], "profiled_seconds": round(total, 2), "stages": stages,
            "top_tottime": tops, "file": str(prof)}


# ---------------------------------------------------------------------------- main


def fmt_s(x: float | None) -> str:
    return "-" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")


def table(results: list[dict], jobs: int) -> list[str]:
    """The results as the README's markdown table (CPU seconds: steadier than wall under load)."""
    lines = ["| format | N | pages | floor cpu s | check cpu s | naive cpu s | check/floor (cpu) | naive/check (cpu) "
             "| check wall s | reports/s | peak MB | tree MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        fc, cc, nc = r["floor"]["cpu"], r["check"]["cpu"], naive_cpu(r)
        mark = "~" if "extrapolated_cpu" in r["naive"] else ""
        lines.append(f"| {r['format']} | {r['n']} | {r['pages'] or ''} | {fmt_s(fc)} | {fmt_s(cc)} | {mark}{fmt_s(nc)} "
                     f"| {cc / fc:.1f}× | {nc / cc:.1f}× | {fmt_s(r['check']['wall'])} | {r['n'] / r['check']['wall']:.1f} "
                     f"| {r['check']['maxrss_mb']:.0f} | {r['check']['tree_mb'] or 0:.0f} |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark validator check against the parse floor (issues 8, 18).")
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 2000], help="batch sizes (default: 200 2000)")
    ap.add_argument("--jobs", "-j", type=int, default=min(os.cpu_count() or 1, 8),
                    help="worker processes for (a) and (b) (default: all cores, at most 8, as validator does)")
    ap.add_argument("--formats", nargs="+", choices=["html", "docx", "pdf", "text"], default=["html", "docx", "pdf"],
                    help="formats measured, each on its own batch (default: html docx pdf)")
    ap.add_argument("--pdf-files", type=int, default=10,
                    help="PDF batch size (the real PDFs in turn; PDF is compared per page, not per N)")
    ap.add_argument("--error-rate", type=float, default=bc.ERROR_RATE,
                    help="fraction of generated reports given exactly one wrong cell (default 0.1)")
    ap.add_argument("--seed", type=int, default=bc.SEED_NUMBER, help="random seed of the generated reports")
    ap.add_argument("--naive-limit", type=int, default=200,
                    help="run the naive baseline on at most this many reports and extrapolate (0: all)")
    ap.add_argument("--startup-runs", type=int, default=5, help="runs of each start-up case (median)")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    ap.add_argument("--profile", action="store_true",
                    help="also profile validator check -j 1 under cProfile on the largest HTML batch")
    args = ap.parse_args(argv)
    args.sizes = sorted(set(args.sizes))
    args.jobs = max(1, args.jobs)
    BUILD.mkdir(parents=True, exist_ok=True)
    exe = validator_exe()
    t_start = time.perf_counter()

    mach = machine()
    say(f"machine: {mach['cpu']}; {mach['logical_cpus']} logical CPUs"
        + (f" ({mach['physical_cores']} physical cores)" if mach["physical_cores"] else "")
        + (f", {mach['memory_gb']} GB" if mach["memory_gb"] else ""))
    say(f"python {mach['python']} ({mach['implementation']}), {mach['platform']}")
    say("packages: " + ", ".join(f"{k} {v}" for k, v in mach["packages"].items() if v))
    say(f"commit {mach['commit']}; load average {mach['loadavg']} (other processes share these CPUs)")
    say(f"jobs {args.jobs}; formats {' '.join(args.formats)}; error rate {args.error_rate}; sizes "
        + " ".join(map(str, args.sizes)) + f"; PDF batch {args.pdf_files}")
    say("")

    results, verdicts = [], {}
    for fmt in args.formats:
        for n in ([args.pdf_files] if fmt == "pdf" else args.sizes):
            results.append(run_size(fmt, n, args, exe, verdicts))
    up = None
    if not args.no_startup:
        say(f"start-up: {args.startup_runs} runs of each case ...")
        up = startup(exe, args.startup_runs)
    prof = None
    html = [r for r in results if r["format"] == "html"]
    if args.profile and html:
        big = html[-1]
        prof = profile(Path(big["inputs"]["dir"]), ["check", big["inputs"]["dir"], "--format", "json", "-j", "1"],
                       big["n"])

    # ------------------------------------------------------------------ report
    say("")
    say(f"results: CPU seconds (user + sys of every process of the measurement), J = {args.jobs} worker processes "
        "for floor and check, naive in 1 process; wall seconds beside")
    for line in table(results, args.jobs):
        say(line)
    for r in results:
        if "extrapolated_cpu" in r["naive"]:
            say(f"~ {r['format']} N={r['n']}: naive extrapolated from {r['naive']['sampled']} reports "
                f"(an even sample): import + loop × {r['n']}/{r['naive']['sampled']}")
    say("floor: parse + every cell's text (HTML lxml, DOCX lxml on word/document.xml, PDF pypdfium2's characters); "
        "peak MB: max RSS of the largest single process of `validator check` (main or a worker; "
        f"{results[0]['check']['maxrss_source']}); tree MB: peak total PSS of the main process and its workers "
        "(sampled every 0.05 s)")
    say("")
    say("wall seconds (noisy when other processes share the CPUs)")
    for r in results:
        say(f"  {r['format']:>5} N={r['n']:<6} floor {fmt_s(r['floor']['wall']):>7}  check {fmt_s(r['check']['wall']):>7}"
            f"  naive {fmt_s(naive_wall(r)):>7}  check/floor {r['check']['wall'] / r['floor']['wall']:.1f}×"
            f"  (load before check {r['check']['loadavg_before']})")
    for r in results:
        if r["pages"]:
            say(f"  {r['format']} per page: floor {r['floor']['cpu'] / r['pages'] * 1000:.0f} ms cpu, "
                f"check {r['check']['cpu'] / r['pages'] * 1000:.0f} ms cpu ({r['pages']} pages)")
    say("")
    say("memory: peak of the largest batch against the smallest, per format: the largest single process "
        "(max RSS); the whole tree, main process and workers (PSS sum; then with the libraries' file pages "
        "counted in full, once)")
    for fmt in args.formats:
        rs = [r for r in results if r["format"] == fmt]
        if len(rs) >= 2:
            a, b = rs[0]["check"], rs[-1]["check"]

            def ratio(k: str) -> float:
                return (b.get(k) or 0) / (a.get(k) or 1)

            say(f"  {fmt}: N={rs[0]['n']} {a['maxrss_mb']:.0f} MB (tree {a['tree_mb'] or 0:.0f}, "
                f"{a.get('tree_pages_mb') or 0:.0f}) → N={rs[-1]['n']} {b['maxrss_mb']:.0f} MB "
                f"(tree {b['tree_mb'] or 0:.0f}, {b.get('tree_pages_mb') or 0:.0f}): {ratio('maxrss_mb'):.2f}× "
                f"(tree {ratio('tree_mb'):.2f}×, {ratio('tree_pages_mb'):.2f}×)")
    say("")
    say("verdicts (generated: as intended; real: as when the file is checked alone)")
    for r in results:
        ck, nv = r["check"], r["naive"]
        say(f"  {r['format']} N={r['n']}: check exit {ck['exit']} (expected {ck['expected_exit']}), "
            f"{ck['verdicts_as_expected']}/{r['n']} file verdicts as expected"
            + (f"; wrong: {', '.join(ck['verdicts_wrong'][:5])}" if ck["verdicts_wrong"] else "")
            + (f"; naive {nv.get('verdicts_as_expected')}/{nv['sampled']} as expected" if "verdicts_as_expected" in nv
               else "; naive failed: " + nv["stderr_tail"][-300:]))
        if ck["stderr_tail"] and ck["exit"] != ck["expected_exit"]:
            say("    stderr: " + ck["stderr_tail"][-500:])
    lin = []
    for fmt in args.formats:
        rs = [r for r in results if r["format"] == fmt]
        if len(rs) >= 2:
            per = [r["check"]["cpu"] / r["n"] for r in rs]
            marg = [(b["check"]["cpu"] - a["check"]["cpu"]) / (b["n"] - a["n"]) for a, b in zip(rs, rs[1:])]
            lin.append({"format": fmt, "per_report_cpu": per, "marginal_cpu": marg})
            say(f"  {fmt} check cpu per report: " + "  ".join(f"N={r['n']}: {p * 1000:.1f} ms" for r, p in zip(rs, per))
                + "   marginal " + "  ".join(f"{a['n']}→{b['n']}: {m * 1000:.1f} ms" for a, b, m in zip(rs, rs[1:], marg)))
    if up:
        say("")
        say(f"start-up of one report (median of {args.startup_runs} runs, wall seconds; cpu seconds)")
        for name, v in up.items():
            say(f"  {name:<52} {v['median_wall']:>6.2f} s  cpu {v['median_cpu']:>5.2f} s  "
                f"{v['ratio_to_import']:>5.2f}x the import  (cpu {v['cpu_ratio_to_import']:.2f}x)  "
                f"{v['maxrss_mb']:.0f} MB  exit {v['exit']}")
    if prof:
        say("")
        say(f"profile of `validator check -j 1` on the HTML batch N={prof['n']} ({prof['wall']:.1f} s wall under "
            f"cProfile, {prof['profiled_seconds']:.1f} s profiled; cumulative, stages overlap: "
            "read ⊂ load_reports ⊂ check_paths)")
        for st in prof["stages"]:
            say(f"  {st['stage']:<48} {st['seconds']:>8.2f} s {st['share'] * 100:>5.1f} %  ({st['calls']} calls)")
        say("  top functions by own time:")
        for t in prof["top_tottime"][:15]:
            say(f"    {t['tottime']:>7.2f} s own {t['cumtime']:>7.2f} s cum {t['calls']:>9}  {t['function']}")
        say(f"  full profile: {prof['file']} (python -m pstats)")

    total = time.perf_counter() - t_start
    say("")
    say(f"benchmark took {total:.0f} s; load average now {loadavg()}")
    out = {"machine": mach, "params": {"sizes": args.sizes, "jobs": args.jobs, "formats": args.formats,
                                       "pdf_files": args.pdf_files, "error_rate": args.error_rate, "seed": args.seed,
                                       "naive_limit": args.naive_limit, "startup_runs": args.startup_runs},
           "results": results, "linearity": lin, "startup": up, "profile": prof, "seconds": round(total, 1),
           "loadavg_end": loadavg(), "table": table(results, args.jobs)}
    (BUILD / "results.json").write_text(json.dumps(out, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    say(f"results written to {(BUILD / 'results.json').relative_to(ROOT)}")
    bad = [(r["format"], r["n"]) for r in results
           if r["check"]["exit"] != r["check"]["expected_exit"] or r["check"]["verdicts_wrong"]]
    if bad:
        say(f"WARNING: validator check did not give the expected verdicts for {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
