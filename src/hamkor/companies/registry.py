"""The company registry: validated records, who may edit them and who may see their contacts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, or_, select

from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.companies.sectors import sector_key
from hamkor.companies.taxid import TaxIdError, validate_tax_id
from hamkor.errors import NotFound, Problem, Refused, reason_of
from hamkor.i18n import Msg, pick
from hamkor.reference.countries import countries
from hamkor.reference.nomenclature import nomenclature
from hamkor.reference.regions import regions
from hamkor.store.db import Database, unit_of_work
from hamkor.store.models import Company, CompanyContact, MeetingRequest

SIZES = ("micro", "small", "medium", "large")
CODE = re.compile(r"[0-9]{2,10}")
LANGUAGE = re.compile(r"[a-z]{2}")


class CompanyError(Problem):
    """The record cannot be saved; problems say which field and why."""

    default_field = "company"


class CompanyNotFound(CompanyError, NotFound):
    pass


@dataclass
class Contact:
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass
class CompanyData:
    """What a person or a file says about a company, before validation."""

    name_ru: str | None = None
    name_uz: str | None = None
    name_en: str | None = None
    tax_id: str | None = None
    country: str = ""
    region: str | None = None
    city: str | None = None
    sectors: list[str] = field(default_factory=list)
    size: str | None = None
    website: str | None = None
    languages: list[str] = field(default_factory=list)
    export_experience: str | None = None
    offers: list[str] = field(default_factory=list)
    offers_text: str | None = None
    needs: list[str] = field(default_factory=list)
    needs_text: str | None = None
    contacts: list[Contact] = field(default_factory=list)
    synthetic: bool = False

    @property
    def display_name(self) -> str:
        return self.name_ru or self.name_en or self.name_uz or ""


def holder_of_tax_id(session, country: str | None, tax_id: str | None, other_than: int | None = None
                     ) -> Company | None:
    """The company the registry holds under this country's tax ID — never one an unconfirmed public registration
    made (`Company.provisional`), which holds its tax ID against nobody (the outsider's squatting find)."""
    if not tax_id:
        return None
    query = select(Company).where(Company.country == country, Company.tax_id == tax_id,
                                  Company.provisional.is_(False))
    if other_than is not None:
        query = query.where(Company.id != other_than)
    return session.scalars(query.order_by(Company.id).limit(1)).first()


def company_name(company: Company, lang: str = "ru") -> str:
    names = {"ru": company.name_ru, "uz": company.name_uz, "en": company.name_en}
    return pick(names, lang, f"#{company.id}")


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _known_code(code: str) -> bool:
    nom = nomenclature()
    return any(nom.get(code, edition) for edition in ("HS2022", "HS2017"))


def region_code(text: str | None, country: str) -> str | None:
    """An ISO 3166-2 code from a code or a name in any language; None if not found."""
    text = _clean(text)
    if not text:
        return None
    found = regions().get(text)
    if found:
        return found.iso
    lowered = text.lower()
    for region in regions().of_country(country) if country else regions():
        if lowered in {name.lower() for name in region.names.values()}:
            return region.iso
    return None


def validate(data: CompanyData) -> tuple[CompanyData, list[tuple[str, str]]]:
    """The record in normal form, and its problems as (field, reason)."""
    problems: list[tuple[str, str]] = []
    clean = CompanyData(**{**data.__dict__})
    for name in ("name_ru", "name_uz", "name_en", "city", "offers_text", "needs_text", "export_experience"):
        setattr(clean, name, _clean(getattr(data, name)))
    if not (clean.name_ru or clean.name_uz or clean.name_en):
        problems.append(("name", "a legal name is needed (Russian, Uzbek or English)"))
    clean.country = (data.country or "").strip().upper()
    if not countries().is_known(clean.country):
        problems.append(("country", Msg("unknown country '%(country)s': use ISO alpha-2 such as RU or UZ",
                                        country=data.country)))
    if _clean(data.region):
        clean.region = region_code(data.region, clean.country)
        if clean.region is None:
            problems.append(("region", Msg("unknown region '%(region)s' of %(value)s",
                                           region=data.region, value=clean.country or 'the country')))
        elif regions().get(clean.region).country != clean.country:
            problems.append(("region", Msg("%(region)s is not in %(country)s",
                                           region=clean.region, country=clean.country)))
    else:
        clean.region = None
    try:
        clean.tax_id = validate_tax_id(clean.country, data.tax_id)
    except TaxIdError as error:
        problems.append(("tax_id", reason_of(error)))
    clean.size = _clean(data.size.lower() if data.size else None)
    if clean.size and clean.size not in SIZES:
        problems.append(("size", Msg("size must be one of %(sizes)s",
                                     sizes=tuple(Msg.coded(size, f"size: {size}") for size in SIZES))))
    website = _clean(data.website)
    clean.website = website if not website or "://" in website else f"https://{website}"
    clean.languages = sorted({lang.strip().lower() for lang in data.languages if lang.strip()})
    bad = [lang for lang in clean.languages if not LANGUAGE.fullmatch(lang)]
    if bad:
        problems.append(("languages", Msg("language codes are two letters (ru, uz, en…): %(bad)s", bad=', '.join(bad))))
    clean.sectors = sorted({sector_key(s) for s in data.sectors if s.strip()})
    for name in ("offers", "needs"):
        codes = [c.strip().replace(" ", "").replace(".", "") for c in getattr(data, name) if c.strip()]
        wrong = [c for c in codes if not CODE.fullmatch(c) or not _known_code(c)]
        if wrong:
            problems.append((name, Msg("unknown HS / TN VED code(s): %(wrong)s", wrong=', '.join(wrong))))
        setattr(clean, name, list(dict.fromkeys(codes)))
    clean.contacts = [Contact(_clean(c.name) or "", _clean(c.role), _clean(c.phone), _clean(c.email))
                      for c in data.contacts if _clean(c.name) or _clean(c.email) or _clean(c.phone)]
    for contact in clean.contacts:
        if contact.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact.email):
            problems.append(("contact_email", Msg("not an e-mail address: '%(email)s'", email=contact.email)))
        if not contact.name:
            problems.append(("contact_name", "a contact needs a name"))
    return clean, problems


