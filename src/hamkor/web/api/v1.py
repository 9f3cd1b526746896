"""JSON API under /api/v1: the same service calls as the pages."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from hamkor.briefing.compose import compose_brief
from hamkor.briefing.render import render
from hamkor.companies.classify import search as hs_search
from hamkor.companies.matching import describe
from hamkor.companies.registry import (
    CompanyData,
    CompanyError,
    CompanyFilter,
    Contact,
    can_edit,
    can_see_contacts,
    data_of,
)
from hamkor.companies.service import accept, match, meeting_requests
from hamkor.opportunities.explain import explain, product_name, section_of
from hamkor.opportunities.potential import Assumptions
from hamkor.opportunities.world import OpportunityError
from hamkor.reference import nomenclature
from hamkor.trade import overview as overview_service
from hamkor.trade import stats
from hamkor.trade.importers import IMPORTERS, ImportOptions
from hamkor.trade.periods import Period, PeriodError
from hamkor.web.deps import (
    AnyUser,
    BriefMaker,
    CompanyEditor,
    CompanyViewer,
    Importer,
    ImportViewer,
    Matchmaker,
    MeetingMaker,
    RecordId,
    ReferenceViewer,
    TradeViewer,
)
from hamkor.web.pages.imports import save_upload, start_import
from hamkor.web.pages.opportunities import Filters, opportunities_for

router = APIRouter(prefix="/api/v1", tags=["v1"])

Reporter = Annotated[str, Query(min_length=2, max_length=10, pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$",
                                description="Country (RU) or region (RU-ALT)")]
Partner = Annotated[str, Query(min_length=2, max_length=6, description="Country, CIS, EAEU, EU or WORLD")]
PeriodText = Annotated[str, Query(min_length=4, max_length=20, description="2025, 2025-Q3, 2025-01..2025-09")]
Lang = Literal["ru", "uz", "en"]


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as problem:
        raise HTTPException(422, str(problem)) from None


def _guard(work):
    try:
        return work()
    except stats.QueryError as problem:
        raise HTTPException(422, str(problem)) from None


class Me(BaseModel):
    email: str
    role: str
    language: str


class FlowFigures(BaseModel):
    exports: float
    imports: float
    turnover: float
    balance: float
    months_with_data: int


class SummaryOut(BaseModel):
    reporter: str
    partner: str
    period: str
    previous_period: str
    source: str | None
    synthetic: bool
    current: FlowFigures
    previous: FlowFigures
    growth_pct: dict[str, float | None]
    coverage: dict[str, int | bool]


class PartnerOut(BaseModel):
    rank: int
    partner: str
    turnover: float
    exports: float
    imports: float
    share_pct: float
    growth_pct: float | None


class StructureItemOut(BaseModel):
    code: str
    name: str
    value: float
    previous: float
    share_pct: float
    growth_pct: float | None


class SeriesPoint(BaseModel):
    year: int
    month: int
    exports: float
    imports: float


class BatchOut(BaseModel):
    id: int
    kind: str
    source: str
    file_name: str
    status: str
    rows_loaded: int
    rows_rejected: int
    period_first: str | None
    period_last: str | None
    error_summary: str | None


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    progress: float
    message: str | None
    result: dict | None


class CodeOut(BaseModel):
    code: str
    level: str
    name: str
    parent: str | None


def _batch_out(b) -> BatchOut:
    return BatchOut(id=b.id, kind=b.source_kind, source=b.source_label, file_name=b.file_name, status=b.status,
                    rows_loaded=b.rows_loaded, rows_rejected=b.rows_rejected, period_first=b.period_first,
                    period_last=b.period_last, error_summary=b.error_summary)


def _figures(flows: stats.Flows) -> FlowFigures:
    return FlowFigures(exports=flows.exports, imports=flows.imports, turnover=flows.turnover, balance=flows.balance,
                       months_with_data=flows.months_with_data)


@router.get("/me", response_model=Me)
def me(viewer: AnyUser) -> Me:
    return Me(email=viewer.email, role=viewer.role, language=viewer.language)


@router.get("/trade/summary", response_model=SummaryOut)
def summary(request: Request, viewer: TradeViewer, reporter: Reporter, period: PeriodText,
            partner: Partner = "WORLD") -> SummaryOut:
    parsed = _period(period)

    def compute():
        with request.app.state.warehouse.reader() as con:
            return _guard(lambda: stats.summary(con, stats.Query(reporter.upper(), partner.upper(), parsed)))

    result = request.app.state.cache.get(("summary", reporter.upper(), partner.upper(), parsed), compute)
    return SummaryOut(
        reporter=reporter.upper(), partner=partner.upper(), period=parsed.label(),
        previous_period=parsed.previous_year().label(), source=result.query.source, synthetic=result.synthetic,
        current=_figures(result.current), previous=_figures(result.previous),
        growth_pct={m: result.growth(m) for m in ("exports", "imports", "turnover")},
        coverage={"expected": result.coverage.expected, "present": result.coverage.present,
                  "annual_only": result.coverage.annual_only, "complete": result.coverage.complete})


@router.get("/trade/partners", response_model=list[PartnerOut])
def partners(request: Request, viewer: TradeViewer, reporter: Reporter, period: PeriodText,
             top: Annotated[int, Query(ge=1, le=300)] = 50) -> list[PartnerOut]:
    parsed = _period(period)
    with request.app.state.warehouse.reader() as con:
        ranking = stats.partner_ranking(con, reporter.upper(), parsed)
    return [PartnerOut(rank=r.rank, partner=r.partner, turnover=r.turnover, exports=r.exports, imports=r.imports,
                       share_pct=r.share, growth_pct=r.growth) for r in ranking[:top]]


@router.get("/trade/structure", response_model=list[StructureItemOut])
def structure(request: Request, viewer: TradeViewer, reporter: Reporter, period: PeriodText,
              partner: Partner = "WORLD", flow: Literal["export", "import"] = "export",
              level: Literal["section", "chapter", "heading", "subheading", "national"] = "chapter",
              top: Annotated[int, Query(ge=1, le=500)] = 10,
              within: Annotated[str | None, Query(max_length=10)] = None, lang: Lang = "ru") -> list[StructureItemOut]:
    parsed = _period(period)
    with request.app.state.warehouse.reader() as con:
        table = _guard(lambda: stats.structure(con, stats.Query(reporter.upper(), partner.upper(), parsed), flow,
                                               level, top, within))
    return [StructureItemOut(code=i.key, name=i.name(lang), value=i.value, previous=i.previous, share_pct=i.share,
                             growth_pct=i.growth) for i in table.items]


@router.get("/trade/series", response_model=list[SeriesPoint])
def series(request: Request, viewer: TradeViewer, reporter: Reporter, period: PeriodText,
           partner: Partner = "WORLD") -> list[SeriesPoint]:
    parsed = _period(period)
    with request.app.state.warehouse.reader() as con:
        points = _guard(lambda: stats.series(con, stats.Query(reporter.upper(), partner.upper(), parsed)))
    return [SeriesPoint(year=p.year, month=p.month, exports=p.exports, imports=p.imports) for p in points]


@router.get("/trade/overview")
def overview(request: Request, viewer: TradeViewer, reporter: Reporter, period: PeriodText,
             partner: Partner = "UZ", lang: Lang = "ru") -> dict:
    """The dashboard's data: tiles, rank and the Vega-Lite specs of its charts."""
    parsed = _period(period)
    with request.app.state.warehouse.reader() as con:
        data = _guard(lambda: overview_service.overview(con, reporter.upper(), partner.upper(), parsed, lang))
    return {"reporter": data.reporter, "partner": data.partner, "period": parsed.label(), "source": data.source,
            "synthetic": data.synthetic, "rank": data.rank, "partner_count": data.partner_count,
            "tiles": [t.__dict__ for t in data.tiles], "charts": data.charts}


