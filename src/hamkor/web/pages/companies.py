"""Companies: list with search and filters, profile, edit, import, export; matching; HS code search."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from hamkor.companies.classify import search as hs_search
from hamkor.companies.matching import describe
from hamkor.companies.registry import (
    SIZES,
    CompanyData,
    CompanyError,
    CompanyFilter,
    Contact,
    can_edit,
    can_see_contacts,
    company_name,
    data_of,
)
from hamkor.companies.service import accept, match, meeting_requests
from hamkor.companies.transfer import ImportRefused, export_companies, import_companies
from hamkor.reference.regions import regions
from hamkor.web.deps import (
    CompanyEditor,
    CompanyImporter,
    CompanyViewer,
    Matchmaker,
    MeetingMaker,
    RecordId,
    ReferenceViewer,
    language_of,
)
from hamkor.web.pages._render import page
from hamkor.web.pages.imports import save_upload
from hamkor.web.security import allowed, csrf_matches

router = APIRouter(include_in_schema=False)
CONTACT_ROWS = 3
EXPIRED = "The form expired: reload the page."


def _filter(q, country, region, sector, code) -> CompanyFilter:
    return CompanyFilter(q or None, (country or "").upper() or None, (region or "").upper() or None,
                         sector or None, (code or "").strip() or None)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def _codes(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


@router.get("/companies")
def companies_page(request: Request, viewer: CompanyViewer, q: str | None = None, country: str | None = None,
                   region: str | None = None, sector: str | None = None, code: str | None = None):
    registry = request.app.state.registry
    flt = _filter(q, country, region, sector, code)
    found = registry.find(flt)
    return page(request, "companies.html.j2", companies=found, flt=flt, sectors=registry.sectors(),
                regions=[r for r in regions() if r.country in ("RU", "UZ")],
                name=lambda c: company_name(c, language_of(request)),
                may_create=viewer.role in ("admin", "organizer"),
                may_import=allowed(viewer.role, "companies.import"))


@router.get("/companies/export.{fmt}")
def export_page(request: Request, viewer: CompanyViewer, fmt: str, q: str | None = None, country: str | None = None,
                region: str | None = None, sector: str | None = None, code: str | None = None):
    if fmt not in ("xlsx", "csv"):
        return page(request, "message.html.j2", status_code=404, message="Export as xlsx or csv.")
    registry = request.app.state.registry
    found = registry.find(_filter(q, country, region, sector, code))
    # Contacts only where this viewer may see them
    contacts = {c.id: registry.contacts(c.id) for c in found if can_see_contacts(viewer.role, viewer.company_id, c.id)}
    media = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}[fmt]
    synthetic = any(c.synthetic for c in found)
    name = f"hamkor-companies{'-SYNTHETIC' if synthetic else ''}.{fmt}"
    return Response(export_companies(found, contacts, fmt), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/companies/new")
def new_company_form(request: Request, viewer: CompanyEditor):
    if viewer.role not in ("admin", "organizer"):
        return page(request, "message.html.j2", status_code=403, message="Your role does not allow this page.")
    return _form(request, None, CompanyData(country="RU"), [])


@router.post("/companies/new")
async def create_company(request: Request, viewer: CompanyEditor):
    if viewer.role not in ("admin", "organizer"):
        return page(request, "message.html.j2", status_code=403, message="Your role does not allow this page.")
    form = await request.form()
    if not csrf_matches({"csrf": viewer.csrf or ""}, form.get("csrf")):
        return page(request, "message.html.j2", status_code=400, message=EXPIRED)
    data = _data_from(form)
    try:
        company = request.app.state.registry.create(data)
    except CompanyError as problem:
        return _form(request, None, data, problem.problems, status_code=422)
    return RedirectResponse(f"/companies/{company.id}", status_code=303)


@router.get("/companies/{company_id}")
def company_page(request: Request, viewer: CompanyViewer, company_id: RecordId):
    registry = request.app.state.registry
    company = registry.get(company_id)
    if company is None:
        return page(request, "message.html.j2", status_code=404, message="No such company.")
    show_contacts = can_see_contacts(viewer.role, viewer.company_id, company.id)
    return page(request, "company.html.j2", company=company, name=company_name(company, language_of(request)),
                contacts=registry.contacts(company.id) if show_contacts else None,
                may_edit=can_edit(viewer.role, viewer.company_id, company.id),
                region_name=(regions().get(company.region).name(language_of(request)) if company.region else ""))


def _editable(request: Request, viewer, company_id: int):
    """The company if this viewer may edit it, else the page that says why not."""
    company = request.app.state.registry.get(company_id)
    if company is None:
        return None, page(request, "message.html.j2", status_code=404, message="No such company.")
    if not can_edit(viewer.role, viewer.company_id, company.id):
        return None, page(request, "message.html.j2", status_code=403, message="Your role does not allow this page.")
    return company, None


@router.get("/companies/{company_id}/edit")
def edit_company_form(request: Request, viewer: CompanyEditor, company_id: RecordId):
    company, refusal = _editable(request, viewer, company_id)
    if refusal:
        return refusal
    return _form(request, company.id, data_of(company, request.app.state.registry.contacts(company.id)), [])


@router.post("/companies/{company_id}/edit")
async def update_company(request: Request, viewer: CompanyEditor, company_id: RecordId):
    company, refusal = _editable(request, viewer, company_id)
    if refusal:
        return refusal
    registry = request.app.state.registry
    form = await request.form()
    if not csrf_matches({"csrf": viewer.csrf or ""}, form.get("csrf")):
        return page(request, "message.html.j2", status_code=400, message=EXPIRED)
    data = _data_from(form)
    data.synthetic = company.synthetic
    try:
        registry.update(company.id, data)
    except CompanyError as problem:
        return _form(request, company.id, data, problem.problems, status_code=422)
    return RedirectResponse(f"/companies/{company.id}", status_code=303)


def _data_from(form) -> CompanyData:
    contacts = [Contact(form.get(f"contact_name_{n}", ""), form.get(f"contact_role_{n}"),
                        form.get(f"contact_phone_{n}"), form.get(f"contact_email_{n}"))
                for n in range(1, CONTACT_ROWS + 1)]
    return CompanyData(
        name_ru=form.get("name_ru"), name_uz=form.get("name_uz"), name_en=form.get("name_en"),
        tax_id=form.get("tax_id"), country=form.get("country", ""), region=form.get("region"),
        city=form.get("city"), sectors=_split(form.get("sectors", "")), size=form.get("size") or None,
        website=form.get("website"), languages=_split(form.get("languages", "")),
        export_experience=form.get("export_experience"), offers=_codes(form.get("offers", "")),
        offers_text=form.get("offers_text"), needs=_codes(form.get("needs", "")), needs_text=form.get("needs_text"),
        contacts=contacts)


def _form(request: Request, company_id: int | None, data: CompanyData, problems, status_code: int = 200):
    contacts = [*data.contacts, *[Contact("")] * CONTACT_ROWS][:CONTACT_ROWS]
    return page(request, "company_form.html.j2", status_code=status_code, company_id=company_id, data=data,
                contacts=contacts, problems=problems, sizes=SIZES,
                regions=[r for r in regions() if r.country in ("RU", "UZ")])


@router.get("/companies-import")
def import_form(request: Request, viewer: CompanyImporter):
    return page(request, "companies_import.html.j2", report=None, error=None)


@router.post("/companies-import")
async def import_upload(request: Request, viewer: CompanyImporter, file: UploadFile = File(...),
                        csrf: str = Form(""), mapping: str = Form(""), update_existing: bool = Form(False)):
    if not csrf_matches({"csrf": viewer.csrf or ""}, csrf):
        return page(request, "message.html.j2", status_code=400, message=EXPIRED)
    try:
        path, _ = await save_upload(request, file)
    except ValueError as problem:
        return page(request, "message.html.j2", status_code=413, message=str(problem))
    saved = Path(path)
    named = saved.with_name(saved.name + "-" + (file.filename or "upload.csv").replace("/", "_"))
    saved.rename(named)
    explicit = {}
    for line in mapping.splitlines():
        if "=" in line:
            column, field = line.split("=", 1)
            explicit[column.strip()] = field.strip()
    try:
        report = import_companies(request.app.state.registry, named, explicit, update_existing)
    except ImportRefused as refused:
        return page(request, "companies_import.html.j2", status_code=422, report=refused.report, error=True)
    finally:
        named.unlink(missing_ok=True)
    return page(request, "companies_import.html.j2", report=report, error=False)


@router.get("/matching")
def matching_page(request: Request, viewer: Matchmaker, a_region: str = "RU-ALT", b_region: str = "UZ-SI",
                  a_sector: str | None = None, b_sector: str | None = None, top: int = 3):
    lang = language_of(request)
    registry = request.app.state.registry
    group_a = CompanyFilter(region=a_region or None, sector=a_sector or None)
    group_b = CompanyFilter(region=b_region or None, sector=b_sector or None)
    top = max(1, min(top, 20))

    def compute():
        with request.app.state.warehouse.reader() as con:
            return match(registry, con, group_a, group_b, top, lang)

    # Keyed on the registry's revision too: an edited profile must change the suggestions at once.
    key = ("matching", group_a, group_b, top, lang, registry.revision())
    result = request.app.state.cache.get(key, compute)
    requested = {(m.company_a, m.company_b) for m in meeting_requests(registry)}
    return page(request, "matching.html.j2", result=result, a_region=a_region, b_region=b_region,
                a_sector=a_sector or "", b_sector=b_sector or "", top=top, sectors=registry.sectors(),
                regions=[r for r in regions() if r.country in ("RU", "UZ")], requested=requested,
                may_accept=allowed(viewer.role, "matching.accept"),
                reason=lambda r, s: describe(r, s.a.name, s.b.name, lang))


@router.post("/matching/accept")
def accept_suggestion(request: Request, viewer: MeetingMaker, a: int = Form(...), b: int = Form(...),
                      csrf: str = Form(""), back: str = Form("/matching")):
    if not csrf_matches({"csrf": viewer.csrf or ""}, csrf):
        return page(request, "message.html.j2", status_code=400, message=EXPIRED)
    registry = request.app.state.registry
    first, second = registry.get(a), registry.get(b)
    if first is None or second is None:
        return page(request, "message.html.j2", status_code=404, message="No such company.")
    with request.app.state.warehouse.reader() as con:
        found = match(registry, con, CompanyFilter(ids=(a,)), CompanyFilter(ids=(b,)), 1, language_of(request))
    if not found.suggestions:
        return page(request, "message.html.j2", status_code=400, message="These two companies have nothing to meet on.")
    accept(registry, found.suggestions[0], viewer.user_id)
    return RedirectResponse(back if back.startswith("/matching") else "/matching", status_code=303)


@router.get("/hs")
def hs_page(request: Request, viewer: ReferenceViewer, q: str = "", fragment: bool = False):
    lang = language_of(request)
    hits = hs_search(q, limit=10) if q.strip() else []
    return page(request, "_hs_hits.html.j2" if fragment else "hs.html.j2", q=q, hits=hits,
                label=lambda hit: hit.label(lang if lang != "uz" else "en"))
