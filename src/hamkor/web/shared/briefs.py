"""A meeting brief as both faces compose it: the trade figures and the cooperation registry's digest."""

from __future__ import annotations

from hamkor.briefing.compose import Brief, compose_brief
from hamkor.cooperation.digest import digest
from hamkor.trade.periods import Period
from hamkor.web.state import WebState


def brief_for(web: WebState, reporter: str, partner: str, period: Period, lang: str,
              source: str | None = None) -> Brief:
    services = web.services
    found = digest(services.cooperation, partner, services.today(), lang)
    with services.warehouse.reader() as con:
        return compose_brief(con, reporter.upper(), partner.upper(), period, lang, cooperation=found,
                             source=source or None)
