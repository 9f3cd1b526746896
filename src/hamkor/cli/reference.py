"""`hamkor ref`: look up nomenclature codes, countries and regions."""

from __future__ import annotations

from pathlib import Path

import typer

from hamkor.cli._common import OutputFormat, emit, fail

app = typer.Typer(help="Reference data: HS / TN VED codes, countries, regions.", no_args_is_help=True)
LANG_HELP = "ru, uz or en (names fall back to another language where missing)."


def _edition(edition: str) -> str:
    from hamkor.reference.nomenclature import EDITIONS

    if edition not in EDITIONS:
        raise fail(f"--edition must be one of {', '.join(EDITIONS)}", 2)
    return edition


@app.command()
def code(
    code: str = typer.Argument(..., help="Section (XV), chapter (44), heading, subheading or 10-digit line."),
    lang: str = typer.Option("ru", "--lang", help=LANG_HELP),
    edition: str = typer.Option("HS2022", "--edition", help="HS2022 or HS2017."),
) -> None:
    """Show a code with its path up to the section and its children."""
    from hamkor.reference import nomenclature

    path = nomenclature().path(code, _edition(edition))
    if not path:
        raise fail(f"unknown code {code!r} in {edition}")
    rows = [[e.level, e.code, e.name(lang)] for e in path]
    rows += [["  child", c.code, c.name(lang)] for c in nomenclature().children(code, edition)]
    emit(["level", "code", "name"], rows, OutputFormat.table, f"{code} ({edition})")


@app.command()
def search(
    text: str = typer.Argument(..., help="Part of a code or a name."),
    lang: str = typer.Option("ru", "--lang", help=LANG_HELP),
    edition: str = typer.Option("HS2022", "--edition", help="HS2022 or HS2017."),
    limit: int = typer.Option(30, help="Most results to show."),
) -> None:
    """Find codes by code prefix or by words in their names."""
    from hamkor.reference import nomenclature

    found = nomenclature().search(text, lang, _edition(edition), limit)
    emit(["level", "code", "name"], [[e.level, e.code, e.name(lang)] for e in found], OutputFormat.table)


@app.command("map")
def map_code(
    code: str = typer.Argument(..., help="HS 6-digit code."),
    source: str = typer.Option("HS2017", "--from"),
    target: str = typer.Option("HS2022", "--to"),
) -> None:
    """Map an HS 6-digit code between HS 2017 and HS 2022 (UNSD concordance)."""
    from hamkor.reference import nomenclature

    pairs = nomenclature().map_code(code, _edition(source), _edition(target))
    if not pairs:
        raise fail(f"{code} has no counterpart in the {source}->{target} concordance")
    emit([target, "relationship", "name"], [[c, r, nomenclature().name(c, "en", target)] for c, r in pairs],
         OutputFormat.table)


@app.command("countries")
def list_countries(
    lang: str = typer.Option("ru", "--lang", help=LANG_HELP),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    output: Path | None = typer.Option(None, "-o", "--output"),
) -> None:
    """ISO 3166-1 countries with their names."""
    from hamkor.reference import countries

    rows = [[c.alpha2, c.alpha3, c.numeric, c.name(lang)] for c in countries()]
    emit(["alpha2", "alpha3", "numeric", "name"], rows, fmt, "Countries", output)


@app.command("regions")
def list_regions(
    country: str | None = typer.Option(None, "--country", help="RU or UZ."),
    lang: str = typer.Option("ru", "--lang", help=LANG_HELP),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    output: Path | None = typer.Option(None, "-o", "--output"),
) -> None:
    """Regions with their ISO 3166-2 and FTS codes."""
    from hamkor.reference import regions

    rows = [[r.iso, r.fts_code or "", r.name(lang), r.district.get(lang) or r.district.get("en", "")]
            for r in regions() if country is None or r.country == country.upper()]
    emit(["iso", "fts code", "name", "federal district"], rows, fmt, "Regions", output)
