"""One self-contained HTML page (``--format html --output report.html``) for the people who
write and review the reports, from one file to batches of hundreds.

The page has no external resource of any kind (inline CSS and a few lines of inline
JavaScript, both fixed, so that ``validator serve`` allows them by hash; system fonts): it
can be mailed, archived or opened offline. It shows

* a summary of the batch: per rule (files it fails, errors, warnings) and per file, and a
  filter by rule and severity;
* the failing files first, each with its findings and its 表二 / 表三 / 表四 in the
  official layout of the report's template version (rows, columns and labels from
  :data:`validator.template.TEMPLATE`), filled with the report's own cells; the cells used
  by a failing rule are marked (error red, warning amber), the subject cell of a finding is
  emphasised, and the value the rules expect there (``expected``, the ``implied`` value of
  a blank, the fix's ``suggested`` value) is written on the cell;
* then the unreadable files, then the passed ones, one line each (``<details>``): a passed
  file carries only its values and marks as data, and its tables are drawn from its
  version's layout (one ``<template>`` per version) when it is opened;
* each finding with its Chinese message, where it is in the file, and the rule's
  documentation (written once per page) one click away; a button marks the finding's
  cells in the tables.

Every text from a report or a finding is escaped.
"""
from __future__ import annotations

from html import escape

from .. import __version__
from ..template import TEMPLATE
from . import (SEVERITY_ZH, STATUS_ZH, cell_key, catalogue, expected, num, review_text, reviews_text, source, subject,
               suggestions, summary_text)

DEFAULT_VERSION = TEMPLATE.default_version
_RANK = {"error": 2, "warning": 1}
_STATE_ZH = {"blank": "空白", "dash": "以符号表示无", "invalid": "不是数字", "missing": "未找到", "number": "数字",
             "unreadable": "识别不清"}
_DOC_HEADS = (("what", "检查什么"), ("why", "为什么"), ("source", "依据"), ("limits", "局限"))

CSS = """
:root { --err: #c5221f; --err-bg: #fce8e6; --warn: #b06000; --warn-bg: #fef3d6; --ok: #137333; --line: #9aa0a6;
        --fix: #1a73e8; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 16px 24px 48px; color: #202124; background: #fff;
       font: 14px/1.6 "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans",
       "WenQuanYi Micro Hei", "SimSun", sans-serif; }
h1 { font-size: 22px; margin: 8px 0; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 2px solid #dadce0; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
.muted { color: #5f6368; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; vertical-align: middle; }
th { background: #f1f3f4; font-weight: 600; }
table.summary td.n { text-align: right; }
.status { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 600; white-space: nowrap; }
.status-passed { color: #fff; background: var(--ok); }
.status-failed { color: #fff; background: var(--err); }
.status-unreadable { color: #fff; background: #8430ce; }
.status-unreadable-in-part { color: #fff; background: #b06000; }
table.report { font-size: 13px; }
table.report th.label, table.report td.label { text-align: left; font-weight: normal; background: #fafafa; }
table.report td.cell { text-align: right; min-width: 3.5em; position: relative; }
td.cell .v { font-variant-numeric: tabular-nums; }
td.cell.blank .v, td.cell.missing .v, td.cell.dash .v { color: #80868b; }
td.cell.invalid .v { color: var(--err); font-style: italic; }
td.cell.warn { background: var(--warn-bg); box-shadow: inset 0 0 0 2px var(--warn); }
td.cell.err { background: var(--err-bg); box-shadow: inset 0 0 0 2px var(--err); }
td.cell.subject { font-weight: 700; }
td.cell.subject.err { box-shadow: inset 0 0 0 4px var(--err); }
td.cell.subject.warn { box-shadow: inset 0 0 0 4px var(--warn); }
td.cell .exp, td.cell .sug { display: block; font-size: 11px; line-height: 1.3; white-space: nowrap; }
td.cell .exp { color: var(--err); }
td.cell.warn .exp { color: var(--warn); }
td.cell .sug { color: var(--fix); }
td.cell.focus { outline: 3px dashed var(--fix); outline-offset: -1px; }
.legend span { display: inline-block; margin-right: 16px; }
.legend i { display: inline-block; width: 14px; height: 14px; vertical-align: -2px; margin-right: 4px; }
.legend .l-err { background: var(--err-bg); box-shadow: inset 0 0 0 2px var(--err); }
.legend .l-warn { background: var(--warn-bg); box-shadow: inset 0 0 0 2px var(--warn); }
.legend .l-subject { background: var(--err-bg); box-shadow: inset 0 0 0 4px var(--err); }
ol.findings { padding-left: 1.6em; }
ol.findings li { margin: 6px 0; padding: 6px 8px; border-left: 4px solid var(--line); background: #fafafa; }
ol.findings li.sev-error { border-color: var(--err); }
ol.findings li.sev-warning { border-color: var(--warn); }
.sev { font-weight: 700; margin-right: 6px; }
li.sev-error .sev { color: var(--err); }
li.sev-warning .sev { color: var(--warn); }
.rule-id { font-family: ui-monospace, monospace; margin-right: 6px; }
.where, .values, .fix, .fingerprint, .review, .accept, .crops { display: block; font-size: 13px; color: #3c4043; }
figure.crop { display: inline-block; margin: 2px 12px 2px 0; vertical-align: top; }
figure.crop img { display: block; border: 1px solid var(--line); image-rendering: auto; }
figure.crop figcaption { font-size: 12px; }
.fix { color: var(--fix); }
.review { color: var(--ok); font-weight: 600; }
ol.findings li.reviewed { border-color: var(--ok); opacity: .85; }
code.cmd { user-select: all; background: #f1f3f4; padding: 0 4px; }
button.locate { font: inherit; font-size: 12px; margin-top: 4px; cursor: pointer; }
details.doc { margin-top: 4px; font-size: 13px; }
details.doc summary { cursor: pointer; color: var(--fix); }
details.doc dl { margin: 4px 0 0; }
details.doc dt { font-weight: 600; }
details.doc dd { margin: 0 0 4px 1.5em; }
.unreadable { color: #8430ce; }
pre.assert { white-space: pre-wrap; margin: 0; }
details.file > summary { cursor: pointer; list-style-position: outside; margin: 16px 0 0; }
details.file > summary h2 { display: inline; margin: 0; border: 0; font-size: 16px; font-weight: 600; }
details.file > summary .muted { font-size: 13px; margin-left: 8px; }
section.file { border-bottom: 1px solid #eceff1; padding-bottom: 4px; }
.filter { position: sticky; top: 0; z-index: 2; background: #fff; padding: 6px 0; border-bottom: 1px solid #dadce0; }
.filter label { margin-right: 12px; }
.filter select, .filter button { font: inherit; }
table.rules button.pick { font: inherit; font-family: ui-monospace, monospace; cursor: pointer; padding: 0 4px; }
[hidden] { display: none !important; }
"""

