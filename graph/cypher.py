"""Every Cypher statement the hub runs, shared by both engines.

Statements take `$parameters` only. Where a statement depends on a label or relationship type,
it is built once at import from the enums of `graph.model` (fixed text, never input) and kept
in a dict keyed by that enum. Where the engines differ (schema DDL), a `{Backend: text}`
mapping sits next to the shared text. tests/store/test_cypher.py checks every statement on
every backend present.
"""

from enum import StrEnum
from typing import Final

from graph.codec import FULLTEXT_BODY, FULLTEXT_TITLE
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
    " AND ($theme IS NULL OR (n)-[:ADDRESSES]->(:Theme {id: $theme}))"
    # The bounding box (search, issue 3): west > east crosses the antimeridian. A reserve
    # without coordinates compares as null and is left out.
    " AND ($within IS NULL OR (n.latitude >= $within.south AND n.latitude <= $within.north"
    " AND CASE WHEN $within.west <= $within.east"
    " THEN n.longitude >= $within.west AND n.longitude <= $within.east"
    " ELSE n.longitude >= $within.west OR n.longitude <= $within.east END))",
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

# A filter through a relationship (a theme, a network, a project's country) is fastest walked
# from the one node it names: start there instead of scanning the label. The first of these a
# filter gives is the anchor (its value is passed as $anchor and its own parameter as null, so
# NODE_FILTER does not test it again); the others stay predicates of NODE_FILTER.
NODE_ANCHORS: Final[dict[Kind, dict[str, str]]] = {
    Kind.RESERVE: {
        "theme": "MATCH (:Theme {id: $anchor})<-[:ADDRESSES]-(n:Reserve)",
        "network": "MATCH (:Network {id: $anchor})<-[:MEMBER_OF]-(n:Reserve)",
    },
    Kind.INSTITUTION: {"network": "MATCH (:Network {id: $anchor})<-[:MEMBER_OF]-(n:Institution)"},
    Kind.PROJECT: {
        "theme": "MATCH (:Theme {id: $anchor})<-[:ADDRESSES]-(n:Project)",
        "country": "MATCH (r:Reserve) WHERE r.country = $anchor "
        "MATCH (r)<-[:SITED_IN]-(n:Project) WITH DISTINCT n",
    },
    Kind.PERSON: {
        "theme": "MATCH (:Theme {id: $anchor})<-[:ADDRESSES]-(:Project)"
        "<-[:PARTICIPATES_IN]-(n:Person) WITH DISTINCT n",
    },
}

LIST_NODES_ANCHORED: Final[dict[tuple[Kind, str], str]] = {
    (
        kind,
        name,
    ): f"{anchor} WITH n WHERE {NODE_FILTER[kind]} AND ($after IS NULL OR n.id > $after) "
    "RETURN n {.*} AS node ORDER BY n.id LIMIT $limit"
    for kind, anchors in NODE_ANCHORS.items()
    for name, anchor in anchors.items()
}

