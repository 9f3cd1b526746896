"""Numbers as each language writes them (Babel's CLDR data): 1 234,5 in Russian."""

from __future__ import annotations

from babel.numbers import format_decimal


def format_number(value: float, lang: str = "ru", digits: int = 1, signed: bool = False) -> str:
    pattern = ("+" if signed else "") + "#,##0." + "0" * digits
    if signed:
        pattern += ";-#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale={"uz": "uz_Latn_UZ"}.get(lang, lang))
