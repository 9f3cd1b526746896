"""What a mission's participants are told by mail, each in their own language, with the mission's time
zone spelled out wherever a time is given."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hamkor.companies.registry import company_name
from hamkor.i18n import Msg
from hamkor.mail.letter import Letter, zone_sentence
from hamkor.missions.base import aware, mission_text


def _title(mission, lang: str) -> str:
    return mission_text(mission, "name", lang) or ""


def slot_text(slot: str) -> str:
    """A slot id (local time of the mission, "2026-12-15T10:00") as people read it: "15.12.2026 10:00"."""
    day, hour = slot.split("T")
    y, m, d = day.split("-")
    return f"{d}.{m}.{y} {hour}"


def confirm_registration(site_url: str, token: str, mission, lang: str) -> Letter:
    return Letter("registration-confirm", Msg("Confirm your registration: %(mission)s", mission=_title(mission, lang)),
                  [Msg("Your company registered for the mission «%(mission)s». Open the link to confirm this "
                       "address; then the organizers see your registration and decide on it. The link works once, "
                       "for three days.", mission=_title(mission, lang))],
                  action=("Confirm the registration", f"{site_url}/join/confirm/{token}?lang={lang}"))


def registration_with_known_address(site_url: str, mission, lang: str) -> Letter:
    """Someone registered with an address that has an account: its owner hears of it (the page said the same
    as for any registration, so that nobody learns from it who has an account)."""
    subject = Msg("Registration with your address: %(mission)s", mission=_title(mission, lang))
    return Letter("registration-known", subject,
                  [Msg("Someone registered for the mission «%(mission)s» with this address, which has an account "
                       "already. If it was you, sign in with that account (or ask for a new password on the sign-in "
                       "page); if it was not, nothing was changed and you need not do anything.",
                       mission=_title(mission, lang))],
                  action=("Sign in", f"{site_url}/signin?lang={lang}"))


def registration_decided(site_url: str, mission, approved: bool, reason: str, lang: str) -> Letter:
    if approved:
        return Letter("registration-decided", Msg("You take part in %(mission)s", mission=_title(mission, lang)),
                      [Msg("The organizers approved your registration for «%(mission)s». In your space you find "
                           "the suggested counterparts, send and answer meeting requests, and see your agenda.",
                           mission=_title(mission, lang))],
                      action=("Open my space", f"{site_url}/space/{mission.id}?lang={lang}"))
    return Letter("registration-decided", Msg("Your registration for %(mission)s", mission=_title(mission, lang)),
                  [Msg("The organizers could not accept your registration for «%(mission)s».",
                       mission=_title(mission, lang)), Msg("Their reason: %(reason)s", reason=reason)])


def availability_conflict(site_url: str, mission, company: str, lines: list, lang: str) -> Letter:
    """To the organizers: a company narrowed its times after the schedule was published, and these of its
    meetings now fall outside them (they stay until the organizers move or cancel them)."""
    return Letter("availability-conflict", Msg("Meetings outside a company's times: %(mission)s",
                                               mission=_title(mission, lang)),
                  [Msg("%(company)s changed the times it can meet after the schedule of «%(mission)s» was published. "
                       "These meetings now fall outside them: move or cancel them (a re-plan from their slot does "
                       "it).", company=company, mission=_title(mission, lang)), zone_sentence(mission.timezone)],
                  lines=lines, action=("Open the schedule", f"{site_url}/missions/{mission.id}/schedule?lang={lang}"))


def registration_waiting(site_url: str, mission, company: str, lang: str) -> Letter:
    """To each of the mission's organizers: a registration is confirmed and waits for their decision."""
    return Letter("registration-waiting", Msg("A registration waits for your decision: %(mission)s",
                                              mission=_title(mission, lang)),
                  [Msg("%(company)s registered for «%(mission)s» and confirmed its address. Approve the registration "
                       "or refuse it with a reason: the company is told either way.", company=company,
                       mission=_title(mission, lang))],
                  action=("Open the registrations", f"{site_url}/missions/{mission.id}/registrations?lang={lang}"))