class OpportunityOut(BaseModel):
    code: str
    name: str
    kind: Literal["potential", "diversification"]
    section: str | None
    potential: float
    actual: float
    untapped: float
    realised_pct: float | None
    demand: float
    demand_growth_pct: float
    supply_share: float
    rca: float
    destinations: int
    density: float
    pci: float | None
    gain: float | None
    score: float
    factors: dict[str, float]
    contributions: dict[str, float | None]
    flags: list[str]
    flag_details: dict[str, str]
    explanation: str


class OpportunitiesOut(BaseModel):
    reporter: str
    partner: str
    direction: str
    exporter: str
    market: str
    year: int
    years: list[int]
    world_source: str
    synthetic: bool
    ease: float
    exporter_eci: float | None
    assumptions: dict[str, float]
    total_potential: float
    total_untapped: float
    notes: list[str]
    items: list[OpportunityOut]


@router.get("/opportunities", response_model=OpportunitiesOut)
def opportunities(request: Request, viewer: TradeViewer, reporter: Reporter,
                  partner: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$", description="Partner country")],
                  direction: Literal["export", "import"] = "export",
                  kind: Literal["potential", "diversification"] = "potential",
                  top: Annotated[int, Query(ge=1, le=2000)] = 30,
                  year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
                  section: Annotated[str | None, Query(pattern=r"^[IVXL]{1,5}$")] = None,
                  min_potential: Annotated[float, Query(ge=0, description="million USD")] = 0.0,
                  horizon: Annotated[int, Query(ge=0, le=10)] = 0,
                  supply_growth: Annotated[float, Query(ge=-50, le=100, description="% a year")] = 0.0,
                  demand_trend: Annotated[float, Query(ge=0, le=3)] = 1.0, lang: Lang = "ru") -> OpportunitiesOut:
    """Promising areas of cooperation: export potential (ITC method) or diversification, explained."""
    assumptions = Assumptions(horizon, supply_growth / 100, demand_trend)
    try:
        result = opportunities_for(request, reporter, partner, direction, assumptions, year)
    except OpportunityError as problem:
        raise HTTPException(422, str(problem)) from None
    keep = Filters(section, min_potential).keep
    chosen = [i for i in (result.items if kind == "potential" else result.diversification) if keep(i)][:top]
    items = [OpportunityOut(
        code=i.product, name=product_name(i.product, lang), kind=i.kind, section=section_of(i.product),
        potential=i.potential, actual=i.actual, untapped=i.untapped,
        realised_pct=None if i.realised is None else i.realised * 100, demand=i.demand,
        demand_growth_pct=i.demand_growth * 100, supply_share=i.supply_share, rca=i.rca,
        destinations=i.destinations, density=i.density, pci=i.pci, gain=i.gain, score=i.score,
        factors=i.factors(), contributions={k: None if math.isinf(v) else v for k, v in i.contributions().items()},
        flags=i.flags, flag_details=i.flag_details, explanation=explain(i, result, lang)) for i in chosen]
    return OpportunitiesOut(
        reporter=result.reporter, partner=result.partner, direction=result.direction, exporter=result.exporter,
        market=result.market, year=result.year, years=result.years, world_source=result.world.source,
        synthetic=result.synthetic, ease=result.ease, exporter_eci=result.exporter_eci,
        assumptions={"horizon_years": horizon, "supply_growth_pct": supply_growth, "demand_trend": demand_trend},
        total_potential=result.total_potential, total_untapped=result.total_untapped, notes=result.notes,
        items=items)


