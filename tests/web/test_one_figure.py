"""One figure, one truth (issue 26): on warehouses shaped like the analyst's findings, the dashboard, the API,
the CLI and the brief print the same figures for the period, for "a year earlier" (always over the months
compared) and for growth, each to the digit it prints; a missing figure reads "no data" on every face.

The expected figures are summed here from the rows the test loads, not asked of the code under test."""

from __future__ import annotations

import csv
import html
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hamkor.cli import app as cli
from hamkor.config import Settings
from hamkor.i18n.numbers import format_money, format_number, format_percent
from hamkor.store.db import Database
from hamkor.trade.importers import ImportOptions
from hamkor.trade.service import ImportService
from hamkor.trade.warehouse import Warehouse
from hamkor.web.app import create_app
from tests.helpers import add_users, signed_in
from tests.unit.test_stats import HEADER

MILLION = 1_000_000.0
NO_DATA = {"ru": "нет данных", "uz": "maʼlumot yoʻq", "en": "no data"}
FLOW_CODES = {"export": ("ЭК", "4407111000"), "import": ("ИМ", "0806101000")}


def _file(path: Path, values: dict) -> Path:
    """values: (flow, year, month) -> USD with Uzbekistan; Kazakhstan gets a row each month too, so that
    a figure that forgot the partner would show it."""
    lines = [HEADER]
    for (flow, year, month), value in values.items():
        code, hs = FLOW_CODES[flow]
        for partner, amount in (("UZ", value), ("KZ", 7_777_000)):
            lines.append(f"{code}\t{month:02d}/{year}\t{partner}\t{hs}\t166\t{amount:.2f}\t1\t\t"
                         "01000 - АЛТАЙСКИЙ КРАЙ\tСФО".replace(".", ",", 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Scenario:
    name: str
    period: str
    loads: list  # (values, source or None)
    source: str | None = None
    # measure -> (the period's value, the months compared, those months a year earlier); None: missing
    expected: dict = field(default_factory=dict)


def _sum(values, flow, keys):
    return sum(values.get((flow, y, m), 0.0) for y, m in keys)


def _both(values, current_keys, base_keys, flows=("export", "import"), compared_keys=None):
    """The four measures from the rows (exports, imports, turnover, balance): the period, the months compared
    (the period's unless named) and those months a year earlier."""
    compared_keys = current_keys if compared_keys is None else compared_keys
    out = {}
    for name, pick in (("exports", lambda e, i: e), ("imports", lambda e, i: i),
                       ("turnover", lambda e, i: e + i), ("balance", lambda e, i: e - i)):
        needs_import = name != "exports"
        missing = needs_import and "import" not in flows
        now = None if missing else pick(_sum(values, "export", current_keys), _sum(values, "import", current_keys))
        base = None if missing or not base_keys else pick(_sum(values, "export", base_keys),
                                                          _sum(values, "import", base_keys))
        compared = None if missing or not base_keys else pick(_sum(values, "export", compared_keys),
                                                              _sum(values, "import", compared_keys))
        out[name] = (now, compared, base)
    return out


def _scenarios() -> list[Scenario]:
    found = []
    # 1. A real October after synthetic months: growth and "a year earlier" over January–September only.
    synthetic = {(f, y, m): (3_000_000 if f == "export" else 1_000_000) + m * 10_000 + (y - 2024) * 400_000
                 for f in ("export", "import") for y in (2024, 2025) for m in range(1, 10)}
    synthetic.update({("export", 2024, 10): 3_500_000, ("import", 2024, 10): 1_200_000})
    october = {("export", 2025, 10): 5_000_000, ("import", 2025, 10): 700_000}
    jan_oct = [(2025, m) for m in range(1, 11)]
    jan_sep_before = [(2024, m) for m in range(1, 10)]
    both = {**synthetic, **october}
    real_after = Scenario("real month after synthetic ones", "2025-01..2025-10",
                          [(synthetic, "demo-synthetic"), (october, None)])
    real_after.expected = _both(both, jan_oct, jan_sep_before, compared_keys=jan_oct[:9])
    found.append(real_after)
    # 2. The same warehouse with the real source pinned: no base for it.
    pinned = Scenario("a pinned source without a base", "2025-01..2025-10", real_after.loads, "fts-regional")
    pinned.expected = _both(october, [(2025, 10)], [])
    found.append(pinned)
    # 3. A period with a gap (no April in either year).
    gap_months = (1, 2, 3, 5)
    gap = {(f, y, m): (2_000_000 if f == "export" else 500_000) + m * 100_000 + (y - 2024) * 300_000
           for f in ("export", "import") for y in (2024, 2025) for m in gap_months}
    with_gap = Scenario("a period with a gap", "2025-01..2025-05", [(gap, None)])
    with_gap.expected = _both(gap, [(2025, m) for m in gap_months], [(2024, m) for m in gap_months])
    found.append(with_gap)
    # 4. A whole year asked where the year before is whole and this one has ten months.
    years = {(f, y, m): (4_000_000 if f == "export" else 1_500_000) + (y - 2024) * 600_000
             for f in ("export", "import") for y in (2024, 2025) for m in range(1, 13 if y == 2024 else 11)}
    year = Scenario("a whole year beside a partial one", "2025", [(years, None)])
    year.expected = _both(years, [(2025, m) for m in range(1, 11)], [(2024, m) for m in range(1, 11)])
    found.append(year)
    # 5. A table of exports only: imports, turnover and balance are missing, never 0.
    exports = {("export", y, m): 2_500_000 + (y - 2024) * 250_000 for y in (2024, 2025) for m in (1, 2)}
    only = Scenario("exports only", "2025-01..2025-02", [(exports, None)])
    only.expected = _both(exports, [(2025, 1), (2025, 2)], [(2024, 1), (2024, 2)], flows=("export",))
    found.append(only)
    # 6. A region's figures from a national table (FTS's format for a country, loaded for the region).
    national = {(f, y, m): (1_800_000 if f == "export" else 600_000) + m * 50_000 + (y - 2024) * 200_000
                for f in ("export", "import") for y in (2024, 2025) for m in (1, 2, 3)}
    region = Scenario("a region from national data", "2025-01..2025-03", [(national, "national")])
    region.expected = _both(national, [(2025, m) for m in (1, 2, 3)], [(2024, m) for m in (1, 2, 3)])
    found.append(region)
    return found


def _national_table(path: Path, values: dict) -> Path:
    codes = {"export": "ЭК", "import": "ИМ"}
    lines = ["NAPR;PERIOD;STRANA;TNVED;EDIZM;STOIM;NETTO;KOL"] + [
        f"{codes[flow]};{month:02d}/{year};UZ;4407111000;113;{value:.2f};1;1".replace(".", ",")
        for (flow, year, month), value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SCENARIOS = _scenarios()


def _growth(now, base):
    return None if now is None or base in (None, 0) else (now / base - 1) * 100


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    """A data directory per warehouse (the pinned scenario reads the first one's)."""
    made, by_loads = {}, {}
    for scenario in SCENARIOS:
        key = id(scenario.loads)
        if key not in by_loads:
            folder = tmp_path_factory.mktemp("figures")
            settings = Settings(data_dir=folder)
            db = Database(settings)
            db.upgrade()
            service = ImportService(db, Warehouse(settings))
            for n, (values, source) in enumerate(scenario.loads):
                if source == "national":
                    outcome = service.import_file("fts-national", _national_table(folder / f"load{n}.csv", values),
                                                  ImportOptions(reporter="RU-ALT"))
                else:
                    outcome = service.import_file("fts-regional", _file(folder / f"load{n}.csv", values),
                                                  ImportOptions(source=source))
                assert outcome.status == "loaded", outcome.report and outcome.report.summary()
            db.dispose()
            token = add_users(settings, [("analyst@figures.org", "analyst", None)])["analyst@figures.org"]
            by_loads[key] = (settings, token)
        made[scenario.name] = by_loads[key]
    return made


@contextmanager
def faces(instances, name: str):
    """The web app of a scenario's data, as the API (a token) and as pages (a signed-in browser) see it."""
    settings, token = instances[name]
    application = create_app(settings)
    try:
        yield (TestClient(application, headers={"Authorization": f"Bearer {token}"}),
               signed_in(application, "analyst@figures.org"))
    finally:
        application.state.web.services.close()


def _dashboard_tiles(client, scenario: Scenario) -> dict[str, str]:
    params = {"reporter": "RU-ALT", "partner": "UZ", "period": scenario.period}
    if scenario.source:
        params["source"] = scenario.source
    page = client.get("/", params=params)
    assert page.status_code == 200, page.text[-2000:]
    tiles = re.findall(r'<div class="tile" data-measure="(\w+)">(.*?)\n  </div>', page.text, re.S)
    return {name: html.unescape(re.sub(r"<[^>]+>", " ", body)) for name, body in tiles}


def _brief_rows(markdown: str) -> tuple[list[str], dict[str, list[str]]]:
    # the Markdown keeps «2025 г.» together with a no-break space, as the PDF does; cells compare without it
    table = markdown.replace("\u00a0г.", " г.").split("## Основные показатели")[1].split("\n\n")[1]
    lines = [line.strip("|").split(" | ") for line in table.splitlines() if not line.startswith("|--")]
    lines = [[cell.strip() for cell in line] for line in lines]
    return lines[0], {line[0]: line[1:] for line in lines[1:]}


LABELS_RU = {"turnover": "Товарооборот", "exports": "Экспорт", "imports": "Импорт", "balance": "Сальдо"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_every_face_prints_the_same_figures(instances, scenario):
    settings, _ = instances[scenario.name]
    with faces(instances, scenario.name) as (api, page):
        params = {"reporter": "RU-ALT", "partner": "UZ", "period": scenario.period}
        if scenario.source:
            params["source"] = scenario.source
        summary = api.get("/api/v1/trade/summary", params=params).json()
        overview = api.get("/api/v1/trade/overview", params=params).json()
        markdown = api.get("/api/v1/briefs", params={**params, "lang": "ru", "format": "md"}).text
        tiles = _dashboard_tiles(page, scenario)
    cli_args = ["--data-dir", str(settings.data_dir), "trade", "summary", "-r", "RU-ALT", "-p", "UZ",
                "--period", scenario.period, "-f", "json"] + (["--source", scenario.source] if scenario.source else [])
    cli_run = CliRunner().invoke(cli, cli_args)
    assert cli_run.exit_code == 0, cli_run.output
    cli_rows = {row["measure"]: row for row in json.loads(cli_run.stdout)}
    if markdown is not None:
        headers, brief_rows = _brief_rows(markdown)

    if scenario.name == "real month after synthetic ones":  # a mixed total is marked as mixed, with its months
        assert "частично синтетические: январь–сентябрь 2025 г." in tiles["turnover"]
    for measure, (now, compared, base) in scenario.expected.items():
        growth = _growth(compared, base) if measure != "balance" else None
        # the API: the value, null for missing, "a year earlier" over the months compared, the growth
        api_measure = summary["measures"][measure]
        assert api_measure["whole"]["value"] == pytest.approx(now), (measure, api_measure)
        assert api_measure["base"]["value"] == pytest.approx(base), (measure, api_measure)
        if base is not None:
            assert api_measure["compared"]["value"] == pytest.approx(compared), (measure, api_measure)
        assert api_measure["growth_pct"] == pytest.approx(growth), measure
        assert summary["current"][measure] == pytest.approx(now)
        assert summary["previous"][measure] == pytest.approx(base)  # what growth is set against, nothing else
        if base is not None:  # the top level sets the compared months against them, as growth_pct does
            assert summary["compared"][measure] == pytest.approx(compared)
            if growth is not None:
                assert summary["growth_pct"][measure] == pytest.approx(
                    (summary["compared"][measure] / summary["previous"][measure] - 1) * 100)
        assert (api_measure["whole"]["reason"] is None) == (now is not None)
        tile_json = next(t for t in overview["tiles"] if t["measure"] == measure)
        assert tile_json["value"] == pytest.approx(now) and tile_json["base"]["value"] == pytest.approx(base)
        # the dashboard: the same value, "a year earlier" with its months, the growth as printed
        tile = tiles[measure]
        printed = NO_DATA["ru"] if now is None else format_money(now, "ru")
        assert printed in tile, (measure, tile)
        if now is not None:
            assert f": {NO_DATA['ru'] if base is None else format_money(base, 'ru')}" in tile, (measure, tile)
        if growth is not None:
            assert format_percent(growth, "ru") in tile, (measure, tile)
        # the CLI: millions to three decimals, "no data" where missing
        row = cli_rows[measure]
        assert row["period, mn USD"] == ("no data" if now is None else round(now / MILLION, 3)), (measure, row)
        if now is not None:
            assert row["a year earlier, mn USD"] == ("no data" if base is None else round(base / MILLION, 3)), row
        assert row["growth, %"] == (None if growth is None else round(growth, 2)), (measure, row)
        assert row["status"] == summary["measures"][measure]["whole"]["status"] and row["sources"]
        # the brief: its table in millions, the whole period and the pair each in a column named by months
        if markdown is not None:
            cells = brief_rows[LABELS_RU[measure]]
            shown = NO_DATA["ru"] if now is None else format_number(now / MILLION, "ru")
            assert shown in cells, (measure, headers, cells)
            if now is not None:
                assert (NO_DATA["ru"] if base is None else format_number(base / MILLION, "ru")) in cells, cells
            assert cells[-1] == ("—" if growth is None else format_percent(growth, "ru")), (measure, cells)


def test_the_brief_names_the_months_of_each_column_where_the_pair_is_not_the_whole_period(instances):
    with faces(instances, "real month after synthetic ones") as (api, page):
        markdown = api.get("/api/v1/briefs", params={"reporter": "RU-ALT", "partner": "UZ",
                                                     "period": "2025-01..2025-10", "format": "md"}).text
    headers, _ = _brief_rows(markdown)
    assert headers[1:4] == ["январь–октябрь 2025 г.", "январь–сентябрь 2024 г.", "январь–сентябрь 2025 г."]
    assert "январь–октябрь 2024" not in markdown  # no whole previous period set against a partial pair
    # the total adds nine synthetic months to a real one, and says so
    assert ("Показатели за январь–октябрь 2025 г. сложены из синтетических демонстрационных данных "
            "(январь–сентябрь 2025 г.) и реальных (октябрь 2025 г.).") in markdown.replace("\\", "").replace(
        "\u00a0г.", " г.")


def test_a_part_of_a_year_is_never_called_the_year_and_a_lone_real_month_has_no_twin_column(instances):
    with faces(instances, "a whole year beside a partial one") as (api, page):
        markdown = api.get("/api/v1/briefs", params={"reporter": "RU-ALT", "partner": "UZ", "period": "2025",
                                                     "format": "md"}).text.replace("\u00a0", " ")
    assert "За январь–октябрь 2025 г. товарооборот составил" in markdown and "За 2025 г." not in markdown
    with faces(instances, "real month after synthetic ones") as (api, page):
        october = {"reporter": "RU-ALT", "partner": "UZ", "period": "2025-10"}
        headers, rows = _brief_rows(api.get("/api/v1/briefs", params={**october, "format": "md"}).text)
        structure = api.get("/api/v1/trade/structure", params={**october, "level": "heading"}).json()
        explorer = page.get("/explorer", params={**october, "level": "heading"}).text
        exported = page.get("/explorer.csv", params={**october, "level": "heading"}).text
        october_api = api.get("/api/v1/trade/summary", params=october).json()["measures"]["exports"]["base"]
    assert headers == ["Показатель", "Год назад", "октябрь 2025 г.", "Темп прироста"]  # no column twice
    # a synthetic October 2024 is no base for a real one: there are figures, they are only not compared
    assert rows["Экспорт"][0] == "не сравнивается"
    assert october_api["value"] is None and "synthetic" in october_api["reason"]  # not "no data for 2024-10"
    # the goods table: nothing compares, so "a year earlier" is empty, not 0,0, on every face
    assert structure["items"] and all(item["previous"] is None for item in structure["items"])
    body = explorer.split("<tbody>")[1].split("</tbody>")[0]
    # October 2024 is synthetic: "a year earlier" is not compared, not "no data", and never 0,0
    assert "не сравнивается" in body and NO_DATA["ru"] not in body and not re.search(r">0,0\W", body)
    first_row = next(iter(csv.reader(exported.splitlines()[1:2])))
    assert first_row[3] == "" and first_row[6] == "" and "Год назад: не сравнивается" in exported


def test_a_pinned_source_pins_every_face_and_a_real_month_alone_is_not_called_synthetic(instances):
    """The second analyst's findings: the explorer and the structure API ignored source=; a real October
    was called synthetic because the year before it was; an empty chart asked for an endless height."""
    with faces(instances, "real month after synthetic ones") as (api, page):
        pinned = {"reporter": "RU-ALT", "partner": "UZ", "period": "2025-01..2025-10", "source": "fts-regional"}
        structure = api.get("/api/v1/trade/structure", params={**pinned, "level": "chapter"}).json()
        october_alone = api.get("/api/v1/trade/summary", params={"reporter": "RU-ALT", "partner": "UZ",
                                                                 "period": "2025-10"}).json()
        empty = api.get("/api/v1/trade/overview", params={**pinned, "period": "2025-01..2025-09"}).json()
        exported = page.get("/explorer.csv", params={**pinned, "level": "chapter"}).text
        dashboard = page.get("/", params={"reporter": "RU-ALT", "partner": "UZ", "period": "2025-10"}).text
    assert sum(item["value"] for item in structure["items"]) == pytest.approx(5_000_000)  # October's exports only
    assert all(item["compared_value"] is None for item in structure["items"])  # nothing of it compares
    assert [p["source"] for p in structure["provenance"]] == ["fts-regional"]
    assert "5000000.0" in exported and "-SYNTHETIC" not in exported
    assert october_alone["synthetic"] is False and october_alone["measures"]["exports"]["whole"]["status"] == \
        "observed"
    assert "only synthetic figures" in october_alone["measures"]["exports"]["no_comparison"]
    assert 'class="legend"' not in dashboard.split("<main")[1].split('class="charts"')[0]  # no synthetic banner
    assert empty["charts"] == {}  # nothing to draw: no chart at all, the page says "no data"


def test_the_goods_table_gives_the_value_growth_is_computed_on(instances):
    with faces(instances, "real month after synthetic ones") as (api, page):
        structure = api.get("/api/v1/trade/structure", params={"reporter": "RU-ALT", "partner": "UZ",
                                                               "period": "2025-01..2025-10", "level": "chapter"}).json()
    lumber = next(item for item in structure["items"] if item["code"] == "44")
    jan_sep = sum(3_000_000 + m * 10_000 + 400_000 for m in range(1, 10))
    assert lumber["value"] == pytest.approx(jan_sep + 5_000_000) and lumber["compared_value"] == pytest.approx(jan_sep)
    assert lumber["growth_pct"] == pytest.approx((lumber["compared_value"] / lumber["previous"] - 1) * 100)
