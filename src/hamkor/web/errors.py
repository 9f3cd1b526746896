"""One place that turns the errors a person can cause into answers: a page in the reader's language
for the HTML face, a JSON problem for the API. Routes raise; they never build a 404 or 422 by hand."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from hamkor.errors import Conflict, NotFound, Problem, Refused
from hamkor.i18n import Msg
from hamkor.web.problems import problem_response

log = logging.getLogger("hamkor.web")


class NotSignedIn(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, permission: str) -> None:
        super().__init__(permission)
        self.permission = permission


class BadRequest(Problem):
    """A request the web cannot take (a malformed parameter, an expired form): 400."""


class FormExpired(BadRequest):
    """The form's CSRF token does not match the session's: nothing is done."""

    def __init__(self) -> None:
        super().__init__("The form expired: reload the page.")


def status_of(problem: Problem, api: bool = True) -> int:
    """One status per kind of problem; a malformed query parameter is 422 in the API (as FastAPI's own
    validation answers) and 400 on a page."""
    if getattr(problem, "http_status", None):
        return problem.http_status
    if not api and getattr(problem, "page_status", None):
        return problem.page_status
    if isinstance(problem, NotFound):
        return 404
    if isinstance(problem, Refused):
        return 403
    if isinstance(problem, Conflict):
        return 409
    if isinstance(problem, BadRequest):
        return 400
    return 422


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem_json(problem: Problem, status: int | None = None, instance: str | None = None) -> JSONResponse:
    return problem_response(status or status_of(problem), [(f, str(r)) for f, r in problem.problems],
                            instance=instance)


def methods_of(routes, path: str) -> set[str]:
    """Every method some route answers on this path (included routers looked into)."""
    found: set[str] = set()
    for route in routes:
        inner = getattr(route, "original_router", None) or getattr(route, "routes", None)
        if inner is not None and not hasattr(route, "path_regex"):
            found |= methods_of(getattr(inner, "routes", inner), path)
        elif getattr(route, "methods", None) and route.path_regex.match(path):
            found |= set(route.methods)
    return found


def install_error_handlers(app: FastAPI, message_page: Callable[[Request, str, int], Response]) -> None:
    """`message_page` is the HTML face's way to show a message (the pages own their templates)."""

    @app.exception_handler(Problem)
    async def problem(request: Request, exc: Problem):
        if is_api(request):
            return problem_json(exc, instance=request.url.path)
        return message_page(request, exc, status_of(exc, api=False))

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn):
        if is_api(request):
            return problem_response(401, [("authorization", "sign in required")], "sign in required",
                                    request.url.path, headers={"WWW-Authenticate": "Bearer"})
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        if is_api(request):
            return problem_response(403, [("role", f"your role may not {exc.permission}")],
                                    f"your role may not {exc.permission}", request.url.path)
        return message_page(request, "Your role does not allow this page.", 403)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route that matched the path; a path served by several routes
            # (GET and POST apart) allows all their methods, and the Allow header must say so.
            headers["Allow"] = ", ".join(sorted(methods_of(request.app.routes, request.url.path)))
        if is_api(request):
            return problem_response(exc.status_code, [("request", str(exc.detail))], str(exc.detail),
                                    request.url.path, headers=headers)
        return message_page(request, str(exc.detail), exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if is_api(request):
            fields = [(".".join(str(p) for p in e.get("loc", ())), str(e.get("msg"))) for e in exc.errors()]
            return problem_response(422, fields, instance=request.url.path)
        # The page names each wrong parameter as its form labels it; the validator's English stays in the API.
        wrong = [(str(e.get("loc", ("request",))[-1]), Msg("not a valid value")) for e in exc.errors()]
        return message_page(request, Problem(wrong), 400)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        if isinstance(exc, ClientDisconnect):  # the client went away (or the body gate cut it off): no error
            return Response(status_code=400)
        # What no handler above expected: the API answers in its one shape, a page with its message page;
        # the traceback goes to the log, never to the client.
        log.exception("unhandled error on %s %s id=%s", request.method, request.url.path,
                      getattr(request.state, "request_id", None))
        request_id = getattr(request.state, "request_id", None)
        if is_api(request):
            return problem_response(500, [], "the server failed; the error is logged", request.url.path,
                                    request_id=request_id)
        return message_page(request, Msg("Something went wrong on our side. It is logged under the number "
                                          "%(request_id)s: give it to the administrator.", request_id=request_id), 500)

