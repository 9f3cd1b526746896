"""The pages a mailed link opens, for someone not signed in: an invitation, a password reset, a new
address to confirm, and the form that asks for a reset link.

A link only shows a form; the change is a POST from that form. Mail scanners open every link in a
message, and a GET that used one up would spend it before its owner clicked.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse

from hamkor.accounts.links import LinkProblem
from hamkor.accounts.service import AccountError
from hamkor.i18n import Msg
from hamkor.web.deps import AccountsDep, MissionsDep
from hamkor.web.forms import whole_number
from hamkor.web.pages._public import over_limit, public_form_ok, public_page
from hamkor.web.pages._render import page

router = APIRouter(include_in_schema=False)

# purpose -> (the page's heading, the link's purposes, whether the person chooses a language)
PASSWORD_LINKS = {"welcome": ("Welcome to hamkor", ("invite",), True),
                  "password/reset": ("Choose a new password", ("reset",), False)}


def link_problem_page(request: Request, problem: LinkProblem, renew: str | None = None):
    """Why a link opens nothing. With `renew` (the address of a form that mails a fresh link) the page offers
    one, with a CSRF value for that form: someone not signed in holds the link."""
    if renew:
        return public_page(request, "link_problem.html.j2", status_code=410, state=problem.state,
                           reason=problem.problems[0][1], renew=renew)
    return page(request, "link_problem.html.j2", status_code=410, state=problem.state,
                reason=problem.problems[0][1])


def _expired_form(request: Request):
    return page(request, "message.html.j2", status_code=400, message="The form expired: please try again.")


@router.get("/password/forgot")
def forgot_form(request: Request):
    return public_page(request, "forgot.html.j2")


@router.post("/password/forgot")
def forgot(request: Request, accounts: AccountsDep, missions: MissionsDep, background: BackgroundTasks,
           email: str = Form(""), csrf: str = Form("")):
    if not public_form_ok(request, csrf):
        return _expired_form(request)
    if over_limit(request):
        return public_page(request, "forgot.html.j2", status_code=429,
                           error="Too many attempts: wait a few minutes and try again.")
    # The link is made and mailed after the answer has gone: a known address costs a few writes that an
    # unknown one does not, and the answer's time must not tell them apart. The answer is the same for both.
    background.add_task(accounts.forgot_password, email[:320])
    # An address whose registration is unconfirmed has an account that can neither sign in nor get a password
    # link: its confirmation goes again instead (issue 27.2: an expired link must not lock a company out).
    background.add_task(missions.resend_confirmation, email[:320])
    return public_page(request, "forgot.html.j2", sent=True)


def _password_routes(prefix: str, heading: str, purposes: tuple[str, ...], ask_language: bool) -> None:
    @router.get(f"/{prefix}/{{token}}", name=f"{prefix}-form")
    def password_form(request: Request, accounts: AccountsDep, token: str):
        try:
            who = accounts.link_user(token, purposes)
        except LinkProblem as problem:
            return link_problem_page(request, problem)
        return public_page(request, "password_form.html.j2", heading=heading, who=who, ask_language=ask_language,
                           action=f"/{prefix}/{token}")

    @router.post(f"/{prefix}/{{token}}", name=f"{prefix}-save")
    def password_save(request: Request, accounts: AccountsDep, token: str, csrf: str = Form(""),
                      password: str = Form(""), repeated: str = Form(""), language: str | None = Form(None)):
        try:
            who = accounts.link_user(token, purposes)
            if not public_form_ok(request, csrf):
                return _expired_form(request)
            if password != repeated:
                raise AccountError([("password", "the two new passwords differ")])
            payload = accounts.link_payload(token, purposes)
            mission = whole_number(str(payload.get("mission", "")), 1)
            organised = whole_number(str(payload.get("organise", "")), 1)
            accounts.set_password_by_link(token, purposes, password, language if ask_language else None)
        except LinkProblem as problem:
            return link_problem_page(request, problem)
        except AccountError as problem:
            return public_page(request, "password_form.html.j2", status_code=422, heading=heading, who=who,
                               ask_language=ask_language, action=f"/{prefix}/{token}", problems=problem.problems)
        # an invitation to speak for a company in a mission leads, once signed in, to that mission's space; a
        # co-organiser's, to the mission itself
        after = f"&next=/space/{mission}" if mission else f"&next=/missions/{organised}" if organised else ""
        return RedirectResponse(f"/signin?notice=password-set{after}", status_code=303)


for _prefix, (_heading, _purposes, _ask) in PASSWORD_LINKS.items():
    _password_routes(_prefix, _heading, _purposes, _ask)


@router.get("/email/confirm/{token}")
def email_confirm_form(request: Request, accounts: AccountsDep, token: str):
    try:
        accounts.link_user(token, ("email",))
    except LinkProblem as problem:
        return link_problem_page(request, problem)
    return public_page(request, "confirm_link.html.j2", heading="Confirm your new address",
                       text="The account will use this address from now on.", button="Confirm",
                       action=f"/email/confirm/{token}")


@router.post("/email/confirm/{token}")
def email_confirm(request: Request, accounts: AccountsDep, token: str, csrf: str = Form("")):
    if not public_form_ok(request, csrf):
        return _expired_form(request)
    try:
        user = accounts.confirm_email_change(token)
    except LinkProblem as problem:
        return link_problem_page(request, problem)
    return page(request, "confirm_link.html.j2", heading="Confirm your new address",
                done=Msg("Your account now uses %(email)s.", email=user.email))
