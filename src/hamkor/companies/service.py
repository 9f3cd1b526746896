"""Matchmaking over the registry: profiles, trade support from the warehouse, meeting requests."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
from sqlalchemy import select

from hamkor.companies.matching import Profile, Suggestion, score_pairs, suggest
from hamkor.companies.registry import CompanyFilter, Registry, company_name
from hamkor.errors import Problem, reason_of
from hamkor.opportunities.analysis import find_opportunities
from hamkor.opportunities.world import OpportunityError
from hamkor.store.models import Company, MeetingRequest


def profile_of(company: Company, lang: str = "ru") -> Profile:
    text = " ".join(filter(None, [company.name_ru, company.name_en, company.offers_text, company.needs_text,
                                  " ".join(company.sectors or [])]))
    return Profile(company.id, company_name(company, lang), tuple(company.offers or ()), tuple(company.needs or ()),
                   tuple(company.sectors or ()), tuple(company.languages or ()), text)


def territory_of(companies: list[Company]) -> str | None:
    """The region most of them are in (or their country): whose trade data speaks for them."""
    regions = Counter(c.region for c in companies if c.region)
    if regions:
        return regions.most_common(1)[0][0]
    countries = Counter(c.country for c in companies)
    return countries.most_common(1)[0][0] if countries else None


def trade_weights(con: duckdb.DuckDBPyConnection | None, territory: str | None, partner: str | None
                  ) -> tuple[dict[str, float], dict[str, float], str | None]:
    """Heading -> 0..1 support for territory -> partner and partner -> territory, from export potential."""
    if con is None or not territory or not partner or "-" in partner:
        return {}, {}, None

    weights = []
    try:
        for direction in ("export", "import"):
            result = find_opportunities(con, territory, partner, direction)
            top = max((i.potential for i in result.items), default=0.0)
            weights.append({i.product: math.log1p(i.potential) / math.log1p(top)
                            for i in result.items if i.potential > 0 and top > 0})
    except OpportunityError as problem:
        return {}, {}, reason_of(problem)
    return weights[0], weights[1], None


@dataclass
class MatchResult:
    suggestions: list[Suggestion]
    territory: str | None
    partner: str | None
    trade_note: str | None  # why trade data could not help, if it could not
    group_a: int
    group_b: int


def match(registry: Registry, con: duckdb.DuckDBPyConnection | None, group_a: CompanyFilter,
          group_b: CompanyFilter, top: int = 5, lang: str = "ru",
          weigh: Callable[[str | None, str | None], tuple] | None = None) -> MatchResult:
    """`weigh(territory, partner)`, when given, answers `trade_weights` in its place: a caller matching many
    companies against one partner reads the trade support once (a participant's space, per company)."""
    a, b = registry.find(group_a), registry.find(group_b)
    territory = territory_of(a)
    partner_countries = Counter(c.country for c in b)
    partner = partner_countries.most_common(1)[0][0] if partner_countries else None
    trade_ab, trade_ba, note = (weigh or (lambda t, p: trade_weights(con, t, p)))(territory, partner)
    scores = score_pairs([profile_of(c, lang) for c in a], [profile_of(c, lang) for c in b], trade_ab, trade_ba)
    return MatchResult(suggest(scores, top), territory, partner, note, len(a), len(b))


def accept(registry: Registry, suggestion: Suggestion, user_id: int | None) -> MeetingRequest:
    """An organizer turns a suggestion into a meeting request (once per pair)."""
    with registry.db.session() as session:
        existing = session.scalars(select(MeetingRequest).where(
            MeetingRequest.company_a == suggestion.a.id, MeetingRequest.company_b == suggestion.b.id)).first()
        if existing is None:
            existing = MeetingRequest(company_a=suggestion.a.id, company_b=suggestion.b.id, score=suggestion.score,
                                      reasons=suggestion.reasons, status="requested", created_by=user_id,
                                      created_at=datetime.now(UTC))
            session.add(existing)
            session.flush()
        session.refresh(existing)
        return existing


def accept_pair(registry: Registry, con: duckdb.DuckDBPyConnection | None, a: int, b: int, user_id: int | None,
                lang: str = "ru") -> MeetingRequest:
    """The pair (a, b) scored as matching scores it, and accepted as a meeting request; a Problem when
    either company is missing or the two have nothing to meet on."""
    registry.company(a), registry.company(b)
    found = match(registry, con, CompanyFilter(ids=(a,)), CompanyFilter(ids=(b,)), 1, lang)
    if not found.suggestions:
        raise Problem("These two companies have nothing to meet on.")
    return accept(registry, found.suggestions[0], user_id)


def meeting_requests(registry: Registry) -> list[MeetingRequest]:
    with registry.db.session() as session:
        rows = session.scalars(select(MeetingRequest).order_by(MeetingRequest.id)).all()
        return list(rows)


def traded_headings(con: duckdb.DuckDBPyConnection, territory: str) -> dict[str, float]:
    """Heading -> 0..1 (log scale) of what the territory trades, over its latest two years of data."""
    rows = con.execute(
        """WITH latest AS (SELECT max(year) AS y FROM trade_flow WHERE reporter = ?)
           SELECT left(commodity_code, 4), sum(value_usd) FROM trade_flow, latest
           WHERE reporter = ? AND year >= latest.y - 1 AND regexp_full_match(commodity_code, '[0-9]{4,}')
           GROUP BY 1""", [territory, territory]).fetchall()
    top = max((value for _, value in rows), default=0.0)
    return {code: math.log1p(value) / math.log1p(top) for code, value in rows if value > 0 and top > 0}
