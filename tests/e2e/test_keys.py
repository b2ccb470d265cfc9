"""`hub keys create|list|revoke` as an operator runs them, against a running hub."""

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e.served_hub import free_port, wait_ready

HUB = [sys.executable, "-m", "hub"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUB, *args], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "HUB_LOG_LEVEL": "debug"},  # nothing may log a key, even in debug
    )  # fmt: skip


def ask(port: int, key: str | None, query: str) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(
        f"http://127.0.0.1:{port}/graphql", json={"query": query}, headers=headers, timeout=30
    )
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """`hub serve` on a fresh data directory (demo data), checking every key on every request."""
    port, data = free_port(), tmp_path / "data"
    env = {**os.environ, "HUB_AUTH_CACHE_S": "0"}
    with (tmp_path / "serve.log").open("w") as log, subprocess.Popen(
        [*HUB, "serve", "--port", str(port), "--data-dir", str(data)],
        stdout=log, stderr=subprocess.STDOUT, text=True, env=env,
    ) as process:  # fmt: skip
        try:
            wait_ready(f"http://127.0.0.1:{port}", process)
            yield port, data
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)


FIRST_PERSON = "{ people(first: 1) { nodes { key email } } }"


def test_a_key_is_shown_once_listed_without_secret_and_stops_working_when_revoked(
    served: tuple[int, Path], tmp_path: Path
) -> None:
    port, data = served
    created = run("keys", "create", "--role", "secretariat", "--name", "the secretariat",
                  "--data-dir", str(data))  # fmt: skip
    assert created.returncode == 0, created.stderr
    (key,) = created.stdout.splitlines()  # printed once, alone on stdout
    assert key.startswith("hub_")
    key_id, secret = key.split("_", 2)[1:]
    assert key not in created.stderr and "only time" in created.stderr

    answer = ask(port, key, FIRST_PERSON)
    assert "errors" not in answer, answer
    assert answer["data"]["people"]["nodes"][0]["email"].endswith("@example.org")

    listed = run("keys", "list", "--json", "--data-dir", str(data))
    assert listed.returncode == 0, listed.stderr
    (entry,) = json.loads(listed.stdout)
    assert (entry["id"], entry["role"], entry["name"]) == (key_id, "secretariat", "the secretariat")
    assert entry["revokedAt"] is None
    plain = run("keys", "list", "--data-dir", str(data))
    digest = hashlib.sha256(secret.encode()).hexdigest()
    for output in (listed, plain):
        assert secret not in output.stdout + output.stderr
        assert digest not in output.stdout + output.stderr
    assert key_id in plain.stdout and "active" in plain.stdout

    revoked = run("keys", "revoke", key_id, "--data-dir", str(data))
    assert revoked.returncode == 0, revoked.stderr
    refused = ask(port, key, FIRST_PERSON)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    (entry,) = json.loads(run("keys", "list", "--json", "--data-dir", str(data)).stdout)
    assert entry["revokedAt"] is not None

    log = (tmp_path / "serve.log").read_text()
    assert secret not in log


def test_an_editor_key_is_scoped_to_existing_reserves_and_institutions(
    served: tuple[int, Path],
) -> None:
    port, data = served
    reserve = ask(port, None, "{ reserves(first: 1) { nodes { key } } }")
    (first,) = reserve["data"]["reserves"]["nodes"]
    created = run("keys", "create", "--role", "editor", "--reserve", first["key"],
                  "--data-dir", str(data))  # fmt: skip
    assert created.returncode == 0, created.stderr
    (entry,) = json.loads(run("keys", "list", "--json", "--data-dir", str(data)).stdout)
    assert (entry["role"], entry["reserves"], entry["institutions"]) == (
        "editor",
        [first["key"]],
        [],
    )
    typo = run("keys", "create", "--role", "editor", "--reserve", "no-such-reserve",
               "--data-dir", str(data))  # fmt: skip
    assert typo.returncode == 1
    assert typo.stderr.strip().splitlines()[-1] == "hub: no such reserve: no-such-reserve"
    partner = run("keys", "create", "--role", "partner", "--reserve", first["key"],
                  "--data-dir", str(data))  # fmt: skip
    assert partner.returncode == 1
    assert "editors only" in partner.stderr and partner.stdout == ""
    unknown = run("keys", "revoke", "0123456789abcdef", "--data-dir", str(data))
    assert unknown.returncode == 1
    assert unknown.stderr.strip().splitlines()[-1] == "hub: no such key: 0123456789abcdef"
