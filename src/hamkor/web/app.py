"""The web application: `create_app(settings)` builds everything; nothing is made at import time."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import datetime
from hmac import compare_digest
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select, text

from hamkor import __version__
from hamkor.accounts.throttle import Throttle
from hamkor.config import Settings
from hamkor.context import AppContext
from hamkor.missions.representatives import COLLEAGUE_INVITATIONS_A_DAY
from hamkor.render.pdf import FONT_DIR
from hamkor.store.models import Job, OutboxMessage
from hamkor.web import api, pages
from hamkor.web.cache import GenerationCache
from hamkor.web.deps import current_viewer
from hamkor.web.errors import install_error_handlers
from hamkor.web.jobs import JobRunner, remove_old_files
from hamkor.web.limits import BodyGate
from hamkor.web.operations import Metrics, RequestLog, configure_logging
from hamkor.web.security import SecurityHeaders, Sessions
from hamkor.web.state import WebState
from hamkor.work.worker import Worker

STATIC = Path(str(resources.files("hamkor.web").joinpath("static")))


def warm_up() -> None:
    """Pay the one-off start-up costs (chart engine, PDF engine, nomenclature) before a user does:
    they are most of a first brief's time."""
    from hamkor.companies.classify import classifier
    from hamkor.reference import nomenclature
    from hamkor.render import charts, pdf

    nomenclature()
    classifier()
    charts.to_png(charts.structure_spec([("warm-up", 1.0)], "", "export", "%"))  # DOCX charts: vl-convert
    pdf.html_to_pdf("<!DOCTYPE html><meta charset='utf-8'><p>warm-up</p>")
    # What start-up built (nomenclature, classifier, the engines' modules) lives as long as the server:
    # out of the collector's way, a full collection no longer walks it in the middle of a request.
    gc.collect()
    gc.freeze()


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The web application over one data directory; `clock` fixes "now" (tests), else the real time."""
    configure_logging(settings.log_level)
    services = AppContext(settings, clock=clock)
    services.hold_warehouse()  # one connection for the server's life (after the database: see hold_warehouse)
    upload_dir = settings.data_dir / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    state = WebState(
        services=services,
        templates=Environment(loader=PackageLoader("hamkor.web", "templates"),
                              autoescape=select_autoescape(["html", "j2"])),
        # a booking window holds a space per company and language, a mission's records per revision, the trade
        # support per territory: room for a few missions at once
        cache=GenerationCache(lambda: services.warehouse.generation, size=1500, apart=services.db.apart),
        jobs=JobRunner(services.db),
        sessions=Sessions(settings.effective_secret_key),
        # in the database: a limit holds however many web processes answer (accounts/throttle.py)
        throttle=Throttle(services.db, "sign-in-account", limit=5),
        address_throttle=Throttle(services.db, "sign-in-address", limit=20),
        # the public forms (forgotten password, registration) per address: each submission counts. A
        # registration desk on one shared Wi-Fi sends a form a minute or so, mistakes included: 60 in ten
        # minutes lets it work; what makes accounts and mail is capped apart (`registration_throttle`)
        public_throttle=Throttle(services.db, "public-form", limit=60, window_seconds=600),
        registration_throttle=Throttle(services.db, "registration", limit=40, window_seconds=3600),
        hs_throttle=Throttle(services.db, "hs-assistant", limit=120, window_seconds=600),
        # a company's people invite their colleagues: each invitation mails an address they typed, an organiser's
        # as well as anyone's (the outsider's find), so a company sends a handful a day, not a mail-bomb
        colleague_throttle=Throttle(services.db, "colleague-invitation", limit=COLLEAGUE_INVITATIONS_A_DAY,
                                    window_seconds=24 * 3600),
        upload_dir=upload_dir,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # files a crash or an old job left: uploads never imported, briefs no one fetched
        for folder in (upload_dir, settings.data_dir / "briefs"):
            remove_old_files(folder, settings.job_file_retention_hours)
        threading.Thread(target=warm_up, daemon=True, name="warm-up").start()
        # The quick start's one process runs the jobs and the mail too; beside a `hamkor worker` it runs none.
        # Jobs another process left running are not failed here: their worker's silence says so (work/queue).
        if worker is not None:
            worker.start()
        yield
        if worker is not None:
            worker.stop()
        services.close()

    worker = Worker(services) if settings.run_worker else None
    if worker is not None:
        state.jobs.on_queued = worker.wake  # the job runners look at once (and start, before the lifespan has)

    app = FastAPI(title="hamkor", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Trade statistics and meeting briefs. Authenticate with `Authorization: Bearer <token>` "
                              "(create one with `hamkor users token EMAIL`).")
    app.state.web = state
    app.state.worker = worker  # /healthz asks whether it still runs
    app.mount("/static/fonts", StaticFiles(directory=FONT_DIR), name="fonts")  # the brief's fonts, for previews
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (*pages.ROUTERS, *api.ROUTERS):
        app.include_router(router)
    install_error_handlers(app, pages.message_page)
    # Outermost, around Starlette's own error middleware: a 500 carries the security headers too, and no
    # body is read before its sender is known and its size bounded.
    build_stack = app.build_middleware_stack
    metrics = Metrics()
    app.state.metrics = metrics
    # Outermost of all: every request gets its id and its log line, whatever answers it
    app.build_middleware_stack = lambda: RequestLog(SecurityHeaders(BodyGate(
        build_stack(), lambda scope: current_viewer(Request(scope)), settings.upload_limit_bytes)), metrics)

    @app.get("/api/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse("""<!DOCTYPE html><html><head><meta charset="utf-8"><title>hamkor API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui-5.32.0/swagger-ui.css"></head><body>
