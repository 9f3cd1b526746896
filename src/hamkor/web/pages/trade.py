"""Dashboard, trade explorer, partners and the brief: pages over the same service calls as the API."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hamkor.briefing.render import to_html
from hamkor.errors import NotFound, reason_of
from hamkor.i18n import LANGUAGES, translations
from hamkor.i18n.numbers import format_number, money_scale, money_unit
from hamkor.reference.names import territory_name
from hamkor.render.sheets import append_row, csv_row
from hamkor.trade import figures, stats
from hamkor.trade import overview as overview_service
from hamkor.trade.facts import source_title
from hamkor.trade.figures import months_text
from hamkor.trade.periods import Period
from hamkor.web.deps import BriefMaker, JobsDep, RecordId, TradeViewer, Web, language_of
from hamkor.web.errors import BadRequest
from hamkor.web.jobs import remove_old_files
from hamkor.web.pages._render import check_csrf, page
from hamkor.web.shared.briefs import brief_for
from hamkor.web.shared.downloads import disposition
from hamkor.web.shared.trade import (
    checked_flow,
    checked_level,
    checked_partner,
    checked_within,
    choose,
    main_trade_partner,
    read,
)
from hamkor.web.state import WebState

router = APIRouter(include_in_schema=False)
WEB_FONTS = {"regular": "/static/fonts/DejaVuSans.ttf", "bold": "/static/fonts/DejaVuSans-Bold.ttf"}


@router.get("/")
def dashboard(request: Request, viewer: TradeViewer, web: Web, reporter: str | None = None,
              partner: str | None = None, period: str | None = None,
              source: Annotated[str | None, Query(max_length=60)] = None):
    lang = language_of(request)
    choice = choose(web, reporter, partner, period)
    known, reporter, partner, parsed, error = (choice.reporters, choice.reporter, choice.partner, choice.period,
                                               choice.error)
    try:
        data, specs = read(web, _dashboard_answer, reporter, partner, parsed, lang, source or None)
    except stats.QueryError as problem:
        data, specs, error = None, {}, reason_of(problem)
    comparable = months_text(data.comparable, lang) if data and not data.like_for_like else None
    return page(request, "dashboard.html.j2", data=data, error=error, reporters=known, reporter=reporter,
                partner=partner, period=parsed, specs=specs, source=source or "", comparable=comparable,
                territory=lambda code: territory_name(code, lang))


def _dashboard_answer(con, reporter: str, partner: str, period, lang: str, source: str | None):
    """The overview and its charts' specs as the page embeds them, computed and cached together: the
    JSON is written once per answer, not once per request (a fifth of a dashboard request's time)."""
    data = overview_service.overview(con, reporter, partner, period, lang, True, source)
    # In the page the charts fill their box; the same specs render at a fixed width for print.
    specs = {k: json.dumps({**v, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"}},
                           ensure_ascii=False).replace("</", "<\\/")
             for k, v in data.charts.items()}
    return data, specs


@router.get("/partners")
def partners(request: Request, viewer: TradeViewer, web: Web, reporter: str | None = None,
             period: str | None = None):
    lang = language_of(request)
    choice = choose(web, reporter, None, period)
    known, reporter, parsed, error = choice.reporters, choice.reporter, choice.period, choice.error
    with web.services.warehouse.reader() as con:
        ranking = stats.partner_ranking(con, reporter, parsed)
        query = stats.with_source(con, stats.Query(reporter, None, parsed))
        synthetic = figures.headline_of(stats.summary(con, query)).synthetic  # what is shown, not the base
    months = stats.like_for_like(query)
    comparable = None if months.complete else months_text(months.comparable, lang)
    return page(request, "partners.html.j2", ranking=ranking, reporters=known, reporter=reporter, period=parsed,
                error=error, synthetic=synthetic, territory=lambda code: territory_name(code, lang),
                sources=stats.provenance(query), comparable=comparable)


@router.get("/mirror")
def mirror_page(request: Request, viewer: TradeViewer, web: Web,
                reporter: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
                partner: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
                years: Annotated[str | None, Query(max_length=10)] = None):
    """Both directions of a pair of countries' trade as each side reports it, year by year (by default the
    instance's own country and its main partner's)."""
    lang = language_of(request)
    reporter = reporter or web.settings.home_territory.split("-")[0]
    partner = partner or main_trade_partner(web.settings).split("-")[0]
    error, rows = None, []
    try:
        span = stats.mirror_years(years)
        with web.services.warehouse.reader() as con:
            rows = stats.mirror(con, reporter.upper(), partner.upper(), span)
    except stats.QueryError as problem:
        error = reason_of(problem)
    return page(request, "mirror.html.j2", rows=rows, reporter=reporter.upper(), partner=partner.upper(),
                years=years or "", error=error, note=stats.MIRROR_NOTE,
                territory=lambda code: territory_name(code, lang))


@dataclass
class Explored:
    """The explorer's answer: the choices as understood, the goods table, and where its figures come from."""

    reporters: list
    reporter: str
    partner: str
    period: Period
    error: object
    table: stats.Structure
    synthetic: bool
    sources: list[stats.Provenance]
    data_status: str = figures.OBSERVED  # of the table's values: observed, synthetic or mixed (each row says it)
    base_withheld: bool = False  # the year before has figures, synthetic beside real: «не сравнивается»


def _explore(web: WebState, reporter, partner, period, flow, level, within, source=None) -> Explored:
    choice = choose(web, reporter, partner, period)
    partner = checked_partner(choice.partner)
    flow, level, within = checked_flow(flow), checked_level(level), checked_within(within)
    with web.services.warehouse.reader() as con:
        # `source` pins one source, as on the dashboard and in the brief (a table of the real file only)
        query = stats.with_source(con, stats.Query(choice.reporter, partner, choice.period, source or None))
        table = stats.structure(con, query, flow, level, top=500, within=within)
        found = figures.headline_of(stats.summary(con, query))
    measure = found.measures["exports" if flow == "export" else "imports"]
    return Explored(choice.reporters, choice.reporter, partner, choice.period, choice.error, table, found.synthetic,
                    stats.provenance(query), measure.whole.status, measure.base.withheld)


def _compared_months(table: stats.Structure, lang: str) -> str | None:
    """The months a table's growth compares, when they are fewer than the months it shows."""
    return None if table.months.complete else months_text(table.months.comparable, lang)


NEXT_LEVEL = {"section": "chapter", "chapter": "heading", "heading": "subheading", "subheading": "national"}


@router.get("/explorer")
def explorer(request: Request, viewer: TradeViewer, web: Web, reporter: str | None = None, partner: str | None = None,
             period: str | None = None, flow: str = "export", level: str = "section", within: str | None = None,
             sort: str = "value", source: Annotated[str | None, Query(max_length=60)] = None):
    lang = language_of(request)
    found = _explore(web, reporter, partner, period, flow, level, within, source)
    items = list(found.table.items)
    if sort in ("growth", "share", "code"):
        items.sort(key={"growth": lambda i: (i.growth is None, -(i.growth or 0)), "share": lambda i: -i.share,
                        "code": lambda i: i.key}[sort])
    within_name = stats.item_name(within.strip().upper(), lang) if within else None
    # What the drilled-into code is, said as a word: "Раздел XVI", "Группа 84", "Позиция 8430".
    within_level = None if not within else {2: "chapter", 4: "heading", 6: "subheading"}.get(
        len(within.strip()), "section" if not within.strip().isdigit() else None)
    # one unit for the whole column (a column of «млн» beside «тыс.» is misread at a glance)
    divisor, _ = money_scale(max((abs(v) for i in items for v in (i.value, i.previous)), default=1.0))
    return page(request, "explorer.html.j2", table=found.table, items=items, reporters=found.reporters,
                unit=money_unit(divisor, lang), scaled=lambda value: format_number(value / divisor, lang),
                reporter=found.reporter, partner=found.partner, period=found.period, flow=flow, level=level,
                within=within, within_name=within_name, within_level=within_level, error=found.error,
                synthetic=found.synthetic, base_withheld=found.base_withheld,
                next_level=NEXT_LEVEL.get(level), sort=sort, lang_code=lang, sources=found.sources, source=source or "",
                comparable=_compared_months(found.table, lang))


EXPORT_HEADINGS = {"code": "Code", "name": "Name", "value_usd": "Value, USD", "previous_usd": "A year earlier, USD",
                   "share_pct": "Share, %", "growth_pct": "Growth, %",
                   # what growth sets against "a year earlier": the value over the months compared only
                   "compared_usd": "Value over the months compared, USD",
                   # every row says whether it is real or synthetic: a row copied elsewhere keeps its mark
                   "data": "Data"}
DATA_WORDS = {figures.OBSERVED: "real data", figures.SYNTHETIC: "synthetic", figures.MIXED: "partly synthetic",
              figures.MISSING: "no data"}


def _export_notes(found: Explored, lang: str) -> list[str]:
    """What a spreadsheet of the explorer says under its table: the sources, what growth compares, and
    that demo data is synthetic — so a figure copied from it can still say where it comes from."""
    t = translations(lang)
    sources = "; ".join(f"{t.gettext(source_title(p.source))} ({p.span()}; "
                        f"{t.ngettext('batch', 'batches', len(p.batches))} {', '.join(map(str, p.batches))})"
                        for p in found.sources)
    notes = [f"{t.gettext('Sources')}: {sources or '—'}"]
    months = found.table.months
    notes.append(t.gettext("Value: %(months)s. A year earlier: %(before)s.") % {
        "months": months_text(months.months, lang).rstrip(".") or "—",  # the sentence's own full stop follows
        "before": months_text(months.comparable_before, lang).rstrip(".")
        or t.gettext("not compared" if found.base_withheld else "no data")})
    compared = _compared_months(found.table, lang)
    if compared:
        notes.append(t.gettext("Growth compares only the months both years cover from the same source: "
                               "%(months)s, with the same months a year earlier.") % {"months": compared})
    if found.synthetic:
        notes.append(t.gettext("Synthetic demo data: not real statistics"))
    return notes


@router.get("/explorer.{fmt}")
def explorer_export(request: Request, viewer: TradeViewer, web: Web, fmt: str, reporter: str | None = None,
                    partner: str | None = None, period: str | None = None, flow: str = "export",
                    level: str = "section", within: str | None = None,
                    source: Annotated[str | None, Query(max_length=60)] = None):
    """The explorer's table as CSV (machine column names, for scripts) or Excel (headings in the reader's
    language); both end with the table's sources and caveats."""
    lang = language_of(request)
    if fmt not in ("csv", "xlsx"):
        raise NotFound("Export as csv or xlsx.")
    found = _explore(web, reporter, partner, period, flow, level, within, source)
    if found.error:  # the page shows another period with the reason; a file of another period would mislead
        raise BadRequest(found.error)
    compares = bool(found.table.months.comparable)  # no month compares: "a year earlier" is empty, not 0
    # an item with no row in the months compared is "not recorded" there: an empty cell, never a 0
    rows = [[i.key, i.name(lang), round(i.value, 2), round(i.previous, 2) if compares and i.recorded_before else None,
             round(i.share, 3), None if i.growth is None else round(i.growth, 3),
             round(i.value if i.comparable_value is None else i.comparable_value, 2)
             if compares and i.recorded_compared else None, translations(lang).gettext(DATA_WORDS[i.data_status])]
            for i in found.table.items]
    notes = _export_notes(found, lang)
    name = (f"hamkor-{found.reporter}-{found.partner}-{found.period.label()}-{flow}-{level}"
            + ("-SYNTHETIC" if found.synthetic else ""))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(list(EXPORT_HEADINGS))
        writer.writerows(csv_row(row) for row in rows)
        writer.writerow([])
        writer.writerows([note] for note in notes)
        return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                        headers=disposition(f"{name}.csv"))
    from openpyxl import Workbook
    from openpyxl.styles import Font

    t = translations(lang)
    book = Workbook()
    sheet = book.active
    # a sheet named for what it holds; Excel refuses []:*?/\ in a sheet's name (a reporter as typed may hold one)
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", f"{found.reporter}-{found.partner} {flow} {level}")[:31]
    sheet.append([t.gettext(heading) for heading in EXPORT_HEADINGS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for column in ("C", "D", "G"):
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0"
    sheet.append([])
    for note in notes:
        sheet.append([note])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=disposition(f"{name}.xlsx"))


@router.get("/brief")
def brief_page(request: Request, viewer: BriefMaker, web: Web, reporter: str | None = None,
               partner: str | None = None, period: str | None = None, brief_lang: str | None = None,
               preview: bool = False, job: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
               source: Annotated[str | None, Query(max_length=60)] = None):
    lang = language_of(request)
    choice = choose(web, reporter, partner, period)
    known, reporter, partner, parsed, error = (choice.reporters, choice.reporter, choice.partner, choice.period,
                                               choice.error)
    document_lang = brief_lang if brief_lang in LANGUAGES else lang
    preview_html = None
    if preview and not error:
        checked_partner(partner)
        preview_html = to_html(brief_for(web, reporter, partner, parsed, document_lang, source),
                               fonts=WEB_FONTS)
    running = web.jobs.get(job, viewer) if job else None
    return page(request, "brief.html.j2", reporters=known, reporter=reporter, partner=partner, period=parsed,
                brief_lang=document_lang, preview_html=preview_html, error=error, source=source or "",
                job=running if running and running.kind == "brief" else None)


MEDIA = {"pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@router.post("/brief/download")
def brief_download(request: Request, viewer: BriefMaker, web: Web, reporter: str = Form(...),
                   partner: str = Form(...), period: str = Form(...), brief_lang: str = Form("ru"),
                   fmt: str = Form("pdf"), csrf: str = Form(""), source: str = Form("", max_length=60)):
    """Rendering takes a second or two: it runs as a job (started by a POST, never by following a link),
    and the brief page follows it."""
    check_csrf(viewer, csrf)
    if fmt not in MEDIA or brief_lang not in LANGUAGES:
        raise BadRequest("format must be pdf or docx; language ru, uz or en")
    parsed = Period.parse(period)
    partner = checked_partner(partner)
    state = web
    remove_old_files(state.settings.data_dir / "briefs", state.settings.job_file_retention_hours)
    name = f"brief-{reporter.upper()}-{partner.upper()}-{parsed.label()}-{brief_lang}.{fmt}"
    job_id = state.jobs.submit("brief", viewer.user_id, {
        "reporter": reporter, "partner": partner, "period": parsed.label(), "lang": brief_lang, "format": fmt,
        "source": source or None, "name": name})
    query = (f"reporter={reporter}&partner={partner}&period={parsed.label()}&brief_lang={brief_lang}"
             + (f"&source={quote(source)}" if source else ""))
    return RedirectResponse(f"/brief?{query}&job={job_id}", status_code=303)


@router.get("/brief/file/{job_id}")
def brief_file(request: Request, viewer: BriefMaker, web: Web, job_id: RecordId):
    job = web.jobs.get(job_id, viewer)
    if job is None or job.kind != "brief" or job.status != "done":
        raise NotFound("No such brief.")
    path = web.settings.data_dir / "briefs" / job.result["file"]
    if not path.is_file():
        raise NotFound("The brief file is gone: make it again.")
    return Response(path.read_bytes(), media_type=MEDIA[job.result["format"]],
                    headers=disposition(job.result["name"]))


@router.get("/brief/job/{job_id}")
def brief_job(request: Request, viewer: BriefMaker, jobs: JobsDep, job_id: RecordId):
    job = jobs.get(job_id, viewer)
    if job is None or job.kind != "brief":
        raise NotFound("No such job.")
    return page(request, "_brief_job.html.j2", job=job)
