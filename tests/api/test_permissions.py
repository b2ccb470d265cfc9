"""Who may do what, over real HTTP with real credentials (issue 4, point 2).

The role matrix: every role below against every operation that needs more than anonymity (the
private fields and the mutations), each case expecting OK, UNAUTHENTICATED or FORBIDDEN. Keys
are made with hub.auth.new_api_key and stored through the store API, tokens are signed with
PyJWT, on a fresh graph holding tests/data/small.jsonl (ana, with an address, is affiliated with
uleon; chloe with uleon and cas; bo with cas).

Adding a mutation to the matrix means adding one `Operation` row to OPERATIONS.
"""

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from conftest import Hub, hub_settings, loaded_graph, new_falkor_store, run_server
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.datastructures import Secret

from graph.importing import import_rows, numbered
from graph.model import Kind, RelType, find_relation
from graph.store import Store, counting_round_trips
from hub.auth import Authenticator, new_api_key
from schema.permissions import Role

JWT_SECRET = "a-test-secret-of-at-least-32-characters!"
ISSUER = "https://id.example.org"
AUDIENCE = "wnmbr-hub"

OK, UNAUTHENTICATED, FORBIDDEN = "OK", "UNAUTHENTICATED", "FORBIDDEN"

# Every role of the matrix, and how its scope is set up (see the `served` fixture). The editors in
# scope are also granted the reserve r-<case> and institution i-<case> of each case (keys and
# tokens made per case), so that cases that delete things do not depend on each other.
EDITOR_IN = {"reserves": ["omana"], "institutions": ["uleon"]}  # ana's institution
EDITOR_OUT = {"reserves": ["ordino"], "institutions": ["cas"]}  # not ana's
ROLES = (
    "anonymous",
    "partner",
    "editor in scope",
    "editor out of scope",
    "secretariat",
    "revoked key",
    "malformed key",
    "expired JWT",
    "forged JWT",
    "valid JWT (editor in scope)",
)
# Credentials refused outright: the whole request fails, whatever it asks.
REFUSED = {"revoked key", "malformed key", "expired JWT", "forged JWT"}


def token(claims: dict[str, Any], secret: str = JWT_SECRET) -> str:
    base = {"iss": ISSUER, "aud": AUDIENCE, "iat": int(time.time())}
    return jwt.encode(base | claims, secret, algorithm="HS256")


Prepare = Callable[[Any, str], Awaitable[dict[str, Any]]]  # (store, case) -> variables
Effect = Callable[[Any, dict[str, Any]], Awaitable[bool]]  # whether the write happened


