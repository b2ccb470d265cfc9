"""How long a 10,000-row import takes from JSON Lines and from CSV (the `hub load` path).

    .venv/bin/python bench/import.py [--rows 10000] [--repeat 3]

The rows: half reserves, half ADDRESSES relationships from those reserves to 50 themes (loaded
first, not timed). The same rows are written as one .jsonl file and as reserves.csv plus
ADDRESSES.csv; each run reads the file(s), checks every row and writes into a fresh graph of a
fresh embedded server, the final append-only-file rewrite included. Prints the median seconds.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from graph.falkordb import FalkorStore
from graph.importing import import_rows, numbered, read_rows
from hub.embedded import EmbeddedFalkorDB

THEMES = 50


def _rows(count: int) -> list[dict[str, Any]]:
    reserves = count // 2
    rows: list[dict[str, Any]] = []
    for i in range(reserves):
        rows.append({"kind": "Reserve", "id": f"r{i:06d}", "properties": {
            "name": f"Reserve {i}", "country": "ES", "designation_year": 1980 + i % 40,
            "latitude": round(40 + (i % 100) / 10, 4), "longitude": round(-5 + (i % 70) / 10, 4),
        }})  # fmt: skip
    for i in range(count - reserves):
        rows.append({"rel": "ADDRESSES", "from": f"Reserve:r{i % reserves:06d}",
                     "to": f"Theme:t{i // reserves * 7 + i % THEMES:03d}", "properties": {}})  # fmt: skip
    return rows


def _write_files(rows: list[dict[str, Any]], directory: Path) -> tuple[Path, list[Path]]:
    jsonl = directory / "rows.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    reserves = directory / "reserves.csv"
    links = directory / "ADDRESSES.csv"
    with reserves.open("w", encoding="utf-8") as out:
        out.write("id,name,country,designation_year,latitude,longitude\n")
        for row in rows:
            if "kind" in row:
                p = row["properties"]
                out.write(f"{row['id']},{p['name']},{p['country']},{p['designation_year']},"
                          f"{p['latitude']},{p['longitude']}\n")  # fmt: skip
    with links.open("w", encoding="utf-8") as out:
        out.write("from,to\n")
        for row in rows:
            if "rel" in row:
                out.write(f"{row['from']},{row['to']}\n")
    return jsonl, [reserves, links]


async def _fresh(url: str, name: str) -> FalkorStore:
    store = FalkorStore(url, graph=name)
    await store.setup()
    themes = [{"kind": "Theme", "id": f"t{i:03d}", "properties": {"label": f"Theme {i}"}}
              for i in range(THEMES)]  # fmt: skip
    report = await import_rows(store, numbered(themes))
    assert report.ok
    return store


async def _time(url: str, name: str, files: list[Path]) -> float:
    store = await _fresh(url, name)
    try:
        started = time.perf_counter()
        for path in files:  # nodes first, then relationships
            report = await import_rows(store, read_rows(path))
            assert report.ok, report.rejected[:3]
        return time.perf_counter() - started
    finally:
        await store.drop()
        await store.close()


async def measure(url: str, count: int, repeat: int, directory: Path) -> None:
    jsonl, csv_files = _write_files(_rows(count), directory)
    for label, files in (("JSON Lines", [jsonl]), ("CSV", csv_files)):
        runs = [await _time(url, f"bench_import_{i}", files) for i in range(repeat)]
        median = statistics.median(runs)
        print(f"{count:,} rows from {label:<10}: {median:5.2f} s median of {repeat} "
              f"({count / median:,.0f} rows/s; runs {', '.join(f'{r:.2f}' for r in runs)})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, EmbeddedFalkorDB(Path(directory)) as server:
        assert server.endpoint is not None
        asyncio.run(measure(server.endpoint.url, args.rows, args.repeat, Path(directory)))


if __name__ == "__main__":
    main()
