"""What a valid node or relationship looks like, checked before anything is written.

One pydantic model per kind (its fields are the record's fields) and one for relationship
properties. Unknown properties are refused, so a typo never lands silently.
"""

import datetime
import re
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.model import InstitutionKind, Kind

KEY_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}\Z")

Name = Annotated[str, Field(min_length=1, max_length=300)]
Text = Annotated[str, Field(max_length=5000)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)]
Year = Annotated[int, Field(ge=1900, le=2100)]
Role = Annotated[str, Field(min_length=1, max_length=60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProvenanceIn(_Strict):
    field: Annotated[str, Field(min_length=1, max_length=200)]
    value: Annotated[str, Field(max_length=2000)]
    source_url: Url | None = None
    note: Text | None = None


class ReserveIn(_Strict):
    name: Name
    country: Country
    designation_year: Year | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    area_km2: Annotated[float, Field(ge=0)] | None = None
    max_elevation_m: Annotated[int, Field(ge=-500, le=9000)] | None = None
    mountain: bool | None = None
    source_url: Url | None = None
    provenance: list[ProvenanceIn] = []

    @model_validator(mode="after")
    def _both_coordinates(self) -> "ReserveIn":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together: give both or neither")
        return self


class InstitutionIn(_Strict):
    name: Name
    kind: InstitutionKind
    country: Country | None = None
    url: Url | None = None
    source_url: Url | None = None


class ProjectIn(_Strict):
    title: Name
    description: Text | None = None
    start_year: Year | None = None
    end_year: Year | None = None
    synthetic: bool = False

    @model_validator(mode="after")
    def _years_in_order(self) -> "ProjectIn":
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValueError("end_year is before start_year")
        return self


class PersonIn(_Strict):
    name: Name
    country: Country | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)] | None = (
        None
    )
    synthetic: bool = False


class ThemeIn(_Strict):
    label: Name
    definition: Text | None = None
    sdg_goals: list[Annotated[int, Field(ge=1, le=17)]] = []
    source_url: Url | None = None


class NetworkIn(_Strict):
    name: Name
    description: Text | None = None
    country: Country | None = None
    url: Url | None = None
    founded: datetime.date | None = None
    source_url: Url | None = None


class LinkPropsIn(_Strict):
    roles: list[Role] = []
    since: datetime.date | None = None


NODE_MODELS: Final[dict[Kind, type[_Strict]]] = {
    Kind.RESERVE: ReserveIn,
    Kind.INSTITUTION: InstitutionIn,
    Kind.PROJECT: ProjectIn,
    Kind.PERSON: PersonIn,
    Kind.THEME: ThemeIn,
    Kind.NETWORK: NetworkIn,
}


def describe(error: ValidationError) -> str:
    """One line naming each bad field and why: `country: String should match ...`."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "properties"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def validate_node(kind: Kind, props: Any) -> dict[str, Any]:
    """Checked properties with defaults applied; raises ValidationError."""
    model = NODE_MODELS[kind].model_validate(props)
    return model.model_dump(exclude_none=True, mode="json")


def validate_link(allowed: tuple[str, ...], props: Any) -> dict[str, Any]:
    checked = LinkPropsIn.model_validate(props or {})
    values = checked.model_dump(exclude_none=True, mode="json")
    extra = sorted(k for k, v in values.items() if k not in allowed and v not in ([], None))
    if extra:
        raise ValueError(f"properties not allowed on this relationship: {', '.join(extra)}")
    return {k: v for k, v in values.items() if k in allowed}
