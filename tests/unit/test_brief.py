"""Meeting briefs: snapshots in three languages, PDF and DOCX contents, Russian grammar."""

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from hamkor.briefing import phrases
from hamkor.briefing.compose import compose_brief
from hamkor.briefing.render import render, to_markdown
from hamkor.cooperation.digest import digest
from hamkor.cooperation.service import Cooperation
from hamkor.i18n.numbers import format_money, plural
from hamkor.render.pdf import local_only_fetcher
from hamkor.store.db import Database
from hamkor.trade.periods import Period
from hamkor.trade.warehouse import Warehouse

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
PERIOD = Period.parse("2025-01..2025-09")
DAY = date(2026, 1, 15)  # after the December 2025 meeting the demo's registry records


def squeeze(text: str) -> str:
    """PDF text extraction breaks lines and turns NBSP into spaces: compare without whitespace."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


@pytest.fixture(scope="module")
def briefs(demo_settings):
    db = Database(demo_settings)
    coop = Cooperation(db)
    with Warehouse(demo_settings).reader() as con:
        made = {lang: compose_brief(con, "RU-ALT", "UZ", PERIOD, lang, today=DAY,
                                    cooperation=digest(coop, "UZ", DAY, lang)) for lang in ("ru", "uz", "en")}
    db.dispose()
    return made


def test_the_brief_carries_the_cooperation_registry(briefs):
    """The 18 December 2025 meeting, with the priorities named there, and the commitments still open."""
    ru = to_markdown(briefs["ru"]).replace("\u00a0", " ").replace("\u202f", " ")
    assert "## Сотрудничество: встречи и договорённости" in ru
    assert "18 декабря 2025 г.: Рабочая встреча Генерального консула Узбекистана и Губернатора Алтайского края" in ru
    assert "оборудования для геологоразведки и добычи урана" in ru and "текстильная" in ru
    assert ("Провести бизнес-миссию компаний Сырдарьинской области в Алтайский край — Правительство Алтайского "
            "края; срок — 31 декабря 2026 г.") in ru
    assert "срок не установлен" in ru  # the Governor's visit: invited, no date yet
    assert "Recent meetings" in to_markdown(briefs["en"]) and "Soʻnggi uchrashuvlar" in to_markdown(briefs["uz"])


@pytest.mark.parametrize("lang", ["ru", "uz", "en"])
def test_every_source_names_its_years(briefs, lang):
    """The trade sources by months and batches, the mirror's and the world matrix's by year; the registry's
    facts by their numbered record sources."""
    trade_sources = [s for s in briefs[lang].sources if not s.startswith("[")]
    assert len(trade_sources) >= 3, trade_sources  # the FTS regional data, the two national mirrors, the matrix
    for source in trade_sources:
        assert re.search(r" — .*\b(19|20)\d\d\b", source), source


@pytest.mark.parametrize("lang", ["ru", "uz", "en"])
def test_snapshot(briefs, lang):
    text = to_markdown(briefs[lang])
    snapshot = SNAPSHOTS / f"brief-RU-ALT-UZ-2025-01..09.{lang}.md"
    if os.environ.get("HAMKOR_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run with HAMKOR_UPDATE_SNAPSHOTS=1 and review it"
    assert text == snapshot.read_text(encoding="utf-8")


def test_headlines_read_as_a_person_would_write(briefs):
    assert briefs["ru"].headline.startswith(
        "Узбекистан — третий по объёму товарооборота внешнеторговый партнёр Алтайского края. "
        "За январь–сентябрь 2025 г. товарооборот составил 135,7\u00a0млн долл. США и вырос на 33,0\u00a0% "
        "по сравнению с аналогичным периодом 2024 г.")
    assert briefs["uz"].headline.startswith("Oʻzbekiston — Oltoy oʻlkasi uchun tovar aylanmasi hajmi boʻyicha "
                                            "uchinchi tashqi savdo hamkori.")
    assert briefs["en"].headline.startswith(
        "Uzbekistan is the third-largest trade partner of Altai Krai by turnover. In January–September 2025, "
        "turnover amounted to USD 135.7 million, up 33.0% on the same period of 2024.")
    said = {"ru": "синтетических демонстрационных данных", "uz": "sintetik namoyish maʼlumotlari",
            "en": "synthetic demo data"}
    for lang, brief in briefs.items():
        assert brief.warning and said[lang] in brief.warning  # synthetic data is said so, in words


@pytest.mark.parametrize("lang", ["uz", "en"])
def test_every_language_keeps_to_three_pages(briefs, lang):
    """Uzbek runs longer than Russian: the analyst found a fourth page holding only the sources."""
    assert len(PdfReader(io.BytesIO(render(briefs[lang], "pdf"))).pages) <= 3


def test_pdf_holds_the_headline_and_charts(briefs):
    pdf = render(briefs["ru"], "pdf")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 3
    text = squeeze("".join(page.extract_text() for page in reader.pages))
    assert squeeze("Узбекистан — третий по объёму товарооборота внешнеторговый партнёр") in text
    assert squeeze("135,7 млн долл. США") in text and squeeze("синтетических демонстрационных") in text


def test_docx_holds_the_same(briefs):
    document = Document(io.BytesIO(render(briefs["en"], "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert briefs["en"].headline in text and "synthetic demo data" in text
    assert len(document.tables) >= 3 and len(document.inline_shapes) == 3  # three charts as pictures


def test_html_is_self_contained(briefs):
    html = render(briefs["uz"], "html").decode("utf-8")
    assert '<meta charset="utf-8">' in html and html.count("<svg") == 3
    remote = [u for u in re.findall(r"(?:src|href)=\"([^\"]+)\"", html) if not u.startswith("file://")]
    assert remote == []


def test_remote_resources_are_refused():
    with pytest.raises(ValueError, match="offline"):
        local_only_fetcher().fetch("https://example.org/logo.png")


@pytest.mark.parametrize(("count", "phrase"), [
    (1, "с 1 страной-партнёром"), (2, "с 2 странами-партнёрами"), (5, "с 5 странами-партнёрами"),
    (21, "с 21 страной-партнёром"), (11, "с 11 странами-партнёрами"),
])
def test_russian_plural_forms(count, phrase):
    assert phrase in phrases.partners_sentence(count, "ru")


def test_russian_phrasing_keeps_any_partner_name_whole(demo_settings):
    """Whatever the partner, its name stands in the nominative as the sentence's subject."""
    with Warehouse(demo_settings).reader() as con:
        for partner, name in (("KZ", "Казахстан"), ("CN", "Китай"), ("KG", "Киргизия"), ("BY", "Беларусь")):
            brief = compose_brief(con, "RU-ALT", partner, PERIOD, "ru", render_charts=False, today=DAY)
            assert brief.headline.startswith(f"{name} — ")
            assert "партнёр Алтайского края." in brief.headline  # the region's name in the genitive


