"""graphql-http's server audit (GraphQL over HTTP conformance, npm `graphql-http`) against a hub
over real HTTP: every audit passes, so zero errors, warnings and notices."""

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

from conftest import Hub, hub_over

from hub.embedded import Endpoint

SCRIPT = Path(__file__).with_name("graphql_http_audit.mjs")


async def _audit(hub: Hub, *headers: str) -> dict[str, Any]:
    assert shutil.which("node"), "Node.js is needed for the audit (./dev test installs the rest)"
    process = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), f"{hub.url}/graphql", *headers,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ},
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()  # web/ needs `npm ci` for graphql-http
    report: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return report


def _summary(label: str, report: dict[str, Any]) -> str:
    counts = ", ".join(f"{report[key]} {key}" for key in ("ok", "notice", "warn", "error"))
    return f"graphql-http audit ({label}): {report['total']} audits: {counts}"


async def test_the_hub_passes_every_graphql_over_http_audit(small_hub: Hub) -> None:
    report = await _audit(small_hub)
    print(_summary("development defaults", report))
    assert report["total"] >= 60  # the audit list of graphql-http 1.23 has 61
    assert report["failures"] == [], report["failures"]
    assert (report["error"], report["warn"], report["notice"]) == (0, 0, 0)
    assert report["ok"] == report["total"]


async def test_a_production_hub_passes_every_audit_for_a_client_that_sends_the_preflight_header(
    falkordb_endpoint: Endpoint,
) -> None:
    # Production's CSRF check refuses a GET without a GraphQL-Require-Preflight header (the
    # audit's GETs send none; a non-browser client adds it, as here), and the audit's own
    # queries use `__type`, so introspection is switched on explicitly. Everything else is
    # production's: the same status codes and media types.
    async with hub_over(
        falkordb_endpoint, "small.jsonl", env="production", introspection=True
    ) as hub:
        report = await _audit(hub, "graphql-require-preflight=1")
    print(_summary("production, preflight header", report))
    assert report["failures"] == [], report["failures"]
    assert report["ok"] == report["total"]
