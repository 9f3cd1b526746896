"""Who may do what: one table, read by the web's route guards and by the domain's own rules.

An `Actor` is whoever acts (a signed-in user, the CLI, the demo builder); the domain takes one where
a rule depends on who is asking (a company representative acts for their own company only).
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "analyst", "organizer", "company", "viewer")

# Permission -> roles. Every route names one permission; nothing else grants access.
PERMISSIONS: dict[str, frozenset[str]] = {
    "trade.view": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "brief.create": frozenset({"admin", "analyst", "organizer", "viewer"}),
    "imports.view": frozenset({"admin", "analyst"}),
    "imports.write": frozenset({"admin", "analyst"}),
    "reference.view": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "account.self": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "users.manage": frozenset({"admin"}),
    "companies.view": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "companies.create": frozenset({"admin", "organizer"}),
    # a company representative edits their own company only (checked against the record)
    "companies.edit": frozenset({"admin", "organizer", "company"}),
    # contacts of any company; a representative sees their own company's (checked against the record)
    "companies.contacts": frozenset({"admin", "organizer"}),
    "companies.import": frozenset({"admin", "organizer"}),
    "matching.use": frozenset({"admin", "analyst", "organizer"}),
    "matching.accept": frozenset({"admin", "organizer"}),
    "missions.view": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "missions.manage": frozenset({"admin", "organizer"}),
    # a company representative asks for meetings and answers requests for their own company only
    "missions.request": frozenset({"admin", "organizer", "company"}),
    # a representative's own missions, where they land (the menu's "My missions"); staff have the mission pages
    "missions.space": frozenset({"company"}),
    # the cooperation registry is the administration's own record: company representatives do not see it
    "cooperation.view": frozenset({"admin", "analyst", "organizer", "viewer"}),
    "cooperation.edit": frozenset({"admin", "analyst", "organizer"}),
    "cooperation.delete": frozenset({"admin", "organizer"}),
}


# What an account of the `company` role holds while it speaks for no company yet: a stranger who registered
# with a tax ID the registry knew waits for an organizer's approval and sees only their own account and
# registration meanwhile.
CLAIMANT_PERMISSIONS = frozenset({"account.self"})


# What staff who act for an organisation (a ministry, a fund, a partner's administration, a consulate) hold of
# their role: the missions their organisation co-organises (`accounts/access.may` decides which and how far) and
# what everybody signed in reads. The instance's own registry work — editing companies and their contacts, imports,
# matching, the cooperation registry, users — stays with the instance's staff, who belong to no organisation.
ORGANISATION_STAFF_PERMISSIONS = frozenset({
    "trade.view", "brief.create", "reference.view", "account.self", "companies.view",
    "missions.view", "missions.manage", "missions.request"})


def allowed(role: str, permission: str, company_id: int | None = None, organisation_id: int | None = None) -> bool:
    """Whether the role holds the permission; a company representative without a company holds only
    `CLAIMANT_PERMISSIONS` (callers that know no company pass none, and such a representative is refused); staff
    of an organisation only `ORGANISATION_STAFF_PERMISSIONS` of their role's."""
    if role == "company" and company_id is None:
        return permission in CLAIMANT_PERMISSIONS
    if organisation_id is not None and role not in ("admin", "company") \
            and permission not in ORGANISATION_STAFF_PERMISSIONS:
        return False
    return role in PERMISSIONS[permission]


@dataclass(frozen=True)
class Actor:
    """Who acts: kept in audit history, and asked by the rules that depend on the record."""

    user_id: int | None
    email: str | None
    role: str = "admin"  # the CLI and the demo builder act with the server's full rights
    company_id: int | None = None  # the company a representative speaks for
    # The organisation the person acts for: staff of one are bound to the missions it co-organises
    # (`accounts/access.may`); None keeps the global role's reach, as before organisations.
    organisation_id: int | None = None

    def may(self, permission: str) -> bool:
        return allowed(self.role, permission, self.company_id, self.organisation_id)

    def sees_tax_id(self, company_id: int | None) -> bool:
        """Staff see every company's tax ID; a representative their own company's only (a tax ID is what a
        public registration is recognised by)."""
        return self.role != "company" or self.speaks_for(company_id)

    def sees_unlisted(self, company_id: int | None) -> bool:
        """A company a public registration created is seen, before approval, by those who decide on it and by
        the company's own representative."""
        return self.may("companies.create") or self.speaks_for(company_id)

    def speaks_for(self, company_id: int | None) -> bool:
        """A company representative for this very company."""
        return self.role == "company" and company_id is not None and self.company_id == company_id


SYSTEM = Actor(None, "hamkor")
