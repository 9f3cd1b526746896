"""A page's form as declared, bounded types: the page twin of the API's Pydantic models.

`read_form` refuses, before a route looks at it, any field that holds a NUL or is longer than any field may be;
the route then reads each field as what it is — `text` (with its length), `number` (ASCII digits, within
bounds: "²" and "①" pass `str.isdigit` but are no number), `numbers`, `choice` — and a value that is not is a
400 naming the field, in the reader's language.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from hamkor.i18n import Msg
from hamkor.web.errors import BadRequest

MAX_FIELD = 20_000  # the longest text any page field takes (a programme, a pasted list of codes)
MAX_LIST = 2_000  # values of one repeated field (ticked companies, available times)
_NUMBER = re.compile(r"-?[0-9]{1,12}")
DATABASE_INT = 2**31 - 1  # what every database's INTEGER holds


class FieldProblem(BadRequest):
    default_field = "form"


def whole_number(text: object, low: int = 0, high: int = DATABASE_INT) -> int | None:
    """The integer a field's text is, when it is written in ASCII digits and lies within [low, high]."""
    if not isinstance(text, str) or not _NUMBER.fullmatch(text.strip()):
        return None
    value = int(text.strip())
    return value if low <= value <= high else None


class TypedForm:
    """A submitted form, read field by field as declared types."""

    def __init__(self, form) -> None:
        self._form = form

    def __contains__(self, name: str) -> bool:
        return name in self._form

    def keys(self):
        return self._form.keys()

    def items(self):
        return self._form.multi_items()

    def get(self, name: str, default=None):
        """The field as text (any length up to MAX_FIELD), or `default` when absent."""
        value = self._form.get(name)
        return default if value is None else value

    def getlist(self, name: str) -> list:
        return self._form.getlist(name)[:MAX_LIST]

    def text(self, name: str, max_length: int = 300, default: str = "") -> str:
        value = self._form.get(name)
        if value is None or isinstance(value, UploadFile):
            return default
        if len(value) > max_length:
            raise FieldProblem([(name, Msg("at most %(max_length)s characters (this one has %(length)s)",
                                           max_length=max_length, length=len(value)))])
        return value

    def number(self, name: str, low: int = 0, high: int = DATABASE_INT, default: int | None = None) -> int | None:
        """An optional whole number: absent or empty gives `default`; anything else must be one, in bounds."""
        value = self._form.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        found = whole_number(value, low, high)
        if found is None:
            raise FieldProblem([(name, Msg("a whole number from %(low)s to %(high)s, written in digits",
                                           low=low, high=high))])
        return found

    def numbers(self, name: str, low: int = 1, high: int = DATABASE_INT) -> list[int]:
        """Every value of a repeated field as a whole number in bounds (record ids ticked in a list)."""
        values = []
        for value in self.getlist(name):
            found = whole_number(value, low, high)
            if found is None:
                raise FieldProblem([(name, Msg("a whole number from %(low)s to %(high)s, written in digits",
                                               low=low, high=high))])
            values.append(found)
        return values

    def decision(self, name: str, choices=("accept", "decline")) -> str:
        """One of the buttons' values, required: a missing or unknown one is refused, never read as the other
        (a request 'answered' with zzz was declined: the outsider's find)."""
        value = self.choice(name, choices)
        if value is None or len(self._form.getlist(name)) > 1:  # "accept" and "decline" at once is neither
            raise FieldProblem([(name, Msg("must be one of %(choices)s", choices=", ".join(map(str, choices))))])
        return value

    def choice(self, name: str, choices, default: str | None = None) -> str | None:
        value = self._form.get(name)
        if value is None or value == "":
            return default
        if value not in choices:
            raise FieldProblem([(name, Msg("must be one of %(choices)s", choices=", ".join(map(str, choices))))])
        return value


def check_fields(pairs) -> None:
    """Any text field holding a NUL or longer than any field may be: refused, with the field named."""
    problems = []
    for name, value in pairs:
        if isinstance(value, UploadFile):
            continue
        if "\x00" in value or "\x00" in name:
            problems.append((name[:60].replace("\x00", "?"),
                             Msg("the text holds a NUL character, which cannot be stored")))
        elif len(value) > MAX_FIELD:
            problems.append((name[:60], Msg("at most %(max_length)s characters (this one has %(length)s)",
                                            max_length=MAX_FIELD, length=len(value))))
    if problems:
        raise FieldProblem(problems)


# Starlette stops at 1,000 fields; a mission's outcomes form has six per meeting (a two-day mission with
# 15 tables holds 200 meetings). The body's size stays bounded by the body gate either way.
MAX_FORM_FIELDS = 5000


async def read_form(request: Request) -> TypedForm:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    check_fields(form.multi_items())
    return TypedForm(form)


async def _page_form(request: Request) -> TypedForm:
    return await read_form(request)


# A page's form, read (and bounded) before the route runs: the route itself can then be a plain `def`, which
# FastAPI runs in its thread pool, so the database work it does never holds up the event loop and every other
# request with it (an `async def` route doing that work would).
PageForm = Annotated[TypedForm, Depends(_page_form)]
