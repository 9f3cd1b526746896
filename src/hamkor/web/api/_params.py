"""Parameters the API's modules share: how a reporter, partner, period and language are written."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

Reporter = Annotated[str, Query(min_length=2, max_length=10, pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$",
                                description="A country (ISO 3166-1 alpha-2) or a region (ISO 3166-2)")]
Partner = Annotated[str, Query(min_length=2, max_length=6, description="Country, CIS, EAEU, EU or WORLD")]
PeriodText = Annotated[str, Query(min_length=4, max_length=20,
                                  description="YYYY, YYYY-Qn, YYYY-MM, YYYY-MM..YYYY-MM or YYYY-YTD-MM")]
Lang = Literal["ru", "uz", "en"]
SourceName = Annotated[str | None, Query(max_length=60, description="Pin one source (its label, e.g. fts-regional); "
                                                                    "default: per month by the stated rule")]

# A record a JSON body names: what every database's INTEGER holds, so -2^100 is a 422, not a driver error.
RecordRef = Annotated[int, Field(ge=1, le=2**31 - 1, description="A record number")]


class StrictIn(BaseModel):
    """A JSON body taken as declared, without coercion: `false` is no number and "1" no integer (schemathesis'
    negative-data check holds us to the schema we publish)."""

    model_config = ConfigDict(strict=True)
