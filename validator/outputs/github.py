"""GitHub Actions workflow commands (``--format github``): one annotation per finding,
shown on the pull request's files and in the run's summary.

``::error file=PATH,line=N,title=RULE 标题::message`` (warning → ``::warning``, info →
``::notice``; a reviewed finding is a ``::notice`` that starts with the decision and its
reason). ``line`` is the line of the finding's cell in a text report, 1 otherwise
(GitHub places annotations on lines; the cell is named in the message). An unreadable
file is an ``::error`` on the file. Values are escaped as the runner's toolkit does
(``%``, CR, LF; in properties also ``:`` and ``,``), so text from a report can never end
the command or start another one.
"""
from __future__ import annotations

from . import SEVERITY_ZH, details, line, relpath, review_text

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, path: str, message: str, title: str, at: int | None = None) -> str:
    props = [f"file={_prop(path)}"] + ([f"line={at}"] if at else []) + [f"title={_prop(title)}"]
    return f"::{level} {','.join(props)}::{_data(message)}"


def _message(x: dict) -> str:
    parts = [x.get("message") or x.get("rule") or ""] + details(x)
    if review_text(x):
        parts.insert(0, review_text(x))
    return "；".join(parts)


def render(result) -> str:
    out = []
    for f in result.files:
        path = relpath(f.path)
        if f.status == "unreadable":
            reason = (f.reason or "") + (f"（{f.detail}）" if f.detail else "")
            out.append(_command("error", path, f"无法读取：{reason}", "validator 无法读取"))
            continue
        for x in f.findings:
            # a reviewed finding (reviews file) no longer fails the job: a notice, with the decision
            level = "notice" if x.get("review") else _LEVEL.get(x.get("severity"), "warning")
            title = f"{x.get('rule')} {SEVERITY_ZH.get(x.get('severity'), '')}：{x.get('name') or ''}".strip()
            out.append(_command(level, path, _message(x), title, line(x)))
    return "\n".join(out)
