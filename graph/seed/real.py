"""The real seed data (``data/*.csv``, see ``data/README.md``) as import rows.

A node row is ``{"kind", "id", "properties"}`` and a relationship row is
``{"rel", "from", "to", "properties"}`` with ``from``/``to`` as ``Kind:id``. Properties use the
record field names of ``graph.records``; empty cells are omitted, never written as "".
Only relationships the data states are emitted here; everything else is demo data.
"""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from graph.model import Kind, RelType, global_id

Row = dict[str, Any]

DATA_DIR: Final = Path(__file__).with_name("data")

WNMBR_ID: Final = "wnmbr"
WNMBR_FOUNDED: Final = "2021-12-07"
WNMBR_DESCRIPTION: Final = (
    "Network of UNESCO mountain biosphere reserves created in December 2021, coordinated by the "
    "MAB Programme with a joint technical secretariat of RCEES-CAS (China) and the Valles de "
    "Omaña y Luna Biosphere Reserve (Spain)."
)
# The co-secretariat reserve, documented as part of the WNMBR since its creation.
SECRETARIAT_RESERVE_ID: Final = "valles-de-omana-y-luna"

# reserve_management organisations whose reserve is plain from their name and source.
MANAGED_RESERVES: Final[dict[str, str]] = {
    "valles-omana-luna-br": "valles-de-omana-y-luna",
    "triglav-np": "julian-alps",
    "picos-consorcio": "picos-de-europa",
    "alto-bernesga-fundacion": "alto-bernesga",
    "babia-consorcio": "babia",
    "laciana-fundacion": "valle-de-laciana",
    "qomolangma-nnr": "qomolangma",
    "huangshan-smc": "mount-huangshan",
    "waterton-bra": "waterton",
    "entlebuch-mgmt": "entlebuch",
}

_MOUNTAIN: Final[dict[str, bool | None]] = {"true": True, "false": False, "unknown": None}


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _clean(properties: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values: None and empty strings are omitted, not stored."""
    return {k: v for k, v in properties.items() if v is not None and v != ""}


def _float(text: str) -> float | None:
    return float(text) if text else None


def _int(text: str) -> int | None:
    return int(text) if text else None


def node_row(kind: Kind, key: str, properties: dict[str, Any]) -> Row:
    return {"kind": kind.value, "id": key, "properties": _clean(properties)}


def rel_row(
    type_: RelType,
    source: tuple[Kind, str],
    target: tuple[Kind, str],
    properties: dict[str, Any] | None = None,
) -> Row:
    return {
        "rel": type_.value,
        "from": global_id(*source),
        "to": global_id(*target),
        "properties": _clean(properties or {}),
    }


def _provenance() -> dict[str, list[dict[str, str]]]:
    by_reserve: dict[str, list[dict[str, str]]] = {}
    for row in _read("biosphere_reserves_provenance.csv"):
        entry = _clean(
            {
                "field": row["field"],
                "value": row["value"],
                "source_url": row["source_url"],
                "note": row["note"],
            }
        )
        by_reserve.setdefault(row["reserve_id"], []).append(entry)
    return by_reserve


def reserve_rows() -> Iterator[Row]:
    provenance = _provenance()
    reserves = _read("biosphere_reserves.csv")
    unknown = sorted(set(provenance) - {r["id"] for r in reserves})
    if unknown:
        raise ValueError(f"provenance rows for unknown reserves: {unknown}")
    for row in reserves:
        yield node_row(
            Kind.RESERVE,
            row["id"],
            {
                "name": row["name"],
                "country": row["country"],
                "designation_year": _int(row["designation_year"]),
                "latitude": _float(row["latitude"]),
                "longitude": _float(row["longitude"]),
                "area_km2": _float(row["area_km2"]),
                "max_elevation_m": _int(row["max_elevation_m"]),
                "mountain": _MOUNTAIN[row["mountain"].lower()],
                "source_url": row["source_url"],
                "provenance": provenance.get(row["id"], []) or None,
            },
        )


def organisation_rows() -> Iterator[Row]:
    for row in _read("organisations.csv"):
        if row["kind"] == "network":
            extra = (
                {"founded": WNMBR_FOUNDED, "description": WNMBR_DESCRIPTION}
                if row["id"] == WNMBR_ID
                else {}
            )
            yield node_row(
                Kind.NETWORK,
                row["id"],
                {
                    "name": row["name"],
                    "country": row["country"],
                    "url": row["url"],
                    "source_url": row["source_url"],
                    **extra,
                },
            )
        else:
            yield node_row(
                Kind.INSTITUTION,
                row["id"],
                {
                    "name": row["name"],
                    "kind": row["kind"],
                    "country": row["country"],
                    "url": row["url"],
                    "source_url": row["source_url"],
                },
            )


def theme_rows() -> Iterator[Row]:
    for row in _read("themes.csv"):
        goals = [int(part) for part in row["sdg_goals"].split(";") if part.strip()]
        yield node_row(
            Kind.THEME,
            row["id"],
            {
                "label": row["label"],
                "definition": row["definition"],
                "sdg_goals": goals,
                "source_url": row["source_url"],
            },
        )


def seed_node_rows() -> Iterator[Row]:
    """Themes, networks, institutions and reserves, in that order."""
    yield from theme_rows()
    organisations = list(organisation_rows())
    yield from (row for row in organisations if row["kind"] == Kind.NETWORK.value)
    yield from (row for row in organisations if row["kind"] == Kind.INSTITUTION.value)
    yield from reserve_rows()


def seed_relationship_rows() -> Iterator[Row]:
    """The relationships the data states: reserve management bodies and the co-secretariat."""
    reserves = {row["id"] for row in _read("biosphere_reserves.csv")}
    organisations = {row["id"]: row["kind"] for row in _read("organisations.csv")}
    for institution, reserve in MANAGED_RESERVES.items():
        if organisations.get(institution) != "reserve_management" or reserve not in reserves:
            raise ValueError(f"MANAGES {institution} -> {reserve}: unknown id")
        yield rel_row(RelType.MANAGES, (Kind.INSTITUTION, institution), (Kind.RESERVE, reserve))
    if organisations.get(WNMBR_ID) != "network" or SECRETARIAT_RESERVE_ID not in reserves:
        raise ValueError("the WNMBR or its co-secretariat reserve is missing from the data")
    yield rel_row(
        RelType.MEMBER_OF,
        (Kind.RESERVE, SECRETARIAT_RESERVE_ID),
        (Kind.NETWORK, WNMBR_ID),
        {"since": WNMBR_FOUNDED},
    )


def seed_rows() -> Iterator[Row]:
    """All real rows: nodes first, then the relationships the data states."""
    yield from seed_node_rows()
    yield from seed_relationship_rows()
