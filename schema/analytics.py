"""Figures and network drawing: the sub-graph a filter selects, drawn, exported or counted."""

import asyncio
import dataclasses
import datetime
import json
import types
import typing
import xml.etree.ElementTree as ET
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.model import Kind, RelType, global_id
from graph.records import (
    RECORD_TYPES,
    GraphStats,
    KeyCount,
    NetworkSlice,
    NodeRecord,
    RankedNode,
    ReserveRecord,
)
from graph.records import GraphFilter as GraphFilterRecord
from schema import arguments
from schema.context import Context
from schema.errors import BadUserInput
from schema.paging import Connection, Edge, decode_cursor, encode_cursor, page_info, page_size
from schema.types import Institution, NodeKind, RelationshipKind, Reserve

MAX_LIMIT = 5000
DEFAULT_LIMIT = 500
MAX_EXPORT_NODES = 50_000
_MAX_VALUES = 100  # per list of the filter


@strawberry.enum(description="What `exportNetwork` writes.")
class ExportFormat(Enum):
    GRAPHML = "graphml"
    JSON = "json"
    GEOJSON = "geojson"


@strawberry.input(
    description="""The part of the graph a drawing, an export or the figures are about.

A project is **in scope** when every condition given holds: it addresses one of `themes`; it is
sited in a reserve of one of `countries`; it is sited in a reserve, or has a partner institution,
that is a member of one of `networks`; its `start_year` is `since` or later (a project with no
start year fails this condition).

The **sub-graph** is the projects in scope, every node linked to one of them (people, partner
institutions, reserves, themes), and the nodes that match the filter directly even without a
project in scope, so that isolated ones show: reserves of one of `countries` that address one of
`themes` and are members of one of `networks` (each given condition); institutions of one of
`countries` and members of one of `networks` (institutions address no theme themselves, so with
`themes` given they come only through projects); the themes named in `themes` and the networks
named in `networks`. `since` only concerns projects. Its relationships are all those between two
of its nodes.

`kinds` restricts which kinds of node are returned (and so which relationships); it never
changes the scope. No condition at all (or no filter) means the whole graph.

Each list holds at most 100 values and must not be empty (omit it for no condition)."""
)
class GraphFilter:
    themes: list[strawberry.ID] | None = strawberry.field(
        default=None, description='Theme ids ("Theme:glacier" or "glacier").'
    )
    countries: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 codes of reserves' countries, e.g. ES."
    )
    networks: list[strawberry.ID] | None = strawberry.field(
        default=None, description='Network ids ("Network:wnmbr" or "wnmbr").'
    )
    kinds: list[NodeKind] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only nodes of these kinds are returned."
    )
    since: int | None = strawberry.field(
        default=None, description="Only projects starting in this year or later (0 to 9999)."
    )


FilterArg = Annotated[
    GraphFilter | None,
    strawberry.argument(description="Which part of the graph; none means the whole graph."),
]


async def _keys(
    info: Info[Context, None], argument: str, kind: Kind, values: list[strawberry.ID] | None
) -> list[str] | None:
    if values is None:
        return None
    if not values or len(values) > _MAX_VALUES:
        raise BadUserInput(argument, f"give 1 to {_MAX_VALUES} ids, or omit it")
    keys = sorted({arguments.key_of(argument, str(value), kind) for value in values})
    found = await asyncio.gather(*(info.context.loaders.nodes[kind].load(k) for k in keys))
    missing = [key for key, record in zip(keys, found, strict=True) if record is None]
    if missing:
        raise BadUserInput(argument, f"there is no {kind} with id {missing[0]!r}")
    return keys


