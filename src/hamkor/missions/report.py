"""The mission report a fund writes for its board: registrations, requests, meetings held, ratings, the
funnel, who answered the follow-up, and — for each contract reported with a product and a value — the
customs figures of that product between the two territories after the mission beside the same months a
year earlier, so the department sees whether mission deals show in the statistics."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook

from hamkor.companies.registry import company_name
from hamkor.i18n import localize
from hamkor.i18n.numbers import format_money, format_number
from hamkor.missions.base import mission_text
from hamkor.missions.outcomes import Funnel
from hamkor.missions.phrases import LABELS, label
from hamkor.missions.service import Missions
from hamkor.reference.names import territory_name
from hamkor.reference.nomenclature import nomenclature
from hamkor.render import pdf
from hamkor.render.sheets import append_row
from hamkor.store.models import Mission
from hamkor.trade import stats
from hamkor.trade.periods import Period

AFTER_MONTHS = 12  # how long after the mission its deals are looked for in the statistics
DEAL_STAGES = ("contract", "shipment")


@dataclass
class DealCheck:
    """A reported contract, and the customs figures of its product between the two territories."""

    reported_by: str
    counterpart: str
    stage: str
    hs_code: str
    value_usd: float
    product: str
    after: dict[str, float] = field(default_factory=dict)  # flow -> value over the months after the mission
    before: dict[str, float] = field(default_factory=dict)  # flow -> the same months a year earlier
    months: tuple[str, str] | None = None  # first and last month compared; None: no data after yet
    sources: list[str] = field(default_factory=list)
    synthetic: bool = False


@dataclass
class MissionReport:
    mission: Mission
    title: str
    registrations: dict[tuple[str, str], int]  # (side, status) -> companies
    requests: dict[str, int]
    funnel: Funnel
    participants_with_meetings: int
    answered: int
    not_answered: list[str]
    disagreements: int
    deals: list[DealCheck]
    reporter: str
    partner: str
    latest: str | None  # the latest month the warehouse has for the host territory


def _latest(con: duckdb.DuckDBPyConnection, reporter: str) -> tuple[int, int] | None:
    row = con.execute("SELECT max(CAST(year AS INTEGER) * 100 + month) FROM trade_flow WHERE reporter = ? "
                      "AND month IS NOT NULL", [reporter]).fetchone()
    return divmod(row[0], 100) if row and row[0] else None


def _check(con, deal: DealCheck, reporter: str, partner: str, start: tuple[int, int],
           latest: tuple[int, int] | None) -> None:
    if latest is None or latest < start:
        return
    end_index = min(latest[0] * 12 + latest[1] - 1, start[0] * 12 + start[1] - 1 + AFTER_MONTHS - 1)
    end = divmod(end_index, 12)
    period = Period(start, (end[0], end[1] + 1))
    for flow in ("export", "import"):
        found = stats.structure(con, stats.Query(reporter, partner, period), flow, "chapter", top=1000,
                                within=deal.hs_code)
        deal.after[flow] = sum(i.comparable_value if i.comparable_value is not None else i.value for i in found.items)
        deal.before[flow] = sum(i.previous for i in found.items)
        if found.months.comparable:
            first, last = min(found.months.comparable), max(found.months.comparable)
            deal.months = (f"{first[0]}-{first[1]:02d}", f"{last[0]}-{last[1]:02d}")
    q = stats.with_source(con, stats.Query(reporter, partner, period))
    deal.sources = sorted(q.sources)
    deal.synthetic = any(p.synthetic for p in stats.provenance(q))


def build_report(missions: Missions, mission: Mission, con: duckdb.DuckDBPyConnection | None,
                 lang: str = "ru") -> MissionReport:
    people = missions.people(mission.id)
    registered = missions.registrations(mission.id)
    registrations = Counter((r.registration.side, r.registration.status) for r in registered)
    self_registered = {r.company.id for r in registered}
    for person in people.values():  # companies the organizers added themselves take part too
        if person.company.id not in self_registered:
            registrations[(person.participant.side, "approved")] += 1
    requests = Counter(v.request.status for v in missions.requests(mission.id))
    answers = missions.side_answers(mission.id)
    with_meetings = {pid for a in answers for pid in (a.a, a.b)}
    answered = {pid for a in answers for pid in a.answers}
    reporter, partner = mission.host_territory, mission.visiting_territory[:2]
    latest = _latest(con, reporter) if con is not None else None
    first_day = date.fromisoformat(min(d["date"] for d in mission.days)) if mission.days else None
    deals = []
    for a in answers:
        # one deal a meeting: the side that reports it (both sides' identical reports are the same deal)
        reported = [(pid, f) for pid, f in sorted(a.answers.items())
                    if f.stage in DEAL_STAGES and f.hs_code and f.value_usd]
        for pid, answer in reported[:1]:
            other = a.b if pid == a.a else a.a
            deal = DealCheck(people[pid].name(lang), people[other].name(lang), answer.stage, answer.hs_code,
                             answer.value_usd, nomenclature().name(answer.hs_code, lang) or answer.hs_code)
            if con is not None and first_day is not None:
                _check(con, deal, reporter, partner, (first_day.year, first_day.month), latest)
            deals.append(deal)
    return MissionReport(mission, mission_text(mission, "name", lang) or mission.name, dict(registrations),
                         dict(requests), missions.funnel(mission.id), len(with_meetings),
                         len(with_meetings & answered),
                         sorted(people[p].name(lang) for p in with_meetings - answered),
                         sum(1 for a in answers if a.disagree), deals, reporter, partner,
                         f"{latest[0]}-{latest[1]:02d}" if latest else None)


def _words(lang: str) -> dict[str, str]:
    return {key: label(key, lang) for key in LABELS}


def report_html(report: MissionReport, lang: str) -> str:
    environment = Environment(loader=PackageLoader("hamkor.missions", "templates"),
                              autoescape=select_autoescape(["j2"]))
    return environment.get_template("report.html.j2").render(
        r=report, mission=report.mission, footer_title=report.title, l=_words(lang), lang=lang, fonts=pdf.font_urls(),
        money=lambda v: format_money(v, lang), number=lambda v, digits=1: format_number(v, lang, digits),
        say=lambda text: localize(text, lang),
        territory=lambda code: territory_name(code, lang), company_name=company_name)


def report_pdf(report: MissionReport, lang: str) -> bytes:
    return pdf.html_to_pdf(report_html(report, lang))


def report_xlsx(report: MissionReport, lang: str) -> bytes:
    words = _words(lang)
    book = Workbook()
    sheet = book.active
    sheet.title = words["sheet_report"]  # whole words: a longer name would be cut at 31 characters
    append_row(sheet, [report.title])
    if report.mission.synthetic:
        append_row(sheet, [words["synthetic"]])
    append_row(sheet, [])
    append_row(sheet, [words["registrations"], words["side"], words["status"], words["count"]])
    for (side, status), count in sorted(report.registrations.items()):
        append_row(sheet, ["", words[side], localize(f"registration {status}", lang), count])
    append_row(sheet, [words["requests"], "", words["status"], words["count"]])
    for status, count in sorted(report.requests.items()):
        append_row(sheet, ["", "", localize(status, lang), count])
    append_row(sheet, [words["funnel"], "", words["status"], words["count"], words["value"]])
    for step in report.funnel.steps:
        append_row(sheet, ["", "", localize(step.stage, lang), step.meetings, step.value_usd])
    append_row(sheet, [words["rating"], "", "", report.funnel.average_rating])
    append_row(sheet, [words["followup"], "", words["answered"], report.answered, report.participants_with_meetings])
    append_row(sheet, ["", "", words["disagree"], report.disagreements])
    deals = book.create_sheet(words["sheet_deals"])
    append_row(deals, [words["deal"], words["company"], words["counterpart"], words["product"], "HS",
                       words["value"], f"{words['export']}: {words['after']}", f"{words['export']}: {words['before']}",
                       f"{words['import']}: {words['after']}", f"{words['import']}: {words['before']}",
                       words["months"], words["sources"]])
    for d in report.deals:
        append_row(deals, [localize(d.stage, lang), d.reported_by, d.counterpart, d.product, d.hs_code, d.value_usd,
                           d.after.get("export"), d.before.get("export"), d.after.get("import"),
                           d.before.get("import"), "–".join(d.months) if d.months else "",
                           ", ".join(d.sources) + (f" ({words['synthetic']})" if d.synthetic else "")])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
