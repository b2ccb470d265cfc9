from pathlib import Path

from graphql import GraphQLObjectType

import schema

COMMITTED = Path(schema.__file__).parent / "schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    """A change to the API shows up in review as a diff of schema/schema.graphql."""
    assert COMMITTED.read_text() == schema.sdl(), "run `hub schema > schema/schema.graphql`"


# Personal contact fields of output types (inputs expose nothing), each behind an access rule
# that its description states: the person's e-mail (secretariat and affiliated editors) and a
# membership application's contact (secretariat only).
RULED_CONTACT_FIELDS = {
    ("Person", "email"),
    ("MembershipApplication", "contactName"),
    ("MembershipApplication", "contactEmail"),
}


def test_personal_contact_fields_exist_only_behind_an_access_rule() -> None:
    """Over HTTP, tests/api/test_permissions.py shows anonymous users and partners never see
    an address; here: no other type or field offers one."""
    graphql_schema = schema.schema._schema
    exposed = {
        (type_name, field_name)
        for type_name, graphql_type in graphql_schema.type_map.items()
        if isinstance(graphql_type, GraphQLObjectType) and not type_name.startswith("__")
        for field_name in getattr(graphql_type, "fields", {})
        if any(word in field_name.lower() for word in ("mail", "phone", "contact"))
    }
    assert exposed == RULED_CONTACT_FIELDS
    for type_name, field_name in exposed:
        graphql_type = graphql_schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        description = graphql_type.fields[field_name].description
        assert "secretariat" in (description or "").lower(), (type_name, field_name)
