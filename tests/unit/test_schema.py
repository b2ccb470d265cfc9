from pathlib import Path

import schema

COMMITTED = Path(schema.__file__).parent / "schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    """A change to the API shows up in review as a diff of schema/schema.graphql."""
    assert COMMITTED.read_text() == schema.sdl(), "run `hub schema > schema/schema.graphql`"


def test_no_personal_contact_field_is_exposed() -> None:
    assert "email" not in schema.sdl().lower()