def invitation_to_register(site_url: str, mission, company, token: str, lang: str) -> Letter:
    """The registration page for a registry company; the link's token tells the organizers it was opened."""
    return Letter("registration-invite", Msg("Invitation: %(mission)s", mission=_title(mission, lang)),
                  [Msg("%(company)s is invited to the business mission «%(mission)s». Register on its page: the "
                       "programme, dates and venue are there.", company=company_name(company, lang),
                       mission=_title(mission, lang))],
                  action=("Register", f"{site_url}/join/{mission.id}?lang={lang}&invite={token}"))


def invitation_reminder(site_url: str, mission, company, token: str, lang: str) -> Letter:
    return Letter("registration-invite", Msg("Reminder: invitation to %(mission)s", mission=_title(mission, lang)),
                  [Msg("%(company)s was invited to the business mission «%(mission)s» and has not registered yet. "
                       "Register on its page: the programme, dates and venue are there.",
                       company=company_name(company, lang), mission=_title(mission, lang))],
                  action=("Register", f"{site_url}/join/{mission.id}?lang={lang}&invite={token}"))


def representative_invitation(site_url: str, token: str, mission, company, invited_by: str, lang: str) -> Letter:
    """An account for one of a taking-part company's people: from the organizers (a company they added from the
    registry) or from a colleague. The link opens the password form, then the mission's space."""
    return Letter("invite", Msg("Your account for %(mission)s", mission=_title(mission, lang)),
                  [Msg("%(who)s invites you to speak for %(company)s at the business mission «%(mission)s»: to see "
                       "the meeting requests sent to it and answer them, ask for meetings and follow its agenda.",
                       who=invited_by, company=company_name(company, lang), mission=_title(mission, lang)),
                   "Open the link to choose your password and language. It works once, for seven days."],
                  action=("Accept the invitation", f"{site_url}/welcome/{token}?lang={lang}"))


def colleague_with_known_address(site_url: str, mission, company, invited_by: str, lang: str) -> Letter:
    """A representative invited an address that has an account already: its owner hears of it (the space said
    the same as for any invitation), and the account is not changed."""
    return Letter("invite-known", Msg("An invitation for %(mission)s", mission=_title(mission, lang)),
                  [Msg("%(who)s invited this address to speak for %(company)s at «%(mission)s», but it has a hamkor "
                       "account already, which stays as it is. If you should speak for this company too, ask the "
                       "mission's organizers; if not, you need not do anything.", who=invited_by,
                       company=company_name(company, lang), mission=_title(mission, lang))],
                  action=("Sign in", f"{site_url}/signin?lang={lang}"))


def request_received(site_url: str, mission, requester: str, message: str | None, lang: str) -> Letter:
    paragraphs = [Msg("%(company)s asks to meet you at «%(mission)s».", company=requester,
                      mission=_title(mission, lang))]
    if message:
        paragraphs.append(Msg("Their message: %(note)s", note=message))
    return Letter("request-received", Msg("A meeting request from %(company)s", company=requester), paragraphs,
                  action=("Answer", f"{site_url}/space/{mission.id}?lang={lang}#incoming"))


def request_answered(site_url: str, mission, target: str, accepted: bool, lang: str) -> Letter:
    said = (Msg("%(company)s accepted your meeting request.", company=target) if accepted
            else Msg("%(company)s declined your meeting request.", company=target))
    return Letter("request-answered", said, [said],
                  action=("Open my space", f"{site_url}/space/{mission.id}?lang={lang}"))


def schedule_published(site_url: str, mission, lines: list[str], lang: str) -> Letter:
    return Letter("schedule-published", Msg("Your meetings at %(mission)s", mission=_title(mission, lang)),
                  [Msg("The schedule of «%(mission)s» is published. Your meetings:", mission=_title(mission, lang)),
                   zone_sentence(mission.timezone)], lines=lines,
                  action=("Open my agenda", f"{site_url}/space/{mission.id}?lang={lang}#agenda"), zone=mission.timezone)


def meetings_changed(site_url: str, mission, lines: list[str], lang: str) -> Letter:
    return Letter("meeting-moved", Msg("Your meetings at %(mission)s changed", mission=_title(mission, lang)),
                  [Msg("The schedule of «%(mission)s» was re-planned, and it changed your meetings:",
                       mission=_title(mission, lang)), zone_sentence(mission.timezone)], lines=lines,
                  action=("Open my agenda", f"{site_url}/space/{mission.id}?lang={lang}#agenda"), zone=mission.timezone)


