"""Static reference data: nomenclatures (HS, TN VED), countries, regions.

Loaded from the packaged files on first use and kept in memory.
"""

from hamkor.reference.countries import Country, countries
from hamkor.reference.nomenclature import CodeEntry, Nomenclature, nomenclature
from hamkor.reference.regions import Region, regions

__all__ = [
    "CodeEntry", "Country", "Nomenclature", "Region", "countries", "nomenclature", "regions",
]