async def _no_variables(_store: Any, _case: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Operation:
    """One row of the matrix: a GraphQL document, the field whose outcome is checked, and the
    expected outcome for each role (refused credentials always give UNAUTHENTICATED).

    `prepare` makes what one case needs (its own nodes, so cases do not depend on each other)
    and gives the variables; `effect` says whether the write happened: it must have exactly
    when the outcome is OK."""

    name: str
    document: str
    path: tuple[str, ...]  # the field whose answer (or error) is checked
    expect: dict[str, str]
    prepare: Prepare = _no_variables
    check: Callable[[Any], None] = lambda _value: None  # what an OK answer must hold
    effect: Effect | None = None
    secret: str | None = None  # text that must never appear unless OK


ANYONE = {
    "anonymous": OK,
    "partner": OK,
    "editor in scope": OK,
    "editor out of scope": OK,
    "secretariat": OK,
    "valid JWT (editor in scope)": OK,
}
SECRETARIAT_ONLY = {
    "anonymous": UNAUTHENTICATED,
    "partner": FORBIDDEN,
    "editor in scope": FORBIDDEN,
    "editor out of scope": FORBIDDEN,
    "secretariat": OK,
    "valid JWT (editor in scope)": FORBIDDEN,
}
# a person's e-mail: the secretariat, and editors of an institution the person is affiliated with
AFFILIATED_EDITORS = SECRETARIAT_ONLY | {"editor in scope": OK, "valid JWT (editor in scope)": OK}


def _email_ok(value: Any) -> None:
    assert value == "ana@example.org"


def _equals(expected: Any) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        assert value == expected

    return check


# --- membership applications (schema/membership.py) -----------------------------------------------
async def _reserve(store: Any, case: str) -> str:
    """A reserve of this case's own, not a member of any network."""
    key = f"r-{case}"
    row = {"kind": "Reserve", "id": key, "properties": {"name": f"Reserve {case}", "country": "ES"}}
    report = await import_rows(store, numbered([row]))
    assert report.rejected == []
    return key


async def _application(store: Any, case: str) -> dict[str, Any]:
    record = await store.apply_for_membership(
        reserve=await _reserve(store, case), network="wnmbr", contact_name="Ana",
        contact_email=f"{case}@example.org", motivation="mountains", actor="test",
        request_id="test",
    )  # fmt: skip
    return {"id": f"Application:{record.id}"}


async def _apply_variables(store: Any, case: str) -> dict[str, Any]:
    reserve = await _reserve(store, case)
    return {"input": {"reserve": f"Reserve:{reserve}", "contactName": "Ana",
                      "contactEmail": f"{case}@example.org", "motivation": "mountains"}}  # fmt: skip


async def _applied(store: Any, variables: dict[str, Any]) -> bool:
    reserve = variables["input"]["reserve"].removeprefix("Reserve:")
    page = await store.list_applications(None, 1000, None)
    return any(item.reserve == reserve for item in page.items)


def _decided(state: str) -> Effect:
    async def effect(store: Any, variables: dict[str, Any]) -> bool:
        (record,) = await store.applications_by_id([variables["id"].removeprefix("Application:")])
        return str(record.state) == state

    return effect


# --- import (schema/imports.py) --------------------------------------------------------------------
async def _theme_file(_store: Any, case: str) -> dict[str, Any]:
    row = {"kind": "Theme", "id": f"t-{case}", "properties": {"label": f"Theme {case}"}}
    return {"file": json.dumps(row) + "\n"}


async def _theme_written(store: Any, variables: dict[str, Any]) -> bool:
    key = json.loads(variables["file"])["id"]
    return bool(await store.existing_keys(Kind.THEME, [key]))


# --- node and relationship writes (schema/mutations.py, rules in its WRITE_RULES) ----------------
EDITORS = SECRETARIAT_ONLY | {"editor in scope": OK, "editor out of scope": OK,
                              "valid JWT (editor in scope)": OK}  # fmt: skip
IN_GRANT = SECRETARIAT_ONLY | {"editor in scope": OK, "valid JWT (editor in scope)": OK}
# Each case's own nodes: r-<case> (granted to the editors in scope), i-<case> (granted), a project
# sited in r-<case>, a person affiliated with i-<case>, a theme and a network.
REQUIRED = {
    Kind.RESERVE: {"name": "R", "country": "ES"},
    Kind.INSTITUTION: {"name": "I", "kind": "university"},
    Kind.PROJECT: {"title": "P"},
    Kind.PERSON: {"name": "X"},
    Kind.THEME: {"label": "T"},
    Kind.NETWORK: {"name": "N"},
}
PREFIX = {Kind.RESERVE: "r", Kind.INSTITUTION: "i", Kind.PROJECT: "p", Kind.PERSON: "x",
          Kind.THEME: "t", Kind.NETWORK: "n"}  # fmt: skip
TITLE = {Kind.PROJECT: "title", Kind.THEME: "label"}  # the others have a name
INPUT = {Kind.INSTITUTION: {"kind": "UNIVERSITY"}}  # GraphQL enum values where they differ


def _own(kind: Kind, case: str) -> str:
    return f"{PREFIX[kind]}-{case}"


async def _case_nodes(store: Any, case: str, *, linked: bool = True) -> None:
    rows: list[dict[str, Any]] = [
        {"kind": str(kind), "id": _own(kind, case), "properties": props}
        for kind, props in REQUIRED.items()
    ]
    rows += [
        {"rel": "SITED_IN", "from": f"Project:p-{case}", "to": f"Reserve:r-{case}"},
        {"rel": "AFFILIATED_WITH", "from": f"Person:x-{case}", "to": f"Institution:i-{case}"},
    ]
    if linked:
        rows.append({"rel": "WORKS_AT", "from": f"Person:x-{case}", "to": f"Reserve:r-{case}"})
    report = await import_rows(store, numbered(rows))
    assert report.rejected == [], report.rejected


async def _exists(store: Any, kind: Kind, key: str) -> bool:
    return bool(await store.existing_keys(kind, [key]))


def _create_row(kind: Kind, expect: dict[str, str]) -> "Operation":
    async def prepare(_store: Any, case: str) -> dict[str, Any]:
        return {"input": {"id": _own(kind, case), **REQUIRED[kind], **INPUT.get(kind, {})}}

    async def effect(store: Any, variables: dict[str, Any]) -> bool:
        return await _exists(store, kind, variables["input"]["id"])

    return Operation(
        name=f"create{kind}",
        document=f"mutation($input: Create{kind}Input!) {{ create{kind}(input: $input) {{ key }} }}",
        path=(f"create{kind}",),
        expect=expect,
        prepare=prepare,
        check=lambda value: value["key"].startswith(PREFIX[kind] + "-"),
        effect=effect,
    )


def _update_row(kind: Kind, expect: dict[str, str]) -> "Operation":
    field_name = TITLE.get(kind, "name")

    async def prepare(store: Any, case: str) -> dict[str, Any]:
        await _case_nodes(store, case)
        return {"id": f"{kind}:{_own(kind, case)}", "input": {field_name: f"Renamed {case}"}}

    async def effect(store: Any, variables: dict[str, Any]) -> bool:
        (record,) = await store.nodes_by_id(kind, [variables["id"].split(":", 1)[1]])
        return bool(getattr(record, field_name) == variables["input"][field_name])

    return Operation(
        name=f"update{kind}",
        document=f"mutation($id: ID!, $input: Update{kind}Input!) "
        f"{{ update{kind}(id: $id, input: $input) {{ {field_name} }} }}",
        path=(f"update{kind}",),
        expect=expect,
        prepare=prepare,
        check=lambda value: value[field_name].startswith("Renamed "),
        effect=effect,
    )


def _delete_row(kind: Kind, expect: dict[str, str]) -> "Operation":
    async def prepare(store: Any, case: str) -> dict[str, Any]:
        await _case_nodes(store, case)
        return {"id": f"{kind}:{_own(kind, case)}"}

    async def effect(store: Any, variables: dict[str, Any]) -> bool:
        return not await _exists(store, kind, variables["id"].split(":", 1)[1])

    return Operation(
        name=f"delete{kind}",
        document=f"mutation($id: ID!) {{ delete{kind}(id: $id) {{ id }} }}",
        path=(f"delete{kind}",),
        expect=expect,
        prepare=prepare,
        check=lambda value: value["id"].startswith(f"{kind}:"),
        effect=effect,
    )


def _link_row(linking: bool) -> "Operation":
    """WORKS_AT from the case's person to its reserve (granted to the editors in scope)."""
    name = "link" if linking else "unlink"

    async def prepare(store: Any, case: str) -> dict[str, Any]:
        await _case_nodes(store, case, linked=not linking)
        return {"from": f"Person:x-{case}", "to": f"Reserve:r-{case}"}

    async def effect(store: Any, variables: dict[str, Any]) -> bool:
        relation = find_relation(RelType.WORKS_AT, Kind.PERSON, Kind.RESERVE)
        pair = (variables["from"].split(":")[1], variables["to"].split(":")[1])
        return bool(await store.existing_links(relation, [pair])) == linking

    return Operation(
        name=name,
        document=f"mutation($from: ID!, $to: ID!) {{ {name}(relationship: WORKS_AT, "
        "from: $from, to: $to) { roles } }",
        path=(name,),
        expect=IN_GRANT,
        prepare=prepare,
        check=_equals({"roles": []}),
        effect=effect,
    )


_NODE_WRITES = tuple(
    row
    for kind, create, change in (
        (Kind.RESERVE, IN_GRANT, IN_GRANT),
        (Kind.INSTITUTION, IN_GRANT, IN_GRANT),
        (Kind.PROJECT, EDITORS, IN_GRANT),
        (Kind.PERSON, EDITORS, IN_GRANT),
        (Kind.THEME, SECRETARIAT_ONLY, SECRETARIAT_ONLY),
        (Kind.NETWORK, SECRETARIAT_ONLY, SECRETARIAT_ONLY),
    )
    for row in (_create_row(kind, create), _update_row(kind, change), _delete_row(kind, change))
)
WRITES = (*_NODE_WRITES, _link_row(True), _link_row(False))


OPERATIONS = (
    *WRITES,
    # --- private fields
    Operation(
        name="Person.email (of ana, affiliated with uleon)",
        document='{ node(id: "Person:ana") { ... on Person { name email } } }',
        path=("node", "email"),
        expect=AFFILIATED_EDITORS,
        check=_email_ok,
        secret="ana@example.org",
    ),
    Operation(
        name="changes (the audit trail)",
        document="{ changes(first: 5) { edges { node { operation actor } } } }",
        path=("changes",),
        expect=SECRETARIAT_ONLY,
        check=lambda value: len(value["edges"]) >= 0,
    ),
    Operation(
        name="membershipApplications (with contact details)",
        document="{ membershipApplications(first: 100) { totalCount nodes { contactName contactEmail } } }",
        path=("membershipApplications",),
        expect=SECRETARIAT_ONLY,
        check=lambda value: value["totalCount"] >= 0,
    ),
    # --- membership mutations
    Operation(
        name="applyForMembership",
        document="mutation($input: MembershipApplicationInput!) "
        "{ applyForMembership(input: $input) { state } }",
        path=("applyForMembership",),
        expect=ANYONE,
        prepare=_apply_variables,
        check=_equals({"state": "SUBMITTED"}),
        effect=_applied,
    ),
    Operation(
        name="approveMembership",
        document="mutation($id: ID!) { approveMembership(id: $id) { state } }",
        path=("approveMembership",),
        expect=SECRETARIAT_ONLY,
        prepare=_application,
        check=_equals({"state": "APPROVED"}),
        effect=_decided("APPROVED"),
    ),
    Operation(
        name="rejectMembership",
        document='mutation($id: ID!) { rejectMembership(id: $id, reason: "no") { state } }',
        path=("rejectMembership",),
        expect=SECRETARIAT_ONLY,
        prepare=_application,
        check=_equals({"state": "REJECTED"}),
        effect=_decided("REJECTED"),
    ),
    # --- import
    Operation(
        name="importGraph",
        document="mutation($file: String!) { importGraph(file: $file, format: JSON_LINES) "
        "{ ok created { name count } } }",
        path=("importGraph",),
        expect=SECRETARIAT_ONLY,
        prepare=_theme_file,
        check=_equals({"ok": True, "created": [{"name": "Theme", "count": 1}]}),
        effect=_theme_written,
    ),
)
CASES = [(op, role) for op in OPERATIONS for role in ROLES]


@dataclass
class Served:
    hub: Hub
    headers: dict[str, str | None]  # the Authorization header of each role
    store: Any  # the same graph, for preparing cases and looking at their effects


@pytest.fixture(scope="module")
async def served(falkordb_endpoint: Any) -> AsyncIterator[Served]:
    """A hub on a fresh graph, with a key or token for each role."""
    async with loaded_graph(falkordb_endpoint, "small.jsonl") as graph:
        settings = hub_settings(
            falkordb_endpoint,
            graph,
            jwt_secret=Secret(JWT_SECRET),
            jwt_issuer=ISSUER,
            jwt_audience=AUDIENCE,
        )
        async with run_server(settings) as hub:
            store = new_falkor_store(falkordb_endpoint, graph)
            try:
                yield Served(hub, await _credentials(store), store)
            finally:
                await store.close()


async def _key(store: Store, role: Role, **scope: list[str]) -> str:
    made = new_api_key(role, name=f"test {role}", **scope)
    await store.create_api_key(made.record)
    return made.token


async def _credentials(store: Store) -> dict[str, str | None]:
    revoked = await _key(store, Role.SECRETARIAT)
    await store.revoke_api_key(revoked.split("_")[1], "2024-01-01T00:00:00+00:00")
    partner = await _key(store, Role.PARTNER)
    hour = 3600
    bearer = {
        "partner": partner,
        "editor in scope": await _key(store, Role.EDITOR, **EDITOR_IN),
        "editor out of scope": await _key(store, Role.EDITOR, **EDITOR_OUT),
        "secretariat": await _key(store, Role.SECRETARIAT),
        "revoked key": revoked,
        # a real key with one character of its secret changed
        "malformed key": partner[:-1] + ("A" if partner[-1] != "A" else "B"),
        "expired JWT": token({"sub": "eve", "role": "secretariat", "exp": int(time.time()) - hour}),
        "forged JWT": token(
            {"sub": "eve", "role": "secretariat", "exp": int(time.time()) + hour},
            secret="another-secret-that-is-also-32-characters",
        ),
        "valid JWT (editor in scope)": token(
            {"sub": "ed", "role": "editor", "exp": int(time.time()) + hour, **EDITOR_IN}
        ),
    }
    return {"anonymous": None} | {role: f"Bearer {value}" for role, value in bearer.items()}


def _scope_in(case: str) -> dict[str, list[str]]:
    return {
        "reserves": [*EDITOR_IN["reserves"], f"r-{case}"],
        "institutions": [*EDITOR_IN["institutions"], f"i-{case}"],
    }


async def _header(served: Served, role: str, case: str) -> str | None:
    if role == "editor in scope":
        return f"Bearer {await _key(served.store, Role.EDITOR, **_scope_in(case))}"
    if role == "valid JWT (editor in scope)":
        claims = {"sub": f"ed-{case}", "role": "editor", "exp": int(time.time()) + 3600}
        return f"Bearer {token(claims | _scope_in(case))}"
    return served.headers[role]


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        if data is None:
            return None
        data = data[int(step)] if isinstance(data, list) else data[step]
    return data


async def _ask(hub: Hub, header: str | None, document: str, **variables: Any) -> httpx.Response:
    headers = {"Authorization": header} if header else {}
    return await hub.client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    )


