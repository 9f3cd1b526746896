"""The JSON face under /api/v1: one module per area, siblings of the pages over `web.shared` and the
domain services (neither face imports the other)."""

from hamkor.web.api import (
    briefs,
    checkin,
    companies,
    cooperation,
    imports,
    matching,
    messages,
    missions,
    opportunities,
    organisers,
    reference,
    trade,
)

ROUTERS = [module.router for module in (reference, trade, opportunities, companies, matching, briefs, imports,
                                        missions, organisers, checkin, messages, cooperation)]
