"""What each kind of cooperation record holds, and how raw input (a form, a JSON body, a command
line) becomes a valid record or a list of (field, reason) problems. Pure: no database here; the
service passes in which referenced ids exist."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from hamkor.errors import Conflict, NotFound, Problem
from hamkor.i18n import Msg, pick
from hamkor.reference.countries import countries
from hamkor.reference.regions import regions
from hamkor.store.models import (
    CoopAgreement,
    CoopCommitment,
    CoopEvent,
    CoopOrganisation,
    CoopPerson,
    CoopPosition,
)

URL = re.compile(r"https?://[^\s]+")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"  # text longtext date choice territory territories ref refs sources url
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # kind referred to by ref / refs ("missions" for the missions' table)

    @property
    def lang(self) -> str | None:
        """The language a field's text is written in, where its name says it (`title_uz`, `name_en`): pages
        mark it (`lang="uz"`) and lists show the record in the reader's language instead of every version."""
        suffix = self.name.rsplit("_", 1)[-1] if "_" in self.name else ""
        return suffix if suffix in ("ru", "uz", "en") else None


def in_language(record, name: str, lang: str) -> tuple[str, bool]:
    """A text field of a record in the reader's language: its `<name>_<lang>` where the registry holds one,
    else the text as first written. The flag says whether it is in that language (the original always is
    for Russian, the language records are first written in here): a brief marks what is not."""
    original = getattr(record, name, None) or ""
    if lang == "ru":
        return original, True
    translated = getattr(record, f"{name}_{lang}", None)
    return (translated, True) if translated else (original, not original)


@dataclass(frozen=True)
class Kind:
    name: str  # the plural used in URLs and commands: organisations, events…
    entity: str  # singular, as the audit history names it
    label: str
    model: type
    fields: tuple[Field, ...]
    title: Callable = field(compare=False, default=lambda record, lang: in_language(record, "title", lang)[0])

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _organisation_title(record, lang: str) -> str:
    names = {"ru": record.name_ru, "uz": record.name_uz, "en": record.name_en}
    return pick(names, lang, f"#{record.id}")


ORGANISATION_KINDS = ("government", "consulate", "embassy", "sme_fund", "council", "chamber", "agency", "company",
                      "other")
EVENT_KINDS = ("meeting", "visit", "forum", "mission", "call", "other")
AGREEMENT_KINDS = ("agreement", "memorandum", "roadmap", "protocol", "contract", "other")
AGREEMENT_STATUSES = ("draft", "signed", "in_force", "expired", "terminated")
COMMITMENT_STATUSES = ("open", "in_progress", "done", "cancelled")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("organisations", "organisation", "Organisations", CoopOrganisation, (
        Field("name_ru", "Name (Russian)"), Field("name_uz", "Name (Uzbek)"), Field("name_en", "Name (English)"),
        Field("kind", "Kind", "choice", True, ORGANISATION_KINDS), Field("territory", "Territory", "territory"),
        Field("website", "Website", "url"), Field("notes", "Notes", "longtext")), _organisation_title),
    Kind("people", "person", "People", CoopPerson, (
        Field("name", "Name", required=True), Field("name_latin", "Name (Latin script)"),
        Field("notes", "Notes", "longtext")), lambda r, lang: (r.name_latin if lang in ("en", "uz") and r.name_latin
                                                                 else r.name)),  # Uzbek is written in Latin
    Kind("positions", "position", "Positions", CoopPosition, (
        Field("person_id", "Person", "ref", True, ref="people"),
        Field("organisation_id", "Organisation", "ref", ref="organisations"),
        Field("title", "Position", required=True), Field("start_date", "Since", "date"),
        Field("end_date", "Until", "date"))),
    Kind("events", "event", "Events", CoopEvent, (
        Field("kind", "Kind", "choice", True, EVENT_KINDS), Field("title", "Title", required=True),
        Field("title_uz", "Title (Uzbek)"), Field("title_en", "Title (English)"),
        Field("start_date", "Date", "date", True), Field("end_date", "Until", "date"), Field("place", "Place"),
        Field("partners", "Partner territories", "territories"),
        Field("organisations", "Organisations", "refs", ref="organisations"),
        Field("people", "People", "refs", ref="people"), Field("summary", "Summary", "longtext"),
        Field("summary_uz", "Summary (Uzbek)", "longtext"), Field("summary_en", "Summary (English)", "longtext"),
        Field("sources", "Sources", "sources"), Field("mission_id", "Business mission", "ref", ref="missions"))),
    Kind("agreements", "agreement", "Agreements", CoopAgreement, (
        Field("kind", "Kind", "choice", True, AGREEMENT_KINDS), Field("title", "Title", required=True),
        Field("title_uz", "Title (Uzbek)"), Field("title_en", "Title (English)"),
        Field("parties", "Parties", "refs", ref="organisations"),
        Field("partners", "Partner territories", "territories"), Field("signed_on", "Signed", "date"),
        Field("valid_from", "Valid from", "date"), Field("valid_until", "Valid until", "date"),
        Field("status", "Status", "choice", True, AGREEMENT_STATUSES),
        Field("event_id", "Signed at (event)", "ref", ref="events"), Field("notes", "Notes", "longtext"))),
    Kind("commitments", "commitment", "Commitments", CoopCommitment, (
        Field("title", "What", required=True), Field("title_uz", "What (Uzbek)"), Field("title_en", "What (English)"),
        Field("details", "Details", "longtext"),
        Field("organisation_id", "Who (organisation)", "ref", ref="organisations"),
        Field("person_id", "Who (person)", "ref", ref="people"), Field("due_date", "Due", "date"),
        Field("status", "Status", "choice", True, COMMITMENT_STATUSES), Field("done_on", "Done on", "date"),
        Field("partners", "Partner territories", "territories"),
        Field("event_id", "From the event", "ref", ref="events"),
        Field("agreement_id", "From the agreement", "ref", ref="agreements"),
        Field("mission_id", "Business mission", "ref", ref="missions"))),
)}


