"""Cooperation pages: the dashboard, a timeline per partner beside its trade, and one generic set of
list / record / form pages for organisations, people, positions, events, agreements, commitments."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from hamkor.accounts.permissions import allowed
from hamkor.cooperation.calendar import events_ics
from hamkor.cooperation.records import KINDS, RecordError, RecordMissing, to_plain
from hamkor.cooperation.service import Cooperation, is_overdue
from hamkor.errors import NotFound
from hamkor.i18n import translations
from hamkor.i18n.numbers import money_unit
from hamkor.reference.names import territory_name
from hamkor.render.charts import turnover_with_events_spec
from hamkor.trade import stats
from hamkor.trade.periods import Period
from hamkor.web.deps import (
    AccountsDep,
    CoopDeleter,
    CoopEditor,
    CooperationDep,
    CoopViewer,
    RecordId,
    Today,
    Web,
    current_viewer,
    language_of,
)
from hamkor.web.forms import read_form, whole_number
from hamkor.web.pages._render import check_csrf, page
from hamkor.web.shared.downloads import disposition
from hamkor.web.state import WebState

router = APIRouter(include_in_schema=False)
KindName = Annotated[str, Path(pattern="^(organisations|people|positions|events|agreements|commitments)$")]



# Values the audit history keeps that are not fields of the form
EXTRA_LABELS = {"document_name": "Document", "document_sha256": "Document checksum", "synthetic": "Synthetic"}


def field_label(entity_or_kind: str, name: str) -> str:
    """The English label (a catalog message id) of a field, for history and recent changes."""
    kind = KINDS.get(entity_or_kind) or next((k for k in KINDS.values() if k.entity == entity_or_kind), None)
    field = kind.field(name) if kind else None
    return field.label if field else EXTRA_LABELS.get(name, name.replace("_", " "))


def _names(coop: Cooperation, lang: str) -> dict[str, dict[int, str]]:
    return {kind: coop.names(kind, lang) for kind in (*KINDS, "missions")}


def shown(value, field, names, lang: str = "ru") -> str:
    """A field's value as a person reads it: references by name, territories by name, choices in the
    reader's language, lists joined, dates as ISO; never a raw list or code."""
    if value in (None, "", []):
        return ""
    if field is None:  # a value the record keeps beside its fields (the document's file name)
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if field.type == "choice":
        return translations(lang).gettext(str(value))
    if field.type == "territory":
        return territory_name(str(value), lang)
    if field.type == "ref":
        return names[field.ref].get(value, f"#{value}")
    if field.type == "refs":
        return ", ".join(names[field.ref].get(v, f"#{v}") for v in value)
    if field.type == "territories":
        return ", ".join(territory_name(code, lang) for code in value)
    if field.type == "sources":
        return "; ".join(s["title"] for s in value)
    return str(to_plain(value))


@router.get("/cooperation")
def dashboard(request: Request, viewer: CoopViewer, coop: CooperationDep, today: Today):
    lang = language_of(request)
    reminders = coop.reminders(today, days=60, agreement_days=120)
    names = _names(coop, lang)
    partners = sorted({p for kind in ("events", "agreements", "commitments") for r in coop.list(kind)
                       for p in coop.partners_of(kind, r)})
    return page(request, "cooperation.html.j2", reminders=reminders, open_commitments=coop.open_commitments(),
                today=today, names=names, changes=coop.recent_changes(12), partners=partners, field_label=field_label,
                overdue=lambda c: is_overdue(c, today), may_edit=viewer.may("cooperation.edit"),
                kinds=KINDS)


@router.get("/cooperation/events.ics")
def events_feed(request: Request, coop: CooperationDep, accounts: AccountsDep,
                partner: Annotated[str | None, Query(max_length=10)] = None,
                feed: Annotated[str | None, Query(max_length=200)] = None):
    """The events as a calendar feed: a signed-in browser, or a calendar client with ?feed=<the user's
    feed secret> (from their account page). The secret opens this feed alone and only to read; an API
    token is not taken here, so a calendar app never holds a key to the API."""
    viewer = current_viewer(request)
    if viewer is None and feed:  # calendar clients send no header
        user = accounts.user_for_feed(feed)
        role, organisation = (user.role, user.organisation_id) if user else (None, None)
    else:
        role, organisation = (viewer.role, viewer.organisation_id) if viewer else (None, None)
    if role is None:
        return Response("sign in, or add ?feed=<your calendar feed secret> (see your account page)",
                        status_code=401, media_type="text/plain")
    if not allowed(role, "cooperation.view", organisation_id=organisation):
        return Response("your role may not see the cooperation registry", status_code=403, media_type="text/plain")
    body = events_ics(coop, partner, base_url=str(request.base_url).rstrip("/"))
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers=disposition("hamkor-events.ics", inline=True))


