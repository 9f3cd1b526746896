"""Request dependencies: who is asking, in which language, with what right (one place for all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from hamkor.web.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hamkor.web.security import SESSION_COOKIE, allowed


class NotSignedIn(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, permission: str) -> None:
        super().__init__(permission)
        self.permission = permission


@dataclass(frozen=True)
class Viewer:
    user_id: int
    email: str
    role: str
    language: str
    csrf: str | None  # None for API-token requests (no cookie, so no CSRF to guard)


def current_viewer(request: Request) -> Viewer | None:
    state = request.app.state
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = state.accounts.user_for_token(header[7:].strip())
        return Viewer(user.id, user.email, user.role, user.language, None) if user else None
    session = state.sessions.read(request.cookies.get(SESSION_COOKIE))
    if not session:
        return None
    user = state.accounts.get(session["uid"])
    return Viewer(user.id, user.email, user.role, user.language, session["csrf"]) if user else None


def require(permission: str):
    def check(request: Request) -> Viewer:
        viewer = current_viewer(request)
        if viewer is None:
            raise NotSignedIn()
        if not allowed(viewer.role, permission):
            raise Forbidden(permission)
        request.state.viewer = viewer
        return viewer

    return check


def language_of(request: Request) -> str:
    viewer = getattr(request.state, "viewer", None)
    if viewer and viewer.language in LANGUAGES:
        return viewer.language
    asked = request.query_params.get("lang") or request.cookies.get("hamkor_lang")
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


TradeViewer = Annotated[Viewer, Depends(require("trade.view"))]
BriefMaker = Annotated[Viewer, Depends(require("brief.create"))]
ImportViewer = Annotated[Viewer, Depends(require("imports.view"))]
Importer = Annotated[Viewer, Depends(require("imports.write"))]
ReferenceViewer = Annotated[Viewer, Depends(require("reference.view"))]
AnyUser = Annotated[Viewer, Depends(require("account.self"))]