@pytest.mark.parametrize(
    ("operation", "role"), CASES, ids=[f"{op.name} as {role}" for op, role in CASES]
)
async def test_role_matrix(served: Served, operation: Operation, role: str) -> None:
    case = uuid.uuid4().hex[:8]
    variables = await operation.prepare(served.store, case)
    header = await _header(served, role, case)
    response = await _ask(served.hub, header, operation.document, **variables)
    assert response.status_code == 200
    answer = response.json()
    expected = UNAUTHENTICATED if role in REFUSED else operation.expect[role]
    if role in REFUSED:
        # the whole request is refused: no data at all, one error
        assert answer["data"] is None
        assert [e["extensions"]["code"] for e in answer["errors"]] == [UNAUTHENTICATED]
    elif expected == OK:
        assert "errors" not in answer, answer["errors"]
        operation.check(_at(answer["data"], operation.path))
    else:
        assert _at(answer["data"], operation.path) is None
        codes = {
            tuple(str(p) for p in e["path"]): e["extensions"]["code"] for e in answer["errors"]
        }
        assert codes.get(operation.path) == expected, answer["errors"]
        assert set(codes.values()) == {expected}
    if operation.secret and expected != OK:
        assert operation.secret not in response.text
    if operation.effect is not None:
        assert await operation.effect(served.store, variables) == (expected == OK)


