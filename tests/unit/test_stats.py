"""Trade statistics with exact figures on a small warehouse."""

import pytest

from hamkor.trade import stats
from hamkor.trade.importers import ImportOptions
from hamkor.trade.periods import Period
from hamkor.trade.warehouse import Warehouse

HEADER = "napr\tperiod\tnastranapr\ttnved\tedizm\tStoim\tNetto\tKol\tRegion\tRegion_s"
ROWS = [
    ("ЭК", "01/2024", "UZ", "4407111000", 100), ("ЭК", "02/2024", "UZ", "8606990000", 50),
    ("ИМ", "01/2024", "UZ", "0806101000", 20), ("ЭК", "01/2024", "KZ", "1001990000", 300),
    ("ИМ", "02/2024", "CN", "8429520009", 200),
    ("ЭК", "01/2025", "UZ", "4407111000", 150), ("ЭК", "02/2025", "UZ", "8606990000", 30),
    ("ЭК", "02/2025", "UZ", "XXXXXXXXXX", 10), ("ИМ", "01/2025", "UZ", "0806101000", 40),
    ("ЭК", "01/2025", "KZ", "1001990000", 310), ("ИМ", "02/2025", "CN", "8429520009", 260),
    ("ИМ", "03/2025", "TR", "8429520009", 50),
]
JAN_FEB = Period.months(2025, 1, 2)


