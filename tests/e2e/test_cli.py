"""The `hub` command as a user runs it: real processes, a real embedded database, real HTTP."""

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e.served_hub import database_pids, free_port, wait_ready

HUB = [sys.executable, "-m", "hub"]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUB, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def graphql(port: int, query: str) -> dict:
    response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=30)
    return response.json()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path, subprocess.Popen[str]]]:
    """`hub serve` with two workers on a fresh data directory (so it loads the demo data)."""
    port = free_port()
    data = tmp_path / "data"
    with (tmp_path / "serve.log").open("w") as log, subprocess.Popen(
        [*HUB, "serve", "--port", str(port), "--data-dir", str(data), "--workers", "2"],
        stdout=log, stderr=subprocess.STDOUT, text=True,
    ) as process:  # fmt: skip
        try:
            wait_ready(f"http://127.0.0.1:{port}", process)
            yield port, data, process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)


def test_serve_loads_the_demo_data_on_first_start_and_stops_its_database(served) -> None:
    port, data, process = served
    answer = graphql(
        port, "{ reserves { totalCount } people { totalCount } themes { totalCount } }"
    )
    assert answer["data"]["reserves"]["totalCount"] == 65
    assert answer["data"]["themes"]["totalCount"] == 32
    assert answer["data"]["people"]["totalCount"] > 0
    assert database_pids(data), "the embedded database should be running"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    err = (data.parent / "serve.log").read_text()
    assert "loaded the demo data in" in err
    print(next(line for line in err.splitlines() if "loaded the demo data" in line))
    assert not database_pids(data), "the embedded database must stop with the hub"


def test_load_joins_the_database_of_a_running_hub(served, tmp_path: Path) -> None:
    port, data, _ = served
    rows = tmp_path / "extra.jsonl"
    rows.write_text(
        json.dumps(
            {"kind": "Theme", "id": "snow-leopards", "properties": {"label": "Snow leopards"}}
        )
        + "\n"
    )
    result = run("load", str(rows), "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    assert "created 1 Theme" in result.stdout
    answer = graphql(port, '{ node(id: "Theme:snow-leopards") { ... on Theme { label } } }')
    assert answer["data"]["node"] == {"label": "Snow leopards"}


def test_port_in_use_exits_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"hub: cannot listen on 127.0.0.1:{port}: address already in use"
    ]