JS = """
(function () {
  var STATES = {number: '数字', blank: '空白', dash: '以符号表示无', invalid: '不是数字', missing: '未找到'};
  function cell(scope, key) {
    var p = key.split(':');
    return scope.querySelector('td.cell[data-table="' + CSS.escape(p[0]) + '"][data-row="' + CSS.escape(p[1]) +
                               '"][data-column="' + CSS.escape(p.slice(2).join(':')) + '"]');
  }
  function locate(button) {
    var section = button.closest('section.file');
    if (!section) { return; }
    section.querySelectorAll('td.cell.focus').forEach(function (td) { td.classList.remove('focus'); });
    var first = null;
    (button.getAttribute('data-cells') || '').split(' ').forEach(function (key) {
      if (!key) { return; }
      var td = cell(section, key);
      if (td) { td.classList.add('focus'); first = first || td; }
    });
    if (first) { first.scrollIntoView({block: 'center', behavior: 'smooth'}); }
  }
  // a report without findings ships its values only; its tables are drawn from the layout when opened
  function draw(details) {
    var holder = details.querySelector('div.deferred');
    if (!holder || holder.getAttribute('data-drawn')) { return; }
    var data = JSON.parse(holder.getAttribute('data-values'));
    var layout = document.getElementById('layout-' + data.version);
    if (!layout) { return; }
    var tables = layout.content.cloneNode(true);
    tables.querySelectorAll('td.cell').forEach(function (td, i) {
      var state = data.states[i] || 'number', mark = data.marks[i];
      td.className = 'cell ' + state;
      td.title = STATES[state] || state;
      td.querySelector('.v').textContent = data.values[i];
      if (!mark) { return; }
      mark.c.forEach(function (c) { td.classList.add(c); });
      td.title = [mark.t].concat(mark.n.map(function (n) { return data.notes[n]; })).join('\\n');
      [['exp', '应为 ', mark.e], ['sug', '建议 ', mark.s]].forEach(function (kind) {
        kind[2].forEach(function (v) {
          var span = document.createElement('span');
          span.className = kind[0];
          span.textContent = kind[1] + v;
          td.appendChild(span);
        });
      });
    });
    data.absent.forEach(function (code) {
      var block = tables.querySelector('div.tblock[data-table="' + code + '"]');
      if (!block) { return; }
      block.querySelectorAll('table').forEach(function (t) { t.remove(); });
      var p = document.createElement('p');
      p.className = 'muted';
      p.textContent = '报告中没有找到' + block.getAttribute('data-label') + '的数据。';
      block.appendChild(p);
    });
    holder.textContent = '';
    holder.appendChild(tables);
    holder.setAttribute('data-drawn', '1');
  }
  function filter() {
    var rule = document.getElementById('filter-rule').value, sev = document.getElementById('filter-severity').value;
    var active = rule || sev, shown = 0;
    document.querySelectorAll('li.finding').forEach(function (li) {
      li.hidden = !!((rule && li.getAttribute('data-rule') !== rule) || (sev && li.getAttribute('data-severity') !== sev));
    });
    document.querySelectorAll('section.file').forEach(function (section) {
      var hit = !active || section.querySelector('li.finding:not([hidden])') !== null;
      section.hidden = !hit;
      shown += hit ? 1 : 0;
      var row = document.querySelector('tr[data-file="' + section.id + '"]');
      if (row) { row.hidden = !hit; }
    });
    document.getElementById('filter-count').textContent = active ? '显示 ' + shown + ' 个文件' : '';
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('button.locate');
    if (button) { locate(button); return; }
    var pick = event.target.closest('button.pick');
    if (pick) {
      document.getElementById('filter-rule').value = pick.getAttribute('data-rule');
      document.getElementById('filter-severity').value = '';
      filter();
      return;
    }
    if (event.target.closest('#filter-clear')) {
      document.getElementById('filter-rule').value = '';
      document.getElementById('filter-severity').value = '';
      filter();
    }
  });
  document.addEventListener('change', function (event) {
    if (event.target.closest('#filter')) { filter(); }
  });
  function doc(details) {
    var source = document.getElementById('rule-' + details.getAttribute('data-rule'));
    if (!source || details.querySelector('dl')) { return; }
    var link = details.querySelector('p');
    if (link) { link.remove(); }
    details.appendChild(source.querySelector('dl').cloneNode(true));
  }
  document.addEventListener('toggle', function (event) {
    var t = event.target;
    if (!t.matches || !t.open) { return; }
    if (t.matches('details.file')) { draw(t); }
    if (t.matches('details.doc')) { doc(t); }
  }, true);
})();
"""


