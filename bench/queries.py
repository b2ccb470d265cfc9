"""Latency of the relationship questions through the HTTP API, on demo graphs of several sizes.

    .venv/bin/python bench/queries.py [--scales 15,150] [--requests 60] [--only NAME,...]

For each scale: loads the demo data (scale 15 is about 10k nodes, 150 about 100k, 1500 about 1M)
into a fresh embedded FalkorDB, starts `hub serve` on it as a separate process (so client and
server do not share a Python interpreter), then sends each named operation `--requests` times
one after another (after 5 warm-up requests) and prints the median and p95 latency in ms, the
first (cold) request's, and the database round trips the hub reported (`extensions.roundTrips`).
Numbers, not assertions. The operations are the examples of schema/operations/ plus a few more.
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from graph.falkordb import FalkorStore
from graph.importing import import_rows, numbered
from graph.seed.demo import demo_rows, estimate_nodes
from hub.embedded import EmbeddedFalkorDB

PERSON = "Person:demo-person-000001"
OPERATIONS_DIR = Path(__file__).parents[1] / "schema" / "operations"
# name -> (query, variables): the documented example operations (their variables default to
# ids that exist at every scale of the demo data), plus a few shapes of our own.
OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    path.stem.split("_", 1)[1]: (path.read_text(), {})
    for path in sorted(OPERATIONS_DIR.glob("*.graphql"))
}
OPERATIONS |= {
    "node": (
        "query($id: ID!) { node(id: $id) { id ... on Reserve { name } } }",
        {"id": "Reserve:ordino"},
    ),
    "reserves_page": ("{ reserves(first: 20) { totalCount edges { node { name country } } } }", {}),
    "reserves_text": ('{ reserves(text: "sierra") { edges { node { name } } } }', {}),
    "nested_people": (
        "{ people(first: 50) { edges { node { name projects(first: 5) { edges { node { title "
        "institutions(first: 5) { edges { node { name reserves(first: 5) { edges { node { name } } } } } } } } } } } } }",
        {},
    ),
    "collaborators": (
        "query($p: ID!) { collaborators(personId: $p, first: 10) { totalCount edges { "
        "score { total } node { name } sharedProjects { title } sharedThemes { label } } } }",
        {"p": PERSON},
    ),
    "collaborators_via_all": (
        "query($p: ID!) { collaborators(personId: $p, first: 10, via: [PROJECT, INSTITUTION, RESERVE]) "
        "{ edges { score { total } node { name } } } }",
        {"p": PERSON},
    ),
    "connection_6_hops": (
        "query($a: ID!, $b: ID!) { connection(from: $a, to: $b, maxHops: 6) { length nodes { id } } }",
        {"a": "Person:demo-person-000001", "b": "Person:demo-person-000300"},
    ),
    # A person with affiliations but no project, to a network: 5 hops through hub nodes at 100k.
    "connection_to_network": (
        "query($a: ID!, $b: ID!) { connection(from: $a, to: $b, maxHops: 6) { length nodes { id } } }",
        {"a": "Person:demo-person-002449", "b": "Network:afrimab"},
    ),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def load(url: str, scale: int, graph: str) -> float:
    store = FalkorStore(url, graph=graph)
    await store.setup()
    started = time.perf_counter()
    report = await import_rows(store, numbered(demo_rows(scale=scale)))
    assert not report.rejected, report.rejected[:3]
    await store.close()
    return time.perf_counter() - started


async def measure(base: str, names: list[str], requests: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for name in names:
            query, variables = OPERATIONS[name]
            timings: list[float] = []
            trips: set[int] = set()
            cold = 0.0
            for i in range(5 + requests):
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}
                )
                elapsed = (time.perf_counter() - started) * 1000
                body = response.json()
                if body.get("errors"):
                    print(f"  {name:<24} ERROR {body['errors'][0]['message']}")
                    break
                trips.add(body["extensions"]["roundTrips"])
                if i == 0:
                    cold = elapsed
                if i >= 5:
                    timings.append(elapsed)
            else:
                timings.sort()
                p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
                print(
                    f"  {name:<24} median {statistics.median(timings):8.1f} ms   p95 {p95:8.1f} ms   "
                    f"first {cold:8.1f} ms   round trips {sorted(trips)}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="15,150")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--only", default="", help="comma-separated operation names")
    args = parser.parse_args()
    unknown = set(filter(None, args.only.split(","))) - set(OPERATIONS)
    if unknown:
        parser.error(f"unknown operations {sorted(unknown)}; known: {sorted(OPERATIONS)}")
    names = [n for n in OPERATIONS if not args.only or n in args.only.split(",")]
    with tempfile.TemporaryDirectory() as directory, EmbeddedFalkorDB(Path(directory)) as server:
        assert server.endpoint is not None
        for scale in (int(s) for s in args.scales.split(",")):
            graph = f"bench_{scale}"
            seconds = asyncio.run(load(server.endpoint.url, scale, graph))
            print(
                f"scale {scale}: about {estimate_nodes(scale):,} nodes, loaded in {seconds:.1f} s"
            )
            port = free_port()
            env = {**os.environ, "HUB_FALKORDB_URL": server.endpoint.url, "HUB_GRAPH": graph,
                   "HUB_PORT": str(port), "HUB_LOG_LEVEL": "warning"}  # fmt: skip
            hub = subprocess.Popen([sys.executable, "-m", "hub", "serve"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            try:
                base = f"http://127.0.0.1:{port}"
                for _ in range(300):
                    try:
                        if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.1)
                asyncio.run(measure(base, names, args.requests))
            finally:
                hub.terminate()
                hub.wait(timeout=30)


if __name__ == "__main__":
    main()
