"""Store methods for the analytics questions (issue 3); Cypher lives in graph/cypher.py.

The sub-graph of a filter is fetched in two round trips (the projects in scope with their
relationships, then every other node of the sub-graph with its outgoing relationships) and
assembled here. The whole graph of a large database is not fetched: its drawing is ranked in
the database (degrees, then the kept nodes' relationships) in four round trips.
"""

import asyncio
from abc import abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from graph import cypher
from graph._runner import Runner
from graph.codec import from_stored
from graph.model import TITLE_PROPERTY, Kind, global_id
from graph.records import (
    GraphFilter,
    GraphNode,
    GraphRelationship,
    GraphStats,
    KeyCount,
    NetworkSlice,
    NodeRecord,
    Page,
    RankedNode,
)

# Above this many nodes the whole graph is ranked in the database rather than fetched.
WHOLE_GRAPH_IN_DATABASE = 5000
TOP_NODES = 10

NodeKey = tuple[Kind, str]
# (source, type, target) -> weight
Edges = dict[tuple[NodeKey, str, NodeKey], float]


def _params(where: GraphFilter) -> dict[str, Any]:
    return {
        "themes": where.themes,
        "countries": where.countries,
        "networks": where.networks,
        "since": where.since,
        "all": where.whole,
    }


def _scope(where: GraphFilter) -> cypher.ScopeKey:
    """Which statement variant: the scope conditions given, in the enum's order."""
    given = {
        cypher.Condition.THEMES: where.themes,
        cypher.Condition.COUNTRIES: where.countries,
        cypher.Condition.NETWORKS: where.networks,
    }
    return tuple(c for c in cypher.Condition if given[c] is not None)


def _kinds(where: GraphFilter) -> set[Kind]:
    return set(where.kinds) if where.kinds is not None else set(Kind)


def _weight(roles: int) -> float:
    return float(max(1, roles))


def _links(texts: list[str]) -> list[tuple[str, str, str, str]]:
    """["TYPE Kind key roles", ...] (see graph.cypher._OUT_LINKS) -> 4-tuples."""
    words = " ".join(texts).split()
    return [(words[i], words[i + 1], words[i + 2], words[i + 3]) for i in range(0, len(words), 4)]


def _add_links(
    edges: Edges, node: NodeKey, links: Iterable[tuple[str, str, str, str]], *, outgoing: bool
) -> None:
    for type_, kind, key, roles in links:
        other = (Kind(kind), str(key))
        edge = (node, str(type_), other) if outgoing else (other, str(type_), node)
        edges[edge] = _weight(int(roles))


def _label(record: NodeRecord) -> str:
    return str(getattr(record, TITLE_PROPERTY[record.KIND], None) or record.id)


def _slice(
    records: dict[NodeKey, NodeRecord],
    edges: Edges,
    kinds: set[Kind],
    limit: int | None,
    *,
    all_or_nothing: bool,
) -> NetworkSlice:
    """Keep the kinds asked for, rank, truncate, and count degrees among what is returned."""
    nodes = {key for key in records if key[0] in kinds}
    inside_edges = [(e, w) for e, w in edges.items() if e[0] in nodes and e[2] in nodes]
    degree: dict[NodeKey, int] = defaultdict(int)
    for (source, _, target), _w in inside_edges:
        degree[source] += 1
        degree[target] += 1
    total_nodes, total_relationships = len(nodes), len(inside_edges)
    ranked = sorted(nodes, key=lambda k: (-degree[k], global_id(*k)))
    truncated = limit is not None and len(ranked) > limit
    if truncated and all_or_nothing:
        ranked = []
    elif limit is not None:
        ranked = ranked[:limit]
    return _assemble(
        records, set(ranked), inside_edges, total_nodes, total_relationships, truncated
    )


def _assemble(
    records: dict[NodeKey, NodeRecord],
    kept: set[NodeKey],
    edges: Iterable[tuple[tuple[NodeKey, str, NodeKey], float]],
    total_nodes: int,
    total_relationships: int,
    truncated: bool,
) -> NetworkSlice:
    returned = sorted(
        ((s, t, g, w) for (s, t, g), w in edges if s in kept and g in kept),
        key=lambda e: (global_id(*e[0]), global_id(*e[2]), e[1]),
    )
    degree: dict[NodeKey, int] = defaultdict(int)
    for source, _, target, _w in returned:
        degree[source] += 1
        degree[target] += 1
    nodes = [
        GraphNode(node=records[key], label=_label(records[key]), degree=degree[key])
        for key in sorted(kept, key=lambda k: global_id(*k))
    ]
    return NetworkSlice(
        nodes=nodes,
        relationships=[
            GraphRelationship(source=global_id(*s), target=global_id(*g), type=t, weight=w)
            for s, t, g, w in returned
        ],
        total_nodes=total_nodes,
        total_relationships=total_relationships,
        truncated=truncated,
    )


