"""The benchmark corpus (issue 8): N synthetic reports made from the real ones.

Every report is one of the real layouts with different, consistent numbers:

* ``html``: the seed report (``samples/taiqian_2020.txt``, 台前县 2020, 2019 trial format)
  as an official web page, built by ``tests/fixtures/make_seed_html.py`` (GBK, merged
  header cells, layout table, navigation …);
* ``text``: the seed itself, tab-separated as copied from the page;
* ``docx``: the blank 2021 WPS template (``../shared/corpus/blank_2021_template.wps.docx``,
  only read, never copied into the repository) filled by ``tests/fixtures/docx_fill.py``,
  with a title and a short narrative written into its placeholder paragraphs. To build
  thousands quickly the template is filled once with a marker in every value cell and
  placeholder, and each report substitutes its numbers and text for the markers in
  ``word/document.xml`` (the same XML the filler would write, ~7 ms instead of ~150 ms).

Numbers: 表三 is generated per applicant column (results spread over the result rows,
（七）总计 their sum, 一 + 二 = （七） + 四, the 总计 column the row sums), 表四 totals are
the sums of their rows, 表二 keeps 本年新公开 ≤ 对外公开总数量. Each issuing body has a
series of consecutive years (2019–2020 for the 2019 format, 2021–2025 for the 2021
format) that also agree across years (上年结转 = last year's 结转下年度, 表二 项目数量 and
现行有效件数 carried over), so the cross-year rules hold too. The narrative restates the
numbers it mentions (本年新收, 办结, 复议, 诉讼 …). A known fraction of reports
(``error_rate``) gets exactly one wrong cell (表三 result rows or 表四, never the rows
that link two years, so that no other report is affected): those, and only those, must
fail.

``build(out_dir, n, …)`` writes the files into ``out_dir`` and, beside it,
``<out_dir>.manifest.json`` (the parameters) and ``<out_dir>.reports.jsonl`` (one line
per file: format, body, year, the numbers as written, the injected error, the expected
status). ``cached(n, …)`` reuses ``benchmarks/_build/corpus-<n>`` when it was built with
the same parameters.
"""
from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEED = ROOT / "samples" / "taiqian_2020.txt"
TEMPLATE = ROOT.parent / "shared" / "corpus" / "blank_2021_template.wps.docx"
BUILD = HERE / "_build"

GENERATOR_VERSION = 4  # bump whenever the output changes: cached corpora are rebuilt
MIX = {"html": 0.6, "docx": 0.2, "text": 0.2}
ERROR_RATE = 0.1
SEED_NUMBER = 8  # the issue number; any integer gives another (reproducible) corpus
EXT = {"html": ".html", "docx": ".docx", "text": ".txt"}

if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))

import make_seed_html as _msh  # noqa: E402  (tests/fixtures)

# ----------------------------------------------------------------- canonical codes

T3_COLS = ["natural_person", "commercial", "research", "public_interest", "legal_services", "other_org"]
_WITHHELD = ["state_secret", "prohibited_by_law", "three_safety", "third_party", "internal_affairs",
             "process_info", "enforcement_file", "inquiry"]
_UNABLE = ["not_held", "needs_creation", "unclear"]
_NOT_PROCESSED = ["complaint", "repeated", "publication", "excessive", "confirmation"]
_COMMON = (["new", "carried_over", "results.granted", "results.partial"]
           + [f"results.withheld.{c}" for c in _WITHHELD] + [f"results.unable.{c}" for c in _UNABLE]
           + [f"results.not_processed.{c}" for c in _NOT_PROCESSED])
