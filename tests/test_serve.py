"""``validator serve``: the API with Starlette's test client, then a real server on loopback
(a load test and the upload page in headless chromium).

Every check answers what ``validator check`` answers for the same file; uploads never
outlive their request (the temporary directory is empty after each test).
"""
from __future__ import annotations

import concurrent.futures as cf
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="validator serve needs the [serve] extra (pip install -e '.[test]')")
from starlette.testclient import TestClient  # noqa: E402

from validator.outputs import module  # noqa: E402
from validator.run import check_paths  # noqa: E402
from validator.serve import Settings, create_app, safe_name  # noqa: E402

from .conftest import ROOT, SAMPLES, SEED  # noqa: E402

# one xdist worker runs this module (pytest -n with --dist loadgroup, pyproject.toml): its
# module fixtures are built once
pytestmark = pytest.mark.xdist_group("serve")


EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
CHANGED = SAMPLES / "taiqian_2020_changed_cell.txt"
PDF = "014_huaian_hongze_district_gov_2023.pdf"


def rules_of(doc: dict, i: int = 0) -> list[tuple]:
    return sorted((x["rule"], x["severity"], x["table_code"], x["row_code"], x["column_code"])
                  for x in doc["files"][i]["findings"] if x["severity"] != "info")


def expected_rules(name: str) -> list[tuple]:
    return sorted(tuple(x) for x in EXPECTED[name]["findings"])


@pytest.fixture
def tmpdir_env(tmp_path, monkeypatch):
    """The server's TMPDIR: uploads must land under it and be gone afterwards."""
    import tempfile

    d = tmp_path / "tmp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


def client(**settings):
    return TestClient(create_app(Settings(workers=1, **settings)))


@pytest.fixture(scope="module")
def api():
    """One service with the default settings for the tests that need nothing else: each
    service starts a pool of worker processes (a new interpreter importing the pipeline),
    so the tests share one."""
    with client() as c:
        yield c


def files(*paths: Path, field: str = "files"):
    return [(field, (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]


def test_check_answers_what_the_cli_writes(api, tmpdir_env, tmp_path, monkeypatch):
    r = api.post("/api/check", files=files(CHANGED, SEED))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-validator-exit-code"] == "1"
    doc = r.json()
    assert [f["path"] for f in doc["files"]] == [CHANGED.name, SEED.name]  # the client's names, no temp path
    assert rules_of(doc, 0) == expected_rules(CHANGED.name)
    assert rules_of(doc, 1) == expected_rules(SEED.name) == []
    # the same document as `validator check NAME NAME --format json` run where the files are
    monkeypatch.chdir(SAMPLES)
    cli = module("json").render(check_paths([Path(CHANGED.name), Path(SEED.name)]))
    assert r.text == cli
    for fmt, media in (("csv", "text/csv"), ("junit", "application/xml"), ("sarif", "application/sarif+json"),
                       ("html", "text/html")):
        r = api.post(f"/api/check?format={fmt}", files=files(CHANGED))
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), fmt
        want = module(fmt).render(check_paths([Path(CHANGED.name)], keep_cells=fmt == "html"))
        if fmt == "junit":  # when and how long each run took differ between the two runs
            r_text, want = (re.sub(r' (time|timestamp)="[^"]*"', "", x) for x in (r.text, want))
        else:
            r_text = r.text
        assert r_text == want, fmt
    assert list(tmpdir_env.iterdir()) == []


def test_json_answer_matches_the_schema(api, tmpdir_env):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "validator" / "report.schema.json").read_text(encoding="utf-8"))
    doc = api.post("/api/check", files=files(CHANGED)).json()
    jsonschema.validate(doc, schema)


def test_corpus_pdf_table4_errors(api, corpus, tmpdir_env):
    r = api.post("/api/check", files=files(corpus / PDF))
    assert r.status_code == 200
    errors = {(x["rule"], x["table_code"]) for x in r.json()["files"][0]["findings"] if x["severity"] == "error"}
    assert errors and all(t == "t4" for _, t in errors)
    assert list(tmpdir_env.iterdir()) == []


def test_previous_is_used_but_not_reported(api, tmpdir_env):
    r = api.post("/api/check", files=files(CHANGED) + files(SEED, field="previous"))
    assert r.status_code == 200
    assert [f["path"] for f in r.json()["files"]] == [CHANGED.name]


