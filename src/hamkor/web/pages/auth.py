"""Signing in and out, and the language switch."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from hamkor.i18n import LANGUAGES
from hamkor.web.deps import AccountsDep, AnyUser, Web, forget_viewer
from hamkor.web.pages._render import local_path, page
from hamkor.web.security import SESSION_COOKIE, SESSION_MAX_AGE, csrf_matches

router = APIRouter(include_in_schema=False)
PRE_CSRF = "hamkor_signin_csrf"


def _safe_next(target: str | None) -> str:
    return local_path(target, "/")  # only paths on this site: never an open redirect


@router.get("/signin")
def signin_form(request: Request, next: str = "/", error: str | None = None):
    token = secrets.token_urlsafe(24)
    response = page(request, "signin.html.j2", csrf=token, next=_safe_next(next), error=error)
    response.set_cookie(PRE_CSRF, token, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@router.post("/signin")
def signin(request: Request, web: Web, email: str = Form(...), password: str = Form(...), csrf: str = Form(""),
           next: str = Form("/")):
    state = web
    if not csrf or csrf != request.cookies.get(PRE_CSRF):
        return page(request, "signin.html.j2", status_code=400, csrf="", next=_safe_next(next),
                    error="The form expired: please try again.")
    key = f"{request.client.host if request.client else '?'}|{email.strip().lower()}"
    if state.throttle.blocked(key):
        return page(request, "signin.html.j2", status_code=429, csrf=csrf, next=_safe_next(next),
                    error="Too many attempts: wait a few minutes and try again.")
    user = state.services.accounts.authenticate(email, password)
    if user is None:
        state.throttle.failed(key)
        return page(request, "signin.html.j2", status_code=401, csrf=csrf, next=_safe_next(next),
                    error="Wrong e-mail or password.")
    state.throttle.succeeded(key)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, state.sessions.issue(user.id), max_age=SESSION_MAX_AGE, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    response.delete_cookie(PRE_CSRF)
    return response


@router.post("/signout")
def signout(request: Request, viewer: AnyUser, csrf: str = Form("")):
    if not csrf_matches({"csrf": viewer.csrf or ""}, csrf):
        return RedirectResponse("/", status_code=303)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/language")
def switch_language(request: Request, viewer: AnyUser, accounts: AccountsDep, language: str = Form(...),
                    csrf: str = Form(""), next: str = Form("/")):
    if csrf_matches({"csrf": viewer.csrf or ""}, csrf) and language in LANGUAGES:
        accounts.set_language(viewer.user_id, language)  # remembered per user
        forget_viewer(request, viewer.user_id)
    return RedirectResponse(_safe_next(next), status_code=303)
