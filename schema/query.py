"""The root Query: global node lookup, one connection per kind, and relationship questions."""

import asyncio
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import model
from graph.model import Kind
from graph.records import NodeRecord
from graph.store import NodeFilter
from schema import arguments, insights, search
from schema.context import Context
from schema.errors import BadUserInput, NodeNotFound
from schema.paging import (
    Connection,
    Edge,
    decode_cursor,
    encode_cursor,
    page_info,
    page_size,
)
from schema.types import Institution, Network, Node, Person, Project, Reserve, Theme

InstitutionKind = strawberry.enum(model.InstitutionKind)

First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size: 20 when omitted, at most the hub's maximum (100 by default)."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Continue after this cursor (`pageInfo.endCursor`)."),
]
Text = Annotated[
    str | None,
    strawberry.argument(
        description='Only names containing this text; case- and accent-insensitive ("omana" finds "Omaña").'
    ),
]
Country = Annotated[
    str | None, strawberry.argument(description="ISO 3166-1 alpha-2 country code, e.g. ES.")
]
ThemeArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description='A theme id ("Theme:wildfire" or "wildfire").'),
]
NetworkArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description='A network id ("Network:wnmbr" or "wnmbr").'),
]
Within = Annotated[
    search.BoundingBox | None,
    strawberry.argument(
        description="Only reserves whose coordinates lie in this box (reserves without coordinates "
        "never match)."
    ),
]


async def existing(
    info: Info[Context, None], argument: str, kind: Kind, value: str | None
) -> str | None:
    """The key of an existing node of `kind`; BAD_USER_INPUT when it does not exist."""
    if value is None:
        return None
    key = arguments.key_of(argument, value, kind)
    if await info.context.loaders.nodes[kind].load(key) is None:
        raise BadUserInput(argument, f"there is no {kind} with id {value!r}")
    return key


async def _list(
    info: Info[Context, None], kind: Kind, where: NodeFilter, first: int | None, after: str | None
) -> Connection[Any]:
    size = page_size(first, info.context.max_page_size)
    after_key = decode_cursor("k", after)
    store = info.context.store
    page = await store.list_nodes(kind, where, size, after_key) if size else None
    items: list[NodeRecord] = page.items if page else []
    for record in items:  # later node(id:) lookups in this request need no round trip
        info.context.loaders.nodes[kind].prime(record.id, record)
    edges = [Edge(node=record, cursor=encode_cursor("k", record.id)) for record in items]

    async def count() -> int:
        return await store.count_nodes(kind, where)

    return Connection(
        edges=edges,
        page_info=page_info(
            [e.cursor for e in edges],
            has_next=page.has_next if page else False,
            after=after,
        ),
        count=count,
    )


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description='Any node by its global id, e.g. "Reserve:ordino". Unknown ids are NOT_FOUND.'
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        kind, key = arguments.node_id("id", id)
        record = await info.context.loaders.nodes[kind].load(key)
        if record is None:
            raise NodeNotFound(f"no node with id {id!r}", argument="id")
        return record  # type: ignore[return-value]

    @strawberry.field(
        description="Several nodes by global id, in the order given; null where an id does not exist."
    )
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > info.context.max_page_size:
            raise BadUserInput("ids", f"at most {info.context.max_page_size} ids at once")
        parsed = [arguments.node_id("ids", value) for value in ids]
        found = await asyncio.gather(
            *(info.context.loaders.nodes[k].load(key) for k, key in parsed)
        )
        return list(found)  # type: ignore[arg-type]

    @strawberry.field(description="Biosphere reserves, ordered by id.")
    async def reserves(
        self, info: Info[Context, None], first: First = None, after: After = None,
        text: Text = None, country: Country = None, theme: ThemeArg = None,
        network: NetworkArg = None, within: Within = None,
        min_projects: insights.MinProjects = None,
    ) -> Connection[Reserve]:  # fmt: skip
        where = NodeFilter(
            text=arguments.text("text", text),
            country=arguments.country("country", country),
            theme=await existing(info, "theme", Kind.THEME, theme),
            network=await existing(info, "network", Kind.NETWORK, network),
            within=search.bounding_box("within", within),
            min_projects=insights.min_projects(min_projects),
        )
        return await _list(info, Kind.RESERVE, where, first, after)

    @strawberry.field(description="Institutions, ordered by id.")
    async def institutions(
        self, info: Info[Context, None], first: First = None, after: After = None,
        text: Text = None, country: Country = None, network: NetworkArg = None,
        kind: InstitutionKind | None = None,  # type: ignore[valid-type]
        min_projects: insights.MinProjects = None, partner_abroad: insights.PartnerAbroad = None,
    ) -> Connection[Institution]:  # fmt: skip
        where = NodeFilter(
            text=arguments.text("text", text),
            country=arguments.country("country", country),
            network=await existing(info, "network", Kind.NETWORK, network),
            institution_kind=kind.value if kind is not None else None,
            min_projects=insights.min_projects(min_projects),
            partner_abroad=partner_abroad,
        )
        return await _list(info, Kind.INSTITUTION, where, first, after)

    @strawberry.field(
        description="Projects, ordered by id. `country` is the country of a reserve the project is sited in."
    )
    async def projects(
        self, info: Info[Context, None], first: First = None, after: After = None,
        text: Text = None, country: Country = None, theme: ThemeArg = None,
    ) -> Connection[Project]:  # fmt: skip
        where = NodeFilter(
            text=arguments.text("text", text),
            country=arguments.country("country", country),
            theme=await existing(info, "theme", Kind.THEME, theme),
        )
        return await _list(info, Kind.PROJECT, where, first, after)

    @strawberry.field(
        description="People, ordered by id. `theme`: people in a project on that theme."
    )
    async def people(
        self, info: Info[Context, None], first: First = None, after: After = None,
        text: Text = None, country: Country = None, theme: ThemeArg = None,
    ) -> Connection[Person]:  # fmt: skip
        where = NodeFilter(
            text=arguments.text("text", text),
            country=arguments.country("country", country),
            theme=await existing(info, "theme", Kind.THEME, theme),
        )
        return await _list(info, Kind.PERSON, where, first, after)

    @strawberry.field(description="The theme vocabulary, ordered by id.")
    async def themes(
        self, info: Info[Context, None], first: First = None, after: After = None, text: Text = None
    ) -> Connection[Theme]:
        return await _list(
            info, Kind.THEME, NodeFilter(text=arguments.text("text", text)), first, after
        )

    @strawberry.field(description="Networks of reserves and institutions, ordered by id.")
    async def networks(
        self, info: Info[Context, None], first: First = None, after: After = None, text: Text = None
    ) -> Connection[Network]:
        return await _list(
            info, Kind.NETWORK, NodeFilter(text=arguments.text("text", text)), first, after
        )
