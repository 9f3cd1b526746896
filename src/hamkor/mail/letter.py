"""A letter: what it says, as sentences of the catalogs, rendered in one language as plain text and HTML.

Every message is written once as a `Letter` and said in the recipient's language when it is queued, so
the text and HTML parts always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape

from hamkor.i18n import Msg, localize
from hamkor.i18n.times import hours_text, zone_difference, zone_text
from hamkor.mail.smtp import header_text


@dataclass
class Letter:
    kind: str  # what caused it: invite, reset, request-received… (the outbox and the digest group by it)
    subject: str
    paragraphs: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # facts, one a line (meetings, times); said as they are
    action: tuple[str, str] | None = None  # (the button's label, its absolute URL)
    zone: str | None = None  # the zone its times are in: a reader elsewhere is told their own time too


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


FOOTER = "This message was sent by hamkor, the foreign economic cooperation workbench. Do not reply to it."


def render(letter: Letter, lang: str) -> Rendered:
    subject = header_text(localize(letter.subject, lang))  # a name in it may hold a line break
    paragraphs = [localize(p, lang) for p in letter.paragraphs]
    lines = [localize(line, lang) for line in letter.lines]
    footer = localize(FOOTER, lang)
    text_parts = list(paragraphs)
    if lines:
        text_parts.append("\n".join(f"- {line}" for line in lines))
    html_parts = [f"<p>{escape(p)}</p>" for p in paragraphs]
    if lines:
        html_parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")
    if letter.action:
        label, url = localize(letter.action[0], lang), letter.action[1]
        text_parts.append(f"{label}: {url}")
        html_parts.append(f'<p><a href="{escape(url, quote=True)}" style="display:inline-block;padding:8px 14px;'
                          f'background:#1d4e89;color:#fff;text-decoration:none;border-radius:4px">{escape(label)}</a>'
                          f'</p><p style="font-size:90%;color:#555">{escape(url)}</p>')
    text = "\n\n".join(text_parts) + f"\n\n-- \n{footer}\n"
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(subject)}</title></head>'
            f'<body style="font-family:sans-serif;line-height:1.45;max-width:40em">{"".join(html_parts)}'
            f'<hr><p style="font-size:85%;color:#666">{escape(footer)}</p></body></html>')
    return Rendered(subject, text, html)


def zone_sentence(zone: str, at: datetime | None = None) -> Msg:
    """The time zone spelled out, with its offset from UTC: a participant abroad must not guess it."""
    return Msg("All times are in the mission's time zone: %(zone)s.", zone=LocalizedZone(zone, at))


def reader_zone_sentence(zone: str, reader_zone: str | None, at: datetime | None = None) -> Msg | None:
    """Where the reader's clock differs from the mission's: by how much, with their zone named."""
    ahead = zone_difference(zone, reader_zone, at)
    if ahead is None:
        return None
    hours = hours_text(ahead)
    if ahead < 0:
        return Msg("Your own time (%(zone)s) is %(hours)s h behind the mission's: subtract them from the times in "
                   "this letter.",
                   zone=LocalizedZone(reader_zone, at), hours=hours)
    return Msg("Your own time (%(zone)s) is %(hours)s h ahead of the mission's: add them to the times in this letter.",
               zone=LocalizedZone(reader_zone, at), hours=hours)


def with_reader_zone(letter: Letter, reader_zone: str | None) -> Letter:
    """The letter with the reader's own time added where its times are in another zone."""
    if not letter.zone:
        return letter
    sentence = reader_zone_sentence(letter.zone, reader_zone)
    if sentence is None:
        return letter
    return replace(letter, paragraphs=[*letter.paragraphs, sentence])


class AsWritten(str):
    """What a person wrote (an organiser's message): said as it is in every language, never looked up in the
    catalogs (a subject that happens to read "Requests" stays so)."""

    def localized(self, lang: str) -> str:
        return str(self)


def as_written(text: str) -> Msg:
    return Msg("%(text)s", text=AsWritten(text))


@dataclass(frozen=True)
class LocalizedZone:
    """A zone said in the reader's language when the message is ('Барнаул, UTC+7')."""

    zone: str
    at: datetime | None = None

    def localized(self, lang: str) -> str:
        return zone_text(self.zone, lang, self.at)
