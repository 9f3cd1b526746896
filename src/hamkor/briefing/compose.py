"""A meeting brief ("справка к встрече") composed from the trade statistics."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import duckdb

from hamkor.briefing import phrases
from hamkor.briefing.phrases import label
from hamkor.cooperation.digest import CooperationDigest
from hamkor.i18n import LANGUAGES, localize
from hamkor.i18n.numbers import (
    format_money,
    format_number,
    format_percent,
    long_date,
    money_scale,
    money_unit,
    month_name,
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
from hamkor.trade import figures, stats
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
                  cooperation: CooperationDigest | None = None, source: str | None = None) -> Brief:
    """The brief; `cooperation` (the registry's digest for the partner) adds the meetings, commitments and
    agreements an official is asked about; `source` pins the trade figures to one source (the department's
    own real file, say), as on the dashboard."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    # The promising areas read the world matrix (a third of the brief's time, most of it inside DuckDB,
    # which lets go of the interpreter): on a cursor of their own, beside the figures below.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="brief-promising") as pool:
        areas = pool.submit(_promising_on_own_cursor, con, reporter, partner, lang)
        return _compose(con, areas, reporter, partner, period, lang, top, render_charts, today, cooperation,
                        source)


def _compose(con, areas: Future, reporter: str, partner: str, period: Period, lang: str, top: int,
             render_charts: bool, today: date | None, cooperation: CooperationDigest | None,
             source: str | None = None) -> Brief:
    query = stats.Query(reporter, partner, period, source)
    stated = figures.headline(con, query)
    summary = stated.summary
    query = summary.query  # with the source chosen
    reporter_name, partner_name = territory_name(reporter, lang), territory_name(partner, lang)
    is_group = partner.upper() in GROUPS or partner.upper() == WORLD
    ranking = stats.partner_ranking(con, reporter, period, source)
    rank = next((r.rank for r in ranking if r.partner == partner.upper()), None)
    measures = stated.measures
    divisor, _ = money_scale(max([abs(f.value) for m in measures.values() for f in (m.whole, m.base)
                                  if not f.missing] or [0.0]))
    turnover = measures["turnover"]
    note = turnover.whole.reason if turnover.whole.missing else turnover.no_comparison

    facts = phrases.Facts(
        reporter_name, "-" in reporter, partner_name, is_group, (period.first, period.last, period.kind),
        period.previous_year().first[0], turnover.whole.value, measures["exports"].whole.value,
        measures["imports"].whole.value, turnover.growth, measures["exports"].growth, measures["imports"].growth,
        rank, len(ranking), divisor,
        figures.months_text(turnover.compared.months, lang) if turnover.partial and turnover.compared.months else None,
        _genitive_ru(reporter) if lang == "ru" else None, None if note is None else localize(note, lang),
        figures.months_text(turnover.whole.months, lang)
        if not summary.coverage.complete and turnover.whole.months else None,
        figures.months_text(ranking.months, lang) if ranking.left_out and ranking.months else None)
    brief = Brief(
        lang=lang, title=label("title", lang),
        subtitle=label("trade_with", lang, reporter=reporter_name, partner=partner_name) + ", "
        + phrases.period_phrase(period.first, period.last, period.kind, lang),
        headline=phrases.headline(facts, lang) if not summary.coverage.empty else label("no_data", lang),
        prepared_on=long_date(today or date.today(), lang))
    if ranking:
        brief.paragraphs.append(phrases.partners_sentence(
            len(ranking), lang, figures.months_text(ranking.months, lang) if ranking.left_out else None))
    if ranking.left_out:
        brief.paragraphs.append(phrases.few_partners_sentence(figures.months_text(ranking.left_out, lang), lang))
    projected = stats.year_end(con, query)
    if projected and "turnover" in projected:
        found = projected["turnover"]
        brief.paragraphs.append(label(
            "projection", lang, year=found.year, years=f"{found.years[0]}–{found.years[-1]}",
            month=month_name(found.through_month, lang),
            value=format_money(found.value, lang, divisor),
            # «от 175,6 до 176,7 млн долл. США»: in Russian the unit once, after the range
            low=format_number(found.low / divisor, lang) if lang == "ru" else format_money(found.low, lang, divisor),
            high=format_money(found.high, lang, divisor)))
    # The caveats of the headline figures stand under their table, not at the end of the brief.
    headline_table = _headline_table(stated, lang, divisor)
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
            table = _structure_table(structure, label(key, lang), lang, divisor)
            unknown = stats.unknown_codes(con, query, flow)
            if unknown:  # a code newer than our TN VED edition (or mistyped) is named, not silently folded
                table.notes.append(label("unknown_codes", lang, codes=", ".join(
                    f"{code} — {short_name(_ancestor_name(code, lang), 50)} ({format_money(value, lang)})"
                    for code, value in unknown[:5])
                    + ("…" if len(unknown) > 5 else "")))
            if lang == "uz" and flow == "export":
                table.notes.append(label("russian_names", lang))
            brief.tables.append(table)
            if render_charts:
                chart_key = "export_structure" if flow == "export" else "import_structure"
                spec = charts.structure_spec([(f"{i.key} {short_name(i.name(lang), 45)}" if i.key.isdigit()
                                               else i.name(lang),
                                               i.share) for i in structure.items],
                                              f"{label(chart_key, lang)} — "
                                              f"{figures.months_text(structure.months.months, lang)}",
                                              flow, "%", bar_height=11)
                brief.charts.append(Chart(label(chart_key, lang), spec))
    movers_text = _movers(con, query, lang, divisor)
    if movers_text:
        brief.paragraphs.append(movers_text)

    if render_charts:
        points = [(p.year, p.month, p.turnover, p.synthetic)
                  for p in figures.paired_months(stats.series(con, query), period)]
        if points:
            spec = charts.monthly_turnover_spec(points, label("monthly", lang), lang, money_unit(divisor, lang),
                                                divisor, height=100)  # a printed brief keeps to three pages
            brief.charts.insert(0, Chart(label("monthly", lang), spec))
        for chart in brief.charts:
            chart.svg = charts.to_svg(chart.spec, lang)

    registry_sources: list[str] = []
    if cooperation is not None and not cooperation.empty:
        brief.cooperation = _cooperation_section(cooperation, lang, registry_sources)
    promising, world_years = areas.result()
    brief.promising.extend(promising)
    # Every source names the years it answers for: the mirror's and the world matrix's by year, the trade
    # figures' own by months and batches.
    years_of: dict[str, set[int]] = {}
    for source_years in (_mirror_sources(con, reporter, partner), world_years):
        for source, years in source_years.items():
            years_of.setdefault(source, set()).update(years)
    used = sorted({s for s in (*query.sources, *years_of) if s})
    answering = {origin.source: origin for origin in stats.provenance(summary.query)}

    def detail(source: str) -> str:
        if source in answering:
            return _origin_detail(answering[source], lang)
        return f" — {_years_text(years_of[source], lang)}" if years_of.get(source) else ""

    brief.sources = [phrases.source_name(s, lang) + detail(s) for s in used] + [
        f"[{n}] {text}" for n, text in enumerate(registry_sources, 1)]
    synthetic_sources = [s for s in used if is_synthetic(s)]
    if synthetic_sources:
        real = [o for o in answering.values() if not o.synthetic]
        if real:  # say which part is synthetic: a real month beside them is not demo data
            parts = "; ".join(phrases.source_name(s, lang) + (_origin_detail(answering[s], lang) if s in answering
                                                               else "") for s in synthetic_sources)
            brief.warning = label("partly_synthetic", lang, who=f"{reporter_name} — {partner_name}", parts=parts)
        else:
            brief.warning = label("synthetic", lang, who=f"{reporter_name} — {partner_name}")
    return brief


PROMISING_PER_DIRECTION = 3


def _promising_on_own_cursor(con, reporter: str, partner: str, lang: str
                             ) -> tuple[list[Promising], dict[str, set[int]]]:
    cursor = con.cursor()  # a DuckDB connection is not to be shared between threads; a cursor of it is its own
    try:
        return _promising_areas(cursor, reporter, partner, lang)
    finally:
        cursor.close()


def _promising_areas(con, reporter: str, partner: str, lang: str
                     ) -> tuple[list[Promising], dict[str, set[int]]]:
    """The top export opportunities each way, explained, and the world source they rest on with its years;
    nothing when no world data answers."""
    found: list[Promising] = []
    sources: dict[str, set[int]] = {}
    for direction in ("export", "import"):
        try:
            result = find_opportunities(con, reporter, partner, direction)
        except OpportunityError:
            return found, sources
        chosen = [i for i in result.items if i.untapped > 0][:PROMISING_PER_DIRECTION]
        if chosen:
            title = label(f"promising_{direction}", lang, exporter=territory_name(result.exporter, lang),
                          market=territory_name(result.market, lang))
            # what the areas rest on and its year (a synthetic matrix's name says it is not real)
            title += " — " + label("promising_basis", lang, source=phrases.source_name(result.world.source, lang),
                                   year=result.year)
            found.append(Promising(title, [explain(i, result, lang) for i in chosen]))
        sources.setdefault(result.world.source, set()).add(result.year)
    return found, sources


def _headline_table(found: figures.Headline, lang: str, divisor: float) -> Table:
    """The period's figures and "a year earlier" over the months compared, each column named by its months:
    where the pair covers fewer months than the period, the whole period stands in a column of its own."""
    unit = money_unit(divisor, lang)
    measures = [found.measures[name] for name in ("turnover", "exports", "imports", "balance")]
    reference = found.measures["exports"]
    compared_months, base_months = reference.compared.months, reference.base.months
    partial = any(m.partial for m in measures) and bool(compared_months)  # no pair at all: one column, no twin
    headers = [label("indicator", lang)]
    if partial:
        headers.append(figures.months_text(reference.whole.months, lang) or _period_label(found.period, lang))
    headers += [figures.months_text(base_months, lang) or label("a_year_earlier", lang),
                figures.months_text(compared_months or reference.whole.months, lang)
                or _period_label(found.period, lang),
                label("growth", lang)]
    rows, notes = [], []
    for m in measures:
        row = [label(m.name, lang)]
        if partial:
            row.append(figures.number_text(m.whole, lang, divisor))
        row += [figures.number_text(m.base, lang, divisor),
                figures.number_text(m.compared if compared_months else m.whole, lang, divisor),
                format_percent(m.growth, lang) if m.growth is not None else "—"]
        rows.append(row)
        why = m.whole.reason if m.whole.missing else m.no_comparison
        if why is not None and m.name != "balance":
            text = f"{label(m.name, lang)}: {localize(why, lang)}"
            if text not in notes:
                notes.append(text)
    table = Table(label("headline", lang) + f", {unit}", headers, rows)
    if partial and compared_months:
        table.notes.append(label("like_for_like", lang, months=figures.months_text(compared_months, lang),
                                 whole=figures.months_text(reference.whole.months, lang)))
    table.notes += notes
    whole = reference.whole
    if whole.status == figures.MIXED:  # a total of real and synthetic months says which are which
        real = [k for k in whole.months if k not in whole.synthetic_months]
        table.notes.append(label("mixed_note", lang, whole=figures.months_text(whole.months, lang),
                                 synthetic=figures.months_text(whole.synthetic_months, lang),
                                 real=figures.months_text(real, lang)))
    return table


def _period_label(period: Period, lang: str) -> str:
    return phrases.period_phrase(period.first, period.last, period.kind, lang)


def _structure_table(structure: stats.Structure, title: str, lang: str, divisor: float) -> Table:
    rows = [[(f"{i.key} " if i.key.isdigit() else "") + short_name(i.name(lang)),
             _small(i.value / divisor, lang), format_number(i.share, lang), format_percent(i.growth, lang)]
            for i in structure.items]
    return Table(title, [label("goods", lang), money_unit(divisor, lang), label("share", lang),
                         label("growth", lang)], rows, [_goods_months(structure.months, lang)])


def _goods_months(months: stats.LikeForLike, lang: str) -> str:
    """Which months a goods table's values and its growth rest on: they differ when a month has no like
    month a year earlier."""
    whole = figures.months_text(months.months, lang)
    if not months.comparable:
        return label("goods_months_no_growth", lang, months=whole)
    # the sentence ends with the months ("… 2024 г."): one full stop, not two
    return label("goods_months", lang, months=whole, compared=figures.months_text(months.comparable, lang),
                 before=figures.months_text(months.comparable_before, lang)).rstrip(".") + "."



def _ancestor_name(code: str, lang: str) -> str:
    """A code missing from the nomenclature by the group above it (the note already says it is missing)."""
    name = stats.item_name(code, lang)
    return name.rsplit(" (", 1)[0] if name.endswith(")") else name


def _small(value: float, lang: str) -> str:
    """A figure in a table's unit; one too small to show at one decimal reads «<0,1», never 0,0 (which a
    reader takes for no trade at all)."""
    if 0 < abs(value) < 0.05:
        sign = ("−" if lang in ("ru", "uz") else "-") if value < 0 else ""
        return sign + "<" + format_number(0.1, lang)
    return format_number(value, lang)


def _movers(con, query: stats.Query, lang: str, divisor: float) -> str:
    """The largest changes of exports and of imports, each flow named: a heading's exports and another's
    imports set in one list would read as one flow."""
    shown = divisor / 20  # changes that would print as 0,0 say nothing
    parts = []
    for flow, flow_key in (("export", "exports"), ("import", "imports")):
        ups, downs = stats.movers(con, query, "product", flow=flow, level="heading", top=3)
        ups, downs = [m for m in ups if abs(m.change) >= shown], [m for m in downs if abs(m.change) >= shown]
        said = []
        for title, group in ((label("grew", lang), ups), (label("fell", lang), downs)):
            if group:
                items = "; ".join(f"{m.key} {short_name(stats.item_name(m.key, lang, m.edition), 60)} "
                                  f"({format_number(m.change / divisor, lang, signed=True)})" for m in group)
                said.append(f"{title.lower()}: {items}")
        if said:
            flow_name = label(flow_key, lang)
            # the first follows the heading's colon (no capital there), the next a full stop
            parts.append(f"{flow_name[0].lower() + flow_name[1:] if not parts else flow_name} — {'; '.join(said)}.")
    if not parts:
        return ""
    compared = stats.comparable_months(query)  # the change is over the months compared: it says which
    span = label("movers_months", lang, months=figures.months_text(compared, lang),
                 before=figures.months_text([(y - 1, m) for y, m in compared], lang))
    return f"{label('movers', lang)} ({money_unit(divisor, lang)}; {span}): " + " ".join(parts)


def _country_of(code: str) -> str:
    return code.split("-", 1)[0].upper()


def _cooperation_section(found: CooperationDigest, lang: str, cited_list: list[str] | None = None) -> list[Promising]:
    """The registry's facts, each citing its record's source as a number in the brief's list of sources
    (`cited_list` collects them in order), or saying that the registry names none."""
    cited_list = [] if cited_list is None else cited_list
    def day(value) -> str:
        return long_date(value, lang)

    def cited(sources) -> str:
        """Where a registry fact comes from, as its record says; a fact with no source says that too."""
        if not sources:
            return " " + label("uncited", lang)
        numbers = []
        for text in sources:
            if text not in cited_list:
                cited_list.append(text)
            numbers.append(str(cited_list.index(text) + 1))
        return f" [{', '.join(numbers)}]"

    def untranslated(line) -> str:
        """A registry text only in the language it was first written in says so in a brief of another."""
        return " " + label("untranslated", lang) if line.untranslated else ""

    parts = []
    if found.meetings:
        parts.append(Promising(label("coop_meetings", lang), [
            f"{day(m.day)}: {m.title}." + (f" {m.summary}" if m.summary else "")
            + (f" ({label('synthetic_record', lang)})" if m.synthetic else "") + untranslated(m) + cited(m.sources)
            for m in found.meetings]))
    if found.commitments:
        parts.append(Promising(label("coop_commitments", lang), [
            f"{c.title}" + (f" — {c.who}" if c.who else "") + "; "
            + (label("overdue_since", lang, date=day(c.due)) if c.overdue
               else label("due", lang, date=day(c.due)) if c.due else label("no_due", lang)).rstrip(".") + "."
            + untranslated(c) + cited(c.sources)
            for c in found.commitments]))
    if found.agreements:
        parts.append(Promising(label("coop_agreements", lang), [
            a.title + " (" + "; ".join(x for x in (
                label("signed_on", lang, date=day(a.signed)) if a.signed else None,
                label("valid_until", lang, date=day(a.valid_until)) if a.valid_until else None,
                label("expiring", lang) if a.expiring else None) if x) + ")." + untranslated(a) + cited(a.sources)
            for a in found.agreements]))
    return parts


def _genitive_ru(code: str) -> str | None:
    name = territory_name(code, "ru")
    return region_genitive(name) if "-" in code else country_genitive(name)


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


BATCH_WORDS = {"ru": {"one": "партия", "other": "партии"}, "uz": {"other": "toʻplam"},
               "en": {"one": "batch", "other": "batches"}}


def _mirror_sources(con, reporter: str, partner: str) -> dict[str, set[int]]:
    """The national sources the mirror comparison reads, each with the years it answers for."""
    a, b = _country_of(reporter), _country_of(partner)
    if len(a) != 2 or len(b) != 2 or a == b:
        return {}
    years: dict[str, set[int]] = {}
    for row in stats.mirror(con, a, b):
        for source in (row.reported_source, row.mirror_source):
            if source:
                years.setdefault(source, set()).add(row.year)
    return years


def _years_text(years: set[int], lang: str) -> str:
    """'2019–2023' for a run of years, '2019, 2021' where there are gaps, with the language's year word."""
    ordered = sorted(years)
    runs: list[list[int]] = []
    for year in ordered:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    text = ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
    return {"ru": f"{text} гг." if len(ordered) > 1 else f"{text} г.", "uz": f"{text}-yillar" if len(ordered) > 1
            else f"{text}-yil"}.get(lang, text)


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
