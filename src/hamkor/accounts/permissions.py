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
    # the cooperation registry is the administration's own record: company representatives do not see it
    "cooperation.view": frozenset({"admin", "analyst", "organizer", "viewer"}),
    "cooperation.edit": frozenset({"admin", "analyst", "organizer"}),
    "cooperation.delete": frozenset({"admin", "organizer"}),
}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


@dataclass(frozen=True)
class Actor:
    """Who acts: kept in audit history, and asked by the rules that depend on the record."""

    user_id: int | None
    email: str | None
    role: str = "admin"  # the CLI and the demo builder act with the server's full rights
    company_id: int | None = None  # the company a representative speaks for

    def may(self, permission: str) -> bool:
        return allowed(self.role, permission)

    def speaks_for(self, company_id: int | None) -> bool:
        """A company representative for this very company."""
        return self.role == "company" and company_id is not None and self.company_id == company_id


SYSTEM = Actor(None, "hamkor")
