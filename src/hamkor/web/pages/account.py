"""One's own account (password, API tokens, the calendar feed, sessions) and, for admins, the users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from hamkor.accounts.service import ROLES, TOKEN_SCOPES, AccountError, is_invited, token_state
from hamkor.companies.registry import company_name
from hamkor.i18n import Msg
from hamkor.missions.base import mission_text
from hamkor.web.deps import (
    AccountsDep,
    AnyUser,
    OutboxDep,
    RecordId,
    RegistryDep,
    UserManager,
    Web,
    language_of,
    web_state,
)
from hamkor.web.forms import whole_number
from hamkor.web.pages._render import check_csrf, page

router = APIRouter(include_in_schema=False)
TOKEN_DAYS = (30, 90, 365)  # the expiries offered; a token without one must be asked for by name (CLI)


def _account(request: Request, viewer, accounts, status_code: int = 200, **context):
    lang = language_of(request)
    missions = web_state(request).services.missions
    registrations = missions.own_registrations(viewer.actor)
    return page(request, "account.html.j2", status_code, user=accounts.get(viewer.user_id),
                registrations=registrations, company_name=lambda c: company_name(c, lang),
                mission_name=lambda m_id: mission_text(missions.mission(m_id), "name", lang),
                tokens=accounts.tokens(viewer.user_id), sessions=accounts.sessions_of(viewer.user_id),
                scopes=TOKEN_SCOPES, token_days=TOKEN_DAYS, token_state=token_state, **context)


@router.get("/account")
def account_page(request: Request, viewer: AnyUser, accounts: AccountsDep):
    return _account(request, viewer, accounts)


@router.post("/account/password")
def change_password(request: Request, viewer: AnyUser, accounts: AccountsDep, web: Web, csrf: str = Form(""),
                    current: str = Form(""), password: str = Form(""), repeated: str = Form("")):
    """A new password ends every session of the account, this one too: the user signs in again."""
    check_csrf(viewer, csrf)
    if password != repeated:
        return _account(request, viewer, accounts, 422, problems=[("password", "the two new passwords differ")])
    try:
        accounts.change_password(viewer.user_id, current, password)
    except AccountError as problem:
        return _account(request, viewer, accounts, 422, problems=problem.problems)
    return RedirectResponse("/signin?notice=password-changed", status_code=303)


@router.post("/account/tokens")
def create_token(request: Request, viewer: AnyUser, accounts: AccountsDep, csrf: str = Form(""),
                 name: str = Form(""), scope: str = Form("read"), days: str = Form("90")):
    check_csrf(viewer, csrf)
    chosen = whole_number(days, 1, max(TOKEN_DAYS))
    expires = (datetime.now(UTC) + timedelta(days=chosen)) if chosen in TOKEN_DAYS else None
    try:
        if expires is None:
            raise AccountError([("expires_at", "choose how long the token lives")])
        token = accounts.create_token(viewer.user_id, name, scope, expires)
    except AccountError as problem:
        return _account(request, viewer, accounts, 422, problems=problem.problems)
    return _account(request, viewer, accounts, new_token=token)  # shown once, on this page only


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, viewer: AnyUser, accounts: AccountsDep, token_id: RecordId,
                 csrf: str = Form("")):
    check_csrf(viewer, csrf)
    accounts.revoke_token(token_id, viewer.user_id)
    return RedirectResponse("/account#tokens", status_code=303)


@router.post("/account/feed")
def new_feed(request: Request, viewer: AnyUser, accounts: AccountsDep, csrf: str = Form(""),
             revoke: str = Form("")):
    check_csrf(viewer, csrf)
    if revoke:
        accounts.revoke_feed_secret(viewer.user_id)
        return RedirectResponse("/account#feed", status_code=303)
    secret = accounts.new_feed_secret(viewer.user_id)
    feed_url = f"{str(request.base_url).rstrip('/')}/cooperation/events.ics?feed={secret}"
    return _account(request, viewer, accounts, feed_url=feed_url)


@router.post("/account/sessions/end")
def end_other_sessions(request: Request, viewer: AnyUser, accounts: AccountsDep, csrf: str = Form("")):
    """Sign out everywhere: every session of the account ends, this one too."""
    check_csrf(viewer, csrf)
    accounts.end_sessions(viewer.user_id)
    return RedirectResponse("/signin?notice=signed-out-everywhere", status_code=303)


@router.post("/account/email")
def change_email(request: Request, viewer: AnyUser, accounts: AccountsDep, csrf: str = Form(""),
                 email: str = Form(""), current: str = Form("")):
    """The new address gets a link; the account keeps the old one until it is opened."""
    check_csrf(viewer, csrf)
    try:
        accounts.request_email_change(viewer.user_id, email, current)
    except AccountError as problem:
        return _account(request, viewer, accounts, 422, problems=problem.problems)
    return _account(request, viewer, accounts, email_sent=email.strip().lower())


@router.post("/account/mail")
def mail_preference(request: Request, viewer: AnyUser, accounts: AccountsDep, csrf: str = Form(""),
                    digest: str = Form("")):
    check_csrf(viewer, csrf)
    accounts.set_mail_digest(viewer.user_id, digest == "daily")
    return RedirectResponse("/account#mail", status_code=303)


# ---- users (admins) ----------------------------------------------------------------------------
def _users(request: Request, accounts, registry, status_code: int = 200, **context):
    live: dict[int, int] = {}
    for token in accounts.tokens():
        if token_state(token) == "active":
            live[token.user_id] = live.get(token.user_id, 0) + 1
    lang = language_of(request)
    companies = sorted(((c.id, company_name(c, lang)) for c in registry.all()), key=lambda c: c[1].lower())
    return page(request, "users.html.j2", status_code, users=accounts.users(), live_tokens=live, roles=ROLES,
                companies=companies, invited=is_invited, **context)


@router.get("/users")
def users_page(request: Request, viewer: UserManager, accounts: AccountsDep, registry: RegistryDep):
    return _users(request, accounts, registry)


@router.post("/users/invite")
def invite_user(request: Request, viewer: UserManager, accounts: AccountsDep, registry: RegistryDep,
                csrf: str = Form(""), email: str = Form(""), role: str = Form("viewer"), language: str = Form("ru"),
                company: str = Form("")):
    """A new account that chooses its own password through the mailed link."""
    check_csrf(viewer, csrf)
    try:
        user = accounts.invite(email, role, language, whole_number(company, 1), viewer.email)
    except AccountError as problem:
        return _users(request, accounts, registry, 422, problems=problem.problems)
    return _users(request, accounts, registry, notice=Msg("An invitation is on its way to %(email)s.",
                                                           email=user.email))


@router.post("/users/{user_id}/update")
def update_user(request: Request, viewer: UserManager, accounts: AccountsDep, registry: RegistryDep,
                user_id: RecordId, csrf: str = Form(""), role: str = Form(""), company: str = Form("")):
    check_csrf(viewer, csrf)
    if user_id == viewer.user_id and role != "admin":
        return _users(request, accounts, registry, 422, problems=[("role", "you cannot take away your own "
                                                                            "administrator role")])
    try:
        accounts.update_user(user_id, role, whole_number(company, 1))
    except AccountError as problem:
        return _users(request, accounts, registry, 422, problems=problem.problems)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/{action}")
def user_action(request: Request, viewer: UserManager, accounts: AccountsDep, registry: RegistryDep,
                user_id: RecordId, action: str, csrf: str = Form("")):
    check_csrf(viewer, csrf)
    if action not in ("deactivate", "reactivate", "revoke-tokens", "reset"):
        return RedirectResponse("/users", status_code=303)
    if user_id == viewer.user_id and action == "deactivate":
        raise AccountError([("user", "you cannot deactivate your own account")])
    if action == "reset":
        user = accounts.send_reset(user_id)
        return _users(request, accounts, registry, notice=Msg("A link to choose a new password is on its way to "
                                                               "%(email)s.", email=user.email))
    if action == "revoke-tokens":
        for token in accounts.tokens(user_id):
            if token.revoked_at is None:
                accounts.revoke_token(token.id)
    else:
        accounts.set_active(user_id, action == "reactivate")
    return RedirectResponse("/users", status_code=303)


# ---- the outbox (admins) -----------------------------------------------------------------------
@router.get("/outbox")
def outbox_page(request: Request, viewer: UserManager, outbox: OutboxDep, status: str | None = None):
    chosen = status if status in ("pending", "held", "sent", "failed") else None
    return page(request, "outbox.html.j2", counts=outbox.counts(), messages=outbox.messages(chosen),
                status=chosen, configured=bool(request.app.state.web.settings.smtp_host))


@router.post("/outbox/{message_id}/retry")
def outbox_retry(request: Request, viewer: UserManager, outbox: OutboxDep, message_id: RecordId,
                 csrf: str = Form("")):
    check_csrf(viewer, csrf)
    outbox.retry(message_id)
    return RedirectResponse("/outbox?status=pending", status_code=303)
