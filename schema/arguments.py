"""Checking arguments: ids, countries, text. A bad one is BAD_USER_INPUT naming it."""

import re

from graph.codec import fold
from graph.model import Kind, parse_global_id
from graph.validation import KEY_PATTERN
from schema.errors import BadUserInput

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def node_id(argument: str, value: str) -> tuple[Kind, str]:
    """A global id "Kind:key"."""
    parsed = parse_global_id(value)
    if parsed is None or not KEY_PATTERN.match(parsed[1]):
        raise BadUserInput(
            argument, f'{value!r} is not an id of the form "Kind:key" (e.g. "Reserve:ordino")'
        )
    return parsed


def key_of(argument: str, value: str, kind: Kind) -> str:
    """The key of a node of a known kind, given as "Kind:key" or as the bare key."""
    if ":" in value:
        found, key = node_id(argument, value)
        if found is not kind:
            raise BadUserInput(argument, f"expected a {kind} id, got a {found} id ({value!r})")
        return key
    if not KEY_PATTERN.match(value):
        raise BadUserInput(argument, f"{value!r} is not a {kind} id")
    return value


def country(argument: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not _COUNTRY.match(value):
        raise BadUserInput(
            argument, f"expected an ISO 3166-1 alpha-2 code such as ES, got {value!r}"
        )
    return value.upper()


def text(argument: str, value: str | None) -> str | None:
    if value is None:
        return None
    folded = fold(value).strip()
    if "\x00" in folded or any("\ud800" <= ch <= "\udfff" for ch in folded):
        # The database cannot take these: without this check they are internal errors.
        raise BadUserInput(argument, "contains a NUL character or an unpaired surrogate")
    if len(folded) > 200:
        raise BadUserInput(argument, "is longer than 200 characters")
    return folded or None
