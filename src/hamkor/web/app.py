"""The web application: `create_app(settings)` builds everything; nothing is made at import time."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from hamkor import __version__
from hamkor.accounts.service import Accounts
from hamkor.companies.registry import Registry
from hamkor.config import Settings
from hamkor.cooperation.service import Cooperation
from hamkor.missions.service import Missions
from hamkor.render.pdf import FONT_DIR
from hamkor.store.db import Database
from hamkor.store.warehouse import SharedWarehouse
from hamkor.trade.service import ImportService
from hamkor.web.cache import GenerationCache
from hamkor.web.deps import Forbidden, NotSignedIn
from hamkor.web.jobs import JobRunner
from hamkor.web.security import Sessions, SignInThrottle

STATIC = Path(str(resources.files("hamkor.web").joinpath("static")))


def warm_up() -> None:
    """Pay the one-off start-up costs (chart engine, PDF engine, nomenclature) before a user does:
    they are most of a first brief's time."""
    from hamkor.companies.classify import classifier
    from hamkor.reference import nomenclature
    from hamkor.render import charts, pdf

    nomenclature()
    classifier()
    charts.to_svg(charts.structure_spec([("warm-up", 1.0)], "", "export", "%"))
    pdf.html_to_pdf("<!DOCTYPE html><meta charset='utf-8'><p>warm-up</p>")


def create_app(settings: Settings) -> FastAPI:
    db = Database(settings)
    db.upgrade()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.jobs.fail_interrupted()  # a job cut off by a restart is failed, never "running"
        threading.Thread(target=warm_up, daemon=True, name="warm-up").start()
        yield
        app.state.warehouse.close()
        db.dispose()

    app = FastAPI(title="hamkor", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Trade statistics and meeting briefs. Authenticate with `Authorization: Bearer <token>` "
                              "(create one with `hamkor users token EMAIL`).")
    app.state.settings = settings
    app.state.db = db
    app.state.accounts = Accounts(db)
    app.state.registry = Registry(db)
    app.state.missions = Missions(db)
    app.state.cooperation = Cooperation(db, settings.documents_dir)
    app.state.warehouse = SharedWarehouse(settings)
    app.state.cache = GenerationCache(lambda: app.state.warehouse.generation)
    app.state.imports = ImportService(db, app.state.warehouse)
    app.state.sessions = Sessions(settings.effective_secret_key)
    app.state.viewer_cache = {}
    app.state.throttle = SignInThrottle()
    app.state.jobs = JobRunner(db)
    app.state.templates = Environment(loader=PackageLoader("hamkor.web", "templates"),
                                      autoescape=select_autoescape(["html", "j2"]))
    app.state.upload_dir = settings.data_dir / "uploads"
    app.state.upload_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/static/fonts", StaticFiles(directory=FONT_DIR), name="fonts")  # the brief's fonts, for previews
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    from hamkor.web.api import cooperation as cooperation_api
    from hamkor.web.api import missions as missions_api
    from hamkor.web.api import v1
    from hamkor.web.pages import auth, companies, cooperation, imports, missions, opportunities, reference, trade

    for module in (auth, trade, opportunities, companies, missions, cooperation, imports, reference):
        app.include_router(module.router)
    app.include_router(v1.router)
    app.include_router(missions_api.router)
    app.include_router(cooperation_api.router)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in required"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": f"your role may not {exc.permission}"}, status_code=403)
        from hamkor.web.pages._render import page

        return page(request, "message.html.j2", status_code=403, message="Your role does not allow this page.")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg")}
                    for e in exc.errors()]
        return JSONResponse({"detail": "invalid request", "problems": problems}, status_code=422)

    @app.get("/api/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse("""<!DOCTYPE html><html><head><meta charset="utf-8"><title>hamkor API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui-5.32.0/swagger-ui.css"></head><body>
<div id="docs"></div><script src="/static/vendor/swagger-ui-5.32.0/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script></body></html>""")

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict:
        return {"status": "ok", "version": __version__}

    return app
