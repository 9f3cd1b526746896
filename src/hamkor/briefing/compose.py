"""A meeting brief ("справка к встрече") composed from the trade statistics."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import duckdb
from babel.dates import format_date

from hamkor.briefing import phrases
from hamkor.briefing.phrases import label
from hamkor.cooperation.digest import CooperationDigest
from hamkor.i18n import LANGUAGES
from hamkor.i18n.numbers import (
    format_money,
    format_number,
    format_percent,
    locale_of,
    money_scale,
    money_unit,
    period_phrase,
    plural,
)
from hamkor.i18n.russian import country_genitive, region_genitive
from hamkor.opportunities.analysis import find_opportunities
from hamkor.opportunities.explain import explain
from hamkor.opportunities.world import OpportunityError
from hamkor.reference.countries import countries
from hamkor.reference.names import GROUPS, WORLD, short_name, territory_name
from hamkor.render import charts
from hamkor.trade import stats
from hamkor.trade.facts import is_synthetic
from hamkor.trade.periods import Period


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)  # printed right under the table they qualify


@dataclass
class Chart:
    title: str
    spec: dict
    svg: str = ""


@dataclass
class Brief:
    lang: str
    title: str
    subtitle: str
    headline: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    warning: str | None = None
    prepared_on: str = ""
    promising: list[Promising] = field(default_factory=list)
    cooperation: list[Promising] = field(default_factory=list)  # from the cooperation registry, when given


@dataclass
class Promising:
    """One direction of the "Promising areas" section: a heading and its explained items."""

    title: str
    items: list[str]


def compose_brief(con: duckdb.DuckDBPyConnection, reporter: str, partner: str, period: Period,
                  lang: str = "ru", top: int = 7, render_charts: bool = True, today: date | None = None,
                  cooperation: CooperationDigest | None = None) -> Brief:
    """The brief; `cooperation` (the registry's digest for the partner) adds the meetings, commitments and
    agreements an official is asked about."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    # The promising areas read the world matrix (a third of the brief's time, most of it inside DuckDB,
    # which lets go of the interpreter): on a cursor of their own, beside the figures below.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="brief-promising") as pool:
        areas = pool.submit(_promising_on_own_cursor, con, reporter, partner, lang)
        return _compose(con, areas, reporter, partner, period, lang, top, render_charts, today, cooperation)


def _compose(con, areas: Future, reporter: str, partner: str, period: Period, lang: str, top: int,
             render_charts: bool, today: date | None, cooperation: CooperationDigest | None) -> Brief:
    query = stats.Query(reporter, partner, period)
    summary = stats.summary(con, query)
    query = summary.query  # with the source chosen
    reporter_name, partner_name = territory_name(reporter, lang), territory_name(partner, lang)
    is_group = partner.upper() in GROUPS or partner.upper() == WORLD
    ranking = stats.partner_ranking(con, reporter, period)
    rank = next((r.rank for r in ranking if r.partner == partner.upper()), None)
    divisor, _ = money_scale(max(summary.current.turnover, summary.previous.turnover))

    facts = phrases.Facts(
        reporter_name, "-" in reporter, partner_name, is_group, (period.first, period.last, period.kind),
        period.previous_year().first[0], summary.current.turnover, summary.current.exports,
        summary.current.imports, summary.growth("turnover"), summary.growth("exports"), summary.growth("imports"),
        rank, len(ranking), divisor, _comparable_span(summary),
        _genitive_ru(reporter) if lang == "ru" else None)
    brief = Brief(
        lang=lang, title=label("title", lang),
        subtitle=label("trade_with", lang, reporter=reporter_name, partner=partner_name) + ", "
        + phrases.period_phrase(period.first, period.last, period.kind, lang),
        headline=phrases.headline(facts, lang) if not summary.coverage.empty else label("no_data", lang),
        prepared_on=format_date(today or date.today(), "long", locale=locale_of(lang)))
    if ranking:
        brief.paragraphs.append(phrases.partners_sentence(len(ranking), lang))
    projected = stats.year_end(con, query)
    if projected and "turnover" in projected:
        found = projected["turnover"]
        brief.paragraphs.append(label(
            "projection", lang, year=found.year, years=f"{found.years[0]}–{found.years[-1]}",
            value=format_money(found.value, lang, divisor), low=format_money(found.low, lang, divisor),
            high=format_money(found.high, lang, divisor)))
    # The caveats of the headline figures stand under their table, not at the end of the brief.
    headline_table = _headline_table(summary, lang, divisor)
    if summary.coverage.annual_only and period.kind != "year":
        headline_table.notes.append(label("annual_only", lang))
    elif not summary.coverage.complete and not summary.coverage.empty:
        headline_table.notes.append(label("partial", lang, present=summary.coverage.present,
                                          expected=summary.coverage.expected))
    hidden = stats.confidential_value(con, query)
    if hidden:
        headline_table.notes.append(label("confidential_note", lang, value=format_money(hidden, lang)))
    mirror_note = _mirror_note(con, reporter, partner, period, lang)
    if mirror_note:
        headline_table.notes.append(mirror_note)
    brief.tables.append(headline_table)
    for flow, key in (("export", "top_exports"), ("import", "top_imports")):
        structure = stats.structure(con, query, flow, "chapter", top)
        if structure.items:
            brief.tables.append(_structure_table(structure, label(key, lang), lang, divisor))
            if render_charts:
                chart_key = "export_structure" if flow == "export" else "import_structure"
                spec = charts.structure_spec([(f"{i.key} {short_name(i.name(lang), 45)}" if i.key.isdigit()
                                               else i.name(lang),
                                               i.share) for i in structure.items], label(chart_key, lang), flow, "%")
                brief.charts.append(Chart(label(chart_key, lang), spec))
    movers_text = _movers(con, query, lang, divisor)
    if movers_text:
        brief.paragraphs.append(movers_text)

    if render_charts:
        points = [(p.year, p.month, p.turnover) for p in stats.series(con, query)]
        if points:
            spec = charts.monthly_turnover_spec(points, label("monthly", lang), lang, money_unit(divisor, lang),
                                                divisor)
            brief.charts.insert(0, Chart(label("monthly", lang), spec))
        for chart in brief.charts:
            chart.svg = charts.to_svg(chart.spec, lang)

    if cooperation is not None and not cooperation.empty:
        brief.cooperation = _cooperation_section(cooperation, lang)
    promising, world_source = areas.result()
    brief.promising.extend(promising)
    used = sorted({s for s in (*query.sources, *_mirror_sources(con, reporter, partner), world_source) if s})
    # The trade figures' own sources say which months and batches they answer for.
    answering = {origin.source: origin for origin in stats.provenance(summary.query)}
    brief.sources = [phrases.source_name(s, lang) + (_origin_detail(answering[s], lang) if s in answering else "")
                     for s in used]
    if summary.synthetic or any(is_synthetic(s) for s in query.sources) or is_synthetic(world_source):
        brief.warning = label("synthetic", lang, who=f"{reporter_name} — {partner_name}")
    return brief


PROMISING_PER_DIRECTION = 3


def _promising_on_own_cursor(con, reporter: str, partner: str, lang: str) -> tuple[list[Promising], str | None]:
    cursor = con.cursor()  # a DuckDB connection is not to be shared between threads; a cursor of it is its own
    try:
        return _promising_areas(cursor, reporter, partner, lang)
    finally:
        cursor.close()


def _promising_areas(con, reporter: str, partner: str, lang: str) -> tuple[list[Promising], str | None]:
    """The top export opportunities each way, explained, and the world source they rest on; nothing when
    no world data answers."""
    found: list[Promising] = []
    source = None
    for direction in ("export", "import"):
        try:
            result = find_opportunities(con, reporter, partner, direction)
        except OpportunityError:
            return found, source
        chosen = [i for i in result.items if i.untapped > 0][:PROMISING_PER_DIRECTION]
        if chosen:
            title = label(f"promising_{direction}", lang, exporter=territory_name(result.exporter, lang),
                          market=territory_name(result.market, lang))
            found.append(Promising(title, [explain(i, result, lang) for i in chosen]))
        source = result.world.source
    return found, source


def _headline_table(summary: stats.Summary, lang: str, divisor: float) -> Table:
    unit = money_unit(divisor, lang)
    period = summary.query.period
    # the columns name their periods ("январь–сентябрь 2024 г."), not bare years
    previous = period.previous_year()
    previous_label = phrases.period_phrase(previous.first, previous.last, previous.kind, lang)
    current_label = phrases.period_phrase(period.first, period.last, period.kind, lang)
    rows = []
    for measure in ("turnover", "exports", "imports", "balance"):
        rows.append([label(measure, lang), format_number(getattr(summary.previous, measure) / divisor, lang),
                     format_number(getattr(summary.current, measure) / divisor, lang),
                     format_percent(summary.growth(measure), lang) if measure != "balance" else "—"])
    return Table(label("headline", lang) + f", {unit}",
                 [label("indicator", lang), previous_label, current_label, label("growth", lang)], rows)


def _structure_table(structure: stats.Structure, title: str, lang: str, divisor: float) -> Table:
    rows = [[(f"{i.key} " if i.key.isdigit() else "") + short_name(i.name(lang)),
             format_number(i.value / divisor, lang), format_number(i.share, lang), format_percent(i.growth, lang)]
            for i in structure.items]
    return Table(title, [label("goods", lang), money_unit(divisor, lang), label("share", lang),
                         label("growth", lang)], rows)


def _movers(con, query: stats.Query, lang: str, divisor: float) -> str:
    ups, downs = stats.movers(con, query, "product", level="heading", top=3)
    shown = divisor / 20  # changes that would print as 0,0 say nothing
    ups, downs = [m for m in ups if abs(m.change) >= shown], [m for m in downs if abs(m.change) >= shown]
    parts = []
    for title, group in ((label("grew", lang), ups), (label("fell", lang), downs)):
        if group:
            items = "; ".join(f"{m.key} {short_name(stats.item_name(m.key, lang, m.edition), 60)} "
                              f"({format_number(m.change / divisor, lang, signed=True)})" for m in group)
            parts.append(f"{title}: {items}.")
    if not parts:
        return ""
    return f"{label('movers', lang)} ({money_unit(divisor, lang)}): " + " ".join(parts)


def _country_of(code: str) -> str:
    return code.split("-", 1)[0].upper()


def _cooperation_section(found: CooperationDigest, lang: str) -> list[Promising]:
    def day(value) -> str:
        return format_date(value, "long", locale=locale_of(lang))

    parts = []
    if found.meetings:
        parts.append(Promising(label("coop_meetings", lang), [
            f"{day(m.day)}: {m.title}." + (f" {m.summary}" if m.summary else "")
            + (f" ({label('synthetic_record', lang)})" if m.synthetic else "") for m in found.meetings]))
    if found.commitments:
        parts.append(Promising(label("coop_commitments", lang), [
            f"{c.title}" + (f" — {c.who}" if c.who else "") + "; "
            + (label("overdue_since", lang, date=day(c.due)) if c.overdue
               else label("due", lang, date=day(c.due)) if c.due else label("no_due", lang))
            for c in found.commitments]))
    if found.agreements:
        parts.append(Promising(label("coop_agreements", lang), [
            a.title + " (" + "; ".join(x for x in (
                label("signed_on", lang, date=day(a.signed)) if a.signed else None,
                label("valid_until", lang, date=day(a.valid_until)) if a.valid_until else None,
                label("expiring", lang) if a.expiring else None) if x) + ")" for a in found.agreements]))
    return parts


def _genitive_ru(code: str) -> str | None:
    name = territory_name(code, "ru")
    return region_genitive(name) if "-" in code else country_genitive(name)


def _comparable_span(summary: stats.Summary) -> tuple | None:
    """The first and last month growth compares, when that is fewer months than the period has data for
    and they run without a gap (else None: the period itself is compared)."""
    months = [(y, m) for y, m in summary.comparable if m is not None]
    if summary.like_for_like or not months:
        return None
    (y1, m1), (y2, m2) = months[0], months[-1]
    return ((y1, m1), (y2, m2)) if len(months) == (y2 - y1) * 12 + m2 - m1 + 1 else None


def _origin_detail(origin: stats.Provenance, lang: str) -> str:
    """' — январь 2024 г. – сентябрь 2025 г., партия 4': the months a source answers and its batches."""
    first, last = origin.first, origin.last
    if first[1] is None or last[1] is None:
        months = str(first[0]) if first[0] == last[0] else f"{first[0]}–{last[0]}"
    else:
        months = period_phrase(first, last, "months", lang)
    batches = ", ".join(str(b) for b in origin.batches)
    word = plural(len(origin.batches), BATCH_WORDS[lang] if lang in BATCH_WORDS else BATCH_WORDS["en"], lang)
    return f" — {months}, {word} {batches}" if batches else f" — {months}"


BATCH_WORDS = {"ru": {"one": "партия", "other": "партии"}, "uz": {"other": "partiya"},
               "en": {"one": "batch", "other": "batches"}}


def _mirror_sources(con, reporter: str, partner: str) -> set[str]:
    a, b = _country_of(reporter), _country_of(partner)
    if len(a) != 2 or len(b) != 2 or a == b:
        return set()
    rows = stats.mirror(con, a, b)
    return {s for r in rows for s in (r.reported_source, r.mirror_source)} if rows else set()


def _mirror_note(con, reporter: str, partner: str, period: Period, lang: str) -> str | None:
    """The latest year both countries report on each other, at national level."""
    a, b = _country_of(reporter), _country_of(partner)
    if len(a) != 2 or len(b) != 2 or a == b:
        return None
    rows = [r for r in stats.mirror(con, a, b) if r.flow == "export" and r.year <= period.last[0]]
    if not rows:
        return None
    row = rows[-1]
    a_name, b_name = countries().name(a, lang), countries().name(b, lang)
    gap = format_percent((row.ratio - 1) * 100 if row.ratio else None, lang)
    reported, mirrored = format_money(row.reported, lang), format_money(row.mirror, lang)
    ours, theirs = phrases.source_name(row.reported_source, lang), phrases.source_name(row.mirror_source, lang)
    if lang == "ru":
        a_of = country_genitive(a_name) or f"страны «{a_name}»"
        b_of = country_genitive(b_name) or f"страны «{b_name}»"
        return (f"{label('mirror', lang)} ({row.year} г., на уровне стран): экспорт, по данным {a_of} "
                f"({ours}), — {reported}; импорт, по данным {b_of} ({theirs}), — {mirrored} "
                f"(расхождение {gap}).")
    if lang == "uz":
        return (f"{label('mirror', lang)} ({row.year}-yil, mamlakatlar darajasida): {a_name} maʼlumotlariga koʻra "
                f"({ours}) eksport — {reported}; {b_name} maʼlumotlariga koʻra ({theirs}) import — {mirrored} "
                f"(farq {gap}).")
    return (f"{label('mirror', lang)} ({row.year}, country level): exports as reported by {a_name} ({ours}): "
            f"{reported}; imports as reported by {b_name} ({theirs}): {mirrored} (gap {gap}).")
