"""Request dependencies: who is asking, in which language, with what right, and the services a route
works with — each an `Annotated[..., Depends()]` alias, so a route's signature says what it uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import Depends, Path, Request

from hamkor.accounts.permissions import Actor, allowed
from hamkor.accounts.service import Accounts
from hamkor.companies.registry import Registry
from hamkor.config import Settings
from hamkor.cooperation.service import Cooperation
from hamkor.errors import Refused
from hamkor.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hamkor.mail.outbox import Outbox
from hamkor.missions.service import Missions
from hamkor.store.models import Mission
from hamkor.trade.service import ImportService
from hamkor.trade.warehouse import Warehouse
from hamkor.web.cache import GenerationCache
from hamkor.web.errors import Forbidden, NotSignedIn
from hamkor.web.jobs import JobRunner
from hamkor.web.limits import KNOWN_VIEWER
from hamkor.web.security import SESSION_COOKIE, csrf_matches
from hamkor.web.state import WebState


@dataclass(frozen=True)
class Viewer:
    user_id: int
    email: str
    role: str
    language: str
    csrf: str | None  # None for API-token requests (no cookie, so no CSRF to guard)
    company_id: int | None = None  # the company a representative speaks for
    scope: str = "write"  # an API token's: "read" tokens may only read
    session: str | None = None  # the session's key (a digest), for a cookie's viewer
    organisation_id: int | None = None  # the organisation they act for (binds staff to its missions)

    @property
    def actor(self) -> Actor:
        """The viewer as the domain knows whoever acts."""
        return Actor(self.user_id, self.email, self.role, self.company_id, self.organisation_id)

    def may(self, permission: str) -> bool:
        return allowed(self.role, permission, self.company_id, self.organisation_id)


def web_state(request: Request) -> WebState:
    """Everything the application holds, typed (create_app put it there)."""
    return request.app.state.web


def current_viewer(request: Request) -> Viewer | None:
    known = request.scope.get("state", {})
    if KNOWN_VIEWER in known:  # the body gate asked the database already, for this very request
        return known[KNOWN_VIEWER]
    state = web_state(request)
    accounts = state.services.accounts
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()

        def by_token() -> Viewer | None:
            found = accounts.token_for(token)
            if found is None:
                return None
            user, scope = found
            return Viewer(user.id, user.email, user.role, user.language, None, user.company_id, scope,
                          organisation_id=user.organisation_id)

        # Asked of the database on every request, never remembered: a password changed, an account
        # deactivated or a token revoked (from the CLI, a mailed link or another process) ends access at once.
        return by_token()
    token = state.sessions.token(request.cookies.get(SESSION_COOKIE))
    if not token:
        return None
    settings = state.services.settings

    def by_session() -> Viewer | None:
        signed_in = accounts.session_for(token, timedelta(hours=settings.session_idle_hours))
        if signed_in is None:
            return None
        user = signed_in.user
        return Viewer(user.id, user.email, user.role, user.language, signed_in.csrf, user.company_id,
                      session=signed_in.digest, organisation_id=user.organisation_id)

    return by_session()


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_HEADER = "x-csrf-token"


def _mission_in_path(request: Request) -> int | None:
    text = str(request.path_params.get("mission_id", ""))
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


def require(permission: str, action: str | None = None):
    """The guard: signed in, the role holds `permission`, and — for a route of one mission — the access rule
    (`accounts.access.may`, asked through `Missions.check`) grants `action` on that mission. What a route does
    to one record of it (a registration of one side) the domain checks against that record."""

    def check(request: Request) -> Viewer:
        viewer = current_viewer(request)
        if viewer is None:
            raise NotSignedIn()
        request.state.viewer = viewer  # known even when refused: the refusal speaks their language
        if not viewer.may(permission):
            raise Forbidden(permission)
        if request.method not in SAFE_METHODS:
            if viewer.scope != "write":
                raise Refused([("token", "this API token may only read (its scope is read)")])
            # The JSON API called with the session cookie (a page's script, or another site riding on
            # the cookie) must show the session's CSRF token in a header to change anything.
            if viewer.csrf is not None and request.url.path.startswith("/api/") and not csrf_matches(
                    {"csrf": viewer.csrf}, request.headers.get(CSRF_HEADER)):
                raise Refused([("csrf", "a call with the session cookie that changes something must carry the "
                                        "session's X-CSRF-Token header (or use a bearer token)")])
        mission_id = _mission_in_path(request) if action else None
        if mission_id is not None:
            web_state(request).services.missions.check(viewer.actor, action, mission_id)
        return viewer

    return check


def language_of(request: Request) -> str:
    viewer = getattr(request.state, "viewer", None)
    if viewer and viewer.language in LANGUAGES:
        return viewer.language
    asked = request.query_params.get("lang") or request.cookies.get("hamkor_lang")
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


TradeViewer = Annotated[Viewer, Depends(require("trade.view"))]
BriefMaker = Annotated[Viewer, Depends(require("brief.create"))]
ImportViewer = Annotated[Viewer, Depends(require("imports.view"))]
Importer = Annotated[Viewer, Depends(require("imports.write"))]
ReferenceViewer = Annotated[Viewer, Depends(require("reference.view"))]
AnyUser = Annotated[Viewer, Depends(require("account.self"))]
UserManager = Annotated[Viewer, Depends(require("users.manage"))]
CompanyViewer = Annotated[Viewer, Depends(require("companies.view"))]
CompanyCreator = Annotated[Viewer, Depends(require("companies.create"))]
CompanyEditor = Annotated[Viewer, Depends(require("companies.edit"))]
CompanyImporter = Annotated[Viewer, Depends(require("companies.import"))]
Matchmaker = Annotated[Viewer, Depends(require("matching.use"))]
MeetingMaker = Annotated[Viewer, Depends(require("matching.accept"))]
# A mission's routes: the role's permission, then what the access rule grants on the mission in the path.
MissionViewer = Annotated[Viewer, Depends(require("missions.view", "mission.view"))]
MissionManager = Annotated[Viewer, Depends(require("missions.manage", "mission.manage"))]
MissionRequester = Annotated[Viewer, Depends(require("missions.request", "mission.request"))]
MissionStaff = Annotated[Viewer, Depends(require("missions.manage", "mission.view"))]
ParticipantKeeper = Annotated[Viewer, Depends(require("missions.manage", "mission.participants"))]
RegistrationKeeper = Annotated[Viewer, Depends(require("missions.manage", "mission.registrations"))]
MessageWriter = Annotated[Viewer, Depends(require("missions.manage", "mission.message"))]
CheckinKeeper = Annotated[Viewer, Depends(require("missions.manage", "mission.checkin"))]
OrganiserInviter = Annotated[Viewer, Depends(require("missions.manage", "mission.organisers"))]
SpaceOwner = Annotated[Viewer, Depends(require("missions.space"))]
CoopViewer = Annotated[Viewer, Depends(require("cooperation.view"))]
CoopEditor = Annotated[Viewer, Depends(require("cooperation.edit"))]
CoopDeleter = Annotated[Viewer, Depends(require("cooperation.delete"))]
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A record number")]  # fits every database


# ---- the services and the web's own machinery, for the routes that use them ----------------
def _service(name: str):
    def service(request: Request):
        return getattr(web_state(request).services, name)

    return service


def _machinery(name: str):
    def part(request: Request):
        return getattr(web_state(request), name)

    return part


Web = Annotated[WebState, Depends(web_state)]
SettingsDep = Annotated[Settings, Depends(_machinery("settings"))]
CacheDep = Annotated[GenerationCache, Depends(_machinery("cache"))]
JobsDep = Annotated[JobRunner, Depends(_machinery("jobs"))]
AccountsDep = Annotated[Accounts, Depends(_service("accounts"))]
RegistryDep = Annotated[Registry, Depends(_service("registry"))]
MissionsDep = Annotated[Missions, Depends(_service("missions"))]
CooperationDep = Annotated[Cooperation, Depends(_service("cooperation"))]
ImportsDep = Annotated[ImportService, Depends(_service("imports"))]
WarehouseDep = Annotated[Warehouse, Depends(_service("warehouse"))]
OutboxDep = Annotated[Outbox, Depends(_service("outbox"))]


def today_of(request: Request) -> date:
    """Today where the people work, by the application's clock."""
    return web_state(request).services.today()


Today = Annotated[date, Depends(today_of)]


def mission_in_path(request: Request, mission_id: RecordId) -> Mission:
    """The mission the path names; MissionNotFound becomes the 404 page or problem."""
    return web_state(request).services.missions.mission(mission_id)


MissionInPath = Annotated[Mission, Depends(mission_in_path)]
