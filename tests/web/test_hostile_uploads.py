"""Hostile files uploaded to a running server (issue 25, point 3): the companies import page and the import
API, at full size, against `hamkor serve` in a child process whose resident memory the kernel counts. Each
upload is refused with its reason in the reader's language, changes nothing, and raises the server's peak
memory less than 300 MiB above its level before the upload; what the history keeps and returns is short.

Before the limits, the workbook reaching XFD1048576 took the server to 20 GB, the zip bomb added 3.6 GiB,
and the 100 MB line stored some 525 MB of report, which `GET /api/v1/imports` then returned.
"""

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hamkor.companies.registry import Registry
from hamkor.config import Settings
from hamkor.store.db import Database
from tests.helpers import (
    PASSWORD,
    add_users,
    bounded_child,
    child_environment,
    csrf_of,
    hamkor_command,
    hostile_files,
    memory_of,
    peak_growth,
)

pytestmark = pytest.mark.slow  # a server process, files that unpack to gigabytes or hold 100 MB

MAX_GROWTH_MIB = 300
ADMIN = "admin@hostile.example.org"
# What the reader is told (the account's language is Russian), and what the API's English report says.
REASONS_RU = {"dimension": "таблица продолжается дальше строки 20000",
              "bomb": "распаковывается в 3072 МБ, а часть может занимать не больше 64 МБ"}
REASONS_EN = {"dimension": "1048576: the table goes on past row 100000",
              "bomb": "unpacks to 3072 MB, more than the 64 MB a part may have",
              "line": "line 1: the line is 100.0 MB long"}


@dataclass
class Server:
    pid: int
    url: str
    settings: Settings
    token: str
    files: dict


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile-web")
    settings = Settings(data_dir=data / "data")
    token = add_users(settings, [(ADMIN, "admin", None)])[ADMIN]
    folder = data / "files"
    folder.mkdir()
    files = hostile_files(folder)
    port = _free_port()
    with open(data / "server.log", "wb") as log:
        child = subprocess.Popen(hamkor_command("--data-dir", settings.data_dir, "serve", "--port", port),
                                 stdout=log, stderr=subprocess.STDOUT, env=child_environment(),
                                 preexec_fn=bounded_child)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(child, url, data / "server.log")
            running = Server(child.pid, url, settings, token, files)
            # Each kind of import once with a valid file: what a first import loads (openpyxl, the
            # warehouse's writer) is the server's level at rest, not the hostile file's doing.
            assert _companies_upload(running, files["companies", "valid"]).status_code == 200
            assert _api_upload(running, "fts-partners", files["fts-partners", "valid"])["result"]["status"] == "loaded"
            yield running
        finally:
            child.terminate()
            child.wait(30)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(child, url: str, log: Path) -> None:
    for _ in range(600):
        assert child.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{url}/signin", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not start: " + log.read_text()[-3000:])


def _companies_upload(server: Server, path: Path) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=120) as client:
        response = client.post("/signin", data={"email": ADMIN, "password": PASSWORD,
                                                 "csrf": csrf_of(client, "/signin")})
        assert response.status_code == 303, response.text
        with open(path, "rb") as handle:
            return client.post("/companies-import", data={"csrf": csrf_of(client, "/companies-import")},
                               files={"file": (path.name, handle)})


def _api_upload(server: Server, kind: str, path: Path) -> dict:
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client, open(path, "rb") as handle:
        response = client.post("/api/v1/imports", data={"kind": kind}, files={"file": (path.name, handle)})
        assert response.status_code == 202, response.text
        job = response.json()
        for _ in range(1200):
            if job["status"] in ("done", "failed"):
                return job
            time.sleep(0.1)
            job = client.get(f"/api/v1/jobs/{job['id']}").json()
    raise AssertionError(f"the import did not end: {job}")


def _companies(server: Server) -> int:
    db = Database(server.settings)
    try:
        return len(Registry(db).all())
    finally:
        db.dispose()


@pytest.mark.parametrize("hostile", ["dimension", "bomb"])
def test_the_companies_page_refuses_a_hostile_workbook_in_bounded_memory(server, hostile):
    before = _companies(server)
    response, growth = peak_growth(server.pid, lambda: _companies_upload(server, server.files["companies", hostile]))
    assert response.status_code == 422 and REASONS_RU[hostile] in response.text, response.text[-3000:]
    assert "ничего не загружено" in response.text  # "nothing was imported"
    assert f"<p>{server.files['companies', hostile].name}:" in response.text  # the person's file, not our copy
    assert _companies(server) == before
    assert growth < MAX_GROWTH_MIB, (hostile, growth, memory_of(server.pid))


@pytest.mark.parametrize(("kind", "hostile"), [("fts-partners", "dimension"), ("fts-partners", "bomb"),
                                               ("fts-national", "line")])
def test_the_import_api_refuses_a_hostile_file_in_bounded_memory(server, kind, hostile):
    job, growth = peak_growth(server.pid, lambda: _api_upload(server, kind, server.files[kind, hostile]))
    # the job fails (a script polling it stops at `failed`), and keeps the file's problems
    assert job["status"] == "failed" and job["result"]["status"] == "rejected", job
    assert job["message"] == "The file was refused: nothing was loaded.", job
    [problem] = job["result"]["problems"]
    assert REASONS_EN[hostile] in problem and len(problem) < 300
    history = httpx.get(f"{server.url}/api/v1/imports", headers={"Authorization": f"Bearer {server.token}"})
    refused = history.json()[0]
    assert refused["id"] == job["result"]["batch"] and refused["status"] == "rejected"
    assert refused["rows_loaded"] == 0 and len(refused["error_summary"]) < 300
    assert len(history.content) < 10_000  # was 210 MB after the 100 MB line
    assert growth < MAX_GROWTH_MIB, (hostile, growth, memory_of(server.pid))


def test_the_companies_page_shows_the_first_problems_and_counts_the_rest(server, tmp_path):
    many = tmp_path / "many.csv"
    many.write_text("name_en,country\n" + "".join(f"Firm {n},{'Q' * 5000}\n" for n in range(1000)), encoding="utf-8")
    response = _companies_upload(server, many)
    assert response.status_code == 422 and response.text.count("неизвестная страна") == 100
    assert "… и ещё ошибок: 900" in response.text and len(response.content) < 200_000
