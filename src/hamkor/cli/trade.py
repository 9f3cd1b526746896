"""`hamkor trade`: where trade stands — summary, partners, structure, series, movers, mirror, indices."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hamkor.cli._common import OutputFormat, emit, err_console, fail, mn, read_warehouse, synthetic_notice

if TYPE_CHECKING:  # each command imports the statistics (DuckDB) when it runs: `--help` stays quick
    from hamkor.trade import stats
    from hamkor.trade.periods import Period

app = typer.Typer(help="Trade statistics from the warehouse.", no_args_is_help=True)

REPORTER = typer.Option(..., "--reporter", "-r", help="Reporter: country (RU) or region (RU-ALT).")
PARTNER = typer.Option("WORLD", "--partner", "-p", help="Partner: country (UZ), CIS, EAEU, EU or WORLD.")
PERIOD = typer.Option(..., "--period", help="2025, 2025-Q3, 2025-09, 2025-01..2025-09 or 2025-YTD-09.")
SOURCE = typer.Option(None, "--source", help="Use this source only (default: the most detailed one).")
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv, json or xlsx.")
OUTPUT = typer.Option(None, "-o", "--output", help="Write to this file (needed for xlsx).")
LANG = typer.Option("ru", "--lang", help="Language of names: ru, uz or en.")


def _run(ctx: typer.Context, work: Callable):
    from hamkor.trade import stats
    from hamkor.trade.periods import PeriodError

    return read_warehouse(ctx, work, (PeriodError, stats.QueryError))


def _period(text: str) -> Period:
    from hamkor.trade.periods import Period, PeriodError

    try:
        return Period.parse(text)
    except PeriodError as error:
        raise fail(str(error), 2) from None


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _say_where_from(result: stats.Summary) -> None:
    """Under every table: the sources and batches its figures rest on, and what its growth compares."""
    from hamkor.trade import stats

    for origin in stats.provenance(result.query):
        err_console.print(f"source {origin.source}: {origin.span()}, batches {', '.join(map(str, origin.batches))}"
                          + (" (SYNTHETIC)" if origin.synthetic else ""), highlight=False)
    if result.comparable and not result.like_for_like:
        months = ", ".join(f"{y}-{m:02d}" if m else str(y) for y, m in result.comparable)
        err_console.print(f"Growth, change and 'a year earlier' compare only the months both years cover from the "
                          f"same source: {months} (and the same months a year earlier).", highlight=False)


@app.command()
def summary(ctx: typer.Context, reporter: str = REPORTER, partner: str = PARTNER, period: str = PERIOD,
            source: str | None = SOURCE, fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """Exports, imports, turnover and balance, against the same period a year earlier (million USD)."""
    from hamkor.trade import figures, stats

    query = stats.Query(reporter.upper(), partner, _period(period), source)
    found = _run(ctx, lambda con: figures.headline(con, query))
    result = found.summary

    def value(figure: figures.Figure):
        return figures.absent_text(figure, "en") if figure.missing else mn(figure.value)

    def span(figure: figures.Figure) -> str:
        return figures.months_text(figure.months, "en")

    rows = []
    for name in ("exports", "imports", "turnover", "balance"):
        m = found.measures[name]
        rows.append([name, value(m.whole), span(m.compared), value(m.compared), span(m.base), value(m.base),
                     None if m.change is None else mn(m.change), _pct(m.growth),
                     None if m.no_comparison is None else str(m.no_comparison),
                     # each row says what it rests on, in the file itself (not only on stderr)
                     m.whole.status, " ".join(m.whole.sources)])
    title = (f"{reporter.upper()} — {partner}, {result.query.period.label()} "
             f"(sources: {', '.join(result.query.sources) or 'none'})")
    # "A year earlier" is the compared months a year before, named in its own column: never the whole
    # previous period set beside a growth worked out over fewer months.
    emit(["measure", "period, mn USD", "months compared", "compared, mn USD",
          "a year earlier", "a year earlier, mn USD", "change, mn USD", "growth, %", "no growth because",
          "status", "sources"],
         rows, fmt, title, output)
    _say_where_from(result)
    if result.coverage.annual_only and not query.period.whole_years:
        err_console.print("The source has annual figures only: ask for whole years.")
    elif result.coverage.empty:
        err_console.print("No data for this period.")
    elif not result.coverage.complete:
        err_console.print(f"Partial period: data for {result.coverage.present} of {result.coverage.expected} months "
                          f"({figures.months_text(found.measures['exports'].whole.months, 'en')}).", highlight=False)
    synthetic_notice(found.synthetic)


@app.command()
def partners(ctx: typer.Context, reporter: str = REPORTER, period: str = PERIOD, source: str | None = SOURCE,
             top: int = typer.Option(20, help="How many partners."), lang: str = LANG,
             fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """Partners ranked by turnover, with shares and growth."""
    from hamkor.reference.names import territory_name
    from hamkor.trade import figures, stats

    query_period = _period(period)

    def work(con):
        ranking = stats.partner_ranking(con, reporter.upper(), query_period, source)
        return ranking, stats.summary(con, stats.Query(reporter.upper(), None, query_period, source))

    ranking, summ = _run(ctx, work)
    rows = [[r.rank, r.partner, territory_name(r.partner, lang), mn(r.turnover), mn(r.exports), mn(r.imports),
             round(r.share, 2), _pct(r.growth)] for r in ranking[:top]]
    emit(["rank", "code", "partner", "turnover, mn USD", "exports", "imports", "share, %", "growth, %"], rows, fmt,
         f"Partners of {reporter.upper()}, {query_period.label()}", output)
    if ranking.left_out:  # a month that names only a few partners would rank its one partner first
        typer.echo(f"Ranks and shares over {figures.months_text(ranking.months, 'en') or 'no month'}; "
                   f"{figures.months_text(ranking.left_out, 'en')} left out: its data name only a few partners.",
                   err=True)
    _say_where_from(summ)
    synthetic_notice(summ.synthetic)


@app.command()
def structure(ctx: typer.Context, reporter: str = REPORTER, partner: str = PARTNER, period: str = PERIOD,
              flow: str = typer.Option("export", help="export or import."),
              level: str = typer.Option("chapter", help="section, chapter, heading, subheading or national."),
              top: int = typer.Option(10, help="Top N; the rest is 'other'."), source: str | None = SOURCE,
              lang: str = LANG, fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """What goes each way: goods by HS / TN VED level, with shares and growth."""
    from hamkor.trade import stats

    query = stats.Query(reporter.upper(), partner, _period(period), source)
    result = _run(ctx, lambda con: (stats.structure(con, query, flow, level, top), stats.summary(con, query)))
    table, summ = result
    rows = [[i.key, i.name(lang), mn(i.value), mn(i.previous) if i.recorded_before else None, round(i.share, 2),
             _pct(i.growth)]
            for i in table.items]
    emit(["code", "name", "value, mn USD", "a year earlier", "share, %", "growth, %"], rows, fmt,
         f"{flow} {reporter.upper()} — {partner}, {query.period.label()}, by {level}", output)
    _say_where_from(summ)
    synthetic_notice(summ.synthetic)


@app.command()
def series(ctx: typer.Context, reporter: str = REPORTER, partner: str = PARTNER, period: str = PERIOD,
           source: str | None = SOURCE, fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """Monthly exports and imports for the period and the year before it."""
    from hamkor.trade import stats

    query = stats.Query(reporter.upper(), partner, _period(period), source)
    points, summ = _run(ctx, lambda con: (stats.series(con, query), stats.summary(con, query)))
    rows = [[f"{p.year}-{p.month:02d}", mn(p.exports), mn(p.imports), mn(p.turnover)] for p in points]
    emit(["month", "exports, mn USD", "imports, mn USD", "turnover, mn USD"], rows, fmt,
         f"{reporter.upper()} — {partner} by month", output)
    if not points:
        err_console.print("No monthly figures for this period (the source may hold annual figures only).")
    _say_where_from(summ)
    synthetic_notice(summ.synthetic)


@app.command()
def movers(ctx: typer.Context, reporter: str = REPORTER, partner: str = PARTNER, period: str = PERIOD,
           by: str = typer.Option("product", help="product or partner."),
           flow: str | None = typer.Option(None, help="export or import (default both)."),
           level: str = typer.Option("heading", help="Product level."), top: int = typer.Option(5),
           source: str | None = SOURCE, lang: str = LANG, fmt: OutputFormat = FORMAT,
           output: Path | None = OUTPUT) -> None:
    """The largest increases and decreases on the same period a year earlier."""
    from hamkor.reference.names import territory_name
    from hamkor.trade import stats

    query = stats.Query(reporter.upper(), partner, _period(period), source)
    (ups, downs), summ = _run(ctx, lambda con: (stats.movers(con, query, by, flow, level, top),
                                               stats.summary(con, query)))
    rows = []
    for direction, group in (("up", ups), ("down", downs)):
        for m in group:
            name = territory_name(m.key, lang) if by == "partner" else stats.item_name(m.key, lang, m.edition)
            rows.append([direction, m.key, name, mn(m.previous), mn(m.value), mn(m.change), _pct(m.growth)])
    emit(["direction", "code", "name", "a year earlier, mn USD", "now", "change", "growth, %"], rows, fmt,
         f"Movers by {by}, {query.period.label()}", output)
    _say_where_from(summ)
    synthetic_notice(summ.synthetic)


@app.command()
def mirror(ctx: typer.Context, reporter: str = REPORTER,
           partner: str = typer.Option(..., "--partner", "-p", help="The other country (ISO alpha-2)."),
           years: str | None = typer.Option(None, help="e.g. 2019..2021 (default: all both report)."),
           fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """What the reporter says it traded with the partner against what the partner says."""
    from hamkor.trade import stats

    span = None
    if years:
        try:
            first, _, last = years.partition("..")
            span = range(int(first), int(last or first) + 1)
        except ValueError:
            raise fail("--years must look like 2019..2021", 2) from None
    rows_data = _run(ctx, lambda con: stats.mirror(con, reporter.upper(), partner.upper(), span))
    rows = [[r.year, f"{reporter.upper()} {r.flow}", mn(r.reported), mn(r.mirror), mn(r.gap),
             None if r.ratio is None else round(r.ratio, 4), r.reported_source, r.mirror_source] for r in rows_data]
    emit(["year", "flow", "reported, mn USD", "mirror, mn USD", "gap", "ratio", "reported by", "mirror by"], rows,
         fmt, f"Mirror: {reporter.upper()} vs {partner.upper()}", output)
    if not rows:
        err_console.print("Both sides' data are needed: load the partner's statistics too.")
    else:
        err_console.print(str(stats.MIRROR_NOTE), highlight=False)


@app.command()
def indices(ctx: typer.Context, reporter: str = REPORTER, partner: str = PARTNER, period: str = PERIOD,
            source: str | None = SOURCE, fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """Concentration (Herfindahl), complementarity, intensity and Grubel–Lloyd indices."""
    from hamkor.trade import stats

    query = stats.Query(reporter.upper(), partner, _period(period), source)
    report, summ = _run(ctx, lambda con: (stats.trade_indices(con, query), stats.summary(con, query)))

    def value(v):
        return None if v is None else round(v, 4)

    rows = [
        ["export concentration (normalised Herfindahl, by heading)", value(report.export_concentration)],
        ["import concentration (normalised Herfindahl, by heading)", value(report.import_concentration)],
        ["partner concentration (normalised Herfindahl)", value(report.partner_concentration)],
        ["Grubel–Lloyd, aggregate (by heading)", value(report.grubel_lloyd)],
        ["trade complementarity (0..100)", value(report.complementarity)],
        ["trade intensity", value(report.intensity)],
    ]
    rows += [[f"Grubel–Lloyd {code}", value(gl)] for code, _, gl in report.grubel_lloyd_products]
    emit(["index", "value"], rows, fmt, f"Indices {reporter.upper()} — {partner}, {query.period.label()}", output)
    for note in report.notes:
        err_console.print(note)
    synthetic_notice(summ.synthetic)

