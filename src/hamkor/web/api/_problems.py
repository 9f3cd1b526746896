"""What the API answers when it cannot do what was asked, documented on every operation so that a client
(and schemathesis) knows each status and its body: one shape, `{"detail": …}`."""

from __future__ import annotations

from pydantic import BaseModel


class ProblemItem(BaseModel):
    field: str
    reason: str


class InvalidItem(BaseModel):
    where: str
    problem: str | None = None


class ProblemOut(BaseModel):
    """`detail` is a sentence (401, 403) or the problems, each a field and its reason (400, 404, 409, 422);
    a request the schema itself refuses says where and what in `problems`."""

    detail: str | list[ProblemItem]
    problems: list[InvalidItem] | None = None


ERROR_RESPONSES = {
    400: {"model": ProblemOut, "description": "The request cannot be taken as it is (a wrong parameter)."},
    401: {"model": ProblemOut, "description": "No valid token: sign in or send `Authorization: Bearer <token>`."},
    403: {"model": ProblemOut, "description": "The role or the token's scope does not allow this."},
    404: {"model": ProblemOut, "description": "No such record."},
    409: {"model": ProblemOut, "description": "Not in the record's present state."},
    413: {"model": ProblemOut, "description": "The upload is larger than the limit."},
    422: {"model": ProblemOut, "description": "A value is wrong: each problem names its field and the reason."},
}