def test_unwritable_data_directory_exits_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run("serve", "--port", str(free_port()), "--data-dir", str(blocker / "data"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not writable" in lines[0] and "Traceback" not in result.stderr


def test_bad_setting_exits_with_one_line_naming_it() -> None:
    result = subprocess.run(
        [*HUB, "serve"], capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "HUB_PORT": "eighty"},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "hub: HUB_PORT must be a whole number, not 'eighty'"
    ]


def test_load_reports_bad_rows_with_their_lines_and_writes_none_of_the_batch(
    tmp_path: Path,
) -> None:
    data = str(tmp_path / "data")
    rows = tmp_path / "rows.jsonl"
    good = {"kind": "Reserve", "id": "ordino", "properties": {"name": "Ordino", "country": "AD"}}
    bad = {
        "kind": "Reserve",
        "id": "nowhere",
        "properties": {"name": "Nowhere", "country": "Spain"},
    }
    rows.write_text("\n".join([json.dumps(good), "", json.dumps(bad)]) + "\n")
    result = run("load", str(rows), "--data-dir", data)
    assert result.returncode == 1
    assert "line 3: Reserve:nowhere: country" in result.stderr
    exported = run("export", "--data-dir", data)
    assert exported.returncode == 0
    assert exported.stdout == "", "a batch with a rejected row writes nothing"


def test_export_then_load_into_a_new_directory_gives_the_same_graph(tmp_path: Path) -> None:
    first, second = str(tmp_path / "one"), str(tmp_path / "two")
    assert run("load", "--demo", "--data-dir", first).returncode == 0
    dump = tmp_path / "graph.jsonl"
    assert run("export", str(dump), "--data-dir", first).returncode == 0
    loaded = run("load", str(dump), "--data-dir", second, "--json")
    assert loaded.returncode == 0, loaded.stderr
    report = json.loads(loaded.stdout.splitlines()[-1])
    assert report["rejected"] == [] and report["updated"] == {}
    again = run("export", "--data-dir", second)
    assert again.stdout == dump.read_text()


def test_schema_command_prints_the_committed_sdl() -> None:
    result = run("schema")
    committed = Path(__file__).parents[2] / "schema" / "schema.graphql"
    assert result.returncode == 0 and result.stdout == committed.read_text()


# --- CSV files and dry runs (issue 4: bulk import) -------------------------------------------------
def test_load_reads_csv_files_named_after_their_kind_and_exports_them_as_rows(
    tmp_path: Path,
) -> None:
    data = str(tmp_path / "data")
    reserves = tmp_path / "reserves.csv"
    reserves.write_text("id,name,country,designation_year\nordino,Ordino,AD,2020\n")
    networks = tmp_path / "Network.csv"
    networks.write_text("id,name\nwnmbr,WNMBR\n")
    members = tmp_path / "links.csv"
    members.write_text("from,to,since\nReserve:ordino,wnmbr,2022-05-12\n")
    for path in (reserves, networks):
        result = run("load", str(path), "--data-dir", data)
        assert result.returncode == 0, result.stderr
    result = run("load", str(members), "--kind", "MEMBER_OF", "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert "created 1 MEMBER_OF" in result.stdout
    exported = [json.loads(line) for line in run("export", "--data-dir", data).stdout.splitlines()]
    assert exported == [
        {"kind": "Reserve", "id": "ordino",
         "properties": {"name": "Ordino", "country": "AD", "designation_year": 2020}},
        {"kind": "Network", "id": "wnmbr", "properties": {"name": "WNMBR"}},
        {"rel": "MEMBER_OF", "from": "Reserve:ordino", "to": "Network:wnmbr",
         "properties": {"since": "2022-05-12"}},
    ]  # fmt: skip


def test_load_dry_run_reports_what_it_would_do_and_writes_nothing(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    themes = tmp_path / "themes.csv"
    themes.write_text("id,label,sdg_goals\nsnow,Snow,13;6\nice,Ice,\n")
    result = run("load", str(themes), "--dry-run", "--json", "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert "hub load (would have): created 2 Theme" in result.stdout
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["created"] == {"Theme": 2} and report["dryRun"] is True
    assert run("export", "--data-dir", data).stdout == ""


def test_load_csv_reports_rejected_rows_by_file_line(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    themes = tmp_path / "themes.csv"
    themes.write_text("id,label\nsnow,Snow\nice\n")
    result = run("load", str(themes), "--data-dir", data)
    assert result.returncode == 1
    assert "line 3: expected 2 cells as in the header, got 1" in result.stderr
    assert run("export", "--data-dir", data).stdout == ""


def test_load_csv_whose_name_names_no_kind_says_so_in_one_line(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("id,label\nsnow,Snow\n")
    result = run("load", str(rows), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("hub: the file name 'rows.csv' names no node kind")


def test_export_as_csv_then_load_the_directory_gives_the_same_graph(tmp_path: Path) -> None:
    first, second = str(tmp_path / "one"), str(tmp_path / "two")
    assert run("load", "--demo", "--data-dir", first).returncode == 0
    dump = tmp_path / "csv"
    exported = run("export", str(dump), "--format", "csv", "--data-dir", first)
    assert exported.returncode == 0, exported.stderr
    assert (dump / "Reserve.csv").read_text().startswith("id,name,country,")
    loaded = run("load", str(dump), "--data-dir", second, "--json")
    assert loaded.returncode == 0, loaded.stderr
    report = json.loads(loaded.stdout.splitlines()[-1])
    assert report["rejected"] == [] and report["updated"] == {}
    assert run("export", "--data-dir", second).stdout == run("export", "--data-dir", first).stdout