def test_page_bundle_one_check_three_downloads(api, tmpdir_env):
    r = api.post("/api/report", files=files(CHANGED))
    assert r.status_code == 200
    d = r.json()
    assert d["exit_code"] == 1 and d["summary"] == {"passed": 0, "failed": 1, "unreadable": 0}
    assert 'data-table="t3"' in d["html"] and rules_of(json.loads(d["json"])) == expected_rules(CHANGED.name)
    assert d["csv"].lstrip("\ufeff").startswith("path,status,rule")


def test_unreadable_upload_is_unreadable_not_an_http_error(api, tmpdir_env):
    r = api.post("/api/check", files=[("files", ("空白.txt", b"", "text/plain"))])
    assert r.status_code == 200 and r.headers["x-validator-exit-code"] == "2"
    assert r.json()["files"][0]["status"] == "unreadable"


def test_limits(tmpdir_env):
    # no ``with``: no lifespan, so no pool of worker processes to start; every request here
    # is refused before a check (one that reached the pool would fail there, not be a 413)
    c = client(max_bytes=1000, max_files=2)
    r = c.post("/api/check", files=files(SEED))  # the seed is larger than 1000 bytes
    assert r.status_code == 413 and r.json()["code"] == "file_too_large" and SEED.name in r.json()["error"]
    small = [("files", (f"{i}.txt", b"x" * 10, "text/plain")) for i in range(3)]
    r = c.post("/api/check", files=small)
    assert r.status_code == 413 and r.json()["code"] == "too_many_files"
    assert c.post("/api/check", content=b"files=1", headers={"content-type": "application/x-www-form-urlencoded"}
                  ).status_code == 415
    assert c.post("/api/check", files=[("other", ("a.txt", b"x", "text/plain"))]).json()["code"] == "no_files"
    assert c.post("/api/check?format=pdf", files=small[:1]).status_code == 400
    assert c.get("/healthz").json()["status"] == "ok"  # the server lives on
    r = client(max_request_bytes=1000).post("/api/check", files=files(SEED))
    assert r.status_code == 413 and r.json()["code"] == "request_too_large"
    assert list(tmpdir_env.iterdir()) == []


def test_client_names_are_never_paths(api, tmpdir_env, tmp_path):
    data = SEED.read_bytes()
    hostile = ["../../escape.txt", "/etc/passwd", "..\\..\\win.txt", "a\x00b\x1b[31m.txt", " . ", "..", "same.txt",
               "SAME.txt"]
    r = api.post("/api/check", files=[("files", (n, data, "text/plain")) for n in hostile])
    assert r.status_code == 200
    names = [f["path"] for f in r.json()["files"]]
    assert all("/" not in n and "\\" not in n and "\x00" not in n and "\x1b" not in n and n not in ("", "..")
               for n in names)
    assert len(set(n.lower() for n in names)) == len(hostile)
    assert {f["status"] for f in r.json()["files"]} == {"passed"}
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()
    assert list(tmpdir_env.iterdir()) == []


def test_safe_name():
    assert safe_name("../../a/b/报告.pdf", 1) == "报告.pdf"
    assert safe_name("C:\\Users\\x\\2023年报.docx", 1) == "2023年报.docx"
    assert safe_name("..", 3) == "上传文件3"
    long = safe_name("长" * 300 + ".pdf", 1)
    assert len(long) <= 100 and long.endswith(".pdf")


