"""What several test modules share: private copies of the demo data, users and signed-in clients,
reading facts back from the warehouse, and small real-shaped scheduler instances. Test modules import
from here, never from each other."""

from __future__ import annotations

import email
import email.policy
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hamkor.accounts.service import Accounts
from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.trade.warehouse import Warehouse

PASSWORD = "correct horse battery staple"
# The demo's "now" for tests: a morning of the week before its mission, requests still open (the deadline
# is 10 December 2026), its commitment due at the end of the month. Tests pass it as the app's clock so that
# what is pending, due or overdue does not change with the day they run.
DEMO_NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


class Clock:
    """A clock a test moves by hand (`clock.at = …`), passed as the app's or a service's "now"."""

    def __init__(self, at: datetime = DEMO_NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def deliver(app) -> None:
    """Send what the outbox holds now (the mail worker's pass, without waiting for it)."""
    app.state.web.services.outbox.send_due()


def mails_to(inbox, address: str) -> list:
    """The messages the loopback SMTP server received for this address, parsed."""
    return [email.message_from_string(raw, policy=email.policy.default) for to, raw in inbox.messages
            if address in to]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


FACT_FIELDS = "reporter, partner, flow, year, month, commodity_code, nomenclature, value_usd, net_kg, qty, qty_unit"


def copy_of_demo(demo_settings: Settings, tmp_path_factory, name: str) -> Path:
    """A private copy of the demo data directory: a test module may write there without touching others."""
    folder = tmp_path_factory.mktemp(name)
    for file in ("hamkor.sqlite3", "warehouse.duckdb"):
        shutil.copy(demo_settings.data_dir / file, folder / file)
    return folder


def add_users(settings: Settings, users: list[tuple[str, str, int | None]]) -> dict[str, str]:
    """(e-mail, role, company) accounts with PASSWORD; returns an API token per e-mail."""
    db = Database(settings)
    db.upgrade()
    accounts = Accounts(db)
    tokens = {}
    for address, role, company in users:
        user = accounts.create_user(address, PASSWORD, role, company_id=company)
        tokens[address] = accounts.create_token(user.id, "tests")
    db.dispose()
    return tokens


def signed_in(app, email: str):
    """A test client signed in through the sign-in form, as a browser would."""
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = csrf_of(client, "/signin")
    response = client.post("/signin", data={"email": email, "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    # As a page's script would: calls to the JSON API with this cookie carry the session's CSRF token.
    client.headers["X-CSRF-Token"] = csrf_of(client, "/account")
    return client


def csrf_of(client, path: str = "/") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def problem_text(response) -> str:
    """The reasons of a JSON problem answer, joined: what a client shows its user."""
    problem = response.json()
    return "; ".join(p["reason"] for p in problem["fields"]) or problem["detail"]


def warehouse_rows(settings: Settings) -> int:
    with Warehouse(settings).reader() as con:
        return con.execute("SELECT count(*) FROM trade_flow").fetchone()[0]


def batch_facts(settings: Settings, batch_id: int, order: str = "month, commodity_code", width: int = 11) -> list:
    """The facts of one batch as tuples of the first `width` fact fields."""
    fields = ", ".join(FACT_FIELDS.split(", ")[:width])
    with Warehouse(settings).reader() as con:
        return con.execute(f"SELECT {fields} FROM trade_flow WHERE batch_id = ? ORDER BY {order}",
                           [batch_id]).fetchall()


def scheduler_event(seed, visitors=6, hosts=6, requests=14, slots=3, tables=2, interpreters=1, windows=True) -> dict:
    """A small B2B event in the scheduler's instance format: two sides, language pairs, availability
    windows and blocked slots drawn from `seed`."""
    rng = random.Random(seed)
    ids = [f"s{i}" for i in range(slots)]
    people = []
    for prefix, count, languages in (("v", visitors, ["uz", "ru"]), ("h", hosts, ["ru", "en"])):
        for n in range(count):
            spoken = [languages[0]] + ([languages[1]] if rng.random() < 0.4 else [])
            person = {"id": f"{prefix}{n}", "languages": spoken}
            if windows and rng.random() < 0.4:
                person["available"] = rng.sample(ids, rng.randint(1, slots))
            if rng.random() < 0.15:
                person["blocked"] = [rng.choice(ids)]
            people.append(person)
    pairs = rng.sample([(f"v{a}", f"h{b}") for a in range(visitors) for b in range(hosts)], requests)
    return {"slots": [{"id": s} for s in ids], "tables": tables,
            "interpreters": [{"languages": ["uz", "ru"], "count": interpreters}], "participants": people,
            "requests": [{"id": f"r{n}", "a": a, "b": b, "priority": rng.choice(["must", "should", "could"])}
                         for n, (a, b) in enumerate(pairs)]}


class LiveServer:
    """The app served by uvicorn on a free loopback port in a thread, with the options `hamkor serve` uses
    (some changed by the test): what an attacker's raw socket meets."""

    def __init__(self, app, **options) -> None:
        import socket

        import uvicorn

        from hamkor.web.server import uvicorn_options

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        settings = app.state.web.settings
        config = {**uvicorn_options(settings), "log_level": "error", **options}
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, **config))

    def __enter__(self) -> LiveServer:
        import threading
        import time

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

# -- hostile files (issue 25, point 3) ------------------------------------------------------------------

# A companies table and an FTS partners workbook (its two sheets) as small as they come.
COMPANIES_SHEETS = {"companies": [["name_en", "country"], ["Acme Trading", "UZ"]]}
PARTNERS_SHEETS = {"Экспорт": [["Экспорт Российской Федерации"], ["(млн долларов США)"], [None, "Китай", "Узбекистан"],
                               [2021], ["январь", 100.0, 12.5]],
                   "Импорт": [[None, "Китай", "Узбекистан"], [2021], ["январь", 50.0, 5.0]]}

def workbook_with(path: Path, sheets: dict[str, list[list]], cells: dict[str, object] | None = None) -> Path:
    """An XLSX of a few rows per sheet; `cells` ("XFD1048576": "x") are set on the first sheet besides,
    and openpyxl then declares the sheet's dimension up to the farthest of them."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    for reference, value in (cells or {}).items():
        book.worksheets[0][reference] = value
    book.save(path)
    return path


def declaring(path: Path, dimension: str) -> Path:
    """The workbook with every sheet declaring `dimension` (A1:XFD1048576), whatever it holds."""
    import zipfile

    parts = {}
    with zipfile.ZipFile(path) as source:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), body)
                if b"<dimension" not in body:
                    body = body.replace(b"<sheetData", f'<dimension ref="{dimension}"/><sheetData'.encode(), 1)
            parts[info.filename] = body
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, body in parts.items():
            target.writestr(name, body)
    return path


def zip_bomb_workbook(path: Path, template: Path, mib: int = 3 << 10) -> Path:
    """`template` (an XLSX) whose first sheet's one text cell unpacks to `mib` MiB (3 GiB: a file of 3 MB).

    Deflate reaches about 1000 to 1: a megabyte of one letter packs into a kilobyte, ended with a full
    flush so that the packed kilobyte can be repeated as it is. The archive is written by hand (zipfile
    would deflate every gigabyte), and stays a valid one: its sizes and checksum are the true ones."""
    import struct
    import zipfile
    import zlib

    with zipfile.ZipFile(template) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    head = parts[sheet].split(b"<sheetData")[0] + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    tail = b"</t></is></c></row></sheetData></worksheet>"
    unit, repeats = b"A" * (1 << 20), mib
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_head = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    packed_unit = deflate.compress(unit) + deflate.flush(zlib.Z_FULL_FLUSH)
    packed_tail = deflate.compress(tail) + deflate.flush()
    checksum = zlib.crc32(head)
    for _ in range(repeats):
        checksum = zlib.crc32(unit, checksum)
    checksum = zlib.crc32(tail, checksum)
    size = len(head) + len(unit) * repeats + len(tail)
    packed_size = len(packed_head) + len(packed_unit) * repeats + len(packed_tail)
    directory = []
    with open(path, "wb") as out:
        def member(name: bytes, crc: int, packed: int, unpacked: int) -> None:
            directory.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, packed,
                                         unpacked, len(name), 0, 0, 0, 0, 0, out.tell()) + name)
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, packed, unpacked,
                                  len(name), 0) + name)

        for name, body in parts.items():
            if name == sheet:
                member(name.encode(), checksum, packed_size, size)
                out.write(packed_head)
                for _ in range(repeats):
                    out.write(packed_unit)
                out.write(packed_tail)
            else:
                packer = zlib.compressobj(9, zlib.DEFLATED, -15)
                packed = packer.compress(body) + packer.flush()
                member(name.encode(), zlib.crc32(body), len(packed), len(body))
                out.write(packed)
        start = out.tell()
        out.write(b"".join(directory))
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory),
                              out.tell() - start, start, 0))
    return path


def one_line_file(path: Path, megabytes: int = 100, header: str = "") -> Path:
    """A text file of `header` and then one line of `megabytes` MB with no break, written in pieces."""
    piece = "abcdefghij" * 100_000
    with open(path, "w", encoding="utf-8") as out:
        out.write(header)
        for _ in range(megabytes):
            out.write(piece)
    return path


def hostile_files(folder: Path) -> dict[tuple[str, str], Path]:
    """(import, what) -> a file: each import's small valid file beside its hostile ones (a cell at
    XFD1048576, which makes openpyxl declare A1:XFD1048576; a zip bomb; a 100 MB single line)."""
    companies = workbook_with(folder / "companies.xlsx", COMPANIES_SHEETS)
    partners = workbook_with(folder / "96stran.xlsx", PARTNERS_SHEETS)
    last_cell = {"XFD1048576": "x"}
    return {
        ("companies", "valid"): companies,
        ("companies", "dimension"): workbook_with(folder / "companies-xfd.xlsx", COMPANIES_SHEETS, last_cell),
        ("companies", "bomb"): zip_bomb_workbook(folder / "companies-bomb.xlsx", companies),
        ("fts-partners", "valid"): partners,
        ("fts-partners", "dimension"): workbook_with(folder / "partners-xfd.xlsx", PARTNERS_SHEETS, last_cell),
        ("fts-partners", "bomb"): zip_bomb_workbook(folder / "partners-bomb.xlsx", partners),
        ("fts-national", "line"): one_line_file(folder / "national-line.csv"),
    }


# -- memory of a child process ------------------------------------------------------------------------

# What a child whose memory is measured may take: past it a regression fails with MemoryError (or is stopped
# at its CPU time), instead of taking the memory of a machine others share. The ceiling is on the memory a
# process writes (RLIMIT_DATA), not on its address space: the server's chart engine (V8) reserves gigabytes
# of address space it never touches.
CHILD_MEMORY = 4 << 30
CHILD_CPU_SECONDS = 300


def bounded_child() -> None:
    """Run in a child before it starts (preexec_fn): its ceilings of memory and time."""
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (CHILD_MEMORY, CHILD_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS))


def hamkor_command(*args) -> list[str]:
    return [sys.executable, "-m", "hamkor", *map(str, args)]


def child_environment() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "250"}  # Rich folds what it prints to a file at 80 columns otherwise


def run_measured(*args) -> tuple[int, str, int]:
    """`hamkor *args` in a child process: its exit status, what it printed, and its peak resident memory in
    MiB, as the kernel counted it for that one child (wait4)."""
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(hamkor_command(*args), stdout=output, stderr=subprocess.STDOUT,
                                 env=child_environment(), preexec_fn=bounded_child)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        return child.returncode, output.read().decode("utf-8", "replace"), usage.ru_maxrss // 1024


def memory_of(pid: int) -> dict[str, int]:
    """A live process's resident memory now (VmRSS) and at its peak (VmHWM), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {name: int(re.search(rf"{name}:\s+(\d+) kB", status).group(1)) // 1024 for name in ("VmRSS", "VmHWM")}


def peak_growth(pid: int, action) -> tuple[object, int]:
    """What `action()` returns, and how far the process's resident memory rose above its level before it, in
    MiB: the kernel's peak mark is reset first (clear_refs), so an earlier peak does not count."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = memory_of(pid)["VmRSS"]
    result = action()
    return result, memory_of(pid)["VmHWM"] - before


def filled(client, url: str, attempts: int = 100):
    """A page that shows at once and fills in (Opportunities over a large world matrix), as the browser's
    refresh would follow it: asked again until it is no longer pending."""
    import time

    for _ in range(attempts):
        answer = client.get(url)
        if 'id="pending"' not in answer.text:
            return answer
        time.sleep(0.2)
    raise AssertionError(f"{url} stayed pending")
