"""Numbers, money, ordinals, plural forms and periods as each language writes them.

Number and plural rules come from Babel's CLDR data: "1 234,5" and three plural forms in
Russian, "1,234.5" in English. Words that CLDR lacks (ordinals, the unit phrases) are here.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

LOCALES = {"ru": "ru_RU", "uz": "uz_Latn_UZ", "en": "en_GB"}


def locale_of(lang: str) -> str:
    return LOCALES.get(lang, lang)


def format_number(value: float, lang: str = "ru", digits: int = 1, signed: bool = False) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if signed:
        pattern = "+" + pattern + ";-" + pattern
    # Rounded half up, as a person rounds (1,25 -> 1,3): Babel would round half to even (1,2).
    exact = Decimal(repr(float(value)))
    rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP) if exact.is_finite() else exact
    text = format_decimal(rounded, format=pattern, locale=locale_of(lang))
    # An official Russian or Uzbek text writes the minus sign, not a hyphen ("−2,3"); CLDR gives "-".
    return text.replace("-", MINUS) if lang in ("ru", "uz") else text


MINUS = "\u2212"


def format_percent(value: float | None, lang: str = "ru", signed: bool = True, na: str = "n/a") -> str:
    """'+33,0\u00a0%' in Russian and Uzbek (a no-break space before the sign, as officials write it), '+33.0%'."""
    if value is None:
        return {"ru": "н/д", "uz": "m/y"}.get(lang, na)
    return format_number(value, lang, 1, signed) + ("%" if lang == "en" else "\u00a0%")


# Scale words for money: (threshold, divisor, {lang: unit phrase}).
# Officials write "1 234,5 млн долл. США": millions up to ten billion, then billions.
_MONEY_SCALES = [
    (1e10, 1e9, {"ru": "млрд долл. США", "uz": "mlrd AQSh dollari", "en": "billion"}),
    (1e6, 1e6, {"ru": "млн долл. США", "uz": "mln AQSh dollari", "en": "million"}),
    (0.0, 1e3, {"ru": "тыс. долл. США", "uz": "ming AQSh dollari", "en": "thousand"}),
]


def money_scale(value: float) -> tuple[float, dict[str, str]]:
    for threshold, divisor, words in _MONEY_SCALES:
        if abs(value) >= threshold:
            return divisor, words
    return _MONEY_SCALES[-1][1], _MONEY_SCALES[-1][2]


def money_unit(divisor: float, lang: str = "ru") -> str:
    """The unit phrase for a scale: 'млн долл. США', 'mln AQSh dollari', 'USD million'."""
    words = next(w for _, d, w in _MONEY_SCALES if d == divisor)
    return f"USD {words['en']}" if lang == "en" else words.get(lang, words["ru"])


def format_money(value: float, lang: str = "ru", divisor: float | None = None) -> str:
    """'1 234,5 млн долл. США', '1 234,5 mln AQSh dollari', 'USD 1,234.5 million'."""
    scale, words = money_scale(value)
    if divisor is not None:
        scale = divisor
        words = next(w for _, d, w in _MONEY_SCALES if d == divisor)
    number = format_number(value / scale, lang)
    if lang == "en":
        return f"USD {number} {words['en']}"
    return f"{number}\u00a0{words.get(lang, words['ru'])}"


def uz_attributive(money: str) -> str:
    """An Uzbek sum before the noun it measures takes -lik: '23,8 mln AQSh dollarlik salohiyat', not
    '… dollari salohiyat'. Other texts pass unchanged."""
    return money[:-len("dollari")] + "dollarlik" if money.endswith("dollari") else money


def plural(count: int, forms: dict[str, str], lang: str = "ru") -> str:
    """The CLDR plural category of count (one, few, many, other) picks the word form."""
    category = Locale.parse(locale_of(lang)).plural_form(count)
    return forms.get(category) or forms.get("other") or next(iter(forms.values()))


_ORDINALS = {
    "ru": ["первый", "второй", "третий", "четвёртый", "пятый", "шестой", "седьмой", "восьмой", "девятый",
           "десятый"],
    "uz": ["birinchi", "ikkinchi", "uchinchi", "toʻrtinchi", "beshinchi", "oltinchi", "yettinchi",
           "sakkizinchi", "toʻqqizinchi", "oʻninchi"],
    "en": ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"],
}


def ordinal(n: int, lang: str = "ru") -> str:
    """Masculine nominative in Russian (agrees with "партнёр")."""
    words = _ORDINALS.get(lang, _ORDINALS["en"])
    if 1 <= n <= len(words):
        return words[n - 1]
    if lang == "ru":
        return f"{n}-й"
    if lang == "uz":
        return f"{n}-"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def month_name(month: int, lang: str = "ru") -> str:
    """Stand-alone month name in the nominative, lower case where the language writes it so."""
    name = get_month_names("wide", context="stand-alone", locale=locale_of(lang))[month]
    return name if lang == "en" else name.lower()


def period_phrase(first: tuple[int, int], last: tuple[int, int], kind: str, lang: str = "ru") -> str:
    """'январь–сентябрь 2025 г.', '2025-yil yanvar–sentabr', 'January–September 2025'."""
    (y1, m1), (y2, m2) = first, last
    roman = ["I", "II", "III", "IV"]
    if kind == "quarter":
        q = (m1 + 2) // 3
        return {"ru": f"{roman[q - 1]} квартал {y1} г.", "uz": f"{y1}-yil {roman[q - 1]} chorak",
                "en": f"Q{q} {y1}"}.get(lang, f"Q{q} {y1}")
    if (m1, m2) == (1, 12) and y1 == y2:
        return {"ru": f"{y1} г.", "uz": f"{y1}-yil", "en": str(y1)}.get(lang, str(y1))
    if y1 == y2:
        months = month_name(m1, lang) if m1 == m2 else f"{month_name(m1, lang)}–{month_name(m2, lang)}"
        return {"ru": f"{months} {y1} г.", "uz": f"{y1}-yil {months}", "en": f"{months} {y1}"}.get(lang)
    start = {"ru": f"{month_name(m1, lang)} {y1} г.", "uz": f"{y1}-yil {month_name(m1, lang)}",
             "en": f"{month_name(m1, lang)} {y1}"}[lang]
    end = {"ru": f"{month_name(m2, lang)} {y2} г.", "uz": f"{y2}-yil {month_name(m2, lang)}",
           "en": f"{month_name(m2, lang)} {y2}"}[lang]
    return f"{start} – {end}"


def long_date(value: date, lang: str = "ru") -> str:
    """A date in running text: '7 декабря 2026 г.', '2026-yil 7-dekabr' (as Uzbek officials write it; CLDR
    gives '7-dekabr, 2026'), '7 December 2026'."""
    if lang == "uz":
        return f"{value.year}-yil {value.day}-{month_name(value.month, 'uz')}"
    return format_date(value, "long", locale=locale_of(lang))


def short_date(value: date, lang: str = "ru") -> str:
    """A date in a table: '07.12.2026' in Russian and Uzbek, '07/12/2026' in British English."""
    return value.strftime("%d/%m/%Y" if lang == "en" else "%d.%m.%Y")
