"""Where the capitals are, and the great-circle distances the gravity-style methods need.

A region is placed at its own capital (Altai Krai at Barnaul, not at Moscow): that is what
gives a region its own distance to each market.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from hamkor.reference._files import read_table

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Capital:
    code: str  # alpha-2 country or ISO 3166-2 region
    city: str
    latitude: float
    longitude: float


@cache
def capitals() -> dict[str, Capital]:
    return {row["code"]: Capital(row["code"], row["city"], float(row["latitude"]), float(row["longitude"]))
            for row in read_table("capitals.tsv")}


def capital(code: str) -> Capital | None:
    return capitals().get(code.strip().upper())


def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two capitals; None when either is not in the table."""
    first, second = capital(a), capital(b)
    if first is None or second is None:
        return None
    return haversine_km(first.latitude, first.longitude, second.latitude, second.longitude)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
