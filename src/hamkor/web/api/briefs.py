"""Meeting briefs as PDF, DOCX or Markdown."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from hamkor.briefing.render import render
from hamkor.trade.periods import Period
from hamkor.web.api._params import Lang, Partner, PeriodText, Reporter, SourceName
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import BriefMaker, Web
from hamkor.web.shared.briefs import brief_for
from hamkor.web.shared.trade import checked_partner

router = APIRouter(prefix="/api/v1", tags=["briefs"], responses=ERROR_RESPONSES)


@router.get("/briefs", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "application/vnd.openxmlformats-officedocument."
                                         "wordprocessingml.document": {}, "text/markdown": {}}}})
def brief(viewer: BriefMaker, web: Web, reporter: Reporter, partner: Partner, period: PeriodText,
          lang: Lang = "ru", format: Literal["pdf", "docx", "md"] = "pdf", source: SourceName = None) -> Response:
    parsed = Period.parse(period)
    partner = checked_partner(partner)
    body = web.jobs.run_inline("brief", viewer.user_id,
                               lambda: render(brief_for(web, reporter, partner, parsed, lang, source), format))
    media = {"pdf": "application/pdf", "md": "text/markdown; charset=utf-8",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[format]
    return Response(body, media_type=media)
