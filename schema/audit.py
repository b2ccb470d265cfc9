"""The audit trail: every write, who made it, when, from which request, before and after."""

import datetime
import json
import re
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph._writes import stored_time
from graph.model import global_id
from graph.records import ChangeFilter, ChangeRecord
from schema import arguments
from schema.context import Context
from schema.errors import BadUserInput
from schema.paging import Connection, Edge, decode_cursor, encode_cursor, page_info, page_size
from schema.permissions import Role, require

_CURSOR = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00)\|([0-9a-f-]{1,64})\Z")


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@strawberry.type(
    description="One audited write. Kept when the node itself is deleted; not a Node, never "
    "exported."
)
class Change:
    id: strawberry.ID = strawberry.field(description="The change's own id (a UUID).")
    at: datetime.datetime = strawberry.field(description="When it was written (UTC).")
    actor: str = strawberry.field(
        description='Who wrote it: "key:<API key id>", "jwt:<subject>" (see hub/auth.py).'
    )
    request_id: str | None = strawberry.field(
        description="The request it came from (the X-Request-ID header of the response)."
    )
    operation: str = strawberry.field(
        description='The mutation: "createReserve", "updatePerson", "link", "approveMembership"...'
    )
    node_id: strawberry.ID | None = strawberry.field(
        description="The node written to; for a relationship, its start; null for a bulk import "
        "(importGraph, hub load), whose `after` gives its lines and counts per kind."
    )
    other_node_id: strawberry.ID | None = strawberry.field(
        description="For a relationship, its end; null otherwise."
    )
    before: JSON | None = strawberry.field(
        description="The stored values before (null: it did not exist). A relationship: "
        "{relationship, properties}."
    )
    after: JSON | None = strawberry.field(description="The stored values after (null: deleted).")

    @classmethod
    def of(cls, record: ChangeRecord) -> "Change":
        return cls(
            id=strawberry.ID(record.id),
            at=datetime.datetime.fromisoformat(record.at),
            actor=record.actor,
            request_id=record.request_id,
            operation=record.operation,
            node_id=strawberry.ID(record.node) if record.node else None,
            other_node_id=strawberry.ID(record.other) if record.other else None,
            before=_json(record.before),
            after=_json(record.after),
        )


def _after(cursor: str | None) -> tuple[str, str] | None:
    value = decode_cursor("c", cursor)
    if value is None:
        return None
    found = _CURSOR.match(value)
    if found is None:
        raise BadUserInput("after", "is not a cursor this list gave out")
    return found.group(1), found.group(2)


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The audit trail, newest first (ties by change id): every write, by whom, "
        "when, from which request, with the values before and after. Secretariat only."
    )
    async def changes(
        self,
        info: Info[Context, None],
        node_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description='Only changes to this node (global id, e.g. "Reserve:ordino"), '
                "including its relationships; deleted nodes too."
            ),
        ] = None,
        since: Annotated[
            datetime.datetime | None,
            strawberry.argument(description="Only changes at or after this time (no zone: UTC)."),
        ] = None,
        actor: Annotated[
            str | None, strawberry.argument(description='Only changes by this actor ("key:...").')
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Change]:
        require(info.context.viewer, Role.SECRETARIAT)
        size = page_size(first, info.context.max_page_size)
        node = None
        if node_id is not None:
            node = global_id(*arguments.node_id("nodeId", node_id))
        where = ChangeFilter(node=node, since=stored_time(since) if since else None, actor=actor)
        cursor = _after(after)
        store = info.context.store
        page = await store.changes(where, size, cursor) if size else None
        edges = [
            Edge(node=Change.of(item), cursor=encode_cursor("c", f"{item.at}|{item.id}"))
            for item in (page.items if page else [])
        ]

        async def count() -> int:
            return await store.count_changes(where)

        return Connection(
            edges=edges,
            page_info=page_info(
                [e.cursor for e in edges], has_next=page.has_next if page else False, after=after
            ),
            count=count,
        )