def _e(v) -> str:
    return escape("" if v is None else str(v), quote=True)


def _key(t, r, c) -> str:
    return f"{t}:{r}:{c}"


# ------------------------------------------------------------------ marks on cells


class _Marks:
    """What the findings of one file say about each cell."""

    def __init__(self, findings: list[dict]):
        self.severity: dict[tuple, str] = {}
        self.subject: set[tuple] = set()
        self.expected: dict[tuple, list[str]] = {}
        self.suggested: dict[tuple, list[str]] = {}
        self.notes: dict[tuple, list[str]] = {}
        self.anchors: dict[tuple, list[int]] = {}
        for n, f in enumerate(findings, 1):
            sev = f.get("severity")
            if sev not in _RANK:
                continue
            keys = [cell_key(c) for c in f.get("cells") or ()]
            subj = subject(f)
            if subj is not None:
                keys.append(subj)
                self.subject.add(subj)
                if expected(f) is not None:
                    _add(self.expected, subj, num(expected(f)))
            for key, value in suggestions(f):
                keys.append(key)
                _add(self.suggested, key, num(value))
            for key in dict.fromkeys(keys):
                if _RANK[sev] > _RANK.get(self.severity.get(key), 0):
                    self.severity[key] = sev
                _add(self.notes, key, f"{SEVERITY_ZH[sev]} {f.get('rule')}：{f.get('message')}")
                self.anchors.setdefault(key, []).append(n)


def _add(d: dict, key, value: str) -> None:
    if value not in d.setdefault(key, []):
        d[key].append(value)


# ------------------------------------------------------------------ table drawing


def _shown(cell: dict | None) -> tuple[str, str]:
    """(state, text shown) of a report cell."""
    state = (cell or {}).get("state") or "missing"
    if state == "number":
        return state, (cell.get("raw") or "").strip() or num(cell.get("value"))
    if state == "blank":
        return state, "（空）"
    if state == "missing":
        return state, "—"
    return state, (cell.get("raw") or "").strip() or _STATE_ZH.get(state, state)


def _decor(key: tuple, cell: dict | None, state: str, marks: _Marks) -> tuple[list[str], str, list[str], list[str]]:
    """What the findings put on a cell: extra classes, the tooltip, the expected and suggested values."""
    classes = []
    sev = marks.severity.get(key)
    if sev:
        classes.append("err" if sev == "error" else "warn")
    if key in marks.subject:
        classes.append("subject")
    title = [f"{_STATE_ZH.get(state, state)}"]
    if cell and cell.get("source"):
        title[0] += f"，{cell['source']}"
    title += marks.notes.get(key, [])
    return classes, "\n".join(title), marks.expected.get(key, []), marks.suggested.get(key, [])


def _cell(key: tuple, cell: dict | None, marks: _Marks, file_id: str) -> str:
    state, shown = _shown(cell)
    classes, title, exp, sug = _decor(key, cell, state, marks)
    extra = "".join(f'<span class="exp">应为 {_e(v)}</span>' for v in exp)
    extra += "".join(f'<span class="sug">建议 {_e(v)}</span>' for v in sug)
    findings = " ".join(str(n) for n in marks.anchors.get(key, []))
    data = f' data-findings="{_e(findings)}"' if findings else ""
    return (f'<td class="{" ".join(["cell", state, *classes])}" data-table="{_e(key[0])}" data-row="{_e(key[1])}" '
            f'data-column="{_e(key[2])}"{data} title="{_e(title)}"><span class="v">{_e(shown)}</span>{extra}</td>')


def _present(cells: dict, table: str, entries, axis: int, version: str):
    """Template entries of this version, plus any of the other version the report filled
    (a 2021 report with the 2019 single row （六）其他处理: that row is drawn instead of the
    2021 sub-rows the report does not have). An optional subtotal row only where it was printed."""
    used = {k[axis] for k, c in cells.items() if k[0] == table and c.get("state") != "missing"}
    other = any(version not in e.versions and e.code in used for e in entries)
    return [e for e in entries if e.code in used
            or (version in e.versions and not other and not getattr(e, "subtotal", False))]


