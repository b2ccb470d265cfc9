"""The `hub` command: serve, load, export, schema.

Every flag has a HUB_* twin (flags win). Errors a user can fix end the command with one line
on stderr naming the cause, and exit status 1; no traceback.
"""

import argparse
import asyncio
import errno
import getpass
import json
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.csvrows import Located, directory_rows, write_csv
from graph.errors import StoreError
from graph.importing import ImportFileError, import_rows, numbered, read_rows
from graph.records import Audit, ImportReport
from hub.embedded import EmbeddedError, EmbeddedFalkorDB
from hub.logs import FORMATS, dict_config
from hub.logs import configure as configure_logs
from hub.settings import Settings, SettingsError
from hub.stores import load_demo_if_empty, open_store

log = logging.getLogger("hub")


class CommandError(Exception):
    """A problem the user can fix; printed as one line."""


def _settings(args: argparse.Namespace) -> Settings:
    environ = dict(os.environ)
    for flag, variable in (("host", "HUB_HOST"), ("port", "HUB_PORT"), ("workers", "HUB_WORKERS"),
                           ("data_dir", "HUB_DATA_DIR")):  # fmt: skip
        value = getattr(args, flag, None)
        if value is not None:
            environ[variable] = str(value)
    return Settings.from_environ(environ)


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            reason = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise CommandError(f"cannot listen on {host}:{port}: {reason}") from None


# --- serve -----------------------------------------------------------------------------------
def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    _check_port_free(settings.host, settings.port)
    embedded: EmbeddedFalkorDB | None = None
    if settings.embedded:
        # The embedded database belongs to this process, so that every worker shares it and
        # it lives as long as the server, not as long as one worker.
        embedded = EmbeddedFalkorDB(settings.embedded_dir)
        endpoint = embedded.start()
        os.environ["HUB_FALKORDB_URL"] = endpoint.url
        if endpoint.password:
            os.environ["HUB_FALKORDB_PASSWORD"] = endpoint.password
        prepared = settings.with_(falkordb_url=endpoint.url)
        try:
            asyncio.run(_prepare(prepared, password=endpoint.password, demo=settings.demo_on_empty))
        except BaseException:
            embedded.stop()
            raise
    for name, value in (("HUB_HOST", settings.host), ("HUB_PORT", settings.port),
                        ("HUB_DATA_DIR", settings.data_dir)):  # fmt: skip
        os.environ[name] = str(value)
    # Logged (a JSON line with HUB_LOG_FORMAT=json), as everything `serve` says once it runs.
    log.info("serving on http://%s:%s/graphql (%s%s)", settings.host, settings.port,
             settings.backend, ", embedded" if embedded else "")  # fmt: skip
    if settings.workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Each worker keeps its metrics in files there; /metrics adds them up (hub/metrics.py).
        from hub.metrics import prepare_multiprocess_dir

        prepare_multiprocess_dir(settings.data_dir.resolve() / "metrics")
    # uvicorn re-raises the signal that stopped it once it has shut down (after finishing the
    # requests in flight); make SIGTERM an exception (as SIGINT already is) so that the embedded
    # database is stopped cleanly below, and the hub then exits 0: a requested, clean stop.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            "hub.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
            # Each worker logs as we do; hub.requests replaces uvicorn's access log (hub/logs.py).
            log_config=dict_config(settings.logs_as, settings.log_level),
            access_log=False,
            timeout_graceful_shutdown=30,
            # The client address is the socket peer; X-Forwarded-For is believed only from
            # HUB_TRUSTED_PROXIES (hub/ratelimit.py), not from whatever uvicorn trusts.
            proxy_headers=False,
        )
    except _Terminated:
        pass
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


class _Terminated(Exception):
    """SIGTERM: stop serving (uvicorn has finished the requests in flight)."""


def _exit_on_signal(signum: int, _frame: object) -> None:
    if signum == signal.SIGTERM:
        raise _Terminated
    raise SystemExit(128 + signum)


async def _prepare(settings: Settings, *, password: str | None, demo: bool) -> None:
    from hub.stores import make_store

    store = make_store(settings, url=settings.falkordb_url, password=password)
    # Our own embedded server: rewrite its log after setup and loads (DESIGN.md).
    try:
        await store.setup()
        if demo:
            started = time.perf_counter()
            report = await load_demo_if_empty(store)
            if report is not None:
                log.info("loaded the demo data in %.2f s: %s", time.perf_counter() - started,
                         _summary(report))  # fmt: skip
    finally:
        await store.close()


# --- load / export -----------------------------------------------------------------------------
def _summary(report: ImportReport) -> str:
    def fmt(counts: dict[str, int]) -> str:
        return ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing"

    return (f"created {fmt(report.created)}; updated {fmt(report.updated)}; "
            f"rejected {len(report.rejected)}")  # fmt: skip


