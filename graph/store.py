"""The store contract: what the GraphQL layer may ask of a database, whatever the engine.

Methods are async and batch-first: a method that takes a list of ids returns a list aligned to
it, so that each DataLoader's load function is one call. Records come back as the plain
dataclasses of `graph.records`; engine ids and driver types never leave `graph/`.

Every call to the database is counted in the current request's `RoundTrips` (a context
variable), which is how tests prove that nested queries do not cost one call per parent.
"""

import datetime
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from graph.model import Kind, Relation
from graph.records import (
    ApiKeyRecord,
    ApplicationPage,
    ApplicationRecord,
    Audit,
    ChangeFilter,
    ChangePage,
    CollaborationEdge,
    Collaborator,
    GraphFilter,
    GraphStats,
    LinkPage,
    LinkWrite,
    NetworkSlice,
    NodeRecord,
    NodeWrite,
    Page,
    PartnerSuggestionRecord,
    PathSearch,
    ReserveDistance,
    ReserveGap,
    SearchHit,
)


class CollaborationLink(StrEnum):
    """What two collaborators share: a project, an institution (both affiliated), a reserve."""

    PROJECT = "project"
    INSTITUTION = "institution"
    RESERVE = "reserve"


class Direction(StrEnum):
    """Which way a relationship is walked from the node we start at."""

    OUT = "out"  # from the relation's source to its target
    IN = "in"  # from the relation's target back to its source


class ApplicationState(StrEnum):
    """Where a membership application stands (issue 4; see graph/_membership.py)."""

    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundingBox:
    """A box of latitudes and longitudes in degrees, edges included; west > east means the box
    crosses the antimeridian (e.g. west 170, east -170 is the 20 degrees around 180)."""

    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeFilter:
    """Filters for a list of nodes. A filter a kind does not support is refused by the caller.

    `text` is matched case- and accent-insensitively against the node's name or title.
    """

    text: str | None = None
    country: str | None = None
    theme: str | None = None
    network: str | None = None
    institution_kind: str | None = None
    within: BoundingBox | None = None  # reserves whose coordinates are in this box
    # connection counts (issue 3, insights): at least this many distinct projects (reserves: sited
    # in them; institutions: partner in them); an institution with or without a co-partner abroad
    min_projects: int | None = None
    partner_abroad: bool | None = None