def test_the_matrix_has_an_outcome_for_every_role_and_operation() -> None:
    for operation in OPERATIONS:
        assert set(operation.expect) | REFUSED == set(ROLES), operation.name
    print(f"role matrix: {len(CASES)} (role, operation) cases, "
          f"{len(ROLES)} roles x {len(OPERATIONS)} operations")  # fmt: skip


# --- beyond the matrix -----------------------------------------------------------------------------
# small.jsonl's people (the matrix adds its own)
PEOPLE = '["Person:ana", "Person:bo", "Person:chloe", "Person:dmitri", "Person:eve"]'
PEOPLE_KEYS = f"{{ nodes(ids: {PEOPLE}) {{ ... on Person {{ key }} }} }}"
PEOPLE_EMAILS = f"{{ nodes(ids: {PEOPLE}) {{ ... on Person {{ key email }} }} }}"


async def test_an_editor_sees_the_addresses_of_its_institutions_people_only(
    served: Served,
) -> None:
    answer = (await _ask(served.hub, served.headers["editor in scope"], PEOPLE_EMAILS)).json()
    people = answer["data"]["nodes"]
    emails = {person["key"]: person["email"] for person in people}
    # uleon's people: ana (with an address) and chloe (without); the others are FORBIDDEN
    assert emails == {"ana": "ana@example.org", "bo": None, "chloe": None, "dmitri": None,
                      "eve": None}  # fmt: skip
    refused = {people[e["path"][1]]["key"]: e["extensions"]["code"] for e in answer["errors"]}
    assert refused == {"bo": FORBIDDEN, "dmitri": FORBIDDEN, "eve": FORBIDDEN}