async def to_filter(info: Info[Context, None], value: GraphFilter | None) -> GraphFilterRecord:
    """The store's filter, every value checked (BAD_USER_INPUT naming `filter.<field>`)."""
    if value is None:
        return GraphFilterRecord()
    countries = None
    if value.countries is not None:
        if not value.countries or len(value.countries) > _MAX_VALUES:
            raise BadUserInput("filter.countries", f"give 1 to {_MAX_VALUES} codes, or omit it")
        countries = sorted(
            {arguments.country("filter.countries", c) or "" for c in value.countries}
        )
    if value.since is not None and not 0 <= value.since <= 9999:
        raise BadUserInput("filter.since", f"must be a year between 0 and 9999, got {value.since}")
    if value.kinds is not None and not value.kinds:
        raise BadUserInput("filter.kinds", "give at least one kind, or omit it")
    themes, networks = await asyncio.gather(
        _keys(info, "filter.themes", Kind.THEME, value.themes),
        _keys(info, "filter.networks", Kind.NETWORK, value.networks),
    )
    return GraphFilterRecord(
        themes=themes,
        countries=countries,
        networks=networks,
        kinds=[Kind(k) for k in value.kinds] if value.kinds is not None else None,
        since=value.since,
    )


# --- network -------------------------------------------------------------------------------------
@strawberry.type(description="A node of a drawing.")
class NetworkGraphNode:
    id: strawberry.ID = strawberry.field(description='Global id, e.g. "Reserve:ordino".')
    kind: NodeKind  # type: ignore[valid-type]
    label: str = strawberry.field(description="Its name (a project's title, a theme's label).")
    degree: int = strawberry.field(
        description="How many of the returned relationships it has (so the degrees of a drawing "
        "add up to twice its relationships)."
    )


@strawberry.type(description="A relationship of a drawing, in its stored direction.")
class NetworkGraphRelationship:
    source: strawberry.ID
    target: strawberry.ID
    kind: RelationshipKind  # type: ignore[valid-type]
    weight: float = strawberry.field(
        description="The number of roles on the relationship (e.g. 2 for a partner that is "
        "also a funder), or 1 where it has none."
    )


@strawberry.type(description="The nodes and relationships of a sub-graph, ready to draw.")
class NetworkGraph:
    nodes: list[NetworkGraphNode] = strawberry.field(description="By global id.")
    relationships: list[NetworkGraphRelationship] = strawberry.field(
        description="Only those between returned nodes; by source, target, then kind."
    )
    total_nodes: int = strawberry.field(description="Nodes of the whole filtered sub-graph.")
    total_relationships: int = strawberry.field(
        description="Relationships of the whole filtered sub-graph."
    )
    truncated: bool = strawberry.field(
        description="True when `limit` left nodes out: the highest-degree nodes of the filtered "
        "sub-graph were kept (ties by global id)."
    )


def _graph(found: NetworkSlice) -> NetworkGraph:
    return NetworkGraph(
        nodes=[
            NetworkGraphNode(
                id=strawberry.ID(global_id(n.node.KIND, n.node.id)),
                kind=n.node.KIND,
                label=n.label,
                degree=n.degree,
            )
            for n in found.nodes
        ],
        relationships=[
            NetworkGraphRelationship(
                source=strawberry.ID(r.source),
                target=strawberry.ID(r.target),
                kind=RelType(r.type),
                weight=r.weight,
            )
            for r in found.relationships
        ],
        total_nodes=found.total_nodes,
        total_relationships=found.total_relationships,
        truncated=found.truncated,
    )


# --- export --------------------------------------------------------------------------------------
_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


def _scalar_type(annotation: Any) -> str | None:
    """The GraphML attr.type of a record field, None for lists and nested records."""
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    base = next((o for o in options if o is not type(None)), annotation)
    return {
        bool: "boolean",
        int: "long",
        float: "double",
        str: "string",
        datetime.date: "string",
    }.get(base)


def _attribute(kind: Kind, name: str) -> str:
    # An institution's own `kind` (university, ngo...) must not hide the node kind.
    return f"institution_{name}" if kind is Kind.INSTITUTION and name == "kind" else name