@pytest.fixture
def con(service, settings, tmp_path):
    path = tmp_path / "DATTSVT.csv"
    lines = [HEADER] + [f"{f}\t{p}\t{c}\t{code}\t166\t{v},00\t1\t\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО"
                        for f, p, c, code, v in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert service.import_file("fts-regional", path).status == "loaded"
    with Warehouse(settings).reader() as connection:
        yield connection


def test_summary_and_growth(con):
    result = stats.summary(con, stats.Query("RU-ALT", "UZ", JAN_FEB))
    assert (result.current.exports, result.current.imports, result.current.turnover) == (190, 40, 230)
    assert (result.previous.exports, result.previous.imports) == (150, 20)
    assert result.growth("exports") == pytest.approx(190 / 150 * 100 - 100)
    assert result.growth("imports") == pytest.approx(100.0)
    assert result.growth("turnover") == pytest.approx(230 / 170 * 100 - 100)
    assert result.change("balance") == pytest.approx(150 - 130)
    assert stats.confidential_value(con, result.query) == 10 and not result.synthetic
    assert result.coverage.complete and result.query.source == "fts-regional"


def test_growth_against_an_empty_base_is_na(con):
    result = stats.summary(con, stats.Query("RU-ALT", "TR", Period.months(2025, 3, 3)))
    assert result.current.imports == 50 and result.growth("imports") is None and result.change("imports") is None
    assert stats.growth(5, 0) is None


def test_partial_period_is_said(con):
    result = stats.summary(con, stats.Query("RU-ALT", "UZ", Period.months(2025, 1, 6)))
    assert (result.coverage.present, result.coverage.expected, result.coverage.complete) == (3, 6, False)
    nothing = stats.summary(con, stats.Query("RU-ALT", "UZ", Period.year(2019)))
    assert nothing.coverage.empty


def test_groups_and_world(con):
    assert stats.flows(con, "RU-ALT", "CIS", JAN_FEB).turnover == 230 + 310
    assert stats.flows(con, "RU-ALT", "EAEU", JAN_FEB).turnover == 310
    assert stats.flows(con, "RU-ALT", None, JAN_FEB).turnover == 800
    with pytest.raises(stats.QueryError):
        stats.resolve_partner("ZZ")
    with pytest.raises(stats.QueryError):
        stats.resolve_partner("UZ-SI")


def test_partner_ranking(con):
    ranking = stats.partner_ranking(con, "RU-ALT", JAN_FEB)
    assert [(r.rank, r.partner) for r in ranking] == [(1, "KZ"), (2, "CN"), (3, "UZ")]
    assert ranking[2].share == pytest.approx(230 / 800 * 100)
    assert ranking[1].growth == pytest.approx(30.0)


def test_structure_top_n_other_and_confidential(con):
    query = stats.Query("RU-ALT", "UZ", JAN_FEB)
    table = stats.structure(con, query, "export", "chapter", top=5)
    assert [(i.key, i.value, i.previous) for i in table.items] == [
        ("44", 150, 100), ("86", 30, 50), ("CONFIDENTIAL", 10, 0)]
    assert sum(i.share for i in table.items) == pytest.approx(100.0) and table.total == 190
    top1 = stats.structure(con, query, "export", "chapter", top=1)
    assert [(i.key, i.value, i.previous) for i in top1.items] == [("44", 150, 100), ("OTHER", 40, 50)]
    sections = stats.structure(con, query, "export", "section", top=5)
    assert [i.key for i in sections.items] == ["IX", "XVII", "CONFIDENTIAL"]
    assert sections.items[0].name("en").startswith("Wood")
    national = stats.structure(con, query, "import", "national", top=5)
    assert [(i.key, i.growth) for i in national.items] == [("0806101000", pytest.approx(100.0))]
    with pytest.raises(stats.QueryError):
        stats.structure(con, query, "export", "galaxy")


def test_movers(con):
    ups, downs = stats.movers(con, stats.Query("RU-ALT", "UZ", JAN_FEB), "product", level="heading")
    assert [(m.key, m.change) for m in ups] == [("4407", 50), ("0806", 20)]
    assert [(m.key, m.change) for m in downs] == [("8606", -20)]
    ups, downs = stats.movers(con, stats.Query("RU-ALT", None, JAN_FEB), "partner")
    assert [(m.key, m.change) for m in ups] == [("CN", 60), ("UZ", 60), ("KZ", 10)]
    assert downs == []


def test_series(con):
    points = stats.series(con, stats.Query("RU-ALT", "UZ", JAN_FEB))
    assert [(p.year, p.month, p.exports, p.imports) for p in points] == [
        (2024, 1, 100, 20), (2024, 2, 50, 0), (2025, 1, 150, 40), (2025, 2, 40, 0)]


def test_indices_on_the_fixture(con):
    report = stats.trade_indices(con, stats.Query("RU-ALT", "UZ", JAN_FEB))
    # exports 4407: 150, 8606: 30 (confidential left out)
    assert report.export_concentration == pytest.approx(
        ((150 / 180) ** 2 + (30 / 180) ** 2 - 0.5) / 0.5)
    assert report.grubel_lloyd == pytest.approx(0.0)  # nothing goes both ways
    assert report.complementarity is None and report.notes


def test_mirror_needs_both_sides(con):
    assert stats.mirror(con, "RU", "UZ") == []
    with pytest.raises(stats.QueryError):
        stats.mirror(con, "RU-ALT", "UZ")


def _fts_file(path, rows) -> None:
    lines = [HEADER] + [f"{f}\t{p}\t{c}\t{code}\t166\t{v},00\t1\t\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО"
                        for f, p, c, code, v in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def two_sources(service, settings, tmp_path):
    """A synthetic extract for January–September of both years (as the demo loads it), then the
    department's own real file for October 2025 (fts-regional)."""
    synthetic = [("ЭК", f"{m:02d}/{y}", "UZ", "4407111000", 100 + m + (y - 2024) * 10)
                 for y in (2024, 2025) for m in range(1, 10)] + [("ЭК", "10/2024", "UZ", "4407111000", 111)]
    yield from synthetic_then_real_october(service, settings, tmp_path, synthetic)


def synthetic_then_real_october(service, settings, tmp_path, synthetic_rows):
    """The synthetic rows loaded as the demo loads them, then the department's real October 2025 file
    (exports 500, imports 70 with Uzbekistan): (a reader, the real batch)."""
    _fts_file(tmp_path / "synthetic.csv", synthetic_rows)
    assert service.import_file("fts-regional", tmp_path / "synthetic.csv",
                               ImportOptions(source="demo-synthetic")).status == "loaded"
    _fts_file(tmp_path / "october.csv", [("ЭК", "10/2025", "UZ", "4407111000", 500),
                                         ("ИМ", "10/2025", "UZ", "0806101000", 70)])
    real = service.import_file("fts-regional", tmp_path / "october.csv")
    assert real.status == "loaded"
    with Warehouse(settings).reader() as connection:
        yield connection, real.batch_id


def test_a_month_one_source_lacks_is_answered_by_another(two_sources):
    con, october_batch = two_sources
    query = stats.with_source(con, stats.Query("RU-ALT", "UZ", Period.months(2025, 1, 10)))
    plan = query.plan
    assert query.source is None and plan.sources == ["demo-synthetic", "fts-regional"]
    assert plan.source_of(2025, 10) == "fts-regional" and plan.source_of(2025, 9) == "demo-synthetic"
    assert plan.source_of(2024, 10) == "demo-synthetic"
    assert dict(plan.batches)["fts-regional"] == (october_batch,)
    result = stats.summary(con, query)
    # October is the real file's 500 + 70, not zero; the months before come from the extract
    assert result.current.exports == pytest.approx(500 + sum(110 + m for m in range(1, 10)))
    assert result.current.imports == pytest.approx(70) and result.coverage.complete


def test_growth_compares_like_with_like(two_sources):
    """October 2025 (real) has no same-source October 2024 (synthetic): growth rests on January–September."""
    con, _ = two_sources
    result = stats.summary(con, stats.Query("RU-ALT", "UZ", Period.months(2025, 1, 10)))
    assert result.comparable == tuple((2025, m) for m in range(1, 10)) and not result.like_for_like
    same_months_now = sum(110 + m for m in range(1, 10))
    same_months_before = sum(100 + m for m in range(1, 10))
    assert result.growth("exports") == pytest.approx(same_months_now / same_months_before * 100 - 100)
    # the previous period's own figures stay whole: October 2024 is there, only not compared
    assert result.previous.exports == pytest.approx(same_months_before + 111)


def test_tables_compare_like_with_like_too(two_sources):
    """The goods table, the partner ranking and the movers compare January–September with January–September:
    October 2025's real 500 (and its 70 of imports) have no same-source October 2024 to be compared with."""
    con, _ = two_sources
    query = stats.Query("RU-ALT", "UZ", Period.months(2025, 1, 10))
    same_months_now = sum(110 + m for m in range(1, 10))
    same_months_before = sum(100 + m for m in range(1, 10))
    lumber = stats.structure(con, query, "export", "heading").items[0]
    assert lumber.key == "4407" and lumber.value == pytest.approx(same_months_now + 500)  # the period, whole
    assert lumber.previous == pytest.approx(same_months_before)  # not October 2024's 111 as well
    assert lumber.growth == pytest.approx(same_months_now / same_months_before * 100 - 100)
    table = stats.structure(con, query, "import", "heading")
    assert table.items[0].key == "0806" and table.items[0].growth is None  # nothing to compare it with
    assert not table.months.complete and table.months.comparable == tuple((2025, m) for m in range(1, 10))
    [uzbekistan] = stats.partner_ranking(con, "RU-ALT", Period.months(2025, 1, 10))
    assert uzbekistan.turnover == pytest.approx(same_months_now + 570)
    assert uzbekistan.growth == pytest.approx(same_months_now / same_months_before * 100 - 100)
    ups, downs = stats.movers(con, query, "product", level="heading")
    # January–September grew by 90 (10 a month); the October import is no "increase" of 70
    assert [(m.key, m.change) for m in ups] == [("4407", pytest.approx(90.0))] and downs == []


def test_a_pinned_source_answers_alone(two_sources):
    con, _ = two_sources
    pinned = stats.summary(con, stats.Query("RU-ALT", "UZ", Period.months(2025, 1, 10), "fts-regional"))
    assert pinned.current.exports == 500 and pinned.growth("exports") is None  # no October 2024 in it
    assert pinned.query.sources == ["fts-regional"]


def test_a_newer_real_file_replaces_synthetic_months(service, settings, tmp_path):
    _fts_file(tmp_path / "extract.csv", [("ЭК", f"{m:02d}/2025", "UZ", "4407111000", 100) for m in range(1, 4)])
    assert service.import_file("fts-regional", tmp_path / "extract.csv", ImportOptions(source="demo-synthetic")
                               ).status == "loaded"
    _fts_file(tmp_path / "march.csv", [("ЭК", "03/2025", "UZ", "4407111000", 999)])
    assert service.import_file("fts-regional", tmp_path / "march.csv", ImportOptions(source="customs-march")
                               ).status == "loaded"
    with Warehouse(settings).reader() as fresh:
        plan = stats.source_plan(fresh, "RU-ALT", Period.months(2025, 1, 10))
    assert plan.source_of(2025, 3) == "customs-march"  # real before synthetic, whatever the row count
    assert plan.source_of(2025, 2) == "demo-synthetic"


def test_the_default_period_has_no_hole(service, settings, tmp_path):
    """Data for January–March and May: the dashboard opens on January–March, not on a period missing April."""
    from hamkor.trade.overview import latest_period

    _fts_file(tmp_path / "gappy.csv", [("ЭК", f"{m:02d}/2025", "UZ", "4407111000", 100) for m in (1, 2, 3, 5)]
              + [("ЭК", f"{m:02d}/2024", "UZ", "4407111000", 100) for m in range(1, 13)])
    assert service.import_file("fts-regional", tmp_path / "gappy.csv").status == "loaded"
    with Warehouse(settings).reader() as con:
        assert latest_period(con, "RU-ALT") == Period.months(2025, 1, 3)
        assert latest_period(con, "ZZ") is None


def _national_file(path, country: str, year: int, months, value: float, flow: str = "ЭК") -> None:
    rows = "".join(f"{flow};{m:02d}/{year};{country};4407111000;113;{value:.2f};1;1\n".replace(".", ",")
                   for m in months)
    path.write_text("NAPR;PERIOD;STRANA;TNVED;EDIZM;STOIM;NETTO;KOL\n" + rows, encoding="utf-8")


def test_mirror_pairs_only_comparable_figures(service, settings, tmp_path):
    """Russia's real exports to Uzbekistan against Uzbekistan's synthetic imports from Russia: no mirror.
    With Uzbekistan's real figures loaded, the pair is made; a year Russia covers in part is left out."""
    _national_file(tmp_path / "ru2024.csv", "UZ", 2024, range(1, 13), 100.0)
    _national_file(tmp_path / "ru2025.csv", "UZ", 2025, range(1, 7), 100.0)  # half a year only
    for name in ("ru2024.csv", "ru2025.csv"):
        assert service.import_file("fts-national", tmp_path / name).status == "loaded"
    _national_file(tmp_path / "uz_synthetic.csv", "RU", 2024, range(1, 13), 500.0, "ИМ")
    uz_flow = ImportOptions(reporter="UZ", source="demo-synthetic-uz")
    assert service.import_file("fts-national", tmp_path / "uz_synthetic.csv", uz_flow).status == "loaded"
    with Warehouse(settings).reader() as con:
        assert stats.mirror(con, "RU", "UZ") == []  # real against synthetic: never
    # the partner's own real statistics of its imports from Russia, for both years
    for year in (2024, 2025):
        _national_file(tmp_path / f"uz{year}.csv", "RU", year, range(1, 13), 110.0, "ИМ")
        assert service.import_file("fts-national", tmp_path / f"uz{year}.csv", ImportOptions(
            reporter="UZ", source="uz-customs")).status == "loaded"
    with Warehouse(settings).reader() as con:
        rows = stats.mirror(con, "RU", "UZ")
    # 2024 only (2025: half a year of Russia's data), and the real pair, never the synthetic one
    assert [(r.year, r.flow, r.reported_source, r.mirror_source) for r in rows] == [
        (2024, "export", "fts-national", "uz-customs")]
    assert rows[0].reported == pytest.approx(1200.0) and rows[0].mirror == pytest.approx(1320.0)


@pytest.fixture
def many_partners_then_one(service, settings, tmp_path):
    """Synthetic months naming four partners (as a regional file does), then a real October 2025 file
    holding Uzbekistan alone: the analyst's upload."""
    partners = {"KZ": 400, "CN": 300, "UZ": 150, "MN": 50}
    synthetic = [("ЭК", f"{m:02d}/{y}", country, "4407111000", value)
                 for y in (2024, 2025) for m in range(1, 11) if (y, m) != (2025, 10)
                 for country, value in partners.items()]
    yield from synthetic_then_real_october(service, settings, tmp_path, synthetic)


def test_a_month_naming_one_partner_is_no_ground_for_a_rank(many_partners_then_one):
    """The analyst's finding: October alone gave «место 1 / 1, доля 100 %»; January–October gave Uzbekistan
    a share over ten months against the others' nine."""
    con, _ = many_partners_then_one
    october = stats.partner_ranking(con, "RU-ALT", Period.months(2025, 10, 10))
    assert list(october) == [] and october.left_out == ((2025, 10),)
    ten = stats.partner_ranking(con, "RU-ALT", Period.months(2025, 1, 10))
    assert ten.left_out == ((2025, 10),) and ten.months == tuple((2025, m) for m in range(1, 10))
    assert [r.partner for r in ten] == ["KZ", "CN", "UZ", "MN"]
    uzbekistan = next(r for r in ten if r.partner == "UZ")
    assert uzbekistan.share == pytest.approx(150 / 900 * 100)  # nine months each, like for like
    nine = stats.partner_ranking(con, "RU-ALT", Period.months(2025, 1, 9))
    assert nine.left_out == () and [r.share for r in nine] == [r.share for r in ten]


def test_the_brief_and_dashboard_do_not_call_a_lone_partner_the_first(many_partners_then_one):
    from hamkor.briefing.compose import compose_brief
    from hamkor.briefing.render import to_markdown
    from hamkor.trade.overview import overview

    con, _ = many_partners_then_one
    october = to_markdown(compose_brief(con, "RU-ALT", "UZ", Period.months(2025, 10, 10), "ru",
                                        render_charts=False)).replace("\u00a0", " ")
    assert "первый" not in october and "с 1 страной" not in october
    assert "Место партнёра и число партнёров за октябрь 2025 г. не определяются" in october
    ten = to_markdown(compose_brief(con, "RU-ALT", "UZ", Period.months(2025, 1, 10), "ru",
                                    render_charts=False)).replace("\u00a0", " ")
    assert "третий по объёму товарооборота внешнеторговый партнёр Алтайского края (по данным за " \
           "январь–сентябрь 2025 г.)" in ten
    dashboard = overview(con, "RU-ALT", "UZ", Period.months(2025, 1, 10), "ru", with_charts=False)
    assert dashboard.rank == 3 and dashboard.rank_left_out == ((2025, 10),)


def test_codes_missing_from_the_nomenclature_are_named_in_the_brief(service, settings, tmp_path):
    """The analyst's October file held 4407109100, 8402110000 and 3004900009, which our TN VED edition lacks:
    the explorer named them, the brief folded them into their chapters without a word."""
    from hamkor.briefing.compose import compose_brief
    from hamkor.briefing.render import to_markdown

    _fts_file(tmp_path / "october.csv", [("ЭК", "10/2025", "UZ", "4407109100", 2100),
                                         ("ЭК", "10/2025", "UZ", "0806101000", 500),  # a code the edition holds
                                         ("ИМ", "10/2025", "UZ", "3004900009", 600)])
    assert service.import_file("fts-regional", tmp_path / "october.csv").status == "loaded"
    with Warehouse(settings).reader() as con:
        query = stats.Query("RU-ALT", "UZ", Period.months(2025, 10, 10))
        assert stats.unknown_codes(con, query, "export") == [("4407109100", 2100)]
        assert stats.unknown_codes(con, query, "import") == [("3004900009", 600)]
        brief = to_markdown(compose_brief(con, "RU-ALT", "UZ", Period.months(2025, 10, 10), "ru",
                                          render_charts=False)).replace("\u00a0", " ")
    assert ("Коды ТН ВЭД, которых нет в справочнике (учтены в своих группах): 4407109100 — Лесоматериалы, "
            "полученные распиловкой или…") in brief  # named by the group above it
    assert "4407109100 — Лесоматериалы" in brief and "(2,1 тыс. долл. США)" in brief
    assert "3004900009 — Лекарственные средства" in brief and "(0,6 тыс. долл. США)" in brief
