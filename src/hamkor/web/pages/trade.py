"""Dashboard, trade explorer, partners and the brief: pages over the same service calls as the API."""

from __future__ import annotations

import csv
import io
import json
import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from hamkor.briefing.compose import LANGUAGES, compose_brief, territory_name
from hamkor.briefing.render import render, to_html
from hamkor.trade import overview as overview_service
from hamkor.trade import stats
from hamkor.trade.periods import Period, PeriodError
from hamkor.web.deps import BriefMaker, RecordId, TradeViewer, language_of
from hamkor.web.pages._render import page

router = APIRouter(include_in_schema=False)
WEB_FONTS = {"regular": "/static/fonts/DejaVuSans.ttf", "bold": "/static/fonts/DejaVuSans-Bold.ttf"}


def _choices(request: Request, reporter: str | None, partner: str | None, period: str | None):
    """The reporter, partner and period a page shows, with sensible defaults from the data."""
    state = request.app.state

    def read(function, *args):
        def compute():
            with state.warehouse.reader() as con:
                return function(con, *args)

        return state.cache.get((function.__name__, *args), compute)

    known = read(overview_service.reporters)
    chosen = (reporter or (known[0][0] if known else "RU-ALT")).upper()
    parsed = None
    error = None
    if period:
        try:
            parsed = Period.parse(period)
        except PeriodError as problem:
            error = str(problem)
    parsed = parsed or read(overview_service.latest_period, chosen) or Period.year(2025)
    return known, chosen, (partner or "UZ").upper(), parsed, error


