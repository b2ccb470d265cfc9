"""Plain records the store returns. Builtins only; the GraphQL types subclass them.

Not frozen (a Strawberry type subclasses them, see STYLE.md), but treat them as immutable.
No ``from __future__ import annotations`` here: inherited annotations resolve in schema modules.
"""

import datetime
from dataclasses import dataclass, field
from typing import ClassVar

from graph.model import Kind


@dataclass(slots=True, kw_only=True)
class Provenance:
    field: str
    value: str
    source_url: str | None = None
    note: str | None = None


@dataclass(slots=True, kw_only=True)
class ReserveRecord:
    KIND: ClassVar[Kind] = Kind.RESERVE
    id: str
    name: str
    country: str
    designation_year: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    area_km2: float | None = None
    max_elevation_m: int | None = None
    mountain: bool | None = None
    source_url: str | None = None
    provenance: list[Provenance] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class InstitutionRecord:
    KIND: ClassVar[Kind] = Kind.INSTITUTION
    id: str
    name: str
    kind: str
    country: str | None = None
    url: str | None = None
    source_url: str | None = None


@dataclass(slots=True, kw_only=True)
class ProjectRecord:
    KIND: ClassVar[Kind] = Kind.PROJECT
    id: str
    title: str
    description: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    synthetic: bool = False


@dataclass(slots=True, kw_only=True)
class PersonRecord:
    KIND: ClassVar[Kind] = Kind.PERSON
    id: str
    name: str
    country: str | None = None
    email: str | None = None  # personal data: never exposed publicly
    synthetic: bool = False


@dataclass(slots=True, kw_only=True)
class ThemeRecord:
    KIND: ClassVar[Kind] = Kind.THEME
    id: str
    label: str
    definition: str | None = None
    sdg_goals: list[int] = field(default_factory=list)
    source_url: str | None = None


@dataclass(slots=True, kw_only=True)
class NetworkRecord:
    KIND: ClassVar[Kind] = Kind.NETWORK
    id: str
    name: str
    description: str | None = None
    country: str | None = None
    url: str | None = None
    founded: datetime.date | None = None
    source_url: str | None = None


NodeRecord = (
    ReserveRecord | InstitutionRecord | ProjectRecord | PersonRecord | ThemeRecord | NetworkRecord
)

RECORD_TYPES: dict[Kind, type[NodeRecord]] = {
    Kind.RESERVE: ReserveRecord,
    Kind.INSTITUTION: InstitutionRecord,
    Kind.PROJECT: ProjectRecord,
    Kind.PERSON: PersonRecord,
    Kind.THEME: ThemeRecord,
    Kind.NETWORK: NetworkRecord,
}


@dataclass(slots=True, kw_only=True)
class Link:
    """A neighbour reached through one relationship, with that relationship's properties."""

    node: NodeRecord
    roles: list[str] = field(default_factory=list)
    since: datetime.date | None = None


@dataclass(slots=True, kw_only=True)
class Page:
    """One page of a list ordered by key: the items, whether more follow, and the total."""

    items: list[NodeRecord]
    has_next: bool


@dataclass(slots=True, kw_only=True)
class LinkPage:
    items: list[Link]
    has_next: bool
    total: int


@dataclass(slots=True, kw_only=True)
class SharedProject:
    project: ProjectRecord
    themes: list[ThemeRecord]


@dataclass(slots=True, kw_only=True)
class Collaborator:
    person: PersonRecord
    shared_projects: list[ProjectRecord]
    shared_themes: list[ThemeRecord]
    shared_institutions: list[InstitutionRecord] = field(default_factory=list)
    shared_reserves: list[ReserveRecord] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    rejected: list["Rejection"] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


@dataclass(slots=True, kw_only=True)
class Rejection:
    line: int
    reason: str
