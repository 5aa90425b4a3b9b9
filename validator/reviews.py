"""The reviews file: decisions about single findings, kept beside the reports (under
version control) and applied to every later run.

::

    reviews:
      - fingerprint: "a47d7969-d0122b837353"   # a finding's fingerprint (validator/fingerprint.py)
        status: accepted                      # accepted | false-positive
        reason: "核对原始台账后确认"            # required
        by: "市政务公开办"                      # optional
        date: 2026-12-01                      # optional

A finding whose fingerprint has an entry keeps its severity and carries ``review``
(status, reason, by, date); it no longer counts for the file's status or the exit code,
whatever ``--fail-on`` says. An entry of a checked report (the first part of its
fingerprint is the report's identity) that matches no finding is *stale*: the values it
judged have changed or the finding is gone, and rule R001 reports it as an info finding
of that report (``validator review prune`` removes such entries). Entries of reports not
in the run are left alone.

A file that cannot be used — not YAML, not a ``reviews:`` list, an entry with an unknown
key or status, without a reason, with a malformed or repeated fingerprint, a date that is
not a date — is a :class:`ReviewsError` naming the file and the entry (the CLI exits 4):
a decision that cannot be read is never silently dropped or half-applied.

The file is read and edited with ruamel.yaml's round-trip mode, so that ``validator
review add`` and ``prune`` keep the file's comments and the other entries as they are.
"""
from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from .fingerprint import PATTERN, compute, identity, report_part

STATUSES = {"accepted": "已接受", "false-positive": "误报"}
KEYS = ("fingerprint", "status", "reason", "by", "date")
STALE_RULE = "R001"

try:  # a bad reviews file is a configuration error (exit 4) like a bad configuration file
    from .config import ConfigError as _Base
except ImportError:  # pragma: no cover - before validator/config.py exists
    _Base = ValueError


class ReviewsError(_Base):
    """A reviews file that cannot be used (the message, in Chinese, names the file and entry)."""


@dataclass(frozen=True)
class Review:
    fingerprint: str
    status: str
    reason: str
    by: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD)
    line: int | None = None  # 1-based line of the entry in its file

    def as_dict(self) -> dict:
        """The ``review`` a matching finding carries."""
        return {"status": self.status, "reason": self.reason, "by": self.by, "date": self.date}


@dataclass(frozen=True)
class Reviews:
    path: str
    entries: tuple[Review, ...]


def _yaml():
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never fold a long reason
    return y


def _read(path: Path):
    """The file's round-trip document (None when empty). Raises ReviewsError."""
    from ruamel.yaml.error import YAMLError

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ReviewsError(f"{path}：审核记录文件不存在（可用 validator review add 创建）") from None
    except OSError as e:
        raise ReviewsError(f"{path}：无法读取审核记录文件（{e.strerror or e}）") from None
    except UnicodeDecodeError:
        raise ReviewsError(f"{path}：审核记录文件不是 UTF-8 编码") from None
    try:
        return _yaml().load(text)
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        problem = getattr(e, "problem", None) or type(e).__name__
        raise ReviewsError(f"{path}：{where}不是有效的 YAML（{problem}）") from None


def _entries(path: Path, doc):
    """The ``reviews`` sequence of a document (an empty file has none)."""
    if doc is None:
        return []
    if not isinstance(doc, dict):
        raise ReviewsError(f"{path}：审核记录文件应以 reviews: 开头，其下是审核记录的列表")
    unknown = [str(k) for k in doc if k != "reviews"]
    if unknown:
        raise ReviewsError(f"{path}：未知的项 {'、'.join(unknown)}（只能有 reviews）")
    entries = doc.get("reviews")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ReviewsError(f"{path}：reviews 应是审核记录的列表（每条以 - 开头）")
    return entries


def _line(seq, i: int) -> int | None:
    try:
        return seq.lc.item(i)[0] + 1
    except Exception:  # a sequence without position data (built in memory)
        return None


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        return str(v).strip() or None
    return None