async def _load(args: argparse.Namespace, settings: Settings) -> int:
    from graph.seed.demo import demo_rows

    if args.demo == bool(args.file):
        raise CommandError("give either a FILE or --demo")
    started = time.perf_counter()
    locate: Callable[[int], Located] | None = None
    async with open_store(settings) as opened:
        store = opened.store
        await store.setup()
        if args.replace and not args.dry_run:
            await store.clear()
        if args.demo:
            rows = numbered(demo_rows(scale=args.scale, seed=args.seed))
        else:
            path = Path(args.file)
            if path.is_dir():  # a directory of CSV files, as `hub export --format csv` writes
                if args.kind is not None:
                    raise CommandError("--kind is for one .csv file; a directory's files are "
                                       "named after their kind")  # fmt: skip
                rows, locate = directory_rows(path)
            elif not path.is_file():
                raise CommandError(f"no such file: {path}")
            elif args.kind is not None and path.suffix.lower() != ".csv":
                raise CommandError("--kind is for .csv files")
            else:
                rows = read_rows(path, kind=args.kind)
        audit = Audit(actor=f"cli:{getpass.getuser()}", request_id=None, operation="hub load")
        report = await import_rows(
            store, rows, batch_size=args.batch_size, dry_run=args.dry_run, audit=audit
        )
    elapsed = time.perf_counter() - started
    if locate is not None:  # say which file of the directory each rejected line is in
        for rejection in report.rejected:
            where = locate(rejection.line)
            rejection.line = where.line
            rejection.reason = f"{where.file}: {rejection.reason}"
    for rejection in report.rejected:
        print(f"line {rejection.line}: {rejection.reason}", file=sys.stderr)
    verb = "would have" if args.dry_run else "did"
    print(f"hub load ({verb}): {_summary(report)} in {elapsed:.2f} s")
    if args.json:
        print(json.dumps({"created": report.created, "updated": report.updated,
                          "rejected": [{"line": r.line, "reason": r.reason} for r in report.rejected],
                          "seconds": round(elapsed, 3), "dryRun": args.dry_run}))  # fmt: skip
    return 1 if report.rejected else 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    if args.format == "csv":
        return await _export_csv(args, settings)
    count = 0
    async with open_store(settings) as opened:
        out = sys.stdout if args.file in (None, "-") else open(args.file, "w", encoding="utf-8")  # noqa: SIM115
        try:
            async for row in opened.store.export_rows():
                out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        finally:
            if out is not sys.stdout:
                out.close()
    print(f"hub export: {count} rows", file=sys.stderr)
    return 0


