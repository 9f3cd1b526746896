"""What the pages open to anyone share: a CSRF value bound to a pre-session cookie (there is no session
yet), and a limit on submissions per address."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from hamkor.web.deps import web_state
from hamkor.web.pages._render import page

PRE_CSRF = "hamkor_signin_csrf"


def public_page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """A page with a form for someone not signed in: a fresh pre-session and the form's value for it."""
    state = web_state(request)
    cookie, token = state.sessions.pre_session()
    response = page(request, template, status_code, csrf=token, **context)
    response.set_cookie(PRE_CSRF, cookie, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


def public_form_ok(request: Request, submitted: str | None) -> bool:
    return web_state(request).sessions.pre_session_matches(request.cookies.get(PRE_CSRF), submitted)


def client_address(request: Request, trusted: set[str]) -> str:
    """The address a request comes from: the peer's, or — when the peer is a trusted reverse proxy —
    the last address in X-Forwarded-For that is not itself a trusted proxy. Never the header alone:
    anyone can write it."""
    peer = request.client.host if request.client else "?"
    if peer not in trusted:
        return peer
    chain = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    for address in reversed(chain):
        if address not in trusted:
            return address
    return peer


def address_of(request: Request) -> str:
    return client_address(request, web_state(request).settings.trusted_proxy_addresses)


def over_limit(request: Request, what: str = "form") -> bool:
    """Counts this submission; True when the address has sent too many lately. The HS assistant, asked as
    one types, has its own and wider count (`hs_throttle`)."""
    state = web_state(request)
    throttle = state.hs_throttle if what == "hs" else state.public_throttle
    key = address_of(request)
    if throttle.blocked(key):
        return True
    throttle.failed(key)
    return False
