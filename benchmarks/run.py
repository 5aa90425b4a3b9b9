#!/usr/bin/env python
"""Benchmark of ``validator check`` on large batches (issue 8).

    python benchmarks/run.py [--sizes 100 1000 10000] [--jobs N] [--formats html docx text]

For each size N: builds (once, cached in benchmarks/_build/corpus-N) a mixed corpus of N
reports made from the real ones (see bench_corpus.py), then measures, each in its own
subprocess (wall time, CPU time, peak memory):

  (a) floor  parse-only with the parser libraries alone, on J worker processes
             (bench_floor.py: lxml.html, python-docx, reading the text files);
  (b) check  ``validator check DIR --format json -j J`` (exit code and every file's
             verdict compared with what the corpus builder intended);
  (c) naive  one report at a time in one process: readers.read + extract, a pandas
             DataFrame, a pandera schema per report (bench_naive.py); sampled on the first
             --naive-limit reports and extrapolated beyond that (marked ~).

then the start-up of a single report (median of 5 runs) against ``import pandas, pandera``.
Prints the machine, a table and a linearity check; writes benchmarks/_build/results.json.
``--profile`` also runs ``validator check -j 1`` under cProfile on the largest corpus and
prints where the time goes.
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
                                                  "numpy")}}


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


def _mem(pid: int) -> int:
    """Proportional set size of a process (shared pages split among the processes that
    share them, so forked workers are not counted twice); its RSS without smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants (Linux /proc): the sum of their PSS."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _mem(p)
        todo.extend(_children(p))
    return total


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def measured(cmd: list[str], stdout: Path | None = None, *, sample: bool = True) -> dict:
    """Run cmd in its own process; its wall and CPU time, exit code and peak memory.

    ``maxrss_mb``: the peak resident memory of the largest single process of cmd's tree
    (the main process or one worker), from ``/usr/bin/time -f %M`` (GNU time forks the
    command from its own small process, so the figure is not inflated by this script's
    memory as ru_maxrss of a direct child would be); without /usr/bin/time, ru_maxrss
    from wait4. ``tree_mb``: the largest sum of the resident memory of the process and
    its workers (PSS: pages shared after fork counted once), sampled every 0.1 s.
    """
    err = tempfile.TemporaryFile()
    out = open(stdout, "wb") if stdout else open(os.devnull, "wb")
    stats = tempfile.NamedTemporaryFile(prefix="bench-time-", delete=False) if TIME else None
    full = [TIME, "-f", "%M %U %S", "-o", stats.name, *cmd] if stats else cmd
    load0 = loadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(full, stdout=out, stderr=err, cwd=ROOT)
    peak, done = [0], threading.Event()

    def sampler():
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

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
            "loadavg_before": load0, "stderr_tail": stderr[-2000:] if stderr.strip() else ""}


def validator_exe() -> str:
    near = Path(sys.executable).with_name("validator")
    return str(near) if near.exists() else (shutil.which("validator") or "validator")


# ---------------------------------------------------------------------- one size


