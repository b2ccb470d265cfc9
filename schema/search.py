"""Search and geography: full-text search over every kind, reserves near a point, map boxes."""

import math
from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph import store as graph_store
from graph.model import Kind
from schema import arguments
from schema.context import Context
from schema.errors import BadUserInput
from schema.paging import PageInfo, decode_offset, encode_cursor, page_info, page_size
from schema.types import Node, Reserve

MAX_RADIUS_KM = 20_000.0  # about half the Earth's circumference: every point is nearer
_MAX_OFFSET = 1_000_000  # a cursor past this was not given out by the hub

First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size: 20 when omitted, at most the hub's maximum (100 by default)."
    ),
]


@strawberry.type(description="A node found by `search`, with its relevance.")
class SearchEdge:
    node: Node
    score: float = strawberry.field(
        description="Relevance from the engine's full-text scoring, higher is better; "
        "comparable within one answer only."
    )
    cursor: str


@strawberry.type(
    description="Nodes matching a search, best score first; ties by kind name, then by key."
)
class SearchConnection:
    edges: list[SearchEdge]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many nodes match, across all pages.")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The nodes of this page (the edges without cursors).")
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="A reserve and its distance from the point asked about.")
class ReserveDistance:
    reserve: Reserve
    distance_km: float = strawberry.field(
        description="Great-circle distance in kilometres (haversine on a sphere of radius "
        "6371.0088 km, the mean Earth radius)."
    )


@strawberry.input(
    description="A box of latitudes and longitudes in degrees (WGS 84), edges included. "
    "`west` greater than `east` means the box crosses the antimeridian (180 degrees)."
)
class BoundingBox:
    south: float = strawberry.field(description="Southern edge, -90 to 90.")
    west: float = strawberry.field(description="Western edge, -180 to 180.")
    north: float = strawberry.field(description="Northern edge, -90 to 90, not below `south`.")
    east: float = strawberry.field(description="Eastern edge, -180 to 180.")


def _in_range(argument: str, name: str, value: float, low: float, high: float) -> None:
    if not math.isfinite(value) or not low <= value <= high:
        raise BadUserInput(argument, f"{name} must be between {low:g} and {high:g}, got {value}")


def bounding_box(argument: str, box: BoundingBox | None) -> graph_store.BoundingBox | None:
    """A checked box for NodeFilter; BAD_USER_INPUT naming `argument` when it is not one."""
    if box is None:
        return None
    _in_range(argument, "south", box.south, -90, 90)
    _in_range(argument, "north", box.north, -90, 90)
    _in_range(argument, "west", box.west, -180, 180)
    _in_range(argument, "east", box.east, -180, 180)
    if box.south > box.north:
        raise BadUserInput(argument, f"south ({box.south}) is north of north ({box.north})")
    return graph_store.BoundingBox(south=box.south, west=box.west, north=box.north, east=box.east)


def _kinds(kinds: list[Kind] | None) -> list[Kind]:
    if kinds is None:
        return list(Kind)
    if not kinds:
        raise BadUserInput("kinds", "give at least one kind, or leave it out to search them all")
    return list(dict.fromkeys(kinds))


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Full-text search over reserve, institution, person and network names, "
        "project titles and descriptions, theme labels and definitions. Case- and "
        'accent-insensitive ("omana" finds "Omaña"); every word must be found, the last one '
        'may be the start of a word ("glac" finds "Glacier"); punctuation and operators are '
        "ignored. Best score first (a word in a title counts more than in a description), ties "
        "by kind name then key."
    )
    async def search(
        self,
        info: Info[Context, None],
        text: Annotated[str, strawberry.argument(description="The words to find.")],
        kinds: Annotated[
            list[Kind] | None,
            strawberry.argument(description="Only nodes of these kinds (all kinds when omitted)."),
        ] = None,
        first: First = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="Continue after this cursor (`pageInfo.endCursor`)."),
        ] = None,
    ) -> SearchConnection:
        if arguments.text("text", text) is None:
            raise BadUserInput("text", "must not be empty or blank")
        wanted = _kinds(kinds)
        size = page_size(first, info.context.max_page_size)
        offset = decode_offset(after)
        if offset > _MAX_OFFSET:
            raise BadUserInput("after", "is not a cursor this list gave out")
        store = info.context.store
        hits = await store.search(text, wanted, size + 1, offset) if size else []
        for hit in hits[:size]:  # later node(id:) lookups in this request need no round trip
            info.context.loaders.nodes[hit.node.KIND].prime(hit.node.id, hit.node)
        edges = [
            SearchEdge(
                node=hit.node,  # type: ignore[arg-type]
                score=hit.score,
                cursor=encode_cursor("o", offset + i),
            )
            for i, hit in enumerate(hits[:size])
        ]

        async def count() -> int:
            return await store.count_search(text, wanted)

        return SearchConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=len(hits) > size, after=after),
            count=count,
        )

    @strawberry.field(
        description="Reserves with coordinates within `radiusKm` of a point, nearest first "
        "(ties by key). Reserves without coordinates never appear."
    )
    async def reserves_near(
        self,
        info: Info[Context, None],
        latitude: Annotated[float, strawberry.argument(description="Degrees, -90 to 90.")],
        longitude: Annotated[float, strawberry.argument(description="Degrees, -180 to 180.")],
        radius_km: Annotated[
            float, strawberry.argument(description="Kilometres, above 0 and at most 20000.")
        ],
        first: First = None,
    ) -> list[ReserveDistance]:
        _in_range("latitude", "latitude", latitude, -90, 90)
        _in_range("longitude", "longitude", longitude, -180, 180)
        if not math.isfinite(radius_km) or not 0 < radius_km <= MAX_RADIUS_KM:
            raise BadUserInput(
                "radiusKm", f"must be above 0 and at most {MAX_RADIUS_KM:g} km, got {radius_km}"
            )
        size = page_size(first, info.context.max_page_size)
        found = await info.context.store.reserves_near(latitude, longitude, radius_km, size)
        for item in found:
            info.context.loaders.nodes[Kind.RESERVE].prime(item.reserve.id, item.reserve)
        return [
            ReserveDistance(reserve=item.reserve, distance_km=item.distance_km)  # type: ignore[arg-type]
            for item in found
        ]
