"""The example operations of schema/operations/ and the pages that serve them.

Each file must hold one named operation that is valid against the schema and can run with no
variables given (every variable has a default or may be null), so a developer runs it in one
click from GraphiQL, where every operation is a tab.
"""

import json
import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate

from hub.explore import EXPLORE_FILES, EXPLORE_VENDOR_FILES
from hub.graphiql import OPERATIONS_DIR, graphiql_html, load_operations
from hub.settings import Settings, SettingsError
from schema import schema

REPO = Path(__file__).parents[2]
OPERATION_FILES = sorted(OPERATIONS_DIR.glob("*.graphql"))
# The questions of DOMAIN.md that the examples must cover: a root field each.
DOCUMENTED_FIELDS = {
    "reserves", "node", "collaborators", "potentialPartners", "connection", "collaborationGaps",
    "network", "stats", "search", "reservesNear", "centrality",
}  # fmt: skip


def _operation(path: Path) -> OperationDefinitionNode:
    document = parse(path.read_text(encoding="utf-8"))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1, f"{path.name}: one operation per file"
    return operations[0]


def test_there_are_example_operations() -> None:
    assert len(OPERATION_FILES) >= 10


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_operation_is_valid_against_the_schema(path: Path) -> None:
    errors = validate(schema._schema, parse(path.read_text(encoding="utf-8")))
    assert [e.message for e in errors] == []


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_operation_is_named_and_runs_without_variables(path: Path) -> None:
    operation = _operation(path)
    assert operation.name is not None, f"{path.name}: the operation needs a name"
    assert path.stem.split("_", 1)[-1] == operation.name.value, "file named after its operation"
    for variable in operation.variable_definitions or ():
        assert variable.default_value is not None, (
            f"{path.name}: ${variable.variable.name.value} needs a default that works on the demo"
        )


def test_examples_cover_every_documented_question() -> None:
    used: set[str] = set()
    for path in OPERATION_FILES:
        text = path.read_text(encoding="utf-8")
        used |= {f for f in DOCUMENTED_FIELDS if re.search(rf"\b{f}\s*\(", text)}
    assert sorted(DOCUMENTED_FIELDS - used) == []


def test_load_operations_reads_every_file_in_order() -> None:
    examples = load_operations()
    assert list(examples) == [p.stem for p in OPERATION_FILES]
    assert all(text.endswith("\n") and text.strip() for text in examples.values())


def test_graphiql_page_has_one_tab_per_example(tmp_path: Path) -> None:
    web = REPO / "web"
    if not (web / "node_modules" / "graphiql").is_dir():
        pytest.skip("run `npm ci` in web/ first")
    examples = {"A": "query A { themes { totalCount } }", "B": 'query B { node(id: "x") { id } }'}
    html = graphiql_html(web, examples=examples)
    tabs = re.search(r"defaultTabs: (\[.*?\]),\n", html)
    assert tabs is not None
    assert [t["query"] for t in json.loads(tabs.group(1))] == list(examples.values())
    assert "</script>" not in tabs.group(1).lower()


def test_graphiql_tabs_are_safe_inside_a_script() -> None:
    web = REPO / "web"
    if not (web / "node_modules" / "graphiql").is_dir():
        pytest.skip("run `npm ci` in web/ first")
    html = graphiql_html(web, examples={"X": "# </script><script>alert(1)</script>\n{ a }"})
    assert "<script>alert(1)" not in html


def test_explorer_vendor_files_match_package_json_versions() -> None:
    package = json.loads((REPO / "web" / "package.json").read_text(encoding="utf-8"))
    for url, rel in EXPLORE_VENDOR_FILES.items():
        name_version, _, path = url.partition("/")
        name, _, version = name_version.rpartition("@")
        assert package["dependencies"].get(name) == version, url
        assert rel == f"{name}/{path}"


def test_explorer_files_exist() -> None:
    for name in (*EXPLORE_FILES, "index.html"):
        assert (REPO / "web" / "explore" / name).is_file(), name


def test_map_tile_url_setting_is_parsed_and_checked() -> None:
    assert Settings.from_environ({}).map_tile_url == ""
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert Settings.from_environ({"HUB_MAP_TILE_URL": url}).map_tile_url == url
    with pytest.raises(SettingsError, match="HUB_MAP_TILE_URL"):
        Settings.from_environ({"HUB_MAP_TILE_URL": "ftp://tiles/{z}/{x}/{y}"})
    with pytest.raises(SettingsError, match="HUB_MAP_TILE_URL"):
        Settings.from_environ({"HUB_MAP_TILE_URL": "https://tiles.example.org/tile.png"})
