"""Issue 28.3: several web processes over one database. Two applications built over the same data stand for two
processes (each its own memory, as uvicorn's workers have): what one counts or revokes, the other knows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hamkor.accounts.service import Accounts
from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.web.app import create_app
from tests.helpers import PASSWORD, csrf_of, signed_in


@pytest.fixture
def two_processes(tmp_path, database_url):
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, run_worker=False)
    db = Database(settings)
    db.upgrade()
    accounts = Accounts(db)
    accounts.create_user("target@example.org", PASSWORD, "analyst", "ru")
    db.dispose()
    first, second = create_app(settings), create_app(settings)
    yield first, second
    for app in (first, second):
        app.state.web.services.close()


def _wrong_password(app, email: str):
    client = TestClient(app)
    return client.post("/signin", data={"email": email, "password": "not the password at all",
                                        "csrf": csrf_of(client, "/signin")}, follow_redirects=False)


def test_the_sign_in_limit_holds_across_processes(two_processes):
    """Five wrong passwords, spread over two processes, lock the account on both: each process kept its own
    count before, so a guesser had five tries per process."""
    first, second = two_processes
    for n in range(5):
        assert _wrong_password((first, second)[n % 2], "target@example.org").status_code == 401
    assert _wrong_password(first, "target@example.org").status_code == 429
    assert _wrong_password(second, "target@example.org").status_code == 429


def test_a_session_ended_in_one_process_is_ended_in_the_other(two_processes):
    first, second = two_processes
    client = signed_in(first, "target@example.org")
    assert client.get("/account").status_code == 200
    cookies = dict(client.cookies)
    elsewhere = TestClient(second, cookies=cookies)  # the same browser, answered by the other process
    assert elsewhere.get("/account").status_code == 200
    out = elsewhere.post("/signout", data={"csrf": csrf_of(elsewhere, "/account")}, follow_redirects=False)
    assert out.status_code == 303
    assert TestClient(first, cookies=cookies).get("/account", follow_redirects=False).status_code in (302, 303, 401)


def test_the_job_limit_holds_across_processes(two_processes):
    from hamkor.web.jobs import MAX_ACTIVE_PER_USER, TooManyJobs

    first, second = two_processes
    user = first.state.web.services.accounts.find("target@example.org")
    for n in range(MAX_ACTIVE_PER_USER):
        (first, second)[n % 2].state.web.jobs.submit("brief", user.id, {})
    for app in (first, second):
        with pytest.raises(TooManyJobs):
            app.state.web.jobs.submit("brief", user.id, {})
