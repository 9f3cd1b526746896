"""Times as people read them: always in a named zone with its offset («18:00 (Барнаул, UTC+7)»), and where
the reader lives in another zone, their own time beside it. One policy for pages, PDFs, mails and calendars.

A stored moment is UTC (an aware datetime, or a naive one taken as UTC); a mission's slots are local times
of the mission's zone (naive)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location

from hamkor.i18n.numbers import locale_of

# Where a participant reads from, by their territory: the zone a company's people live by. A territory
# not named here (and a country spanning several zones) gives no reader zone: only the mission's is shown.
TERRITORY_ZONES = {"RU-ALT": "Asia/Barnaul", "RU-NVS": "Asia/Novosibirsk", "RU-OMS": "Asia/Omsk",
                   "RU-TOM": "Asia/Tomsk", "RU-KEM": "Asia/Novokuznetsk", "RU-AL": "Asia/Barnaul",
                   "RU-MOW": "Europe/Moscow", "RU-SPE": "Europe/Moscow", "UZ": "Asia/Tashkent",
                   "KZ": "Asia/Almaty", "KG": "Asia/Bishkek", "TJ": "Asia/Dushanbe", "BY": "Europe/Minsk"}

YOUR_TIME = {"ru": "по вашему времени", "uz": "sizning vaqtingiz bilan", "en": "your time"}


def territory_zone(code: str | None) -> str | None:
    """The zone of a territory: a region's own, else its country's where the country has one zone."""
    if not code:
        return None
    code = code.upper()
    return TERRITORY_ZONES.get(code) or TERRITORY_ZONES.get(code.split("-")[0])


def offset_text(zone: str, at: datetime | None = None) -> str:
    """'UTC+7', 'UTC+5:30', 'UTC' — the offset the zone has at that moment (summer time included)."""
    moment = as_utc(at or datetime.now(UTC)).astimezone(ZoneInfo(zone))
    minutes = int(moment.utcoffset().total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_text(zone: str, lang: str, at: datetime | None = None) -> str:
    """'Барнаул, UTC+7' / 'Toshkent, UTC+5' / 'UTC': the zone's city in the reader's language and its offset."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    try:
        city = get_timezone_location(ZoneInfo(zone), locale=locale_of(lang), return_city=True)
    except (LookupError, ValueError):
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city}, {offset_text(zone, at)}"


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _date(local: datetime, lang: str) -> str:
    return local.strftime("%d/%m/%Y" if lang == "en" else "%d.%m.%Y")


def zoned(moment: datetime | None, zone: str, lang: str, reader_zone: str | None = None,
          with_date: bool = True) -> str:
    """'18.12.2026, 18:00 (Барнаул, UTC+7)', and where the reader's zone differs
    '… — по вашему времени 16:00 (Ташкент, UTC+5)' (with the date when it is another day there)."""
    if moment is None:
        return ""
    utc = as_utc(moment)
    local = utc.astimezone(ZoneInfo(zone))
    text = (f"{_date(local, lang)}, " if with_date else "") + f"{local:%H:%M} ({zone_text(zone, lang, utc)})"
    if reader_zone and reader_zone != zone and offset_text(reader_zone, utc) != offset_text(zone, utc):
        theirs = utc.astimezone(ZoneInfo(reader_zone))
        day = f"{_date(theirs, lang)}, " if with_date and theirs.date() != local.date() else ""
        text += f" — {YOUR_TIME.get(lang, YOUR_TIME['en'])} {day}{theirs:%H:%M} ({zone_text(reader_zone, lang, utc)})"
    return text


def local_moment(local: datetime, zone: str) -> datetime:
    """A naive local time of a zone (a mission slot) as the UTC moment it is."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def zone_difference(zone: str, reader_zone: str | None, at: datetime | None = None) -> int | None:
    """How many minutes the reader's clock is ahead of the zone's (negative: behind); None when the same."""
    if not reader_zone or reader_zone == zone:
        return None
    moment = as_utc(at or datetime.now(UTC))
    ahead = moment.astimezone(ZoneInfo(reader_zone)).utcoffset() - moment.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(ahead.total_seconds() // 60)
    return minutes or None


def hours_text(minutes: int) -> str:
    """A difference between two clocks as people say it: '2', '4:30' (hours, sign left to the sentence)."""
    whole, rest = divmod(abs(minutes), 60)
    return f"{whole}:{rest:02d}" if rest else str(whole)