@router.get("/cooperation/partners/{code}")
def partner_page(request: Request, viewer: CoopViewer, coop: CooperationDep, web: Web,
                 code: Annotated[str, Path(pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")]):
    lang = language_of(request)
    code = code.upper()
    today = web.services.today()
    items = coop.timeline(code, today, lang)
    home = web.settings.home_territory
    spec, note, synthetic = _trade_beside(web, home, code, items, language_of(request))
    return page(request, "coop_partner.html.j2", code=code, items=items, spec=spec, note=note, synthetic=synthetic,
                home=home, today=today)


def _trade_beside(web: WebState, home: str, partner: str, items, lang: str):
    """The monthly turnover of home with the partner's country, events marked on it."""
    country = partner.split("-")[0]
    note = None if country == partner else "trade by partner region is not in the data: the country's is shown"
    if home.split("-")[0] == country:
        return None, "no trade series: the partner is the home country", False

    def compute():
        with web.services.warehouse.reader() as con:
            span = con.execute("SELECT min(year::INTEGER * 100 + month), max(year::INTEGER * 100 + month) "
                               "FROM trade_flow "
                               "WHERE reporter = ? AND partner = ? AND month IS NOT NULL", [home, country]).fetchone()
            if not span or span[0] is None:
                return None
            period = Period.parse(f"{span[0] // 100}-{span[0] % 100:02d}..{span[1] // 100}-{span[1] % 100:02d}")
            q = stats.with_source(con, stats.Query(home, country, period))
            points = stats.series(con, q, with_previous_year=False)
            return [(p.year, p.month, p.exports + p.imports, p.synthetic) for p in points], q.source

    found = web.cache.get(("coop-trade", home, country), compute)
    if not found:
        return None, "no trade data for this pair yet", False
    points, source = found
    events = [(i.day.isoformat(), i.title) for i in items if i.kind in ("event", "agreement")]
    words = translations(lang)
    labels = {"turnover": f"{words.gettext('Turnover')}, {money_unit(1e6, lang)}", "month": words.gettext("Month"),
              "date": words.gettext("Date"), "event": words.gettext("Event"),
              "real": words.gettext("real data"), "synthetic": words.gettext("synthetic")}
    spec = turnover_with_events_spec(points, events, "", labels)
    return json.dumps(spec, ensure_ascii=False).replace("</", "<\\/"), note, bool(source and "synthetic" in source)


@router.get("/cooperation/{kind}")
def list_page(request: Request, viewer: CoopViewer, coop: CooperationDep, today: Today, kind: KindName,
              partner: Annotated[str | None, Query(max_length=10)] = None,
              status: Annotated[str | None, Query(max_length=16)] = None,
              q: Annotated[str | None, Query(max_length=200)] = None):
    lang = language_of(request)
    spec = KINDS[kind]
    rows = coop.list(kind, partner or None, status or None, q or None)
    if status == "overdue" and kind == "commitments":
        rows = [r for r in coop.list(kind, partner or None) if is_overdue(r, today)]
    columns = [f for f in spec.fields if f.type not in ("longtext", "sources") and not f.lang][:6]
    return page(request, "coop_list.html.j2", spec=spec, rows=rows, columns=columns, names=_names(coop, lang),
                shown=lambda v, f, n: shown(v, f, n, lang), title=lambda r: coop.title(kind, r, lang),
                partner=partner or "", status=status or "",
                q=q or "", overdue=lambda r: kind == "commitments" and is_overdue(r, today),
                may_edit=viewer.may("cooperation.edit"))


def _form(request: Request, coop: Cooperation, kind: str, record_id: int | None, values: dict, problems,
          status_code: int = 200):
    lang = language_of(request)
    return page(request, "coop_form.html.j2", status_code=status_code, spec=KINDS[kind], record_id=record_id,
                values=values, problems=problems, names=_names(coop, lang), text_of=_text_of)


def _text_of(field, value) -> str:
    """A value as it stands in a form input."""
    if value in (None, []):
        return ""
    if isinstance(value, str):
        return value  # as the person typed it: a form shown again with its problems
    if field.type == "territories":
        return ", ".join(value)  # codes in a form: they are read back
    if field.type == "sources":
        return "\n".join(f"{s['title']} | {s['url']}" if s.get("url") else s["title"] for s in value)
    return str(to_plain(value))


async def _values_from(request: Request, kind: str) -> tuple[dict, object]:
    form = await read_form(request)
    values = {}
    for f in KINDS[kind].fields:
        values[f.name] = form.getlist(f.name) if f.type == "refs" else form.get(f.name, "")
    return values, form


@router.get("/cooperation/{kind}/new")
def new_form(request: Request, viewer: CoopEditor, coop: CooperationDep, kind: KindName):
    defaults = {"status": "open"} if kind == "commitments" else {"status": "signed"} if kind == "agreements" else {}
    for name in ("person_id", "event_id", "agreement_id", "mission_id", "organisation_id"):
        chosen = whole_number(request.query_params.get(name), 1)
        if chosen is not None:
            defaults[name] = chosen
    return _form(request, coop, kind, None, defaults, [])


@router.post("/cooperation/{kind}/new")
async def create(request: Request, viewer: CoopEditor, coop: CooperationDep, kind: KindName):
    values, form = await _values_from(request, kind)
    check_csrf(viewer, form.get("csrf"))
    try:
        record = coop.create(kind, values, viewer.actor)
    except RecordError as problem:
        return _form(request, coop, kind, None, values, problem.problems, 422)
    return RedirectResponse(f"/cooperation/{kind}/{record.id}", status_code=303)


@router.get("/cooperation/{kind}/{record_id}")
def record_page(request: Request, viewer: CoopViewer, coop: CooperationDep, today: Today, kind: KindName,
                record_id: RecordId):
    lang = language_of(request)
    record = coop.record(kind, record_id)
    extra = {}
    if kind == "people":
        extra["positions"] = coop.positions_of(record_id)
        extra["current"] = coop.current_position(record_id, today)
    if kind == "events":
        extra["commitments"] = [c for c in coop.list("commitments") if c.event_id == record_id]
    if kind == "agreements":
        extra["commitments"] = [c for c in coop.list("commitments") if c.agreement_id == record_id]
    names = _names(coop, lang)
    return page(request, "coop_record.html.j2", spec=KINDS[kind], record=record, names=names,
                history_value=lambda name, value: shown(value, KINDS[kind].field(name), names, lang),
                shown=lambda v, f, n: shown(v, f, n, lang), field_label=field_label,
                title=coop.title(kind, record, lang), history=coop.history(kind, record_id),
                overdue=kind == "commitments" and is_overdue(record, today),
                may_edit=viewer.may("cooperation.edit"),
                may_delete=viewer.may("cooperation.delete"), **extra)


@router.get("/cooperation/{kind}/{record_id}/edit")
def edit_form(request: Request, viewer: CoopEditor, coop: CooperationDep, kind: KindName, record_id: RecordId):
    record = coop.record(kind, record_id)
    return _form(request, coop, kind, record_id, {f.name: getattr(record, f.name) for f in KINDS[kind].fields}, [])


@router.post("/cooperation/{kind}/{record_id}/edit")
async def update(request: Request, viewer: CoopEditor, coop: CooperationDep, kind: KindName, record_id: RecordId):
    values, form = await _values_from(request, kind)
    check_csrf(viewer, form.get("csrf"))
    try:
        coop.update(kind, record_id, values, viewer.actor)
    except RecordError as problem:
        if isinstance(problem, RecordMissing):
            raise
        return _form(request, coop, kind, record_id, values, problem.problems, 422)
    return RedirectResponse(f"/cooperation/{kind}/{record_id}", status_code=303)


@router.post("/cooperation/{kind}/{record_id}/delete")
def delete(request: Request, viewer: CoopDeleter, coop: CooperationDep, kind: KindName, record_id: RecordId,
           csrf: str = Form("")):
    check_csrf(viewer, csrf)
    coop.delete(kind, record_id, viewer.actor)
    return RedirectResponse(f"/cooperation/{kind}", status_code=303)


@router.post("/cooperation/agreements/{record_id}/document")
async def upload_document(request: Request, viewer: CoopEditor, coop: CooperationDep, record_id: RecordId,
                          file: UploadFile = File(...), csrf: str = Form("")):
    check_csrf(viewer, csrf)
    data = await file.read(50 * (1 << 20) + 1)
    coop.attach_document(record_id, file.filename or "document", data, viewer.actor)
    return RedirectResponse(f"/cooperation/agreements/{record_id}", status_code=303)


@router.get("/cooperation/agreements/{record_id}/document")
def download_document(request: Request, viewer: CoopViewer, coop: CooperationDep, record_id: RecordId):
    agreement = coop.get("agreements", record_id)
    path = coop.document_path(agreement) if agreement else None
    if path is None:
        raise NotFound("No document is attached.")
    return Response(path.read_bytes(), media_type="application/octet-stream",
                    headers=disposition(agreement.document_name))