def _entry(path: Path, i: int, line: int | None, e) -> Review:
    fp = e.get("fingerprint") if isinstance(e, dict) else None
    where = [f"第 {line} 行"] if line else []
    where += [f"指纹 {fp}"] if isinstance(fp, str) else []
    name = f"第 {i} 条审核记录" + (f"（{'，'.join(where)}）" if where else "")

    def bad(what: str):
        return ReviewsError(f"{path}：{name}{what}")

    if not isinstance(e, dict):
        raise bad("应是“键: 值”的记录（fingerprint、status、reason，可选 by、date）")
    unknown = [str(k) for k in e if k not in KEYS]
    if unknown:
        raise bad(f"有未知的项 {'、'.join(unknown)}（可用的项：{'、'.join(KEYS)}）")
    if not isinstance(fp, str) or not PATTERN.fullmatch(fp.strip()):
        raise bad("的 fingerprint 缺失或格式不对（应为 validator check 输出的指纹，如 a47d7969-d0122b837353）")
    status = e.get("status")
    if status not in STATUSES:
        raise bad(f"的 status 应为 {' 或 '.join(STATUSES)}，而不是 {status!r}")
    reason = e.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise bad("缺少理由 reason（每条审核记录都必须写明理由）")
    by = e.get("by")
    if by is not None and _text(by) is None:
        raise bad("的 by 应是文字（审核人或单位）")
    date = e.get("date")
    if date is not None:
        if isinstance(date, datetime.datetime):
            date = date.date()
        if isinstance(date, str):
            try:
                date = datetime.date.fromisoformat(date.strip())
            except ValueError:
                raise bad(f"的 date 应是日期（如 2026-12-01），而不是 {date!r}") from None
        if not isinstance(date, datetime.date):
            raise bad(f"的 date 应是日期（如 2026-12-01），而不是 {date!r}")
        date = date.isoformat()
    return Review(fp.strip(), status, reason.strip(), _text(by), date, line)


def load(path) -> Reviews:
    """Read and validate a reviews file. Raises ReviewsError."""
    path = Path(path)
    seq = _entries(path, _read(path))
    out: list[Review] = []
    seen: dict[str, int] = {}
    for i, e in enumerate(seq, 1):
        r = _entry(path, i, _line(seq, i - 1), e)
        if r.fingerprint in seen:
            raise ReviewsError(f"{path}：第 {i} 条审核记录（指纹 {r.fingerprint}）与第 {seen[r.fingerprint]} 条重复")
        seen[r.fingerprint] = i
        out.append(r)
    return Reviews(str(path), tuple(out))


# ------------------------------------------------------------------ applying them to a run


def _stale_finding(rule, review: Review, ident: str):
    from .finding import Finding

    f = Finding(rule=rule.id, name=rule.name, severity=rule.severity, template=rule.message,
                params={"fingerprint": review.fingerprint, "status": STATUSES[review.status],
                        "reason": review.reason},
                evidence={"fingerprint": review.fingerprint, **review.as_dict()})
    return f.with_(fingerprint=compute(f, ident))


def apply(files, reviews: Reviews, rules: dict | None = None) -> dict:
    """Mark the findings of ``files`` (FileResults, fingerprints attached) that ``reviews``
    covers, and add an R001 finding for each stale entry of a checked report (unless R001
    is not in ``rules``, the active catalogue). Returns the summary the outputs show:
    ``{"file", "entries", "applied", "stale": [fingerprint, ...], "elsewhere"}``."""
    applying = Applying(reviews, rules)
    for i, f in enumerate(files):
        applying.mark(i, f)
    for i, found in applying.stale().items():
        files[i].findings.extend(found)
    return applying.summary()


