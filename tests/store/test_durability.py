"""The embedded FalkorDB keeps every acknowledged write across SIGKILL and across stop/start.

Each test runs its own server on a directory of its own (DESIGN.md, "Durability and restart"),
never the session server.
"""

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.errors import Unavailable
from graph.falkordb import FalkorStore
from graph.importing import import_rows, numbered
from graph.model import Kind, RelType, find_relation
from graph.store import Direction
from hub.embedded import EmbeddedFalkorDB

GRAPH = "durable"
PEOPLE = 100
PROJECTS = 100
THEMES = 100
PARTICIPATES_IN = find_relation(RelType.PARTICIPATES_IN, Kind.PERSON, Kind.PROJECT)
ADDRESSES = find_relation(RelType.ADDRESSES, Kind.PROJECT, Kind.THEME)
assert PARTICIPATES_IN is not None and ADDRESSES is not None


def _bulk_rows() -> list[dict[str, Any]]:
    """300 nodes and 600 relationships. Person and Project keys are "0".."99": "0" included."""
    rows: list[dict[str, Any]] = []
    rows += [
        {"kind": "Person", "id": str(i), "properties": {"name": f"Person {i}"}}
        for i in range(PEOPLE)
    ]
    rows += [
        {"kind": "Project", "id": str(i), "properties": {"title": f"Project {i}"}}
        for i in range(PROJECTS)
    ]
    rows += [
        {"kind": "Theme", "id": f"t{i}", "properties": {"label": f"Theme {i}"}}
        for i in range(THEMES)
    ]
    for i in range(PEOPLE):
        for step in range(3):
            rows.append(
                {
                    "rel": "PARTICIPATES_IN",
                    "from": f"Person:{i}",
                    "to": f"Project:{(i + step) % PROJECTS}",
                    "properties": {"roles": ["member"]},
                }
            )
    for i in range(PROJECTS):
        for step in range(3):
            rows.append(
                {
                    "rel": "ADDRESSES",
                    "from": f"Project:{i}",
                    "to": f"Theme:t{(i + step) % THEMES}",
                    "properties": {},
                }
            )
    return rows


def _participation(person: str, project: str, roles: list[str]) -> dict[str, Any]:
    return {
        "rel": "PARTICIPATES_IN",
        "from": f"Person:{person}",
        "to": f"Project:{project}",
        "properties": {"roles": roles},
    }


# Written after the log rewrite, so they live only in the append-only file's tail.
TAIL_FIRST: list[dict[str, Any]] = [
    {"kind": "Person", "id": "1000", "properties": {"name": "Late Person"}},
    {"kind": "Theme", "id": "t-tail", "properties": {"label": "Tail theme"}},
    _participation("1000", "0", ["member"]),
    {"rel": "ADDRESSES", "from": "Project:0", "to": "Theme:t-tail", "properties": {}},
    # the same pair and type again with other roles: the snapshot has ["member"]
    _participation("0", "0", ["lead"]),
    _participation("1", "1", ["first"]),
]
TAIL_SECOND: list[dict[str, Any]] = [_participation("1", "1", ["second", "chair"])]


def _start(directory: Path) -> EmbeddedFalkorDB:
    server = EmbeddedFalkorDB(directory)
    server.start()
    return server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedFalkorDB]:
    running = _start(tmp_path / "db")
    try:
        yield running
    finally:
        running.stop()


def _connect(server: EmbeddedFalkorDB, *, rewrite_log: bool = True) -> FalkorStore:
    assert server.endpoint is not None
    return FalkorStore(
        server.endpoint.url,
        password=server.endpoint.password,
        graph=GRAPH,
        rewrite_log=rewrite_log,
    )


async def _write_everything(server: EmbeddedFalkorDB) -> None:
    """Bulk import in batches (then the log is rewritten), then small imports into the tail."""
    store = _connect(server)
    try:
        await store.setup()
        report = await import_rows(store, numbered(_bulk_rows()), batch_size=100)
        assert report.ok and report.created == {
            "Person": PEOPLE,
            "Project": PROJECTS,
            "Theme": THEMES,
            "PARTICIPATES_IN": 3 * PEOPLE,
            "ADDRESSES": 3 * PROJECTS,
        }
    finally:
        await store.close()
    tail = _connect(server, rewrite_log=False)  # no rewrite: these stay in the log's tail
    try:
        for rows in (TAIL_FIRST, TAIL_SECOND):
            report = await import_rows(tail, numbered(rows), batch_size=2)
            assert report.ok
    finally:
        await tail.close()


async def _snapshot(server: EmbeddedFalkorDB) -> list[dict[str, Any]]:
    store = _connect(server)
    try:
        return [row async for row in store.export_rows()]
    finally:
        await store.close()


