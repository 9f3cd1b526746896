"""The API's one error shape, RFC 9457 `application/problem+json`: status, title, detail, the request's
path (`instance`) and the fields at fault, the same for 400–429 and 500. Every handler, the body gate and
the documentation build it here."""

from __future__ import annotations

import json
from http import HTTPStatus

from fastapi.responses import JSONResponse

PROBLEM_MEDIA = "application/problem+json"


def problem_body(status: int, fields: list[tuple[str, str]] = (), detail: str | None = None,
                 instance: str | None = None, request_id: str | None = None) -> dict:
    """The problem document: `detail` says it in a sentence (the fields' reasons joined when not given)."""
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    said = detail or "; ".join(f"{field}: {reason}" for field, reason in fields) or title
    body = {"type": "about:blank", "title": title, "status": status, "detail": said,
            "fields": [{"field": field, "reason": reason} for field, reason in fields]}
    if instance:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    return body


def problem_response(status: int, fields: list[tuple[str, str]] = (), detail: str | None = None,
                     instance: str | None = None, headers: dict | None = None,
                     request_id: str | None = None) -> JSONResponse:
    return JSONResponse(problem_body(status, list(fields), detail, instance, request_id), status_code=status,
                        headers=headers, media_type=PROBLEM_MEDIA)


def problem_bytes(status: int, fields: list[tuple[str, str]], instance: str | None = None) -> bytes:
    """For the ASGI layers that answer before any route (the body gate)."""
    return json.dumps(problem_body(status, fields, instance=instance), ensure_ascii=False).encode("utf-8")
