"""Promising areas as both faces ask for them: one computation per question and warehouse generation."""

from __future__ import annotations

from dataclasses import dataclass

from hamkor.opportunities.analysis import Opportunities, Opportunity, find_opportunities
from hamkor.opportunities.explain import section_of
from hamkor.opportunities.potential import Assumptions
from hamkor.web.state import WebState

MILLION = 1e6


@dataclass(frozen=True)
class Filters:
    section: str | None = None  # HS section, Roman numeral
    min_potential: float = 0.0  # million USD

    def keep(self, item: Opportunity) -> bool:
        if self.section and section_of(item.product) != self.section:
            return False
        return item.kind != "potential" or item.potential >= self.min_potential * MILLION


def opportunities_for(state: WebState, reporter: str, partner: str, direction: str, assumptions: Assumptions,
                      year: int | None = None) -> Opportunities:
    def compute():
        with state.services.warehouse.reader() as con:
            return find_opportunities(con, reporter, partner, direction, year, assumptions)

    key = ("opportunities", reporter.upper(), partner.upper(), direction, assumptions, year)
    return state.cache.get(key, compute)
