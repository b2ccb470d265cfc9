"""Membership applications: a reserve applies to join a network; the secretariat decides.

    SUBMITTED ──approve──> APPROVED   (creates the reserve's MEMBER_OF relationship, with its date)
        └──────reject───> REJECTED   (with a reason)

Any other transition is a `Conflict` naming the current state. Each transition is one statement
that also writes its audit records (`Change` nodes, see graph/cypher.py), so the change and its
record happen together or not at all. Applications are internal `Application` nodes: not a node
kind, never exported, linked to nothing (the reserve and network are kept as keys).
"""

import datetime
import json
import uuid
from collections.abc import Sequence
from typing import Any

from graph import cypher
from graph._runner import Runner
from graph.errors import Conflict, InvalidInput, NotFound
from graph.model import Kind, global_id
from graph.records import ApplicationPage, ApplicationRecord
from graph.store import ApplicationState

APPLICATION_LABEL = "Application"


class UnknownNode(InvalidInput):
    """An application names a reserve or network that does not exist (`field` says which)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def now() -> str:
    """The current UTC time as stored: ISO 8601 with microseconds, so text order is time order."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")


def application_id(key: str) -> str:
    return f"{APPLICATION_LABEL}:{key}"


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _audit(
    at: str, actor: str, request_id: str, operation: str, node: str,
    before: dict[str, Any] | None, after: dict[str, Any] | None, other: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """One audit record, as graph._writes writes them (`other`: a relationship's other end)."""
    return {
        "id": str(uuid.uuid4()), "at": at, "actor": actor, "request_id": request_id,
        "operation": operation, "node": node, "other": other, "before": _json(before),
        "after": _json(after),
    }  # fmt: skip


def _public(record: ApplicationRecord) -> dict[str, Any]:
    """What the audit trail keeps of an application: no contact details (personal data that
    must be erasable, while the audit trail is kept)."""
    values: dict[str, Any] = {
        "state": record.state,
        "reserve": global_id(Kind.RESERVE, record.reserve),
        "network": global_id(Kind.NETWORK, record.network),
    }
    if record.since is not None:
        values["since"] = record.since.isoformat()
    if record.reason is not None:
        values["reason"] = record.reason
    return values


def application_from_stored(props: dict[str, Any]) -> ApplicationRecord:
    def moment(name: str) -> datetime.datetime | None:
        value = props.get(name)
        return datetime.datetime.fromisoformat(value) if value else None

    since = props.get("since")
    submitted = moment("submitted_at")
    assert submitted is not None, "an application always has submitted_at"
    return ApplicationRecord(
        id=props["id"],
        state=props["state"],
        reserve=props["reserve"],
        network=props["network"],
        contact_name=props["contact_name"],
        contact_email=props["contact_email"],
        motivation=props["motivation"],
        submitted_at=submitted,
        decided_at=moment("decided_at"),
        decided_by=props.get("decided_by"),
        reason=props.get("reason"),
        since=datetime.date.fromisoformat(since) if since else None,
    )


class MembershipMixin(Runner):
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
        at = now()
        key = str(uuid.uuid4())
        stored = {
            "id": key, "state": ApplicationState.SUBMITTED.value, "reserve": reserve,
            "network": network, "contact_name": contact_name, "contact_email": contact_email,
            "motivation": motivation, "submitted_at": at,
        }  # fmt: skip
        record = application_from_stored(stored)
        audit = [
            _audit(at, actor, request_id, "applyForMembership", application_id(key), None,
                   _public(record)),
        ]  # fmt: skip
        rows = await self._write(
            cypher.APPLY_FOR_MEMBERSHIP,
            {"app_reserve": reserve, "app_network": network, "application": stored, "audit": audit},
        )
        (row,) = rows
        if row["ok"]:
            return record
        if not row["reserve_found"]:
            raise UnknownNode("reserve", f"there is no Reserve with id {reserve!r}")
        if not row["network_found"]:
            raise UnknownNode("network", f"there is no Network with id {network!r}")
        if row["member"]:
            raise Conflict(f"Reserve:{reserve} is already a member of Network:{network}")
        raise Conflict(
            f"Reserve:{reserve} already has an application to Network:{network} in state "
            f"{ApplicationState.SUBMITTED}; it must be decided first"
        )

    async def _decide(
        self,
        statement: str,
        key: str,
        decided: ApplicationState,
        decision: dict[str, Any],
        *,
        actor: str,
        request_id: str,
    ) -> ApplicationRecord:
        at = now()
        # Read the application to describe it in the audit records; the write then checks the
        # state again itself (a decision made in between makes it refuse, not write twice).
        rows = await self._read(cypher.MATCH_APPLICATIONS_BY_ID, {"app_ids": [key]})
        if not rows:
            raise NotFound(f"there is no membership application with id {application_id(key)!r}")
        current = application_from_stored(rows[0]["application"])
        after = application_from_stored(
            {
                **rows[0]["application"],
                "state": decided.value,
                "decided_at": at,
                "decided_by": actor,
            }
            | {k: v for k, v in decision.items() if k in ("reason", "since") and v is not None}
        )
        operation = (
            "approveMembership" if decided is ApplicationState.APPROVED else ("rejectMembership")
        )
        before_public = _public(current) | {"state": ApplicationState.SUBMITTED.value}
        audit = [
            _audit(at, actor, request_id, operation, application_id(key), before_public,
                   _public(after)),
        ]  # fmt: skip
        if decided is ApplicationState.APPROVED:  # the new relationship, as link() records one
            membership = {"relationship": "MEMBER_OF", "properties": {"since": decision["since"]}}
            audit.append(
                _audit(at, actor, request_id, operation, global_id(Kind.RESERVE, current.reserve),
                       None, membership, other=global_id(Kind.NETWORK, current.network))
            )  # fmt: skip
        rows = await self._write(
            statement,
            {"app_id": key, "decision": decision | {"at": at, "by": actor}, "audit": audit},
        )
        if not rows:  # deleted between the two statements
            raise NotFound(f"there is no membership application with id {application_id(key)!r}")
        row = rows[0]
        if row["ok"]:
            return application_from_stored(row["application"])
        if row["previous"] != ApplicationState.SUBMITTED:
            raise Conflict(
                f"the application is {row['previous']}; only a {ApplicationState.SUBMITTED} "
                f"application can be {decided.value.lower()}"
            )
        raise Conflict(
            f"Reserve:{current.reserve} or Network:{current.network} no longer exists; "
            "reject the application instead"
        )

    async def approve_application(
        self, key: str, since: datetime.date, *, actor: str, request_id: str
    ) -> ApplicationRecord:
        return await self._decide(
            cypher.APPROVE_APPLICATION, key, ApplicationState.APPROVED,
            {"since": since.isoformat(), "reason": None}, actor=actor, request_id=request_id,
        )  # fmt: skip

    async def reject_application(
        self, key: str, reason: str, *, actor: str, request_id: str
    ) -> ApplicationRecord:
        return await self._decide(
            cypher.REJECT_APPLICATION, key, ApplicationState.REJECTED,
            {"since": None, "reason": reason}, actor=actor, request_id=request_id,
        )  # fmt: skip

    async def applications_by_id(self, keys: Sequence[str]) -> list[ApplicationRecord | None]:
        if not keys:
            return []
        rows = await self._read(cypher.MATCH_APPLICATIONS_BY_ID, {"app_ids": list(set(keys))})
        found = {row["application"]["id"]: row["application"] for row in rows}
        return [application_from_stored(found[k]) if k in found else None for k in keys]

    async def list_applications(
        self, state: ApplicationState | None, first: int, after: tuple[str, str] | None
    ) -> ApplicationPage:
        params = {
            "app_state": state.value if state else None,
            "app_after_at": after[0] if after else None,
            "app_after_id": after[1] if after else None,
            "limit": first + 1,
        }
        rows = await self._read(cypher.LIST_APPLICATIONS, params)
        items = [application_from_stored(row["application"]) for row in rows]
        return ApplicationPage(items=items[:first], has_next=len(items) > first)

    async def count_applications(self, state: ApplicationState | None) -> int:
        rows = await self._read(
            cypher.COUNT_APPLICATIONS, {"app_state": state.value if state else None}
        )
        return int(rows[0]["total"]) if rows else 0
