"""The page fuzz (test_page_fuzz.py) on PostgreSQL: over-length and NUL text, and numbers past a column,
fail there where SQLite takes them, so every form is tried on both. A file of its own, so that the two
databases' runs go side by side on two workers."""

from __future__ import annotations

import pytest

from hamkor.config import Settings
from tests.web.test_page_fuzz import FORM_EXAMPLES, ROUTE_EXAMPLES, _app, fuzz, fuzz_forms


@pytest.fixture(scope="module")
def postgresql_app(demo_settings, tmp_path_factory, pg_schema_url):
    """The demo moved into PostgreSQL as an operator would (a backup restored there): over-length and NUL
    text fail there, not on SQLite."""
    from sqlalchemy import create_engine, text

    from hamkor.store.backup import backup, instance_key, restore

    url, schema = pg_schema_url
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:  # an empty schema, whatever ran before
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    folder = tmp_path_factory.mktemp("page-fuzz-pg")
    archive = folder / "demo.tar.gz"
    backup(demo_settings, archive)
    secret, _ = instance_key(demo_settings)
    settings = Settings(data_dir=folder / "data", database_url=url, secret_key=secret)
    restore(archive, settings)
    app = _app(settings)
    yield app
    app.state.web.services.close()


def test_no_page_answers_a_server_error_postgresql(postgresql_app):
    errors = fuzz_forms(postgresql_app, max_examples=FORM_EXAMPLES) + fuzz(postgresql_app, max_examples=ROUTE_EXAMPLES)
    assert not errors, "\n".join(errors[:40])


