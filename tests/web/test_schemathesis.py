"""Property-based API tests over the OpenAPI spec, with all of schemathesis' checks: no input may cause a server
error, every status an operation answers is documented, every body matches its documented schema, data the
schema refuses is refused, and undeclared methods are answered as HTTP says."""

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks

from hamkor.accounts.service import Accounts
from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.web.app import create_app
from tests.helpers import DEMO_NOW

# Every check schemathesis has (issue 25.4): server errors, status codes, content types, headers, schemas,
# schema-violating data refused, schema-valid data accepted (422 counts as accepted for what a schema cannot
# say: see schemathesis.toml), undeclared methods answered 405 with an Allow header, auth not ignored.
load_all_checks()
CHECKS_ALL = list(CHECKS.get_all())


@pytest.fixture(scope="module")
def isolated_app(demo_settings, tmp_path_factory):
    """A copy of the demo data: the API may undo and upload there without touching other tests."""
    folder = tmp_path_factory.mktemp("schemathesis")
    for name in ("hamkor.sqlite3", "warehouse.duckdb"):
        shutil.copy(demo_settings.data_dir / name, folder / name)
    settings = Settings(data_dir=folder)
    db = Database(settings)
    db.upgrade()
    accounts = Accounts(db)
    user = accounts.create_user("fuzz@example.org", "fuzzing password", "admin")
    token = accounts.create_token(user.id, "schemathesis", "write")
    db.dispose()
    application = create_app(settings, clock=lambda: DEMO_NOW)
    yield application, token
    application.state.web.services.warehouse.close()


def operations(app):
    loaded = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    return [result.ok() for result in loaded.get_all_operations()]


def test_api_answers_as_its_schema_says(isolated_app):
    """Every operation of the spec, with generated inputs (schemathesis strategies driven by Hypothesis)."""
    app, token = isolated_app
    tested = []
    for operation in operations(app):
        # derandomize: the same inputs every run, so CI never flakes; more examples catch more
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=True)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, checks=CHECKS_ALL)

        check()
        tested.append(operation.label)
    assert len(tested) >= 12, tested