COUNT_NODES_ANCHORED: Final[dict[tuple[Kind, str], str]] = {
    (kind, name): f"{anchor} WITH n WHERE {NODE_FILTER[kind]} RETURN count(n) AS total"
    for kind, anchors in NODE_ANCHORS.items()
    for name, anchor in anchors.items()
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
    parts.append("CALL { UNWIND $changes AS change CREATE (c:Change) SET c = change }")
    return " ".join(parts) + " RETURN 1 AS done"


WRITE_BATCH: Final = _write_batch()

# Batches of deletes keep memory bounded on large graphs.
DELETE_SOME_NODES: Final = (
    "MATCH (n) WHERE $labels IS NULL OR labels(n)[0] IN $labels "
    "WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"
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
        if name not in ("NODE_FILTER", "NODE_ANCHORS") and not name.startswith("CREATE_"):
            add(name, globals()[name], None)
    return out


# --- paths (issue 3: connection, potentialPartners) ---------------------------------------------
def frontier_param(kind: Kind) -> str:
    """The parameter that carries one kind's frontier keys in EXPAND_FRONTIER."""
    return f"frontier_{kind}"


def path_nodes_param(kind: Kind) -> str:
    """The parameter that carries one kind's keys in MATCH_PATH_PARTS."""
    return f"path_nodes_{kind}"


def path_links_param(relation: Relation) -> str:
    """The parameter that carries one relation's {from, to} pairs in MATCH_PATH_PARTS."""
    return f"path_links_{relation.name}"


def _expand_frontier() -> str:
    # One breadth-first level in one round trip: every relation, walked both ways, from the
    # frontier's nodes of its start kind (each seek uses that kind's id index). `out` says
    # whether the relationship is stored from the frontier node to its neighbour.
    parts = []
    for relation in RELATIONS:
        for direction in Direction:
            out = direction is Direction.OUT
            start, end = (
                (relation.source, relation.target) if out else (relation.target, relation.source)
            )
            step = f"-[:{relation.type}]->" if out else f"<-[:{relation.type}]-"
            parts.append(
                f"UNWIND ${frontier_param(start)} AS key MATCH (n:{start} {{id: key}}){step}(m:{end}) "
                f"RETURN '{start}' AS kind, key, '{relation.type}' AS type, {str(out).lower()} AS out, "
                f"'{end}' AS next_kind, m.id AS next"
            )
    return " UNION ALL ".join(parts)


EXPAND_FRONTIER: Final = _expand_frontier()


def _match_path_parts() -> str:
    # The records of a path's nodes and the properties of its relationships, in one round trip.
    parts = [
        f"UNWIND ${path_nodes_param(kind)} AS key MATCH (n:{kind} {{id: key}}) "
        f"RETURN '{kind}' AS kind, key, null AS other, n {{.*}} AS props"
        for kind in Kind
    ]
    parts += [
        f"UNWIND ${path_links_param(rel)} AS pair "
        f"MATCH (a:{rel.source} {{id: pair.from}})-[r:{rel.type}]->(b:{rel.target} {{id: pair.to}}) "
        f"RETURN '{rel.name}' AS kind, pair.from AS key, pair.to AS other, properties(r) AS props"
        for rel in RELATIONS
    ]
    return " UNION ALL ".join(parts)


MATCH_PATH_PARTS: Final = _match_path_parts()

# Who could partner with $person on $theme, as (key, reason, nodes) rows, one branch per reason,
# each walked from $person's side so the work follows their neighbourhood, not the theme's size:
#   COLLABORATOR         people who already share a project with $person (the caller drops them)
#   COMMON_COLLABORATOR  people on $theme sharing a project with one of those: nodes = them
#   SHARED_INSTITUTION   people on $theme affiliated with an institution $person is: nodes = it
#   SHARED_RESERVE       people on $theme working at a reserve $person works at, or in a project
#                        sited in a reserve where $person has a project: nodes = the reserves
#   SHARED_THEME         people on $theme in projects on another theme of $person's projects
#   CANDIDATE            the first $limit people on $theme by key (not $person, no shared project)
# "On $theme": taking part in a project that addresses it.
_PARTNER_ON_THEME = "(x)-[:PARTICIPATES_IN]->(:Project)-[:ADDRESSES]->(:Theme {id: $theme})"
_PARTNER_ME = "MATCH (me:Person {id: $person})"
MATCH_PARTNER_REASONS: Final = " UNION ALL ".join(
    (
        f"{_PARTNER_ME}-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(x:Person) "
        "RETURN DISTINCT x.id AS key, 'COLLABORATOR' AS reason, [] AS nodes",
        f"{_PARTNER_ME}-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(co:Person) "
        "WITH DISTINCT me, co "
        "MATCH (co)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(x:Person) "
        f"WHERE x.id <> me.id AND {_PARTNER_ON_THEME} "
        "RETURN x.id AS key, 'COMMON_COLLABORATOR' AS reason, collect(DISTINCT co.id) AS nodes",
        f"{_PARTNER_ME}-[:AFFILIATED_WITH]->(i:Institution)<-[:AFFILIATED_WITH]-(x:Person) "
        f"WHERE {_PARTNER_ON_THEME} "
        "RETURN x.id AS key, 'SHARED_INSTITUTION' AS reason, collect(DISTINCT i.id) AS nodes",
        f"{_PARTNER_ME}-[:WORKS_AT]->(r:Reserve)<-[:WORKS_AT]-(x:Person) WHERE {_PARTNER_ON_THEME} "
        "RETURN x.id AS key, 'SHARED_RESERVE' AS reason, collect(DISTINCT r.id) AS nodes",
        f"{_PARTNER_ME}-[:PARTICIPATES_IN]->(:Project)-[:SITED_IN]->(r:Reserve) WITH DISTINCT me, r "
        "MATCH (r)<-[:SITED_IN]-(:Project)<-[:PARTICIPATES_IN]-(x:Person) "
        f"WHERE x.id <> me.id AND {_PARTNER_ON_THEME} "
        "RETURN x.id AS key, 'SHARED_RESERVE' AS reason, collect(DISTINCT r.id) AS nodes",
        f"{_PARTNER_ME}-[:PARTICIPATES_IN]->(:Project)-[:ADDRESSES]->(t:Theme) WHERE t.id <> $theme "
        "WITH DISTINCT me, t "
        "MATCH (t)<-[:ADDRESSES]-(:Project)<-[:PARTICIPATES_IN]-(x:Person) WHERE x.id <> me.id "
        f"WITH DISTINCT x, t WHERE {_PARTNER_ON_THEME} "
        "RETURN x.id AS key, 'SHARED_THEME' AS reason, collect(t.id) AS nodes",
        "OPTIONAL MATCH (:Person {id: $person})-[:PARTICIPATES_IN]->(:Project)"
        "<-[:PARTICIPATES_IN]-(co:Person) WITH collect(DISTINCT co.id) AS cos "
        "MATCH (:Theme {id: $theme})<-[:ADDRESSES]-(:Project)<-[:PARTICIPATES_IN]-(x:Person) "
        "WHERE x.id <> $person AND NOT x.id IN cos "
        "WITH DISTINCT x.id AS key ORDER BY key LIMIT $limit "
        "RETURN key, 'CANDIDATE' AS reason, [] AS nodes",
    )
)


# --- analytics: figures and network drawing (issue 3: network, exportNetwork, stats) ----------
# Parameters: $themes, $countries, $networks (lists or null), $since (int or null), $all (true
# when no scope condition is given: the whole graph). FalkorDB refuses pattern comprehensions
# inside WHERE and two-hop ones with WHERE, so each condition is computed in a WITH (a CASE, so
# an absent condition costs nothing) and filtered afterwards.
class Condition(StrEnum):
    """A scope condition of a GraphFilter that is given (each changes the statement's text)."""

    THEMES = "themes"
    COUNTRIES = "countries"
    NETWORKS = "networks"


ScopeKey = tuple[Condition, ...]
# Every combination of given conditions, each in the enum's order: the keys of the variants.
SCOPES: tuple[ScopeKey, ...] = tuple(
    tuple(c for i, c in enumerate(Condition) if mask >> i & 1) for mask in range(8)
)

_CONDITION_TEST = {
    Condition.THEMES: "any(x IN [(p)-[:ADDRESSES]->(st:Theme) | st.id] WHERE x IN $themes)",
    Condition.COUNTRIES: "any(x IN [(p)-[:SITED_IN]->(sr:Reserve) | sr.country] "
    "WHERE x IN $countries)",
    Condition.NETWORKS: "any(x IN [(p)-[:SITED_IN]->(snr:Reserve)-[:MEMBER_OF]->(snw:Network) "
    "| snw.id] + [(p)<-[:PARTNER_IN]-(sni:Institution)-[:MEMBER_OF]->(siw:Network) | siw.id] "
    "WHERE x IN $networks)",
}
# The most selective given condition finds the projects through an index or a small label.
_CONDITION_START = {
    Condition.THEMES: "MATCH (st:Theme)<-[:ADDRESSES]-(p:Project) WHERE st.id IN $themes ",
    Condition.NETWORKS: "CALL { MATCH (sw:Network)<-[:MEMBER_OF]-(swr:Reserve)<-[:SITED_IN]-"
    "(p:Project) WHERE sw.id IN $networks RETURN p UNION MATCH (sw:Network)<-[:MEMBER_OF]-"
    "(swi:Institution)-[:PARTNER_IN]->(p:Project) WHERE sw.id IN $networks RETURN p } ",
    Condition.COUNTRIES: "MATCH (sr:Reserve)<-[:SITED_IN]-(p:Project) "
    "WHERE sr.country IN $countries ",
}


def _scoped(key: ScopeKey) -> str:
    """The projects in scope as `p`, one row each, for the conditions given (see GraphFilter).

    FalkorDB refuses pattern comprehensions inside WHERE, so the other conditions are computed
    in a WITH and filtered after it; absent conditions are not in the text at all.
    """
    start = next((c for c in (Condition.THEMES, Condition.NETWORKS, Condition.COUNTRIES)
                  if c in key), None)  # fmt: skip
    text = _CONDITION_START[start] if start else "MATCH (p:Project) "
    text += "WITH DISTINCT p WHERE $since IS NULL OR p.start_year >= $since "
    rest = [c for c in key if c is not start]
    if rest:
        tests = ", ".join(f"{_CONDITION_TEST[c]} AS in_{c}" for c in rest)
        text += f"WITH p, {tests} WHERE " + " AND ".join(f"in_{c}" for c in rest) + " "
    return text + "WITH p "


# Reserves and institutions that match the filter by themselves (n), projects or not.
_ANY_CONDITION = "($themes IS NOT NULL OR $countries IS NOT NULL OR $networks IS NOT NULL)"
_NETWORK_MEMBER = (
    "CASE WHEN $networks IS NULL THEN true ELSE "
    "any(x IN [(n)-[:MEMBER_OF]->(dw:Network) | dw.id] WHERE x IN $networks) END"
)
_DIRECT = {
    Kind.RESERVE: "MATCH (n:Reserve) WHERE $all OR "
    f"({_ANY_CONDITION} AND ($countries IS NULL OR n.country IN $countries)) "
    "WITH n, CASE WHEN $all OR $themes IS NULL THEN true ELSE "
    "any(x IN [(n)-[:ADDRESSES]->(dt:Theme) | dt.id] WHERE x IN $themes) END AS on_theme, "
    f"CASE WHEN $all THEN true ELSE {_NETWORK_MEMBER} END AS in_network "
    "WHERE on_theme AND in_network WITH n ",
    # Institutions address no theme themselves: with `themes` given they only come via projects.
    Kind.INSTITUTION: "MATCH (n:Institution) WHERE $all OR "
    "($themes IS NULL AND ($countries IS NOT NULL OR $networks IS NOT NULL) "
    "AND ($countries IS NULL OR n.country IN $countries)) "
    f"WITH n, CASE WHEN $all THEN true ELSE {_NETWORK_MEMBER} END AS in_network "
    "WHERE in_network WITH n ",
    Kind.PERSON: "MATCH (n:Person) WHERE $all WITH n ",
    Kind.THEME: "MATCH (n:Theme) WHERE $all OR n.id IN coalesce($themes, []) WITH n ",
    Kind.NETWORK: "MATCH (n:Network) WHERE $all OR n.id IN coalesce($networks, []) WITH n ",
}
# A node's relationships as strings "TYPE Kind key roles": keys hold no spaces (graph.validation.
# KEY_PATTERN), and the FalkorDB client parses each list element on its own (about 10 us each), so
# a list per relationship cost 4 times as much. Not one string per node: FalkorDB 4.16 cut a
# string built with reduce() at 511 characters here.
_OUT_LINKS = (
    "[(n)-[r]->(x) | type(r) + ' ' + labels(x)[0] + ' ' + x.id + ' ' "
    "+ toString(size(coalesce(r.roles, [])))] AS outs"
)

# Round trip 1: the projects in scope, each with every relationship it has (both ways).
ANALYTICS_SCOPED_PROJECTS: Final[dict[ScopeKey, str]] = {
    key: (
        _scoped(key) + "RETURN p {.*} AS props, "
        "[(p)-[r]->(x) | type(r) + ' ' + labels(x)[0] + ' ' + x.id + ' ' "
        "+ toString(size(coalesce(r.roles, [])))] AS outs, "
        "[(p)<-[q]-(y) | type(q) + ' ' + labels(y)[0] + ' ' + y.id + ' ' "
        "+ toString(size(coalesce(q.roles, [])))] AS ins"
    )
    for key in SCOPES
}


def _analytics_nodes() -> str:
    # Round trip 2: the other nodes of the sub-graph: those named in $keys_<Kind> (neighbours of
    # the projects in scope, or the kept nodes of a truncated whole-graph drawing) and those that
    # match directly; each with its outgoing relationships (the caller keeps those inside).
    parts = []
    for kind in (Kind.PERSON, Kind.RESERVE, Kind.INSTITUTION, Kind.THEME, Kind.NETWORK):
        ret = f"RETURN '{kind}' AS kind, n {{.*}} AS props, {_OUT_LINKS}"
        parts.append(f"UNWIND $keys_{kind} AS key MATCH (n:{kind} {{id: key}}) {ret}")
        parts.append(f"{_DIRECT[kind]}{ret}")
    return " UNION ALL ".join(parts)


ANALYTICS_NODES: Final = _analytics_nodes()

# The whole graph, too big to fetch: rank in the database. Degree counts neighbours of $kinds.
ANALYTICS_TOP_DEGREE: Final = (
    "MATCH (n)--(m) WHERE labels(n)[0] IN $kinds AND labels(m)[0] IN $kinds "
    "WITH n, count(m) AS degree ORDER BY degree DESC, labels(n)[0], n.id LIMIT $limit "
    "RETURN labels(n)[0] AS kind, n.id AS key, degree"
)
ANALYTICS_ZERO_DEGREE: Final = (
    "MATCH (n) WHERE labels(n)[0] IN $kinds "
    "WITH n, [(n)--(m) | labels(m)[0]] AS around "
    "WHERE none(x IN around WHERE x IN $kinds) "
    "RETURN labels(n)[0] AS kind, n.id AS key ORDER BY kind, key LIMIT $limit"
)
ANALYTICS_RELATIONSHIP_COUNTS: Final = (
    "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS source, labels(b)[0] AS target, count(r) AS total"
)
ANALYTICS_PROJECT_LINKS_BY_KEY: Final = (
    "UNWIND $keys_Project AS key MATCH (p:Project {id: key}) RETURN p {.*} AS props, "
    "[(p)-[r]->(x) | type(r) + ' ' + labels(x)[0] + ' ' + x.id + ' ' "
    "+ toString(size(coalesce(r.roles, [])))] AS outs, [] AS ins"
)

# --- analytics: dashboard figures (every one over the projects in scope) ---
STATS_KIND_COUNTS: Final[dict[ScopeKey, str]] = {
    key: (
        "CALL { " + _scoped(key) + "RETURN count(p) AS projects } "
        "CALL { " + _scoped(key) + "MATCH (p)<-[:PARTICIPATES_IN]-(x:Person) "
        "RETURN count(DISTINCT x) AS people } "
        "CALL { CALL { " + _scoped(key) + "MATCH (p)-[:SITED_IN]->(x:Reserve) RETURN x.id AS k "
        "UNION " + _DIRECT[Kind.RESERVE] + "RETURN n.id AS k } RETURN count(k) AS reserves } "
        "CALL { CALL { " + _scoped(key) + "MATCH (p)<-[:PARTNER_IN]-(x:Institution) "
        "RETURN x.id AS k UNION " + _DIRECT[Kind.INSTITUTION] + "RETURN n.id AS k } "
        "RETURN count(k) AS institutions } "
        "CALL { CALL { " + _scoped(key) + "MATCH (p)-[:ADDRESSES]->(x:Theme) RETURN x.id AS k "
        "UNION " + _DIRECT[Kind.THEME] + "RETURN n.id AS k } RETURN count(k) AS themes } "
        "CALL { " + _DIRECT[Kind.NETWORK] + "RETURN count(n) AS networks } "
        "RETURN projects, people, reserves, institutions, themes, networks"
    )
    for key in SCOPES
}
STATS_PER_THEME: Final[dict[ScopeKey, str]] = {
    key: (
        _scoped(key) + "MATCH (p)-[:ADDRESSES]->(t:Theme) "
        "OPTIONAL MATCH (p)<-[:PARTICIPATES_IN]-(x:Person) "
        "RETURN t.id AS key, t.label AS label, count(DISTINCT p) AS projects, "
        "count(DISTINCT x) AS people"
    )
    for key in SCOPES
}
STATS_PROJECTS_PER_COUNTRY: Final[dict[ScopeKey, str]] = {
    key: (
        _scoped(key) + "MATCH (p)-[:SITED_IN]->(r:Reserve) WHERE r.country IS NOT NULL "
        "RETURN r.country AS key, count(DISTINCT p) AS total"
    )
    for key in SCOPES
}
STATS_PEOPLE_PER_COUNTRY: Final[dict[ScopeKey, str]] = {
    key: (
        _scoped(key) + "MATCH (p)<-[:PARTICIPATES_IN]-(x:Person) WHERE x.country IS NOT NULL "
        "RETURN x.country AS key, count(DISTINCT x) AS total"
    )
    for key in SCOPES
}
STATS_PROJECTS_PER_YEAR: Final[dict[ScopeKey, str]] = {
    key: (
        _scoped(key) + "WHERE p.start_year IS NOT NULL "
        "RETURN p.start_year AS key, count(p) AS total"
    )
    for key in SCOPES
}
STATS_TOP_RESERVES: Final[dict[ScopeKey, str]] = {
    key: (
        _scoped(key) + "MATCH (p)-[:SITED_IN]->(n:Reserve) "
        "WITH n, count(DISTINCT p) AS projects ORDER BY projects DESC, n.id LIMIT $limit "
        "RETURN n {.*} AS node, projects"
    )
    for key in SCOPES
}
STATS_TOP_INSTITUTIONS: Final[dict[ScopeKey, str]] = {
    key: (
        _scoped(key) + "MATCH (p)<-[:PARTNER_IN]-(n:Institution) "
        "WITH n, count(DISTINCT p) AS projects ORDER BY projects DESC, n.id LIMIT $limit "
        "RETURN n {.*} AS node, projects"
    )
    for key in SCOPES
}
# People taking part in a project in scope, and the pairs of them sharing one such project.
STATS_COLLABORATION: Final[dict[ScopeKey, str]] = {
    key: (
        "CALL { " + _scoped(key) + "MATCH (p)<-[:PARTICIPATES_IN]-(x:Person) "
        "RETURN count(DISTINCT x) AS people } "
        "CALL { " + _scoped(key) + "MATCH (a:Person)-[:PARTICIPATES_IN]->(p)"
        "<-[:PARTICIPATES_IN]-(b:Person) WHERE a.id < b.id "
        "WITH a, count(DISTINCT b) AS partners RETURN sum(partners) AS pairs } "
        "RETURN people, pairs"
    )
    for key in SCOPES
}
# Reserves (institutions) in scope with no project at all: only direct matches can be.
STATS_ISOLATED: Final[dict[Kind, str]] = {
    kind: _DIRECT[kind] + f"WITH n, size([(n)-[:{rel}]-(ip:Project) | 1]) AS projects "
    "WHERE projects = 0 AND ($after IS NULL OR n.id > $after) "
    "RETURN n {.*} AS node ORDER BY n.id LIMIT $limit"
    for kind, rel in ((Kind.RESERVE, "SITED_IN"), (Kind.INSTITUTION, "PARTNER_IN"))
}
COUNT_STATS_ISOLATED: Final[dict[Kind, str]] = {
    kind: _DIRECT[kind] + f"WITH n, size([(n)-[:{rel}]-(ip:Project) | 1]) AS projects "
    "WHERE projects = 0 RETURN count(n) AS total"
    for kind, rel in ((Kind.RESERVE, "SITED_IN"), (Kind.INSTITUTION, "PARTNER_IN"))
}


# --- search and geography (issue 3: search, reservesNear, reserves(within:)) --------------------
# The full-text indexes cover the folded words of each node's title and description (see
# graph/codec.py: the hub folds accents and case itself, so both engines index the same words).
# No stop words and no stemming, on both engines: names in many languages are matched as written.
_FULLTEXT_INDEX = "node_search"  # Neo4j: one index over every kind (a name, not a statement)
SEARCH_TITLE_WEIGHT: Final = 4  # a word in the title counts this much more than in the body

CREATE_FULLTEXT_INDEX: Final[dict[Backend, tuple[str, ...]]] = {
    # One index per label; "already indexed" on a second run (graph/falkordb.py).
    Backend.FALKORDB: tuple(
        f"CALL db.idx.fulltext.createNodeIndex({{label: '{kind}', stopwords: []}}, "
        f"{{field: '{FULLTEXT_TITLE}', weight: {SEARCH_TITLE_WEIGHT}, nostem: true}}, "
        f"{{field: '{FULLTEXT_BODY}', nostem: true}})"
        for kind in Kind
    ),
    Backend.NEO4J: (
        f"CREATE FULLTEXT INDEX {_FULLTEXT_INDEX} IF NOT EXISTS "
        f"FOR (n:{'|'.join(Kind)}) ON EACH [n.{FULLTEXT_TITLE}, n.{FULLTEXT_BODY}] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', "
        "`fulltext.eventually_consistent`: false}}",
    ),
}

# $labels holds Kind values (fixed text from the enum, never input); $query is built by
# graph/_search.py from search terms only. Ranked by score, ties by kind name then key.
SEARCH_NODES: Final[dict[Backend, str]] = {
    Backend.FALKORDB: "UNWIND $labels AS kind "
    "CALL db.idx.fulltext.queryNodes(kind, $query) YIELD node, score "
    "WITH kind, node, score ORDER BY score DESC, kind, node.id SKIP $offset LIMIT $limit "
    "RETURN kind, node {.*} AS props, score",
    Backend.NEO4J: f"CALL db.index.fulltext.queryNodes('{_FULLTEXT_INDEX}', $query) "
    "YIELD node, score "
    "WITH node, score, [label IN labels(node) WHERE label IN $labels][0] AS kind "
    "WHERE kind IS NOT NULL "
    "WITH kind, node, score ORDER BY score DESC, kind, node.id SKIP $offset LIMIT $limit "
    "RETURN kind, node {.*} AS props, score",
}

COUNT_SEARCH_NODES: Final[dict[Backend, str]] = {
    Backend.FALKORDB: "UNWIND $labels AS kind "
    "CALL db.idx.fulltext.queryNodes(kind, $query) YIELD node "
    "RETURN count(node) AS total",
    Backend.NEO4J: f"CALL db.index.fulltext.queryNodes('{_FULLTEXT_INDEX}', $query) YIELD node "
    "WHERE any(label IN labels(node) WHERE label IN $labels) "
    "RETURN count(node) AS total",
}

# Great-circle distance by the haversine formula on the stored coordinates, in double precision
# on both engines (FalkorDB's point() keeps float32 coordinates and distance() answers in float32:
# errors of 1 to 7 m measured here). The latitude band ($band degrees either side) is exact: two
# points `d` apart differ by at most d / R radians in latitude; it spares the trigonometry.
EARTH_RADIUS_KM: Final = 6371.0088  # the mean Earth radius (IUGG)

MATCH_RESERVES_NEAR: Final = (
    "MATCH (n:Reserve) "
    "WHERE n.latitude >= $latitude - $band AND n.latitude <= $latitude + $band "
    "AND n.longitude IS NOT NULL "
    "WITH n, sin(radians(n.latitude - $latitude) / 2) AS a, "
    "sin(radians(n.longitude - $longitude) / 2) AS b "
    "WITH n, a * a + cos(radians($latitude)) * cos(radians(n.latitude)) * b * b AS h "
    f"WITH n, 2 * {EARTH_RADIUS_KM} * asin(sqrt(CASE WHEN h < 1.0 THEN h ELSE 1.0 END)) AS distance "
    "WHERE distance <= $radius_km "
    "WITH n, distance ORDER BY distance, n.id LIMIT $limit "
    "RETURN n {.*} AS node, distance"
)


# --- insights: collaboration gaps, centrality, count filters (issue 3) --------------------------
# Each reserve addressing at least one theme (only those addressing $theme, when given), with its
# country and its themes. Gap ranking happens in Python on these sets (see graph._insights): the
# pair expansion through themes in Cypher took 126 s at demo scale 150 (17M rows).
MATCH_RESERVE_THEME_SETS: Final = (
    "MATCH (r:Reserve) WHERE $theme IS NULL OR (r)-[:ADDRESSES]->(:Theme {id: $theme}) "
    "WITH r, [(r)-[:ADDRESSES]->(t:Theme) | t.id] AS themes WHERE size(themes) > 0 "
    "RETURN r.id AS key, r.country AS country, themes"
)

# The reserves of each project sited in more than one: the pairs that have worked together.
MATCH_PROJECT_SITE_GROUPS: Final = (
    "MATCH (p:Project)-[:SITED_IN]->(r:Reserve) WITH p, collect(r.id) AS sites "
    "WHERE size(sites) > 1 RETURN sites"
)

# Who collaborates with whom, per kind: `x` is what the two share.
#   PERSON       people in a common project
#   INSTITUTION  partners in a common project
#   RESERVE      a project sited in both, or an institution managing both (a Project has no
#                MANAGES and an Institution no SITED_IN, so x is one or the other)
#   PROJECT      a person taking part in both
_COLLABORATION = {  # fragments: not annotated, so all_statements() skips them
    Kind.PERSON: "(a:Person)-[:PARTICIPATES_IN]->(x:Project)<-[:PARTICIPATES_IN]-(b:Person)",
    Kind.INSTITUTION: "(a:Institution)-[:PARTNER_IN]->(x:Project)<-[:PARTNER_IN]-(b:Institution)",
    Kind.RESERVE: "(a:Reserve)<-[:SITED_IN|MANAGES]-(x)-[:SITED_IN|MANAGES]->(b:Reserve)",
    Kind.PROJECT: "(a:Project)<-[:PARTICIPATES_IN]-(x:Person)-[:PARTICIPATES_IN]->(b:Project)",
}

# Each collaborating pair once (source < target), weighted by how many things they share.
MATCH_COLLABORATION_EDGES: Final[dict[Kind, str]] = {
    kind: f"MATCH {pattern} WHERE a.id < b.id "
    "RETURN a.id AS source, b.id AS target, count(DISTINCT x) AS weight"
    for kind, pattern in _COLLABORATION.items()
}

# Count filters on the reserve and institution lists (NodeFilter.min_projects, partner_abroad).
# FalkorDB cannot evaluate a pattern comprehension inside WHERE, and evaluates one in WITH for
# every row even behind `CASE WHEN $x IS NULL` (0.45 s on 12k institutions), so these are
# separate statements, used only when a count filter is asked for. Relationship counts are
# distinct projects: there is at most one relationship of a type between two nodes.
_PROJECT_COUNT = {  # fragments (not annotated: all_statements() skips them)
    Backend.FALKORDB: {
        Kind.RESERVE: "indegree(n, 'SITED_IN')",
        Kind.INSTITUTION: "outdegree(n, 'PARTNER_IN')",
    },
    Backend.NEO4J: {
        Kind.RESERVE: "COUNT { (n)<-[:SITED_IN]-(:Project) }",
        Kind.INSTITUTION: "COUNT { (n)-[:PARTNER_IN]->(:Project) }",
    },
}
# A co-partner abroad: another partner of a shared project whose country is known and differs.
# An institution of unknown country has none (null comparisons drop out).
# (OPTIONAL MATCH with count: 0.64 s on 12k institutions, a pattern comprehension 1.1 s.)
_ABROAD = (
    " OPTIONAL MATCH (n)-[:PARTNER_IN]->(:Project)<-[:PARTNER_IN]-(o:Institution)"
    " WHERE o.country <> n.country"
    " WITH n, count(o) > 0 AS abroad WHERE abroad = $partner_abroad"
)


def _counted(backend: Backend, kind: Kind, abroad: bool) -> str:
    count = _PROJECT_COUNT[backend][kind]
    return (
        f"MATCH (n:{kind}) WHERE {NODE_FILTER[kind]} "
        f"AND ($min_projects IS NULL OR {count} >= $min_projects)" + (_ABROAD if abroad else "")
    )


# Keyed by (kind, whether partner_abroad is asked for); partner_abroad is for institutions only.
_COUNTED_KEYS = ((Kind.RESERVE, False), (Kind.INSTITUTION, False), (Kind.INSTITUTION, True))

LIST_NODES_BY_COUNTS: Final[dict[Backend, dict[tuple[Kind, bool], str]]] = {
    backend: {
        (kind, abroad): _counted(backend, kind, abroad)
        + " AND ($after IS NULL OR n.id > $after) RETURN n {.*} AS node ORDER BY n.id LIMIT $limit"
        for kind, abroad in _COUNTED_KEYS
    }
    for backend in Backend
}

COUNT_NODES_BY_COUNTS: Final[dict[Backend, dict[tuple[Kind, bool], str]]] = {
    backend: {
        (kind, abroad): _counted(backend, kind, abroad) + " RETURN count(n) AS total"
        for kind, abroad in _COUNTED_KEYS
    }
    for backend in Backend
}


# --- API keys (issue 4: who may do what) ---------------------------------------------------------
# `ApiKey` is an internal label, not a Kind, linked to nothing: the statements above that match
# any node either keep Kind labels only (counts, analytics) or delete everything (clear, so
# `hub load --replace` deletes the keys too). Keyed by `id` (unique).
# FalkorDB: the unique constraint is the GRAPH.CONSTRAINT command (graph/falkordb.py).
CREATE_API_KEY_INDEX: Final[dict[Backend, str]] = {
    Backend.FALKORDB: "CREATE INDEX FOR (k:ApiKey) ON (k.id)",
    Backend.NEO4J: "CREATE CONSTRAINT apikey_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE",
}

_API_KEY_FIELDS = (  # a fragment (not annotated, so all_statements() skips it)
    "k {.id, .name, .role, .reserves, .institutions, .hash, .created_at, .revoked_at} AS key"
)

ADD_API_KEY: Final = (
    "CREATE (k:ApiKey {id: $id, name: $name, role: $role, reserves: $reserves, "
    "institutions: $institutions, hash: $hash, created_at: $created_at}) "
    f"RETURN {_API_KEY_FIELDS}"
)

MATCH_API_KEY: Final = f"MATCH (k:ApiKey {{id: $id}}) RETURN {_API_KEY_FIELDS}"

LIST_API_KEYS: Final = f"MATCH (k:ApiKey) RETURN {_API_KEY_FIELDS} ORDER BY k.created_at, k.id"

# The first revocation time is kept: revoking twice changes nothing.
REVOKE_API_KEY: Final = (
    "MATCH (k:ApiKey {id: $id}) "
    "SET k.revoked_at = coalesce(k.revoked_at, $revoked_at) "
    f"RETURN {_API_KEY_FIELDS}"
)


# --- membership applications (issue 4) -----------------------------------------------------------
# `Application` is an internal label, not a Kind (never exported, never a Node). Each state change
# is one statement that also creates its audit records: `(:Change {id, at, actor, request_id,
# operation, node, other, before, after})` nodes linked to nothing, one per map of $audit (the
# records of the writes' audit trail below; `other` is a relationship's other end). The change
# is made (and audited) only when the statement's own checks pass (`ok`); otherwise it returns
# what it found, so the caller can say why, in the same round trip.
CREATE_APPLICATION_INDEXES: Final[dict[Backend, tuple[str, ...]]] = {
    Backend.FALKORDB: (
        "CREATE INDEX FOR (a:Application) ON (a.id)",
        "CREATE INDEX FOR (a:Application) ON (a.reserve)",
        "CREATE INDEX FOR (a:Application) ON (a.state)",
    ),
    Backend.NEO4J: (
        "CREATE CONSTRAINT application_id IF NOT EXISTS FOR (a:Application) REQUIRE a.id IS UNIQUE",
        "CREATE INDEX application_reserve IF NOT EXISTS FOR (a:Application) ON (a.reserve)",
        "CREATE INDEX application_state IF NOT EXISTS FOR (a:Application) ON (a.state)",
    ),
}

_AUDIT_WHEN_OK = (  # a fragment: the audit records, written only when `ok` holds
    "FOREACH (c IN CASE WHEN ok THEN $audit ELSE [] END | "
    "CREATE (:Change {id: c.id, at: c.at, actor: c.actor, request_id: c.request_id, "
    "operation: c.operation, node: c.node, other: c.other, before: c.before, after: c.after})) "
)

# A reserve may apply when it and the network exist, it is not a member yet and it has no
# application still waiting (FalkorDB runs one write at a time per graph; on Neo4j two
# simultaneous applications of one reserve could both pass this check).
APPLY_FOR_MEMBERSHIP: Final = (
    "OPTIONAL MATCH (r:Reserve {id: $app_reserve}) "
    "OPTIONAL MATCH (n:Network {id: $app_network}) "
    "OPTIONAL MATCH (p:Application {reserve: $app_reserve, network: $app_network, "
    "state: 'SUBMITTED'}) "
    "WITH r, n, count(p) AS pending "
    "OPTIONAL MATCH (r)-[m:MEMBER_OF]->(n) "
    "WITH r, n, pending, m IS NOT NULL AS member "
    "WITH r, n, pending, member, "
    "r IS NOT NULL AND n IS NOT NULL AND pending = 0 AND NOT member AS ok "
    "FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END | "
    "CREATE (a:Application) SET a += $application) "
    + _AUDIT_WHEN_OK
    + "RETURN r IS NOT NULL AS reserve_found, n IS NOT NULL AS network_found, "
    "pending, member, ok"
)

_DECIDE_START = (  # the state is read under the application's write lock (see _LOCKED below)
    "MATCH (a:Application {id: $app_id}) SET a.state = a.state "
    "WITH a, a.state AS previous "
    "OPTIONAL MATCH (r:Reserve {id: a.reserve}) "
    "OPTIONAL MATCH (n:Network {id: a.network}) "
)
_DECIDE_END = (
    "RETURN previous, ok, r IS NOT NULL AND n IS NOT NULL AS ends_found, a {.*} AS application"
)

# Approval: the state change and the MEMBER_OF relationship (with its date; a membership that
# already exists keeps its date) in one statement. Both ends must still exist.
APPROVE_APPLICATION: Final = (
    _DECIDE_START + "WITH a, previous, r, n, "
    "previous = 'SUBMITTED' AND r IS NOT NULL AND n IS NOT NULL AS ok "
    "FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END | "
    "SET a.state = 'APPROVED', a.decided_at = $decision.at, a.decided_by = $decision.by, "
    "a.since = $decision.since "
    "MERGE (r)-[m:MEMBER_OF]->(n) ON CREATE SET m.since = $decision.since) "
    + _AUDIT_WHEN_OK
    + _DECIDE_END
)

REJECT_APPLICATION: Final = (
    _DECIDE_START + "WITH a, previous, r, n, previous = 'SUBMITTED' AS ok "
    "FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END | "
    "SET a.state = 'REJECTED', a.decided_at = $decision.at, a.decided_by = $decision.by, "
    "a.reason = $decision.reason) " + _AUDIT_WHEN_OK + _DECIDE_END
)

MATCH_APPLICATIONS_BY_ID: Final = (
    "UNWIND $app_ids AS key MATCH (a:Application {id: key}) RETURN a {.*} AS application"
)

# Oldest first (the secretariat's queue), ties by id; the cursor is (submitted_at, id).
LIST_APPLICATIONS: Final = (
    "MATCH (a:Application) WHERE ($app_state IS NULL OR a.state = $app_state) "
    "AND ($app_after_at IS NULL OR a.submitted_at > $app_after_at "
    "OR (a.submitted_at = $app_after_at AND a.id > $app_after_id)) "
    "RETURN a {.*} AS application ORDER BY a.submitted_at, a.id LIMIT $limit"
)

COUNT_APPLICATIONS: Final = (
    "MATCH (a:Application) WHERE $app_state IS NULL OR a.state = $app_state "
    "RETURN count(a) AS total"
)


# --- mutations and the audit trail (issue 4) ----------------------------------------------------
# Every write is one statement that also creates its `(:Change)` record (an internal label, not a
# Kind, linked to nothing so that it outlives the node): both happen or neither. Writes made
# after a read are guarded: a node's `revision` (a hidden counter, like the search_* helpers)
# must still be the one read, a relationship's properties the ones read; otherwise the
# statement returns nothing, changes no value, and the caller reports a conflict.
REVISION_PROPERTY = "revision"  # not annotated: a name, not a statement

CREATE_CHANGE_INDEXES: Final[dict[Backend, tuple[str, ...]]] = {
    Backend.FALKORDB: tuple(
        f"CREATE INDEX FOR (c:Change) ON (c.{prop})" for prop in ("node", "other", "at")
    ),
    Backend.NEO4J: tuple(
        f"CREATE INDEX change_{prop} IF NOT EXISTS FOR (c:Change) ON (c.{prop})"
        for prop in ("node", "other", "at")
    ),
}

_NEW_CHANGE = "CREATE (c:Change) SET c = $change "  # a fragment: the audit record

MATCH_STORED_NODE: Final[dict[Kind, str]] = {
    kind: f"OPTIONAL MATCH (n:{kind} {{id: $key}}) RETURN properties(n) AS props" for kind in Kind
}

CREATE_NODE_AUDITED: Final[dict[Kind, str]] = {
    kind: f"CREATE (n:{kind}) SET n = $props {_NEW_CHANGE}RETURN properties(n) AS props"
    for kind in Kind
}

# Neo4j reads under read committed: a guard in the MATCH's WHERE is read before any lock, so two
# simultaneous writes could both pass it (a lost update). Setting the revision to itself first
# takes the node's write lock (a SET whose value reads the node locks it before reading), and the
# guard is then read under that lock. FalkorDB runs one write at a time per graph: no change there.
_LOCKED = f"SET n.{REVISION_PROPERTY} = coalesce(n.{REVISION_PROPERTY}, 0) WITH n "
_UNCHANGED = f"coalesce(n.{REVISION_PROPERTY}, 0) = $revision"

UPDATE_NODE_AUDITED: Final[dict[Kind, str]] = {
    kind: f"MATCH (n:{kind} {{id: $key}}) {_LOCKED}WHERE {_UNCHANGED} "
    f"SET n += $props, n.{REVISION_PROPERTY} = $revision + 1 "
    f"{_NEW_CHANGE}RETURN properties(n) AS props"
    for kind in Kind
}

# The Change is created before the node goes (after DETACH DELETE the row has no node).
DELETE_NODE_AUDITED: Final[dict[Kind, str]] = {
    kind: f"MATCH (n:{kind} {{id: $key}}) {_LOCKED}WHERE {_UNCHANGED} "
    f"{_NEW_CHANGE}DETACH DELETE n RETURN c.id AS change"
    for kind in Kind
}

MATCH_LINK_STATE: Final[dict[Relation, str]] = {
    rel: f"OPTIONAL MATCH (a:{rel.source} {{id: $source}}) "
    f"OPTIONAL MATCH (b:{rel.target} {{id: $target}}) "
    f"OPTIONAL MATCH (a)-[old:{rel.type}]->(b) "
    "RETURN properties(a) AS source, properties(b) AS target, properties(old) AS rel"
    for rel in RELATIONS
}

# The relationship is as it was read: absent ($existed false) or with these roles and since.
_LINK_AS_READ = (
    "CASE WHEN old IS NULL THEN NOT $existed ELSE $existed "
    "AND coalesce(old.roles, []) = $old_roles AND coalesce(old.since, '') = $old_since END"
)

LINK_AUDITED: Final[dict[Relation, str]] = {
    rel: f"MATCH (a:{rel.source} {{id: $source}}) MATCH (b:{rel.target} {{id: $target}}) "
    f"OPTIONAL MATCH (a)-[old:{rel.type}]->(b) WITH a, b, old WHERE {_LINK_AS_READ} "
    f"MERGE (a)-[r:{rel.type}]->(b) SET r = $props {_NEW_CHANGE}"
    "RETURN properties(a) AS source, properties(b) AS target, properties(r) AS rel"
    for rel in RELATIONS
}

UNLINK_AUDITED: Final[dict[Relation, str]] = {
    rel: f"MATCH (a:{rel.source} {{id: $source}})-[old:{rel.type}]->(b:{rel.target} {{id: $target}}) "
    f"WHERE {_LINK_AS_READ} {_NEW_CHANGE}DELETE old "
    "RETURN properties(a) AS source, properties(b) AS target"
    for rel in RELATIONS
}

# An editor's grant: which of $grant_projects / $grant_people are within its reserves and
# institutions (reserves and institutions themselves are checked without the database).
# Nodes with no relationship at all (just created): an editor may attach them to its grant.
MATCH_UNLINKED: Final[dict[Kind, str]] = {
    kind: f"UNWIND $keys AS key MATCH (n:{kind} {{id: key}}) WHERE NOT (n)--() RETURN n.id AS key"
    for kind in Kind
}

MATCH_WITHIN_GRANT: Final = " UNION ".join(
    f"UNWIND ${param} AS key MATCH (n:{kind} {{id: key}}){step}(x:{end}) "
    f"WHERE x.id IN ${grant} RETURN DISTINCT '{kind}' AS kind, key"
    for param, kind, step, end, grant in (
        ("grant_projects", Kind.PROJECT, "-[:SITED_IN]->", Kind.RESERVE, "grant_reserves"),
        (
            "grant_projects",
            Kind.PROJECT,
            "<-[:PARTNER_IN]-",
            Kind.INSTITUTION,
            "grant_institutions",
        ),
        (
            "grant_people",
            Kind.PERSON,
            "-[:AFFILIATED_WITH]->",
            Kind.INSTITUTION,
            "grant_institutions",
        ),
        ("grant_people", Kind.PERSON, "-[:WORKS_AT]->", Kind.RESERVE, "grant_reserves"),
    )
)

# The audit trail, newest first, ties by change id (descending), keyset-paged by (at, id).
_CHANGE_WHERE = (
    "($change_since IS NULL OR c.at >= $change_since) "
    "AND ($change_actor IS NULL OR c.actor = $change_actor)"
)
_CHANGE_AFTER = "($after_at IS NULL OR c.at < $after_at OR (c.at = $after_at AND c.id < $after_id))"
_CHANGES_OF_NODE = (  # either end of a relationship: each branch uses its index
    "CALL { MATCH (c:Change {node: $change_node}) RETURN c "
    "UNION MATCH (c:Change {other: $change_node}) RETURN c } WITH c "
)
_CHANGE_PAGE = "RETURN properties(c) AS change ORDER BY c.at DESC, c.id DESC LIMIT $limit"

LIST_CHANGES: Final = f"MATCH (c:Change) WHERE {_CHANGE_WHERE} AND {_CHANGE_AFTER} {_CHANGE_PAGE}"
LIST_NODE_CHANGES: Final = (
    f"{_CHANGES_OF_NODE}WHERE {_CHANGE_WHERE} AND {_CHANGE_AFTER} {_CHANGE_PAGE}"
)
COUNT_CHANGES: Final = f"MATCH (c:Change) WHERE {_CHANGE_WHERE} RETURN count(c) AS total"
COUNT_NODE_CHANGES: Final = f"{_CHANGES_OF_NODE}WHERE {_CHANGE_WHERE} RETURN count(c) AS total"