class Applying:
    """:func:`apply` one file at a time (a batch whose results are streamed, validator.store):
    :meth:`mark` each file in order, then :meth:`stale` gives the R001 findings to add, by
    the index of the file they belong to, and :meth:`summary` what the outputs show."""

    def __init__(self, reviews: Reviews, rules: dict | None = None) -> None:
        from .rules import load as load_rules

        self.reviews = reviews
        self.rule = (rules if rules is not None else load_rules()).get(STALE_RULE)
        self.index = {r.fingerprint: r for r in reviews.entries}
        self.matched: set[str] = set()
        self.owner: dict[str, tuple[int, str]] = {}  # report part of the fingerprints -> (first file, identity)
        self._stale: list[Review] | None = None

    def mark(self, i: int, f) -> None:
        """Mark the reviewed findings of file ``i`` (a FileResult, changed in place)."""
        if f.status in ("unreadable", "skipped"):
            return
        ident = identity(f.body, f.year, f.path)
        self.owner.setdefault(report_part(ident), (i, ident))
        for k, x in enumerate(f.findings):
            r = self.index.get(x.fingerprint)
            if r is not None:  # findings are frozen: the reviewed one replaces it
                f.findings[k] = x.with_(review=r.as_dict())
                self.matched.add(r.fingerprint)

    def stale(self) -> dict[int, list]:
        """{file index: R001 findings}: the entries of a checked report that no finding matched."""
        self._stale = [r for r in self.reviews.entries
                       if r.fingerprint not in self.matched and r.fingerprint[:8] in self.owner]
        out: dict[int, list] = {}
        if self.rule is not None:
            for r in self._stale:
                i, ident = self.owner[r.fingerprint[:8]]
                out.setdefault(i, []).append(_stale_finding(self.rule, r, ident))
        return out

    def summary(self) -> dict:
        stale = self._stale if self._stale is not None else []
        return {"file": self.reviews.path, "entries": len(self.reviews.entries), "applied": len(self.matched),
                "stale": [r.fingerprint for r in stale],
                "elsewhere": len(self.reviews.entries) - len(self.matched) - len(stale)}


# ------------------------------------------------------------------ editing the file


def add(path, fingerprint: str, reason: str, *, status: str = "accepted", by: str | None = None,
        date: str | None = None, note: str | None = None) -> Review:
    """Append an entry to the reviews file at ``path`` (created when absent), keeping the
    rest of the file as it is; ``note`` becomes a comment above the entry. An entry for
    the same fingerprint is an error (edit the file to change a decision)."""
    path = Path(path)
    doc = _read(path) if path.exists() else None
    seq = _entries(path, doc)
    current = load(path).entries if path.exists() else ()
    if any(r.fingerprint == fingerprint for r in current):
        raise ReviewsError(f"{path}：已有指纹 {fingerprint} 的审核记录（要改变结论，请直接编辑该记录）")
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap()
    entry["fingerprint"] = fingerprint
    entry["status"] = status
    entry["reason"] = reason
    if by:
        entry["by"] = by
    if date:
        entry["date"] = datetime.date.fromisoformat(date)
    checked = _entry(path, len(seq) + 1, None, entry)  # the same rules as load()
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc.get("reviews"), list):
        seq = CommentedSeq()
        doc["reviews"] = seq
    seq.append(entry)
    if note:
        seq.yaml_set_comment_before_after_key(len(seq) - 1, before=note, indent=2)
    _write(path, doc)
    return checked


def remove(path, fingerprints) -> list[Review]:
    """Remove the entries with these fingerprints, keeping the rest of the file; returns them."""
    path = Path(path)
    doc = _read(path)
    seq = _entries(path, doc)
    entries = load(path).entries
    drop = set(fingerprints)
    gone = [r for r in entries if r.fingerprint in drop]
    for i in reversed(range(len(seq))):
        if entries[i].fingerprint in drop:
            del seq[i]
    if gone:
        _write(path, doc)
    return gone


def _write(path: Path, doc) -> None:
    """Write through a temporary file in the same directory, then rename (never a half file)."""
    import os
    import tempfile

    buf = io.StringIO()
    _yaml().dump(doc, buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(buf.getvalue())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:  # as a newly created file would be (mkstemp makes it private)
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