def run_size(n: int, args, exe: str) -> dict:
    t0 = time.perf_counter()
    corpus, meta, reused = bc.cached(n, args.formats, error_rate=args.error_rate, seed=args.seed, jobs=args.jobs,
                                     say=say)
    built = time.perf_counter() - t0
    say(f"N={n}: corpus {corpus.relative_to(ROOT)} "
        + ("(cached)" if reused else f"built in {built:.1f} s")
        + f": {meta['counts']}, {meta['injected']} with one wrong cell, {meta['bytes'] / 2 ** 20:.1f} MB")
    expected = {s["name"]: s["expected"] for s in bc.load_reports(corpus)}
    res: dict = {"n": n, "corpus": {**meta, "dir": str(corpus), "reused": reused, "build_wall": round(built, 2)}}

    say("  (a) floor: parse only ...")
    fl = measured([sys.executable, str(HERE / "bench_floor.py"), str(corpus), "-j", str(args.jobs)],
                  BUILD / f"floor-{n}.json")
    fl["inner"] = json.loads((BUILD / f"floor-{n}.json").read_text() or "{}") if fl["exit"] == 0 else None
    res["floor"] = fl

    say("  (b) validator check ...")
    out = BUILD / f"check-{n}.json"
    ck = measured([exe, "check", str(corpus), "--format", "json", "-j", str(args.jobs)], out)
    ck["expected_exit"] = meta["expected_exit"]
    try:
        files = json.loads(out.read_text(encoding="utf-8"))["files"]
        got = {Path(f["path"]).name: f["status"] for f in files}
    except (OSError, ValueError, KeyError):
        got = {}
    wrong = sorted(k for k in expected if got.get(k) != expected[k])
    ck["verdicts_as_expected"] = len(expected) - len(wrong)
    ck["verdicts_wrong"] = wrong[:20]
    res["check"] = ck

    if args.naive_limit == 0 or args.naive_limit >= n:
        k = n
    else:
        k = args.naive_limit
    say(f"  (c) naive pandas + pandera{'' if k == n else f' (first {k} reports)'} ...")
    nv = measured([sys.executable, str(HERE / "bench_naive.py"), str(corpus), "--limit", str(k)],
                  BUILD / f"naive-{n}.json")
    inner = json.loads((BUILD / f"naive-{n}.json").read_text() or "{}") if nv["exit"] == 0 else {}
    nv["inner"] = {k2: v for k2, v in inner.items() if k2 not in ("failed", "unreadable")}
    nv["sampled"] = k
    if inner and k < n:
        nv["extrapolated_wall"] = round(nv["wall"] - inner["loop_seconds"] + inner["loop_seconds"] * n / k, 2)
        nv["extrapolated_cpu"] = round(nv["cpu"] - inner["loop_seconds"] + inner["loop_seconds"] * n / k, 2)
    sample = sorted(expected)[:k]
    if inner:
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark validator check on large batches (issue 8).")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="corpus sizes (default: 100 1000)")
    ap.add_argument("--jobs", "-j", type=int, default=min(os.cpu_count() or 1, 8),
                    help="worker processes for (a) and (b) (default: all cores, at most 8, as validator does)")
    ap.add_argument("--formats", nargs="+", choices=["html", "docx", "text"], default=["html", "docx", "text"],
                    help="formats in the corpus (mixed 60/20/20 html/docx/text, renormalised over those given)")
    ap.add_argument("--error-rate", type=float, default=bc.ERROR_RATE,
                    help="fraction of reports given exactly one wrong cell (default 0.1)")
    ap.add_argument("--seed", type=int, default=bc.SEED_NUMBER, help="random seed of the corpus")
    ap.add_argument("--naive-limit", type=int, default=1000,
                    help="run the naive baseline on at most this many reports and extrapolate (0: all)")
    ap.add_argument("--startup-runs", type=int, default=5, help="runs of each start-up case (median)")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    ap.add_argument("--profile", action="store_true",
                    help="also profile validator check -j 1 under cProfile on the largest corpus")
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
        + " ".join(map(str, args.sizes)))
    say("")

    results = []
    for n in args.sizes:
        results.append(run_size(n, args, exe))
    up = None
    if not args.no_startup:
        say(f"start-up: {args.startup_runs} runs of each case ...")
        up = startup(exe, args.startup_runs)
    prof = None
    if args.profile:
        big = results[-1]
        prof = profile(Path(big["corpus"]["dir"]), ["check", big["corpus"]["dir"], "--format", "json", "-j", "1"],
                       big["n"])

    # ------------------------------------------------------------------ report
    say("")
    say(f"results (wall seconds; J = {args.jobs} worker processes for floor and check; naive in 1 process)")
    head = (f"{'N':>7} {'floor s':>9} {'check s':>9} {'naive s':>9} {'check/floor':>12} {'naive/check':>12}"
            f" {'reports/s':>10} {'peak MB':>8} {'tree MB':>8} {'exit':>5}")
    say(head)
    say("-" * len(head))
    notes = []
    for r in results:
        n, fl, ck, nv = r["n"], r["floor"]["wall"], r["check"]["wall"], naive_wall(r)
        mark = "~" if "extrapolated_wall" in r["naive"] else " "
        if mark == "~":
            notes.append(f"~ N={n}: naive extrapolated from the first {r['naive']['sampled']} reports "
                         f"({r['naive']['wall']:.1f} s measured): import + loop × {n}/{r['naive']['sampled']}")
        ok = "ok" if r["check"]["exit"] == r["check"]["expected_exit"] else "WRONG"
        say(f"{n:>7} {fmt_s(fl):>9} {fmt_s(ck):>9} {mark}{fmt_s(nv):>8} {ck / fl:>11.1f}x {nv / ck:>11.1f}x"
            f" {n / ck:>10.1f} {r['check']['maxrss_mb']:>8.0f} {r['check']['tree_mb'] or 0:>8.0f}"
            f" {r['check']['exit']:>2} {ok}")
    for line in notes:
        say(line)
    say("peak MB: max RSS of the largest single process of `validator check` (main or a worker; "
        f"{results[0]['check']['maxrss_source']}); tree MB: peak total PSS of the main "
        "process and its workers (shared pages counted once; sampled every 0.1 s)")
    say("")
    say("CPU seconds (user + sys, all processes of the measurement; less sensitive to other load than wall time)")
    say(f"{'N':>7} {'floor cpu':>10} {'check cpu':>10} {'naive cpu':>10} {'check/floor':>12} {'naive/check':>12}")
    for r in results:
        fc, cc, nc = r["floor"]["cpu"], r["check"]["cpu"], naive_cpu(r)
        mark = "~" if "extrapolated_cpu" in r["naive"] else " "
        say(f"{r['n']:>7} {fmt_s(fc):>10} {fmt_s(cc):>10} {mark}{fmt_s(nc):>9} {cc / fc:>11.1f}x {nc / cc:>11.1f}x")
    say("")
    say("verdicts")
    for r in results:
        ck, nv = r["check"], r["naive"]
        say(f"  N={r['n']}: check exit {ck['exit']} (expected {ck['expected_exit']}), "
            f"{ck['verdicts_as_expected']}/{r['n']} file verdicts as intended"
            + (f"; wrong: {', '.join(ck['verdicts_wrong'][:5])}" if ck["verdicts_wrong"] else "")
            + (f"; naive {nv.get('verdicts_as_expected')}/{nv['sampled']} as intended" if "verdicts_as_expected" in nv
               else "; naive failed: " + nv["stderr_tail"][-300:]))
        if ck["stderr_tail"] and ck["exit"] != ck["expected_exit"]:
            say("    stderr: " + ck["stderr_tail"][-500:])
    say("")
    say("linearity: seconds per report (wall), and the marginal cost per report between sizes")
    lin = []
    for name, get in (("floor", lambda r: r["floor"]["wall"]), ("check", lambda r: r["check"]["wall"]),
                      ("naive", naive_wall)):
        per = [get(r) / r["n"] for r in results]
        marg = [(get(b) - get(a)) / (b["n"] - a["n"]) for a, b in zip(results, results[1:])]
        lin.append({"measure": name, "per_report": per, "marginal": marg})
        say(f"  {name:>5}: " + "  ".join(f"N={r['n']}: {p * 1000:.1f} ms" for r, p in zip(results, per))
            + ("   marginal " + "  ".join(f"{a['n']}→{b['n']}: {m * 1000:.1f} ms" for a, b, m in
                                          zip(results, results[1:], marg)) if marg else ""))
    ck_marg = lin[1]["marginal"]
    if len(ck_marg) >= 2:
        ratio = ck_marg[-1] / ck_marg[0] if ck_marg[0] > 0 else float("inf")
        verdict = "linear" if 0.75 <= ratio <= 1.33 else ("super-linear" if ratio > 1.33 else "sub-linear")
        say(f"  check: marginal cost per report changes by {ratio:.2f}x from the first to the last step "
            f"→ {verdict} in N")
    elif len(ck_marg) == 1:
        r0 = results[0]
        fixed = r0["check"]["wall"] - ck_marg[0] * r0["n"]
        say(f"  check: two sizes fit t ≈ {fixed:.2f} s + {ck_marg[0] * 1000:.1f} ms × N "
            "(add a third size, e.g. --sizes 100 1000 10000, to test linearity)")
    if up:
        say("")
        say(f"start-up of one report (median of {args.startup_runs} runs, wall seconds; cpu seconds)")
        for name, v in up.items():
            say(f"  {name:<52} {v['median_wall']:>6.2f} s  cpu {v['median_cpu']:>5.2f} s  "
                f"{v['ratio_to_import']:>5.2f}x the import  (cpu {v['cpu_ratio_to_import']:.2f}x)  "
                f"{v['maxrss_mb']:.0f} MB  exit {v['exit']}")
    if prof:
        say("")
        say(f"profile of `validator check -j 1` on N={prof['n']} ({prof['wall']:.1f} s wall under cProfile, "
            f"{prof['profiled_seconds']:.1f} s profiled; cumulative, stages overlap: "
            "read ⊂ load_reports ⊂ check_paths)")
        for s in prof["stages"]:
            say(f"  {s['stage']:<48} {s['seconds']:>8.2f} s {s['share'] * 100:>5.1f} %  ({s['calls']} calls)")
        say("  top functions by own time:")
        for t in prof["top_tottime"][:15]:
            say(f"    {t['tottime']:>7.2f} s own {t['cumtime']:>7.2f} s cum {t['calls']:>9}  {t['function']}")
        say(f"  full profile: {prof['file']} (python -m pstats)")

    total = time.perf_counter() - t_start
    say("")
    say(f"benchmark took {total:.0f} s; load average now {loadavg()}")
    out = {"machine": mach, "params": {"sizes": args.sizes, "jobs": args.jobs, "formats": args.formats,
                                       "error_rate": args.error_rate, "seed": args.seed,
                                       "naive_limit": args.naive_limit, "startup_runs": args.startup_runs},
           "sizes": results, "linearity": lin, "startup": up, "profile": prof, "seconds": round(total, 1),
           "loadavg_end": loadavg()}
    (BUILD / "results.json").write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    say(f"results written to {(BUILD / 'results.json').relative_to(ROOT)}")
    bad = [r["n"] for r in results if r["check"]["exit"] != r["check"]["expected_exit"] or r["check"]["verdicts_wrong"]]
    if bad:
        say(f"WARNING: validator check did not give the intended verdicts for N={bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
