"""The headline figures as values (issue 26): "a year earlier" over the months compared, missing is not
zero, real and synthetic never compared, each figure with its months, sources and batches."""

import pytest

from hamkor.trade import stats
from hamkor.trade.figures import MISSING, MIXED, OBSERVED, headline, months_text
from hamkor.trade.periods import Period
from hamkor.trade.warehouse import Warehouse
from tests.unit.test_stats import _fts_file, synthetic_then_real_october

JAN_OCT = Period.months(2025, 1, 10)


@pytest.fixture
def real_after_synthetic(service, settings, tmp_path):
    """Synthetic January–September of both years and October 2024 (both flows), then a real October 2025."""
    synthetic = [(flow, f"{m:02d}/{y}", "UZ", code, value + m + (y - 2024) * 10)
                 for y in (2024, 2025) for m in range(1, 11 if y == 2024 else 10)
                 for flow, code, value in (("ЭК", "4407111000", 100), ("ИМ", "0806101000", 20))]
    yield from synthetic_then_real_october(service, settings, tmp_path, synthetic)


def test_a_year_earlier_is_over_the_months_compared_and_the_whole_period_is_named_beside_it(real_after_synthetic):
    con, october = real_after_synthetic
    found = headline(con, stats.Query("RU-ALT", "UZ", JAN_OCT))
    exports = found.measures["exports"]
    assert exports.whole.value == pytest.approx(500 + sum(110 + m for m in range(1, 10)))
    assert exports.whole.status == MIXED and exports.whole.synthetic_months == tuple((2025, m) for m in range(1, 10))
    assert exports.compared.months == tuple((2025, m) for m in range(1, 10)) and exports.partial
    assert exports.base.value == pytest.approx(sum(100 + m for m in range(1, 10)))  # not October 2024's too
    assert exports.previous_whole.value == pytest.approx(sum(100 + m for m in range(1, 11)))
    assert exports.growth == pytest.approx(sum(110 + m for m in range(1, 10)) / sum(100 + m for m in range(1, 10))
                                           * 100 - 100)
    assert found.measures["balance"].growth is None and found.measures["balance"].change == pytest.approx(
        exports.change - found.measures["imports"].change)
    assert october in exports.whole.batches and "fts-regional" in exports.whole.sources
    assert months_text(exports.compared.months, "ru") == "январь–сентябрь 2025 г."


def test_a_real_month_alone_is_not_compared_with_its_synthetic_year_before(real_after_synthetic):
    con, _ = real_after_synthetic
    found = headline(con, stats.Query("RU-ALT", "UZ", Period.months(2025, 10, 10)))
    exports = found.measures["exports"]
    assert exports.whole.value == 500 and exports.whole.status == OBSERVED
    assert exports.growth is None and exports.base.missing and "only synthetic figures" in exports.no_comparison


def test_a_pinned_source_without_a_base_says_so(real_after_synthetic):
    con, _ = real_after_synthetic
    found = headline(con, stats.Query("RU-ALT", "UZ", JAN_OCT, "fts-regional"))
    exports = found.measures["exports"]
    assert exports.whole.value == 500 and exports.base.missing and exports.previous_whole.missing
    assert exports.growth is None and exports.no_comparison == "no data a year earlier"


def test_an_exports_only_table_has_no_imports_turnover_or_balance(service, settings, tmp_path):
    _fts_file(tmp_path / "exports.csv", [("ЭК", f"{m:02d}/{y}", "UZ", "4407111000", 100 + y - 2024)
                                          for y in (2024, 2025) for m in (1, 2)])
    assert service.import_file("fts-regional", tmp_path / "exports.csv").status == "loaded"
    with Warehouse(settings).reader() as con:
        found = headline(con, stats.Query("RU-ALT", "UZ", Period.months(2025, 1, 2)))
    assert found.measures["exports"].whole.value == 202 and found.measures["exports"].growth == pytest.approx(1.0)
    for name in ("imports", "turnover", "balance"):
        measure = found.measures[name]
        assert measure.whole.missing and measure.whole.status == MISSING, name
        assert "carries no imports" in measure.whole.reason and measure.growth is None and measure.change is None


def test_a_period_with_a_gap_names_its_months(service, settings, tmp_path):
    rows = [(flow, f"{m:02d}/{y}", "UZ", code, 10 * m) for y in (2024, 2025) for m in (1, 2, 3, 5)
            for flow, code in (("ЭК", "4407111000"), ("ИМ", "0806101000"))]
    _fts_file(tmp_path / "gap.csv", rows)
    assert service.import_file("fts-regional", tmp_path / "gap.csv").status == "loaded"
    with Warehouse(settings).reader() as con:
        found = headline(con, stats.Query("RU-ALT", "UZ", Period.months(2025, 1, 5)))
    turnover = found.measures["turnover"]
    assert turnover.whole.value == 2 * 10 * (1 + 2 + 3 + 5) and turnover.growth == pytest.approx(0.0)
    assert months_text(turnover.whole.months, "ru") == "январь–март 2025 г., май 2025 г."
    assert months_text(turnover.base.months, "en") == "January–March 2024, May 2024"


