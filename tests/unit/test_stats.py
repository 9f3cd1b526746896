"""Trade statistics with exact figures on a small warehouse."""

import pytest

from hamkor.trade import stats
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
