"""One importer per file format; `IMPORTERS` maps the CLI kind to it."""

from __future__ import annotations

from hamkor.trade.importers.baci import BaciImporter
from hamkor.trade.importers.base import Importer, ImportOptions, LoadResult
from hamkor.trade.importers.comtrade import ComtradeImporter
from hamkor.trade.importers.fts import FtsNationalImporter, FtsRegionalImporter
from hamkor.trade.importers.fts_partners import FtsPartnersImporter
from hamkor.trade.importers.uzstat import UzstatImporter

IMPORTERS: dict[str, Importer] = {
    importer.kind: importer
    for importer in (
        FtsRegionalImporter(), FtsNationalImporter(), ComtradeImporter(), BaciImporter(),
        UzstatImporter(), FtsPartnersImporter(),
    )
}

__all__ = ["IMPORTERS", "ImportOptions", "Importer", "LoadResult"]