def test_a_whole_year_beside_a_partial_one_compares_the_same_months(service, settings, tmp_path):
    rows = [("ЭК", f"{m:02d}/2024", "UZ", "4407111000", 100) for m in range(1, 13)]
    rows += [("ИМ", f"{m:02d}/2024", "UZ", "0806101000", 10) for m in range(1, 13)]
    rows += [("ЭК", f"{m:02d}/2025", "UZ", "4407111000", 120) for m in range(1, 11)]
    rows += [("ИМ", f"{m:02d}/2025", "UZ", "0806101000", 10) for m in range(1, 11)]
    _fts_file(tmp_path / "years.csv", rows)
    assert service.import_file("fts-regional", tmp_path / "years.csv").status == "loaded"
    with Warehouse(settings).reader() as con:
        found = headline(con, stats.Query("RU-ALT", "UZ", Period.year(2025)))
    balance = found.measures["balance"]
    assert balance.whole.value == 10 * 110 and balance.base.value == 10 * 90  # ten months each, not twelve
    assert balance.previous_whole.value == 12 * 90 and balance.change == 10 * 20
    assert found.measures["exports"].growth == pytest.approx(20.0)


def test_the_brief_headline_names_the_months_it_compares(real_after_synthetic):
    from hamkor.briefing.compose import compose_brief

    con, october_batch = real_after_synthetic
    brief = compose_brief(con, "RU-ALT", "UZ", Period.months(2025, 1, 10), "ru", render_charts=False)
    assert "За январь–октябрь 2025 г. товарооборот составил" in brief.headline
    # each trade source in the brief says the months it answers for and its batches
    assert any(s.endswith(f" — октябрь 2025 г., партия {october_batch}") for s in brief.sources), brief.sources
    assert "за сопоставимые месяцы (январь–сентябрь 2025 г.) он вырос на" in brief.headline
    english = compose_brief(con, "RU-ALT", "UZ", Period.months(2025, 1, 10), "en", render_charts=False)
    assert "over the comparable months (January–September 2025) it was up" in english.headline
    whole = compose_brief(con, "RU-ALT", "UZ", Period.months(2025, 1, 9), "ru", render_charts=False)
    assert "сопоставимые" not in whole.headline  # like for like throughout: the usual sentence
    # the table names each column by its months: the whole period beside the pair, never a false arithmetic
    table = brief.tables[0]
    assert table.headers[1:4] == ["январь–октябрь 2025 г.", "январь–сентябрь 2024 г.", "январь–сентябрь 2025 г."]
    exports = next(row for row in table.rows if row[0] == "Экспорт")
    assert exports[2:4] == ["0,9", "1,0"] and exports[4] == "+9,5\u00a0%"  # thousands: 945 → 1 035


def test_a_brief_with_one_flow_says_no_data_where_the_other_would_be(service, settings, tmp_path):
    from hamkor.briefing.compose import compose_brief

    _fts_file(tmp_path / "exports.csv", [("ЭК", f"{m:02d}/{y}", "UZ", "4407111000", 100_000)
                                          for y in (2024, 2025) for m in (1, 2)])
    assert service.import_file("fts-regional", tmp_path / "exports.csv").status == "loaded"
    with Warehouse(settings).reader() as con:
        brief = compose_brief(con, "RU-ALT", "UZ", Period.months(2025, 1, 2), "uz", render_charts=False)
    rows = {row[0]: row[1:] for row in brief.tables[0].rows}
    assert rows["Import"][:2] == ["maʼlumot yoʻq", "maʼlumot yoʻq"] and rows["Saldo"][0] == "maʼlumot yoʻq"
    assert rows["Tovar aylanmasi"][0] == "maʼlumot yoʻq" and "0,0" not in " ".join(rows["Import"])
    assert "tovar aylanmasi boʻyicha maʼlumot yoʻq" in brief.headline


def test_codes_the_nomenclature_lacks_load_with_a_word_and_are_named_as_unknown(service, settings, tmp_path):
    """October 2025's real file held three codes the packaged TN VED lacks: they load, the import names them,
    and the pages name them by the heading above with a mark, never as a bare code."""
    from hamkor.reference.nomenclature import nomenclature

    unknown = ["4407109100", "8402110000", "3004900009"]
    assert all(nomenclature().get(code) is None for code in unknown)  # the finding still holds
    _fts_file(tmp_path / "october.csv", [("ЭК", "10/2025", "UZ", code, 1000) for code in unknown]
              + [("ЭК", "10/2025", "UZ", "0806101000", 500)])
    outcome = service.import_file("fts-regional", tmp_path / "october.csv")
    assert outcome.status == "loaded" and outcome.rows_loaded == 4
    [note] = outcome.notes
    assert note.startswith("3 commodity codes are not in the packaged TN VED") and all(c in note for c in unknown)
    assert service.batches()[0].error_summary == note  # the history keeps it
    boilers = stats.item_name("8402110000", "ru")
    assert "кода нет в справочнике ТН ВЭД" in boilers and boilers != "8402110000"
    assert "Котлы" in boilers or "котлы" in boilers, boilers