# Which filters each kind supports: the GraphQL layer offers exactly these arguments.
SUPPORTED_FILTERS: dict[Kind, frozenset[str]] = {
    Kind.RESERVE: frozenset({"text", "country", "theme", "network", "within", "min_projects"}),
    Kind.INSTITUTION: frozenset(
        {"text", "country", "network", "institution_kind", "min_projects", "partner_abroad"}
    ),
    Kind.PROJECT: frozenset({"text", "country", "theme"}),
    Kind.PERSON: frozenset({"text", "country", "theme"}),
    Kind.THEME: frozenset({"text"}),
    Kind.NETWORK: frozenset({"text"}),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportBatch:
    """Validated rows ready to write in one transaction.

    nodes: kind -> [{"id": ..., "props": {...}}]; links: relation -> [{"from", "to", "props"}].
    Property values are already in their stored form (see `graph.codec`).
    """

    nodes: dict[Kind, list[dict[str, Any]]] = field(default_factory=dict)
    links: dict[Relation, list[dict[str, Any]]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)  # audit records written with it


@dataclass(slots=True)
class RoundTrips:
    count: int = 0


_round_trips: ContextVar[RoundTrips | None] = ContextVar("round_trips", default=None)


@contextmanager
def counting_round_trips() -> Iterator[RoundTrips]:
    """Count the database calls made inside this block (and the tasks it starts)."""
    counter = RoundTrips()
    token = _round_trips.set(counter)
    try:
        yield counter
    finally:
        _round_trips.reset(token)


def note_round_trip() -> None:
    counter = _round_trips.get()
    if counter is not None:
        counter.count += 1


class Store(Protocol):
    """What every backend implements. See tests/store/ for the contract tests."""

    backend: ClassVar[str]

    async def setup(self) -> None:
        """Create constraints and indexes; idempotent, run at every start."""

    async def ping(self) -> None:
        """Raise `Unavailable` unless the database answers now."""

    async def close(self) -> None: ...

    async def nodes_by_id(self, kind: Kind, ids: Sequence[str]) -> list[NodeRecord | None]:
        """The nodes of one kind with these keys, aligned to `ids` (None where absent)."""

    async def list_nodes(
        self, kind: Kind, where: NodeFilter, first: int, after: str | None
    ) -> Page:
        """Up to `first` nodes ordered by key, after the key `after`."""

    async def count_nodes(self, kind: Kind, where: NodeFilter) -> int: ...

    async def counts(self) -> dict[Kind, int]:
        """How many nodes of each kind there are."""

    async def links(
        self,
        relation: Relation,
        direction: Direction,
        keys: Sequence[str],
        first: int,
        after: str | None,
    ) -> list[LinkPage]:
        """For each start node, a page of neighbours through `relation`, ordered by key."""

    async def collaborators(
        self,
        person: str,
        theme: str | None,
        via: frozenset[CollaborationLink],
        first: int,
        offset: int,
    ) -> list[Collaborator]:
        """People sharing something in `via` with `person`: most shared things first, then
        most shared projects, then by key."""

    async def count_collaborators(
        self, person: str, theme: str | None, via: frozenset[CollaborationLink]
    ) -> int: ...

    async def existing_keys(self, kind: Kind, keys: Sequence[str]) -> set[str]:
        """Which of these keys exist for this kind."""

    async def existing_links(
        self, relation: Relation, pairs: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """Which of these (source key, target key) pairs are already linked."""

    async def write_batch(self, batch: ImportBatch) -> None:
        """Upsert nodes, then relationships, in one transaction: all of it or nothing."""

    async def after_bulk_write(self) -> None:
        """Make a large write cheap to recover (the embedded engine rewrites its log)."""

    def export_rows(self) -> AsyncIterator[dict[str, Any]]:
        """Every node then every relationship, as import rows, in a stable order."""
        ...

    async def clear(self, *, everything: bool = False) -> None:
        """Delete the graph's nodes of every Kind (`hub load --replace`); with `everything`,
        also API keys, audit records and applications (tests)."""

    # --- search and geography (issue 3: search, reservesNear) ------------------------------------
    async def search(
        self, text: str, kinds: Sequence[Kind], first: int, offset: int
    ) -> list[SearchHit]:
        """Nodes of these kinds whose title or description holds every word of `text` (the last
        word may be the start of one), best score first, ties by kind name then key."""

    async def count_search(self, text: str, kinds: Sequence[Kind]) -> int:
        """How many nodes `search` finds in all."""

    async def reserves_near(
        self, latitude: float, longitude: float, radius_km: float, first: int
    ) -> list[ReserveDistance]:
        """Reserves with coordinates within `radius_km` (great circle), nearest first, then by key."""

    # --- paths (issue 3) ------------------------------------------------------------------------
    async def shortest_paths(
        self, source: tuple[Kind, str], target: tuple[Kind, str], max_hops: int, first: int
    ) -> PathSearch:
        """Up to `first` shortest paths between two nodes, walking relationships either way,
        ordered by their node global ids; none when farther than `max_hops`. `missing` lists the
        ends that do not exist. At most `max_hops` + 1 round trips."""
        ...

    async def potential_partners(
        self, person: str, theme: str, first: int
    ) -> list[PartnerSuggestionRecord]:
        """People on `theme` who never shared a project with `person`, by score, then key."""
        ...

    # --- analytics: figures and network drawing (issue 3) ----------------------------------------
    async def network(
        self, where: GraphFilter, limit: int | None, *, all_or_nothing: bool = False
    ) -> NetworkSlice:
        """The sub-graph `where` selects: at most `limit` nodes (None: all), the highest degree
        first, ties by global id, with the relationships among them; totals of the whole
        sub-graph. With `all_or_nothing`, a sub-graph larger than `limit` gives no nodes."""
        ...

    async def graph_stats(self, where: GraphFilter) -> GraphStats:
        """The dashboard figures over the projects in scope (a constant number of round trips)."""
        ...

    async def isolated(self, kind: Kind, where: GraphFilter, first: int, after: str | None) -> Page:
        """Reserves or institutions in scope with no project at all, by key."""
        ...

    async def count_isolated(self, kind: Kind, where: GraphFilter) -> int: ...

    # --- insights: collaboration gaps and centrality (issue 3) -----------------------------------
    async def collaboration_gaps(
        self, theme: str | None, country: str | None, first: int
    ) -> list[ReserveGap]:
        """Pairs of reserves sharing themes but no project, most shared themes first, ties by
        the pair's keys; `theme`: both address it; `country`: at least one is in it."""
        ...

    async def collaboration_edges(self, kind: Kind) -> list[CollaborationEdge]:
        """The collaboration graph of one kind (PERSON, INSTITUTION, RESERVE, PROJECT) as edges
        between keys (source < target) weighted by how many things they share. One round trip."""
        ...

    # --- API keys (issue 4: who may do what) ------------------------------------------------------
    async def create_api_key(self, key: ApiKeyRecord) -> ApiKeyRecord:
        """Store a new key (its secret's hash, never the secret); Conflict if the id exists."""
        ...

    async def api_key(self, key_id: str) -> ApiKeyRecord | None:
        """The key with this id, revoked or not; None when there is none."""
        ...

    async def api_keys(self) -> list[ApiKeyRecord]:
        """Every key, oldest first (ties by id)."""
        ...

    async def revoke_api_key(self, key_id: str, at: str) -> ApiKeyRecord | None:
        """Mark the key revoked at `at` (kept if already revoked); None when there is none."""
        ...

    # --- membership applications (issue 4) --------------------------------------------------------
    async def apply_for_membership(
        self,
        *,
        reserve: str,
        network: str,
        contact_name: str,
        contact_email: str,
        motivation: str,
        actor: str,
        request_id: str,
    ) -> ApplicationRecord:
        """A new SUBMITTED application, audited in the same statement. `UnknownNode` when the
        reserve or network does not exist; Conflict when the reserve is already a member or
        already has a SUBMITTED application to that network."""
        ...

    async def approve_application(
        self, key: str, since: datetime.date, *, actor: str, request_id: str
    ) -> ApplicationRecord:
        """SUBMITTED -> APPROVED and the MEMBER_OF relationship since `since`, with the audit
        records, in one statement; NotFound, or Conflict naming the current state."""
        ...

    async def reject_application(
        self, key: str, reason: str, *, actor: str, request_id: str
    ) -> ApplicationRecord:
        """SUBMITTED -> REJECTED with a reason, audited; NotFound, or Conflict naming the state."""
        ...

    async def applications_by_id(self, keys: Sequence[str]) -> list[ApplicationRecord | None]: ...

    async def list_applications(
        self, state: ApplicationState | None, first: int, after: tuple[str, str] | None
    ) -> ApplicationPage:
        """Up to `first` applications, oldest first then by id, after (submitted_at, id)."""
        ...

    async def count_applications(self, state: ApplicationState | None) -> int: ...

    # --- mutations and the audit trail (issue 4) --------------------------------------------------
    # Each write is one statement holding its `Change` record: both happen or neither. Values
    # are validated here too (graph._writes.InvalidProperties lists every problem at once).
    async def create_node(
        self, kind: Kind, key: str, values: dict[str, Any], audit: Audit
    ) -> NodeWrite:
        """Create a node with these properties. When `key` exists with the same values nothing is
        written (changed=False); with other values: Conflict."""
        ...

    async def update_node(
        self, kind: Kind, key: str, changes: dict[str, Any], audit: Audit
    ) -> NodeWrite:
        """Set the given properties (None clears one), keep the others. NotFound; Conflict when
        the node changed between the read and the write. No change: nothing written."""
        ...

    async def delete_node(self, kind: Kind, key: str, audit: Audit) -> NodeRecord:
        """Delete the node and its relationships (DETACH); its audit record stays. NotFound."""
        ...

    async def link(
        self, relation: Relation, source: str, target: str, props: dict[str, Any], audit: Audit
    ) -> LinkWrite:
        """Create the relationship, or set its properties to exactly `props`. NotFound (an end
        is missing); unchanged when it already has them (nothing written)."""
        ...

    async def unlink(self, relation: Relation, source: str, target: str, audit: Audit) -> LinkWrite:
        """Remove the relationship; NotFound when it (or an end) does not exist."""
        ...

    async def within_grant(
        self,
        nodes: Sequence[tuple[Kind, str]],
        reserves: frozenset[str],
        institutions: frozenset[str],
    ) -> set[tuple[Kind, str]]:
        """Which of these nodes an editor granted these reserves and institutions may write: the
        reserves and institutions themselves, projects sited in one of the reserves or with one
        of the institutions as partner, people affiliated with one of the institutions or working
        at one of the reserves. Themes and networks never. At most one round trip."""
        ...

    async def unlinked(self, nodes: Sequence[tuple[Kind, str]]) -> set[tuple[Kind, str]]:
        """Which of these nodes exist and have no relationship at all (one round trip a kind)."""
        ...

    async def changes(
        self, where: ChangeFilter, first: int, after: tuple[str, str] | None
    ) -> ChangePage:
        """Up to `first` audit records, newest first, ties by change id (descending), after the
        (at, id) of the last one seen."""
        ...

    async def count_changes(self, where: ChangeFilter) -> int: ...
