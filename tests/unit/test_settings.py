from pathlib import Path

import pytest

from hub.settings import Settings, SettingsError


def test_defaults_serve_the_embedded_store_on_loopback() -> None:
    settings = Settings.from_environ({})
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.embedded and settings.backend == "falkordb"
    assert settings.data_dir == Path("data")


def test_variables_override_defaults() -> None:
    settings = Settings.from_environ(
        {"HUB_PORT": "9000", "HUB_WORKERS": "3", "HUB_DATA_DIR": "/srv/hub", "HUB_GRAPHIQL": "off"}
    )
    assert (settings.port, settings.workers, settings.data_dir) == (9000, 3, Path("/srv/hub"))
    assert settings.graphiql is False


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"HUB_PORT": "eighty"}, "HUB_PORT"),
        ({"HUB_PORT": "70000"}, "HUB_PORT"),
        ({"HUB_WORKERS": "0"}, "HUB_WORKERS"),
        ({"HUB_ENV": "staging"}, "HUB_ENV"),
        ({"HUB_GRAPHIQL": "maybe"}, "HUB_GRAPHIQL"),
        ({"HUB_NEO4J_URI": "http://x"}, "HUB_NEO4J_URI"),
        ({"HUB_NEO4J_URI": "bolt://db:7687"}, "HUB_NEO4J_PASSWORD"),
        ({"HUB_FALKORDB_URL": "localhost:6379"}, "HUB_FALKORDB_URL"),
        ({"HUB_LOG_LEVEL": "loud"}, "HUB_LOG_LEVEL"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_environ(environ)


def test_neo4j_uri_selects_neo4j_and_the_password_stays_masked() -> None:
    settings = Settings.from_environ(
        {"HUB_NEO4J_URI": "neo4j://db:7687", "HUB_NEO4J_PASSWORD": "s3cret-value"}
    )
    assert settings.backend == "neo4j" and not settings.embedded
    assert "s3cret-value" not in repr(settings)
