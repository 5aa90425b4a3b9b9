"""``validator serve``: the checker as a small web application (Starlette on uvicorn).

* ``GET /``            a page in Chinese: choose or drop report files (and optionally last
                       year's report), see the HTML report, download it as HTML/JSON/CSV;
* ``POST /api/check``  multipart field ``files`` (repeatable), optional ``previous``; query
                       ``format=json|html|sarif|junit|csv`` (default json): the document
                       ``validator check --format FMT`` writes; the exit code in the header
                       ``X-Validator-Exit-Code``;
* ``POST /api/report`` the same check answered as ``{"exit_code", "summary", "html", "json",
                       "csv"}`` (the page: one check, three downloads);
* ``GET /api/rules``   the rule catalogue in force (as ``validator rules --format json``);
* ``GET /healthz``     ``{"status": "ok", ...}``.

Safety. Uploads are streamed: a file part is written straight into a temporary directory
of the request (under ``TMPDIR``) and reading stops being storage as soon as a part passes
the per-file limit of the CLI (413); the directory is removed before the answer is sent.
A client's file name is reduced to a plain name inside that directory (never a path).
Checks run in one pool of worker processes with the CLI's memory limit and per-file time
budget; requests beyond the pool and a bounded queue get 503 with ``Retry-After``. Every
answer carries a strict Content-Security-Policy (no resource from anywhere, inline code
only by hash) and ``nosniff``. Off loopback an API token is required.

Configuration. The service checks as ``validator check`` does in the directory it was
started from: the configuration file (``--config``, else validator.toml / [tool.validator]
found upward) gives the rule catalogue (extra rules, severities, rule settings), the rules
switched off, ``strict``, ``fail-on`` and the reviews file; a wrong one stops the start
(exit 4), never a service that checks less.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

API_FORMATS = {  # format -> media type of the answer
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "sarif": "application/sarif+json",
    "junit": "application/xml",
    "csv": "text/csv; charset=utf-8",
}
TOKEN_ENV = "VALIDATOR_TOKEN"
_NAME_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    max_bytes: int = 50 * 1024 * 1024  # per file, as the CLI (validator.readers.MAX_BYTES)
    max_files: int = 20  # files + previous per request
    max_request_bytes: int = 200 * 1024 * 1024  # a whole request body
    workers: int = 2  # worker processes (the pool of `check -j`)
    queue: int = 32  # requests waiting for a worker beyond those being checked
    budget: float = 60.0  # seconds per file, as `check --time-budget`
    retry_after: int = 10  # seconds, on 503
    # keyword arguments of run.check_paths from the configuration (rules, disabled, fail_on,
    # strict, reviews), handed to every worker once, when it starts
    check: dict = field(default_factory=dict)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_name(name: str | None, n: int) -> str:
    """A client's file name as a plain file name: the last path component, without control
    or shell-special characters, at most 100 characters (the suffix kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _NAME_BAD.sub("_", name).strip(" .")
    if len(name) > 100:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 90] + dot + suffix[:9]) if dot and len(suffix) < 10 else name[:100]
    return name or f"上传文件{n}"


# ------------------------------------------------------------------ work done in the worker processes


_CHECK: dict = {}  # the worker's Settings.check, set by _worker_start


def _worker_start(check: dict) -> None:
    from .run import _worker_init

    _worker_init()
    _CHECK.update(check)


def _warm() -> int:
    """Import the pipeline once in a new worker (the first clerk does not wait for it)."""
    from . import engine, rules, run  # noqa: F401
    from .outputs import csv, html, json as json_out  # noqa: F401

    rules.load()
    return os.getpid()


def _unreadable_result(names: list[str], reason: str, detail: str):
    from .run import FileResult, Result

    return Result([FileResult(n, "unreadable", reason=reason, detail=detail) for n in names])


def _render(result, formats: tuple[str, ...]) -> dict:
    from .outputs import module

    out = {fmt: module(fmt).render(result) for fmt in formats}
    return {"exit_code": result.exit_code, "outputs": out,
            "summary": {s: sum(f.status == s for f in result.files) for s in ("passed", "failed", "unreadable")}}


def job(workdir: str, files: list[str], previous: list[str], formats: tuple[str, ...], budget: float,
        strict: bool = False) -> dict:
    """One request's check, in a worker process: ``validator check`` of the uploaded files
    (names relative to ``workdir``, so every output names them as the client did)."""
    from .run import check_paths

    options = {**_CHECK, "strict": strict or _CHECK.get("strict", False)}  # ?strict=1 can only add checks
    here = os.getcwd()
    os.chdir(workdir)
    try:
        result = check_paths([Path(f) for f in files], previous=[Path(p) for p in previous], jobs=1, budget=budget,
                             keep_cells="html" in formats, **options)
        return _render(result, formats)
    finally:
        os.chdir(here)


