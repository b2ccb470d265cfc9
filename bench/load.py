"""How long the demo data takes to generate and load into the embedded FalkorDB.

    .venv/bin/python bench/load.py [--scales 1,15,150] [--seed 7]

Prints, per scale: nodes, relationships, generation seconds, load seconds (checks, writes and
the final append-only-file rewrite included), and rows per second. Each scale loads into a
fresh graph of a fresh embedded server in a temporary directory.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from graph.falkordb import FalkorStore
from graph.importing import import_rows, numbered
from graph.seed.demo import demo_rows
from hub.embedded import EmbeddedFalkorDB


async def measure(endpoint_url: str, scale: int, seed: int) -> None:
    started = time.perf_counter()
    rows = list(demo_rows(scale=scale, seed=seed))
    generated = time.perf_counter() - started
    store = FalkorStore(endpoint_url, graph=f"bench_{scale}")
    await store.setup()
    started = time.perf_counter()
    report = await import_rows(store, numbered(rows))
    loaded = time.perf_counter() - started
    nodes = sum(1 for row in rows if "kind" in row)
    assert not report.rejected, report.rejected[:3]
    print(
        f"scale {scale:>5}: {nodes:>9,} nodes {len(rows) - nodes:>10,} relationships  "
        f"generate {generated:6.2f} s  load {loaded:7.2f} s  ({len(rows) / loaded:,.0f} rows/s)"
    )
    await store.drop()
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,15")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, EmbeddedFalkorDB(Path(directory)) as server:
        assert server.endpoint is not None
        for scale in (int(s) for s in args.scales.split(",")):
            asyncio.run(measure(server.endpoint.url, scale, args.seed))


if __name__ == "__main__":
    main()