class ContactIO(BaseModel):
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None


class CompanyIn(BaseModel):
    name_ru: str | None = None
    name_uz: str | None = None
    name_en: str | None = None
    tax_id: str | None = None
    country: str
    region: str | None = None
    city: str | None = None
    sectors: list[str] = []
    size: str | None = None
    website: str | None = None
    languages: list[str] = []
    export_experience: str | None = None
    offers: list[str] = []
    offers_text: str | None = None
    needs: list[str] = []
    needs_text: str | None = None
    contacts: list[ContactIO] = []


class CompanyOut(CompanyIn):
    id: int
    synthetic: bool
    contacts: list[ContactIO] | None = None  # None: this viewer may not see them


def _company_out(request: Request, viewer, company, with_contacts: bool = False) -> CompanyOut:
    data = data_of(company)
    shown = None
    if with_contacts and can_see_contacts(viewer.role, viewer.company_id, company.id):
        shown = [ContactIO(name=c.name, role=c.role, phone=c.phone, email=c.email)
                 for c in request.app.state.registry.contacts(company.id)]
    fields = {k: v for k, v in data.__dict__.items() if k not in ("contacts", "synthetic")}
    return CompanyOut(id=company.id, synthetic=company.synthetic, contacts=shown, **fields)


def _company_data(body: CompanyIn) -> CompanyData:
    fields = body.model_dump()
    contacts = [Contact(**c) for c in fields.pop("contacts")]
    return CompanyData(**fields, contacts=contacts)


@router.get("/companies", response_model=list[CompanyOut])
def list_companies(request: Request, viewer: CompanyViewer, q: Annotated[str | None, Query(max_length=200)] = None,
                   country: Annotated[str | None, Query(max_length=2)] = None,
                   region: Annotated[str | None, Query(max_length=10)] = None,
                   sector: Annotated[str | None, Query(max_length=100)] = None,
                   code: Annotated[str | None, Query(pattern=r"^[0-9]{2,10}$")] = None) -> list[CompanyOut]:
    flt = CompanyFilter(q, country.upper() if country else None, region.upper() if region else None, sector, code)
    return [_company_out(request, viewer, c) for c in request.app.state.registry.find(flt)]


