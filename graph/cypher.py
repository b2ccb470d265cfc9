"""Every Cypher statement the hub runs, shared by both engines.

Statements take `$parameters` only. Where a statement depends on a label or relationship type,
it is built once at import from the enums of `graph.model` (fixed text, never input) and kept
in a dict keyed by that enum. Where the engines differ (schema DDL), a `{Backend: text}`
mapping sits next to the shared text. tests/store/test_cypher.py checks every statement on
every backend present.
"""

from enum import StrEnum
from typing import Final

from graph.model import RELATIONS, SEARCH_PROPERTY, Kind, Relation
from graph.store import Direction


class Backend(StrEnum):
    FALKORDB = "falkordb"
    NEO4J = "neo4j"


# --- schema ------------------------------------------------------------------------------------
# FalkorDB: a unique constraint needs an exact-match index first; the constraint itself is the
# GRAPH.CONSTRAINT command (see graph/falkordb.py), not Cypher.
CREATE_KEY_INDEX: Final[dict[Backend, dict[Kind, str]]] = {
    Backend.FALKORDB: {kind: f"CREATE INDEX FOR (n:{kind}) ON (n.id)" for kind in Kind},
    Backend.NEO4J: {
        kind: f"CREATE CONSTRAINT {kind.lower()}_id IF NOT EXISTS "
        f"FOR (n:{kind}) REQUIRE n.id IS UNIQUE"
        for kind in Kind
    },
}

# --- nodes -------------------------------------------------------------------------------------
MATCH_NODES_BY_KEY: Final[dict[Kind, str]] = {
    kind: f"UNWIND $keys AS key MATCH (n:{kind} {{id: key}}) RETURN key, n {{.*}} AS node"
    for kind in Kind
}

MATCH_EXISTING_KEYS: Final[dict[Kind, str]] = {
    kind: f"UNWIND $keys AS key MATCH (n:{kind} {{id: key}}) RETURN n.id AS key" for kind in Kind
}

_TEXT = f"($text IS NULL OR n.{SEARCH_PROPERTY} CONTAINS $text)"
_COUNTRY = "($country IS NULL OR n.country = $country)"
_NETWORK = "($network IS NULL OR (n)-[:MEMBER_OF]->(:Network {id: $network}))"

NODE_FILTER: Final[dict[Kind, str]] = {
    Kind.RESERVE: f"{_TEXT} AND {_COUNTRY} AND {_NETWORK}"
    " AND ($theme IS NULL OR (n)-[:ADDRESSES]->(:Theme {id: $theme}))",
    Kind.INSTITUTION: f"{_TEXT} AND {_COUNTRY} AND {_NETWORK}"
    " AND ($institution_kind IS NULL OR n.kind = $institution_kind)",
    Kind.PROJECT: f"{_TEXT}"
    " AND ($country IS NULL OR (n)-[:SITED_IN]->(:Reserve {country: $country}))"
    " AND ($theme IS NULL OR (n)-[:ADDRESSES]->(:Theme {id: $theme}))",
    Kind.PERSON: f"{_TEXT} AND {_COUNTRY}"
    " AND ($theme IS NULL OR (n)-[:PARTICIPATES_IN]->(:Project)-[:ADDRESSES]->(:Theme {id: $theme}))",
    Kind.THEME: _TEXT,
    Kind.NETWORK: _TEXT,
}

LIST_NODES: Final[dict[Kind, str]] = {
    kind: f"MATCH (n:{kind}) WHERE {NODE_FILTER[kind]} AND ($after IS NULL OR n.id > $after) "
    "RETURN n {.*} AS node ORDER BY n.id LIMIT $limit"
    for kind in Kind
}

COUNT_NODES: Final[dict[Kind, str]] = {
    kind: f"MATCH (n:{kind}) WHERE {NODE_FILTER[kind]} RETURN count(n) AS total" for kind in Kind
}