T3_ROWS = {
    "2019": _COMMON + ["results.other", "results.total", "carried_forward"],
    "2021": _COMMON + ["results.other.no_correction", "results.other.fee_unpaid", "results.other.other",
                       "results.total", "carried_forward"],
}
T4_ROWS = ["review", "suit_direct", "suit_after_review"]
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]
# 表二: row code -> (label in the seed / the WPS template, columns)
T2 = {
    "2019": {
        "regulations": ("规章", ["made", "published", "total_published"]),
        "normative": ("规范性文件", ["made", "published", "total_published"]),
        "licensing": ("行政许可", ["items_prev", "items_change", "decisions"]),
        "other_services": ("其他对外管理服务事项", ["items_prev", "items_change", "decisions"]),
        "penalty": ("行政处罚", ["items_prev", "items_change", "decisions"]),
        "coercion": ("行政强制", ["items_prev", "items_change", "decisions"]),
        "fees": ("行政事业性收费", ["items_prev", "items_change"]),
        "procurement": ("政府集中采购", ["procurement_items", "procurement_amount"]),
    },
    "2021": {
        "regulations": ("规章", ["issued", "repealed", "in_force"]),
        "normative": ("行政规范性文件", ["issued", "repealed", "in_force"]),
        "licensing": ("行政许可", ["decisions"]),
        "penalty": ("行政处罚", ["decisions"]),
        "coercion": ("行政强制", ["decisions"]),
        "fees": ("行政事业性收费", ["fee_amount"]),
    },
}
MONEY = {"procurement_amount", "fee_amount"}
YEARS = {"2019": [2019, 2020], "2021": [2021, 2022, 2023, 2024, 2025]}
VERSION_OF = {"html": "2019", "text": "2019", "docx": "2021"}

# Result rows weighted roughly as in real reports (most requests are answered).
_RESULT_WEIGHT = {"results.granted": 40, "results.partial": 8, "results.unable.not_held": 15,
                  "results.not_processed.repeated": 3, "results.not_processed.complaint": 3,
                  "results.other": 5, "results.other.other": 5}

_PLACE_CHARS = "安宁平和兴东西南阳山河江湖清源泉丰华长永福宝德昌盛嘉定远广庆云川林城桥岭溪海沙石"
_KINDS = ["县", "区", "市"]


