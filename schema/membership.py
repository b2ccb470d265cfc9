"""Membership applications: a reserve applies to join a network, the secretariat decides.

Anyone may apply (a reserve writes to the secretariat); only the secretariat lists applications,
sees their contact details, and approves or rejects them. The reserve must already be in the
graph: reserves are official UNESCO sites whose facts (country, designation year, source) the
secretariat adds first, so approving an application only adds the MEMBER_OF relationship.
"""

import datetime
import re
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph._membership import UnknownNode
from graph.errors import NotFound
from graph.model import Kind, global_id
from graph.records import ApplicationRecord
from graph.store import ApplicationState
from schema import arguments
from schema.context import Context
from schema.errors import BadUserInput, NodeNotFound
from schema.paging import Connection, Edge, decode_cursor, encode_cursor, page_info, page_size
from schema.permissions import Role, require
from schema.types import Network, Reserve

ApplicationStateEnum = strawberry.enum(
    ApplicationState,
    name="ApplicationState",
    description="SUBMITTED, then APPROVED or REJECTED by the secretariat (no other transition).",
)

APPLICATION_PREFIX = "Application:"
DEFAULT_NETWORK = "Network:wnmbr"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME_MAX, _EMAIL_MAX, _MOTIVATION_MAX, _REASON_MAX = 300, 254, 5000, 2000