COUNT_NODES_BY_KIND: Final = "MATCH (n) RETURN labels(n)[0] AS kind, count(n) AS total"


# --- relationships -----------------------------------------------------------------------------
def _links(relation: Relation, direction: Direction) -> str:
    start, end = (
        (relation.source, relation.target)
        if direction is Direction.OUT
        else (relation.target, relation.source)
    )
    arrow_out, arrow_in = ("-", "->") if direction is Direction.OUT else ("<-", "-")
    step = f"{arrow_out}[r:{relation.type}]{arrow_in}"
    count_step = f"{arrow_out}[:{relation.type}]{arrow_in}"
    # One page per start node, limited inside a subquery so a popular node costs `first` rows.
    return (
        f"UNWIND $keys AS key MATCH (p:{start} {{id: key}}) "
        f"CALL {{ WITH p MATCH (p){step}(n:{end}) WHERE $after IS NULL OR n.id > $after "
        "WITH r, n ORDER BY n.id LIMIT $limit "
        "RETURN collect({node: n {.*}, rel: properties(r)}) AS page } "
        f"RETURN key, page, size([(p){count_step}(:{end}) | 1]) AS total"
    )


MATCH_LINKS: Final[dict[tuple[Relation, Direction], str]] = {
    (relation, direction): _links(relation, direction)
    for relation in RELATIONS
    for direction in Direction
}

# People linked to $person through a shared project, institution (both affiliated) or reserve
# (both work there), each kind switched on by $by_project/$by_institution/$by_reserve. With
# $theme, shared projects must address it and colleagues must work on it (a project on it).
# Ranked by the number of shared things, then shared projects, then key, so pages are stable.
_COLLABORATION_LINKS = (
    "MATCH (me:Person {id: $person}) "
    "CALL { "
    "WITH me MATCH (me)-[:PARTICIPATES_IN]->(x:Project)<-[:PARTICIPATES_IN]-(other:Person) "
    "WHERE $by_project AND other.id <> me.id "
    "AND ($theme IS NULL OR (x)-[:ADDRESSES]->(:Theme {id: $theme})) "
    "RETURN other, 'project' AS via, x "
    "UNION "
    "WITH me MATCH (me)-[:AFFILIATED_WITH]->(x:Institution)<-[:AFFILIATED_WITH]-(other:Person) "
    "WHERE $by_institution AND other.id <> me.id "
    "AND ($theme IS NULL OR (other)-[:PARTICIPATES_IN]->(:Project)-[:ADDRESSES]->(:Theme {id: $theme})) "
    "RETURN other, 'institution' AS via, x "
    "UNION "
    "WITH me MATCH (me)-[:WORKS_AT]->(x:Reserve)<-[:WORKS_AT]-(other:Person) "
    "WHERE $by_reserve AND other.id <> me.id "
    "AND ($theme IS NULL OR (other)-[:PARTICIPATES_IN]->(:Project)-[:ADDRESSES]->(:Theme {id: $theme})) "
    "RETURN other, 'reserve' AS via, x "
    "} "
)

MATCH_COLLABORATORS: Final = (
    _COLLABORATION_LINKS
    + "WITH other, collect(DISTINCT CASE WHEN via = 'project' THEN x END) AS projects, "
    "collect(DISTINCT CASE WHEN via = 'institution' THEN x END) AS institutions, "
    "collect(DISTINCT CASE WHEN via = 'reserve' THEN x END) AS reserves "
    "WITH other, projects, institutions, reserves, "
    "size(projects) + size(institutions) + size(reserves) AS total, size(projects) AS shared "
    "ORDER BY total DESC, shared DESC, other.id SKIP $offset LIMIT $limit "
    "UNWIND CASE WHEN shared = 0 THEN [null] ELSE projects END AS pr "
    "OPTIONAL MATCH (pr)-[:ADDRESSES]->(t:Theme) "
    "WITH other, total, shared, institutions, reserves, pr, collect(t {.*}) AS themes "
    "WITH other, total, shared, institutions, reserves, "
    "collect(CASE WHEN pr IS NULL THEN NULL ELSE {project: pr {.*}, themes: themes} END) AS projects "
    "RETURN other.id AS key, other {.*} AS person, total, shared, projects, "
    "[i IN institutions | i {.*}] AS institutions, [r IN reserves | r {.*}] AS reserves "
    "ORDER BY total DESC, shared DESC, key"
)