def place_of(body_index: int) -> tuple[str, str]:
    """A unique three-character place name and its kind for a body number.

    Always three characters: validator pairs the years of one body by name, one name
    ending with the other (淮安市洪泽区 / 洪泽区), so no name may be the tail of another."""
    k = len(_PLACE_CHARS)
    n = (body_index * 7919 + 1234) % k ** 3  # a bijection on 0..k³-1 that mixes the characters
    name = _PLACE_CHARS[n % k] + _PLACE_CHARS[(n // k) % k] + _PLACE_CHARS[(n // (k * k)) % k]
    return name, _KINDS[body_index % 3]


# ------------------------------------------------------------------------- numbers


def _t3(rng: random.Random, version: str, carried_over: dict[str, int] | None) -> dict:
    rows = T3_ROWS[version]
    leaves = [r for r in rows if r.startswith("results.") and r != "results.total"]
    weights = [_RESULT_WEIGHT.get(r, 1) for r in leaves]
    scale = rng.choice([0, 2, 5, 10, 30, 80, 300, 1200])
    t3 = {r: {} for r in rows}
    for i, col in enumerate(T3_COLS):
        share = 1.0 if i == 0 else rng.choice([0, 0, 0.02, 0.05, 0.15])
        volume = round(scale * share * rng.uniform(0.5, 1.5))
        counts = dict.fromkeys(leaves, 0)
        for r in rng.choices(leaves, weights, k=volume):
            counts[r] += 1
        done = sum(counts.values())
        forward = rng.randint(0, max(0, volume // 8))
        back = carried_over[col] if carried_over is not None else rng.randint(0, max(0, volume // 8))
        new = done + forward - back
        if new < 0:  # more carried over than handled: those were answered this year
            counts["results.granted"] -= new
            done -= new
            new = 0
        for r in leaves:
            t3[r][col] = counts[r]
        t3["results.total"][col] = done
        t3["new"][col] = new
        t3["carried_over"][col] = back
        t3["carried_forward"][col] = forward
    for r in rows:
        t3[r]["total"] = sum(t3[r][c] for c in T3_COLS)
    return t3


def _t4(rng: random.Random, busy: int) -> dict:
    t4 = {}
    for r in T4_ROWS:
        top = rng.choice([0, 0, 1, 3, 10]) if busy else rng.choice([0, 0, 0, 1])
        vals = [rng.randint(0, top) for _ in range(4)]
        t4[r] = dict(zip(T4_COLS, vals + [sum(vals)]))
    return t4


def _t2(rng: random.Random, version: str, prev: dict | None) -> dict:
    t2: dict[str, dict] = {}
    for code, (_, cols) in T2[version].items():
        row: dict = {}
        p = (prev or {}).get(code, {})
        if "made" in cols:
            row["made"] = rng.randint(0, 12)
            row["published"] = rng.randint(0, row["made"])
            row["total_published"] = row["published"] + rng.randint(0, 150)
        if "items_prev" in cols:
            row["items_prev"] = p["items_prev"] + p["items_change"] if p else rng.randint(0, 3000)
            row["items_change"] = rng.randint(-min(5, row["items_prev"]), 20)
        if "decisions" in cols:
            row["decisions"] = rng.randint(0, 5000) if version == "2019" else rng.randint(0, 60000)
        if "procurement_items" in cols:
            row["procurement_items"] = rng.randint(0, 200)
            row["procurement_amount"] = round(rng.uniform(0, 50000), 2)
        if "issued" in cols:
            before = p["in_force"] if p else rng.randint(0, 120)
            row["issued"] = rng.randint(0, 12)
            row["repealed"] = rng.randint(0, min(5, before + row["issued"]))
            row["in_force"] = before + row["issued"] - row["repealed"]
        if "fee_amount" in cols:
            row["fee_amount"] = round(rng.uniform(0, 5000), 2)
        t2[code] = row
    return t2


def _series(rng: random.Random, version: str, years: list[int]) -> list[dict]:
    """The numbers of one body over consecutive years, consistent across them."""
    out, prev = [], None
    for _ in years:
        t3 = _t3(rng, version, None if prev is None else
                 {c: prev["t3"]["carried_forward"][c] for c in T3_COLS})
        nums = {"t2": _t2(rng, version, prev["t2"] if prev else None), "t3": t3,
                "t4": _t4(rng, t3["new"]["total"])}
        out.append(nums)
        prev = nums
    return out


def _inject(rng: random.Random, nums: dict, version: str) -> dict:
    """Make one cell wrong (in place); return what was changed."""
    roll = rng.random()
    if roll < 0.75:
        rows = [r for r in T3_ROWS[version] if r.startswith("results.") and r != "results.total"]
        table, row, col = "t3", rng.choice(rows), rng.choice(T3_COLS)
    elif roll < 0.85:
        table, row, col = "t3", rng.choice(["results.total", "new"]), rng.choice(T3_COLS + ["total"])
    else:
        table, row, col = "t4", rng.choice(T4_ROWS), rng.choice(T4_COLS)
    correct = nums[table][row][col]
    wrong = correct + rng.choice([1, 2, 3, 5, 10])
    nums[table][row][col] = wrong
    return {"table": table, "row": row, "column": col, "correct": correct, "written": wrong}


def counts(n: int, formats: list[str], mix: dict[str, float] = MIX) -> dict[str, int]:
    """How many reports of each format (largest remainder, exact total n)."""
    weights = {f: mix.get(f, 0.0) for f in formats}
    total = sum(weights.values()) or 1.0
    raw = {f: n * w / total for f, w in weights.items()}
    got = {f: math.floor(v) for f, v in raw.items()}
    for f in sorted(raw, key=lambda f: raw[f] - got[f], reverse=True)[: n - sum(got.values())]:
        got[f] += 1
    return got


def plan(n: int, formats: list[str], *, error_rate: float = ERROR_RATE, seed: int = SEED_NUMBER,
         mix: dict[str, float] = MIX) -> list[dict]:
    """The specification of every report: file name, format, body, year, numbers, error."""
    rng = random.Random(seed)
    want = counts(n, formats, mix)
    series: list[list[dict]] = []
    body = 0
    for version in ("2019", "2021"):
        fmts = [f for f in formats if VERSION_OF[f] == version for _ in range(want[f])]
        rng.shuffle(fmts)
        years = YEARS[version]
        for start in range(0, len(fmts), len(years)):
            chunk = fmts[start:start + len(years)]
            yrs = years[len(years) - len(chunk):]  # a short series ends with the latest year
            place, kind = place_of(body)
            s = []
            for fmt, year, nums in zip(chunk, yrs, _series(rng, version, yrs)):
                s.append({"format": fmt, "version": version, "year": year, "place": place, "kind": kind,
                          "body": f"{place}{kind}人民政府", "body_index": body, "numbers": nums})
            series.append(s)
            body += 1
    rng.shuffle(series)  # formats interleave, so the first k reports are a fair sample
    specs = [r for s in series for r in s]
    bad = set(rng.sample(range(len(specs)), round(len(specs) * error_rate))) if specs else set()
    for i, spec in enumerate(specs):
        spec["name"] = f"{i:05d}_b{spec['body_index']:05d}_{spec['year']}{EXT[spec['format']]}"
        spec["intended"] = json.loads(json.dumps(spec["numbers"]))  # the correct numbers (narrative)
        spec["injected"] = _inject(rng, spec["numbers"], spec["version"]) if i in bad else None
        spec["expected"] = "failed" if i in bad else "passed"
    return specs


# ------------------------------------------------------------------------- writers

_NUM = _msh._NUM


def _fmt(value, col: str, commas: bool) -> str:
    if col in MONEY:
        return f"{value:,.2f}" if commas else f"{value:.2f}"
    return f"{value:,}" if commas else str(value)


def _fill_seed_line(line: str, nums: dict, used: set[str]) -> str:
    cells = line.split("\t")
    idx = [i for i, c in enumerate(cells) if c.strip() and _NUM.fullmatch(c.strip())]
    labels = [c.strip() for c in cells if c.strip() and not _NUM.fullmatch(c.strip())]
    if not idx:
        return line
    values: list[str] | None = None
    if len(idx) == 15 and not labels:
        values = [str(nums["t4"][r][c]) for r in T4_ROWS for c in T4_COLS]
    else:
        label = labels[-1] if labels else ""
        for code, (lab, cols) in T2["2019"].items():
            if label == lab:
                values = [_fmt(nums["t2"][code][c], c, commas=True) for c in cols]
                break
        if values is None and len(idx) == 7:
            for (_, _, key), code in zip(_msh.TABLE3, T3_ROWS["2019"]):
                if key in label and code not in used:
                    used.add(code)
                    values = [str(nums["t3"][code][c]) for c in T3_COLS + ["total"]]
                    break
    if values is None or len(values) != len(idx):
        raise ValueError(f"seed line not understood: {line!r}")
    for i, v in zip(idx, values):
        cells[i] = v
    return "\t".join(cells)


def _narrative_2019(text: str, spec: dict) -> str:
    nums, rng = spec["intended"], random.Random(spec["name"])
    t3 = nums["t3"]
    parts = [rng.randint(100, 3000), rng.randint(100, 8000), rng.randint(0, 4000)]
    text = re.sub(r"新增主动公开政府信息\d+条。其中：(.*?)公开各类政府信息\d+条，(.*?)公开政府信息\d+条，(.*?)公开政府信息\d+条",
                  lambda m: (f"新增主动公开政府信息{sum(parts)}条。其中：{m[1]}公开各类政府信息{parts[0]}条，"
                             f"{m[2]}公开政府信息{parts[1]}条，{m[3]}公开政府信息{parts[2]}条"), text)
    text = text.replace("及时答复依申请公开4件", f"及时答复依申请公开{t3['results.total']['total']}件")
    text = text.replace("共受理政府信息公开申请4件", f"共受理政府信息公开申请{t3['new']['total']}件")
    text = text.replace("台前县", spec["place"] + spec["kind"]).replace("台前", spec["place"])
    return text.replace("2020年", f"{spec['year']}年")


def seed_text(spec: dict, seed: str) -> str:
    """The seed report with this spec's numbers, body and year (no title line)."""
    used: set[str] = set()
    lines = [(_fill_seed_line(ln, spec["numbers"], used) if "\t" in ln else ln) for ln in seed.splitlines()]
    if len(used) != len(T3_ROWS["2019"]):
        raise ValueError(f"seed 表三 rows not all found: {sorted(set(T3_ROWS['2019']) - used)}")
    return _narrative_2019("\n".join(lines), spec)


def title(spec: dict) -> str:
    return f"{spec['body']}{spec['year']}年政府信息公开工作年度报告"


def text_bytes(spec: dict, seed: str) -> bytes:
    return (title(spec) + "\n\n" + seed_text(spec, seed) + "\n").encode("utf-8")


def html_bytes(spec: dict, seed: str) -> bytes:
    page = _msh.build_html(seed_text(spec, seed))
    page = page.replace("台前县", spec["place"] + spec["kind"]).replace("台前", spec["place"])
    page = page.replace("2020年", f"{spec['year']}年").replace("2021-01-29", f"{spec['year'] + 1}-01-29")
    return page.encode("gbk", errors="xmlcharrefreplace")


def _docx_numbers(value) -> dict:
    """Numbers keyed like docx_fill.SHUYANG_2025 (the template's own labels);
    ``value(table, row, column)`` gives each cell's text."""
    import docx_fill

    t3_labels = list(docx_fill.SHUYANG_2025["t3"])
    assert len(t3_labels) == len(T3_ROWS["2021"])
    t2_labels = {lab: code for code, (lab, _) in T2["2021"].items()}
    assert set(t2_labels) == set(docx_fill.SHUYANG_2025["t2"])
    return {
        "t2": {lab: [value("t2", code, c) for c in T2["2021"][code][1]] for lab, code in t2_labels.items()},
        "t3": {lab: [value("t3", code, c) for c in T3_COLS + ["total"]]
               for lab, code in zip(t3_labels, T3_ROWS["2021"])},
        "t4": [value("t4", r, c) for r in T4_ROWS for c in T4_COLS],
    }


_MARK = re.compile(r"@@([^@<>]+)@@")
_PLACEHOLDERS = {"政府信息公开工作年度报告格式模板": ["title"], "（文字描述）": ["s1", "s5"],
                 "（文字描述，收取信息处理费情况在此处报告。）": ["s6"]}
_MASTERS: dict[str, tuple[list, bytes]] = {}


def _docx_master(template: Path) -> tuple[list, bytes]:
    """The template filled once by docx_fill.fill_template with a marker in every value cell
    (``@@t3|new|total@@``) and in the title and narrative placeholders (``@@title@@``):
    (the zip entries, word/document.xml). Each report is then a text substitution."""
    key = str(template)
    if key not in _MASTERS:
        import tempfile
        import zipfile

        import docx
        import docx_fill

        with tempfile.TemporaryDirectory() as tmp:
            filled = Path(tmp) / "master.docx"
            docx_fill.fill_template(template, filled, _docx_numbers(lambda t, r, c: f"@@{t}|{r}|{c}@@"))
            d = docx.Document(str(filled))
            todo = {k: list(v) for k, v in _PLACEHOLDERS.items()}
            for p in d.paragraphs:
                names = todo.get(p.text.strip())
                if not names:
                    continue
                runs = p.runs
                runs[0].text = f"@@{names.pop(0)}@@"
                for r in runs[1:]:
                    r._r.getparent().remove(r._r)
            if any(todo.values()):
                raise ValueError(f"template placeholders not found: {todo}")
            d.save(str(filled))
            with zipfile.ZipFile(filled) as z:
                entries = [(info, z.read(info)) for info in z.infolist()]
        xml = next(data for info, data in entries if info.filename == "word/document.xml")
        _MASTERS[key] = (entries, xml)
    return _MASTERS[key]


def write_docx(spec: dict, out: Path, template: Path = TEMPLATE) -> None:
    import zipfile
    from xml.sax.saxutils import escape

    entries, xml = _docx_master(template)
    t3, t4 = spec["intended"]["t3"], spec["intended"]["t4"]
    fee = t3["results.other.fee_unpaid"]["total"]
    texts = {
        "title": title(spec),
        "s1": (f"{spec['year']}年，{spec['body']}认真贯彻落实《中华人民共和国政府信息公开条例》，"
               f"本年新收政府信息公开申请{t3['new']['total']}件，上年结转{t3['carried_over']['total']}件，"
               f"办结{t3['results.total']['total']}件，结转下年度继续办理{t3['carried_forward']['total']}件。"
               f"全年发生政府信息公开行政复议{t4['review']['total']}件，政府信息公开行政诉讼"
               f"{t4['suit_direct']['total'] + t4['suit_after_review']['total']}件。"),
        "s5": "一是部分单位主动公开的及时性有待提高；二是政策解读形式较为单一。下一步将加强培训，规范公开流程，丰富解读形式。",
        # Not "…，无其他需要报告的事项。": extract.py takes a short line ending with those words
        # for the 六 heading itself, and the section then reads as empty (S004 fires).
        "s6": f"本年度{'依法收取信息处理费，收费标准和金额已在本机关网站公布' if fee else '未收取信息处理费'}。",
    }
    nums = spec["numbers"]

    def sub(m: re.Match) -> str:
        key = m[1]
        if key in texts:
            return escape(texts[key])
        table, row, col = key.split("|")
        return _fmt(nums[table][row][col], col, commas=False)

    body = _MARK.sub(sub, xml.decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(out, "w") as z:
        for info, data in entries:
            z.writestr(info, body if info.filename == "word/document.xml" else data)


def write_one(spec: dict, out_dir: Path, seed: str, template: Path = TEMPLATE) -> None:
    path = out_dir / spec["name"]
    if spec["format"] == "html":
        path.write_bytes(html_bytes(spec, seed))
    elif spec["format"] == "text":
        path.write_bytes(text_bytes(spec, seed))
    else:
        write_docx(spec, path, template)


def _write_chunk(args) -> int:
    specs, out_dir, template = args
    seed = SEED.read_text(encoding="utf-8")
    for spec in specs:
        write_one(spec, Path(out_dir), seed, Path(template))
    return len(specs)


# --------------------------------------------------------------------------- build


def available_formats(formats: list[str], template: Path = TEMPLATE, say=print) -> list[str]:
    """The requested formats that can be built: DOCX needs the WPS template of the corpus."""
    if "docx" in formats and not template.exists():
        say(f"DOCX skipped: the blank WPS template {template} is absent (the real-report corpus lives in "
            f"../shared/corpus beside the project); building {', '.join(f for f in formats if f != 'docx')} only")
        return [f for f in formats if f != "docx"]
    return list(formats)


def manifest_paths(out_dir: Path) -> tuple[Path, Path]:
    return out_dir.with_name(out_dir.name + ".manifest.json"), out_dir.with_name(out_dir.name + ".reports.jsonl")


def build(out_dir: Path, n: int, formats: list[str] = ("html", "docx", "text"), *, error_rate: float = ERROR_RATE,
          seed: int = SEED_NUMBER, mix: dict[str, float] = MIX, jobs: int = 1, template: Path = TEMPLATE,
          say=print) -> dict:
    """Write n reports into out_dir (replaced), and the manifest beside it. Returns the manifest."""
    formats = available_formats(list(formats), template, say)
    if not formats:
        raise SystemExit("no format left to build")
    t0 = time.perf_counter()
    if "docx" in formats:
        _docx_master(template)  # once, before the workers fork
    specs = plan(n, formats, error_rate=error_rate, seed=seed, mix=mix)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    size = max(1, min(64, len(specs) // max(1, jobs * 4)))
    chunks = [(specs[i:i + size], str(tmp), str(template)) for i in range(0, len(specs), size)]
    if jobs > 1 and len(chunks) > 1:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with ctx.Pool(jobs) as pool:
            for _ in pool.imap_unordered(_write_chunk, chunks):
                pass
    else:
        for c in chunks:
            _write_chunk(c)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    manifest = {"generator": GENERATOR_VERSION, "n": n, "formats": formats, "mix": mix, "error_rate": error_rate,
                "seed": seed, "template": str(template) if "docx" in formats else None,
                "counts": {f: sum(s["format"] == f for s in specs) for f in formats},
                "injected": sum(s["injected"] is not None for s in specs),
                "expected_exit": 1 if any(s["injected"] for s in specs) else 0,
                "bytes": sum((out_dir / s["name"]).stat().st_size for s in specs),
                "build_seconds": round(time.perf_counter() - t0, 3)}
    meta_path, reports_path = manifest_paths(out_dir)
    with open(reports_path, "w", encoding="utf-8") as fh:
        for s in specs:
            fh.write(json.dumps({k: s[k] for k in ("name", "format", "version", "body", "year", "numbers",
                                                   "injected", "expected")}, ensure_ascii=False) + "\n")
    meta_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def cached(n: int, formats: list[str], *, error_rate: float = ERROR_RATE, seed: int = SEED_NUMBER,
           mix: dict[str, float] = MIX, jobs: int = 1, build_dir: Path = BUILD, say=print) -> tuple[Path, dict, bool]:
    """The corpus of size n in build_dir (built once, reused while the parameters match).
    Returns (directory, manifest, reused)."""
    formats = available_formats(list(formats), TEMPLATE, say)
    out_dir = build_dir / f"corpus-{'+'.join(formats)}-{n}"
    meta_path, reports_path = manifest_paths(out_dir)
    if meta_path.exists() and reports_path.exists() and out_dir.is_dir():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except ValueError:
            meta = {}
        same = (meta.get("generator") == GENERATOR_VERSION and meta.get("n") == n and meta.get("formats") == formats
                and meta.get("mix") == mix and meta.get("error_rate") == error_rate and meta.get("seed") == seed)
        if same and sum(1 for p in out_dir.iterdir() if p.is_file()) == n:
            return out_dir, meta, True
    return out_dir, build(out_dir, n, formats, error_rate=error_rate, seed=seed, mix=mix, jobs=jobs,
                          say=lambda m: None), False


def load_reports(out_dir: Path) -> list[dict]:
    _, reports_path = manifest_paths(out_dir)
    with open(reports_path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def read_back(path: Path) -> dict:
    """The numbers validator reads from a generated file: {table: {row: {column: value}}}."""
    from validator.extract import extract
    from validator.readers import read

    out: dict = {}
    for c in extract(read(path)).cells:
        out.setdefault(c.table, {}).setdefault(c.row, {})[c.column] = c.value
    return out


def mismatches(spec: dict, got: dict) -> list[str]:
    """Cells whose read-back value differs from the number written."""
    bad = []
    for table, rows in spec["numbers"].items():
        for row, cols in rows.items():
            for col, want in cols.items():
                have = got.get(table, {}).get(row, {}).get(col)
                if have is None or abs(have - want) > 1e-6:
                    bad.append(f"{table}.{row}.{col}: wrote {want}, read {have}")
    return bad


if __name__ == "__main__":  # python benchmarks/bench_corpus.py N [DIR]
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else BUILD / f"corpus-{n}"
    print(json.dumps(build(target, n, jobs=os.cpu_count() or 1), ensure_ascii=False, indent=2))