def can_edit(actor: Actor, company_id: int | None) -> bool:
    """Organizers and admins edit every company; a representative edits their own."""
    return actor.may("companies.create") or actor.speaks_for(company_id)


def can_see_contacts(actor: Actor, company_id: int | None) -> bool:
    """Organizers and admins see every company's contacts; a representative their own company's."""
    return actor.may("companies.contacts") or actor.speaks_for(company_id)


@dataclass(frozen=True)
class CompanyFilter:
    text: str | None = None
    country: str | None = None
    region: str | None = None
    sector: str | None = None
    code: str | None = None  # offers or needs a code under this one (or above it)
    ids: tuple[int, ...] | None = None

    def matches(self, company: Company) -> bool:
        if self.country and company.country != self.country.upper():
            return False
        if self.region and company.region != self.region.upper():
            return False
        if self.sector and sector_key(self.sector).lower() not in {s.lower() for s in company.sectors or []}:
            return False
        if self.code:
            codes = [*(company.offers or []), *(company.needs or [])]
            if not any(c.startswith(self.code) or self.code.startswith(c) for c in codes):
                return False
        return True


class Registry:
    def __init__(self, db: Database) -> None:
        self.db = db

    @unit_of_work
    def create(self, data: CompanyData, actor: Actor = SYSTEM) -> Company:
        if not actor.may("companies.create"):
            raise Refused([("company", "only organizers and administrators register companies")])
        clean, problems = validate(data)
        with self.db.session() as session:
            problems += self._duplicate_tax_id(session, clean, None)
            if problems:
                raise CompanyError(problems)
            company = Company(created_at=datetime.now(UTC))
            self._apply(session, company, clean)
            session.refresh(company)
            return company

    @unit_of_work
    def update(self, company_id: int, data: CompanyData, actor: Actor = SYSTEM) -> Company:
        """Whether the company is synthetic demo data stays as it was, whatever the form says."""
        clean, problems = validate(data)
        with self.db.session() as session:
            company = self._row(session, company_id)
            if not can_edit(actor, company_id):
                raise Refused([("company", "a company representative edits their own company only")])
            clean.synthetic = company.synthetic
            if not actor.may("companies.create") and (clean.tax_id, clean.country) != (company.tax_id,
                                                                                       company.country):
                # What a public registration recognises the company by: a representative changing it could take
                # another company's number and turn its real registration away.
                raise Refused([("tax_id", "the tax ID and country are changed by the organizers: ask them")])
            problems += self._duplicate_tax_id(session, clean, company_id)
            if problems:
                raise CompanyError(problems)
            self._apply(session, company, clean)
            session.flush()
            session.refresh(company)
            return company

    def delete(self, company_id: int) -> None:
        with self.db.session() as session:
            session.execute(delete(CompanyContact).where(CompanyContact.company_id == company_id))
            session.execute(delete(MeetingRequest).where(or_(MeetingRequest.company_a == company_id,
                                                             MeetingRequest.company_b == company_id)))
            session.execute(delete(Company).where(Company.id == company_id))

    @staticmethod
    def _row(session, company_id: int) -> Company:
        company = session.get(Company, company_id)
        if company is None:
            raise CompanyNotFound([("id", Msg("no company %(company_id)s", company_id=company_id))], "No such company.")
        return company

    def company(self, company_id: int) -> Company:
        """The company, or CompanyNotFound."""
        with self.db.session() as session:
            return self._row(session, company_id)

    def contacts_for(self, actor: Actor, company_id: int) -> list[CompanyContact] | None:
        """The contacts if this actor may see them, else None."""
        return self.contacts(company_id) if can_see_contacts(actor, company_id) else None

    def get(self, company_id: int) -> Company | None:
        with self.db.session() as session:
            company = session.get(Company, company_id)
            return company

    def contacts(self, company_id: int) -> list[CompanyContact]:
        with self.db.session() as session:
            rows = session.scalars(select(CompanyContact).where(CompanyContact.company_id == company_id)
                                   .order_by(CompanyContact.id)).all()
            return list(rows)

    def all(self, unlisted: bool = False) -> list[Company]:
        """The registry everybody reads; `unlisted` adds the companies public registrations created that no
        organizer has approved yet (for duplicate checks and the administrators' own lists)."""
        with self.db.session() as session:
            query = select(Company).order_by(Company.id)
            if not unlisted:
                query = query.where(Company.listed.is_(True))
            return list(session.scalars(query).all())

    def find(self, flt: CompanyFilter, actor: Actor | None = None) -> list[Company]:
        """The listed companies that match (matching and counts read these); with an actor, what that actor
        may find: also an unlisted company they decide on or speak for, and a tax ID matched by the text only
        where they may see it."""
        rows = [c for c in self.all(unlisted=actor is not None) if flt.matches(c)
                and (c.listed or actor.sees_unlisted(c.id)) and (flt.ids is None or c.id in flt.ids)]
        if flt.text:
            needle = flt.text.lower()
            rows = [c for c in rows if any(needle in (v or "").lower() for v in (
                c.name_ru, c.name_uz, c.name_en, c.tax_id if actor is None or actor.sees_tax_id(c.id) else None, c.city,
                c.offers_text, c.needs_text, *(c.sectors or [])))]
        return rows

    def company_for(self, actor: Actor, company_id: int) -> Company:
        """The company as this actor may see it: an unlisted one is not found by others (CompanyNotFound)."""
        company = self.company(company_id)
        if not company.listed and not actor.sees_unlisted(company_id):
            raise CompanyNotFound([("id", Msg("no company %(company_id)s", company_id=company_id))], "No such company.")
        return company

    def revision(self) -> tuple[int, str]:
        """Changes whenever a company is added, edited or deleted: a key for cached results."""
        with self.db.session() as session:
            count, latest = session.execute(select(func.count(Company.id), func.max(Company.updated_at))).one()
        return int(count), str(latest)

    def sectors(self) -> list[str]:
        return sorted({s for c in self.all() for s in c.sectors or []})

    @staticmethod
    def _duplicate_tax_id(session, clean: CompanyData, company_id: int | None) -> list[tuple[str, str]]:
        other = holder_of_tax_id(session, clean.country, clean.tax_id, other_than=company_id)
        if other is not None:
            return [("tax_id", f"{clean.tax_id} is already registered to company #{other.id} "
                               f"({company_name(other)})")]
        return []

    @staticmethod
    def _apply(session, company: Company, clean: CompanyData) -> None:
        for name in ("name_ru", "name_uz", "name_en", "tax_id", "country", "region", "city", "sectors", "size",
                     "website", "languages", "export_experience", "offers", "offers_text", "needs", "needs_text",
                     "synthetic"):
            setattr(company, name, getattr(clean, name))
        company.updated_at = datetime.now(UTC)
        if company.id is None:
            session.add(company)
            session.flush()
        session.execute(delete(CompanyContact).where(CompanyContact.company_id == company.id))
        for contact in clean.contacts:
            session.add(CompanyContact(company_id=company.id, name=contact.name, role=contact.role,
                                       phone=contact.phone, email=contact.email))


