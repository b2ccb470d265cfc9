"""The node types: each subclasses its store record and adds only relationship fields.

Resolvers return store records unchanged; `is_type_of` tells GraphQL which type a record is.
All six types live in one module because every one links to the others.
"""

from typing import Any

import strawberry
from strawberry.types import Info

from graph import records
from graph.model import RELATIONS, Kind, Relation, RelType, global_id
from graph.store import Direction
from schema.context import Context
from schema.loaders import LinkKey
from schema.paging import (
    RelationshipConnection,
    RelationshipEdge,
    decode_cursor,
    encode_cursor,
    page_info,
    page_size,
)
from schema.permissions import Forbidden, Role, Unauthenticated

RelationshipKind = strawberry.enum(
    RelType, name="RelationshipKind", description="The types of relationship in the graph."
)

NodeKind = strawberry.enum(
    Kind, name="Kind", description="The kinds of node in the graph (RESERVE, INSTITUTION, ...)."
)


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    @strawberry.field(
        name="id",
        description='Global id: the kind and the key, e.g. "Reserve:ordino". Stable.',
    )
    def global_id(self) -> strawberry.ID:
        record: Any = self
        return strawberry.ID(global_id(record.KIND, record.id))

    @strawberry.field(
        description="The node's key, unique within its kind (the part after the colon)."
    )
    def key(self) -> str:
        record: Any = self
        return str(record.id)


def _relation(source: Kind, type_: RelType, target: Kind) -> Relation:
    return next(r for r in RELATIONS if (r.source, r.type, r.target) == (source, type_, target))


def _linked(
    source: Kind, type_: RelType, target: Kind, direction: Direction, description: str
) -> Any:
    """A paginated relationship field, resolved through the per-request links DataLoader."""
    relation = _relation(source, type_, target)
    end = relation.target if direction is Direction.OUT else relation.source

    async def resolve(
        root: Any,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        size = page_size(first, info.context.max_page_size)
        after_key = decode_cursor("k", after)
        page = await info.context.loaders.links.load(
            LinkKey(relation, direction, size, after_key, root.id)
        )
        edges = [
            RelationshipEdge(
                node=link.node,
                cursor=encode_cursor("k", link.node.id),
                roles=link.roles,
                since=link.since,
            )
            for link in page.items
        ]
        return RelationshipConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
            total_count=page.total,
        )

    resolve.__annotations__["return"] = f"RelationshipConnection[{end}]"
    return strawberry.field(resolver=resolve, description=description)


def _is(record_type: type) -> Any:
    def is_type_of(cls: type, obj: Any, _info: Any) -> bool:
        return isinstance(obj, (cls, record_type))

    return classmethod(is_type_of)


@strawberry.type(
    description="Where a reserve's fact came from: the field, the value and its source."
)
class Provenance(records.Provenance):
    pass


@strawberry.type(
    description="A UNESCO biosphere reserve (most in mountains), with its official facts and sources."
)
class Reserve(Node, records.ReserveRecord):
    id: strawberry.Private[str]
    provenance: list[Provenance] = strawberry.field(  # type: ignore[assignment]
        description="The source of each imported fact (field, value, URL, note)."
    )
    is_type_of = _is(records.ReserveRecord)

    projects = _linked(Kind.PROJECT, RelType.SITED_IN, Kind.RESERVE, Direction.IN,
                       "Projects sited in this reserve.")  # fmt: skip
    themes = _linked(Kind.RESERVE, RelType.ADDRESSES, Kind.THEME, Direction.OUT,
                     "Themes this reserve addresses.")  # fmt: skip
    institutions = _linked(Kind.INSTITUTION, RelType.MANAGES, Kind.RESERVE, Direction.IN,
                           "Institutions that manage this reserve.")  # fmt: skip
    people = _linked(Kind.PERSON, RelType.WORKS_AT, Kind.RESERVE, Direction.IN,
                     "People who work at this reserve, with their roles.")  # fmt: skip
    networks = _linked(Kind.RESERVE, RelType.MEMBER_OF, Kind.NETWORK, Direction.OUT,
                       "Networks this reserve is a member of, with `since` the date it joined.")  # fmt: skip


@strawberry.type(
    description="An organisation: research centre, university, NGO, government body, UN programme or reserve management."
)
class Institution(Node, records.InstitutionRecord):
    id: strawberry.Private[str]
    is_type_of = _is(records.InstitutionRecord)

    people = _linked(Kind.PERSON, RelType.AFFILIATED_WITH, Kind.INSTITUTION, Direction.IN,
                     "People affiliated with this institution, with their roles and since when.")  # fmt: skip
    projects = _linked(Kind.INSTITUTION, RelType.PARTNER_IN, Kind.PROJECT, Direction.OUT,
                       "Projects this institution takes part in, with its roles.")  # fmt: skip
    reserves = _linked(Kind.INSTITUTION, RelType.MANAGES, Kind.RESERVE, Direction.OUT,
                       "Reserves this institution manages.")  # fmt: skip
    networks = _linked(Kind.INSTITUTION, RelType.MEMBER_OF, Kind.NETWORK, Direction.OUT,
                       "Networks this institution is a member of, with `since`.")  # fmt: skip


