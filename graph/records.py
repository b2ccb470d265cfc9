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


# --- paths (issue 3: connection, potentialPartners) ---------------------------------------------
@dataclass(slots=True, kw_only=True)
class PathStepRecord:
    """One relationship of a path, as stored: its type, its source and target global ids."""

    type: str  # a graph.model.RelType value
    source: str  # global id, e.g. "Person:ana"
    target: str
    roles: list[str] = field(default_factory=list)
    since: datetime.date | None = None


@dataclass(slots=True, kw_only=True)
class PathRecord:
    """Nodes from the start to the end, and the relationship between each consecutive pair."""

    nodes: list[NodeRecord]
    relationships: list[PathStepRecord]


@dataclass(slots=True, kw_only=True)
class PathSearch:
    """The answer to a shortest-path question; `missing` names the ends that do not exist."""

    paths: list[PathRecord] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class PartnerReasonRecord:
    kind: str  # COMMON_COLLABORATOR | SHARED_INSTITUTION | SHARED_RESERVE | SHARED_THEME
    count: int
    nodes: list[NodeRecord]  # at most 5, by id


@dataclass(slots=True, kw_only=True)
class PartnerSuggestionRecord:
    person: PersonRecord
    score: float
    reasons: list[PartnerReasonRecord]
    path: PathRecord | None = None


# --- search and geography (issue 3: search, reservesNear) ---------------------------------------
@dataclass(slots=True, kw_only=True)
class SearchHit:
    """A node found by full-text search, with the engine's relevance score (higher is better)."""

    node: NodeRecord
    score: float


@dataclass(slots=True, kw_only=True)
class ReserveDistance:
    """A reserve and its great-circle distance in kilometres from the point asked about."""

    reserve: ReserveRecord
    distance_km: float


# --- analytics: figures and network drawing (issue 3: network, exportNetwork, stats) ----------
@dataclass(slots=True, kw_only=True)
class GraphFilter:
    """The part of the graph a drawing, an export or the figures are about (see schema/analytics.py
    for the exact semantics). None means "no condition"; keys are bare node keys."""

    themes: list[str] | None = None
    countries: list[str] | None = None
    networks: list[str] | None = None
    kinds: list[Kind] | None = None
    since: int | None = None

    @property
    def whole(self) -> bool:
        """No scope condition: the whole graph (`kinds` only filters what is returned)."""
        conditions = (self.themes, self.countries, self.networks, self.since)
        return all(condition is None for condition in conditions)


@dataclass(slots=True, kw_only=True)
class GraphNode:
    node: NodeRecord
    label: str
    degree: int  # relationships among the nodes returned


@dataclass(slots=True, kw_only=True)
class GraphRelationship:
    source: str  # global ids
    target: str
    type: str  # a RelType value
    weight: float


@dataclass(slots=True, kw_only=True)
class NetworkSlice:
    nodes: list[GraphNode]
    relationships: list[GraphRelationship]
    total_nodes: int
    total_relationships: int
    truncated: bool


@dataclass(slots=True, kw_only=True)
class KeyCount:
    key: str
    label: str | None
    count: int


@dataclass(slots=True, kw_only=True)
class RankedNode:
    node: NodeRecord
    count: int


@dataclass(slots=True, kw_only=True)
class GraphStats:
    counts: dict[Kind, int]
    projects_per_theme: list[KeyCount]
    people_per_theme: list[KeyCount]
    projects_per_country: list[KeyCount]
    people_per_country: list[KeyCount]
    projects_per_year: list[KeyCount]
    top_institutions: list[RankedNode]
    top_reserves: list[RankedNode]
    people: int  # people taking part in a project in scope
    collaboration_pairs: int  # pairs of them sharing a project in scope


# --- insights: collaboration gaps and centrality (issue 3) --------------------------------------
@dataclass(slots=True, kw_only=True)
class ReserveGap:
    """Two reserves (by key) that address the same themes but share no project."""

    reserves: list[ReserveRecord]
    shared_themes: list[ThemeRecord]


@dataclass(slots=True, kw_only=True)
class CollaborationEdge:
    """Two nodes of one kind that collaborate (source key < target key), and how often."""

    source: str
    target: str
    weight: int


# --- membership applications (issue 4) ----------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class ApplicationRecord:
    """A reserve's application to join a network (an internal `Application` node, not a Kind).

    `reserve` and `network` are bare keys; the contact details are personal data, shown to the
    secretariat only. `state` is SUBMITTED, then APPROVED or REJECTED (see graph/_membership.py).
    """

    id: str
    state: str
    reserve: str
    network: str
    contact_name: str
    contact_email: str
    motivation: str
    submitted_at: datetime.datetime
    decided_at: datetime.datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    since: datetime.date | None = None  # the membership date given on approval


@dataclass(slots=True, kw_only=True)
class ApplicationPage:
    items: list[ApplicationRecord]
    has_next: bool


# --- API keys (issue 4: who may do what) --------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class ApiKeyRecord:
    """An API key (an internal `ApiKey` node, not a Kind). Only the secret's SHA-256 is kept:
    `hash` is what a presented key is compared with; the key itself is shown once, at creation.

    `role` is a schema.permissions.Role value; `reserves`/`institutions` are the keys an editor
    may write to. Times are ISO 8601 strings in UTC.
    """

    id: str
    name: str
    role: str
    reserves: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    hash: str
    created_at: str
    revoked_at: str | None = None


# --- mutations and the audit trail (issue 4) ----------------------------------------------------
@dataclass(slots=True, kw_only=True)
class ChangeRecord:
    """One audited write: an internal `Change` node linked to nothing (it outlives the node).

    `node` is the global id written to (for a relationship: its source; none for a bulk import,
    whose `after` says which lines and how many of each kind), `other` the target of a
    relationship; `before`/`after` are JSON texts of the stored properties (null: absent).
    `at` is an ISO 8601 UTC time with microseconds ("2025-01-31T12:00:00.000000+00:00"): it sorts.
    """

    id: str
    at: str
    actor: str
    request_id: str | None = None
    operation: str
    node: str | None = None
    other: str | None = None
    before: str | None = None
    after: str | None = None


@dataclass(slots=True, kw_only=True)
class ChangePage:
    items: list[ChangeRecord]
    has_next: bool


@dataclass(slots=True, kw_only=True)
class NodeWrite:
    """The node as stored after a write, and whether anything changed (a retry changes nothing)."""

    node: NodeRecord
    changed: bool


@dataclass(slots=True, kw_only=True)
class LinkWrite:
    """Both ends of a relationship and its properties (after link; before unlink)."""

    type: str  # a graph.model.RelType value
    source: NodeRecord
    target: NodeRecord
    roles: list[str] = field(default_factory=list)
    since: datetime.date | None = None
    changed: bool = True


@dataclass(slots=True, kw_only=True)
class Audit:
    """Who writes, from which request, and the operation's name ("createReserve", "link", ...)."""

    actor: str
    request_id: str | None
    operation: str


@dataclass(slots=True, kw_only=True)
class ChangeFilter:
    """Which changes to list: about a node (global id, either end of a relationship), since a
    time (ISO 8601 UTC as in ChangeRecord.at), by an actor. None: no condition."""

    node: str | None = None
    since: str | None = None
    actor: str | None = None