def _grouped(t, cells: dict, marks: _Marks, version: str, fid: str) -> str:
    """A table of row groups, each drawn as a table of its own with the group's columns."""
    code = t.code
    out = []
    for g in t.groups:
        if version not in [str(v) for v in g.get("versions", (version,))]:
            continue
        try:
            columns = t.columns_for(version, g["code"])
        except KeyError:
            continue
        rows = [r for r in _present(cells, code, t.rows, 1, version) if r.group == g["code"]]
        if not rows or not columns:
            continue
        head = "".join(f'<th scope="col">{_e(c.label)}</th>' for c in columns)
        body = "".join(
            f'<tr><th scope="row" class="label">{_e(r.label)}</th>'
            + "".join(_cell((code, r.code, c.code), cells.get((code, r.code, c.code)), marks, fid) for c in columns)
            + "</tr>" for r in rows)
        out.append(f'<table class="report {_e(code)}" data-table="{_e(code)}" data-group="{_e(g["code"])}">'
                   f'<thead><tr><th colspan="{len(columns) + 1}" class="label">{_e(g["label"])}</th></tr>'
                   f'<tr><th scope="col">{_e(t.row_heading or "")}</th>{head}</tr></thead><tbody>{body}</tbody></table>')
    return "".join(out)


def _ordered(t, cells: dict, marks: _Marks, version: str, fid: str) -> str:
    """Rows under one set of columns: row labels in up to three levels (三、本年度办理结果 ›
    （三）不予公开 › 1.属于国家秘密), columns under their parent, the table's note in the corner."""
    code = t.code
    columns = _present(cells, code, t.columns, 2, version)
    rows = _present(cells, code, t.rows, 1, version)
    # header: 申请人情况 over every column; 法人或其他组织 over its five; the others span two rows
    parents: list[tuple[str | None, list]] = []
    for c in columns:
        if parents and c.parent and parents[-1][0] == c.parent:
            parents[-1][1].append(c)
        else:
            parents.append((c.parent, [c]))
    row2 = "".join(f'<th scope="colgroup" colspan="{len(cs)}">{_e(p)}</th>' if p else
                   f'<th scope="col" rowspan="2">{_e(cs[0].label)}</th>' for p, cs in parents)
    row3 = "".join(f'<th scope="col">{_e(c.label)}</th>' for p, cs in parents if p for c in cs)
    head = (f'<tr><th colspan="3" rowspan="3" class="label note">{_e(t.note or "")}</th>'
            f'<th colspan="{len(columns)}">{_e(t.column_heading or "")}</th></tr><tr>{row2}</tr><tr>{row3}</tr>')
    levels = [t.levels(r) for r in rows]
    body = []
    for i, (r, lv) in enumerate(zip(rows, levels)):
        label = ""
        if len(lv) == 1:
            label = f'<th scope="row" colspan="3" class="label">{_e(lv[0])}</th>'
        else:
            if i == 0 or len(levels[i - 1]) == 1 or levels[i - 1][0] != lv[0]:
                span = _run(levels, i, 0)
                label += f'<th scope="rowgroup" rowspan="{span}" class="label">{_e(lv[0])}</th>'
            if len(lv) == 2:
                label += f'<th scope="row" colspan="2" class="label">{_e(lv[1])}</th>'
            else:
                if i == 0 or len(levels[i - 1]) != 3 or levels[i - 1][1] != lv[1]:
                    span = _run(levels, i, 1)
                    label += f'<th scope="rowgroup" rowspan="{span}" class="label">{_e(lv[1])}</th>'
                label += f'<th scope="row" class="label">{_e(lv[2])}</th>'
        body.append(f"<tr>{label}" + "".join(
            _cell((code, r.code, c.code), cells.get((code, r.code, c.code)), marks, fid) for c in columns) + "</tr>")
    return f'<table class="report {_e(code)}" data-table="{_e(code)}"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _run(levels: list[list[str]], i: int, depth: int) -> int:
    """How many consecutive rows from ``i`` share the label at ``depth`` (and the ones above it):
    depth 0 spans the rows under 三、本年度办理结果, depth 1 the sub-items of a group （三）…（六）."""
    def same(j: int) -> bool:
        deeper = len(levels[j]) == 3 if depth == 1 else len(levels[j]) > 1
        return deeper and levels[j][: depth + 1] == levels[i][: depth + 1]

    n = 1
    while i + n < len(levels) and same(i + n):
        n += 1
    return n


def _banded(t, cells: dict, marks: _Marks, version: str, fid: str) -> str:
    """Bands of the same columns side by side in one row, under the bands' headings."""
    code = t.code
    columns = _present(cells, code, t.columns, 2, version)
    rows = _present(cells, code, t.rows, 1, version)
    parts = [r.label.split(" / ") for r in rows]
    n = len(columns)
    row1, i = [], 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and parts[j + 1][0] == parts[i][0]:
            j += 1
        row1.append(f'<th scope="colgroup" colspan="{n * (j - i + 1)}">{_e(parts[i][0])}</th>')
        i = j + 1
    row2, row3 = [], []
    for p in parts:
        if len(p) == 1:
            row2 += [f'<th scope="col" rowspan="2">{_e(c.label)}</th>' for c in columns]
        else:
            row2.append(f'<th scope="colgroup" colspan="{n}">{_e(" / ".join(p[1:]))}</th>')
            row3 += [f'<th scope="col">{_e(c.label)}</th>' for c in columns]
    data = "".join(_cell((code, r.code, c.code), cells.get((code, r.code, c.code)), marks, fid)
                   for r in rows for c in columns)
    return (f'<table class="report {_e(code)}" data-table="{_e(code)}"><thead><tr>{"".join(row1)}</tr><tr>{"".join(row2)}</tr>'
            f'<tr>{"".join(row3)}</tr></thead><tbody><tr>{data}</tr></tbody></table>')


_DRAW = {"grouped": _grouped, "ordered": _ordered, "banded": _banded}
"""How each layout of the template (validator.template.LAYOUTS) is drawn."""