def deadline_near(site_url: str, mission, waiting: int, lang: str) -> Letter:
    return Letter("deadline-near", Msg("Requests wait for your answer: %(mission)s", mission=_title(mission, lang)),
                  [Msg("%(count)s meeting requests wait for your answer. Requests close on %(deadline)s; an "
                       "unanswered one expires then.", count=waiting,
                       deadline=format(aware(mission.request_deadline).astimezone(ZoneInfo(mission.timezone)),
                                      "%d.%m.%Y %H:%M")),
                   zone_sentence(mission.timezone)],
                  action=("Answer", f"{site_url}/space/{mission.id}?lang={lang}#incoming"), zone=mission.timezone)


def agenda_tomorrow(site_url: str, mission, lines: list[str], lang: str, on_the_day: bool = False) -> Letter:
    """`on_the_day`: the notice missed the day before (no worker ran then) and goes on the morning itself."""
    if on_the_day:
        subject = Msg("Your meetings today: %(mission)s", mission=_title(mission, lang))
        opening = Msg("Today is your first day at «%(mission)s». Your meetings (the agenda is attached):",
                      mission=_title(mission, lang))
    else:
        subject = Msg("Your meetings tomorrow: %(mission)s", mission=_title(mission, lang))
        opening = Msg("Tomorrow is your first day at «%(mission)s». Your meetings (the agenda is attached):",
                      mission=_title(mission, lang))
    return Letter("agenda-tomorrow", subject, [opening, zone_sentence(mission.timezone)], lines=lines,
                  action=("Open my agenda", f"{site_url}/space/{mission.id}?lang={lang}#agenda"), zone=mission.timezone)


def follow_up(site_url: str, mission, token: str, days: int, lang: str) -> Letter:
    return Letter("followup", Msg("What came of your meetings at %(mission)s?", mission=_title(mission, lang)),
                  [Msg("%(days)s days have passed since «%(mission)s». Tell us, meeting by meeting, whether it took "
                       "place and what came of it: a contact, negotiations, a contract, a shipment. It takes two "
                       "minutes and helps plan the next mission.", days=days, mission=_title(mission, lang))],
                  action=("Answer", f"{site_url}/followup/{token}?lang={lang}"))


# What a co-organiser's role lets them do, as the invitation says it.
ORGANISER_ROLE_SENTENCES = {
    "owner": Msg("As the mission's owner you may do everything, and invite co-organisers."),
    "main": Msg("As a main organiser you keep the mission's settings, participants, schedule and mails."),
    "supporting": Msg("As a supporting organiser you decide on your side's registrations, invite your side's "
                      "companies, and follow your side's requests, schedule and outcomes."),
}


def organiser_invitation(site_url: str, token: str, mission, organisation: str, role: str, invited_by: str,
                         lang: str) -> Letter:
    """An account for a co-organiser's person: the link opens the password form, then the mission."""
    return Letter("invite", Msg("Co-organise %(mission)s", mission=_title(mission, lang)),
                  [Msg("%(who)s invites %(organisation)s to co-organise the business mission «%(mission)s», and you "
                       "to act for it.", who=invited_by, organisation=organisation, mission=_title(mission, lang)),
                   ORGANISER_ROLE_SENTENCES[role],
                   "Open the link to choose your password and language. It works once, for seven days."],
                  action=("Accept the invitation", f"{site_url}/welcome/{token}?lang={lang}"))


def organiser_added(site_url: str, mission, organisation: str, role: str, invited_by: str, lang: str) -> Letter:
    """Someone with an account of the invited organisation hears that it co-organises the mission now."""
    return Letter("organiser-added", Msg("Co-organise %(mission)s", mission=_title(mission, lang)),
                  [Msg("%(who)s made %(organisation)s a co-organiser of the business mission «%(mission)s».",
                       who=invited_by, organisation=organisation, mission=_title(mission, lang)),
                   ORGANISER_ROLE_SENTENCES[role]],
                  action=("Open the mission", f"{site_url}/missions/{mission.id}?lang={lang}"))
