"""Logs: one line per event on stderr, as JSON objects (HUB_LOG_FORMAT=json) or readable text.

Every HTTP request ends with one line from the `hub.requests` logger, in place of uvicorn's
access log (which `hub serve` turns off). Its fields:

    requestId      the X-Request-ID echoed to the client (theirs if sane, else ours)
    method, path, status, client
    durationMs     from the first byte received to the last byte sent
    operationName  the GraphQL operation's name (a list for a batch), null when anonymous
    operationType  query, mutation or subscription (null when the document did not parse)
    roundTrips     database calls the request made
    errorCodes     the `extensions.code` of each error returned, in order (empty: none)

A JSON line also has `time` (UTC, ISO 8601), `level`, `logger` and `message`; an exception adds
`exception` (its traceback). Probes and scrapes (/healthz, /readyz, /metrics) are logged at
debug level only, so that they do not drown the rest.
"""

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

FORMATS = ("json", "text")
# Attach structured fields to a record with `extra={"fields": {...}}`.
FIELDS = "fields"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value ...`, for a developer's terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict) and fields:
            pairs = " ".join(f"{key}={_text(value)}" for key, value in fields.items())
            head, _, rest = text.partition("\n")  # keep a traceback below the fields
            text = f"{head} {pairs}" + (f"\n{rest}" if rest else "")
        return text


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value)) or "-"
    return "-" if value is None else str(value)


def dict_config(log_format: str, level: str) -> dict[str, Any]:
    """The logging configuration of the hub and of uvicorn (its `log_config`), for each worker."""
    formatter = {
        "()": "hub.logs.JsonFormatter" if log_format == "json" else "hub.logs.TextFormatter"
    }
    handler = {"class": "logging.StreamHandler", "formatter": "hub", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"hub": formatter},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            # uvicorn's own loggers go through ours (uvicorn.access is off: hub.requests says more).
            name: {"handlers": [], "level": level.upper(), "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure(log_format: str, level: str) -> None:
    logging.config.dictConfig(dict_config(log_format, level))