@router.get("/companies/{company_id}", response_model=CompanyOut)
def get_company(request: Request, viewer: CompanyViewer, company_id: RecordId) -> CompanyOut:
    company = request.app.state.registry.get(company_id)
    if company is None:
        raise HTTPException(404, f"no company {company_id}")
    return _company_out(request, viewer, company, with_contacts=True)


@router.post("/companies", response_model=CompanyOut, status_code=201)
def create_company(request: Request, viewer: CompanyEditor, body: CompanyIn) -> CompanyOut:
    if viewer.role not in ("admin", "organizer"):
        raise HTTPException(403, "only organizers and administrators register companies")
    try:
        company = request.app.state.registry.create(_company_data(body))
    except CompanyError as problem:
        raise HTTPException(422, [{"field": f, "reason": r} for f, r in problem.problems]) from None
    return _company_out(request, viewer, company, with_contacts=True)


@router.put("/companies/{company_id}", response_model=CompanyOut)
def update_company(request: Request, viewer: CompanyEditor, company_id: RecordId, body: CompanyIn) -> CompanyOut:
    registry = request.app.state.registry
    company = registry.get(company_id)
    if company is None:
        raise HTTPException(404, f"no company {company_id}")
    if not can_edit(viewer.role, viewer.company_id, company.id):
        raise HTTPException(403, "a company representative edits their own company only")
    data = _company_data(body)
    data.synthetic = company.synthetic
    try:
        company = registry.update(company.id, data)
    except CompanyError as problem:
        raise HTTPException(422, [{"field": f, "reason": r} for f, r in problem.problems]) from None
    return _company_out(request, viewer, company, with_contacts=True)


class HsHitOut(BaseModel):
    code: str
    name: str
    score: float
    detail: str | None
    why: list[str]


@router.get("/hs/search", response_model=list[HsHitOut])
def hs_search_api(viewer: ReferenceViewer, q: Annotated[str, Query(min_length=1, max_length=200)],
                  lang: Literal["ru", "uz", "en"] | None = None,
                  limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[HsHitOut]:
    """Free text in Russian, Uzbek or English -> ranked HS headings, each with why."""
    shown = lang if lang in ("ru", "en") else "en"
    return [HsHitOut(code=h.code, name=h.label(shown), score=h.score, detail=h.detail, why=h.why)
            for h in hs_search(q, lang, limit)]


class SuggestionOut(BaseModel):
    a: int
    a_name: str
    b: int
    b_name: str
    score: float
    parts: dict[str, float]
    reasons: list[str]


@router.get("/matching", response_model=list[SuggestionOut])
def matching_api(request: Request, viewer: Matchmaker, a_region: Annotated[str | None, Query(max_length=10)] = None,
                 b_region: Annotated[str | None, Query(max_length=10)] = None,
                 a_country: Annotated[str | None, Query(max_length=2)] = None,
                 b_country: Annotated[str | None, Query(max_length=2)] = None,
                 a_sector: Annotated[str | None, Query(max_length=100)] = None,
                 b_sector: Annotated[str | None, Query(max_length=100)] = None,
                 top: Annotated[int, Query(ge=1, le=50)] = 5, lang: Lang = "ru") -> list[SuggestionOut]:
    """Every pair of group A x group B scored; the top suggestions for each company of A, with reasons."""
    group_a = CompanyFilter(None, a_country.upper() if a_country else None, a_region.upper() if a_region else None,
                            a_sector)
    group_b = CompanyFilter(None, b_country.upper() if b_country else None, b_region.upper() if b_region else None,
                            b_sector)
    with request.app.state.warehouse.reader() as con:
        result = match(request.app.state.registry, con, group_a, group_b, top, lang)
    return [SuggestionOut(a=s.a.id, a_name=s.a.name, b=s.b.id, b_name=s.b.name, score=s.score, parts=s.parts,
                          reasons=[describe(r, s.a.name, s.b.name, lang) for r in s.reasons])
            for s in result.suggestions]


class MeetingRequestIn(BaseModel):
    a: int
    b: int


class MeetingRequestOut(BaseModel):
    id: int
    a: int
    b: int
    score: float
    status: str


@router.get("/meeting-requests", response_model=list[MeetingRequestOut])
def list_meeting_requests(request: Request, viewer: Matchmaker) -> list[MeetingRequestOut]:
    return [MeetingRequestOut(id=m.id, a=m.company_a, b=m.company_b, score=m.score, status=m.status)
            for m in meeting_requests(request.app.state.registry)]


@router.post("/meeting-requests", response_model=MeetingRequestOut, status_code=201)
def create_meeting_request(request: Request, viewer: MeetingMaker, body: MeetingRequestIn) -> MeetingRequestOut:
    """Accept a suggested pair as a meeting request (the missions' B2B schedule starts from these)."""
    registry = request.app.state.registry
    if registry.get(body.a) is None or registry.get(body.b) is None:
        raise HTTPException(404, "no such company")
    with request.app.state.warehouse.reader() as con:
        found = match(registry, con, CompanyFilter(ids=(body.a,)), CompanyFilter(ids=(body.b,)), 1)
    if not found.suggestions:
        raise HTTPException(422, "these two companies have nothing to meet on")
    made = accept(registry, found.suggestions[0], viewer.user_id)
    return MeetingRequestOut(id=made.id, a=made.company_a, b=made.company_b, score=made.score, status=made.status)


@router.get("/briefs", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "application/vnd.openxmlformats-officedocument."
                                         "wordprocessingml.document": {}, "text/markdown": {}}}})
