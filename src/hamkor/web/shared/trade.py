"""The trade questions both faces ask: parameters read and checked the same way, defaults from the
settings and the data (never a region or a year written in the code), answers cached until the
warehouse changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hamkor.errors import Problem, reason_of
from hamkor.i18n import Msg
from hamkor.reference.names import GROUP_NAMES
from hamkor.trade import overview as overview_service
from hamkor.trade import stats
from hamkor.trade.periods import Period
from hamkor.web.state import WebState

FLOWS = ("export", "import")
LEVELS = stats.LEVELS


class BadParameter(Problem):
    """A query parameter the trade questions cannot take: 400 on a page, 422 in the API."""

    page_status = 400


def read(state: WebState, function, *args):
    """function(connection, *args) on the warehouse, cached until the warehouse changes."""

    def compute():
        with state.services.warehouse.reader() as con:
            return function(con, *args)

    return state.cache.get((function.__name__, *args), compute)


def checked_flow(flow: str) -> str:
    if flow not in FLOWS:
        raise BadParameter([("flow", Msg("'%(flow)s': export or import", flow=flow))])
    return flow


def checked_level(level: str) -> str:
    if level not in LEVELS:
        raise BadParameter([("level", Msg("'%(level)s': one of %(levels)s", level=level, levels=tuple(LEVELS)))])
    return level


def checked_within(code: str | None) -> str | None:
    """A drill-down code: a Roman numeral (section) or 2 to 10 digits."""
    if not code:
        return None
    text = code.strip().upper()
    if not (text.isdigit() and 2 <= len(text) <= 10) and not (text and set(text) <= set("IVXL") and len(text) <= 5):
        raise BadParameter([("within", Msg("'%(code)s': an HS section (I…XXI) or a code of 2 to 10 digits",
                                           code=code))])
    return text


def checked_partner(partner: str) -> str:
    code = partner.strip().upper()
    try:
        stats.resolve_partner(code)
    except stats.QueryError as problem:
        raise BadParameter([("partner", reason_of(problem))]) from None
    return code


def checked_period(text: str) -> Period:
    return Period.parse(text)


@dataclass(frozen=True)
class Choice:
    """What a trade page shows: the reporter, partner and period asked for, or the defaults."""

    reporters: list[tuple[str, bool]]  # (code, synthetic) of every reporter in the warehouse
    reporter: str
    partner: str
    period: Period
    error: str | None = None


def choose(state: WebState, reporter: str | None, partner: str | None, period: str | None,
           today: date | None = None) -> Choice:
    """The reporter (asked, else the home territory if it has data, else the first with data), the partner
    (asked, else the main partner's country) and the period (asked, else the latest with data for that reporter)."""
    settings = state.settings
    known = read(state, overview_service.reporters)
    codes = [code for code, _ in known]
    home = settings.home_territory.upper()
    chosen = (reporter or (home if home in codes or not codes else codes[0])).upper()
    parsed, error = None, None
    if period:
        try:
            parsed = Period.parse(period)
        except Problem as problem:
            error = reason_of(problem)
    parsed = parsed or read(state, overview_service.latest_period, chosen) or Period.year(
        (today or date.today()).year - 1)
    return Choice(known, chosen, (partner or main_trade_partner(settings)).upper(), parsed, error)


def main_trade_partner(settings) -> str:
    """The main partner as trade statistics know it: trade is recorded by partner country, so a partner
    region (a mission's visiting region, say) is asked about through its country."""
    return settings.main_partner.split("-")[0].upper()


def partner_choices(state: WebState, reporter: str, current: str | None) -> list[str]:
    """The reporter's partners (largest first), the groups, and whatever is chosen now."""

    def partners_by_size(con, code):
        return [p for (p,) in con.execute(
            "SELECT partner FROM trade_flow WHERE reporter = ? AND partner <> 'XX' GROUP BY partner "
            "ORDER BY sum(value_usd) DESC", [code]).fetchall()]

    choices = [*read(state, partners_by_size, reporter), *GROUP_NAMES]
    return choices if not current or current in choices else [current, *choices]
