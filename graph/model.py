"""The shape of the graph: node kinds, relationship types and which kinds each one joins.

Everything that becomes Cypher text (labels, relationship types) comes from these enums, never
from input. The import format, the store and the GraphQL layer all read this one table.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Kind(StrEnum):
    """A node label. The value is the label in the database and the GraphQL type name."""

    RESERVE = "Reserve"
    INSTITUTION = "Institution"
    PROJECT = "Project"
    PERSON = "Person"
    THEME = "Theme"
    NETWORK = "Network"


class InstitutionKind(StrEnum):
    """What sort of organisation an institution is."""

    UN_PROGRAMME = "un_programme"
    RESEARCH_CENTRE = "research_centre"
    UNIVERSITY = "university"
    NGO = "ngo"
    GOVERNMENT = "government"
    NETWORK = "network"
    RESERVE_MANAGEMENT = "reserve_management"


class RelType(StrEnum):
    """A relationship type in the database."""

    AFFILIATED_WITH = "AFFILIATED_WITH"  # Person -> Institution {roles, since}
    WORKS_AT = "WORKS_AT"  # Person -> Reserve {roles}
    PARTICIPATES_IN = "PARTICIPATES_IN"  # Person -> Project {roles}
    PARTNER_IN = "PARTNER_IN"  # Institution -> Project {roles}
    SITED_IN = "SITED_IN"  # Project -> Reserve
    ADDRESSES = "ADDRESSES"  # Project | Reserve -> Theme
    MEMBER_OF = "MEMBER_OF"  # Reserve | Institution -> Network {since}
    MANAGES = "MANAGES"  # Institution -> Reserve


@dataclass(frozen=True, slots=True)
class Relation:
    """One relationship type between two given kinds, always stored in this direction.

    There is at most one relationship of a type between two nodes (DESIGN.md: parallel
    relationships collapse on FalkorDB); several roles are a list property on it.
    """

    source: Kind
    type: RelType
    target: Kind
    properties: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.source}_{self.type}_{self.target}"


RELATIONS: Final[tuple[Relation, ...]] = (
    Relation(Kind.PERSON, RelType.AFFILIATED_WITH, Kind.INSTITUTION, ("roles", "since")),
    Relation(Kind.PERSON, RelType.WORKS_AT, Kind.RESERVE, ("roles",)),
    Relation(Kind.PERSON, RelType.PARTICIPATES_IN, Kind.PROJECT, ("roles",)),
    Relation(Kind.INSTITUTION, RelType.PARTNER_IN, Kind.PROJECT, ("roles",)),
    Relation(Kind.PROJECT, RelType.SITED_IN, Kind.RESERVE),
    Relation(Kind.PROJECT, RelType.ADDRESSES, Kind.THEME),
    Relation(Kind.RESERVE, RelType.ADDRESSES, Kind.THEME),
    Relation(Kind.RESERVE, RelType.MEMBER_OF, Kind.NETWORK, ("since",)),
    Relation(Kind.INSTITUTION, RelType.MEMBER_OF, Kind.NETWORK, ("since",)),
    Relation(Kind.INSTITUTION, RelType.MANAGES, Kind.RESERVE),
)


def find_relation(type_: RelType, source: Kind, target: Kind) -> Relation | None:
    for relation in RELATIONS:
        if (relation.type, relation.source, relation.target) == (type_, source, target):
            return relation
    return None


# The property that names a node for people (used for display, sorting and text search).
TITLE_PROPERTY: Final[dict[Kind, str]] = {
    Kind.RESERVE: "name",
    Kind.INSTITUTION: "name",
    Kind.PROJECT: "title",
    Kind.PERSON: "name",
    Kind.THEME: "label",
    Kind.NETWORK: "name",
}

# A stored, folded copy of the searchable text (lower case, accents removed) so that "omana"
# finds "Omaña" on both engines; the original text is stored untouched beside it.
SEARCH_PROPERTY: Final = "search_text"

ID_SEPARATOR: Final = ":"


def global_id(kind: Kind, key: str) -> str:
    """The GraphQL id of a node: its kind and its key, e.g. ``Reserve:ordino``."""
    return f"{kind}{ID_SEPARATOR}{key}"


def parse_global_id(value: str) -> tuple[Kind, str] | None:
    """Split ``Kind:key``; None when it is not of that form or the kind is unknown."""
    kind_text, sep, key = value.partition(ID_SEPARATOR)
    if not sep or not key or key != key.strip():
        return None
    try:
        return Kind(kind_text), key
    except ValueError:
        return None
