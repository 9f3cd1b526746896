"""A meeting brief as both faces compose it: the trade figures and the cooperation registry's digest."""

from __future__ import annotations

from hamkor.briefing.compose import Brief
from hamkor.trade.periods import Period
from hamkor.web.state import WebState
from hamkor.work.tasks import compose


def brief_for(web: WebState, reporter: str, partner: str, period: Period, lang: str,
              source: str | None = None) -> Brief:
    return compose(web.services, reporter, partner, period, lang, source)
