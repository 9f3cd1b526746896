"""The one shape of an error a person can cause: what is wrong, where, and why.

Every domain package raises these (or its own subclass); the interfaces turn them into a page, a JSON
problem or a CLI message in one place each, so no route builds its own 404 or 422.
"""

from __future__ import annotations


class Problem(ValueError):
    """What cannot be done, as (field, reason) pairs a person can act on."""

    default_field = "request"

    def __init__(self, problems: list[tuple[str, str]] | str, title: str | None = None) -> None:
        if isinstance(problems, str):  # one sentence that says it all: it is the message
            message, problems = problems, [(self.default_field, problems)]
        else:
            message = "; ".join(f"{name}: {reason}" for name, reason in problems)
        super().__init__(message)
        self.problems = problems
        # A short sentence for a reader who needs no detail ("No such mission."): an English message id
        # the interfaces translate; None when the reasons themselves are the message.
        self.title = title

    @property
    def reasons(self) -> str:
        """The reasons alone, for a reader who knows where they are (a form shows them by its fields)."""
        return "; ".join(reason for _, reason in self.problems)


class NotFound(Problem):
    """The record asked for is not there (or not where the request says it is)."""


class Refused(Problem):
    """The record is there, but this actor may not do this to it."""


class Conflict(Problem):
    """It cannot be done while something else stands (a record others still refer to)."""


def reason_of(error: Exception) -> str:
    """What went wrong, for a person: the domain's sentence itself (a `hamkor.i18n.Msg` keeps its message id
    and values, so an interface can still say it in its reader's language), not the exception's flat text."""
    if isinstance(error, Problem):
        reasons = [reason for _, reason in error.problems]
        return reasons[0] if len(reasons) == 1 and not error.title else (error.title or str(error))
    first = error.args[0] if error.args else None
    return first if isinstance(first, str) else str(error)


class StrayDatabase(RuntimeError):
    """The data directory holds a warehouse but the database configured for it would be a new, empty one (a
    command run without the server's HAMKOR_DATABASE_URL): `store.db.refuse_a_stray_database`."""