class Problems(BadUserInput):
    """Every problem with an input at once: `extensions.problems` lists {path, message}."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        summary = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        super().__init__(problems[0]["path"], summary)
        self.message = summary
        self.args = (summary,)
        self.extensions["problems"] = problems


@strawberry.type(
    name="MembershipApplication",
    description="A reserve's application to join a network. Contact details are visible to the "
    "secretariat only (FORBIDDEN otherwise).",
)
class MembershipApplication:
    record: strawberry.Private[ApplicationRecord]

    @strawberry.field(description='The application\'s id, e.g. "Application:<uuid>".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(APPLICATION_PREFIX + self.record.id)

    @strawberry.field
    def state(self) -> ApplicationState:
        return ApplicationState(self.record.state)

    @strawberry.field(description="The reserve that applies (null if it has since been deleted).")
    async def reserve(self, info: Info[Context, None]) -> Reserve | None:
        node: Any = await info.context.loaders.nodes[Kind.RESERVE].load(self.record.reserve)
        return node  # type: ignore[no-any-return]

    @strawberry.field(description="The network applied to (null if it has since been deleted).")
    async def network(self, info: Info[Context, None]) -> Network | None:
        node: Any = await info.context.loaders.nodes[Kind.NETWORK].load(self.record.network)
        return node  # type: ignore[no-any-return]

    @strawberry.field(description="The reserve's id, kept even if the reserve is deleted.")
    def reserve_id(self) -> strawberry.ID:
        return strawberry.ID(global_id(Kind.RESERVE, self.record.reserve))

    @strawberry.field
    def motivation(self) -> str:
        return self.record.motivation

    @strawberry.field(description="Who to write to about the application. Secretariat only.")
    def contact_name(self, info: Info[Context, None]) -> str | None:
        require(info.context.viewer, Role.SECRETARIAT)
        return self.record.contact_name

    @strawberry.field(description="Where to write about the application. Secretariat only.")
    def contact_email(self, info: Info[Context, None]) -> str | None:
        require(info.context.viewer, Role.SECRETARIAT)
        return self.record.contact_email

    @strawberry.field
    def submitted_at(self) -> datetime.datetime:
        return self.record.submitted_at

    @strawberry.field(description="When the secretariat approved or rejected it.")
    def decided_at(self) -> datetime.datetime | None:
        return self.record.decided_at

    @strawberry.field(description="The reason given for a rejection.")
    def reason(self) -> str | None:
        return self.record.reason

    @strawberry.field(description="The membership date set on approval.")
    def since(self) -> datetime.date | None:
        return self.record.since


@strawberry.input(description="A reserve's application to join a network.")
class MembershipApplicationInput:
    reserve: strawberry.ID = strawberry.field(
        description='The reserve that applies, already in the graph ("Reserve:ordino" or '
        '"ordino"); a reserve not yet in the hub asks the secretariat to add it first.'
    )
    network: strawberry.ID = strawberry.field(
        default=strawberry.ID(DEFAULT_NETWORK),
        description="The network to join (the WNMBR by default).",
    )
    contact_name: str = strawberry.field(description="Who applies (secretariat only sees it).")
    contact_email: str = strawberry.field(description="Where the secretariat answers.")
    motivation: str = strawberry.field(description="Why the reserve wants to join.")


def _text(problems: list[dict[str, str]], path: str, value: str, maximum: int) -> str:
    value = value.strip()
    if not value:
        problems.append({"path": path, "message": "must not be empty"})
    elif len(value) > maximum:
        problems.append({"path": path, "message": f"is longer than {maximum} characters"})
    elif "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        problems.append({"path": path, "message": "contains a NUL or an unpaired surrogate"})
    return value


def _checked(given: MembershipApplicationInput) -> dict[str, str]:
    problems: list[dict[str, str]] = []
    keys: dict[str, str] = {}
    for field, kind in (("reserve", Kind.RESERVE), ("network", Kind.NETWORK)):
        try:
            keys[field] = arguments.key_of(f"input.{field}", getattr(given, field), kind)
        except BadUserInput as exc:
            problems.append({"path": f"input.{field}", "message": exc.message.split(": ", 1)[1]})
    name = _text(problems, "input.contactName", given.contact_name, _NAME_MAX)
    email = _text(problems, "input.contactEmail", given.contact_email, _EMAIL_MAX)
    if email and len(email) <= _EMAIL_MAX and not _EMAIL.match(email):
        problems.append({"path": "input.contactEmail", "message": "is not an e-mail address"})
    motivation = _text(problems, "input.motivation", given.motivation, _MOTIVATION_MAX)
    if problems:
        raise Problems(problems)
    return {"contact_name": name, "contact_email": email, "motivation": motivation, **keys}


def _application_key(value: str) -> str:
    key = value.removeprefix(APPLICATION_PREFIX)
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", key):
        raise BadUserInput("id", f'{value!r} is not an application id ("Application:<uuid>")')
    return key


def _wrap(record: ApplicationRecord) -> MembershipApplication:
    return MembershipApplication(record=record)


@strawberry.type
class MembershipQuery:
    @strawberry.field(
        description="Membership applications, oldest first (ties by id). Secretariat only."
    )
    async def membership_applications(
        self,
        info: Info[Context, None],
        state: Annotated[
            ApplicationState | None,  # the GraphQL enum ApplicationState (above)
            strawberry.argument(description="Only applications in this state."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[MembershipApplication]:
        require(info.context.viewer, Role.SECRETARIAT)
        size = page_size(first, info.context.max_page_size)
        position = decode_cursor("a", after)
        after_pair: tuple[str, str] | None = None
        if position is not None:
            at, sep, key = position.rpartition("|")
            if not sep or not at:
                raise BadUserInput("after", "is not a cursor this list gave out")
            after_pair = (at, key)
        store = info.context.store
        page = await store.list_applications(state, size, after_pair)
        edges = [
            Edge(
                node=_wrap(item),
                cursor=encode_cursor(
                    "a", f"{item.submitted_at.isoformat(timespec='microseconds')}|{item.id}"
                ),
            )
            for item in page.items
        ]

        async def count() -> int:
            return await store.count_applications(state)

        return Connection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
            count=count,
        )


@strawberry.type
class MembershipMutation:
    @strawberry.mutation(
        description="Apply for a reserve to join a network; anyone may. CONFLICT when the "
        "reserve is already a member or already has an application waiting for a decision."
    )
    async def apply_for_membership(
        self, info: Info[Context, None], input: MembershipApplicationInput
    ) -> MembershipApplication:
        values = _checked(input)
        viewer = info.context.viewer
        try:
            record = await info.context.store.apply_for_membership(
                **values, actor=viewer.actor, request_id=info.context.request_id
            )
        except UnknownNode as exc:
            raise Problems([{"path": f"input.{exc.field}", "message": str(exc)}]) from None
        return _wrap(record)

    @strawberry.mutation(
        description="Approve a SUBMITTED application: the reserve becomes a member of the "
        "network (MEMBER_OF since `since`, today by default) in the same write. Secretariat only; "
        "CONFLICT naming the current state otherwise."
    )
    async def approve_membership(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        since: datetime.date | None = None,
    ) -> MembershipApplication:
        viewer = require(info.context.viewer, Role.SECRETARIAT)
        key = _application_key(id)
        day = since or datetime.datetime.now(datetime.UTC).date()
        try:
            record = await info.context.store.approve_application(
                key, day, actor=viewer.actor, request_id=info.context.request_id
            )
        except NotFound as exc:
            raise NodeNotFound(str(exc)) from None
        return _wrap(record)

    @strawberry.mutation(
        description="Reject a SUBMITTED application with a reason. Secretariat only; CONFLICT "
        "naming the current state otherwise."
    )
    async def reject_membership(
        self, info: Info[Context, None], id: strawberry.ID, reason: str
    ) -> MembershipApplication:
        viewer = require(info.context.viewer, Role.SECRETARIAT)
        key = _application_key(id)
        problems: list[dict[str, str]] = []
        text = _text(problems, "reason", reason, _REASON_MAX)
        if problems:
            raise Problems(problems)
        try:
            record = await info.context.store.reject_application(
                key, text, actor=viewer.actor, request_id=info.context.request_id
            )
        except NotFound as exc:
            raise NodeNotFound(str(exc)) from None
        return _wrap(record)
