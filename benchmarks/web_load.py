"""Benchmark: the web app under load on loopback (a real uvicorn server, 20 concurrent clients), while it
imports a file.

    python benchmarks/web_load.py [--clients 20] [--seconds 30] [--workers 1] [--import-rows 2000000]

Builds the demo data in a temporary directory, starts `uvicorn` in its own process, then loads it with
wrk (or, without wrk, an asyncio + httpx generator; bounded in time, loopback only): one phase per
target, 20 clients on the dashboard page (signed-in cookie), then 20 on the API summary (bearer token).
Each phase has two halves: the first with the server idle otherwise; in the second, import jobs run in
the same server one after another (FTS regional files of --import-rows rows, uploaded through the API,
as an analyst would), and the share of the half they covered is printed. Targets (issue 17): dashboard
p95 < 100 ms and API summary p95 < 50 ms in both halves, zero errors; requests/s reported.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_fts_regional import generate  # noqa: E402 - the benchmarks folder is not a package

IMPORT_FILES = 8  # distinct files, so that no upload is a duplicate of one loaded before

PERIOD = "2025-01..2025-09"
DASHBOARD = f"/?reporter=RU-ALT&partner=UZ&period={PERIOD}"
SUMMARY = f"/api/v1/trade/summary?reporter=RU-ALT&partner=UZ&period={PERIOD}"


WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def run_wrk(base: str, path: str, header: str, clients: int, seconds: float, folder: str) -> dict:
    """wrk (C, from Debian) loads the server far more lightly than a Python client would."""
    script = Path(folder) / "report.lua"
    script.write_text(WRK_SCRIPT)
    output = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{int(seconds)}s", "-H", header,
                             "-s", str(script), base + path], capture_output=True, text=True, check=True).stdout
    requests, socket_errors, status_errors, duration, p50, p95 = next(
        line for line in output.splitlines() if line.startswith("WRK ")).split()[1:]
    return {"requests": int(requests), "errors": int(socket_errors) + int(status_errors),
            "rate": int(requests) / float(duration), "p50": float(p50) / 1000, "p95": float(p95) / 1000}


class ImportsInBackground(threading.Thread):
    """Uploads the files through the API one after another, each followed until its job ends, until told to
    stop; remembers when each (upload and job) ran."""

    def __init__(self, base: str, token: str, files: list[Path]) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.files = base, token, files
        self.stop = threading.Event()
        self.spans: list[tuple[float, float]] = []
        self.jobs: list[dict] = []
        self.problem: str | None = None

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.token}"},
                          timeout=600) as client:
            for path in self.files:
                if self.stop.is_set():
                    return
                started = time.perf_counter()
                with path.open("rb") as handle:
                    response = client.post("/api/v1/imports", data={"kind": "fts-regional"},
                                           files={"file": (path.name, handle, "text/csv")})
                if response.status_code != 202:
                    self.problem = f"upload refused: {response.status_code} {response.text[:300]}"
                    return
                job = response.json()
                while job["status"] not in ("done", "failed"):
                    time.sleep(0.2)
                    job = client.get(f"/api/v1/jobs/{job['id']}").json()
                self.spans.append((started, time.perf_counter()))
                self.jobs.append(job)

    def covered(self, start: float, end: float) -> float:
        """The share of [start, end] during which an import was uploading or running."""
        busy = sum(max(0.0, min(end, b) - max(start, a)) for a, b in self.spans)
        if self.is_alive() and len(self.spans) < len(self.files):  # the one still running
            last = self.spans[-1][1] if self.spans else start
            busy += max(0.0, end - max(start, last))
        return busy / (end - start)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def client_loop(base: str, target: tuple, until: float, results: dict) -> None:
    name, path, headers, cookies = target
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers, cookies=cookies) as client:
        while time.perf_counter() < until:
            if True:
                start = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                results[name].append(time.perf_counter() - start)
                if not ok:
                    results["errors"] += 1


async def load(base: str, target: tuple, clients: int, seconds: float, results: dict) -> float:
    """One phase: every client asks for the same target until the time is up."""
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(client_loop(base, target, until, results) for _ in range(clients)))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--import-rows", type=int, default=2_000_000,
                        help="rows of each FTS file imported during the second half of each phase")
    args = parser.parse_args()

    from hamkor.accounts.service import Accounts
    from hamkor.config import Settings
    from hamkor.demo.build import build_demo
    from hamkor.store.db import Database

    with tempfile.TemporaryDirectory(prefix="hamkor-load-") as folder:
        settings = Settings(data_dir=Path(folder))
        build_demo(settings)
        db = Database(settings)
        accounts = Accounts(db)
        user = accounts.create_user("load@example.org", "load test password", "analyst")
        token = accounts.create_token(user.id, "load")
        db.dispose()
        # Enough files to keep the server importing through both phases' second halves.
        files = []
        for number in range(IMPORT_FILES):
            path = Path(folder) / f"DATTSVT-{number}.csv"
            generate(path, args.import_rows, first=number * args.import_rows)
            files.append(path)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "HAMKOR_DATA_DIR": folder}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "hamkor.web.server:app_from_environment", "--host",
             "127.0.0.1", "--port", str(port), "--workers", str(args.workers), "--log-level", "warning"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            with httpx.Client(base_url=base) as client:
                form = client.get("/signin")
                csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
                client.post("/signin", data={"email": "load@example.org", "password": "load test password",
                                             "csrf": csrf})
                cookie = client.cookies["hamkor_session"]
                for path in (DASHBOARD, SUMMARY):  # warm caches and the chart engine before timing
                    client.get(path, headers={"Authorization": f"Bearer {token}"})
            targets = (("dashboard", DASHBOARD, f"Cookie: hamkor_session={cookie}"),
                       ("api summary", SUMMARY, f"Authorization: Bearer {token}"))
            measured, coverage = {}, {}
            pending = list(files)
            for name, path, header in targets:
                half = args.seconds / 2
                measured[name] = {"idle": measure(base, name, path, header, args.clients, half, folder, cookie)}
                importer = ImportsInBackground(base, token, pending)
                importer.start()
                started = time.perf_counter()
                measured[name]["importing"] = measure(base, name, path, header, args.clients, half, folder,
                                                      cookie)
                coverage[name] = importer.covered(started, time.perf_counter())
                importer.stop.set()
                importer.join()
                if importer.problem:
                    raise SystemExit(importer.problem)
                pending = pending[len(importer.jobs):]
                coverage[name + " jobs"] = importer.jobs
                coverage[name + " spans"] = [end - start for start, end in importer.spans]
        finally:
            server.terminate()
            server.wait(timeout=30)

    tool = "wrk" if shutil.which("wrk") else "python httpx"
    half = args.seconds / 2
    print(f"\nWeb load: {args.clients} concurrent clients, {args.seconds:.0f} s per page ({half:.0f} s idle, "
          f"{half:.0f} s importing {args.import_rows:,}-row FTS files), uvicorn workers {args.workers}, "
          f"load generator {tool} on the same machine")
    met = True
    for name, target in (("dashboard", 0.100), ("api summary", 0.050)):
        jobs = coverage[name + " jobs"]
        loaded = sum((job.get("result") or {}).get("rows_loaded", 0) for job in jobs)
        for half in ("idle", "importing"):
            m = measured[name][half]
            ok = m["p95"] < target and m["errors"] == 0
            met &= ok
            print(f"  {name:12s} {half:9s} {m['requests']:6d} requests  {m['rate']:7.1f} requests/s  "
                  f"p50 {m['p50'] * 1000:6.1f} ms  p95 {m['p95'] * 1000:6.1f} ms  errors {m['errors']}  "
                  f"(target p95 < {target * 1000:.0f} ms, no errors: {'met' if ok else 'NOT met'})")
        ratio = measured[name]["importing"]["p95"] / max(measured[name]["idle"]["p95"], 1e-9)
        print(f"  {'':12s} while importing: p95 {ratio:.2f}x the idle half's; an import ran "
              f"{coverage[name]:.0%} of the half ({len(jobs)} jobs ended, {loaded:,} rows loaded, "
              f"{sum(job['status'] == 'failed' for job in jobs)} failed; upload and import took "
              f"{', '.join(f'{span:.1f}' for span in coverage[name + ' spans'])} s)")
    print("  targets: " + ("met" if met else "NOT met"))


def measure(base: str, name: str, path: str, header: str, clients: int, seconds: float, folder: str,
            cookie: str) -> dict:
    if shutil.which("wrk"):
        return run_wrk(base, path, header, clients, seconds, folder)
    # A Python load generator: heavier, so the figures are pessimistic.
    results = {name: [], "errors": 0}
    key, value = header.split(": ", 1)
    target = (name, path, {key: value} if key != "Cookie" else {},
              {"hamkor_session": cookie} if key == "Cookie" else {})
    elapsed = asyncio.run(load(base, target, clients, seconds, results))
    times = results[name]
    return {"requests": len(times), "errors": results["errors"], "rate": len(times) / elapsed,
            "p50": statistics.median(times), "p95": percentile(times, 0.95)}


if __name__ == "__main__":
    main()
