"""GraphiQL in a real browser (Debian's chromium, driven by playwright-core), fully offline."""

import asyncio
import json
import os
import shutil
from pathlib import Path

SCRIPT = Path(__file__).with_name("graphiql.mjs")


async def test_graphiql_runs_a_query_without_touching_the_internet(
    demo_hub, output_dir: Path
) -> None:
    assert shutil.which("node"), (
        "Node.js is needed for the browser test (./dev test installs the rest)"
    )
    screenshot = output_dir / "graphiql-demo.png"
    query = '{ reserves(text: "omana") { edges { node { name country } } } }'
    process = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), f"{demo_hub.url}/graphql", query, "Valles de Omaña y Luna", str(screenshot),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ},
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    lines = out.decode().strip().splitlines()
    assert lines, err.decode()
    report = json.loads(lines[-1])
    print(
        f"GraphiQL: editor after {report['ms_to_editor']} ms, result after {report['ms_to_result']} ms; {screenshot}"
    )
    assert report["external_requests"] == [], "every asset must come from the hub itself"
    assert report["ok"], report
    assert process.returncode == 0
    assert screenshot.stat().st_size > 10_000
