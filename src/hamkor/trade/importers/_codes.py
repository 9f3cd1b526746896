"""Country codes as the international databases write them (M49-based, with their quirks)."""

from __future__ import annotations

from hamkor.reference.countries import UNALLOCATED, WITHDRAWN_NUMERIC, countries

WORLD = "0"
# Where UN Comtrade and BACI use an M49 code that differs from ISO 3166-1 numeric.
M49_EXCEPTIONS = {"842": "US", "251": "FR", "757": "CH", "699": "IN", "579": "NO",
                  "490": "TW", "711": "ZA", "58": "BE"}
# "Areas, not elsewhere specified", bunkers, free zones and the like: not a country, but a
# share of the total that must stay in it.
NOT_ALLOCATED = {"899", "837", "838", "839", "568", "577", "527", "636", "473", "492", "697",
                 "536", "637", "290", "879", "849", "457", "472", "471", "820"}


def m49_to_alpha2() -> dict[str, str]:
    """Numeric code (without leading zeros) -> alpha-2, including the buckets above."""
    mapping = {c.numeric.lstrip("0") or "0": c.alpha2 for c in countries()}
    mapping.update({code.lstrip("0"): alpha2 for code, alpha2 in WITHDRAWN_NUMERIC.items()})
    mapping.update(M49_EXCEPTIONS)
    mapping.update({code: UNALLOCATED for code in NOT_ALLOCATED})
    return mapping
