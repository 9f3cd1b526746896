"""Promising areas as both faces ask for them: one computation per question and warehouse generation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hamkor.companies.classify import detect_language, group_extent, split_purpose
from hamkor.companies.classify import search as hs_search
from hamkor.opportunities.analysis import Opportunities, Opportunity, find_opportunities
from hamkor.opportunities.explain import section_of
from hamkor.opportunities.potential import Assumptions
from hamkor.web.state import WebState

MILLION = 1e6


@dataclass(frozen=True)
class Filters:
    section: str | None = None  # HS section, Roman numeral
    min_potential: float = 0.0  # million USD
    codes: tuple[str, ...] | None = None  # HS codes (any length) a product must fall under; None = any, () = none

    def keep(self, item: Opportunity) -> bool:
        if self.section and section_of(item.product) != self.section:
            return False
        if self.codes is not None and not any(item.product.startswith(c) or c.startswith(item.product)
                                              for c in self.codes):
            return False
        return item.kind != "potential" or item.potential >= self.min_potential * MILLION


@dataclass(frozen=True)
class Resolved:
    """What a person typed in the products field, and the HS codes it stands for."""

    text: str
    codes: tuple[str, ...]  # empty: the words matched nothing, and the list says so rather than showing all
    by_words: bool  # found by the HS assistant (else typed as codes)
    group: str | None = None  # the group phrase the text was read as, where it names one


def resolve_products(text: str | None, lang: str | None = None, per_request: int = 5) -> Resolved | None:
    """Codes as typed ("8430 8474", "84"), or words in any of the three languages through the HS assistant:
    "оборудование для геологоразведки и добычи урана" -> its best headings. Parts joined by "и", "and",
    "va", commas or semicolons are looked up one by one, so each keeps its own best answers."""
    text = (text or "").strip()
    if not text:
        return None
    words = text.replace(",", " ").replace(";", " ").split()
    if all(w.isdigit() and 2 <= len(w) <= 10 for w in words):
        return Resolved(text, tuple(dict.fromkeys(words)), False)
    group = group_extent(text, lang)
    if group is not None:  # a group as a whole («текстиль»): every chapter of it, not its best few headings
        return Resolved(text, group[1], True, group[0])
    parts = [p.strip() for p in re.split(r"[,;]| и | and | va ", f" {text} ") if p.strip()]
    found: list[str] = []
    head = split_purpose(parts[0], lang or detect_language(parts[0]))[0] if parts else ""
    for part in parts:
        # "equipment for geological exploration and uranium mining": the second part inherits the first's
        # thing ("equipment for uranium mining"), as a reader understands it
        query = part if split_purpose(part, lang or detect_language(part))[1] or part == parts[0] \
            else f"{head} {_PURPOSE_WORD.get(lang or detect_language(parts[0]), 'for')} {part}"
        found += [hit.code for hit in hs_search(query, lang, per_request)]
    return Resolved(text, tuple(dict.fromkeys(found)), True)


_PURPOSE_WORD = {"ru": "для", "en": "for", "uz": "uchun"}


def opportunities_for(state: WebState, reporter: str, partner: str, direction: str, assumptions: Assumptions,
                      year: int | None = None, wait: bool = True) -> Opportunities | None:
    """`wait=False`: None while it is computed in the background (the first load over a world matrix of BACI's
    size takes seconds: the page shows at once and fills in)."""
    def compute():
        with state.services.warehouse.reader() as con:
            return find_opportunities(con, reporter, partner, direction, year, assumptions)

    key = ("opportunities", reporter.upper(), partner.upper(), direction, assumptions, year)
    return state.cache.get(key, compute) if wait else state.cache.ready_or_start(key, compute)
