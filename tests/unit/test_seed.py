"""The seed rows and the demo generator: well-formed import rows with useful, labelled demo data."""

import csv
import datetime
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import types
import typing
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import MISSING, fields
from typing import Any

import pytest

from graph.model import RELATIONS, Kind, RelType, find_relation, parse_global_id
from graph.records import RECORD_TYPES, Provenance
from graph.seed.demo import GLACIER_THEME, PERSON_ROLES, demo_rows, estimate_nodes
from graph.seed.real import DATA_DIR, seed_rows

Row = dict[str, Any]
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PROVENANCE_FIELDS = {f.name for f in fields(Provenance)}


@pytest.fixture(scope="module")
def seed() -> list[Row]:
    return list(seed_rows())


@pytest.fixture(scope="module")
def demo() -> list[Row]:
    return list(demo_rows())


@pytest.fixture(scope="module")
def demo_scale_2() -> list[Row]:
    return list(demo_rows(scale=2))


@pytest.fixture(scope="module")
def demo_scale_15() -> list[Row]:
    return list(demo_rows(scale=15))


def nodes_of(rows: Iterable[Row], kind: Kind) -> dict[str, dict[str, Any]]:
    return {row["id"]: row["properties"] for row in rows if row.get("kind") == kind.value}


def rels_of(rows: Iterable[Row], rel: RelType) -> list[Row]:
    return [row for row in rows if row.get("rel") == rel.value]


def targets_by_source(rows: Iterable[Row], rel: RelType, source_kind: Kind) -> dict[str, set[str]]:
    result: dict[str, set[str]] = defaultdict(set)
    for row in rels_of(rows, rel):
        if row["from"].startswith(f"{source_kind.value}:"):
            result[row["from"]].add(row["to"])
    return result


def sources_by_target(rows: Iterable[Row], rel: RelType, source_kind: Kind) -> dict[str, set[str]]:
    result: dict[str, set[str]] = defaultdict(set)
    for row in rels_of(rows, rel):
        if row["from"].startswith(f"{source_kind.value}:"):
            result[row["to"]].add(row["from"])
    return result


