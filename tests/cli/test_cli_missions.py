"""`hamkor missions …` on a copy of the demo data: lists, the grid, planning, agendas, outcomes, errors."""

import json

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from typer.testing import CliRunner

from hamkor.cli import app
from hamkor.config import Settings
from hamkor.missions.service import Missions
from hamkor.store.db import Database
from tests.helpers import copy_of_demo

runner = CliRunner()


def run(data_dir, *args):
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


@pytest.fixture(scope="module")
def data_dir(demo_settings, tmp_path_factory):
    folder = copy_of_demo(demo_settings, tmp_path_factory, "missions-cli")
    return folder


def test_list_show_requests_and_export(data_dir, tmp_path):
    listed = run(data_dir, "missions", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    [mission] = json.loads(listed.stdout)
    assert mission["participants"] == 85 and mission["demo"] == "SYNTHETIC"
    grid = run(data_dir, "missions", "show", "1", "--format", "csv")
    assert grid.exit_code == 0 and grid.stdout.count("\n") - 1 == mission["scheduled"]
    assert "SYNTHETIC demo mission" in grid.output  # said on stderr, where a person reads it
    pending = run(data_dir, "missions", "requests", "1", "--status", "pending", "--format", "json")
    assert {r["status"] for r in json.loads(pending.stdout)} == {"pending"}
    out = tmp_path / "instance.json"
    assert run(data_dir, "missions", "export", "1", "-o", str(out)).exit_code == 0
    solved = runner.invoke(app, ["missions", "schedule", "--instance", str(out), "--workers", "1", "--seed", "1",
                                 "-o", str(tmp_path / "solution.json")])
    assert solved.exit_code == 0, solved.output
    solution = json.loads((tmp_path / "solution.json").read_text())
    assert len(solution["meetings"]) == mission["scheduled"]  # the exported instance solves to the stored schedule
    capacity = runner.invoke(app, ["missions", "capacity", "--instance", str(out), "--share", "0.95"])
    assert capacity.exit_code == 0 and "tables per slot" in capacity.output


def test_plan_agendas_outcome_and_funnel(data_dir, tmp_path):
    planned = run(data_dir, "missions", "plan", "1", "--seconds", "2")
    assert planned.exit_code == 0 and "upper bound" in planned.output, planned.output
    folder = tmp_path / "agendas"
    made = run(data_dir, "missions", "agendas", "1", "-o", str(folder), "--lang", "en")
    assert made.exit_code == 0, made.output
    assert len(list(folder.glob("agenda-*.pdf"))) == 85 and len(list(folder.glob("agenda-*.ics"))) == 85
    assert (folder / "tables.pdf").exists()
    calendar = Calendar.from_ical((folder / "agenda-1.ics").read_bytes())
    assert calendar.walk("VEVENT")
    book = load_workbook(folder / "schedule.xlsx")
    db = Database(Settings(data_dir=data_dir))
    meeting_id = Missions(db).meetings(1)[0].id
    db.dispose()
    assert book["Meetings"].max_row > 100
    bad = run(data_dir, "missions", "outcome", "1", "--meeting", str(meeting_id), "--status", "held", "--rating", "9")
    assert bad.exit_code == 2 and "rating" in bad.output
    good = run(data_dir, "missions", "outcome", "1", "--meeting", str(meeting_id), "--status", "held",
               "--stage", "shipment", "--hs", "8402", "--value-usd", "1500000")
    assert good.exit_code == 0, good.output
    funnel = json.loads(run(data_dir, "missions", "funnel", "1", "--format", "json").stdout)
    # the command counts by the rule the pages and the report use: the organizer's record where there is one, else
    # the participants' own answers (the demo's participants answered many meetings)
    db = Database(Settings(data_dir=data_dir))
    known = Missions(db).funnel(1)
    db.dispose()
    assert [s["meetings"] for s in funnel] == [s.meetings for s in known.steps] and known.steps[1].meetings > 1
    assert funnel[-1]["value USD"] >= 1500000 and funnel[-1]["meetings"] >= 1
    again = run(data_dir, "missions", "plan", "1")
    assert again.exit_code == 2 and "re-plan" in again.output
    replanned = run(data_dir, "missions", "replan", "1", "--from-slot", "2026-12-16T10:00", "--seconds", "2")
    assert replanned.exit_code == 0 and "kept" in replanned.output, replanned.output


def test_errors_are_messages(data_dir):
    missing = run(data_dir, "missions", "show", "77")
    assert missing.exit_code == 2 and "no mission 77" in missing.output
    wrong_slot = run(data_dir, "missions", "replan", "1", "--from-slot", "tomorrow")
    assert wrong_slot.exit_code == 2 and "not a slot" in wrong_slot.output
    assert run(data_dir, "missions", "export", "1", "-o", "x.txt").exit_code == 2


def test_organisations_and_co_organisers(data_dir):
    from tests.helpers import add_users

    added = run(data_dir, "organisations", "add", "--kind", "administration", "--territory", "UZ-SI",
                "--name-ru", "Хокимият Сырдарьинской области", "--name-uz", "Sirdaryo viloyati hokimligi")
    assert added.exit_code == 0, added.output
    organisation = int(added.stdout.split()[1])
    assert run(data_dir, "organisations", "add", "--kind", "palace", "--territory", "UZ").exit_code == 2
    add_users(Settings(data_dir=data_dir), [("hokimiyat@example.org", "organizer", None)])
    assert run(data_dir, "organisations", "member", str(organisation), "hokimiyat@example.org").exit_code == 0
    made = run(data_dir, "missions", "add-organiser", "1", str(organisation), "--role", "supporting")
    assert made.exit_code == 0 and "visiting side" in made.stdout, made.output
    invited = run(data_dir, "missions", "add-organiser", "1", str(organisation), "--role", "main",
                  "--email", "deputy@example.org", "--language", "uz")
    assert invited.exit_code == 0, invited.output
    listed = [o for o in json.loads(run(data_dir, "missions", "organisers", "1", "--format", "json").stdout)
              if o["organisation"] == organisation]  # beside the demo's own two sides
    assert listed == [{"organisation": organisation, "name": "Хокимият Сырдарьинской области",
                       "kind": "administration", "territory": "UZ-SI", "role": "main", "side": "visiting",
                       "people": "deputy@example.org, hokimiyat@example.org"}]
    orgs = json.loads(run(data_dir, "organisations", "list", "--format", "json").stdout)
    assert next(o for o in orgs if o["id"] == organisation)["missions"] == "1"


def test_check_in_by_code_and_arrivals(data_dir):
    listed = json.loads(run(data_dir, "missions", "arrivals", "1", "--format", "json").stdout)
    first = next(a for a in listed if not a["arrived (UTC)"])  # the demo's first day has most checked in
    assert len(first["code"]) == 9
    arrived = run(data_dir, "missions", "checkin", "1", first["code"].lower())
    assert arrived.exit_code == 0 and "arrived at" in arrived.stdout, arrived.output
    assert "checked in already" in run(data_dir, "missions", "checkin", "1", first["code"]).stdout
    assert run(data_dir, "missions", "checkin", "1", "nope").exit_code == 2
    after = {r["participant"]: r for r in json.loads(run(data_dir, "missions", "arrivals", "1", "-f", "json").stdout)}
    assert after[first["participant"]]["arrived (UTC)"]
