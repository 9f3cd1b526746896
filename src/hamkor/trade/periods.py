"""Reporting periods: a month range, a year to date, a quarter, a year."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hamkor.errors import Problem
from hamkor.i18n import Msg

YearMonth = tuple[int, int]
# The years a trade figure can belong to: wide enough for any statistics publication, narrow enough to
# catch a typo (20255) before it reaches a query.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class PeriodError(Problem):
    """A period the user wrote that cannot be read."""


@dataclass(frozen=True)
class Period:
    first: YearMonth
    last: YearMonth
    kind: str = "months"  # months | year | quarter | ytd

    def __post_init__(self) -> None:
        for year, month in (self.first, self.last):
            if not (1 <= month <= 12) or not (FIRST_YEAR <= year <= LAST_YEAR):
                raise PeriodError(Msg("not a valid month: %(year)s-%(month)s", year=year, month=format(month, '02d')))
        if self.first > self.last:
            raise PeriodError("the period ends before it starts")

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def months(cls, year: int, first: int = 1, last: int = 12) -> Period:
        kind = "year" if (first, last) == (1, 12) else "ytd" if first == 1 else "months"
        return cls((year, first), (year, last), kind)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls((year, 1), (year, 12), "year")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise PeriodError(Msg("quarter must be 1..4, not %(quarter)s", quarter=quarter))
        return cls((year, 3 * quarter - 2), (year, 3 * quarter), "quarter")

    @classmethod
    def parse(cls, text: str) -> Period:
        """2025 | 2025-Q3 | 2025-09 | 2025-01..2025-09 | 2024-10..2025-09 | 2025-YTD-09."""
        value = text.strip().upper()
        if m := re.fullmatch(r"(\d{4})", value):
            return cls.year(int(m[1]))
        if m := re.fullmatch(r"(\d{4})-?Q([1-4])", value):
            return cls.quarter(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-YTD-?(\d{1,2})", value):
            return cls.months(int(m[1]), 1, int(m[2]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            return cls.months(int(m[1]), int(m[2]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})\s*\.\.\s*(\d{4})-(\d{1,2})", value):
            first, last = (int(m[1]), int(m[2])), (int(m[3]), int(m[4]))
            if first[0] == last[0]:
                return cls.months(first[0], first[1], last[1])
            return cls(first, last, "months")
        raise PeriodError(Msg("cannot read the period '%(text)s': write 2025, 2025-Q3, 2025-09, 2025-01..2025-09 "
                              "or 2025-YTD-09",
                              text=text))

    # -- what it covers -----------------------------------------------------------------------
    @property
    def whole_years(self) -> bool:
        return self.first[1] == 1 and self.last[1] == 12

    @property
    def single_year(self) -> bool:
        return self.first[0] == self.last[0]

    def month_list(self) -> list[YearMonth]:
        result = []
        year, month = self.first
        while (year, month) <= self.last:
            result.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result

    def previous_year(self) -> Period:
        return Period((self.first[0] - 1, self.first[1]), (self.last[0] - 1, self.last[1]), self.kind)

    def sql(self, alias: str = "") -> tuple[str, list]:
        """Condition on (year, month). Annual rows count only when whole years are asked."""
        p = f"{alias}." if alias else ""
        monthly = f"({p}month IS NOT NULL AND CAST({p}year AS INTEGER) * 100 + {p}month BETWEEN ? AND ?)"
        params = [self.first[0] * 100 + self.first[1], self.last[0] * 100 + self.last[1]]
        if self.whole_years:
            return (f"({monthly} OR ({p}month IS NULL AND {p}year BETWEEN ? AND ?))",
                    [*params, self.first[0], self.last[0]])
        return monthly, params

    def label(self) -> str:
        if self.kind == "year" and self.single_year:
            return str(self.first[0])
        if self.kind == "quarter":
            return f"{self.first[0]}-Q{(self.first[1] + 2) // 3}"
        if self.first == self.last:
            return f"{self.first[0]}-{self.first[1]:02d}"
        return f"{self.first[0]}-{self.first[1]:02d}..{self.last[0]}-{self.last[1]:02d}"
