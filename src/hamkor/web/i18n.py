"""The helpers a template gets for its reader's language (catalogs and numbers live in hamkor.i18n)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from hamkor.companies.sectors import sector_name
from hamkor.i18n import Msg, field_label, language_name, localize, translations
from hamkor.i18n.numbers import format_money, format_number, format_percent, month_name, short_date
from hamkor.i18n.times import YOUR_TIME, as_utc, zone_text, zoned
from hamkor.trade.facts import source_title
from hamkor.trade.figures import money_text, months_text


def template_helpers(lang: str, home_zone: str = "UTC", reader_zone: str | None = None) -> dict:
    """Per-request helpers (never installed on the shared environment: requests differ in language).

    home_zone: the instance's zone, where staff's times (imports, mails sent, tokens) are read;
    reader_zone: the reader's own, when known (a company's territory), else the browser adds it."""
    t = translations(lang)

    def gettext(message: str, **values) -> str:
        if isinstance(message, Msg):  # a domain's sentence with its values
            return localize(message, lang)
        text = t.gettext(message)
        if any(isinstance(v, Markup) for v in values.values()):
            return Markup(text) % values  # a marked-up value (a <time>) stays markup; the others are escaped
        return text % values if values else text

    def ngettext(singular: str, plural: str, num: int, **values) -> str:
        return t.ngettext(singular, plural, num) % {"num": num, **values}

    def when(moment) -> str:
        """A recorded moment in the reader's zone (the instance's for staff), the zone named."""
        if isinstance(moment, str):  # an ISO moment kept in a JSON record
            try:
                moment = datetime.fromisoformat(moment)
            except ValueError:
                return moment
        return zoned(moment, reader_zone or home_zone, lang) if moment else ""

    def day(value) -> str:
        """A date in a table or list, as numbers.short_date writes it (an ISO text or a date)."""
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return value
        return short_date(value, lang) if value else ""

    def mission_time(moment, zone: str) -> Markup:
        """A moment of a mission in the mission's zone, and the reader's own time beside it: from their
        territory when known, else from their browser (app.js reads data-zone; see `local-time`)."""
        if not moment:
            return Markup("")
        text = zoned(moment, zone, lang, reader_zone)
        offset = int(as_utc(moment).astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)
        return Markup('<time datetime="{}" data-zone="{}" data-offset="{}" data-your-time="{}"{}>{}</time>').format(
            as_utc(moment).isoformat(), zone, offset, YOUR_TIME.get(lang, YOUR_TIME["en"]),
            Markup(" data-reader-known") if reader_zone else Markup(""), escape(text))

    return {
        "_": gettext, "ngettext": ngettext, "lang": lang, "when": when, "mission_time": mission_time,
        "zone": lambda name: zone_text(name, lang), "day": day,
        "field_name": lambda name: field_label(name, lang),
        "source_title": lambda source: gettext(source_title(source)),
        "sector": lambda key: sector_name(key, lang),
        "language_list": lambda codes: ", ".join(language_name(code, lang) for code in codes or []),
        "sector_list": lambda keys: ", ".join(sector_name(key, lang) for key in keys or []),
        "money": lambda v: format_money(v, lang),
        "number": lambda v, digits=1: format_number(v, lang, digits),
        "percent": lambda v: format_percent(v, lang),
        # a trade figure (trade.figures.Figure): its value, or «нет данных»; the months a figure adds up
        "figure": lambda f: money_text(f, lang),
        "months": lambda keys: months_text(keys, lang),
        "month_label": lambda month: month_name(month, lang),
    }