# ------------------------------------------------------------------ uploads


class UploadError(Exception):
    def __init__(self, status: int, message: str, code: str):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class _Upload:
    """python-multipart callbacks writing the file parts of one request into ``directory``."""

    def __init__(self, directory: Path, settings: Settings):
        self.dir, self.s = directory, settings
        self.files: list[str] = []
        self.previous: list[str] = []
        self.names: set[str] = set()
        self._field = self._value = b""
        self._headers: dict[bytes, bytes] = {}
        self._out = None
        self._size = 0
        self._client_name = ""

    # header callbacks
    def on_part_begin(self) -> None:
        self._headers, self._out, self._size = {}, None, 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        field = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options or field not in ("files", "previous"):
            return  # other fields and parts are read past, never stored
        if len(self.files) + len(self.previous) >= self.s.max_files:
            raise UploadError(413, f"一次最多上传 {self.s.max_files} 个文件", "too_many_files")
        client = options[b"filename"].decode("utf-8", "replace")
        name = safe_name(client, len(self.names) + 1)
        stem, dot, suffix = name.rpartition(".")
        k = 2
        while name.lower() in self.names:  # the same name twice: 报告(2).pdf
            name = f"{stem}({k}){dot}{suffix}" if dot else f"{suffix}({k})"
            k += 1
        self.names.add(name.lower())
        path = self.dir / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        self._out = os.fdopen(fd, "wb")
        self._client_name = name
        (self.files if field == "files" else self.previous).append(name)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._out is None:
            return
        self._size += end - start
        if self._size > self.s.max_bytes:
            from .readers import size_text

            self.close()
            raise UploadError(413, f"{self._client_name}：文件过大（上限 {size_text(self.s.max_bytes)}）", "file_too_large")
        self._out.write(data[start:end])

    def on_part_end(self) -> None:
        self.close()

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


async def receive_files(request, directory: Path, settings: Settings) -> _Upload:
    """Stream the multipart body of ``request`` into ``directory``. Raises UploadError.

    Beyond the per-file limit the rest of the body is read and discarded (up to the request
    limit), so that the client, which is still sending, receives the 413 instead of a reset."""
    from python_multipart import MultipartParser
    from python_multipart.multipart import parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise UploadError(415, "请用 multipart/form-data 上传文件（字段名 files）", "not_multipart")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > settings.max_request_bytes:
        from .readers import size_text

        raise UploadError(413, f"上传内容过大（一次上限 {size_text(settings.max_request_bytes)}）", "request_too_large")
    upload = _Upload(directory, settings)
    cb = {k: getattr(upload, k) for k in ("on_part_begin", "on_part_data", "on_part_end", "on_header_field",
                                           "on_header_value", "on_header_end", "on_headers_finished")}
    parser = MultipartParser(boundary, cb)
    total, failure = 0, None
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > settings.max_request_bytes:
                from .readers import size_text

                failure = failure or UploadError(413, f"上传内容过大（一次上限 {size_text(settings.max_request_bytes)}）",
                                                 "request_too_large")
                break  # stop reading: the connection is closed after the answer
            if failure is not None:
                continue  # drain: read and discard
            try:
                parser.write(chunk)
            except UploadError as e:
                failure = e
            except Exception as e:  # a malformed body
                failure = UploadError(400, f"上传内容格式有误：{type(e).__name__}", "bad_multipart")
        if failure is None:
            parser.finalize()
    finally:
        upload.close()
    if failure is not None:
        raise failure
    if not upload.files:
        raise UploadError(400, "没有收到报告文件（字段名 files）", "no_files")
    return upload


# ------------------------------------------------------------------ the page


def _page_assets():
    from importlib.resources import files

    text = files("validator").joinpath("serve_page.html").read_text(encoding="utf-8")
    return text


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _inline(page: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.S)


def csp(page: str) -> str:
    """A policy allowing no resource from anywhere and only the inline style and script of
    the page and of the HTML report (by hash): a file's content can never run code."""
    from .outputs import html

    styles = " ".join(_sha(s) for s in [*_inline(page, "style"), html.CSS])
    scripts = " ".join(_sha(s) for s in [*_inline(page, "script"), html.JS])
    return (f"default-src 'none'; style-src {styles}; script-src {scripts}; img-src data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'self'; frame-src 'self' blob:")


# ------------------------------------------------------------------ the application