def _properties(record: NodeRecord) -> dict[str, Any]:
    """The scalar properties of a record (no id; no theme label, which is the node's label)."""
    found: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name in ("id", "email") or value is None or _scalar_type(f.type) is None:
            continue
        if record.KIND is Kind.THEME and f.name == "label":
            continue
        found[_attribute(record.KIND, f.name)] = (
            value.isoformat() if isinstance(value, datetime.date) else value
        )
    return found


def _declared() -> dict[str, str]:
    """Every scalar node property any kind has, with its GraphML type."""
    declared: dict[str, str] = {}
    for kind in Kind:
        for f in dataclasses.fields(RECORD_TYPES[kind]):
            kind_of = _scalar_type(f.type)
            if (
                kind_of
                and f.name not in ("id", "email")
                and not (kind is Kind.THEME and f.name == "label")
            ):
                declared[_attribute(kind, f.name)] = kind_of
    return declared


def _graphml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _q(tag: str) -> str:
    return f"{{{_GRAPHML_NS}}}{tag}"


def to_graphml(found: NetworkSlice) -> str:
    ET.register_namespace("", _GRAPHML_NS)
    root = ET.Element(f"{{{_GRAPHML_NS}}}graphml")
    for name, type_ in (("kind", "string"), ("label", "string"), ("degree", "int")):
        ET.SubElement(root, _q("key"), {"id": name, "for": "node", "attr.name": name,
                                       "attr.type": type_})  # fmt: skip
    for name, type_ in sorted(_declared().items()):
        ET.SubElement(root, _q("key"), {"id": name, "for": "node", "attr.name": name,
                                       "attr.type": type_})  # fmt: skip
    ET.SubElement(root, _q("key"), {"id": "rel_kind", "for": "edge", "attr.name": "kind",
                                   "attr.type": "string"})  # fmt: skip
    ET.SubElement(root, _q("key"), {"id": "weight", "for": "edge", "attr.name": "weight",
                                   "attr.type": "double"})  # fmt: skip
    graph = ET.SubElement(root, _q("graph"), {"id": "G", "edgedefault": "directed"})
    for n in found.nodes:
        node = ET.SubElement(graph, _q("node"), {"id": global_id(n.node.KIND, n.node.id)})
        values = {"kind": str(n.node.KIND), "label": n.label, "degree": n.degree}
        for name, value in (values | _properties(n.node)).items():
            ET.SubElement(node, _q("data"), {"key": name}).text = _graphml_value(value)
    for i, r in enumerate(found.relationships):
        edge = ET.SubElement(
            graph, _q("edge"), {"id": f"e{i}", "source": r.source, "target": r.target}
        )
        ET.SubElement(edge, _q("data"), {"key": "rel_kind"}).text = r.type
        ET.SubElement(edge, _q("data"), {"key": "weight"}).text = repr(r.weight)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def to_cytoscape(found: NetworkSlice) -> str:
    nodes = [
        {
            "data": {
                "id": global_id(n.node.KIND, n.node.id),
                "kind": str(n.node.KIND),
                "label": n.label,
                "degree": n.degree,
            }
            | _properties(n.node)
        }
        for n in found.nodes
    ]
    edges = [
        {
            "data": {
                "id": f"e{i}",
                "source": r.source,
                "target": r.target,
                "kind": r.type,
                "weight": r.weight,
            }
        }
        for i, r in enumerate(found.relationships)
    ]
    return json.dumps({"elements": {"nodes": nodes, "edges": edges}}, ensure_ascii=False)


def to_geojson(found: NetworkSlice) -> str:
    features = []
    for n in found.nodes:
        record = n.node
        if not isinstance(record, ReserveRecord):
            continue
        if record.latitude is None or record.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": global_id(record.KIND, record.id),
                "geometry": {"type": "Point", "coordinates": [record.longitude, record.latitude]},
                "properties": {"id": global_id(record.KIND, record.id), "label": n.label}
                | _properties(record),
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