def test_number_formats():
    assert format_money(1234.5e6, "ru") == "1\u00a0234,5\u00a0млн долл. США"
    assert format_money(1234.5e6, "en") == "USD 1,234.5 million"
    assert format_money(25e9, "uz") == "25,0\u00a0mlrd AQSh dollari"
    assert plural(3, {"one": "a", "few": "b", "many": "c"}, "ru") == "b"


def test_growth_decline_and_no_base_phrasing():
    facts = dict(reporter="Алтайский край", reporter_is_region=True, partner="Монголия", partner_is_group=False,
                 period=((2025, 1), (2025, 9), "ytd"), previous_year=2024, turnover=10e6, exports=6e6, imports=4e6,
                 turnover_growth=-12.34, export_growth=None, import_growth=5.0, rank=12, partner_count=15,
                 divisor=1e6)
    ru = phrases.headline(phrases.Facts(**facts), "ru")
    # no growth beside a value reads «без сравнения», never «(н/д)», which looks as if the value were missing
    assert "12-й по объёму" in ru and "сократился на 12,3\u00a0%" in ru and "(без сравнения)" in ru and "н/д" not in ru
    en = phrases.headline(phrases.Facts(**{**facts, "turnover_growth": None}), "en")
    assert "12th-largest" in en and "there are no data for the same period of 2024" in en