async def _export_csv(args: argparse.Namespace, settings: Settings) -> int:
    if args.file in (None, "-"):
        raise CommandError("--format csv writes one file per kind: give a DIRECTORY")
    directory = Path(args.file)
    if directory.exists() and not directory.is_dir():
        raise CommandError(f"{directory} is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    async with open_store(settings) as opened:
        try:
            counts = await write_csv(opened.store.export_rows(), directory)
        except ValueError as exc:
            raise CommandError(f"cannot write CSV: {exc}") from None
    files = ", ".join(f"{name}.csv {n}" for name, n in counts.items()) or "nothing"
    print(f"hub export: {sum(counts.values())} rows in {directory}: {files}", file=sys.stderr)
    return 0


# --- keys (issue 4: who may do what) -----------------------------------------------------------
async def _keys(args: argparse.Namespace, settings: Settings) -> int:
    """Create, list and revoke API keys. The key itself is printed once, on stdout, at creation;
    it is never stored (only its hash) nor logged."""
    from graph.model import Kind
    from hub.auth import new_api_key, utc_now
    from schema.permissions import Role

    async with open_store(settings) as opened:
        store = opened.store
        await store.setup()
        if args.keys_command == "create":
            role = Role(args.role)
            try:
                made = new_api_key(role, name=args.name or "", reserves=args.reserve or (),
                                   institutions=args.institution or ())  # fmt: skip
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            for kind, wanted in ((Kind.RESERVE, made.record.reserves),
                                 (Kind.INSTITUTION, made.record.institutions)):  # fmt: skip
                missing = sorted(set(wanted) - await store.existing_keys(kind, wanted))
                if missing:  # a mistyped grant would silently allow nothing
                    raise CommandError(f"no such {kind.lower()}: {', '.join(missing)}")
            record = await store.create_api_key(made.record)
            print(made.token)
            print(f"hub: created {_key_line(record)}. This is the only time the key is shown: "
                  "keep it now.", file=sys.stderr)  # fmt: skip
            return 0
        if args.keys_command == "list":
            keys = await store.api_keys()
            if args.json:
                print(json.dumps([{"id": k.id, "name": k.name, "role": k.role,
                                   "reserves": k.reserves, "institutions": k.institutions,
                                   "createdAt": k.created_at, "revokedAt": k.revoked_at}
                                  for k in keys]))  # fmt: skip
            for key in [] if args.json else keys:
                print(_key_line(key))
            return 0
        revoked = await store.revoke_api_key(args.id, utc_now())
        if revoked is None:
            raise CommandError(f"no such key: {args.id}")
        print(f"hub: revoked {_key_line(revoked)}", file=sys.stderr)
        return 0


def _key_line(key: Any) -> str:
    scope = [f"reserves {','.join(key.reserves)}"] if key.reserves else []
    scope += [f"institutions {','.join(key.institutions)}"] if key.institutions else []
    state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
    name = f" {key.name!r}" if key.name else ""
    return (
        f"key {key.id}{name} {key.role} {' '.join(scope) or '-'} created {key.created_at} {state}"
    )


def schema_command(_: argparse.Namespace) -> int:
    from schema import sdl

    sys.stdout.write(sdl())
    return 0


# --- main --------------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="hub", description="The WNMBR collaboration hub.")
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "serve", help="serve the GraphQL API (embedded database unless HUB_NEO4J_URI)"
    )
    run.add_argument("--host", help="address to listen on [HUB_HOST, 127.0.0.1]")
    run.add_argument("--port", type=int, help="port [HUB_PORT, 8000]")
    run.add_argument("--workers", type=int, help="worker processes [HUB_WORKERS, 1]")
    run.add_argument("--data-dir", help="embedded database files [HUB_DATA_DIR, ./data]")

    load = sub.add_parser("load", help="import a JSON, JSON Lines or CSV file, or the demo data")
    load.add_argument(
        "file",
        nargs="?",
        help="a .jsonl file (one row a line), a .json document, or a .csv file of one node kind "
        "or relationship type (see graph/csvrows.py)",
    )
    load.add_argument(
        "--kind",
        help="what a .csv file holds: a node kind (Reserve) or relationship type (MEMBER_OF); "
        "by default its file name says (reserves.csv, Reserve.csv, MEMBER_OF.csv)",
    )
    load.add_argument("--demo", action="store_true", help="load the synthetic demo data")
    load.add_argument(
        "--scale", type=int, default=1, help="demo size multiplier (1 = about 700 nodes)"
    )
    load.add_argument("--seed", type=int, default=7, help="demo random seed")
    load.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    load.add_argument("--replace", action="store_true", help="delete everything first")
    load.add_argument("--batch-size", type=int, default=5000, help="rows per transaction")
    load.add_argument("--json", action="store_true", help="also print the report as JSON")
    load.add_argument("--data-dir", help="embedded database files [HUB_DATA_DIR, ./data]")

    export = sub.add_parser("export", help="write the whole graph as JSON Lines (or CSV files)")
    export.add_argument(
        "file",
        nargs="?",
        help="output file (default: standard output); with --format csv, a directory",
    )
    export.add_argument(
        "--format",
        choices=["jsonl", "csv"],
        default="jsonl",
        help="jsonl: one row a line; csv: one file per node kind and relationship type in FILE, "
        "which `hub load FILE` reads back",
    )
    export.add_argument("--data-dir", help="embedded database files [HUB_DATA_DIR, ./data]")

    sub.add_parser("schema", help="print the GraphQL schema (SDL)")

    keys = sub.add_parser("keys", help="create, list and revoke API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="make a key and print it (shown only this once)")
    create.add_argument("--role", required=True, choices=["partner", "editor", "secretariat"])
    create.add_argument("--reserve", action="append", metavar="KEY",
                        help="an editor may write to this reserve (repeatable)")  # fmt: skip
    create.add_argument("--institution", action="append", metavar="KEY",
                        help="an editor may write to this institution (repeatable)")  # fmt: skip
    create.add_argument("--name", help="who or what the key is for")
    listing = keys_sub.add_parser("list", help="every key, without secrets")
    listing.add_argument("--json", action="store_true", help="print JSON")
    revoke = keys_sub.add_parser(
        "revoke", help="revoke a key (hubs notice within HUB_AUTH_CACHE_S)"
    )
    revoke.add_argument("id", help="the key's id (the part after hub_)")
    for command in (create, listing, revoke):
        command.add_argument("--data-dir", help="embedded database files [HUB_DATA_DIR, ./data]")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Before the settings are read (their errors are printed, not logged): a bad value here
    # falls back to the default, and `serve` stops on it with a message naming the variable.
    log_format = os.environ.get("HUB_LOG_FORMAT", "").lower()
    if log_format not in FORMATS:
        log_format = "json" if os.environ.get("HUB_ENV") == "production" else "text"
    level = os.environ.get("HUB_LOG_LEVEL", "info").lower()
    configure_logs(log_format, level if level in {"debug", "info", "warning", "error"} else "info")
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "schema":
            return schema_command(args)
        settings = _settings(args)
        command: Any = {"load": _load, "export": _export, "keys": _keys}[args.command]
        return int(asyncio.run(command(args, settings)))
    except (CommandError, SettingsError, EmbeddedError, ImportFileError) as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"hub: database error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