COUNT_COLLABORATORS: Final = _COLLABORATION_LINKS + "RETURN count(DISTINCT other) AS total"


MATCH_EXISTING_LINKS: Final[dict[Relation, str]] = {
    rel: f"UNWIND $pairs AS pair MATCH (a:{rel.source} {{id: pair.from}})"
    f"-[:{rel.type}]->(b:{rel.target} {{id: pair.to}}) "
    "RETURN DISTINCT a.id AS source, b.id AS target"
    for rel in RELATIONS
}


# --- writes ------------------------------------------------------------------------------------
def batch_param(kind_or_relation: Kind | Relation) -> str:
    """The parameter that carries one kind's (or one relation's) rows in WRITE_BATCH."""
    if isinstance(kind_or_relation, Kind):
        return f"nodes_{kind_or_relation}"
    return f"links_{kind_or_relation.name}"


def _write_batch() -> str:
    # One statement, so a batch is one transaction on both engines (FalkorDB has no
    # multi-statement transactions; a failing statement is rolled back whole).
    parts = [
        f"CALL {{ UNWIND ${batch_param(kind)} AS row "
        f"MERGE (n:{kind} {{id: row.id}}) SET n += row.props }}"
        for kind in Kind
    ]
    parts += [
        f"CALL {{ UNWIND ${batch_param(rel)} AS row "
        f"MATCH (a:{rel.source} {{id: row.from}}) MATCH (b:{rel.target} {{id: row.to}}) "
        f"MERGE (a)-[r:{rel.type}]->(b) SET r += row.props }}"
        for rel in RELATIONS
    ]
    return " ".join(parts) + " RETURN 1 AS done"


WRITE_BATCH: Final = _write_batch()

# Batches of deletes keep memory bounded on large graphs.
DELETE_SOME_NODES: Final = (
    "MATCH (n) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"
)

EXPORT_LINKS: Final[dict[Relation, str]] = {
    rel: f"MATCH (a:{rel.source})-[r:{rel.type}]->(b:{rel.target}) "
    "WHERE $after_a IS NULL OR a.id > $after_a OR (a.id = $after_a AND b.id > $after_b) "
    "RETURN a.id AS source, b.id AS target, properties(r) AS props "
    "ORDER BY source, target LIMIT $limit"
    for rel in RELATIONS
}

PING: Final = "RETURN 1 AS ok"


def all_statements() -> dict[str, tuple[Backend | None, str]]:
    """Every statement of this module by a readable name, with the backend it is for (None: both).

    Collected from the module's `Final` constants, so a new statement is checked by
    tests/store/test_cypher.py without registering it. NODE_FILTER holds fragments, not
    statements; schema DDL (CREATE_*) cannot be explained and runs in every test's setup().
    """
    out: dict[str, tuple[Backend | None, str]] = {}

    def add(name: str, value: object, backend: Backend | None) -> None:
        if isinstance(value, str):
            out[name] = (backend, value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, Backend):
                    add(f"{name}[{key}]", item, key)
                else:
                    label = (
                        key.name
                        if isinstance(key, Relation)
                        else (
                            ",".join(str(getattr(k, "name", k)) for k in key)
                            if isinstance(key, tuple)
                            else str(key)
                        )
                    )
                    add(f"{name}[{label}]", item, backend)

    for name in __annotations__:
        if name != "NODE_FILTER" and not name.startswith("CREATE_"):
            add(name, globals()[name], None)
    return out
