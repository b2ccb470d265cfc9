"""The explorer (/explore) and GraphiQL's example tabs in a real browser, against a real hub.

Debian's chromium is driven by tests/e2e/explorer.mjs (playwright-core from web/node_modules);
every request must stay on 127.0.0.1. Screenshots land in the test output directory.
"""

import asyncio
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import Hub, hub_settings, new_falkor_store, run_server

from graph.importing import import_rows, numbered
from graph.seed.demo import demo_rows
from hub.embedded import Endpoint
from hub.graphiql import load_operations

SCRIPT = Path(__file__).with_name("explorer.mjs")


async def _drive(*args: str) -> dict[str, Any]:
    assert shutil.which("node"), "Node.js is needed for the browser test"
    process = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ},
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    lines = out.decode().strip().splitlines()
    assert lines, err.decode()
    report: dict[str, Any] = json.loads(lines[-1])
    report["returncode"] = process.returncode
    return report


@pytest.mark.parametrize("name", list(load_operations()))
async def test_example_operation_answers_on_the_demo_data(demo_hub: Hub, name: str) -> None:
    answer = await demo_hub.graphql(load_operations()[name])
    assert answer.get("errors") is None, answer["errors"]
    data = answer["data"]
    assert data and all(value not in (None, []) for value in data.values()), data


async def test_explore_serves_its_page_and_only_known_files(demo_hub: Hub) -> None:
    client = demo_hub.client
    page = await client.get("/explore")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-config="{&quot;mapTileUrl&quot;: &quot;&quot;' in page.text
    own = await client.get("/explore/app.js")
    assert own.status_code == 200
    assert own.headers["content-type"].startswith("text/javascript")
    vendor = await client.get("/explore/vendor/cytoscape@3.35.0/dist/cytoscape.esm.min.mjs")
    assert vendor.status_code == 200
    assert "immutable" in vendor.headers["cache-control"]
    atlas = await client.get("/explore/vendor/world-atlas@2.0.2/countries-110m.json")
    assert atlas.json()["type"] == "Topology"
    for path in (
        "/explore/index.html",
        "/explore/secret.txt",
        "/explore/vendor/cytoscape@3.34.0/dist/cytoscape.esm.min.mjs",
        "/explore/vendor/leaflet@1.9.4/package.json",
        "/explore/vendor/../../pyproject.toml",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_explore_page_carries_the_configured_tile_url(falkordb_endpoint: Endpoint) -> None:
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings = hub_settings(falkordb_endpoint, f"t_{uuid.uuid4().hex}", map_tile_url=url)
    async with run_server(settings) as hub:
        page = await hub.client.get("/explore")
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page.text


async def test_explorer_filters_shows_details_and_paths_and_graphiql_runs_examples(
    demo_hub: Hub, output_dir: Path
) -> None:
    located = await demo_hub.graphql("{ reserves(first: 100) { nodes { latitude } } }")
    with_points = sum(r["latitude"] is not None for r in located["data"]["reserves"]["nodes"])
    report = await _drive("full", demo_hub.url, str(output_dir))
    steps, timings = report["steps"], report["timings"]
    print(
        f"explorer on the demo data: {json.dumps(timings)}; screenshots {report.get('screenshots')}"
    )
    assert report["external_requests"] == [], "every asset and request must stay on the hub"
    assert report["ok"], report["error"]
    assert report["console_errors"] == [], (report["console_errors"], report.get("failed_requests"))
    assert steps["loaded"]
    assert 0 < steps["filtered_nodes"] < timings["drawn_nodes"]
    assert "No nodes match this filter" in steps["empty_message"]
    assert steps["details_name"] and "Projects" in " ".join(steps["details_sections"])
    assert len(steps["path"]) >= 2 and steps["path_edges_highlighted"] == len(steps["path"]) - 1
    assert steps["path"][0].startswith("Reserve:") and steps["path"][-1].startswith("Person:")
    assert steps["search_selected"] == ["Reserve:valles-de-omana-y-luna"]
    assert steps["map_countries"] > 100 and steps["map_reserves"] == with_points > 0
    assert steps["dashboard_message"] is None and len(steps["dashboard_charts"]) >= 3
    assert len(steps["graphiql_tabs"]) == len(load_operations())
    assert steps["graphiql_ok"], steps["graphiql_result"]
    assert report["returncode"] == 0
    # Generous: the demo loads in well under 2 s here; a slow CI machine gets some slack.
    assert timings["interactiveMs"] < 6000
    for name in report["screenshots"]:
        assert (output_dir / name).stat().st_size > 10_000, name


async def test_explorer_stays_responsive_with_5000_drawn_nodes(
    falkordb_endpoint: Endpoint, output_dir: Path
) -> None:
    graph = f"big_{uuid.uuid4().hex}"
    loader = new_falkor_store(falkordb_endpoint, graph)
    await loader.setup()
    try:
        report = await import_rows(loader, numbered(demo_rows(scale=10)))
        assert report.rejected == []
        settings = hub_settings(falkordb_endpoint, graph, max_page_size=100)
        async with run_server(settings) as hub:
            started = time.perf_counter()
            result = await _drive("perf", hub.url, str(output_dir), "5000")
            wall = time.perf_counter() - started
    finally:
        await loader.drop()
        await loader.close()
    timings = result["timings"]
    print(
        f"explorer with {timings.get('drawn_nodes')} nodes: {json.dumps(timings)} ({wall:.1f} s in all)"
    )
    assert result["external_requests"] == []
    assert result["ok"], result
    assert timings["drawn_nodes"] >= 4500
    assert timings["interactiveMs"] < 15_000
    assert max(timings["click_to_selected_ms"]) < 1000