async def _check_everything_is_back(server: EmbeddedFalkorDB, before: list[dict[str, Any]]) -> None:
    store = _connect(server)
    try:
        counts = await store.counts()
        assert counts == {
            Kind.PERSON: PEOPLE + 1,
            Kind.PROJECT: PROJECTS,
            Kind.THEME: THEMES + 1,
            Kind.RESERVE: 0,
            Kind.INSTITUTION: 0,
            Kind.NETWORK: 0,
        }
        people = [str(i) for i in range(PEOPLE)] + ["1000"]
        pages = await store.links(PARTICIPATES_IN, Direction.OUT, people, 10, None)
        assert sum(page.total for page in pages) == 3 * PEOPLE + 1
        projects = [str(i) for i in range(PROJECTS)]
        pages = await store.links(ADDRESSES, Direction.OUT, projects, 10, None)
        assert sum(page.total for page in pages) == 3 * PROJECTS + 1

        # the key "0" (a string) is still found through the index
        (zero,) = await store.nodes_by_id(Kind.PERSON, ["0"])
        assert zero is not None and zero.id == "0" and zero.name == "Person 0"  # type: ignore[union-attr]
        assert await store.existing_keys(Kind.PERSON, ["0", "1", "1000", "nobody"]) == {
            "0",
            "1",
            "1000",
        }
        assert await store.existing_keys(Kind.PROJECT, ["0"]) == {"0"}

        # one relationship per pair and type, holding the roles written last
        (zero_page,) = await store.links(PARTICIPATES_IN, Direction.OUT, ["0"], 10, None)
        assert [(link.node.id, link.roles) for link in zero_page.items] == [
            ("0", ["lead"]),
            ("1", ["member"]),
            ("2", ["member"]),
        ]
        assert zero_page.total == 3
        (one_page,) = await store.links(PARTICIPATES_IN, Direction.OUT, ["1"], 10, None)
        first = one_page.items[0]
        assert (first.node.id, first.roles) == ("1", ["second", "chair"])
        assert one_page.total == 3

        # every relationship, including those matched by key during replay, as before
        after = [row async for row in store.export_rows()]
        assert len(after) == len(before) == 3 * 100 + 2 + 6 * 100 + 2
        assert after == before
    finally:
        await store.close()


async def _wait_for_restart(server: EmbeddedFalkorDB, restarts_before: int) -> None:
    """Until the supervisor has started the server again (at most about two minutes)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.restarts > restarts_before:
            return
        await asyncio.sleep(0.02)
    pytest.fail("the supervisor did not restart the database within 120 s")


def _assert_tail_is_only_in_the_log(server: EmbeddedFalkorDB) -> None:
    """Precondition: the last imports are in the incremental log, not in the rewritten base."""
    files = list((server.directory / "appendonlydir").iterdir())
    base = [f for f in files if ".base." in f.name]
    incr = [f for f in files if f.name.endswith(".incr.aof")]
    assert base and incr
    assert not any(b"t-tail" in f.read_bytes() for f in base)
    assert any(b"t-tail" in f.read_bytes() for f in incr)


async def test_every_write_survives_sigkill_and_the_supervised_restart(
    server: EmbeddedFalkorDB,
) -> None:
    await _write_everything(server)
    _assert_tail_is_only_in_the_log(server)
    before = await _snapshot(server)
    old_pid = server.pid
    assert old_pid is not None
    restarts = server.restarts

    started = time.monotonic()
    os.kill(old_pid, signal.SIGKILL)
    await _wait_for_restart(server, restarts)
    print(f"restart after SIGKILL took {time.monotonic() - started:.2f} s")

    assert server.pid != old_pid
    await _check_everything_is_back(server, before)


async def test_a_store_connected_before_the_kill_reports_unavailable_then_works_again(
    server: EmbeddedFalkorDB,
) -> None:
    store = _connect(server)
    try:
        await store.setup()
        report = await import_rows(store, numbered(TAIL_FIRST[:2]))
        assert report.ok
        pid = server.pid
        assert pid is not None
        restarts = server.restarts
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(Unavailable):
            for _ in range(50):  # until the store notices the connection is gone
                await store.counts()
                await asyncio.sleep(0.01)
        await _wait_for_restart(server, restarts)
        counts = await store.counts()  # the pool makes a new connection
        assert (counts[Kind.PERSON], counts[Kind.THEME]) == (1, 1)
    finally:
        await store.close()


async def test_stop_then_start_on_the_same_directory_brings_everything_back(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "db"
    first = _start(directory)
    try:
        await _write_everything(first)
        _assert_tail_is_only_in_the_log(first)
        before = await _snapshot(first)
    finally:
        first.stop()

    started = time.monotonic()
    second = _start(directory)
    try:
        print(f"start after a clean stop took {time.monotonic() - started:.2f} s")
        assert second.owner
        await _check_everything_is_back(second, before)
    finally:
        second.stop()
