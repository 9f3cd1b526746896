"""What an operator reads: one log line per request with an id (also in the response's X-Request-ID, the
API's problems and the error page), counters and latencies in the Prometheus text format (`/metrics`),
and whether the database, the warehouse and the mail worker answer (`/healthz`)."""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections import Counter

access = logging.getLogger("hamkor.access")

# Request duration buckets in seconds, as Prometheus histograms have them (cumulative, le="…").
BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # one a proxy sent is kept if it looks like one


class Metrics:
    """Counted in process memory: each process of several is its own target for the scraper."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter = Counter()  # (method, status class) -> count
        self.buckets: Counter = Counter()  # le -> count
        self.duration_sum = 0.0
        self.duration_count = 0

    def observe(self, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, f"{status // 100}xx")] += 1
            for bound in BUCKETS:
                if seconds <= bound:
                    self.buckets[bound] += 1
            self.duration_sum += seconds
            self.duration_count += 1

    def text(self, gauges: dict[str, dict[tuple, float]]) -> str:
        lines = ["# HELP hamkor_requests_total Requests answered, by method and status class.",
                 "# TYPE hamkor_requests_total counter"]
        with self._lock:
            for (method, status), count in sorted(self.requests.items()):
                lines.append(f'hamkor_requests_total{{method="{method}",status="{status}"}} {count}')
            lines += ["# HELP hamkor_request_duration_seconds Time to answer a request.",
                      "# TYPE hamkor_request_duration_seconds histogram"]
            for bound in BUCKETS:
                lines.append(f'hamkor_request_duration_seconds_bucket{{le="{bound}"}} {self.buckets[bound]}')
            lines.append(f'hamkor_request_duration_seconds_bucket{{le="+Inf"}} {self.duration_count}')
            lines.append(f"hamkor_request_duration_seconds_sum {self.duration_sum:.6f}")
            lines.append(f"hamkor_request_duration_seconds_count {self.duration_count}")
        for name, (help_text, values) in gauges.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
            for labels, value in sorted(values.items()):
                said = ",".join(f'{key}="{val}"' for key, val in labels)
                lines.append(f"{name}{{{said}}} {value}" if said else f"{name} {value}")
        return "\n".join(lines) + "\n"


class RequestLog:
    """ASGI: gives each request an id, logs one line when it is answered, and counts it."""

    def __init__(self, app, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        sent = dict((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", []))
        asked = sent.get("x-request-id", "")
        request_id = asked if REQUEST_ID.fullmatch(asked) else secrets.token_hex(6)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = [500]

        async def with_id(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", request_id.encode("ascii"))]}
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.observe(scope.get("method", "?"), status[0], seconds)
            access.info("%s %s %s %.1fms id=%s", scope.get("method"), scope.get("path"), status[0],
                        seconds * 1000, request_id)


def configure_logging(level: str) -> None:
    """HAMKOR_LOG_LEVEL, read: hamkor's loggers at that level, one line each with the time and the logger."""
    root = logging.getLogger("hamkor")
    root.setLevel(level.upper())
    if not any(getattr(h, "_hamkor", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler._hamkor = True  # once per process, however many apps it builds (tests build many)
        root.addHandler(handler)
