"""Signing in and out, and the language switch."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from hamkor.i18n import LANGUAGES
from hamkor.web.deps import AccountsDep, AnyUser, Web
from hamkor.web.pages._public import PRE_CSRF, client_address
from hamkor.web.pages._render import local_path, page
from hamkor.web.security import SESSION_COOKIE, csrf_matches

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    return local_path(target, "/")  # only paths on this site: never an open redirect


# What the sign-in page may say when another page sends the user there; never text from the query itself.
SIGNIN_NOTICES = {"password-changed": "Your password was changed: sign in with the new one.",
                  "password-set": "Your password is saved: sign in with it.",
                  "registered": "Check your mail: open the link we sent to confirm your address.",
                  "signed-out-everywhere": "Every session of your account has ended: sign in again."}


@router.get("/signin")
def signin_form(request: Request, web: Web, next: str = "/", notice: str | None = None):
    cookie, token = web.sessions.pre_session()
    response = page(request, "signin.html.j2", csrf=token, next=_safe_next(next),
                    notice=SIGNIN_NOTICES.get(notice or ""))
    response.set_cookie(PRE_CSRF, cookie, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@router.post("/signin")
def signin(request: Request, web: Web, email: str = Form(...), password: str = Form(...), csrf: str = Form(""),
           next: str = Form("/")):
    state = web
    if not state.sessions.pre_session_matches(request.cookies.get(PRE_CSRF), csrf):
        return page(request, "signin.html.j2", status_code=400, csrf="", next=_safe_next(next),
                    error="The form expired: please try again.")
    # Two counters: one per account (however many addresses try it), one per address (however many
    # accounts it tries); either one full refuses, before the password is even checked.
    address = client_address(request, state.services.settings.trusted_proxy_addresses)
    counters = ((state.throttle, email.strip().lower()), (state.address_throttle, address))
    if any(throttle.blocked(key) for throttle, key in counters):
        return page(request, "signin.html.j2", status_code=429, csrf=csrf, next=_safe_next(next),
                    error="Too many attempts: wait a few minutes and try again.")
    accounts = state.services.accounts
    check = accounts.check_password(email, password)
    user = check.user if check.may_sign_in else None
    if check.user is not None and not check.may_sign_in and state.services.missions.awaits_confirmation(check.user.id):
        # The right password of a registration whose address is unconfirmed: say what to do (only to whoever
        # typed it, so a guesser learns nothing); a deactivated account reads as any refusal below.
        return page(request, "signin.html.j2", status_code=403, csrf=csrf, next=_safe_next(next),
                    unconfirmed=check.user.email)
    if user is None:
        for throttle, key in counters:
            throttle.failed(key)
        return page(request, "signin.html.j2", status_code=401, csrf=csrf, next=_safe_next(next),
                    error="Wrong e-mail or password.")
    state.throttle.succeeded(counters[0][1])
    settings = state.services.settings
    token, _ = accounts.start_session(user.id, timedelta(days=settings.session_max_days))
    target = _safe_next(next)
    if user.role == "company" and target == "/":
        # a representative lands among their missions, not on the trade dashboard (issue 27.2); an account
        # waiting for the organizers' approval sees only its own registration
        target = "/space" if user.company_id is not None else "/account#registrations"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, state.sessions.cookie(token), max_age=int(settings.session_max_days * 86400),
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    response.delete_cookie(PRE_CSRF)
    return response


@router.post("/signout")
def signout(request: Request, viewer: AnyUser, web: Web, csrf: str = Form("")):
    if not csrf_matches({"csrf": viewer.csrf or ""}, csrf):
        return RedirectResponse("/", status_code=303)
    token = web.sessions.token(request.cookies.get(SESSION_COOKIE))
    if token:
        web.services.accounts.end_session(token)  # the cookie opens nothing any more, wherever it was copied
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/language")
def switch_language(request: Request, viewer: AnyUser, accounts: AccountsDep, language: str = Form(...),
                    csrf: str = Form(""), next: str = Form("/")):
    if csrf_matches({"csrf": viewer.csrf or ""}, csrf) and language in LANGUAGES:
        accounts.set_language(viewer.user_id, language)  # remembered per user
    return RedirectResponse(_safe_next(next), status_code=303)
