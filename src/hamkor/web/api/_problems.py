"""What the API answers when it cannot do what was asked, documented on every operation so that a client
(and schemathesis) knows each status and its body: one shape, RFC 9457 `application/problem+json`
(built by `hamkor.web.problems`)."""

from __future__ import annotations

from pydantic import BaseModel

from hamkor.web.problems import PROBLEM_MEDIA


class ProblemField(BaseModel):
    field: str  # the field, parameter or part of the request at fault ("body", "authorization", "query.period")
    reason: str


class ProblemOut(BaseModel):
    """RFC 9457: `type` (always about:blank), `title` (the status's phrase), `status`, `detail` (what went
    wrong, in a sentence), `instance` (the path asked), and `fields`, each at fault with its reason."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    fields: list[ProblemField] = []
    request_id: str | None = None


def _response(description: str) -> dict:
    return {"model": ProblemOut, "description": description,
            "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/ProblemOut"}}}}


ERROR_RESPONSES = {
    400: _response("The request cannot be taken as it is (a wrong parameter)."),
    401: _response("No valid token: sign in or send `Authorization: Bearer <token>`."),
    403: _response("The role or the token's scope does not allow this."),
    404: _response("No such record."),
    409: _response("Not in the record's present state."),
    413: _response("The upload is larger than the limit."),
    422: _response("A value is wrong: each field at fault with its reason."),
    429: _response("Too many requests or jobs at once: wait and try again."),
    500: _response("The server failed; the error is logged."),
}
