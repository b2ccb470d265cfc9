"""Store methods for the paths questions (issue 3); Cypher lives in graph/cypher.py.

Shortest paths are found by a bidirectional breadth-first search driven from here, because
FalkorDB has no undirected shortestPath between two bound nodes (DESIGN.md). Each BFS level is
one round trip (`EXPAND_FRONTIER`: every relation, both ways, from the frontier's nodes grouped
by kind so each seek uses the id index); the side expanded is the one whose frontier is
expected to be cheaper. Every parent of every node is kept, so all shortest paths can be
enumerated; then one more round trip (`MATCH_PATH_PARTS`) fetches the records of the chosen
paths. Nothing is capped: a search either finishes exactly or hits the query timeout
(UNAVAILABLE), so it never answers with a path that is not shortest.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from graph import cypher
from graph._runner import Runner
from graph.codec import from_stored
from graph.model import RELATIONS, Kind, Relation, RelType, find_relation, global_id
from graph.records import (
    NodeRecord,
    PartnerReasonRecord,
    PartnerSuggestionRecord,
    PathRecord,
    PathSearch,
    PathStepRecord,
    PersonRecord,
)

Ref = tuple[Kind, str]  # a node: its kind and its key
# A relationship as stored: its type, its source and its target.
Edge = tuple[RelType, Ref, Ref]

# What expanding one node is expected to cost (its typical degree): only chooses which side of
# the search to expand next, never what is found. Themes and networks are the hubs.
_EXPECTED_DEGREE: Final[dict[Kind, int]] = {
    Kind.PERSON: 4,
    Kind.PROJECT: 10,
    Kind.INSTITUTION: 20,
    Kind.RESERVE: 30,
    Kind.THEME: 1000,
    Kind.NETWORK: 1000,
}

PARTNER_PATH_HOPS: Final = 6
REASON_NODES: Final = 5


class PartnerReason(StrEnum):
    COMMON_COLLABORATOR = "COMMON_COLLABORATOR"
    SHARED_INSTITUTION = "SHARED_INSTITUTION"
    SHARED_RESERVE = "SHARED_RESERVE"
    SHARED_THEME = "SHARED_THEME"


# The score of a suggestion is the sum over reasons of weight x count (documented in the schema).
PARTNER_WEIGHTS: Final[dict[PartnerReason, float]] = {
    PartnerReason.COMMON_COLLABORATOR: 4.0,
    PartnerReason.SHARED_INSTITUTION: 3.0,
    PartnerReason.SHARED_RESERVE: 2.0,
    PartnerReason.SHARED_THEME: 1.0,
}

_REASON_KIND: Final[dict[PartnerReason, Kind]] = {
    PartnerReason.COMMON_COLLABORATOR: Kind.PERSON,
    PartnerReason.SHARED_INSTITUTION: Kind.INSTITUTION,
    PartnerReason.SHARED_RESERVE: Kind.RESERVE,
    PartnerReason.SHARED_THEME: Kind.THEME,
}


def _gid(ref: Ref) -> str:
    return global_id(ref[0], ref[1])


@dataclass(slots=True)
class _Tree:
    """One side of the search: distances from its root and every parent of each node."""

    root: Ref
    depth: int = 0
    dist: dict[Ref, int] = field(default_factory=dict)
    parents: dict[Ref, list[tuple[Ref, Edge]]] = field(default_factory=dict)
    frontier: list[Ref] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dist[self.root] = 0
        self.frontier = [self.root]

    def grow(self, neighbours: dict[Ref, list[tuple[Ref, Edge]]]) -> None:
        """Take one level: the frontier's unseen neighbours, each with all its parents."""
        depth = self.depth + 1
        found: list[Ref] = []
        for node in self.frontier:
            for nxt, edge in neighbours.get(node, ()):
                seen = self.dist.get(nxt)
                if seen is None:
                    self.dist[nxt] = depth
                    self.parents[nxt] = []
                    found.append(nxt)
                    seen = depth
                if seen == depth:
                    self.parents[nxt].append((node, edge))
        self.depth = depth
        self.frontier = found


def _cost(frontier: Sequence[Ref]) -> int:
    return sum(_EXPECTED_DEGREE[kind] for kind, _ in frontier)


@dataclass(slots=True)
class _Skeleton:
    nodes: list[Ref]
    edges: list[Edge]


