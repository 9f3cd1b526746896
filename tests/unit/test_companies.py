"""The company registry: tax IDs, validation, spreadsheet import (all or nothing), export, matching."""

import re

import numpy as np
import pytest
from openpyxl import Workbook

from hamkor.accounts.permissions import Actor
from hamkor.companies.matching import LEVELS, WEIGHTS, Profile, describe, score_pairs, suggest
from hamkor.companies.registry import CompanyData, CompanyError, Contact, Registry, can_edit, can_see_contacts
from hamkor.companies.taxid import TaxIdError, validate_inn, validate_stir, validate_tax_id
from hamkor.companies.transfer import ImportRefused, export_companies, import_companies
from hamkor.config import Settings
from hamkor.store.db import Database


@pytest.fixture
def registry(tmp_path, database_url):
    db = Database(Settings(data_dir=tmp_path / "d", database_url=database_url))
    db.upgrade()
    yield Registry(db)
    db.dispose()


def test_tax_ids():
    assert validate_inn("7707083893") == "7707083893"  # an organisation (10 digits)
    assert validate_inn("500100732259") == "500100732259"  # an individual (12 digits)
    with pytest.raises(TaxIdError, match="check digit"):
        validate_inn("7707083894")
    with pytest.raises(TaxIdError, match="check digits"):
        validate_inn("500100732258")
    with pytest.raises(TaxIdError, match="11 digits"):
        validate_inn("77070838931")
    assert validate_stir("301212506") == "301212506"
    with pytest.raises(TaxIdError, match="9 digits"):
        validate_stir("30121250")
    assert validate_tax_id("RU", "7707083893.0") == "7707083893"  # a spreadsheet's float
    assert validate_tax_id("KZ", " 123-456 ") == "123456" and validate_tax_id("UZ", "") is None


def test_validation_names_every_problem(registry):
    with pytest.raises(CompanyError) as refused:
        registry.create(CompanyData(country="RU", region="UZ-SI", tax_id="123", offers=["8402", "99999"],
                                    languages=["russian"], contacts=[Contact("A", email="not-mail")]))
    fields = [f for f, _ in refused.value.problems]
    assert fields == ["name", "region", "tax_id", "languages", "offers", "contact_email"]
    assert registry.all() == []
    made = registry.create(CompanyData(name_ru="ООО «Котлы»", country="ru", region="Алтайский край",
                                       tax_id="7707083893", offers=["8402", "840310"], website="kotly.example",
                                       contacts=[Contact("Иван", "директор", "+7", "i@example.org")]))
    assert made.region == "RU-ALT" and made.country == "RU" and made.website == "https://kotly.example"
    assert [c.email for c in registry.contacts(made.id)] == ["i@example.org"]
    with pytest.raises(CompanyError, match="already registered"):
        registry.create(CompanyData(name_ru="Другая", country="RU", tax_id="7707083893"))


def test_who_edits_and_who_sees_contacts():
    def who(role, company=None):
        return Actor(1, "someone@example.org", role, company)

    assert can_edit(who("organizer"), 5) and can_edit(who("admin"), 5)
    assert can_edit(who("company", 5), 5) and not can_edit(who("company", 6), 5) and not can_edit(who("company"), 5)
    assert not can_edit(who("analyst"), 5) and not can_edit(who("viewer"), 5)
    assert can_see_contacts(who("company", 5), 5) and not can_see_contacts(who("company", 6), 5)
    assert not can_see_contacts(who("viewer"), 5) and not can_see_contacts(who("analyst"), 5)


def test_import_csv_with_mapping_and_fuzzy_duplicates(registry, fixtures):
    report = import_companies(registry, fixtures / "companies" / "companies_ru.csv")
    assert report.created == 3 and report.mapping["ИНН"] == "tax_id" and report.mapping["Регион"] == "region"
    # «Сибирские котлы» and «Сибирские котлы ООО»: the same name once legal forms are set aside
    assert [w.row for w in report.warnings] == [4] and "row 2" in report.warnings[0].reason
    companies = registry.all()
    assert {c.region for c in companies} == {"RU-ALT"} and companies[0].offers == ["8402", "8403"]
    assert companies[0].languages == ["en", "ru"]
    # The same file again: its tax IDs are registered now, so nothing is written...
    with pytest.raises(ImportRefused) as refused:
        import_companies(registry, fixtures / "companies" / "companies_ru.csv")
    assert all("already registered" in p.reason for p in refused.value.report.errors)
    assert len(registry.all()) == 3
    # ...unless asked to update them
    again = import_companies(registry, fixtures / "companies" / "companies_ru.csv", update_existing=True)
    assert again.updated == 2 and again.created == 1 and len(registry.all()) == 4


def test_bad_rows_refuse_the_whole_file(registry, fixtures):
    with pytest.raises(ImportRefused) as refused:
        import_companies(registry, fixtures / "companies" / "companies_bad.csv")
    report = refused.value.report
    lines = report.lines()
    assert any("row 2, column ИНН" in line and "check digit" in line for line in lines)
    assert any("row 3, column Страна" in line and "unknown country" in line for line in lines)
    assert any("row 4, column Регион" in line and "unknown region" in line for line in lines)
    assert any("row 4" in line and "99999" in line for line in lines)
    assert registry.all() == []  # not one row of the file was written