@router.get("/")
def dashboard(request: Request, viewer: TradeViewer, reporter: str | None = None, partner: str | None = None,
              period: str | None = None):
    lang = language_of(request)
    known, reporter, partner, parsed, error = _choices(request, reporter, partner, period)
    def compute():
        with request.app.state.warehouse.reader() as con:
            return overview_service.overview(con, reporter, partner, parsed, lang)

    try:
        data = request.app.state.cache.get(("overview", reporter, partner, parsed, lang), compute)
    except stats.QueryError as problem:
        data, error = None, str(problem)
    # In the page the charts fill their box; the same specs render at a fixed width for print.
    specs = {k: json.dumps({**v, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"}},
                           ensure_ascii=False).replace("</", "<\\/")
             for k, v in (data.charts.items() if data else [])}
    return page(request, "dashboard.html.j2", data=data, error=error, reporters=known, reporter=reporter,
                partner=partner, period=parsed, specs=specs,
                territory=lambda code: territory_name(code, lang))


@router.get("/partners")
def partners(request: Request, viewer: TradeViewer, reporter: str | None = None, period: str | None = None):
    lang = language_of(request)
    known, reporter, _, parsed, error = _choices(request, reporter, None, period)
    with request.app.state.warehouse.reader() as con:
        ranking = stats.partner_ranking(con, reporter, parsed)
        synthetic = stats.summary(con, stats.Query(reporter, None, parsed)).synthetic
    return page(request, "partners.html.j2", ranking=ranking, reporters=known, reporter=reporter, period=parsed,
                error=error, synthetic=synthetic, territory=lambda code: territory_name(code, lang))


def _explore(request: Request, reporter, partner, period, flow, level, within):
    known, reporter, partner, parsed, error = _choices(request, reporter, partner, period)
    with request.app.state.warehouse.reader() as con:
        query = stats.Query(reporter, partner, parsed)
        table = stats.structure(con, query, flow, level, top=500, within=within)
        synthetic = stats.summary(con, query).synthetic
    return known, reporter, partner, parsed, error, table, synthetic


NEXT_LEVEL = {"section": "chapter", "chapter": "heading", "heading": "subheading", "subheading": "national"}


@router.get("/explorer")
def explorer(request: Request, viewer: TradeViewer, reporter: str | None = None, partner: str | None = None,
             period: str | None = None, flow: str = "export", level: str = "section", within: str | None = None,
             sort: str = "value"):
    lang = language_of(request)
    try:
        known, reporter, partner, parsed, error, table, synthetic = _explore(
            request, reporter, partner, period, flow, level, within)
    except stats.QueryError as problem:
        return page(request, "message.html.j2", status_code=400, message=str(problem))
    items = list(table.items)
    if sort in ("growth", "share", "code"):
        items.sort(key={"growth": lambda i: (i.growth is None, -(i.growth or 0)), "share": lambda i: -i.share,
                        "code": lambda i: i.key}[sort])
    return page(request, "explorer.html.j2", table=table, items=items, reporters=known, reporter=reporter,
                partner=partner, period=parsed, flow=flow, level=level, within=within, error=error,
                synthetic=synthetic, next_level=NEXT_LEVEL.get(level), sort=sort, lang_code=lang)


@router.get("/explorer.{fmt}")
def explorer_export(request: Request, viewer: TradeViewer, fmt: str, reporter: str | None = None,
                    partner: str | None = None, period: str | None = None, flow: str = "export",
                    level: str = "section", within: str | None = None):
    lang = language_of(request)
    if fmt not in ("csv", "xlsx"):
        return Response("format must be csv or xlsx", status_code=404)
    _, reporter, partner, parsed, _, table, synthetic = _explore(request, reporter, partner, period, flow, level,
                                                                 within)
    headers = ["code", "name", "value_usd", "previous_usd", "share_pct", "growth_pct"]
    rows = [[i.key, i.name(lang), round(i.value, 2), round(i.previous, 2), round(i.share, 3),
             None if i.growth is None else round(i.growth, 3)] for i in table.items]
    name = f"hamkor-{reporter}-{partner}-{parsed.label()}-{flow}-{level}" + ("-SYNTHETIC" if synthetic else "")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in ("C", "D"):
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0"
    if synthetic:
        sheet.append([])
        sheet.append(["SYNTHETIC demo data (source demo-synthetic): not real statistics"])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@router.get("/brief")
def brief_page(request: Request, viewer: BriefMaker, reporter: str | None = None, partner: str | None = None,
               period: str | None = None, brief_lang: str | None = None, preview: bool = False,
               job: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    lang = language_of(request)
    known, reporter, partner, parsed, error = _choices(request, reporter, partner, period)
    document_lang = brief_lang if brief_lang in LANGUAGES else lang
    preview_html = None
    if preview and not error:
        with request.app.state.warehouse.reader() as con:
            preview_html = to_html(compose_brief(con, reporter, partner, parsed, document_lang), fonts=WEB_FONTS)
    running = request.app.state.jobs.get(job) if job else None
    return page(request, "brief.html.j2", reporters=known, reporter=reporter, partner=partner, period=parsed,
                brief_lang=document_lang, preview_html=preview_html, error=error,
                job=running if running and running.kind == "brief" else None)


MEDIA = {"pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@router.get("/brief/download")
def brief_download(request: Request, viewer: BriefMaker, reporter: str, partner: str, period: str,
                   brief_lang: str = "ru", fmt: str = "pdf"):
    """Rendering takes a second or two: it runs as a job, and the brief page follows it."""
    if fmt not in MEDIA or brief_lang not in LANGUAGES:
        return Response("format must be pdf or docx; language ru, uz or en", status_code=400)
    try:
        parsed = Period.parse(period)
    except PeriodError as problem:
        return Response(str(problem), status_code=400)
    state = request.app.state
    folder = state.settings.data_dir / "briefs"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"brief-{reporter.upper()}-{partner.upper()}-{parsed.label()}-{brief_lang}.{fmt}"

    def work(progress) -> dict:
        with state.warehouse.reader() as con:
            document = compose_brief(con, reporter.upper(), partner.upper(), parsed, brief_lang)
        progress(0.5)
        target = folder / f"{secrets.token_hex(8)}.{fmt}"
        target.write_bytes(render(document, fmt))
        return {"file": target.name, "name": name, "format": fmt}

    job_id = state.jobs.submit("brief", viewer.user_id, work)
    query = f"reporter={reporter}&partner={partner}&period={parsed.label()}&brief_lang={brief_lang}"
    return RedirectResponse(f"/brief?{query}&job={job_id}", status_code=303)


@router.get("/brief/file/{job_id}")
def brief_file(request: Request, viewer: BriefMaker, job_id: RecordId):
    job = request.app.state.jobs.get(job_id)
    if job is None or job.kind != "brief" or job.status != "done" or job.user_id != viewer.user_id:
        return Response("no such brief", status_code=404)
    path = request.app.state.settings.data_dir / "briefs" / job.result["file"]
    if not path.is_file():
        return Response("the brief file is gone: make it again", status_code=404)
    return Response(path.read_bytes(), media_type=MEDIA[job.result["format"]],
                    headers={"Content-Disposition": f'attachment; filename="{job.result["name"]}"'})


@router.get("/brief/job/{job_id}")
def brief_job(request: Request, viewer: BriefMaker, job_id: RecordId):
    job = request.app.state.jobs.get(job_id)
    if job is None or job.kind != "brief":
        return page(request, "message.html.j2", status_code=404, message="No such job.")
    return page(request, "_brief_job.html.j2", job=job)
