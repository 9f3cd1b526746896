"""Benchmark: the web server's memory while a large file is uploaded and imported (issue 15, point 12).

    python benchmarks/upload_memory.py [--mb 512]

Generates a DATTSVT-shaped FTS regional file of about --mb MiB, starts `hamkor serve` in its own process,
uploads the file through the JSON API (streamed from disk by the client), follows the import job to its
end, and reads the server's resident memory from /proc: idle after start-up (the baseline, same run),
sampled every 0.1 s during the upload and the import, and the kernel's high-water mark (VmHWM) at the
end. Target: the server stays under 1 GiB RSS for a file at the upload limit (512 MiB).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_fts_regional import generate  # noqa: E402 - the same file shape as the import benchmark

BYTES_PER_ROW = 140  # measured on the generated shape: rows for a size asked in MiB
TARGET_MIB = 1024


def memory(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of a process, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":")
            found[name] = int(value.split()[0]) // 1024
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=512)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        upload = Path(folder) / "DATTSVT_big.csv"
        start = time.perf_counter()
        generate(upload, max(1000, args.mb * (1 << 20) // BYTES_PER_ROW))
        size_mib = upload.stat().st_size / (1 << 20)
        print(f"generated {size_mib:,.0f} MiB in {time.perf_counter() - start:.1f} s")
        env = {**os.environ, "HAMKOR_DATA_DIR": str(data), "HAMKOR_UPLOAD_LIMIT_MB": str(max(512, args.mb + 64))}
        token = subprocess.run([sys.executable, "-c", (
            "from hamkor.config import Settings; from hamkor.store.db import Database;"
            "from hamkor.accounts.service import Accounts; from datetime import UTC, datetime, timedelta;"
            "s = Settings(); db = Database(s); db.upgrade(); a = Accounts(db);"
            "u = a.create_user('bench@example.org', 'benchmark password 1', 'admin');"
            "print(a.create_token(u.id, 'bench', 'write', datetime.now(UTC) + timedelta(days=1)))")],
            env=env, capture_output=True, text=True, check=True).stdout.strip()
        port = free_port()
        command = str(Path(sys.executable).parent / "hamkor")  # the installed command, as a department runs it
        server = subprocess.Popen([command, "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            time.sleep(3)  # the warm-up thread (fonts, nomenclature, chart engine) has run
            idle = memory(server.pid)["VmRSS"]
            samples, done = [], threading.Event()

            def sample() -> None:
                while not done.wait(0.1):
                    samples.append(memory(server.pid)["VmRSS"])

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            began = time.perf_counter()
            client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600)
            with open(upload, "rb") as handle:
                answer = client.post("/api/v1/imports", data={"kind": "fts-regional"},
                                     files={"file": (upload.name, handle, "text/csv")})
            answer.raise_for_status()
            uploaded = time.perf_counter() - began
            job = answer.json()
            while job["status"] in ("queued", "running"):
                time.sleep(0.5)
                job = client.get(f"/api/v1/jobs/{job['id']}").json()
            elapsed = time.perf_counter() - began
            done.set()
            sampler.join()
            peak = memory(server.pid)["VmHWM"]
        finally:
            server.terminate()
            server.wait(timeout=30)
        rows = (job.get("result") or {}).get("rows_loaded", 0)
        print(f"server idle RSS (baseline)     {idle:,} MiB")
        print(f"upload of {size_mib:,.0f} MiB            {uploaded:.1f} s; import job {job['status']}, "
              f"{rows:,} rows, {elapsed:.1f} s in all ({rows / elapsed:,.0f} rows/s)")
        print(f"server RSS during, median      {sorted(samples)[len(samples) // 2] if samples else idle:,} MiB")
        print(f"server peak RSS (VmHWM)        {peak:,} MiB = {peak / idle:.1f}x idle, "
              f"{peak - idle:,} MiB over the baseline")
        print(f"target: peak < {TARGET_MIB:,} MiB -> {'met' if peak < TARGET_MIB else 'NOT met'}")
        if job["status"] != "done":
            sys.exit(f"the import did not finish: {job}")


if __name__ == "__main__":
    main()
