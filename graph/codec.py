"""How records are stored: the same property maps on both engines.

Stored values are strings, numbers, booleans and lists of those, which both engines keep
exactly. Dates are ISO strings (they sort correctly and need no engine temporal type);
a reserve's provenance list is one JSON string. Each node also carries `search_text`, a
folded copy of its title for case- and accent-insensitive matching, and the two properties
the full-text indexes cover (`search_title`, `search_body`): the words of its title and of its
description, folded and split exactly as `search` splits the words it is asked for.
"""

import dataclasses
import datetime
import json
import re
import unicodedata
from typing import Any, Final

from graph.model import SEARCH_PROPERTY, TITLE_PROPERTY, Kind
from graph.records import RECORD_TYPES, Link, NodeRecord, Provenance

_FIELDS: dict[Kind, frozenset[str]] = {
    kind: frozenset(f.name for f in dataclasses.fields(record))
    for kind, record in RECORD_TYPES.items()
}
_DATE_FIELDS = frozenset({"founded", "since"})


def fold(text: str) -> str:
    """Lower case without accents: "Omaña" -> "omana". Scripts without accents pass through."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- full-text search (issue 3) ---------------------------------------------------------------
# What the full-text indexes cover: the title and, where a kind has one, its longer text.
FULLTEXT_TITLE: Final = "search_title"
FULLTEXT_BODY: Final = "search_body"
BODY_PROPERTY: Final[dict[Kind, str]] = {
    Kind.PROJECT: "description",
    Kind.THEME: "definition",
    Kind.NETWORK: "description",
}

# Han ideographs and kana are written without spaces: each one is a word of its own (as
# Lucene's standard tokenizer does), so that part of a Chinese name finds the whole.
_IDEOGRAPHS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TERM = re.compile(f"[{_IDEOGRAPHS}]|[^\\W_{_IDEOGRAPHS}]+")
_IDEOGRAPH = re.compile(f"[{_IDEOGRAPHS}]")


def search_terms(text: str) -> list[str]:
    """The words of a text as the full-text indexes see them: folded letters and digits only.

    Punctuation and every operator of the engines' query languages (- | @ ( ) " * : ~ ...)
    separate words and never survive, so user text built from these words cannot change a query.
    """
    return _TERM.findall(fold(text))


def is_ideograph(term: str) -> bool:
    return _IDEOGRAPH.fullmatch(term) is not None


def searchable(text: str) -> str:
    """The stored, indexed form of a text: its search terms separated by single spaces."""
    return " ".join(search_terms(text))


def record_fields(kind: Kind) -> frozenset[str]:
    return _FIELDS[kind]


def to_stored(kind: Kind, props: dict[str, Any]) -> dict[str, Any]:
    """Properties as given (already validated) -> the map written to the database."""
    stored: dict[str, Any] = {}
    for name, value in props.items():
        if name == "id" or value is None:
            continue
        if name == "provenance":
            stored[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        elif isinstance(value, datetime.date):
            stored[name] = value.isoformat()
        else:
            stored[name] = value
    title = props.get(TITLE_PROPERTY[kind])
    if isinstance(title, str):
        stored[SEARCH_PROPERTY] = fold(title)
        stored[FULLTEXT_TITLE] = searchable(title)
    body = props.get(BODY_PROPERTY[kind]) if kind in BODY_PROPERTY else None
    if isinstance(body, str):
        stored[FULLTEXT_BODY] = searchable(body)
    return stored


def from_stored(kind: Kind, props: dict[str, Any]) -> NodeRecord:
    """A stored property map -> the record of its kind (unknown properties are ignored)."""
    fields = _FIELDS[kind]
    values: dict[str, Any] = {}
    for name, value in props.items():
        if name not in fields or value is None:
            continue
        if name == "provenance":
            values[name] = [Provenance(**item) for item in json.loads(value)]
        elif name in _DATE_FIELDS:
            values[name] = datetime.date.fromisoformat(value)
        elif isinstance(value, list):
            values[name] = list(value)
        else:
            values[name] = value
    return RECORD_TYPES[kind](**values)


def link_from_stored(kind: Kind, node: dict[str, Any], rel: dict[str, Any] | None) -> Link:
    rel = rel or {}
    since = rel.get("since")
    return Link(
        node=from_stored(kind, node),
        roles=list(rel.get("roles") or []),
        since=datetime.date.fromisoformat(since) if since else None,
    )


def to_row(kind: Kind, record: NodeRecord) -> dict[str, Any]:
    """A record -> an import row (the inverse of importing it), for `hub export`."""
    props: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name == "id" or value is None or value == []:
            continue
        if f.name == "provenance":
            value = [dataclasses.asdict(p) for p in value]
            value = [{k: v for k, v in p.items() if v is not None} for p in value]
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        props[f.name] = value
    return {"kind": str(kind), "id": record.id, "properties": props}