async def test_checking_affiliations_costs_one_round_trip_for_a_whole_list(
    served: Served,
) -> None:
    header = served.headers["editor in scope"]
    without = (await _ask(served.hub, header, PEOPLE_KEYS)).json()
    with_emails = (await _ask(served.hub, header, PEOPLE_EMAILS)).json()
    assert len(with_emails["data"]["nodes"]) == 5
    trips = with_emails["extensions"]["roundTrips"] - without["extensions"]["roundTrips"]
    assert trips == 1


async def test_the_secretariat_sees_every_address_without_extra_round_trips(
    served: Served,
) -> None:
    header = served.headers["secretariat"]
    without = (await _ask(served.hub, header, PEOPLE_KEYS)).json()
    answer = (await _ask(served.hub, header, PEOPLE_EMAILS)).json()
    assert "errors" not in answer
    emails = {p["key"]: p["email"] for p in answer["data"]["nodes"]}
    assert emails["ana"] == "ana@example.org"
    assert set(emails) == {"ana", "bo", "chloe", "dmitri", "eve"}
    assert answer["extensions"]["roundTrips"] == without["extensions"]["roundTrips"]


# --- credentials -----------------------------------------------------------------------------------
WHO = '{ node(id: "Person:ana") { ... on Person { email } } }'


