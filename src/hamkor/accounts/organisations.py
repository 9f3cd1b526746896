"""Organisations people act for: a ministry, a fund, a regional administration, a consulate, a chamber of
commerce, a company. Each has a side (its territory) and its names in three languages; a company's keeps its
registry record (`company_id`), and several people can act for one organisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from hamkor.accounts.access import ORGANISATION_KINDS
from hamkor.errors import NotFound, Problem
from hamkor.i18n import Msg, pick
from hamkor.reference.countries import countries
from hamkor.reference.regions import regions
from hamkor.store.db import Database, session_of, unit_of_work
from hamkor.store.models import Company, Organisation, User


class OrganisationError(Problem):
    default_field = "organisation"


class OrganisationNotFound(OrganisationError, NotFound):
    pass


@dataclass
class OrganisationData:
    kind: str = ""
    territory: str = ""
    name_ru: str | None = None
    name_uz: str | None = None
    name_en: str | None = None
    company_id: int | None = None


def organisation_name(organisation: Organisation, lang: str) -> str:
    names = {"ru": organisation.name_ru, "uz": organisation.name_uz, "en": organisation.name_en}
    return pick(names, lang, f"#{organisation.id}")


def territory_known(code: str) -> bool:
    return bool(regions().get(code)) if "-" in code else countries().is_known(code)


def _checked(data: OrganisationData, session) -> OrganisationData:
    problems: list[tuple[str, Msg | str]] = []
    clean = OrganisationData(kind=(data.kind or "").strip(), territory=(data.territory or "").strip().upper(),
                             name_ru=(data.name_ru or "").strip() or None, name_uz=(data.name_uz or "").strip() or None,
                             name_en=(data.name_en or "").strip() or None, company_id=data.company_id)
    if clean.kind not in ORGANISATION_KINDS:
        problems.append(("kind", Msg("kind must be one of %(kinds)s", kinds=", ".join(ORGANISATION_KINDS))))
    if not territory_known(clean.territory):
        problems.append(("territory", Msg("unknown territory %(code)s", code=clean.territory or "—")))
    if not (clean.name_ru or clean.name_uz or clean.name_en):
        problems.append(("name_ru", "give the organisation's name in at least one language"))
    if clean.kind == "company":
        if clean.company_id is None or session.get(Company, clean.company_id) is None:
            problems.append(("company_id", "a company's organisation names its record in the registry"))
    else:
        clean.company_id = None
    if problems:
        raise OrganisationError(problems)
    return clean


class Organisations:
    def __init__(self, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.clock = clock

    @unit_of_work
    def create(self, data: OrganisationData) -> Organisation:
        session = session_of(self)
        clean = _checked(data, session)
        organisation = Organisation(created_at=self.clock(), **clean.__dict__)
        session.add(organisation)
        session.flush()
        return organisation

    def all(self) -> list[Organisation]:
        with self.db.session() as session:
            return list(session.scalars(select(Organisation).order_by(Organisation.territory, Organisation.id)))

    def get(self, organisation_id: int) -> Organisation:
        with self.db.session() as session:
            found = session.get(Organisation, organisation_id)
            if found is None:
                raise OrganisationNotFound([("organisation", Msg("no organisation %(id)s", id=organisation_id))])
            return found

    @unit_of_work
    def add_member(self, organisation_id: int, user_id: int) -> User:
        """The person acts for this organisation from now on (and, as staff, for its missions only)."""
        session = session_of(self)
        self.get(organisation_id)
        user = session.get(User, user_id)
        if user is None:
            raise OrganisationError([("user", Msg("no user %(id)s", id=user_id))])
        user.organisation_id = organisation_id
        return user

    def members(self, organisation_id: int) -> list[User]:
        with self.db.session() as session:
            return list(session.scalars(select(User).where(User.organisation_id == organisation_id)
                                        .order_by(User.email)))