def test_russian_reads_as_an_official_writes(briefs):
    """Names declined, dates as words, column heads naming their periods (issue 14, point 6)."""
    from hamkor.i18n.russian import country_genitive, region_genitive
    from hamkor.reference.regions import regions

    russian = [r.name("ru") for r in regions() if r.country == "RU"]
    declined = {name: region_genitive(name) for name in russian}
    assert all(declined.values()), [n for n, g in declined.items() if not g]  # every federal subject declines
    assert declined["Алтайский край"] == "Алтайского края" and declined["Республика Алтай"] == "Республики Алтай"
    assert declined["Ханты-Мансийский автономный округ — Югра"] == "Ханты-Мансийского автономного округа — Югра"
    assert region_genitive("Сырдарьинская область") == "Сырдарьинской области"
    assert country_genitive("Узбекистан") == "Узбекистана" and country_genitive("США") is None
    ru = briefs["ru"]
    assert ru.prepared_on.replace("\u202f", " ").replace("\u00a0", " ") == "15 января 2026 г."
    assert ru.tables[0].headers[1:3] == ["январь–сентябрь 2024 г.", "январь–сентябрь 2025 г."]
    mirror = next(n for n in ru.tables[0].notes if n.startswith("Зеркальные"))
    assert "по данным России (" in mirror and "по данным Узбекистана (" in mirror
    # Every note stands next to what it qualifies: the headline figures' caveats right under their table
    text = to_markdown(ru)
    headline_table = text.split("## Основные показатели")[1].split("## Экспорт")[0]
    assert "код которых скрыт таможней" in headline_table and "Зеркальные данные" in headline_table
    assert "demo-synthetic" not in text.split("## Источники")[0]  # no source code where a person reads
    # Uzbek reads goods by their Russian TN VED names where Uzbek has none, not in English
    uz = to_markdown(briefs["uz"]).replace("\u00a0", " ")
    assert "Древесина и изделия из нее" in uz and "Wood and articles of wood" not in uz
    # Uzbek suffixes join the sum: '… dollarlik salohiyat', '… dollaridan … dollarigacha', never ' dollari dan'
    assert "AQSh dollarlik salohiyatning" in uz and "dollaridan" in uz and "dollarigacha" in uz
    assert " dollari dan" not in uz and " dollari gacha" not in uz and "dollari salohiyat" not in uz


def test_the_docx_is_an_a4_document_in_an_official_size(briefs):
    document = Document(io.BytesIO(render(briefs["ru"], "docx")))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert document.styles["Normal"].font.size.pt >= 12
    table = document.tables[0]
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1  # the head repeats on a new page
    assert all("cantSplit" in row._tr.trPr.xml for row in table.rows[1:])
    # numbered pages, the instance as author (not "python-docx"), columns as wide as their content
    assert 'w:instr="PAGE"' in section.footer.paragraphs[0]._p.xml
    assert document.core_properties.author == "hamkor" and "Справка" in document.core_properties.title
    goods = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Товарная группа"))
    names, figures = goods.columns[0].cells[0].width.cm, goods.columns[1].cells[0].width.cm
    assert names > 2 * figures and round(sum(c.cells[0].width.cm for c in goods.columns), 1) <= 17.0


def test_the_markdown_brief_says_registry_text_as_written_never_as_html_or_markup():
    """A cooperation record or a name holding HTML passed through the Markdown brief raw: a viewer that renders
    Markdown (which passes HTML on) ran it. It is escaped like the HTML, PDF and DOCX briefs do, and no
    Markdown of its own (a link, a heading on a line break) comes through either."""
    from markdown_it import MarkdownIt

    from hamkor.briefing.compose import Brief, Promising, Table, _cooperation_section
    from hamkor.cooperation.digest import AgreementLine, CommitmentLine, CooperationDigest, MeetingLine

    script, image = "<script>alert('x')</script>", '<img src=x onerror="alert(1)">'
    found = CooperationDigest("UZ", DAY, meetings=[MeetingLine(date(2025, 12, 18), f"Meeting {script}",
                                                               f"Agreed {image} & more\n# Not a heading", False)],
                              commitments=[CommitmentLine(f"Visit {image}", None, False, f"Farm {script}")],
                              agreements=[AgreementLine("[click](javascript:alert(1)) *bold*", None, None, False)])
    brief = Brief("en", f"Brief {script}", "1. not a list", f"Headline {image}",
                  paragraphs=[f"- {script}"], sources=[f"Registry {image}"], warning=f"Warn {script}",
                  tables=[Table(f"Table {script}", ["Item", "Value"], [[f"Farm | {image}", "1.0"]],
                                notes=[f"Note {script}"])],
                  promising=[Promising(f"Areas {image}", [f"Item {script}"])])
    brief.cooperation = _cooperation_section(found, "en")
    text = to_markdown(brief)
    assert "<script" not in text and "<img" not in text and "[click](" not in text
    assert "&lt;script&gt;" in text and "\n# Not a heading" not in text
    html = MarkdownIt("commonmark").enable("table").render(text)  # a viewer that passes raw HTML through
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<em>" not in html
    assert html.count("&lt;script&gt;alert") == 8 and html.count("&lt;img src=x onerror=") == 6
    assert "<h1>Brief &lt;script&gt;" in html and "<p>1. not a list</p>" in html  # not a list
    assert html.count("<h1>") == 1 and "<ul>\n<li>&lt;script&gt;" not in html
    assert "<td>Farm | &lt;img" in html  # a bar in a cell stays in its cell