async def test_a_revoked_key_stops_working_within_the_cache_time(falkordb_endpoint: Any) -> None:
    async with (
        loaded_graph(falkordb_endpoint, "small.jsonl") as graph,
        run_server(hub_settings(falkordb_endpoint, graph, auth_cache_s=1)) as hub,
    ):
        store = new_falkor_store(falkordb_endpoint, graph)
        try:
            made = new_api_key(Role.SECRETARIAT)
            await store.create_api_key(made.record)
            header = f"Bearer {made.token}"
            assert "errors" not in (await _ask(hub, header, WHO)).json()
            await store.revoke_api_key(made.record.id, "2024-01-01T00:00:00+00:00")
            # still served from this hub's cache of verified keys (HUB_AUTH_CACHE_S=1)...
            assert "errors" not in (await _ask(hub, header, WHO)).json()
            await asyncio.sleep(1.1)
            # ...and refused once that has run out
            answer = (await _ask(hub, header, WHO)).json()
            assert answer["data"] is None
            assert answer["errors"][0]["extensions"]["code"] == UNAUTHENTICATED
            assert "revoked" in answer["errors"][0]["message"]
        finally:
            await store.close()


async def test_a_verified_key_is_looked_up_once_per_cache_period(store: Store) -> None:
    made = new_api_key(Role.PARTNER)
    await store.create_api_key(made.record)
    auth = Authenticator(cache_s=30)
    with counting_round_trips() as trips:
        for _ in range(5):
            viewer = await auth.viewer(store, f"Bearer {made.token}")
    assert (viewer.role, viewer.actor) == (Role.PARTNER, f"key:{made.record.id}")
    assert trips.count == 1
    uncached = Authenticator(cache_s=0)
    with counting_round_trips() as trips:
        for _ in range(3):
            await uncached.viewer(store, f"Bearer {made.token}")
    assert trips.count == 3