def is_iso_date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def value_fits(value: object, annotation: Any) -> bool:
    """Whether an import value fits a record field annotation (dates travel as ISO strings)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return any(value_fits(value, arg) for arg in args)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return isinstance(value, list) and all(value_fits(v, item) for v in value)
    if annotation is Provenance:
        return (
            isinstance(value, dict)
            and {"field", "value"} <= value.keys() <= PROVENANCE_FIELDS
            and all(isinstance(v, str) and v for v in value.values())
        )
    if annotation is datetime.date:
        return is_iso_date(value)
    if annotation is float:
        return type(value) in (int, float)
    return type(value) is annotation


def check_rows(rows: list[Row]) -> None:
    """Every row is a node or relationship of graph.model, in import order, without repeats."""
    field_types = {
        kind.value: {
            name: hint
            for name, hint in typing.get_type_hints(record).items()
            if name in {f.name for f in fields(record)} and name != "id"
        }
        for kind, record in RECORD_TYPES.items()
    }
    emitted: set[str] = set()
    rel_keys: set[tuple[str, str, str]] = set()
    seen_relationship = False
    for number, row in enumerate(rows):
        where = f"row {number}: {row}"
        assert json.loads(json.dumps(row)) == row, where
        if "kind" in row:
            assert not seen_relationship, f"node after a relationship, {where}"
            assert row.keys() == {"kind", "id", "properties"}, where
            kind = Kind(row["kind"])
            assert isinstance(row["id"], str) and SLUG.fullmatch(row["id"]), where
            key = f"{kind.value}:{row['id']}"
            assert key not in emitted, f"duplicate node, {where}"
            emitted.add(key)
            allowed = field_types[kind.value]
            properties = row["properties"]
            assert properties.keys() <= allowed.keys(), where
            for name, value in properties.items():
                assert value is not None and value != "" and value != [], f"{name}: {where}"
                assert value_fits(value, allowed[name]), f"{name}={value!r}: {where}"
            required = {
                f.name
                for f in fields(RECORD_TYPES[kind])
                if f.name != "id" and f.default is MISSING and f.default_factory is MISSING
            }
            assert required <= properties.keys(), f"missing {required}: {where}"
        else:
            seen_relationship = True
            assert row.keys() == {"rel", "from", "to", "properties"}, where
            source = parse_global_id(row["from"])
            target = parse_global_id(row["to"])
            assert source and target, where
            relation = find_relation(RelType(row["rel"]), source[0], target[0])
            assert relation is not None, f"not in RELATIONS, {where}"
            assert row["from"] in emitted and row["to"] in emitted, f"endpoint missing, {where}"
            rel_key = (row["rel"], row["from"], row["to"])
            assert rel_key not in rel_keys, f"duplicate relationship, {where}"
            rel_keys.add(rel_key)
            assert row["properties"].keys() <= set(relation.properties), where
            roles = row["properties"].get("roles")
            if roles is not None:
                assert isinstance(roles, list) and roles, where
                assert all(isinstance(r, str) and r for r in roles), where
                assert len(set(roles)) == len(roles), where
            if "since" in row["properties"]:
                assert is_iso_date(row["properties"]["since"]), where


def test_relations_table_is_what_the_checks_assume() -> None:
    assert {r.type for r in RELATIONS} == set(RelType)


def test_seed_rows_are_well_formed(seed: list[Row]) -> None:
    check_rows(seed)


@pytest.mark.parametrize("scale", [1, 2, 15])
def test_demo_rows_are_well_formed(scale: int, request: pytest.FixtureRequest) -> None:
    fixture = {1: "demo", 2: "demo_scale_2", 15: "demo_scale_15"}[scale]
    check_rows(request.getfixturevalue(fixture))


def test_seed_has_the_65_reserves_32_themes_and_49_organisations(seed: list[Row]) -> None:
    networks = nodes_of(seed, Kind.NETWORK)
    institutions = nodes_of(seed, Kind.INSTITUTION)
    assert len(nodes_of(seed, Kind.RESERVE)) == 65
    assert len(nodes_of(seed, Kind.THEME)) == 32
    assert len(networks) + len(institutions) == 49
    with (DATA_DIR / "organisations.csv").open(encoding="utf-8") as handle:
        kinds = {row["id"]: row["kind"] for row in csv.DictReader(handle)}
    assert set(networks) == {key for key, kind in kinds.items() if kind == "network"}
    assert {key: p["kind"] for key, p in institutions.items()} == {
        key: kind for key, kind in kinds.items() if kind != "network"
    }
    assert not any(key.startswith("demo-") for row in seed for key in [row.get("id", "")])


def test_seed_reserves_keep_values_and_their_provenance(seed: list[Row]) -> None:
    reserves = nodes_of(seed, Kind.RESERVE)
    omana = reserves["valles-de-omana-y-luna"]
    assert omana["name"] == "Valles de Omaña y Luna"
    assert omana["country"] == "ES"
    assert omana["designation_year"] == 2005
    assert (omana["latitude"], omana["longitude"]) == (42.9, -5.95)
    assert "max_elevation_m" not in omana  # empty in the CSV: omitted, not ""
    assert "mountain" not in reserves["khar-us-lake"]  # "unknown"
    assert reserves["lauca"]["mountain"] is True
    assert sum(len(r.get("provenance", [])) for r in reserves.values()) == 190
    assert all(r.get("provenance") for r in reserves.values())


def test_seed_themes_carry_sdg_goals_as_integers(seed: list[Row]) -> None:
    glacier = nodes_of(seed, Kind.THEME)[GLACIER_THEME]
    assert glacier["sdg_goals"] == [13, 6, 15]


def test_seed_states_only_documented_relationships(seed: list[Row]) -> None:
    wnmbr = nodes_of(seed, Kind.NETWORK)["wnmbr"]
    assert wnmbr["founded"] == "2021-12-07"
    assert wnmbr["description"]
    manages = {(r["from"], r["to"]) for r in rels_of(seed, RelType.MANAGES)}
    assert ("Institution:valles-omana-luna-br", "Reserve:valles-de-omana-y-luna") in manages
    assert ("Institution:triglav-np", "Reserve:julian-alps") in manages
    members = rels_of(seed, RelType.MEMBER_OF)
    assert [(r["from"], r["to"], r["properties"]) for r in members] == [
        ("Reserve:valles-de-omana-y-luna", "Network:wnmbr", {"since": "2021-12-07"})
    ]
    assert {r["rel"] for r in seed if "rel" in r} == {"MANAGES", "MEMBER_OF"}


def test_demo_starts_with_every_seed_row(seed: list[Row], demo: list[Row]) -> None:
    seed_nodes = [row for row in seed if "kind" in row]
    seed_rels = [row for row in seed if "rel" in row]
    assert demo[: len(seed_nodes)] == seed_nodes
    for row in seed_rels:
        assert row in demo


def test_demo_is_identical_for_the_same_seed_and_differs_for_another(demo: list[Row]) -> None:
    assert list(demo_rows(scale=1, seed=7)) == demo
    assert list(demo_rows(scale=1, seed=8)) != demo


def test_demo_output_does_not_depend_on_hash_randomisation() -> None:
    program = (
        "import hashlib, json; from graph.seed.demo import demo_rows; "
        "h = hashlib.sha256(); "
        "[h.update(json.dumps(r, sort_keys=True).encode()) for r in demo_rows(2, 3)]; "
        "print(h.hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
        )
        digests.add(result.stdout.strip())
    local = hashlib.sha256()
    for row in demo_rows(2, 3):
        local.update(json.dumps(row, sort_keys=True).encode())
    assert digests == {local.hexdigest()}


def test_demo_people_are_labelled_synthetic_with_example_addresses(demo: list[Row]) -> None:
    people = nodes_of(demo, Kind.PERSON)
    assert len(people) == 400
    for key, person in people.items():
        assert re.fullmatch(r"demo-person-\d{6}", key)
        assert person["synthetic"] is True
        assert person["email"] == f"{key}@example.org"
        assert re.fullmatch(r"[A-Z]{2}", person["country"])


def test_demo_people_have_names_in_several_scripts(demo: list[Row]) -> None:
    names = [p["name"] for p in nodes_of(demo, Kind.PERSON).values()]
    assert any(re.search(r"[\u4e00-\u9fff]", name) for name in names)  # Chinese
    assert any(re.search(r"[\u0400-\u04ff]", name) for name in names)  # Cyrillic
    assert any(re.search(r"[áéíóúñçüöäßèêëïîôû]", name) for name in names)  # accented Latin


def test_demo_projects_are_labelled_synthetic(demo: list[Row]) -> None:
    projects = nodes_of(demo, Kind.PROJECT)
    assert len(projects) == 150
    for key, project in projects.items():
        assert re.fullmatch(r"demo-project-\d{6}", key)
        assert project["title"].startswith("[Demo] ")
        assert project["synthetic"] is True
        assert "synthetic" in project["description"].lower()
        assert 2010 <= project["start_year"] <= 2026
        assert project.get("end_year", project["start_year"]) >= project["start_year"]


def test_demo_projects_have_sites_themes_people_and_partners(demo: list[Row]) -> None:
    projects = [f"Project:{key}" for key in nodes_of(demo, Kind.PROJECT)]
    sites = targets_by_source(demo, RelType.SITED_IN, Kind.PROJECT)
    themes = targets_by_source(demo, RelType.ADDRESSES, Kind.PROJECT)
    people = sources_by_target(demo, RelType.PARTICIPATES_IN, Kind.PERSON)
    partners = sources_by_target(demo, RelType.PARTNER_IN, Kind.INSTITUTION)
    for project in projects:
        assert 1 <= len(sites[project]) <= 3, project
        assert 1 <= len(themes[project]) <= 3, project
        assert 2 <= len(people[project]) <= 8, project
        assert 1 <= len(partners[project]) <= 4, project
    for row in rels_of(demo, RelType.PARTICIPATES_IN):
        assert set(row["properties"]["roles"]) <= set(PERSON_ROLES)
        assert 1 <= len(row["properties"]["roles"]) <= 2


def test_demo_people_and_reserves_have_affiliations_and_themes(demo: list[Row]) -> None:
    affiliations = targets_by_source(demo, RelType.AFFILIATED_WITH, Kind.PERSON)
    for key in nodes_of(demo, Kind.PERSON):
        assert 1 <= len(affiliations[f"Person:{key}"]) <= 2
    assert rels_of(demo, RelType.WORKS_AT)
    reserve_themes = targets_by_source(demo, RelType.ADDRESSES, Kind.RESERVE)
    for key in nodes_of(demo, Kind.RESERVE):
        assert 3 <= len(reserve_themes[f"Reserve:{key}"]) <= 8


def test_demo_memberships_are_dated_within_each_network_era(demo: list[Row]) -> None:
    reserves = nodes_of(demo, Kind.RESERVE)
    members = rels_of(demo, RelType.MEMBER_OF)
    wnmbr = [r for r in members if r["to"] == "Network:wnmbr"]
    assert len(wnmbr) > 10
    for row in wnmbr:
        assert "2021-12-07" <= row["properties"]["since"] <= "2026-06-30"
        assert reserves[row["from"].partition(":")[2]]["mountain"] is True
    regional = [r for r in members if r["to"] != "Network:wnmbr"]
    assert {r["from"].partition(":")[0] for r in regional} == {"Reserve", "Institution"}
    for row in regional:
        since = row["properties"]["since"]
        designated = 1990
        if row["from"].startswith("Reserve:"):
            designated = reserves[row["from"].partition(":")[2]]["designation_year"]
            assert int(since[:4]) >= designated, row
        assert since < "2021-12-07" or designated >= 2021, row
    for row in members:
        if row["from"].startswith("Reserve:"):
            designated = reserves[row["from"].partition(":")[2]]["designation_year"]
            assert int(row["properties"]["since"][:4]) >= designated, row


def test_demo_has_people_who_worked_together_more_than_once(demo: list[Row]) -> None:
    people = sources_by_target(demo, RelType.PARTICIPATES_IN, Kind.PERSON)
    pairs = Counter(
        pair for members in people.values() for pair in itertools.combinations(sorted(members), 2)
    )
    assert max(pairs.values()) >= 2


def test_demo_has_reserves_sharing_themes_but_no_project(demo: list[Row]) -> None:
    themes = targets_by_source(demo, RelType.ADDRESSES, Kind.RESERVE)
    projects = sources_by_target(demo, RelType.SITED_IN, Kind.PROJECT)
    reserves = sorted(themes)
    assert any(
        len(themes[a] & themes[b]) >= 2 and not (projects[a] & projects[b])
        for a, b in itertools.combinations(reserves, 2)
    )


def test_demo_leaves_some_reserves_and_institutions_without_projects(demo: list[Row]) -> None:
    sited = {row["to"] for row in rels_of(demo, RelType.SITED_IN)}
    partners = {row["from"] for row in rels_of(demo, RelType.PARTNER_IN)}
    reserves = {f"Reserve:{key}" for key in nodes_of(demo, Kind.RESERVE)}
    institutions = {f"Institution:{key}" for key in nodes_of(demo, Kind.INSTITUTION)}
    assert reserves - sited
    assert institutions - partners
    assert "Reserve:valles-de-omana-y-luna" in sited


def test_demo_has_several_glacier_projects_in_several_reserves(demo: list[Row]) -> None:
    themes = targets_by_source(demo, RelType.ADDRESSES, Kind.PROJECT)
    sites = targets_by_source(demo, RelType.SITED_IN, Kind.PROJECT)
    glacier = [p for p, t in themes.items() if f"Theme:{GLACIER_THEME}" in t]
    assert len(glacier) >= 3
    assert len(set().union(*(sites[p] for p in glacier))) >= 2


def test_demo_some_people_work_across_regions(demo: list[Row]) -> None:
    reserves = nodes_of(demo, Kind.RESERVE)
    sites = targets_by_source(demo, RelType.SITED_IN, Kind.PROJECT)
    countries: dict[str, set[str]] = defaultdict(set)
    for row in rels_of(demo, RelType.PARTICIPATES_IN):
        for site in sites[row["to"]]:
            countries[row["from"]].add(reserves[site.partition(":")[2]]["country"])
    assert any(len(c) >= 3 for c in countries.values())


def test_demo_adds_labelled_reserves_and_institutions_above_scale_1(
    demo: list[Row], demo_scale_2: list[Row]
) -> None:
    assert not any(key.startswith("demo-reserve-") for key in nodes_of(demo, Kind.RESERVE))
    reserves = {
        k: v for k, v in nodes_of(demo_scale_2, Kind.RESERVE).items() if k.startswith("demo-")
    }
    institutions = {
        k: v for k, v in nodes_of(demo_scale_2, Kind.INSTITUTION).items() if k.startswith("demo-")
    }
    assert reserves and institutions
    assert len(nodes_of(demo_scale_2, Kind.PERSON)) == 800
    assert len(nodes_of(demo_scale_2, Kind.PROJECT)) == 300
    for reserve in reserves.values():
        assert reserve["name"].startswith("[Demo] ")
        assert reserve["name"].endswith(" Biosphere Reserve")
        assert reserve["mountain"] is True
        assert -90 <= reserve["latitude"] <= 90 and -180 <= reserve["longitude"] <= 180
        assert 1976 <= reserve["designation_year"] <= 2026
    assert all(i["name"].startswith("[Demo] ") for i in institutions.values())
    themes = targets_by_source(demo_scale_2, RelType.ADDRESSES, Kind.RESERVE)
    assert all(themes[f"Reserve:{key}"] for key in reserves)


def test_estimate_nodes_counts_exactly_the_node_rows(
    demo: list[Row], demo_scale_15: list[Row]
) -> None:
    assert estimate_nodes(1) == sum(1 for row in demo if "kind" in row)
    emitted = sum(1 for row in demo_scale_15 if "kind" in row)
    assert estimate_nodes(15) == emitted
    assert abs(emitted - 10_000) <= 2_000


@pytest.mark.parametrize(("scale", "target"), [(150, 100_000), (1500, 1_000_000)])
def test_estimate_nodes_reaches_the_larger_targets(scale: int, target: int) -> None:
    assert abs(estimate_nodes(scale) - target) <= target * 0.2


def test_demo_rows_stream_lazily() -> None:
    rows = demo_rows(scale=1500)
    first = next(rows)
    assert first["kind"] == Kind.THEME.value
    rows.close()