def test_charts_mark_each_synthetic_month_and_no_projection_borrows_a_synthetic_shape(real_after_synthetic):
    from hamkor.render import bars
    from hamkor.trade.overview import overview

    con, _ = real_after_synthetic
    data = overview(con, "RU-ALT", "UZ", JAN_OCT, "ru")
    monthly = data.charts["monthly"]
    marks = {(v["year"], v["order"]): v["data"] for v in monthly["data"]["values"]}
    assert marks[("2025", 10)] == "реальные" and marks[("2025", 9)] == "синтетические"
    assert monthly["encoding"]["opacity"]["scale"]["domain"] == ["реальные", "синтетические"]
    assert ("2024", 10) not in marks  # a synthetic October 2024 is not set beside the real October 2025
    drawn = bars.draw(monthly, "ru")  # the brief's print drawing marks them too, with a legend entry
    assert drawn.count('stroke-dasharray="3 2"') == 18 + 1  # 18 synthetic months and the legend's swatch
    assert ">синтетические<" in drawn
    # October 2025 is real, January–September synthetic: no year-end projection from that mixture
    assert data.projection is None and stats.year_end(con, stats.Query("RU-ALT", "UZ", JAN_OCT)) is None
    # a synthetic period alone is projected from synthetic years as before, and nothing is marked as mixed
    assert [(v["data"]) for v in overview(con, "RU-ALT", "UZ", Period.months(2025, 1, 9), "ru")
            .charts["monthly"]["data"]["values"]].count("реальные") == 0


def test_a_territory_with_real_data_is_not_called_synthetic_in_the_pickers(real_after_synthetic):
    from hamkor.trade.overview import reporters

    con, _ = real_after_synthetic
    assert dict(reporters(con))["RU-ALT"] is False  # October is real: the territory is not "synthetic"


def test_the_brief_says_which_part_is_synthetic_when_a_real_month_stands_beside_it(real_after_synthetic):
    from hamkor.briefing.compose import compose_brief

    con, _ = real_after_synthetic
    brief = compose_brief(con, "RU-ALT", "UZ", JAN_OCT, "ru", render_charts=False)
    assert brief.warning.startswith("Внимание: часть показателей") and "сентябрь 2025 г." in brief.warning
    synthetic_only = compose_brief(con, "RU-ALT", "UZ", Period.months(2025, 1, 9), "ru", render_charts=False)
    assert "часть" not in synthetic_only.warning and "синтетических" in synthetic_only.warning


def test_figures_are_rounded_as_a_person_rounds():
    from hamkor.i18n.numbers import format_number

    assert format_number(1_250_000 / 1e6, "ru") == "1,3" and format_number(0.05, "en") == "0.1"  # not half-even
    assert format_number(-2.25, "ru", signed=True) == "\u22122,3"


def test_counted_rows_take_their_plural_form_in_each_language():
    from hamkor.web.i18n import template_helpers

    def said(lang, n):
        helpers = template_helpers(lang)
        return helpers["ngettext"]("%(count)s row", "%(count)s rows", n, count=helpers["number"](n, 0))

    assert [said("ru", n) for n in (1, 3, 33, 31581)] == ["1 строка", "3 строки", "33 строки", "31\u00a0581 строка"]
    assert said("uz", 33) == "33 qator" and said("en", 1) == "1 row" and said("en", 31581) == "31,581 rows"


def test_a_printed_brief_never_breaks_a_line_inside_a_unit_or_before_the_year_mark():
    from hamkor.briefing.render import keep_together

    said = keep_together("<p>товарооборот 41,6\u00a0млн долл. США за 2025 г.; 5\u00a0mln AQSh dollari</p>")
    assert "млн\u00a0долл.\u00a0США" in said and "2025\u00a0г." in said and "mln\u00a0AQSh\u00a0dollari" in said


def test_the_cooperation_timeline_never_joins_a_real_month_to_synthetic_ones():
    from hamkor.render.charts import turnover_with_events_spec

    words = {"turnover": "Товарооборот", "month": "Месяц", "date": "Дата", "event": "Событие",
             "real": "реальные данные", "synthetic": "синтетические"}
    spec = turnover_with_events_spec([(2025, 9, 1e6, True), (2025, 10, 2e6, False)], [], "", words)
    line = spec["layer"][0]
    assert [v["data"] for v in line["data"]["values"]] == ["синтетические", "реальные данные"]
    assert line["encoding"]["color"]["field"] == "data"  # two series: the line does not run from one to the other
    plain = turnover_with_events_spec([(2025, 9, 1e6)], [], "", words)
    assert "color" not in plain["layer"][0]["encoding"]  # real data alone: one line, no legend
