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
    for lang in ("ru", "uz", "en"):
        assert results[lang].top5_share >= 0.80, lang
