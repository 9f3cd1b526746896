"""`hamkor cooperation …` and `hamkor reminders` on a copy of the demo data."""

import json

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from hamkor.cli import app
from tests.helpers import copy_of_demo

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(demo_settings, tmp_path_factory):
    folder = copy_of_demo(demo_settings, tmp_path_factory, "cooperation-cli")
    return folder


def run(data_dir, *args, env=None):
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], env=env)


def test_add_update_show_and_list(data_dir):
    bad = run(data_dir, "cooperation", "add", "commitments", "--set", "title=Send the programme",
              "--set", "status=open", "--set", "due_date=30.11.2026")
    assert bad.exit_code == 2 and "due_date" in bad.output and "not a date" in bad.output
    made = run(data_dir, "cooperation", "add", "commitments", "--set", "title=Send the programme",
               "--set", "status=open", "--set", "due_date=2026-11-30", "--set", "partners=UZ")
    assert made.exit_code == 0, made.output
    record_id = int(made.output.split()[1])
    listed = json.loads(run(data_dir, "cooperation", "list", "commitments", "--format", "json").stdout)
    assert next(r for r in listed if r["id"] == record_id)["flag"] == "OVERDUE"
    assert run(data_dir, "cooperation", "update", "commitments", str(record_id), "--set", "status=cancelled"
               ).exit_code == 0
    shown = run(data_dir, "cooperation", "show", "commitments", str(record_id))
    assert "create" in shown.output and "'open' → 'cancelled'" in shown.output and "cli:" in shown.output
    assert run(data_dir, "cooperation", "list", "rumours").exit_code == 2
    assert run(data_dir, "cooperation", "delete", "organisations", "1").exit_code == 2  # still referred to


def test_timeline_ics_and_reminders(data_dir, tmp_path):
    timeline = json.loads(run(data_dir, "cooperation", "timeline", "UZ", "--format", "json").stdout)
    assert any(i["date"] == "2025-12-18" and i["kind"] == "event" for i in timeline)
    out = tmp_path / "events.ics"
    assert run(data_dir, "cooperation", "ics", "-o", str(out)).exit_code == 0
    assert len(Calendar.from_ical(out.read_bytes()).walk("VEVENT")) >= 2
    due = run(data_dir, "reminders", "--days", "60", "--on", "2026-12-05", env={"HAMKOR_TIMEZONE": "Asia/Barnaul"})
    assert due.exit_code == 0 and "Asia/Barnaul" in due.output and "Провести бизнес-миссию" in due.output
    assert "2026-12-05" in due.output
    later = run(data_dir, "reminders", "--days", "14", "--on", "2027-01-02")
    assert "OVERDUE" in later.output and "Провести бизнес-миссию" in later.output  # due 31.12.2026
    assert run(data_dir, "reminders", "--on", "05.12.2026").exit_code == 2
    unsent = run(data_dir, "reminders", "--days", "60", "--send", "--to", "office@example.org")
    assert unsent.exit_code == 1 and "HAMKOR_SMTP_HOST" in unsent.output