def create_app(settings: Settings | None = None):
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    s = settings or Settings()
    page = _page_assets().replace("__TOKEN_REQUIRED__", "1" if s.token else "0").replace(
        "__MAX_FILES__", str(s.max_files)).replace("__MAX_MB__", str(s.max_bytes // (1024 * 1024)))
    policy = csp(page)
    state = {"pool": None, "busy": 0}

    def new_pool() -> ProcessPoolExecutor:
        import multiprocessing as mp

        extra = {"max_tasks_per_child": 200} if sys.version_info >= (3, 11) else {}
        return ProcessPoolExecutor(max_workers=s.workers, mp_context=mp.get_context("spawn"),
                                   initializer=_worker_start, initargs=(s.check,), **extra)

    @asynccontextmanager
    async def lifespan(app):
        state["pool"] = new_pool()
        for _ in range(s.workers):
            state["pool"].submit(_warm)
        try:
            yield
        finally:
            state["pool"].shutdown(wait=False, cancel_futures=True)

    def error(status: int, message: str, code: str, headers: dict | None = None):
        return JSONResponse({"error": message, "code": code}, status_code=status, headers=headers)

    def authorised(request) -> bool:
        if not s.token:
            return True
        got = request.headers.get("authorization", "")
        got = got[7:] if got[:7].lower() == "bearer " else request.headers.get("x-validator-token", "")
        return hmac.compare_digest(got.encode(), s.token.encode())

    async def drain(request) -> None:
        """Read and discard a body that will not be used (bounded), so that a client still
        sending it receives the answer instead of a reset connection."""
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > s.max_request_bytes:
            return
        n = 0
        async for chunk in request.stream():
            n += len(chunk)
            if n > s.max_request_bytes:
                return

    async def run_check(request, formats: tuple[str, ...]):
        """Admit the request, stream its files into a temporary directory, check them in the
        pool; the directory is gone when this returns. Returns (rendered dict | error Response)."""
        if not authorised(request):
            await drain(request)
            return error(401, "需要访问令牌（Authorization: Bearer 令牌）", "unauthorised",
                         {"WWW-Authenticate": "Bearer"})
        if state["busy"] >= s.workers + s.queue:
            await drain(request)
            return error(503, "服务器正忙，请稍后再试", "busy", {"Retry-After": str(s.retry_after)})
        state["busy"] += 1
        directory = Path(tempfile.mkdtemp(prefix="validator-serve-"))
        try:
            try:
                upload = await receive_files(request, directory, s)
            except UploadError as e:
                return error(e.status, e.message, e.code)
            strict = request.query_params.get("strict") in ("1", "true", "yes")
            pool = state["pool"]
            try:
                future = pool.submit(job, str(directory), upload.files, upload.previous, formats, s.budget, strict)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:  # a worker died (memory limit, crash): as the CLI, the files are unreadable
                if state["pool"] is pool:  # the first request to see it replaces the pool
                    state["pool"] = new_pool()
                    pool.shutdown(wait=False, cancel_futures=True)
                result = _unreadable_result(upload.files, "读取该文件的进程异常退出（文件可能过大或已损坏）",
                                            "worker process died")
                return _render(result, formats)
        finally:
            state["busy"] -= 1
            shutil.rmtree(directory, ignore_errors=True)

    async def api_check(request):
        fmt = request.query_params.get("format", "json")
        if fmt not in API_FORMATS:
            return error(400, f"format 只能是 {'、'.join(API_FORMATS)}", "bad_format")
        got = await run_check(request, (fmt,))
        if isinstance(got, Response):
            return got
        body = got["outputs"][fmt]
        return Response(body if isinstance(body, bytes) else body.encode("utf-8"), media_type=API_FORMATS[fmt],
                        headers={"X-Validator-Exit-Code": str(got["exit_code"])})

    async def api_report(request):
        got = await run_check(request, ("html", "json", "csv"))
        if isinstance(got, Response):
            return got
        return JSONResponse({"exit_code": got["exit_code"], "summary": got["summary"], **got["outputs"]})

    async def api_rules(request):
        if not authorised(request):
            return error(401, "需要访问令牌（Authorization: Bearer 令牌）", "unauthorised",
                         {"WWW-Authenticate": "Bearer"})
        from .ruledoc import records
        from .rules import load

        return JSONResponse(records(s.check.get("rules") or load()))

    async def healthz(request):
        from . import __version__

        return JSONResponse({"status": "ok", "version": __version__, "busy": state["busy"],
                             "capacity": s.workers + s.queue})

    async def index(request):
        return HTMLResponse(page)

    app = Starlette(routes=[Route("/", index), Route("/api/check", api_check, methods=["POST"]),
                            Route("/api/report", api_report, methods=["POST"]),
                            Route("/api/rules", api_rules), Route("/healthz", healthz)], lifespan=lifespan)
    extra = [(b"content-security-policy", policy.encode()), (b"x-content-type-options", b"nosniff"),
             (b"referrer-policy", b"no-referrer"), (b"cache-control", b"no-store")]

    async def with_headers(scope, receive, send):
        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await app(scope, receive, send_with_headers if scope["type"] == "http" else send)

    return with_headers


def serve(host: str, port: int, settings: Settings) -> None:
    import uvicorn

    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", timeout_keep_alive=5,
                server_header=False)
