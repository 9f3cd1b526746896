"""How uvicorn runs the app: the entry point for several workers (each builds its app from the
environment), and the HTTP protocol with a deadline for a request's headers."""

from __future__ import annotations

from uvicorn.protocols.http.h11_impl import H11Protocol

from hamkor.config import Settings
from hamkor.web.app import create_app
from hamkor.web.limits import HEADER_SECONDS


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, which waits for a request's headers as long as a client likes: thousands
    of connections that send a byte now and then hold the server. Here a connection waiting for headers is
    closed once `HEADER_SECONDS` pass; the body has its own deadline (`limits.BodyGate`)."""

    header_deadline = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()  # the next request on this connection gets the same deadline

    def _arm_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
        self.header_deadline = self.loop.call_later(HEADER_SECONDS, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        waiting_for_headers = self.cycle is None or self.cycle.response_complete
        if waiting_for_headers and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
        super().connection_lost(exc)


def uvicorn_options(settings: Settings) -> dict:
    """What every way of serving passes uvicorn: the protocol with its header deadline, a bound on
    connections, a short keep-alive."""
    trusted = ",".join(sorted(settings.trusted_proxy_addresses))
    # X-Forwarded-For/-Proto (the client's address, https) are believed from the configured proxies only
    # uvicorn's own access line is off: hamkor's (web/operations.RequestLog) carries the request's id
    return {"http": HeaderDeadlineProtocol, "limit_concurrency": settings.max_connections, "timeout_keep_alive": 5,
            "proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None, "access_log": False}


def app_from_environment():
    return create_app(Settings())