def _legend(version: str) -> str:
    vinfo = TEMPLATE.versions.get(version) or {}
    return (f'<p class="muted">按 {_e(version)} 年版格式绘制（{_e(vinfo.get("title", ""))}，{_e(vinfo.get("document", ""))}）。'
            f'数字为报告原文；鼠标停在单元格上可看到它在文件中的位置和相关问题。</p>'
            '<p class="legend"><span><i class="l-err"></i>错误涉及的单元格</span>'
            '<span><i class="l-warn"></i>警告涉及的单元格</span><span><i class="l-subject"></i>问题所指的单元格（加粗）</span>'
            '<span>“应为”：勾稽关系要求的值；“建议”：最可能的改法</span></p>')


def _version(f) -> str:
    return f.template if f.template in TEMPLATE.versions else DEFAULT_VERSION


def _blocks(cells: dict, marks: _Marks, version: str, fid: str, *, skeleton: bool = False) -> str:
    out = []
    for code, t in TEMPLATE.tables.items():
        out.append(f'<div class="tblock" data-table="{code}" data-label="{_e(t.label)}"><h4>{_e(t.label)} {_e(t.title)}</h4>')
        if not skeleton and not any(k[0] == code and c.get("state") != "missing" for k, c in cells.items()):
            out.append(f'<p class="muted">报告中没有找到{_e(t.label)}的数据。</p></div>')
            continue
        out.append(_DRAW[t.layout](t, cells, marks, version, fid) + "</div>")
    return "".join(out)


def _tables(f, marks: _Marks, fid: str) -> str:
    if not f.cells:
        return ('<p class="muted">这次检查没有保留报告的单元格，无法绘制表格（命令行 --format html 会保留；'
                'Python 中用 check_paths(..., keep_cells=True)）。</p>')
    version = _version(f)
    cells = {(c["table"], c["row"], c["column"]): c for c in f.cells}
    return _legend(version) + _blocks(cells, marks, version, fid)


class _Order(dict):
    """An empty cell dict that records the keys the drawing looks up, in document order."""

    def __init__(self):
        super().__init__()
        self.keys: list[tuple] = []

    def get(self, key, default=None):
        self.keys.append(key)
        return default


def layout(version: str) -> tuple[str, list[tuple], set[tuple]]:
    """The empty tables of a template version (drawn once per page) and their cells' keys in
    document order: a report without findings ships only its values, in that order."""
    order = _Order()
    html = _blocks(order, _Marks([]), version, "layout", skeleton=True)
    return html, order.keys, set(order.keys)


def _values(f, keys: list[tuple], marks: _Marks) -> str:
    """A passed report's cells as JSON aligned with :func:`layout`'s keys: the texts shown,
    the states other than number, what the findings put on the cells they mark, the tables
    the report does not have (for an attribute in single quotes)."""
    import json

    cells = {(c["table"], c["row"], c["column"]): c for c in f.cells}
    shown = [_shown(cells.get(k)) for k in keys]
    marked = set(marks.severity) | marks.subject | set(marks.expected) | set(marks.suggested)
    decor, notes = {}, {}
    for i, k in enumerate(keys):
        if k in marked:
            classes, title, exp, sug = _decor(k, cells.get(k), shown[i][0], marks)
            first = title.split("\n", 1)[0]  # the findings' notes once per file, by number
            decor[str(i)] = {"c": classes, "t": first, "e": exp, "s": sug,
                             "n": [notes.setdefault(n, len(notes)) for n in marks.notes.get(k, [])]}
    data = {"version": _version(f), "values": [text for _, text in shown],
            "states": {str(i): state for i, (state, _) in enumerate(shown) if state != "number"}, "marks": decor,
            "notes": list(notes),
            "absent": [code for code in TEMPLATE.tables
                       if not any(k[0] == code and c.get("state") != "missing" for k, c in cells.items())]}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")


def _deferred(f, layouts: dict) -> bool:
    """A passed report whose cells all have a place in its version's layout: it ships its
    values and marks only, and its tables are drawn when it is opened."""
    if f.status != "passed" or not f.cells:
        return False
    keys = layouts.setdefault(_version(f), layout(_version(f)))[2]
    return all((c["table"], c["row"], c["column"]) in keys for c in f.cells if c.get("state") != "missing")


# ------------------------------------------------------------------ findings


def _doc_body(rule) -> str:
    d = rule.doc or {}
    items = [f"<dt>规则</dt><dd>{_e(rule.id)} {_e(rule.name)}（{_e(SEVERITY_ZH.get(rule.severity, rule.severity))}）："
             f"{_e(rule.title)}</dd>"]
    if rule.assertion is not None:
        items.append(f'<dt>断言</dt><dd><code>{_e(rule.assertion.text)}</code></dd>')
    items.append(f"<dt>适用格式版本</dt><dd>{_e('、'.join(rule.versions))}</dd>")
    for key, head in _DOC_HEADS[:2]:
        if d.get(key):
            items.append(f"<dt>{head}</dt><dd>{_e(d[key])}</dd>")
    ex = d.get("example") or {}
    if ex:
        items.append(f"<dt>示例</dt><dd>不通过：{_e(ex.get('wrong', ''))}<br>通过：{_e(ex.get('right', ''))}</dd>")
    for key, head in _DOC_HEADS[2:]:
        if d.get(key):
            items.append(f"<dt>{head}</dt><dd>{_e(d[key])}</dd>")
    return f'<dl>{"".join(items)}</dl>'


