"""The HTML face: one module of pages per area, over the domain services and `web.shared`."""

from hamkor.web.pages import (
    account,
    auth,
    checkin,
    companies,
    cooperation,
    followup,
    imports,
    links,
    messages,
    missions,
    opportunities,
    organisers,
    reference,
    registration,
    space,
    trade,
)
from hamkor.web.pages._render import message_page

ROUTERS = [module.router for module in (auth, links, account, trade, opportunities, companies, missions, cooperation,
                                        imports, reference, registration, space, followup, organisers,
                                        checkin, messages)]

__all__ = ["ROUTERS", "message_page"]
