import re

import pytest

from hamkor.reference import countries, nomenclature, regions
from hamkor.reference.nomenclature import is_confidential


def test_hs2022_hierarchy_is_complete():
    nom = nomenclature()
    assert len(nom.entries("HS2022", "section")) == 21
    assert len(nom.entries("HS2022", "chapter")) == 97
    assert len(nom.entries("HS2022", "heading")) == 1229
    subheadings = nom.entries("HS2022", "subheading")
    assert len(subheadings) == 5613
    for entry in subheadings:
        levels = [e.level for e in nom.path(entry.code)]
        if entry.code == "999999":  # "not specified according to kind" belongs to no section
            assert levels == ["chapter", "heading", "subheading"]
        else:
            assert levels == ["section", "chapter", "heading", "subheading"], entry.code


def test_hs2017_edition_is_separate():
    nom = nomenclature()
    assert len(nom.entries("HS2017", "subheading")) == 5388
    assert nom.get("852411", "HS2022") is not None  # flat panel modules: new in 2022
    assert nom.get("852411", "HS2017") is None


def test_every_tnved_line_has_a_heading_with_a_russian_name():
    nom = nomenclature()
    lines = nom.entries("HS2022", "national") + nom.entries("HS2017", "national")
    assert len(lines) >= 12_715
    unnamed = set()
    for line in lines:
        assert re.fullmatch(r"[0-9]{10}", line.code)
        heading = nom.ancestor(line.code, "heading", line.edition)
        assert heading is not None, line.code
        if heading.code in nom.headings_without_russian_name:
            unnamed.add(heading.code)  # named by hand: its lines read "<that name>: <line>"
            assert line.name("ru").startswith(heading.names["ru"] + ": ") and "Товарная позиция" not in line.name("ru")
    # No source file names these headings in Russian; the hand-written names cover every one of them.
    assert unnamed == set(nom.headings_without_russian_name) and len(unnamed) < 110
    assert not [h.code for h in nom.entries("HS2022", "heading") if "ru" not in h.names]


def test_unit_symbols_and_signs_read_as_written():
    """The raw TN VED text lost ², ³, °, −, ′ and Greek letters to "?"; the build puts each back."""
    nom = nomenclature()
    names = [e.name("ru") for edition in ("HS2022", "HS2017") for e in nom.entries(edition)]
    assert not [n for n in names if "?" in n][:3]
    assert nom.name("5111110000", "ru").endswith("с поверхностной плотностью не более 300 г/м²")
    assert "в контейнерах емкостью не более 300 см³," in nom.name("3606100000", "ru")
    assert nom.name("8703231940", "ru").endswith("двигателя более 1500 см³, но не более 1800 см³")
    assert any("воздуха −40 °С" in n for n in names) and any("4,4′-" in n for n in names)
    assert any("1-нафтиламин (α-нафтиламин)" in n for n in names)


def test_2017_filled_heading_is_marked():
    honey = nomenclature().get("0409")
    assert honey.name("ru") == "Мед натуральный"
    assert "2017" in honey.note


def test_display_name_joins_parents_and_cleans_text():
    nom = nomenclature()
    line = nom.get("0101210000")
    assert line.short_name_ru == "чистопородные племенные животные"
    assert line.name("ru") == "Лошади, ослы, мулы и лошаки живые: чистопородные племенные животные"
    for entry in nom.entries("HS2022", "national"):
        text = entry.name("ru")
        assert "\u00a0" not in text
        assert not re.search(r"[а-я]\d\)", text), text  # footnote markers such as "судов5)"


def test_names_fall_back_between_languages():
    nom = nomenclature()
    chapter = nom.get("44")
    assert chapter.name("ru").startswith("Древесина")
    assert chapter.name("en").lower().startswith("wood")
    assert chapter.name("uz") == chapter.name("ru")  # no Uzbek nomenclature: Russian first, as every name
    # TN VED names no subheading: one takes the name its lines share, or its heading's and its number.
    assert nom.get("843010").name("ru").endswith(": оборудование для забивки и извлечения свай")
    assert nom.get("440711").name("ru").endswith("(субпозиция 4407 11)")
    assert nom.get("110100").name("uz") == "Мука пшеничная или пшенично-ржаная"  # the heading's only subheading
    assert not [s.code for s in nom.entries("HS2022", "subheading") if "ru" not in s.names]
    assert nom.name("XXXXXXXXXX", "en") == "Confidential" and is_confidential("XXXXXX")


def test_walk_down_the_hierarchy():
    nom = nomenclature()
    assert "4011" in [c.code for c in nom.children("40")]
    assert all(c.code.startswith("401110") for c in nom.children("401110"))
    assert nom.ancestor("4011100003", "section").code == "VII"


@pytest.mark.parametrize(("code", "expected"), [
    ("030721", {("030721", "1:n"), ("030791", "n:n")}),
    ("010121", {("010121", "1:1")}),
])
def test_map_hs2022_to_hs2017(code, expected):
    assert set(nomenclature().map_code(code, "HS2022", "HS2017")) == expected


def test_map_back_and_unknown_pair():
    assert ("030721", "n:n") in nomenclature().map_code("030791", "HS2017", "HS2022")
    assert nomenclature().map_code("440711", "HS2022", "HS2022") == [("440711", "1:1")]
    with pytest.raises(ValueError):
        nomenclature().map_code("010121", "HS2022", "HS1992")


def test_countries_in_three_languages():
    c = countries()
    assert len(c) == 249
    uz = c.get("UZ")
    assert (uz.alpha3, uz.numeric) == ("UZB", "860")
    assert uz.name("ru") == "Узбекистан" and uz.name("en") == "Uzbekistan" and uz.name("uz") == "Oʻzbekiston"
    assert c.get("860") is uz and c.get("UZB") is uz
    # FTS tables mix Latin look-alikes into Cyrillic names and break lines inside them.
    assert c.by_name("Китaй").alpha2 == "CN"
    assert c.by_name("Республикa \nКорея").alpha2 == "KR"
    assert c.by_name("Rossiya").alpha2 == "RU"  # stat.uz's own spelling
    assert c.get("736").alpha2 == "SD"  # withdrawn code still found in older tables


def test_every_fts_region_code_maps_to_iso_3166_2():
    fts = regions().fts_codes()
    assert len(fts) == 85
    for code, iso in fts.items():
        assert re.fullmatch(r"[0-9]{5}", code)
        assert re.fullmatch(r"(RU|UA)-[A-Z0-9]{1,3}", iso)
        region = regions().get(iso)
        assert region.name("ru") and region.name("en") and region.district["ru"].endswith("федеральный округ")
    altai = regions().by_fts_code("01000 - АЛТАЙСКИЙ КРАЙ")
    assert altai.iso == "RU-ALT" and altai.name("en") == "Altai Krai"


def test_uzbekistan_regions():
    uz = regions().of_country("UZ")
    assert len(uz) == 14
    syrdarya = regions().get("UZ-SI")
    assert syrdarya.name("uz") == "Sirdaryo viloyati" and syrdarya.name("ru") == "Сырдарьинская область"