def _doc(rule) -> str:
    """A finding's link to its rule's documentation, written once per page (:func:`_docs`);
    opening it shows the documentation in place."""
    if rule is None:
        return ""
    return (f'<details class="doc" data-rule="{_e(rule.id)}"><summary>规则说明：{_e(rule.id)} {_e(rule.title)}</summary>'
            f'<p class="muted"><a href="#rule-{_e(rule.id)}">见页末“规则说明”</a></p></details>')


def _docs(used: set, rules: dict) -> str:
    """The documentation of the rules the page's findings name, once each."""
    if not used:
        return ""
    return ('<section id="rules-doc"><h2>规则说明</h2>' + "".join(
        f'<div class="ruledoc" id="rule-{_e(r)}" data-rule="{_e(r)}"><h3>{_e(r)} {_e(rules[r].title)}</h3>'
        f'{_doc_body(rules[r])}</div>' for r in sorted(used)) + "</section>")


def accept_command(fingerprint: str, reviews_file: str | None = None) -> str:
    """The shell command that records a finding as accepted (validator review add)."""
    import shlex

    cmd = f"validator review add {shlex.quote(fingerprint)} --reason '核对后确认的理由'"
    return cmd + (f" --file {shlex.quote(reviews_file)}" if reviews_file else "")


def _crop_figures(x, keys: list[tuple], crops: dict, seen: dict, n: int) -> str:
    """The image crops of the OCR'd cells a finding names, each beside the value read there
    (escaped ``data:`` URIs; the PNGs were made by the OCR reader, bounded in size). Each
    crop is drawn once per file, at the first finding naming its cell (``seen``: key ->
    that finding's number); later findings point to it, so a file's page stays bounded."""
    import base64

    from ..rules import builtin_lists

    labels = {cell_key(c): (c.get("table"), c.get("row"), c.get("column"), c.get("raw")) for c in x.get("cells") or ()}
    subj = subject(x)
    if subj is not None and subj not in labels:
        raw = x.get("reported")
        labels[subj] = (x.get("table"), x.get("row"), x.get("column"), None if raw is None else num(raw))
    figures = []
    for key in keys:
        rec = crops.get(key)
        if rec is None or not rec.crop:
            continue
        table, row, column, raw = labels.get(key, (None, None, None, None))
        name = f"{rec.image}{table or ''}「{row or ''}」{column or ''}"
        read = builtin_lists()["read_as"].join([] if raw in (None, "") else [raw])  # X030's words
        score = f"，置信度 {rec.score:.2f}" if rec.score is not None else ""
        if key in seen:
            figures.append(f'<figure class="crop"><figcaption>{_e(name)}：{_e(read)}{_e(score)}'
                           f'（<a href="#finding-{seen[key]}">原件图像见第 {seen[key]} 条</a>）</figcaption></figure>')
            continue
        seen[key] = n
        src = "data:image/png;base64," + base64.b64encode(rec.crop).decode("ascii")
        figures.append(f'<figure class="crop"><img src="{_e(src)}" alt="{_e(name)}的原件图像（{_e(read)}）">'
                       f'<figcaption>{_e(name)}：{_e(read)}{_e(score)}</figcaption></figure>')
    if not figures:
        return ""
    return f'<span class="crops">原件图像（文字识别）：{"".join(figures)}</span>'


def _finding(n: int, x: dict, rules: dict, reviews_file: str | None = None, crops: dict | None = None,
             seen: dict | None = None) -> str:
    sev = x.get("severity") or "info"
    keys = [cell_key(c) for c in x.get("cells") or ()]
    subj = subject(x)
    if subj:
        keys.insert(0, subj)
    keys += [k for k, _ in suggestions(x)]
    keys = list(dict.fromkeys(_key(*k) for k in keys if all(k)))
    where = "".join(filter(None, (x.get("table"), f"「{x['row']}」" if x.get("row") else None, x.get("column"))))
    src = source(x)
    parts = [f'<span class="sev">{_e(SEVERITY_ZH.get(sev, sev))}</span><span class="rule-id">{_e(x.get("rule"))}</span>'
             f'<span class="msg">{_e(x.get("message"))}</span>']
    if where or src:
        parts.append(f'<span class="where">位置：{_e(where)}{"（" + _e(src) + "）" if src else ""}</span>')
    values = []
    if x.get("reported") is not None:
        values.append(f"报告值 {_e(num(x.get('reported')))}")
    if expected(x) is not None:
        values.append(f"应为 {_e(num(expected(x)))}")
    if values:
        parts.append(f'<span class="values">{"；".join(values)}</span>')
    if crops:
        named = list(dict.fromkeys(([subj] if subj else []) + [cell_key(c) for c in x.get("cells") or ()]))
        parts.append(_crop_figures(x, named, crops, {} if seen is None else seen, n))
    fix = x.get("fix") or {}
    if fix.get("text"):
        cause = f"（{fix['cause_text']}）" if fix.get("cause_text") else ""
        parts.append(f'<span class="fix">最可能的改法：{_e(fix["text"])}{_e(cause)}</span>')
    if keys:
        parts.append(f'<button type="button" class="locate" data-cells="{_e(" ".join(keys))}">在表中标出</button>')
    if x.get("fingerprint"):
        parts.append(f'<span class="fingerprint">指纹 <code>{_e(x["fingerprint"])}</code></span>')
    reviewed = review_text(x)
    if reviewed:
        parts.insert(1, f'<span class="review" data-review-status="{_e(x["review"].get("status"))}">{_e(reviewed)}</span>')
    elif x.get("fingerprint") and sev in _RANK:
        parts.append(f'<span class="accept">核对后确认无误时，记录审核结论：<code class="cmd">'
                     f'{_e(accept_command(x["fingerprint"], reviews_file))}</code></span>')
    parts.append(_doc(rules.get(x.get("rule"))))
    review = f' data-review-status="{_e(x["review"].get("status"))}"' if reviewed else ""
    return (f'<li class="finding sev-{_e(sev)}{" reviewed" if reviewed else ""}" id="finding-{n}" '
            f'data-rule="{_e(x.get("rule"))}" data-severity="{_e(sev)}" data-fingerprint="{_e(x.get("fingerprint"))}"'
            f'{review}>{"".join(parts)}</li>')