_WRITERS: dict[ExportFormat, Callable[[NetworkSlice], str]] = {
    ExportFormat.GRAPHML: to_graphml,
    ExportFormat.JSON: to_cytoscape,
    ExportFormat.GEOJSON: to_geojson,
}


# --- stats ---------------------------------------------------------------------------------------
@strawberry.type(description="How many nodes of one kind the sub-graph holds.")
class KindCount:
    kind: NodeKind  # type: ignore[valid-type]
    count: int


@strawberry.type(description="One bar of a chart: what is counted, its name, and how many.")
class StatsCount:
    key: str = strawberry.field(
        description='A theme\'s global id ("Theme:glacier"), a country code, or a year.'
    )
    label: str | None = strawberry.field(description="The theme's label; null for others.")
    count: int


@strawberry.type(description="A reserve and the number of projects in scope sited in it.")
class ReserveProjectCount:
    node: Reserve
    count: int


@strawberry.type(description="An institution and the number of projects in scope it is partner in.")
class InstitutionProjectCount:
    node: Institution
    count: int


def _counts(items: list[KeyCount]) -> list[StatsCount]:
    return [StatsCount(key=i.key, label=i.label, count=i.count) for i in items]


def _theme_counts(items: list[KeyCount]) -> list[StatsCount]:
    return [
        StatsCount(key=global_id(Kind.THEME, i.key), label=i.label, count=i.count) for i in items
    ]


IsolatedFirst = Annotated[
    int | None,
    strawberry.argument(description="Page size: 20 when omitted, at most the hub's maximum."),
]


@strawberry.type(
    description="The figures of a dashboard over the filtered sub-graph. Lists of counts are "
    "ordered by count (highest first), then by key; zero counts are left out. People figures "
    "count the people taking part in a project in scope."
)
class Stats:
    found: strawberry.Private[GraphStats]
    where: strawberry.Private[GraphFilterRecord]

    @strawberry.field(description="Nodes of the sub-graph per kind (the kinds asked for).")
    def counts(self) -> list[KindCount]:
        return [KindCount(kind=kind, count=n) for kind, n in self.found.counts.items()]

    @strawberry.field(description="Projects in scope addressing each theme.")
    def projects_per_theme(self) -> list[StatsCount]:
        return _theme_counts(self.found.projects_per_theme)

    @strawberry.field(description="People in a project in scope that addresses each theme.")
    def people_per_theme(self) -> list[StatsCount]:
        return _theme_counts(self.found.people_per_theme)

    @strawberry.field(
        description="Projects in scope per country of the reserves they are sited in (a project "
        "in two countries counts in both)."
    )
    def projects_per_country(self) -> list[StatsCount]:
        return _counts(self.found.projects_per_country)

    @strawberry.field(
        description="People in a project in scope per their own country (people with no "
        "country are left out)."
    )
    def people_per_country(self) -> list[StatsCount]:
        return _counts(self.found.people_per_country)

    @strawberry.field(
        description="Projects in scope per start year (projects with none are left out)."
    )
    def projects_per_year(self) -> list[StatsCount]:
        return _counts(self.found.projects_per_year)

    @strawberry.field(
        description="At most 10 institutions, most projects in scope first (then by id)."
    )
    def top_institutions(self) -> list[InstitutionProjectCount]:
        return [_ranked_institution(r) for r in self.found.top_institutions]

    @strawberry.field(description="At most 10 reserves, most projects in scope first (then by id).")
    def top_reserves(self) -> list[ReserveProjectCount]:
        return [_ranked_reserve(r) for r in self.found.top_reserves]

    @strawberry.field(
        description="Pairs of people sharing at least one project in scope, divided by the "
        "possible pairs n(n-1)/2 among the n people taking part in a project in scope; 0 when "
        "n < 2. Between 0 and 1."
    )
    def collaboration_density(self) -> float:
        people = self.found.people
        if people < 2:
            return 0.0
        return self.found.collaboration_pairs / (people * (people - 1) / 2)

    @strawberry.field(
        description="Reserves of the sub-graph with no project at all (so no joint project "
        "with anyone in the network), by id."
    )
    async def isolated_reserves(
        self, info: Info[Context, None], first: IsolatedFirst = None, after: str | None = None
    ) -> Connection[Reserve]:
        return await _isolated(info, Kind.RESERVE, self.where, first, after)

    @strawberry.field(
        description="Institutions of the sub-graph partner in no project at all, by id."
    )
    async def isolated_institutions(
        self, info: Info[Context, None], first: IsolatedFirst = None, after: str | None = None
    ) -> Connection[Institution]:
        return await _isolated(info, Kind.INSTITUTION, self.where, first, after)


