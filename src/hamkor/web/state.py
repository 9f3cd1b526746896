"""What the web application holds for its life: the application context (the domain services) and
the web's own machinery. One typed object; routes receive its parts through `deps`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

from hamkor.accounts.throttle import Throttle
from hamkor.config import Settings
from hamkor.context import AppContext
from hamkor.web.cache import GenerationCache
from hamkor.web.jobs import JobRunner
from hamkor.web.security import Sessions


@dataclass
class WebState:
    services: AppContext
    templates: Environment
    cache: GenerationCache
    jobs: JobRunner
    sessions: Sessions
    throttle: Throttle  # failed sign-ins per account
    address_throttle: Throttle  # failed sign-ins per address: an office shares one, so a wider limit
    public_throttle: Throttle
    registration_throttle: Throttle  # registrations made per address (each an account and a mail)
    colleague_throttle: Throttle  # invitations a company's own people send in a day (each a mail to anyone)
    hs_throttle: Throttle
    upload_dir: Path

    @property
    def settings(self) -> Settings:
        return self.services.settings