async def test_the_stored_key_holds_a_hash_not_the_secret(store: Store) -> None:
    made = new_api_key(Role.EDITOR, reserves=["Reserve:omana"], institutions=["uleon"])
    await store.create_api_key(made.record)
    stored = await store.api_key(made.record.id)
    assert stored is not None
    secret = made.token.split("_", 2)[2]
    assert secret not in repr(stored) and stored.hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (stored.reserves, stored.institutions) == (["omana"], ["uleon"])


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer hub_nothex_x",
        "Bearer not-a-credential",
        "Bearer hub_0123456789abcdef_" + "x" * 43,
    ],
    ids=["basic scheme", "no credential", "malformed key", "neither", "unknown key"],
)
async def test_a_refused_header_fails_the_whole_request(served: Served, header: str) -> None:
    response = await _ask(served.hub, header, "{ reserves { totalCount } }")
    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] is None
    assert [e["extensions"]["code"] for e in answer["errors"]] == [UNAUTHENTICATED]


async def test_an_empty_header_is_anonymous(served: Served) -> None:
    answer = (await _ask(served.hub, "", WHO)).json()
    assert answer["data"] == {"node": {"email": None}}
    assert answer["errors"][0]["extensions"]["code"] == UNAUTHENTICATED  # as anonymous


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"iss": "https://elsewhere.example.org"}, "issuer"),
        ({"aud": "another-service"}, "audience"),
        ({"role": "admin"}, "role"),
        ({"role": "anonymous"}, "role"),
        ({"role": ["secretariat"]}, "role"),
        ({"sub": None}, "sub"),
        ({"exp": None}, "exp"),
        ({"reserves": "omana"}, "reserves"),
        ({"institutions": ["Reserve:omana"]}, "institutions"),
    ],
    ids=[
        "issuer",
        "audience",
        "unknown role",
        "anonymous role",
        "role not a string",
        "no subject",
        "no expiry",
        "scope not a list",
        "scope of the wrong kind",
    ],
)
async def test_a_token_with_a_bad_claim_is_refused(
    served: Served, claims: dict[str, Any], why: str
) -> None:
    good = {"sub": "ed", "role": "editor", "exp": int(time.time()) + 3600} | EDITOR_IN
    body = {k: v for k, v in (good | claims).items() if v is not None}
    answer = (await _ask(served.hub, f"Bearer {token(body)}", WHO)).json()
    assert answer["data"] is None
    error = answer["errors"][0]
    assert error["extensions"]["code"] == UNAUTHENTICATED
    assert why in error["message"].lower()


async def test_tokens_are_refused_when_the_hub_accepts_none(falkordb_endpoint: Any) -> None:
    claims = {"sub": "eve", "role": "secretariat", "exp": int(time.time()) + 3600}
    async with (
        loaded_graph(falkordb_endpoint, "small.jsonl") as graph,
        run_server(hub_settings(falkordb_endpoint, graph)) as served,
    ):
        answer = (await _ask(served, f"Bearer {token(claims)}", WHO)).json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == UNAUTHENTICATED


async def test_an_es256_token_is_verified_with_the_public_key(falkordb_endpoint: Any) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    claims = {"sub": "eve", "role": "secretariat", "exp": int(time.time()) + 3600}
    signed = jwt.encode(claims, private, algorithm="ES256")
    # the public key used as an HMAC secret (the algorithm-confusion attack) must not pass
    confused = jwt.encode(claims, "x" * 32, algorithm="HS256")
    async with (
        loaded_graph(falkordb_endpoint, "small.jsonl") as graph,
        run_server(hub_settings(falkordb_endpoint, graph, jwt_public_key=pem)) as served,
    ):
        good = (await _ask(served, f"Bearer {signed}", WHO)).json()
        bad = (await _ask(served, f"Bearer {confused}", WHO)).json()
    assert good["data"]["node"]["email"] == "ana@example.org"
    assert bad["data"] is None and bad["errors"][0]["extensions"]["code"] == UNAUTHENTICATED