def test_xlsx_import_with_an_explicit_mapping_and_export_round_trip(registry, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Firma", "Soliq raqami", "Davlat", "Viloyat", "Taklif"])
    sheet.append(["Paxta MChJ", 301212506, "UZ", "Sirdaryo viloyati", "5205 5208"])
    path = tmp_path / "firms.xlsx"
    book.save(path)
    with pytest.raises(ImportRefused, match="name column"):
        import_companies(registry, path)
    report = import_companies(registry, path, {"Firma": "name_uz", "Soliq raqami": "tax_id", "Taklif": "offers",
                                               "Viloyat": "region"})
    assert report.created == 1
    company = registry.all()[0]
    assert company.tax_id == "301212506" and company.region == "UZ-SI" and company.offers == ["5205", "5208"]
    exported = tmp_path / "out.xlsx"
    exported.write_bytes(export_companies(registry.all(), {}, "xlsx"))
    registry.delete(company.id)
    assert import_companies(registry, exported).created == 1 and registry.all()[0].tax_id == "301212506"


def profile(id_, offers=(), needs=(), sectors=(), languages=("ru",), text=""):
    return Profile(id_, f"c{id_}", tuple(offers), tuple(needs), tuple(sectors), tuple(languages), text)


def test_matching_scores_and_reasons():
    boilers = profile(1, offers=["840211"], needs=["7304"], sectors=["machinery"], text="котлы паровые")
    a = [boilers, profile(2, offers=["1001"], languages=["en"])]
    b = [profile(10, needs=["8402"], sectors=["Machinery"], text="нужны котлы"),  # same heading: 0.75
         profile(11, needs=["84"], offers=["730410"], languages=["uz"]),  # same chapter 0.4; and offers what 1 needs
         profile(12, needs=["1001"], languages=["en"])]
    scores = score_pairs(a, b, trade_ab={"8402": 1.0})
    comp = scores.parts["complementarity"]
    assert comp[0, 0] == pytest.approx(0.75) and comp[1, 2] == pytest.approx(1.0)
    assert comp[0, 1] == pytest.approx(min(1.0, 0.75 + 0.25 * 0.4))  # both ways: 7304 for 1, chapter 84 for 11
    assert scores.parts["sectors"][0, 0] == 1 and scores.parts["language"][0, 1] == 0
    assert scores.parts["trade"][0, 0] == pytest.approx(1.0) and scores.parts["trade"][1, 2] == 0
    assert scores.parts["text"][0, 0] > 0.2  # «котлы» in both profiles
    expected = sum(WEIGHTS[n] * scores.parts[n][0, 0] for n in WEIGHTS)
    assert scores.total[0, 0] == pytest.approx(expected, rel=1e-6)
    best = suggest(scores, top=1)
    assert [(s.a.id, s.b.id) for s in best] == [(1, 10), (2, 12)]
    texts = [describe(r, "A", "B", "en") for r in best[0].reasons]
    # products read as products, with their code after them, and no weights a company cannot read
    assert ("A offers boilers; watertube boilers with a steam production… (840211); B is looking for boilers; "
            "steam or other vapour generating… (8402)") in texts and "common language: Russian" in texts
    assert "customs statistics show these goods traded between the two sides" in texts
    assert not any(re.search(r"\d\.\d", t) for t in texts)
    apart = suggest(score_pairs(a[:1], b[1:2]))[0]  # Russian and Uzbek speakers
    assert "needs an interpreter" in [describe(r, "A", "B", "en") for r in apart.reasons]


def test_vectorised_complementarity_equals_the_definition():
    rng = np.random.default_rng(3)
    codes = ["8402", "840211", "840219", "8403", "84", "7304", "730410", "1001", "100199", "52", "5205"]
    a = [profile(i, offers=rng.choice(codes, 2), needs=rng.choice(codes, 2)) for i in range(30)]
    b = [profile(100 + i, offers=rng.choice(codes, 2), needs=rng.choice(codes, 2)) for i in range(40)]
    comp = score_pairs(a, b).parts["complementarity"]

    def cut(code, lv):  # at the finest level a shorter code stands for itself
        return code[:lv] if len(code) >= lv or lv == LEVELS[0][0] else None

    def level(offers, needs):
        return max((w for lv, w in LEVELS for o in offers for n in needs
                    if cut(o, lv) is not None and cut(o, lv) == cut(n, lv)), default=0.0)

    for i, pa in enumerate(a):
        for j, pb in enumerate(b):
            ab, ba = level(pa.offers, pb.needs), level(pb.offers, pa.needs)
            assert comp[i, j] == pytest.approx(min(1.0, max(ab, ba) + 0.25 * min(ab, ba)))


def test_files_that_are_not_tables_are_refused(registry, tmp_path):
    fake = tmp_path / "companies.xlsx"
    fake.write_bytes(b"%PDF-1.4 not a workbook")
    with pytest.raises(ImportRefused, match="its content is not one, whatever its name"):
        import_companies(registry, fake)
    binary = tmp_path / "companies.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImportRefused):
        import_companies(registry, binary)
    assert registry.all() == []
