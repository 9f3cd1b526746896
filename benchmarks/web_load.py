"""Benchmark: the web app under load on loopback (a real uvicorn server, 20 concurrent clients).

    python benchmarks/web_load.py [--clients 20] [--seconds 30] [--workers 1]

Builds the demo data in a temporary directory, starts `uvicorn` in its own process, then runs
an asyncio + httpx load generator (bounded in time, loopback only): one phase per target: 20
clients on the dashboard page (signed-in cookie), then 20 on the API summary (bearer token). Targets (issue 4):
dashboard p95 < 150 ms, API summary p95 < 50 ms, zero errors; requests/s reported.
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
import time
from pathlib import Path

import httpx

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
            measured = {}
            for name, path, header in targets:
                if shutil.which("wrk"):
                    measured[name] = run_wrk(base, path, header, args.clients, args.seconds, folder)
                else:  # a Python load generator: heavier, so the figures are pessimistic
                    results = {name: [], "errors": 0}
                    key, value = header.split(": ", 1)
                    target = (name, path, {key: value} if key != "Cookie" else {},
                              {"hamkor_session": cookie} if key == "Cookie" else {})
                    seconds = asyncio.run(load(base, target, args.clients, args.seconds, results))
                    times = results[name]
                    measured[name] = {"requests": len(times), "errors": results["errors"],
                                      "rate": len(times) / seconds, "p50": statistics.median(times),
                                      "p95": percentile(times, 0.95)}
        finally:
            server.terminate()
            server.wait(timeout=30)

    tool = "wrk" if shutil.which("wrk") else "python httpx"
    print(f"\nWeb load: {args.clients} concurrent clients, {args.seconds:.0f} s per page, uvicorn workers "
          f"{args.workers}, load generator {tool} on the same machine")
    met = True
    for name, target in (("dashboard", 0.150), ("api summary", 0.050)):
        m = measured[name]
        ok = m["p95"] < target and m["errors"] == 0
        met &= ok
        print(f"  {name:12s} {m['requests']:6d} requests  {m['rate']:7.1f} requests/s  p50 {m['p50'] * 1000:6.1f} ms  "
              f"p95 {m['p95'] * 1000:6.1f} ms  errors {m['errors']}  "
              f"(target p95 < {target * 1000:.0f} ms, no errors: {'met' if ok else 'NOT met'})")
    print("  targets: " + ("met" if met else "NOT met"))


if __name__ == "__main__":
    main()