def data_of(company: Company, contacts: list[CompanyContact] | None = None) -> CompanyData:
    """A stored company as editable data (contacts only when given)."""
    return CompanyData(
        company.name_ru, company.name_uz, company.name_en, company.tax_id, company.country, company.region,
        company.city, list(company.sectors or []), company.size, company.website, list(company.languages or []),
        company.export_experience, list(company.offers or []), company.offers_text, list(company.needs or []),
        company.needs_text, [Contact(c.name, c.role, c.phone, c.email) for c in contacts or []], company.synthetic)


# How far down the HS assistant's list a product still counts for a word search (a cheese maker's 0406
# for «pishloq»), and how close to the best hit it must score.
TEXT_SEARCH_HITS = 3
TEXT_SEARCH_SHARE = 0.5


class TextSearch:
    """A person's words against companies: their names and descriptions by word stems, in whichever of the
    three languages the words are written, and the products the words name (the HS assistant) against
    what each company offers or needs. «Сыродел» finds «Сыродельный комбинат», «pishloq» a cheese maker."""

    def __init__(self, text: str) -> None:
        from hamkor.companies import classify  # the HS assistant: loaded only for a word search

        self.text = text.strip().lower()
        self.lang = classify.detect_language(self.text) if self.text else "ru"
        words = self.text if self.lang != "uz" else classify.uz_to_latin(self.text)
        self.stems = {lang: set(classify.tokens(words, lang)) for lang in ("ru", "en")}
        hits = classify.search(self.text, self.lang, limit=TEXT_SEARCH_HITS) if self.text else []
        best = hits[0].score if hits else 0.0
        self.codes = tuple(h.code for h in hits if h.score >= best * TEXT_SEARCH_SHARE)
        self._tokens = classify.tokens

    def matches(self, company: Company) -> bool:
        if not self.text:
            return True
        fields = [company.name_ru, company.name_uz, company.name_en, company.city, company.offers_text,
                  company.needs_text, company.export_experience]
        if any(self.text in (value or "").lower() for value in fields):
            return True
        joined = " ".join(value for value in fields if value).lower()
        for stems in self.stems.values():
            # a stem of four letters or more found at a word's start in the profile ("сыродел" in "сыродельный")
            if any(len(stem) >= 4 and re.search(rf"(^|\W){re.escape(stem)}", joined) for stem in stems):
                return True
        codes = [*(company.offers or []), *(company.needs or [])]
        return any(c.startswith(code) or code.startswith(c) for code in self.codes for c in codes)