class RecordError(Problem):
    default_field = "record"


class RecordInUse(RecordError, Conflict):
    """Other records still refer to it."""


class RecordMissing(RecordError, NotFound):
    """The record asked for is not there."""


def territory_known(code: str) -> bool:
    return bool(regions().get(code)) if "-" in code else countries().is_known(code)


def _list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;\n]", value) if part.strip()]
    return list(value)


def _sources(value) -> tuple[list[dict], list[str]]:
    """Sources as [{"title", "url"}]; from text, one a line: "title | url" (either part may be missing)."""
    problems, found = [], []
    items = value if isinstance(value, list) else [line for line in str(value or "").splitlines() if line.strip()]
    for n, item in enumerate(items, 1):
        if isinstance(item, dict):
            title, url = str(item.get("title") or "").strip(), str(item.get("url") or "").strip()
        else:
            text = str(item).strip()
            if "|" in text:
                title, url = (part.strip() for part in text.split("|", 1))
            elif URL.fullmatch(text):
                title, url = "", text
            else:
                title, url = text, ""
        if url and not URL.fullmatch(url):
            problems.append(Msg("source %(n)s: '%(url)s' is not an http(s) address", n=n, url=url))
        if title or url:
            found.append({"title": title or url, "url": url})
    return found, problems


def clean(kind: Kind, raw: dict, exists: Callable[[str, int], bool]) -> tuple[dict, list[tuple[str, str]]]:
    """Typed values for every field of the kind, and the problems. `exists(kind, id)` answers
    whether a referenced record is there."""
    values, problems = {}, []
    for f in kind.fields:
        value = raw.get(f.name)
        if isinstance(value, str):
            value = value.strip()
        if f.type in ("text", "longtext", "url"):
            value = value or None
            if f.type == "url" and value and not URL.fullmatch(value):
                value = value if "://" in value else f"https://{value}"
                if not URL.fullmatch(value):
                    problems.append((f.name, Msg("not a web address: '%(value)s'", value=raw.get(f.name))))
        elif f.type == "date":
            if isinstance(value, date):
                pass
            elif value:
                try:
                    value = date.fromisoformat(str(value))
                except ValueError:
                    problems.append((f.name, Msg("'%(value)s' is not a date (YYYY-MM-DD)", value=value)))
                    value = None
            else:
                value = None
        elif f.type == "choice":
            value = value or None
            if value is not None and value not in f.choices:
                problems.append((f.name, Msg("'%(value)s' is not one of %(choices)s",
                                             value=value, choices=tuple(f.choices))))
        elif f.type == "territory":
            value = (value or "").upper() or None
            if value and not territory_known(value):
                problems.append((f.name, Msg("unknown territory '%(value)s': a country (UZ) or region (RU-ALT)",
                                             value=value)))
        elif f.type == "territories":
            value = list(dict.fromkeys(str(v).strip().upper() for v in _list(value)))
            wrong = [v for v in value if not territory_known(v)]
            if wrong:
                problems.append((f.name, Msg("unknown territories: %(wrong)s", wrong=', '.join(wrong))))
        elif f.type in ("ref", "refs"):
            ids = []
            for item in _list(value) if f.type == "refs" else ([value] if value not in (None, "") else []):
                try:
                    ids.append(int(item))
                except (TypeError, ValueError):
                    problems.append((f.name, Msg("'%(item)s' is not a record number", item=item)))
            missing = [i for i in ids if not exists(f.ref, i)]
            if missing:
                problems.append((f.name, Msg("no %(ref)s record %(items)s",
                                             ref=f.ref, items=', '.join(map(str, missing)))))
            value = list(dict.fromkeys(ids)) if f.type == "refs" else (ids[0] if ids else None)
        elif f.type == "sources":
            value, wrong = _sources(value)
            problems += [(f.name, p) for p in wrong]
        if f.required and value in (None, "", []) and not any(name == f.name for name, _ in problems):
            problems.append((f.name, "is required"))
        values[f.name] = value
    problems += _cross_checks(kind.name, values)
    return values, problems


def _cross_checks(kind: str, values: dict) -> list[tuple[str, str]]:
    problems = []
    pairs = {"events": ("start_date", "end_date"), "positions": ("start_date", "end_date"),
             "agreements": ("valid_from", "valid_until")}
    if kind in pairs:
        first, last = (values.get(n) for n in pairs[kind])
        if first and last and last < first:
            problems.append((pairs[kind][1], Msg("ends (%(last)s) before it starts (%(first)s)",
                                                 last=last, first=first)))
    if kind == "organisations" and not (values.get("name_ru") or values.get("name_uz") or values.get("name_en")):
        problems.append(("name", "a name is needed (Russian, Uzbek or English)"))
    if kind == "commitments":
        if values.get("status") == "done" and not values.get("done_on"):
            problems.append(("done_on", "say when it was done"))
        if values.get("done_on") and values.get("status") != "done":
            problems.append(("status", "a commitment with a done date is done"))
    return problems


def to_plain(value):
    """A value as JSON and the audit history store it."""
    if isinstance(value, date):
        return value.isoformat()
    return value
