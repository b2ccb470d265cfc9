"""Membership applications through the store: the state machine, MEMBER_OF and the audit records.

small.jsonl: network wnmbr has members omana (since 2021-12-07) and ordino; sierra and yading are
not members (tests/data/README.md).
"""

import datetime
import json
from typing import Any

import pytest

from graph._membership import UnknownNode
from graph.errors import Conflict, NotFound
from graph.model import Kind, RelType, find_relation
from graph.records import ApplicationRecord
from graph.store import ApplicationState, Direction, Store
from hub.auth import new_api_key
from schema.permissions import Role

MEMBER_OF = find_relation(RelType.MEMBER_OF, Kind.RESERVE, Kind.NETWORK)
assert MEMBER_OF is not None
SINCE = datetime.date(2025, 3, 14)


async def _apply(
    store: Store, reserve: str = "sierra", network: str = "wnmbr"
) -> ApplicationRecord:
    return await store.apply_for_membership(
        reserve=reserve, network=network, contact_name="Marta Ruiz",
        contact_email="marta@example.org", motivation="Mountain research station",
        actor="anonymous", request_id="req-apply",
    )  # fmt: skip


async def _changes(store: Store) -> list[dict[str, Any]]:
    rows = await store._read(  # type: ignore[attr-defined]
        "MATCH (c:Change) RETURN c {.*} AS change ORDER BY c.node, c.operation", {}
    )
    return [dict(row["change"]) for row in rows]


async def _membership(store: Store, reserve: str) -> list[tuple[str, datetime.date | None]]:
    (page,) = await store.links(MEMBER_OF, Direction.OUT, [reserve], 10, None)
    return [(link.node.id, link.since) for link in page.items]


async def _approve(store: Store, key: str) -> ApplicationRecord:
    return await store.approve_application(key, SINCE, actor="key:sec", request_id="req-approve")


async def _reject(store: Store, key: str) -> ApplicationRecord:
    return await store.reject_application(
        key, "not a mountain reserve", actor="key:sec", request_id="req-reject"
    )


# --- applying ---------------------------------------------------------------------------------------
async def test_an_application_is_stored_submitted_with_its_details_and_audited(
    small: Store,
) -> None:
    made = await _apply(small)
    assert made.state == ApplicationState.SUBMITTED
    (stored,) = await small.applications_by_id([made.id])
    assert stored == made
    assert (stored.reserve, stored.network, stored.contact_email) == (
        "sierra", "wnmbr", "marta@example.org",
    )  # fmt: skip
    (change,) = await _changes(small)
    assert change["node"] == f"Application:{made.id}"
    assert (change["operation"], change["actor"], change["request_id"]) == (
        "applyForMembership", "anonymous", "req-apply",
    )  # fmt: skip
    assert change.get("before") is None  # a null property is not stored
    after = json.loads(change["after"])
    assert after == {"state": "SUBMITTED", "reserve": "Reserve:sierra", "network": "Network:wnmbr"}
    assert "marta" not in change["after"], "contact details stay out of the audit trail"


async def test_applying_does_not_make_a_member(small: Store) -> None:
    await _apply(small)
    assert await _membership(small, "sierra") == []


@pytest.mark.parametrize(
    ("reserve", "network", "field"),
    [("ghost", "wnmbr", "reserve"), ("sierra", "ghost-net", "network")],
)
async def test_an_application_for_a_missing_reserve_or_network_is_refused_and_writes_nothing(
    small: Store, reserve: str, network: str, field: str
) -> None:
    with pytest.raises(UnknownNode) as refused:
        await _apply(small, reserve, network)
    assert refused.value.field == field
    assert await small.count_applications(None) == 0
    assert await _changes(small) == []


async def test_a_member_cannot_apply_again(small: Store) -> None:
    with pytest.raises(Conflict, match="already a member"):
        await _apply(small, "omana")
    assert await small.count_applications(None) == 0


async def test_a_second_application_while_one_waits_is_a_conflict(small: Store) -> None:
    await _apply(small)
    with pytest.raises(Conflict, match="SUBMITTED"):
        await _apply(small)
    assert await small.count_applications(None) == 1
    assert len(await _changes(small)) == 1


async def test_a_reserve_may_apply_again_after_a_rejection(small: Store) -> None:
    first = await _apply(small)
    await _reject(small, first.id)
    second = await _apply(small)
    assert second.id != first.id and second.state == ApplicationState.SUBMITTED


# --- deciding ---------------------------------------------------------------------------------------
async def test_approval_makes_the_reserve_a_member_since_the_date_and_audits_both(
    small: Store,
) -> None:
    made = await _apply(small)
    approved = await _approve(small, made.id)
    assert approved.state == ApplicationState.APPROVED
    assert (approved.since, approved.decided_by) == (SINCE, "key:sec")
    assert approved.decided_at is not None and approved.decided_at >= made.submitted_at
    assert await _membership(small, "sierra") == [("wnmbr", SINCE)]
    changes = [c for c in await _changes(small) if c["operation"] == "approveMembership"]
    assert {c["node"] for c in changes} == {f"Application:{made.id}", "Reserve:sierra"}
    assert {c["request_id"] for c in changes} == {"req-approve"}
    by_node = {c["node"]: c for c in changes}
    application = by_node[f"Application:{made.id}"]
    assert json.loads(application["before"])["state"] == "SUBMITTED"
    assert json.loads(application["after"]) == {
        "state": "APPROVED", "reserve": "Reserve:sierra", "network": "Network:wnmbr",
        "since": SINCE.isoformat(),
    }  # fmt: skip
    membership = by_node["Reserve:sierra"]
    assert membership["other"] == "Network:wnmbr"
    assert json.loads(membership["after"]) == {
        "relationship": "MEMBER_OF", "properties": {"since": SINCE.isoformat()},
    }  # fmt: skip


