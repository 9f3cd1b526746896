"""Tax identifiers: Russia's INN (10 digits for organisations, 12 for individuals, with check
digits) and Uzbekistan's STIR (9 digits; no check digit is published, so only the form is checked)."""

from __future__ import annotations

from hamkor.i18n import Msg

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


class TaxIdError(ValueError):
    """The identifier is malformed; the message says what is wrong."""


def _ascii_digits(text: str) -> bool:
    """Digits 0-9 only: `str.isdigit` also takes "²" and "①", which `int` then refuses (a 500 once)."""
    return bool(text) and all("0" <= ch <= "9" for ch in text)


def _check(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def validate_inn(value: str) -> str:
    digits_text = value.strip().replace(" ", "")
    if not _ascii_digits(digits_text):
        raise TaxIdError(Msg("INN '%(value)s' must contain digits only", value=value))
    digits = [int(c) for c in digits_text]
    if len(digits) == 10:
        if _check(digits, INN10_WEIGHTS) != digits[9]:
            raise TaxIdError(Msg("INN %(digits_text)s: the check digit is wrong (expected %(digits)s)",
                                 digits_text=digits_text, digits=_check(digits, INN10_WEIGHTS)))
    elif len(digits) == 12:
        first, second = _check(digits, INN11_WEIGHTS), _check(digits, INN12_WEIGHTS)
        if first != digits[10] or second != digits[11]:
            raise TaxIdError(Msg("INN %(digits_text)s: the check digits are wrong (expected %(first)s%(second)s "
                                 "at the end)",
                                 digits_text=digits_text, first=first, second=second))
    else:
        raise TaxIdError(Msg("INN %(digits_text)s has %(digits)s digits: 10 (organisation) or 12 (individual) expected",
                             digits_text=digits_text, digits=len(digits)))
    return digits_text


def validate_stir(value: str) -> str:
    digits_text = value.strip().replace(" ", "")
    if not _ascii_digits(digits_text) or len(digits_text) != 9:
        raise TaxIdError(Msg("STIR '%(value)s' must be 9 digits", value=value))
    if digits_text[0] == "0":
        raise TaxIdError(Msg("STIR %(digits_text)s cannot start with 0", digits_text=digits_text))
    return digits_text


def validate_tax_id(country: str, value: str | None) -> str | None:
    """The identifier in its normal form (digits only), or None when there is none."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if text.endswith(".0"):  # a spreadsheet turned the number into a float
        text = text[:-2]
    if country == "RU":
        return validate_inn(text)
    if country == "UZ":
        return validate_stir(text)
    if not text.replace(" ", "").replace("-", "").isalnum():
        raise TaxIdError(Msg("tax ID '%(value)s' must be letters and digits", value=value))
    return text.replace(" ", "").replace("-", "")