def test_token(tmpdir_env):
    # no ``with``: no pool of worker processes to start. With the token, a request goes on
    # past the token check to the upload's own checks (here: one file too many, 413); the
    # check itself is the one every other test here makes
    c = client(token="s3cret", max_files=1)
    two = files(SEED, CHANGED)
    assert c.post("/api/check", files=two).status_code == 401
    assert c.post("/api/check", files=two, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/rules").status_code == 401
    for headers in ({"Authorization": "Bearer s3cret"}, {"X-Validator-Token": "s3cret"}):
        ok = c.post("/api/check", files=two, headers=headers)
        assert ok.status_code == 413 and ok.json()["code"] == "too_many_files", headers
    assert c.get("/api/rules", headers={"X-Validator-Token": "s3cret"}).status_code == 200
    page = c.get("/")
    assert page.status_code == 200 and 'data-token-required="1"' in page.text
    assert list(tmpdir_env.iterdir()) == []


def test_rules_and_headers(api):
    from validator.rules import load

    rules = api.get("/api/rules").json()
    assert [r["id"] for r in rules] == list(load())
    page = api.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'type="file"' in page.text and 'lang="zh-CN"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing fetched from anywhere
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"


def test_serve_off_loopback_needs_a_token(monkeypatch):
    from click.testing import CliRunner

    from validator.cli import main

    monkeypatch.delenv("VALIDATOR_TOKEN", raising=False)
    r = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 4 and "--token" in r.output  # a usage error (issue 11: exit 4)


def test_the_configuration_applies_to_every_upload(tmpdir_env, tmp_path, monkeypatch):
    """Started where a validator.toml switches T303 off and makes T302 a warning, the service
    checks as `validator check` does there; a broken configuration stops the start (exit 4)."""
    from click.testing import CliRunner

    import validator.serve
    from validator.cli import main

    started = []
    monkeypatch.setattr(validator.serve, "serve", lambda host, port, settings: started.append(settings))
    conf = tmp_path / "validator.toml"
    conf.write_text('[disable]\nT303 = "总计列另行核对"\n\n[severity]\nT302 = "warning"\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["serve", "--config", str(conf)])
    assert r.exit_code == 0, r.output
    (settings,) = started
    with TestClient(create_app(replace(settings, workers=1))) as c:
        doc = c.post("/api/check", files=files(CHANGED)).json()
        severity = {x["id"]: x["severity"] for x in c.get("/api/rules").json()}
    assert rules_of(doc) == [("T301", "error", "t3", None, "natural_person"),
                             ("T302", "warning", "t3", "results.total", "natural_person")]
    assert doc["disabled"] == [{"rule": "T303", "reason": "总计列另行核对"}]
    assert severity["T302"] == "warning"

    conf.write_text("[severity]\nT302 = \"fatal\"\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["serve", "--config", str(conf)])
    assert r.exit_code == 4 and "T302" in r.output and len(started) == 1  # never a service that checks less


def test_bounded_queue_answers_503(tmpdir_env, monkeypatch):
    """With its one worker and its queue of one taken, the service answers every further
    request 503 busy with Retry-After, at once; the two it took are checked; it lives on.
    The pool is a stand-in that holds each job until the test lets it go (so "taken" is a
    state of the test, not a race), in one thread of this process instead of a worker
    process: admission is the application's, whatever runs the checks (the real pool is
    the one of every other test here)."""
    import threading

    import validator.serve

    gate = threading.Event()

    class Held(cf.ThreadPoolExecutor):
        def __init__(self, max_workers, **process_options):  # mp_context, initializer: not for a thread
            super().__init__(max_workers=1)

        def submit(self, fn, *args):
            return super().submit(lambda: (gate.wait(), fn(*args))[1])

    monkeypatch.setattr(validator.serve, "ProcessPoolExecutor", Held)
    data = CHANGED.read_bytes()

    def post(name):
        return c.post("/api/check", files=[("files", (name, data, "application/octet-stream"))])

    with client(queue=1) as c, cf.ThreadPoolExecutor(3) as ex:  # one worker (client), a queue of one
        try:
            taken = [ex.submit(post, f"r{i}.txt") for i in range(2)]
            deadline = time.monotonic() + 60
            while c.get("/healthz").json()["busy"] < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            # refused at once; one taken instead would wait for the gate: a timeout, not a hang
            busy = [ex.submit(post, f"busy{i}.txt").result(timeout=60) for i in range(6)]
        finally:
            gate.set()
        done = [f.result(timeout=300) for f in taken]
        again = post("again.txt")
    assert [r.status_code for r in busy] == [503] * 6
    assert all(int(r.headers["Retry-After"]) > 0 and r.json()["code"] == "busy" for r in busy)
    assert [r.status_code for r in done] == [200, 200]
    assert all(rules_of(r.json()) == expected_rules(CHANGED.name) for r in done)
    assert again.status_code == 200 and rules_of(again.json()) == expected_rules(CHANGED.name)  # it lives on
    assert list(tmpdir_env.iterdir()) == []


# ------------------------------------------------------------------ a real server on loopback


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp: Path, *args: str):
        self.tmp = tmp / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "TMPDIR": str(self.tmp), "PYTHONPATH": str(ROOT)}
        env.pop("VALIDATOR_TOKEN", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "validator", "serve", "--port", str(self.port), *args],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode())
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("validator serve did not answer within 60 s")

    def post(self, uploads: list[tuple[str, bytes]], path: str = "/api/check"):
        b = uuid.uuid4().hex
        body = b"".join(f'--{b}\r\nContent-Disposition: form-data; name="files"; filename="{n}"\r\n'
                        f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
                        for n, data in uploads) + f"--{b}--\r\n".encode()
        req = urllib.request.Request(self.base + path, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={b}"})
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def workers(self) -> list[int]:
        """The server's child processes (its check workers), from /proc."""
        return [int(p) for t in Path(f"/proc/{self.proc.pid}/task").glob("*") for p in (t / "children").read_text().split()]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One real server for the tests on loopback. Stopping it (SIGTERM) must end its worker
    processes too, none left running on its own: checked here, when it stops."""
    s = Server(tmp_path_factory.mktemp("serve"), "--jobs", "2")
    yield s
    workers = s.workers()
    s.stop()
    deadline = time.monotonic() + 10  # a worker looks for its parent once a second
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers and [w for w in workers if Path(f"/proc/{w}").exists()] == []


def test_load_16_concurrent_uploads(server):
    seed, changed = SEED.read_bytes(), CHANGED.read_bytes()
    big = b"0" * (50 * 1024 * 1024 + 1)
    jobs = [[(f"r{i}.txt", changed if i % 2 else seed)] for i in range(16)]

    with cf.ThreadPoolExecutor(16) as ex:
        futures = [ex.submit(server.post, j) for j in jobs]
        oversized = server.post([("big.txt", big)])  # while the 16 are in flight
        answers = [f.result(timeout=600) for f in futures]
    assert oversized[0] == 413 and json.loads(oversized[2])["code"] == "file_too_large"
    for i, (status, headers, body) in enumerate(answers):
        assert status == 200, body[:200]
        doc = json.loads(body)
        assert doc["files"][0]["path"] == f"r{i}.txt"
        assert rules_of(doc) == expected_rules((CHANGED if i % 2 else SEED).name)
    assert list(server.tmp.iterdir()) == []
    # the server process itself holds no report: uploads are on disk, checks in the workers
    assert server.peak_rss_mb() < 300


# ------------------------------------------------------------------ the page in headless chromium


def test_page_in_chromium(server, browser, corpus, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.base + "/", wait_until="load")
    assert page.title() == "政府信息公开工作年度报告检查"
    assert page.locator("#go").is_disabled()

    page.set_input_files("#files", str(corpus / PDF))
    assert PDF in page.locator("#chosen").inner_text()
    page.locator("#go").click()
    frame = page.frame_locator("iframe#report")
    marked = frame.locator('td.cell.err[data-table="t4"]')
    marked.first.wait_for(timeout=240_000)
    assert marked.count() >= 2
    subject = frame.locator('td.cell.err.subject[data-table="t4"]').first
    assert "应为" in subject.inner_text()
    assert "未通过 1" in page.locator("#status").inner_text()

    # the report's own script runs inside the frame (allowed by hash): "在表中标出" marks cells
    frame.locator('li.finding[data-rule^="T4"] button.locate').first.click()
    assert frame.locator("td.cell.focus").count() > 0

    # downloads are made in the page from the one answer; nothing fetched from elsewhere
    for link in ("#dl-html", "#dl-json", "#dl-csv"):
        assert page.locator(link).get_attribute("href").startswith("blob:")
    with page.expect_download() as dl:
        page.locator("#dl-json").click()
    doc = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert doc["files"][0]["path"] == PDF and doc["exit_code"] == 1

    # fits a 1366×768 screen: no horizontal scrolling; the report frame starts in the upper half
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    box = page.locator("iframe#report").bounding_box()
    assert box["y"] < 768 / 2 and box["y"] + box["height"] <= 768
    assert all(u.startswith(server.base) or u.startswith(("blob:", "about:", "data:")) for u in requests)
    assert errors == []
    page.screenshot(path=os.environ.get("SERVE_SHOT") or str(tmp_path / "serve.png"))
    page.close()
    assert list(server.tmp.iterdir()) == []
