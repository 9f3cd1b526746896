"""The HS classification assistant: the three languages, trade terms, reasons, and its accuracy."""

import pytest

from hamkor.companies.classify import detect_language, search, uz_latin_to_russian_letters, uz_to_english, uz_to_latin
from hamkor.companies.evaluate import evaluate, labelled_queries


@pytest.mark.parametrize(("text", "heading"), [
    ("котельное оборудование", "8402"), ("paxta ipi", "5205"), ("cotton yarn", "5205"),
    ("шины для грузовиков", "4011"), ("пахта ипи", "5205"), ("ўғитлар", "3102"), ("ekskavator", "8429"),
])
def test_the_examples_of_the_issue_and_more(text, heading):
    assert heading in [hit.code for hit in search(text, limit=5)]


def test_languages_and_uzbek_normalisation():
    assert [detect_language(t) for t in ("котлы", "cotton yarn", "paxta ipi", "ўғит", "пахта ипи", "ekskavator")] \
        == ["ru", "en", "uz", "uz", "uz", "uz"]
    assert uz_to_latin("Ўғит қозон") == "o'g'it qozon"
    assert uz_to_latin("oʻgʻit") == "o'g'it"  # the modifier letter and the ASCII apostrophe are one
    assert uz_latin_to_russian_letters("ekskavator") == "экскаватор"
    english, unknown = uz_to_english("paxta ipi va qozon kerak")
    assert english.split()[:3] == ["cotton", "yarn", "thread"] and "boilers" in english
    assert unknown == ["kerak"]  # words of two letters ("va") are not even reported


def test_every_hit_says_why_and_the_region_boost_counts():
    plain = search("шины", limit=3)
    assert plain[0].why and any("trade term" in w for w in plain[0].why)
    boosted = search("шины", limit=3, traded={"4012": 1.0})
    assert boosted[0].code == "4012" and "the region trades it" in boosted[0].why
    assert search("   ") == []


def test_accuracy_on_the_labelled_queries():
    queries = labelled_queries()
    assert len(queries) >= 150 and {q.lang for q in queries} == {"ru", "uz", "en"}
    results = evaluate(queries)
    # Regression floors at what is measured now (README and `hamkor hs eval` give the figures):
    # the issue's target, top-5 >= 80 %, holds over all the queries; the held-out ones, never
    # used to tune the word lists, are the honest estimate and are lower.
    assert results["all"].top5_share >= 0.80
    assert results["holdout"].top5_share >= 0.75
    # purpose phrases: 54.5 % before they were handled, 75.8 % after (measured on this set, December 2026)
    assert results["purpose"].top5_share >= 0.72
    for lang in ("ru", "uz", "en"):
        assert results[lang].top5_share >= 0.80, lang


@pytest.mark.parametrize(("text", "wanted", "not_first"), [
    ("оборудование для геологоразведки", {"8430", "9015", "8207"}, "8422"),  # not dishwashers
    ("geologiya qidiruv uskunalari", {"8430", "9015", "8207"}, "8442"),  # not printing machinery
    ("оборудование для добычи урана", {"8430", "8474"}, "2612"),  # the machinery, not the uranium ore
    ("насосы для перекачки нефти", {"8413"}, "2709"),
    ("машины для уборки хлопка", {"8433"}, "5201"),
])
def test_a_purpose_phrase_names_the_equipment_not_its_object(text, wanted, not_first):
    found = [hit.code for hit in search(text, limit=5)]
    assert wanted & set(found[:3]) and found[0] != not_first, found


def test_the_purpose_is_split_from_the_thing_in_three_languages():
    from hamkor.companies.classify import split_purpose

    assert split_purpose("Насосы для перекачки нефти", "ru") == ("насосы", "перекачки нефти")
    assert split_purpose("pumps for crude oil", "en") == ("pumps", "crude oil")
    assert split_purpose("neft uchun nasoslar", "uz") == ("nasoslar", "neft")
    assert split_purpose("geologiya qidiruv uskunalari", "uz") == ("uskunalari", "geologiya qidiruv")
    assert split_purpose("котлы", "ru") == ("котлы", "")


def test_words_for_a_group_of_goods_bring_the_group_and_the_thing_a_person_means_first():
    """Issue 26.8, measured on a set written before the change (companies/data/group_eval.tsv): the share of
    the top five that belong to the group was 0.39 (ru 0.30, uz 0.30, en 0.60) and the expected heading
    came first for 6 of 10 phrases naming one."""
    from hamkor.companies.evaluate import group_precision

    found = group_precision()
    precision, first, named, misses = found["all"]
    assert precision >= 0.8 and first == named == 10, misses
    assert all(found[lang][0] >= 0.75 for lang in ("ru", "uz", "en")), {k: v[0] for k, v in found.items()}


def test_the_opportunities_filter_takes_a_group_whole_and_says_when_nothing_matches():
    from hamkor.web.shared.opportunities import Filters, resolve_products

    textiles = resolve_products("текстиль", "ru")
    assert {"52", "61", "62"} <= set(textiles.codes) and textiles.group == "текстиль"
    assert set(resolve_products("химия", "ru").codes) == {"28", "29", "38"}
    assert "01" in resolve_products("сельское хозяйство", "ru").codes
    assert "01" in resolve_products("qishloq xoʻjaligi", "uz").codes and "61" in resolve_products("clothing").codes
    nothing = resolve_products("абырвалг", "ru")
    assert nothing.codes == () and nothing.group is None
    assert Filters(codes=nothing.codes).codes == ()  # matched nothing: the list is empty, not unfiltered
