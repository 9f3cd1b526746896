"""An organiser's messages to a group of a mission's participants: the group and the text in the languages they
write, a look at who will receive it before it goes, and every message kept on the mission with each copy's
delivery."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from hamkor.i18n import LANGUAGES
from hamkor.missions.base import SIDES, MissionError
from hamkor.missions.messages import (
    GROUP_LABELS,
    GROUPS,
    MAX_BODY_CHARS,
    MAX_SUBJECT_CHARS,
    Audience,
    MessageDraft,
)
from hamkor.web.deps import MessageWriter, MissionInPath, MissionsDep, language_of
from hamkor.web.forms import PageForm
from hamkor.web.pages._render import check_csrf, page

router = APIRouter(include_in_schema=False)


def _messages(request: Request, viewer, missions, mission, status_code: int = 200, **context):
    lang = language_of(request)
    people = missions.people(mission.id)
    side = missions.bound_side(viewer.actor, mission.id)
    return page(request, "mission_messages.html.j2", status_code, mission=mission, tab="messages",
                groups=[(g, GROUP_LABELS[g]) for g in GROUPS], sides=[s for s in SIDES if side in (None, s)],
                bound_side=side, sectors=missions.sectors_of(mission.id, viewer.actor),
                kept=missions.messages(mission.id, viewer.actor, lang), max_subject=MAX_SUBJECT_CHARS,
                max_body=MAX_BODY_CHARS, name=lambda pid: people[pid].name(lang) if pid in people else "—",
                group_labels=GROUP_LABELS, draft=context.pop("draft", {}), **context)


def _draft(form) -> MessageDraft:
    audience = Audience(form.choice("group", GROUPS, "all"), form.choice("side", SIDES),
                        form.text("sector", 200) or None)
    return MessageDraft(audience, {lang: form.text(f"subject_{lang}", MAX_SUBJECT_CHARS + 50) for lang in LANGUAGES},
                        {lang: form.text(f"body_{lang}", MAX_BODY_CHARS + 500) for lang in LANGUAGES})


@router.get("/missions/{mission_id}/messages")
def messages_page(request: Request, viewer: MessageWriter, missions: MissionsDep, mission: MissionInPath):
    return _messages(request, viewer, missions, mission)


@router.post("/missions/{mission_id}/messages")
def write_message(request: Request, viewer: MessageWriter, missions: MissionsDep, mission: MissionInPath,
                  form: PageForm):
    """First a look at who will receive it ("preview"); the message goes with the second button ("send")."""
    check_csrf(viewer, form.get("csrf"))
    draft = _draft(form)
    filled = {name: value for name, value in form.items() if name != "csrf"}
    try:
        if form.choice("step", ("preview", "send"), "preview") == "preview":
            _, recipients = missions.preview_message(mission.id, draft, viewer.actor)
            return _messages(request, viewer, missions, mission, draft=filled, recipients=recipients)
        sent = missions.send_message(mission.id, draft, viewer.actor)
    except MissionError as problem:
        return _messages(request, viewer, missions, mission, 422, problems=problem.problems, draft=filled)
    return RedirectResponse(f"/missions/{mission.id}/messages?sent={sent.id}#message-{sent.id}", status_code=303)