def _file(i: int, f, rules: dict, layouts: dict, reviews_file: str | None = None) -> str:
    fid = f"file-{i}"
    status = f'<span class="status status-{_e(f.status)}">{_e(STATUS_ZH.get(f.status, f.status))}</span>'
    out = [f'<section class="file" id="{fid}" data-status="{_e(f.status)}" data-path="{_e(f.path)}">']
    if f.status in ("unreadable", "skipped"):
        detail = f"（{_e(f.detail)}）" if f.detail else ""
        what = "无法读取" if f.status == "unreadable" else "已跳过"
        out.append(f'<h2>{_e(f.path)} {status}</h2><p class="{_e(f.status)}">{what}：{_e(f.reason)}{detail}</p></section>')
        return "".join(out)
    meta = "　".join(f"{k}：{_e(v)}" for k, v in (
        ("发布机关", f.body), ("年度", f"{f.year}年" if f.year else None),
        ("格式版本", f"{f.template}年版" if f.template else None), ("文件类型", f.format)) if v)
    counts = f"错误 {f.count('error')}，警告 {f.count('warning')}，提示 {f.count('info')}"
    if f.reviewed:
        counts += f"，已审核 {f.reviewed}"
    body = []
    main = [x for x in f.findings if x.get("severity") in _RANK and not x.get("review")]
    reviewed = [x for x in f.findings if x.get("review")]
    infos = [x for x in f.findings if x.get("severity") not in _RANK and not x.get("review")]
    numbered = list(enumerate(main + reviewed + infos, 1))
    marks = _Marks(main + infos)  # reviewed findings do not mark the tables: they no longer fail the report

    crops, seen = getattr(f, "crops", None), {}  # each crop drawn once per file (see _crop_figures)

    def listed(items):
        return "".join(_finding(n, x, rules, reviews_file, crops, seen) for n, x in items)

    if main:
        body.append("<h3>发现的问题</h3><ol class=\"findings\">" + listed(numbered[: len(main)]) + "</ol>")
    else:
        body.append("<p>没有未审核的错误或警告。</p>" if reviewed else "<p>没有错误或警告。</p>")
    if reviewed:
        body.append(f'<h3>已审核的问题（{len(reviewed)} 条，不再导致检查不通过）</h3><ol class="findings reviewed" '
                    f'start="{len(main) + 1}">' + listed(numbered[len(main): len(main) + len(reviewed)]) + "</ol>")
    if infos:
        body.append(f'<details class="infos"><summary>提示（{len(infos)} 条）</summary><ol class="findings" '
                    f'start="{len(main) + len(reviewed) + 1}">' + listed(numbered[len(main) + len(reviewed):])
                    + "</ol></details>")
    body.append("<h3>表格</h3>")
    if _deferred(f, layouts):
        body.append(f'<div class="deferred" data-values=\'{_values(f, layouts[_version(f)][1], marks)}\'>'
                    '<p class="muted">（在浏览器中展开时绘制表格）</p></div>')
    else:
        body.append(_tables(f, marks, fid))
    if f.status != "passed":
        out.append(f'<h2>{_e(f.path)} {status}</h2><p class="muted">{meta}</p><p>{counts}</p>')
        out.extend(body)
    else:  # passed: one line, the rest behind it
        out.append(f'<details class="file"><summary><h2>{_e(f.path)} {status}</h2><span class="muted">{meta}　{counts}'
                   f'</span></summary>')
        out.extend(body)
        out.append("</details>")
    out.append("</section>")
    return "".join(out)


_ORDER = {"failed": 0, "unreadable-in-part": 1, "unreadable": 1, "passed": 2, "skipped": 3}


class _Overview:
    """What the head and the end of the page say about the whole batch, gathered in one
    pass over the files (one file in memory at a time): each file's summary row and place
    in the page, the rules' counts, the rules named, the layouts the passed reports use."""

    def __init__(self, rules: dict):
        self.rules = rules
        self.places: list[tuple[int, int]] = []  # (rank of the status, file number)
        self.rows: dict[int, str] = {}  # file number -> its row of the files' summary
        self.per: dict[str, dict] = {}  # rule -> errors, warnings and the files it fails
        self.present: set[str] = set()  # every rule with a finding (the filter's options)
        self.layouts: dict = {}  # the layouts of the versions of the deferred reports, drawn once

    def add(self, i: int, f) -> None:
        self.places.append((_ORDER.get(f.status, 1), i))
        self.rows[i] = _summary_row(i, f)
        for x in f.findings:
            if x.get("rule"):
                self.present.add(x.get("rule"))
            if x.get("severity") in _RANK and not x.get("review"):  # reviewed findings no longer fail a file
                row = self.per.setdefault(x.get("rule"), {"error": 0, "warning": 0, "files": set()})
                row[x["severity"]] += 1
                row["files"].add(f.path)
        _deferred(f, self.layouts)

    @property
    def order(self) -> list[int]:
        """Failing files first, then those not (completely) read, then the passed; ids keep the input order."""
        return [i for _, i in sorted(self.places)]