def _enumerate(start: _Tree, end: _Tree, meeting: set[Ref], first: int) -> list[_Skeleton]:
    """Up to `first` shortest paths from start.root to end.root, ordered by node global ids.

    Every node in `meeting` is at start.depth from the start and end.depth from the end.
    """
    # On the start side, keep only nodes that lead to a meeting node, with their children.
    children: dict[Ref, list[tuple[Ref, Edge]]] = defaultdict(list)
    useful: set[Ref] = set(meeting)
    level = set(meeting)
    while level:
        above: set[Ref] = set()
        for node in level:
            for parent, edge in start.parents.get(node, ()):
                children[parent].append((node, edge))
                if parent not in useful:
                    useful.add(parent)
                    above.add(parent)
        level = above

    def following(node: Ref, position: int) -> list[tuple[Ref, Edge]]:
        steps = children.get(node, []) if position < start.depth else end.parents.get(node, [])
        return sorted(steps, key=lambda step: (_gid(step[0]), step[1][0]))

    found: list[_Skeleton] = []
    nodes = [start.root]
    edges: list[Edge] = []

    def walk(node: Ref) -> None:
        if len(found) == first:
            return
        if node == end.root and len(edges) == start.depth + end.depth:
            found.append(_Skeleton(list(nodes), list(edges)))
            return
        for nxt, edge in following(node, len(edges)):
            nodes.append(nxt)
            edges.append(edge)
            walk(nxt)
            nodes.pop()
            edges.pop()

    walk(start.root)
    return found


def _relation(edge: Edge) -> Relation:
    type_, source, target = edge
    relation = find_relation(type_, source[0], target[0])
    assert relation is not None, edge  # the search only walks relations of the model
    return relation


