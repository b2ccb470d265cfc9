"""Cursor connections (Relay): page arguments, opaque cursors, and the generic types."""

import base64
import binascii
import datetime
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from graph.validation import KEY_PATTERN
from schema.errors import BadUserInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20


def page_size(first: int | None, maximum: int) -> int:
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if first < 0 or first > maximum:
        raise BadUserInput("first", f"must be between 0 and {maximum}, got {first}")
    return first


def encode_cursor(prefix: str, value: str | int) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{value}".encode()).decode()


def decode_cursor(prefix: str, cursor: str | None, argument: str = "after") -> str | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(argument, "is not a cursor this list gave out") from None
    found, sep, value = text.partition(":")
    if found != prefix or not sep or not value:
        raise BadUserInput(argument, "is not a cursor this list gave out")
    if prefix == "k" and not KEY_PATTERN.fullmatch(value):  # e.g. a NUL the database rejects
        raise BadUserInput(argument, "is not a cursor this list gave out")
    return value


def decode_offset(cursor: str | None) -> int:
    value = decode_cursor("o", cursor)
    if value is None:
        return 0
    if not value.isdigit():
        raise BadUserInput("after", "is not a cursor this list gave out")
    return int(value) + 1


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info(cursors: list[str], *, has_next: bool, after: str | None) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@strawberry.type(description="A node in a list, with the cursor to continue after it.")
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type(description="One page of a list of nodes ordered by id.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The nodes of this page (the edges without cursors).")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


@strawberry.type(
    description="A neighbour through a relationship, with that relationship's properties."
)
class RelationshipEdge(Generic[T]):
    node: T
    cursor: str
    roles: list[str] = strawberry.field(
        description="Roles held through this relationship (empty where the relationship has none)."
    )
    since: datetime.date | None = strawberry.field(
        description="When the relationship began, where it has a start date (memberships, affiliations)."
    )


@strawberry.type(
    description="One page of a node's neighbours through one relationship, ordered by id."
)
class RelationshipConnection(Generic[T]):
    edges: list[RelationshipEdge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many neighbours there are in all.")

    @strawberry.field(description="The neighbours of this page (the edges without cursors).")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