def _rules_summary(per: dict, rules: dict) -> str:
    """Per rule (errors and warnings): the files it fails, its findings; a button filters the page by it."""
    if not per:
        return "<p>没有规则报告错误或警告。</p>"
    rows = "".join(
        f'<tr data-rule="{_e(rid)}"><td><button type="button" class="pick" data-rule="{_e(rid)}" '
        f'title="只显示这条规则的问题">{_e(rid)}</button></td>'
        f'<td>{_e(getattr(rules.get(rid), "title", ""))}</td><td class="n">{len(r["files"])}</td>'
        f'<td class="n">{r["error"]}</td><td class="n">{r["warning"]}</td></tr>'
        for rid, r in sorted(per.items(), key=lambda kv: (-kv[1]["error"], -len(kv[1]["files"]), kv[0] or "")))
    return ('<h3>各规则的问题</h3><table class="summary rules"><thead><tr><th>规则</th><th>标题</th><th>涉及文件</th>'
            '<th>错误</th><th>警告</th></tr></thead><tbody>' + rows + "</tbody></table>")


def _filter(present: set) -> str:
    options = "".join(f'<option value="{_e(r)}">{_e(r)}</option>' for r in sorted(present))
    return ('<div class="filter" id="filter">筛选：<label>规则 <select id="filter-rule"><option value="">全部</option>'
            f'{options}</select></label><label>级别 <select id="filter-severity"><option value="">全部</option>'
            '<option value="error">错误</option><option value="warning">警告</option><option value="info">提示</option>'
            '</select></label><button type="button" id="filter-clear">清除筛选</button> '
            '<span id="filter-count" class="muted"></span></div>')


def _summary_row(i: int, f) -> str:
    status = f'<span class="status status-{_e(f.status)}">{_e(STATUS_ZH.get(f.status, f.status))}</span>'
    if f.status in ("unreadable", "skipped"):
        counts = f'<td colspan="4" class="{_e(f.status)}">{_e(f.reason)}</td>'
    else:
        counts = "".join(f'<td class="n">{f.count(s)}</td>' for s in ("error", "warning", "info"))
        counts += f'<td class="n">{f.reviewed}</td>'
    return (f'<tr data-status="{_e(f.status)}" data-file="file-{i}"><td><a href="#file-{i}">{_e(f.path)}</a></td><td>{status}</td>'
            f'<td>{_e(f.body)}</td><td>{_e(f.year)}</td><td>{_e(f.template)}</td>{counts}</tr>')


def _summary(rows: list[str]) -> str:
    return ('<table class="summary"><thead><tr><th>文件</th><th>结果</th><th>发布机关</th><th>年度</th><th>格式版本</th>'
            '<th>错误</th><th>警告</th><th>提示</th><th>已审核</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")


def stream(result):
    """The page as pieces of text, one file at a time: a first pass over the files gathers
    what the head says about the batch (:class:`_Overview`), then each file's section is
    drawn as it is read again. Memory stays flat in the number of files (a spilled batch's
    records are read back one at a time); joined, exactly :func:`render`'s text."""
    rules = catalogue(result)
    head = summary_text(result)
    reviews = getattr(result, "reviews", None) or {}
    overview = _Overview(rules)
    for i, f in enumerate(result.files, 1):
        overview.add(i, f)
    order = overview.order
    disabled = dict(getattr(result, "disabled", None) or {})
    if disabled:
        head += "。已停用规则：" + "；".join(f"{rid}（理由：{reason}）" for rid, reason in disabled.items())
    if reviews_text(result):
        head += "。" + reviews_text(result)
    yield (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="validator ' + _e(__version__) + '">\n'
        "<title>政府信息公开工作年度报告检查结果</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>政府信息公开工作年度报告检查结果</h1><p class="muted" id="overview">{_e(head)}'
        f"（validator {_e(__version__)}）</p></header>\n"
        f'<section id="summary"><h2>汇总</h2>{_rules_summary(overview.per, rules)}{_filter(overview.present)}'
        f"<h3>各文件</h3>{_summary([overview.rows[i] for i in order])}</section>\n"
    )
    for i in order:
        yield _file(i, result.files[i - 1], rules, overview.layouts, reviews.get("file"))
    used = overview.present & set(rules)
    templates = "".join(f'<template id="layout-{_e(v)}">{_legend(v)}{t[0]}</template>'
                        for v, t in sorted(overview.layouts.items()))
    yield (
        f"\n{_docs(used, rules)}\n{templates}\n"
        f"<footer class=\"muted\">validator {_e(__version__)}，规则集 {_e(getattr(result, 'ruleset', None) or '')}</footer>\n"
        f"<script>{JS}</script>\n</body>\n</html>\n"
    )


def render(result) -> str:
    return "".join(stream(result))