class PathsMixin(Runner):
    async def _expand(self, frontier: Sequence[Ref]) -> dict[Ref, list[tuple[Ref, Edge]]]:
        """Every neighbour of every frontier node, with the relationship as stored: one round trip."""
        by_kind: dict[Kind, list[str]] = defaultdict(list)
        for kind, key in frontier:
            by_kind[kind].append(key)
        params = {cypher.frontier_param(kind): by_kind.get(kind, []) for kind in Kind}
        rows = await self._read(cypher.EXPAND_FRONTIER, params)
        out: dict[Ref, list[tuple[Ref, Edge]]] = defaultdict(list)
        for row in rows:
            node: Ref = (Kind(row["kind"]), row["key"])
            nxt: Ref = (Kind(row["next_kind"]), row["next"])
            type_ = RelType(row["type"])
            edge = (type_, node, nxt) if row["out"] else (type_, nxt, node)
            out[node].append((nxt, edge))
        return out

    async def _search(
        self, source: Ref, targets: Sequence[Ref], max_hops: int, first: int
    ) -> dict[Ref, list[_Skeleton]]:
        """Shortest paths from `source` to each target (up to `first` each, none if farther
        than `max_hops`). One round trip per level, at most `max_hops` levels in all: the
        targets' trees grow together, and each pair stops when its trees meet."""
        found: dict[Ref, list[_Skeleton]] = {}
        start = _Tree(source)
        ends: dict[Ref, _Tree] = {}
        for target in dict.fromkeys(targets):
            if target == source:
                found[target] = [_Skeleton([source], [])]
            else:
                ends[target] = _Tree(target)
        end_depth = 0
        while ends and start.depth + end_depth < max_hops:
            union = list(dict.fromkeys(ref for tree in ends.values() for ref in tree.frontier))
            if not start.frontier or not union:
                break
            if _cost(start.frontier) <= _cost(union):
                start.grow(await self._expand(start.frontier))
            else:
                neighbours = await self._expand(union)
                for tree in ends.values():
                    tree.grow(neighbours)
                end_depth += 1
            for target, tree in list(ends.items()):
                # The balls around both ends meet for the first time exactly in the nodes of
                # shortest paths at (start.depth, tree.depth) from the ends: both frontiers.
                meeting = set(start.frontier).intersection(tree.frontier)
                if meeting:
                    found[target] = _enumerate(start, tree, meeting, first)
                    del ends[target]
                elif not tree.frontier:
                    del ends[target]
        return found

    async def _fetch_parts(
        self, nodes: set[Ref], edges: set[Edge]
    ) -> tuple[dict[Ref, NodeRecord], dict[Edge, dict[str, Any]]]:
        """The records of these nodes and the properties of these relationships: one round trip."""
        by_kind: dict[Kind, list[str]] = defaultdict(list)
        for kind, key in sorted(nodes):
            by_kind[kind].append(key)
        by_relation: dict[Relation, list[dict[str, str]]] = defaultdict(list)
        relation_of: dict[tuple[str, str, str], Edge] = {}
        for edge in edges:
            relation = _relation(edge)
            by_relation[relation].append({"from": edge[1][1], "to": edge[2][1]})
            relation_of[relation.name, edge[1][1], edge[2][1]] = edge
        params: dict[str, Any] = {
            cypher.path_nodes_param(kind): by_kind.get(kind, []) for kind in Kind
        }
        for relation in RELATIONS:
            params[cypher.path_links_param(relation)] = by_relation.get(relation, [])
        rows = await self._read(cypher.MATCH_PATH_PARTS, params)
        records: dict[Ref, NodeRecord] = {}
        props: dict[Edge, dict[str, Any]] = {}
        for row in rows:
            if row["other"] is None:
                kind = Kind(row["kind"])
                records[kind, row["key"]] = from_stored(kind, row["props"])
            else:
                props[relation_of[row["kind"], row["key"], row["other"]]] = row["props"] or {}
        return records, props

    @staticmethod
    def _path(
        skeleton: _Skeleton, records: dict[Ref, NodeRecord], props: dict[Edge, dict[str, Any]]
    ) -> PathRecord:
        steps = []
        for edge in skeleton.edges:
            values = props.get(edge, {})
            since = values.get("since")
            steps.append(
                PathStepRecord(
                    type=str(edge[0]),
                    source=_gid(edge[1]),
                    target=_gid(edge[2]),
                    roles=list(values.get("roles") or []),
                    since=datetime.date.fromisoformat(since) if since else None,
                )
            )
        return PathRecord(nodes=[records[ref] for ref in skeleton.nodes], relationships=steps)

    async def shortest_paths(
        self, source: Ref, target: Ref, max_hops: int, first: int
    ) -> PathSearch:
        found = await self._search(source, [target], max_hops, first)
        skeletons = found.get(target, [])
        nodes = {source, target} | {ref for s in skeletons for ref in s.nodes}
        records, props = await self._fetch_parts(nodes, {e for s in skeletons for e in s.edges})
        missing = [_gid(ref) for ref in dict.fromkeys((source, target)) if ref not in records]
        if missing:
            return PathSearch(missing=missing)
        return PathSearch(paths=[self._path(s, records, props) for s in skeletons])

    async def potential_partners(
        self, person: str, theme: str, first: int
    ) -> list[PartnerSuggestionRecord]:
        params = {"person": person, "theme": theme, "limit": 2 * first}
        rows = await self._read(cypher.MATCH_PARTNER_REASONS, params)
        shared_project = {row["key"] for row in rows if row["reason"] == "COLLABORATOR"}
        behind: dict[str, dict[PartnerReason, set[str]]] = defaultdict(lambda: defaultdict(set))
        zero: list[str] = []
        for row in rows:
            if row["reason"] == "CANDIDATE":
                zero.append(row["key"])
            elif row["reason"] != "COLLABORATOR" and row["key"] not in shared_project:
                behind[row["key"]][PartnerReason(row["reason"])].update(row["nodes"])
        ranked: list[tuple[float, str, dict[PartnerReason, list[str]]]] = []
        for key, ties in behind.items():
            reasons = {kind: sorted(ties[kind]) for kind in PartnerReason if ties.get(kind)}
            score = sum(PARTNER_WEIGHTS[kind] * len(keys) for kind, keys in reasons.items())
            ranked.append((score, key, reasons))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        # People with no reason at all score 0 and follow by key (CANDIDATE holds the first
        # 2 * first of them, enough whenever fewer than `first` people have a reason).
        ranked += [(0.0, key, {}) for key in sorted(zero) if key not in behind]
        chosen = ranked[:first]
        if not chosen:
            return []
        me: Ref = (Kind.PERSON, person)
        candidates: list[Ref] = [(Kind.PERSON, key) for _, key, _ in chosen]
        paths = await self._search(me, candidates, PARTNER_PATH_HOPS, 1)
        skeletons = {ref: found[0] for ref, found in paths.items() if found}
        nodes: set[Ref] = set(candidates) | {r for s in skeletons.values() for r in s.nodes}
        for _, _, reasons in chosen:
            for kind, keys in reasons.items():
                nodes.update((_REASON_KIND[kind], key) for key in keys[:REASON_NODES])
        edges = {e for s in skeletons.values() for e in s.edges}
        records, props = await self._fetch_parts(nodes, edges)
        out = []
        for (score, _key, reasons), ref in zip(chosen, candidates, strict=True):
            record = records[ref]
            assert isinstance(record, PersonRecord)
            skeleton = skeletons.get(ref)
            out.append(
                PartnerSuggestionRecord(
                    person=record,
                    score=score,
                    reasons=[
                        PartnerReasonRecord(
                            kind=str(kind),
                            count=len(keys),
                            nodes=[records[_REASON_KIND[kind], k] for k in keys[:REASON_NODES]],
                        )
                        for kind, keys in reasons.items()
                    ],
                    path=self._path(skeleton, records, props) if skeleton else None,
                )
            )
        return out
