"""Entry point for running several uvicorn workers: each builds its app from the environment."""

from __future__ import annotations

from hamkor.config import Settings
from hamkor.web.app import create_app


def app_from_environment():
    return create_app(Settings())