async def test_rejection_keeps_the_reason_makes_no_member_and_is_audited(small: Store) -> None:
    made = await _apply(small)
    rejected = await _reject(small, made.id)
    assert (rejected.state, rejected.reason) == (
        ApplicationState.REJECTED,
        "not a mountain reserve",
    )
    assert await _membership(small, "sierra") == []
    (change,) = [c for c in await _changes(small) if c["operation"] == "rejectMembership"]
    assert change["node"] == f"Application:{made.id}"
    assert json.loads(change["after"])["reason"] == "not a mountain reserve"


DECIDE = {"approve": _approve, "reject": _reject}


@pytest.mark.parametrize("first", list(DECIDE))
@pytest.mark.parametrize("then", list(DECIDE))
async def test_a_decided_application_refuses_any_further_decision_naming_its_state(
    small: Store, first: str, then: str
) -> None:
    made = await _apply(small)
    decided = await DECIDE[first](small, made.id)
    changes_before = await _changes(small)
    with pytest.raises(Conflict, match=f"the application is {decided.state}"):
        await DECIDE[then](small, made.id)
    (after,) = await small.applications_by_id([made.id])
    assert after == decided
    assert await _changes(small) == changes_before, "a refused transition is not audited"
    expected = [("wnmbr", SINCE)] if first == "approve" else []
    assert await _membership(small, "sierra") == expected


@pytest.mark.parametrize("decide", list(DECIDE))
async def test_deciding_an_unknown_application_is_not_found(small: Store, decide: str) -> None:
    with pytest.raises(NotFound):
        await DECIDE[decide](small, "00000000-0000-4000-8000-000000000000")


async def test_approval_of_a_reserve_deleted_since_is_refused_and_writes_nothing(
    small: Store,
) -> None:
    made = await _apply(small)
    await small._write("MATCH (r:Reserve {id: 'sierra'}) DETACH DELETE r", {})  # type: ignore[attr-defined]
    with pytest.raises(Conflict, match="no longer exists"):
        await _approve(small, made.id)
    (after,) = await small.applications_by_id([made.id])
    assert after is not None and after.state == ApplicationState.SUBMITTED
    assert await _reject(small, made.id)  # rejecting it is still possible


# --- listing ----------------------------------------------------------------------------------------
async def test_applications_list_oldest_first_by_state_in_pages(small: Store) -> None:
    made = [await _apply(small, reserve) for reserve in ("sierra", "yading")]
    await _reject(small, made[0].id)
    third = await _apply(small, "sierra")
    everything = await small.list_applications(None, 10, None)
    assert [a.id for a in everything.items] == [made[0].id, made[1].id, third.id]
    assert not everything.has_next
    waiting = await small.list_applications(ApplicationState.SUBMITTED, 10, None)
    assert [a.id for a in waiting.items] == [made[1].id, third.id]
    assert await small.count_applications(ApplicationState.SUBMITTED) == 2
    assert await small.count_applications(ApplicationState.REJECTED) == 1
    assert await small.count_applications(None) == 3
    first = await small.list_applications(None, 2, None)
    assert first.has_next and [a.id for a in first.items] == [made[0].id, made[1].id]
    last = first.items[-1]
    cursor = (last.submitted_at.isoformat(timespec="microseconds"), last.id)
    rest = await small.list_applications(None, 2, cursor)
    assert [a.id for a in rest.items] == [third.id] and not rest.has_next


async def test_applications_changes_and_api_keys_are_not_nodes_and_are_not_exported(
    small: Store,
) -> None:
    counts = await small.counts()
    exported = [row async for row in small.export_rows()]
    made = await _apply(small)
    await _approve(small, made.id)
    await small.create_api_key(new_api_key(Role.SECRETARIAT, name="exported?").record)
    internal = await small._read(  # type: ignore[attr-defined]
        "MATCH (n) WHERE n:Application OR n:Change OR n:ApiKey RETURN labels(n)[0] AS label", {}
    )
    assert {row["label"] for row in internal} == {"Application", "Change", "ApiKey"}
    assert await small.counts() == counts
    after = [row async for row in small.export_rows()]
    text = json.dumps(after)
    assert all(word not in text for word in ("Application", "Change", "ApiKey", "exported?"))
    new_rows = [row for row in after if row not in exported]
    assert new_rows == [
        {"rel": "MEMBER_OF", "from": "Reserve:sierra", "to": "Network:wnmbr",
         "properties": {"since": SINCE.isoformat()}},
    ]  # fmt: skip