def _ranked_reserve(r: RankedNode) -> ReserveProjectCount:
    return ReserveProjectCount(node=r.node, count=r.count)  # type: ignore[arg-type]


def _ranked_institution(r: RankedNode) -> InstitutionProjectCount:
    return InstitutionProjectCount(node=r.node, count=r.count)  # type: ignore[arg-type]


async def _isolated(
    info: Info[Context, None],
    kind: Kind,
    where: GraphFilterRecord,
    first: int | None,
    after: str | None,
) -> Connection[Any]:
    size = page_size(first, info.context.max_page_size)
    after_key = decode_cursor("k", after)
    store = info.context.store
    page = await store.isolated(kind, where, size, after_key)
    edges = [Edge(node=record, cursor=encode_cursor("k", record.id)) for record in page.items]

    async def count() -> int:
        return await store.count_isolated(kind, where)

    return Connection(
        edges=edges,
        page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
        count=count,
    )


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description="The sub-graph `filter` selects, for drawing: at most `limit` nodes (1 to "
        "5000), the highest degree first, with the relationships among them and the totals of "
        "the whole sub-graph."
    )
    async def network(
        self,
        info: Info[Context, None],
        filter: FilterArg = None,
        limit: Annotated[
            int, strawberry.argument(description="At most this many nodes, 1 to 5000.")
        ] = DEFAULT_LIMIT,
    ) -> NetworkGraph:
        if not 1 <= limit <= MAX_LIMIT:
            raise BadUserInput("limit", f"must be between 1 and {MAX_LIMIT}, got {limit}")
        where = await to_filter(info, filter)
        return _graph(await info.context.store.network(where, limit))

    @strawberry.field(
        description="The sub-graph `filter` selects (the same nodes and relationships as "
        "`network` without a limit), as GraphML (Gephi, Cytoscape), Cytoscape.js JSON "
        '({"elements": {"nodes": [{"data": ...}], "edges": [...]}}) or GeoJSON (a '
        "FeatureCollection of its reserves with coordinates, as [longitude, latitude] points). "
        "At most 50,000 nodes: a larger sub-graph is BAD_USER_INPUT (narrow the filter)."
    )
    async def export_network(
        self, info: Info[Context, None], format: ExportFormat, filter: FilterArg = None
    ) -> str:
        where = await to_filter(info, filter)
        found = await info.context.store.network(where, MAX_EXPORT_NODES, all_or_nothing=True)
        if found.truncated:
            raise BadUserInput(
                "filter",
                f"the sub-graph has {found.total_nodes} nodes; an export holds at most "
                f"{MAX_EXPORT_NODES}: narrow the filter",
            )
        return _WRITERS[format](found)

    @strawberry.field(description="Figures for a dashboard over the sub-graph `filter` selects.")
    async def stats(self, info: Info[Context, None], filter: FilterArg = None) -> Stats:
        where = await to_filter(info, filter)
        return Stats(found=await info.context.store.graph_stats(where), where=where)