<div id="docs"></div><script src="/static/vendor/swagger-ui-5.32.0/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script></body></html>""")

    @app.get("/healthz", include_in_schema=False)
    def health() -> JSONResponse:
        """Whether the database, the warehouse and the worker (jobs and mail) answer: 200 when all do, 503 naming the
        ones that do not (a load balancer takes the process out; an operator reads which)."""
        checks = {}
        try:
            with services.db.session() as session:
                session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - the answer says what failed, whatever it was
            checks["database"] = f"failing: {type(error).__name__}"
        try:
            with services.warehouse.reader() as con:
                con.execute("SELECT 1").fetchone()
            checks["warehouse"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["warehouse"] = f"failing: {type(error).__name__}"
        worker = getattr(app.state, "worker", None)
        if worker is not None:  # this process's own
            checks["worker"] = "ok" if worker.alive else "not running"
        else:  # a `hamkor worker` apart: one that showed life within the minute will do
            try:
                checks["worker"] = "ok" if state.jobs.queue.workers_alive() else "none seen in the last minute"
            except Exception as error:  # noqa: BLE001
                checks["worker"] = f"failing: {type(error).__name__}"
        healthy = all(value == "ok" for value in checks.values())
        return JSONResponse({"status": "ok" if healthy else "failing", "version": __version__, "checks": checks},
                            status_code=200 if healthy else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics_page(request: Request) -> Response:
        """Requests, latencies, the job queue and the mail outbox in the Prometheus text format."""
        token = settings.metrics_token
        if token:
            if not compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
                return Response("metrics need the metrics token\n", status_code=401, media_type="text/plain")
        elif (request.client.host if request.client else "") not in ("127.0.0.1", "::1", "testclient"):
            return Response("metrics are served to this machine only (set HAMKOR_METRICS_TOKEN)\n",
                            status_code=403, media_type="text/plain")
        with services.db.session() as session:
            jobs = {(("kind", k), ("status", s)): n for k, s, n in session.execute(
                select(Job.kind, Job.status, func.count()).where(Job.status.in_(("queued", "running")))
                .group_by(Job.kind, Job.status))}
            mail = {(("status", s),): n for s, n in session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))}
        waiting = {(("queue", q),): n for q, n in state.jobs.queue.waiting().items()}
        workers = {(): len(state.jobs.queue.workers_alive())}
        body = metrics.text({"hamkor_jobs": ("Jobs waiting or running, by kind.", jobs),
                             "hamkor_job_queue_length": ("Jobs waiting for a worker, by queue.", waiting),
                             "hamkor_workers": ("Worker processes that showed life within the minute.", workers),
                             "hamkor_mail_messages": ("Mail in the outbox, by state (sent, failed, pending).", mail)})
        return Response(body, media_type="text/plain; version=0.0.4")

    return app
