"""Companies: list with search and filters, profile, edit, import, export; matching; HS code search."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

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
    Registry,
    can_edit,
    can_see_contacts,
    company_name,
    data_of,
)
from hamkor.companies.service import accept_pair, match, meeting_requests
from hamkor.companies.transfer import FIELDS, ImportRefused, export_companies, import_companies
from hamkor.errors import NotFound, Refused
from hamkor.files import excerpt
from hamkor.reference.regions import regions
from hamkor.web.deps import (
    CompanyCreator,
    CompanyEditor,
    CompanyImporter,
    CompanyViewer,
    Matchmaker,
    MeetingMaker,
    RecordId,
    ReferenceViewer,
    RegistryDep,
    SettingsDep,
    Web,
    language_of,
)
from hamkor.web.forms import PageForm
from hamkor.web.pages._render import check_csrf, local_path, page
from hamkor.web.shared.downloads import disposition
from hamkor.web.shared.uploads import save_upload

router = APIRouter(include_in_schema=False)
CONTACT_ROWS = 3


def _filter(q, country, region, sector, code) -> CompanyFilter:
    return CompanyFilter(q or None, (country or "").upper() or None, (region or "").upper() or None,
                         sector or None, (code or "").strip() or None)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def _codes(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


def region_choices(settings, registry: Registry) -> list:
    """Regions of the countries this instance works with: its own, its main partner's, and those of
    the companies registered."""
    wanted = {settings.home_territory[:2].upper(), settings.main_partner[:2].upper()}
    wanted |= {c.country for c in registry.all() if c.country}
    return [r for r in regions() if r.country in wanted]


@router.get("/companies")
def companies_page(request: Request, viewer: CompanyViewer, registry: RegistryDep, settings: SettingsDep,
                   q: str | None = None, country: str | None = None, region: str | None = None,
                   sector: str | None = None, code: str | None = None):
    flt = _filter(q, country, region, sector, code)
    found = registry.find(flt, viewer.actor)
    return page(request, "companies.html.j2", companies=found, flt=flt, sectors=registry.sectors(),
                regions=region_choices(settings, registry),
                name=lambda c: company_name(c, language_of(request)),
                may_create=viewer.may("companies.create"), may_import=viewer.may("companies.import"))


@router.get("/companies/export.{fmt}")
def export_page(request: Request, viewer: CompanyViewer, registry: RegistryDep, fmt: str, q: str | None = None,
                country: str | None = None, region: str | None = None, sector: str | None = None,
                code: str | None = None):
    if fmt not in ("xlsx", "csv"):
        raise NotFound("Export as xlsx or csv.")
    found = registry.find(_filter(q, country, region, sector, code), viewer.actor)
    # Contacts only where this viewer may see them
    contacts = {c.id: registry.contacts(c.id) for c in found if can_see_contacts(viewer.actor, c.id)}
    media = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}[fmt]
    synthetic = any(c.synthetic for c in found)
    name = f"hamkor-companies{'-SYNTHETIC' if synthetic else ''}.{fmt}"
    return Response(export_companies(found, contacts, fmt, viewer.actor.sees_tax_id), media_type=media,
                    headers=disposition(name))


@router.get("/companies/new")
def new_company_form(request: Request, viewer: CompanyCreator, registry: RegistryDep, settings: SettingsDep):
    return _form(request, None, CompanyData(country=settings.home_territory[:2].upper()), [],
                 region_choices(settings, registry))


@router.post("/companies/new")
def create_company(request: Request, viewer: CompanyCreator, registry: RegistryDep,
                   settings: SettingsDep, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    data = _data_from(form)
    try:
        company = registry.create(data, viewer.actor)
    except CompanyError as problem:
        return _form(request, None, data, problem.problems, region_choices(settings, registry), status_code=422)
    return RedirectResponse(f"/companies/{company.id}", status_code=303)


@router.get("/companies/{company_id}")
def company_page(request: Request, viewer: CompanyViewer, registry: RegistryDep, company_id: RecordId):
    company = registry.company_for(viewer.actor, company_id)
    return page(request, "company.html.j2", company=company, name=company_name(company, language_of(request)),
                tax_id_shown=viewer.actor.sees_tax_id(company.id),
                contacts=registry.contacts_for(viewer.actor, company.id),
                may_edit=can_edit(viewer.actor, company.id),
                region_name=(regions().get(company.region).name(language_of(request)) if company.region else ""))


def _editable(registry: Registry, viewer, company_id: int):
    """The company if this viewer may edit it (CompanyNotFound or Refused otherwise)."""
    company = registry.company_for(viewer.actor, company_id)
    if not can_edit(viewer.actor, company.id):
        raise Refused("Your role does not allow this page.")
    return company


@router.get("/companies/{company_id}/edit")
def edit_company_form(request: Request, viewer: CompanyEditor, registry: RegistryDep, settings: SettingsDep,
                      company_id: RecordId):
    company = _editable(registry, viewer, company_id)
    return _form(request, company.id, data_of(company, registry.contacts(company.id)), [],
                 region_choices(settings, registry))


@router.post("/companies/{company_id}/edit")
def update_company(request: Request, viewer: CompanyEditor, registry: RegistryDep, settings: SettingsDep,
                   company_id: RecordId, form: PageForm):
    company = _editable(registry, viewer, company_id)
    check_csrf(viewer, form.get("csrf"))
    data = _data_from(form)
    try:
        registry.update(company.id, data, viewer.actor)
    except CompanyError as problem:
        return _form(request, company.id, data, problem.problems, region_choices(settings, registry),
                     status_code=422)
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


def _form(request: Request, company_id: int | None, data: CompanyData, problems, region_list: list,
          status_code: int = 200):
    contacts = [*data.contacts, *[Contact("")] * CONTACT_ROWS][:CONTACT_ROWS]
    return page(request, "company_form.html.j2", status_code=status_code, company_id=company_id, data=data,
                contacts=contacts, problems=problems, sizes=SIZES, regions=region_list)


@router.get("/companies-import")
def import_form(request: Request, viewer: CompanyImporter):
    return page(request, "companies_import.html.j2", report=None, error=None, import_fields=FIELDS)


@router.post("/companies-import")
async def import_upload(request: Request, viewer: CompanyImporter, web: Web, file: UploadFile = File(...),
                        csrf: str = Form(""), mapping: str = Form(""), update_existing: bool = Form(False)):
    check_csrf(viewer, csrf)
    saved = await save_upload(web, file)
    shown_name = excerpt(file.filename or "upload.csv", 120)  # the report names the person's file, not ours
    # The reader tells a workbook by its content; the suffix only names what a non-workbook claims to be.
    suffix = Path(file.filename or "").suffix.lower()
    named = saved.with_name(saved.name + (suffix if suffix in (".csv", ".xlsx", ".xlsm", ".txt") else ".csv"))
    saved.rename(named)
    explicit = {}
    for line in mapping.splitlines():
        if "=" in line:
            column, field = line.split("=", 1)
            explicit[column.strip()] = field.strip()
    try:
        report = import_companies(web.services.registry, named, explicit, update_existing)
        report.file_name = shown_name
    except ImportRefused as refused:
        refused.report.file_name = shown_name
        return page(request, "companies_import.html.j2", status_code=422, report=refused.report, error=True,
                    import_fields=FIELDS)
    finally:
        named.unlink(missing_ok=True)
    return page(request, "companies_import.html.j2", report=report, error=False, import_fields=FIELDS)


def _default_region(registry: Registry, territory: str) -> str:
    """A region as it is; for a country, the region with the most companies registered there."""
    territory = territory.upper()
    if "-" in territory:
        return territory
    counts = Counter(c.region for c in registry.all() if c.country == territory and c.region)
    return counts.most_common(1)[0][0] if counts else ""


@router.get("/matching")
def matching_page(request: Request, viewer: Matchmaker, web: Web, a_region: str | None = None,
                  b_region: str | None = None, a_sector: str | None = None, b_sector: str | None = None,
                  top: int = 3):
    lang = language_of(request)
    registry = web.services.registry
    a_region = _default_region(registry, web.settings.home_territory) if a_region is None else a_region
    b_region = _default_region(registry, web.settings.main_partner) if b_region is None else b_region
    group_a = CompanyFilter(region=a_region or None, sector=a_sector or None)
    group_b = CompanyFilter(region=b_region or None, sector=b_sector or None)
    top = max(1, min(top, 20))

    def compute():
        with web.services.warehouse.reader() as con:
            return match(registry, con, group_a, group_b, top, lang)

    # Keyed on the registry's revision too: an edited profile must change the suggestions at once.
    key = ("matching", group_a, group_b, top, lang, registry.revision())
    result = web.cache.get(key, compute)
    requested = {(m.company_a, m.company_b) for m in meeting_requests(registry)}
    return page(request, "matching.html.j2", result=result, a_region=a_region, b_region=b_region,
                a_sector=a_sector or "", b_sector=b_sector or "", top=top, sectors=registry.sectors(),
                regions=region_choices(web.settings, registry), requested=requested,
                may_accept=viewer.may("matching.accept"),
                reason=lambda r, s: describe(r, s.a.name, s.b.name, lang))


@router.post("/matching/accept")
def accept_suggestion(request: Request, viewer: MeetingMaker, web: Web,
                      a: Annotated[int, Form(ge=1, le=2**31 - 1)], b: Annotated[int, Form(ge=1, le=2**31 - 1)],
                      csrf: str = Form(""), back: str = Form("/matching")):
    check_csrf(viewer, csrf)
    registry = web.services.registry
    with web.services.warehouse.reader() as con:
        accept_pair(registry, con, a, b, viewer.user_id, language_of(request))
    return RedirectResponse(local_path(back, "/matching") if back.startswith("/matching") else "/matching",
                            status_code=303)


@router.get("/hs")
def hs_page(request: Request, viewer: ReferenceViewer, q: str = "", fragment: bool = False):
    lang = language_of(request)
    hits = hs_search(q, limit=10) if q.strip() else []
    return page(request, "_hs_hits.html.j2" if fragment else "hs.html.j2", q=q, hits=hits,
                label=lambda hit: hit.label(lang))  # Uzbek reads the Russian name where it has none
