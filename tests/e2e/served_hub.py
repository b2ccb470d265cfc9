"""`hub serve` as a real process on a data directory of its own, and its embedded database's pid
(shared by the outage and lost-write tests)."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

HUB = [sys.executable, "-m", "hub"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hub_command(*args: str, env: dict[str, str] | None = None) -> str:
    """Run `hub <args>`; its stdout (it must succeed)."""
    done = subprocess.run(
        [*HUB, *args], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def database_pids(data: Path) -> set[int]:
    """The redis-server processes serving the embedded database under the data directory."""
    out = subprocess.run(
        ["pgrep", "-f", "--", f"unixsocket:{data}/falkordb/falkordb.sock"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {int(pid) for pid in out.stdout.split()}


def kill_database(data: Path) -> int:
    """SIGKILL the embedded database (as the OOM killer would); its pid."""
    (pid,) = database_pids(data)
    os.kill(pid, signal.SIGKILL)
    return pid


@dataclass(frozen=True, slots=True)
class Served:
    url: str
    data: Path
    process: subprocess.Popen[str]
    log: Path


def wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"hub serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("hub serve never became ready")


@contextmanager
def serve(tmp: Path, env: dict[str, str], *, workers: int = 2) -> Iterator[Served]:
    """`hub serve` with `env` added to the environment; stopped with SIGTERM afterwards."""
    port = free_port()
    data = Path(env.get("HUB_DATA_DIR", tmp / "data"))
    log = tmp / "serve.log"
    with log.open("w") as out, subprocess.Popen(
        [*HUB, "serve", "--port", str(port), "--workers", str(workers)],
        stdout=out, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "HUB_DATA_DIR": str(data), **env},
    ) as process:  # fmt: skip
        try:
            served = Served(f"http://127.0.0.1:{port}", data, process, log)
            wait_ready(served.url, process)
            yield served
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
