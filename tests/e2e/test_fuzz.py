"""Fuzzing the running hub with schemathesis (issue 5, point 4).

Schemathesis reads the hub's schema by introspection and generates, for every root field of
Query and Mutation, documents with arbitrary selections and argument values: valid ones
(positive mode) and ones that break the schema (negative mode). They are sent over real HTTP to
a hub holding tests/data/small.jsonl on a graph of its own (mutations change it), with a
secretariat API key so that mutations run rather than stop at UNAUTHENTICATED.

Every answer must be a GraphQL response below 500, and every error must have a code other than
INTERNAL_SERVER_ERROR: a masked internal error is still a bug, and an unmasked one (a Python
message without a code) doubly so. Afterwards the hub still answers /healthz and queries.

Deterministic: hypothesis runs derandomized with no example database, so CI sees the same cases
every time. Bounded: MAX_EXAMPLES per root field and mode, and a DEADLINE_S for the whole run
(cases after it are drawn but not sent).
"""

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from conftest import DATA, Hub, hub_settings, loaded_graph, new_falkor_store, run_server
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes

from hub.auth import new_api_key
from hub.embedded import Endpoint
from schema.permissions import Role

# Cases per root field: valid documents with arbitrary values, and documents that break the
# schema (all refused by validation, so fewer are enough).
MAX_EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 8}
DEADLINE_S = 45.0  # for the whole run; later cases are not sent

# The JSON scalar is output only in our schema; a strategy keeps schemathesis from giving up.
schemathesis.graphql.scalar(
    "JSON",
    st.one_of(st.text(max_size=20).map(nodes.String), st.integers().map(nodes.Int)),
)
# IDs: mostly the ids and keys of tests/data/small.jsonl, so that cases reach past "no such
# node" into the resolvers and writes; sometimes any text.
_ROWS = [json.loads(line) for line in (DATA / "small.jsonl").read_text().splitlines()]
_NODES = sorted({f"{row['kind']}:{row['id']}" for row in _ROWS if "kind" in row and "id" in row})
schemathesis.graphql.scalar(
    "ID",
    st.one_of(
        st.sampled_from(_NODES),
        st.sampled_from(_NODES).map(lambda node: node.split(":", 1)[1]),
        st.text(max_size=30),
    ).map(nodes.String),
)


@dataclass
class Findings:
    sent: int = 0
    per_mode: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def judge(self, label: str, body: str, response: requests.Response) -> None:
        self.statuses[response.status_code] += 1
        where = f"{label}: {body[:600]}"
        if response.status_code >= 500:
            self.problems.append(
                f"HTTP {response.status_code} for {where} -> {response.text[:300]}"
            )
            return
        try:
            answer = response.json()
        except ValueError:
            self.problems.append(f"not JSON ({response.status_code}) for {where}")
            return
        if not isinstance(answer, dict) or not ({"data", "errors"} & answer.keys()):
            self.problems.append(f"not a GraphQL response for {where}: {response.text[:300]}")
            return
        for error in answer.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            self.codes[str(code)] += 1
            if code == "INTERNAL_SERVER_ERROR":
                masked = error.get("message") == "Internal server error" and error[
                    "extensions"
                ].get("requestId")
                kind = "masked" if masked else "UNMASKED"
                request_id = response.headers.get("x-request-id")
                self.problems.append(f"{kind} internal error (request {request_id}) for {where}")
            elif not isinstance(code, str) or not code:
                self.problems.append(f"error without a code {error} for {where}")


def fuzz(url: str, token: str) -> Findings:
    """Run every root field in both modes against the hub at `url` (blocking: run in a thread)."""
    findings = Findings()
    headers = {"Authorization": f"Bearer {token}"}
    api = schemathesis.graphql.from_url(f"{url}/graphql", headers=headers, timeout=30)
    stop_at = time.monotonic() + DEADLINE_S
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 40, "the introspected schema should hold every root field"
    session = requests.Session()

    def runner(operation: Any, mode: GenerationMode) -> Any:
        @settings(
            max_examples=MAX_EXAMPLES[mode],
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def send(case: Any) -> None:
            if time.monotonic() > stop_at:
                return
            response = case.call(base_url=url, session=session, headers=headers, timeout=60)
            findings.sent += 1
            findings.per_mode[mode.value] += 1
            findings.judge(operation.label, str(case.body), response)

        return send

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            runner(operation, mode)()
    return findings


@dataclass
class FuzzedHub:
    hub: Hub
    token: str


@pytest.fixture
async def fuzzed_hub(falkordb_endpoint: Endpoint) -> AsyncIterator[FuzzedHub]:
    """A hub of its own over tests/data/small.jsonl, with a secretariat key (may write)."""
    async with loaded_graph(falkordb_endpoint, "small.jsonl") as graph:
        store = new_falkor_store(falkordb_endpoint, graph)
        made = new_api_key(Role.SECRETARIAT, name="fuzzer")
        await store.create_api_key(made.record)
        await store.close()
        # Every abuse limit stays on except the per-minute rate limits (they would refuse most
        # of the cases, which come from one address and one key, and test nothing else).
        settings = hub_settings(
            falkordb_endpoint, graph, rate_limit_address=0, rate_limit_key=0, cost_budget=0
        )
        async with run_server(settings) as hub:
            yield FuzzedHub(hub, made.token)


async def test_fuzzed_requests_get_no_server_error_and_the_hub_survives(
    fuzzed_hub: FuzzedHub,
) -> None:
    started = time.monotonic()
    findings = await asyncio.to_thread(fuzz, fuzzed_hub.hub.url, fuzzed_hub.token)
    elapsed = time.monotonic() - started
    print(
        f"fuzzing: {findings.sent} cases in {elapsed:.1f} s ({dict(findings.per_mode)}); "
        f"statuses {dict(findings.statuses)}; error codes {dict(findings.codes)}"
    )
    assert findings.problems == []
    assert findings.sent > 500, "the run should send a real number of cases"
    assert findings.codes["GRAPHQL_VALIDATION_FAILED"] > 0, "negative cases should be refused"
    async with httpx.AsyncClient(base_url=fuzzed_hub.hub.url, timeout=10) as client:
        assert (await client.get("/healthz")).status_code == 200
        answer = await client.post("/graphql", json={"query": "{ reserves { totalCount } }"})
        assert answer.json()["data"]["reserves"]["totalCount"] >= 0