def _ranked(counts: dict[str, int], labels: dict[str, str | None] | None = None) -> list[KeyCount]:
    found = [
        KeyCount(key=key, label=(labels or {}).get(key), count=count)
        for key, count in counts.items()
        if count > 0
    ]
    return sorted(found, key=lambda item: (-item.count, item.key))


class AnalyticsMixin(Runner):
    @abstractmethod
    async def counts(self) -> dict[Kind, int]: ...  # CypherStore's

    async def _nodes_with_links(
        self, where: GraphFilter, keys: dict[Kind, set[str]], params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        for kind in Kind:
            params[f"keys_{kind}"] = sorted(keys.get(kind, ()))
        return await self._read(cypher.ANALYTICS_NODES, params)

    async def network(
        self, where: GraphFilter, limit: int | None, *, all_or_nothing: bool = False
    ) -> NetworkSlice:
        kinds = _kinds(where)
        if where.whole:
            totals = await self.counts()
            total_nodes = sum(totals[kind] for kind in kinds)
            if total_nodes > WHOLE_GRAPH_IN_DATABASE:
                return await self._whole_network(kinds, total_nodes, limit, all_or_nothing)
        params = _params(where)
        records: dict[NodeKey, NodeRecord] = {}
        edges: Edges = {}
        neighbours: dict[Kind, set[str]] = defaultdict(set)
        for row in await self._read(cypher.ANALYTICS_SCOPED_PROJECTS[_scope(where)], params):
            record = from_stored(Kind.PROJECT, row["props"])
            node = (Kind.PROJECT, record.id)
            records[node] = record
            outs, ins = _links(row["outs"]), _links(row["ins"])
            _add_links(edges, node, outs, outgoing=True)
            _add_links(edges, node, ins, outgoing=False)
            for _, kind, key, _ in [*outs, *ins]:
                neighbours[Kind(kind)].add(str(key))
        for row in await self._nodes_with_links(where, neighbours, params):
            kind = Kind(row["kind"])
            record = from_stored(kind, row["props"])
            records[(kind, record.id)] = record
            _add_links(edges, (kind, record.id), _links(row["outs"]), outgoing=True)
        # Relationships leading out of the sub-graph (e.g. to a project out of scope) go.
        edges = {e: w for e, w in edges.items() if e[0] in records and e[2] in records}
        return _slice(records, edges, kinds, limit, all_or_nothing=all_or_nothing)

    async def _whole_network(
        self, kinds: set[Kind], total_nodes: int, limit: int | None, all_or_nothing: bool
    ) -> NetworkSlice:
        names = sorted(str(kind) for kind in kinds)
        counted = await self._read(cypher.ANALYTICS_RELATIONSHIP_COUNTS, {})
        total_relationships = sum(
            int(row["total"])
            for row in counted
            if row["source"] in names and row["target"] in names
        )
        truncated = limit is not None and total_nodes > limit
        if truncated and all_or_nothing:
            return NetworkSlice(
                nodes=[], relationships=[], total_nodes=total_nodes,
                total_relationships=total_relationships, truncated=True,
            )  # fmt: skip
        size = limit if limit is not None else total_nodes
        top = await self._read(cypher.ANALYTICS_TOP_DEGREE, {"kinds": names, "limit": size})
        kept = [(Kind(row["kind"]), str(row["key"])) for row in top]
        if len(kept) < size:  # nodes with no relationship at all come last, by id
            rest = await self._read(
                cypher.ANALYTICS_ZERO_DEGREE, {"kinds": names, "limit": size - len(kept)}
            )
            kept += [(Kind(row["kind"]), str(row["key"])) for row in rest]
        keys: dict[Kind, set[str]] = defaultdict(set)
        for kind, key in kept:
            keys[kind].add(key)
        nothing = GraphFilter()  # the nodes named by key only, no direct matches
        params = _params(nothing) | {"all": False}
        params["keys_Project"] = sorted(keys.get(Kind.PROJECT, ()))
        records: dict[NodeKey, NodeRecord] = {}
        edges: Edges = {}
        project_rows, other_rows = await asyncio.gather(
            self._read(cypher.ANALYTICS_PROJECT_LINKS_BY_KEY, params),
            self._nodes_with_links(nothing, keys, dict(params)),
        )
        for row in project_rows:
            record = from_stored(Kind.PROJECT, row["props"])
            records[(Kind.PROJECT, record.id)] = record
            _add_links(edges, (Kind.PROJECT, record.id), _links(row["outs"]), outgoing=True)
        for row in other_rows:
            kind = Kind(row["kind"])
            record = from_stored(kind, row["props"])
            records[(kind, record.id)] = record
            _add_links(edges, (kind, record.id), _links(row["outs"]), outgoing=True)
        return _assemble(
            records, set(kept) & set(records), edges.items(), total_nodes, total_relationships,
            truncated,
        )  # fmt: skip

    async def _kind_totals(self, where: GraphFilter, params: dict[str, Any]) -> dict[Kind, int]:
        if where.whole:
            return await self.counts()
        (row,) = await self._read(cypher.STATS_KIND_COUNTS[_scope(where)], params)
        return {
            Kind.PROJECT: int(row["projects"]),
            Kind.PERSON: int(row["people"]),
            Kind.RESERVE: int(row["reserves"]),
            Kind.INSTITUTION: int(row["institutions"]),
            Kind.THEME: int(row["themes"]),
            Kind.NETWORK: int(row["networks"]),
        }

    async def graph_stats(self, where: GraphFilter) -> GraphStats:
        params = _params(where)
        scope = _scope(where)
        reads = (
            cypher.STATS_PER_THEME[scope],
            cypher.STATS_PROJECTS_PER_COUNTRY[scope],
            cypher.STATS_PEOPLE_PER_COUNTRY[scope],
            cypher.STATS_PROJECTS_PER_YEAR[scope],
            cypher.STATS_TOP_RESERVES[scope],
            cypher.STATS_TOP_INSTITUTIONS[scope],
            cypher.STATS_COLLABORATION[scope],
        )
        totals, results = await asyncio.gather(
            self._kind_totals(where, params),
            asyncio.gather(*(self._read(q, params | {"limit": TOP_NODES}) for q in reads)),
        )
        (
            themes,
            project_countries,
            people_countries,
            years,
            reserves,
            institutions,
            collaboration,
        ) = results
        kinds = _kinds(where)
        labels = {str(row["key"]): row["label"] for row in themes}
        collab = collaboration[0] if collaboration else {"people": 0, "pairs": 0}
        return GraphStats(
            counts={kind: totals.get(kind, 0) for kind in Kind if kind in kinds},
            projects_per_theme=_ranked({str(r["key"]): int(r["projects"]) for r in themes}, labels),
            people_per_theme=_ranked({str(r["key"]): int(r["people"]) for r in themes}, labels),
            projects_per_country=_ranked(
                {str(r["key"]): int(r["total"]) for r in project_countries}
            ),
            people_per_country=_ranked({str(r["key"]): int(r["total"]) for r in people_countries}),
            projects_per_year=_ranked({str(r["key"]): int(r["total"]) for r in years}),
            top_institutions=[
                RankedNode(node=from_stored(Kind.INSTITUTION, r["node"]), count=int(r["projects"]))
                for r in institutions
            ]
            if Kind.INSTITUTION in kinds
            else [],
            top_reserves=[
                RankedNode(node=from_stored(Kind.RESERVE, r["node"]), count=int(r["projects"]))
                for r in reserves
            ]
            if Kind.RESERVE in kinds
            else [],
            people=int(collab["people"] or 0),
            collaboration_pairs=int(collab["pairs"] or 0),
        )

    async def isolated(self, kind: Kind, where: GraphFilter, first: int, after: str | None) -> Page:
        if kind not in _kinds(where) or first == 0:
            return Page(items=[], has_next=False)
        params = _params(where) | {"after": after, "limit": first + 1}
        rows = await self._read(cypher.STATS_ISOLATED[kind], params)
        items = [from_stored(kind, row["node"]) for row in rows]
        return Page(items=items[:first], has_next=len(items) > first)

    async def count_isolated(self, kind: Kind, where: GraphFilter) -> int:
        if kind not in _kinds(where):
            return 0
        rows = await self._read(cypher.COUNT_STATS_ISOLATED[kind], _params(where))
        return int(rows[0]["total"]) if rows else 0