@strawberry.type(description="A project: research, management or exchange work sited in reserves.")
class Project(Node, records.ProjectRecord):
    id: strawberry.Private[str]
    is_type_of = _is(records.ProjectRecord)

    participants = _linked(Kind.PERSON, RelType.PARTICIPATES_IN, Kind.PROJECT, Direction.IN,
                           "People taking part, with their roles.")  # fmt: skip
    institutions = _linked(Kind.INSTITUTION, RelType.PARTNER_IN, Kind.PROJECT, Direction.IN,
                           "Partner institutions, with their roles.")  # fmt: skip
    reserves = _linked(Kind.PROJECT, RelType.SITED_IN, Kind.RESERVE, Direction.OUT,
                       "Reserves where the project takes place.")  # fmt: skip
    themes = _linked(Kind.PROJECT, RelType.ADDRESSES, Kind.THEME, Direction.OUT,
                     "Themes the project addresses.")  # fmt: skip


_EMAIL_RULE = (
    "The person's e-mail address (null when unknown). Personal data: visible to the secretariat "
    "and to editors of an institution the person is affiliated with. Asked for without "
    "credentials it is null with an UNAUTHENTICATED error; with credentials that are not enough "
    "(a partner, an editor of other institutions) null with a FORBIDDEN error."
)
_AFFILIATED_WITH = _relation(Kind.PERSON, RelType.AFFILIATED_WITH, Kind.INSTITUTION)


async def _affiliated(info: Info[Context, None], person: str, institutions: frozenset[str]) -> bool:
    """Whether the person is affiliated with one of these institutions, through the same batched
    links loader as the relationship fields (one round trip for a whole list of people)."""
    size, after = info.context.max_page_size, None
    while True:
        page = await info.context.loaders.links.load(
            LinkKey(_AFFILIATED_WITH, Direction.OUT, size, after, person)
        )
        if any(link.node.id in institutions for link in page.items):
            return True
        if not page.has_next or not page.items:
            return False
        after = page.items[-1].node.id


@strawberry.type(description="A person in the network. Contact details are never public.")
class Person(Node, records.PersonRecord):
    id: strawberry.Private[str]
    email: strawberry.Private[str | None]  # the record's value; exposed only through the rule below
    is_type_of = _is(records.PersonRecord)

    @strawberry.field(name="email", description=_EMAIL_RULE)
    async def contact_email(self, info: Info[Context, None]) -> str | None:
        viewer = info.context.viewer
        if viewer.role is Role.SECRETARIAT:
            return self.email
        if (
            viewer.role is Role.EDITOR
            and viewer.institutions
            and await _affiliated(info, self.id, viewer.institutions)
        ):
            return self.email
        if not viewer.authenticated:
            raise Unauthenticated(
                "a person's e-mail needs credentials: an API key or a token (Authorization: Bearer ...)"
            )
        raise Forbidden(
            "a person's e-mail is visible to the secretariat and to editors of an institution "
            "the person is affiliated with"
        )

    institutions = _linked(Kind.PERSON, RelType.AFFILIATED_WITH, Kind.INSTITUTION, Direction.OUT,
                           "Institutions this person is affiliated with, with roles and since when.")  # fmt: skip
    projects = _linked(Kind.PERSON, RelType.PARTICIPATES_IN, Kind.PROJECT, Direction.OUT,
                       "Projects this person takes part in, with their roles.")  # fmt: skip
    reserves = _linked(Kind.PERSON, RelType.WORKS_AT, Kind.RESERVE, Direction.OUT,
                       "Reserves this person works at, with their roles.")  # fmt: skip


@strawberry.type(
    description="A research or management theme from the network's vocabulary, with SDG numbers."
)
class Theme(Node, records.ThemeRecord):
    id: strawberry.Private[str]
    is_type_of = _is(records.ThemeRecord)

    projects = _linked(Kind.PROJECT, RelType.ADDRESSES, Kind.THEME, Direction.IN,
                       "Projects addressing this theme.")  # fmt: skip
    reserves = _linked(Kind.RESERVE, RelType.ADDRESSES, Kind.THEME, Direction.IN,
                       "Reserves addressing this theme.")  # fmt: skip


@strawberry.type(
    description="A network of reserves and institutions (the WNMBR, regional MAB networks...)."
)
class Network(Node, records.NetworkRecord):
    id: strawberry.Private[str]
    is_type_of = _is(records.NetworkRecord)

    reserves = _linked(Kind.RESERVE, RelType.MEMBER_OF, Kind.NETWORK, Direction.IN,
                       "Member reserves, with `since` the date each joined.")  # fmt: skip
    institutions = _linked(Kind.INSTITUTION, RelType.MEMBER_OF, Kind.NETWORK, Direction.IN,
                           "Member institutions, with `since`.")  # fmt: skip


TYPES: dict[Kind, type] = {  # also registers NodeKind: see schema/__init__.py
    Kind.RESERVE: Reserve,
    Kind.INSTITUTION: Institution,
    Kind.PROJECT: Project,
    Kind.PERSON: Person,
    Kind.THEME: Theme,
    Kind.NETWORK: Network,
}