def brief(request: Request, viewer: BriefMaker, reporter: Reporter, partner: Partner, period: PeriodText,
          lang: Lang = "ru", format: Literal["pdf", "docx", "md"] = "pdf") -> Response:
    parsed = _period(period)
    with request.app.state.warehouse.reader() as con:
        document = _guard(lambda: compose_brief(con, reporter.upper(), partner.upper(), parsed, lang))
    media = {"pdf": "application/pdf", "md": "text/markdown; charset=utf-8",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[format]
    return Response(render(document, format), media_type=media)


@router.get("/imports", response_model=list[BatchOut])
def list_imports(request: Request, viewer: ImportViewer,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[BatchOut]:
    return [_batch_out(b) for b in request.app.state.imports.batches(limit)]


@router.post("/imports", response_model=JobOut, status_code=202)
async def upload(request: Request, viewer: Importer, kind: Annotated[str, Form()],
                 file: Annotated[UploadFile, File()]) -> JobOut:
    if kind not in IMPORTERS:
        raise HTTPException(422, f"kind must be one of {', '.join(IMPORTERS)}")
    try:
        path, _ = await save_upload(request, file)
    except ValueError as problem:
        raise HTTPException(413, str(problem)) from None
    job_id = start_import(request, viewer.user_id, kind, path, ImportOptions())
    return _job(request, job_id)


@router.get("/jobs/{job_id}", response_model=JobOut)
def job(request: Request, viewer: ImportViewer, job_id: RecordId) -> JobOut:
    return _job(request, job_id)


def _job(request: Request, job_id: int) -> JobOut:
    record = request.app.state.jobs.get(job_id)
    if record is None:
        raise HTTPException(404, "no such job")
    return JobOut(id=record.id, kind=record.kind, status=record.status, progress=record.progress,
                  message=record.message, result=record.result)


@router.delete("/imports/{batch_id}", response_model=BatchOut)
def undo(request: Request, viewer: Importer, batch_id: RecordId) -> BatchOut:
    try:
        b = request.app.state.imports.undo(batch_id)
    except LookupError as problem:
        raise HTTPException(404, str(problem)) from None
    return _batch_out(b)


@router.get("/nomenclature/search", response_model=list[CodeOut])
def search_codes(viewer: ReferenceViewer, q: Annotated[str, Query(min_length=1, max_length=100)], lang: Lang = "ru",
                 edition: Literal["HS2022", "HS2017"] = "HS2022",
                 limit: Annotated[int, Query(ge=1, le=200)] = 30) -> list[CodeOut]:
    return [CodeOut(code=e.code, level=e.level, name=e.name(lang), parent=e.parent)
            for e in nomenclature().search(q, lang, edition, limit)]


@router.get("/nomenclature/{code}", response_model=list[CodeOut])
def code_path(viewer: ReferenceViewer, code: str, lang: Lang = "ru",
              edition: Literal["HS2022", "HS2017"] = "HS2022") -> list[CodeOut]:
    """The code's path from its section, then its children."""
    entries = nomenclature().path(code, edition)
    if not entries:
        raise HTTPException(404, f"unknown code {code!r} in {edition}")
    return [CodeOut(code=e.code, level=e.level, name=e.name(lang), parent=e.parent)
            for e in entries + nomenclature().children(code, edition)]
