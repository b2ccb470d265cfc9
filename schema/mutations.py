"""Mutations of nodes and relationships: create, update, delete, link, unlink, all audited.

Input types are generated from graph.validation's pydantic models (their fields, with the
record's types), and the store checks values with those same models, so a mutation and a bulk
import accept exactly the same values.
"""

import datetime
from enum import Enum
from typing import Annotated, Any, get_args, get_type_hints

import strawberry
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from graph._writes import InvalidProperties, Problem, check_node
from graph.model import Kind, Relation, RelType, find_relation, global_id
from graph.records import RECORD_TYPES, Audit, NodeRecord
from graph.validation import NODE_MODELS
from schema import arguments
from schema.context import Context
from schema.errors import BadUserInput, HubError
from schema.permissions import Forbidden, Role, Viewer, require
from schema.query import InstitutionKind
from schema.types import TYPES, Node, RelationshipKind

WRITE_RULES = """Writes: create, update, delete and link/unlink every kind of node, each audited \
(see `changes`).

Who may write (an API key or token; none: UNAUTHENTICATED; not enough: FORBIDDEN):
- secretariat: everything.
- editor: only within its grant of reserves and institutions. Within the grant are: the granted \
reserves and institutions themselves; projects sited in a granted reserve (SITED_IN) or with a \
granted institution as partner (PARTNER_IN); people affiliated with a granted institution \
(AFFILIATED_WITH) or working at a granted reserve (WORKS_AT). An editor may update and delete \
nodes within its grant; create a reserve or institution whose key it is granted, and any new \
project or person (a new node has no relationships: link it to a granted reserve or institution \
to be able to change it later); link and unlink where both ends are within its grant, except a \
theme (the shared vocabulary) and, when linking, a node with no relationship yet (one it has just \
created): so an editor cannot bring someone else's person or project into its grant. \
Memberships (MEMBER_OF) are the secretariat's, through membership applications. Themes and \
networks are secretariat-only. An editor asking about a node \
outside its grant (or one that does not exist) is FORBIDDEN.
- partner and anonymous: no writes.

Every write happens completely or not at all, together with its audit record. Invalid values are \
BAD_USER_INPUT with every problem listed in `extensions.problems` ({path, message}); a write \
made while another changed the same node is CONFLICT (try again)."""


def _a(kind: Kind) -> str:
    return f"an {kind}" if kind[0] in "AEIOU" else f"a {kind}"


# --- inputs ------------------------------------------------------------------------------------
_HELP = {
    "name": "1 to 300 characters.",
    "title": "1 to 300 characters.",
    "label": "1 to 300 characters.",
    "description": "At most 5000 characters.",
    "definition": "At most 5000 characters.",
    "country": "ISO 3166-1 alpha-2 code in capitals, e.g. ES.",
    "designation_year": "A year from 1900 to 2100.",
    "start_year": "A year from 1900 to 2100.",
    "end_year": "A year from 1900 to 2100, not before startYear.",
    "latitude": "Degrees, -90 to 90; latitude and longitude go together.",
    "longitude": "Degrees, -180 to 180; latitude and longitude go together.",
    "area_km2": "Square kilometres, at least 0.",
    "max_elevation_m": "Metres, -500 to 9000.",
    "url": "An http(s) URL.",
    "source_url": "An http(s) URL: where the facts come from.",
    "email": "An e-mail address: private (secretariat and the person's institutions' editors).",
    "sdg_goals": "Sustainable Development Goal numbers, 1 to 17.",
    "provenance": "The source of each fact (replaces the whole list).",
    "synthetic": "True for made-up demo data.",
    "founded": "The date the network was founded.",
    "kind": "What sort of organisation it is.",
    "mountain": "Whether it is a mountain reserve.",
}


@strawberry.input(description="Where a fact came from.")
class ProvenanceInput:
    field: str = strawberry.field(description="The field, e.g. designation_year.")
    value: str = strawberry.field(description="The value as the source gives it.")
    source_url: str | None = strawberry.field(default=None, description="An http(s) URL.")
    note: str | None = strawberry.field(default=None, description="At most 5000 characters.")


def _input_type(kind: Kind, name: str) -> Any:
    """The GraphQL type of one field of a kind's input (None removed)."""
    if kind is Kind.INSTITUTION and name == "kind":
        return InstitutionKind
    if name == "provenance":
        return list[ProvenanceInput]
    hint = get_type_hints(RECORD_TYPES[kind])[name]
    args = [arg for arg in get_args(hint) if arg is not type(None)]
    return args[0] if args and hint.__class__.__name__ == "UnionType" else hint


def _inputs(kind: Kind, *, update: bool) -> type:
    model = NODE_MODELS[kind]
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    if not update:
        annotations["id"] = strawberry.ID
        namespace["id"] = strawberry.field(
            description=f'The new key ("ordino") or global id ("{kind}:ordino"): lower case '
            "letters, digits, '.', '_' and '-', starting with a letter or digit."
        )
    for name, info in model.model_fields.items():
        base = _input_type(kind, name)
        help_text = _HELP.get(name)
        if not update and info.is_required():
            annotations[name] = base
            namespace[name] = strawberry.field(description=help_text)
        else:
            annotations[name] = base | None
            default = strawberry.UNSET if update else None
            namespace[name] = strawberry.field(default=default, description=help_text)
    verb = "Update" if update else "Create"
    cls = type(f"{verb}{kind}Input", (), {"__annotations__": annotations, **namespace})
    description = (
        f"Changes to {_a(kind)}: only the fields given change; null clears an optional field."
        if update
        else f"A new {kind}."
    )
    return strawberry.input(cls, description=description)


CREATE_INPUTS: dict[Kind, type] = {kind: _inputs(kind, update=False) for kind in Kind}
UPDATE_INPUTS: dict[Kind, type] = {kind: _inputs(kind, update=True) for kind in Kind}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, ProvenanceInput):
        fields = ("field", "value", "source_url", "note")
        return {f: getattr(value, f) for f in fields if getattr(value, f) is not None}
    return value


def _given(kind: Kind, data: Any, *, update: bool) -> dict[str, Any]:
    """The fields given in an input: for an update, null (clear) is kept and UNSET left out;
    for a create, null is the same as not given."""
    values: dict[str, Any] = {}
    for name in NODE_MODELS[kind].model_fields:
        value = getattr(data, name)
        if value is strawberry.UNSET or (value is None and not update):
            continue
        values[name] = _plain(value)
    return values


# --- errors ------------------------------------------------------------------------------------
class InvalidValues(HubError):
    """BAD_USER_INPUT with every problem, each with the path of the argument or input field."""

    code = "BAD_USER_INPUT"

    def __init__(self, problems: list[dict[str, str]]) -> None:
        listed = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        count = f"{len(problems)} invalid value" + ("s" if len(problems) > 1 else "")
        super().__init__(f"{count}: {listed}", problems=problems)


def _problems(prefix: str, problems: list[Problem]) -> InvalidValues:
    def path(problem: Problem) -> str:
        parts = [prefix] if prefix else []
        parts += [to_camel_case(p) if isinstance(p, str) else str(p) for p in problem.path]
        return ".".join(parts) or "input"

    return InvalidValues([{"path": path(p), "message": p.message} for p in problems])


async def _may_link(
    info: Info[Context, None],
    viewer: Viewer,
    relation: Relation,
    source: str,
    target: str,
    *,
    linking: bool,
) -> None:
    """FORBIDDEN unless an editor may (un)link these two nodes: both ends within its grant, a
    theme end excepted (the shared vocabulary), and, when linking, an end that has no
    relationship yet (a node it has just created). Otherwise linking someone else's person or
    project to one's own reserve would bring it into the grant, its e-mail included.
    Memberships go through applyForMembership: secretariat only."""
    if viewer.role is Role.SECRETARIAT:
        return
    if relation.type is RelType.MEMBER_OF:
        raise Forbidden("memberships are decided by the secretariat (see applyForMembership)")
    ends = [(kind, key) for kind, key in ((relation.source, source), (relation.target, target))
            if kind is not Kind.THEME]  # fmt: skip
    store = info.context.store
    missing = set(ends) - await store.within_grant(ends, viewer.reserves, viewer.institutions)
    if missing and linking:
        missing -= await store.unlinked(sorted(missing))
    if missing:
        names = " and ".join(global_id(kind, key) for kind, key in sorted(missing))
        raise Forbidden(f"{names} is not within this editor's reserves and institutions")


# --- who may write -----------------------------------------------------------------------------
def _writer(info: Info[Context, None], kind: Kind | None = None) -> Viewer:
    if kind in (Kind.THEME, Kind.NETWORK):
        return require(info.context.viewer, Role.SECRETARIAT)
    return require(info.context.viewer, Role.EDITOR, Role.SECRETARIAT)


async def _in_grant(
    info: Info[Context, None], viewer: Viewer, nodes: list[tuple[Kind, str]]
) -> None:
    """FORBIDDEN unless the viewer may write here: all of `nodes` (one), or any of them (links)."""
    if viewer.role is Role.SECRETARIAT:
        return
    found = await info.context.store.within_grant(nodes, viewer.reserves, viewer.institutions)
    if not found:
        names = " or ".join(global_id(kind, key) for kind, key in nodes)
        raise Forbidden(f"{names} is not within this editor's reserves and institutions")


def _audit(info: Info[Context, None], operation: str) -> Audit:
    return Audit(
        actor=info.context.viewer.actor,
        request_id=info.context.request_id,
        operation=operation,
    )


def _new_key(kind: Kind, value: str) -> tuple[str, list[Problem]]:
    """The key of a create's `input.id`; a malformed one is a problem, listed with the rest."""
    try:
        return arguments.key_of("input.id", value, kind), []
    except BadUserInput as exc:
        return value, [Problem(("id",), exc.message.removeprefix("input.id: "))]


# --- resolvers ---------------------------------------------------------------------------------
def _create(kind: Kind) -> Any:
    operation = f"create{kind}"

    async def resolve(root: Any, info: Info[Context, None], input: Any) -> Any:
        viewer = _writer(info, kind)
        key, problems = _new_key(kind, input.id)
        values = _given(kind, input, update=False)
        if problems:  # a bad id: list the values' problems with it
            try:
                check_node(kind, values)
            except InvalidProperties as exc:
                problems += exc.problems
            raise _problems("input", problems)
        if viewer.role is Role.EDITOR:
            granted = {Kind.RESERVE: viewer.reserves, Kind.INSTITUTION: viewer.institutions}
            if kind in granted and key not in granted[kind]:
                raise Forbidden(f"{global_id(kind, key)} is not among this editor's {kind} keys")
        try:
            written = await info.context.store.create_node(
                kind, key, values, _audit(info, operation)
            )
        except InvalidProperties as exc:
            raise _problems("input", exc.problems) from None
        return _primed(info, kind, written.node)

    resolve.__annotations__ = {"input": CREATE_INPUTS[kind], "return": TYPES[kind]}
    resolve.__annotations__["info"] = Info[Context, None]
    return strawberry.mutation(
        resolver=resolve,
        description=f"Create {_a(kind)}. Retrying with the same id and values returns the "
        "node unchanged (nothing is written twice); the same id with other values is CONFLICT "
        f"(use update{kind})."
        + (" Secretariat only." if kind in (Kind.THEME, Kind.NETWORK) else ""),
    )


def _update(kind: Kind) -> Any:
    operation = f"update{kind}"

    async def resolve(root: Any, info: Info[Context, None], id: strawberry.ID, input: Any) -> Any:
        viewer = _writer(info, kind)
        key = arguments.key_of("id", id, kind)
        await _in_grant(info, viewer, [(kind, key)])
        changes = _given(kind, input, update=True)
        try:
            written = await info.context.store.update_node(
                kind, key, changes, _audit(info, operation)
            )
        except InvalidProperties as exc:
            raise _problems("input", exc.problems) from None
        return _primed(info, kind, written.node)

    resolve.__annotations__ = {"input": UPDATE_INPUTS[kind], "return": TYPES[kind]}
    resolve.__annotations__ |= {"info": Info[Context, None], "id": strawberry.ID}
    return strawberry.mutation(
        resolver=resolve,
        description=f"Change some fields of {_a(kind)}: only those given change, null clears an "
        "optional one; the result is checked as a whole (e.g. years in order with the stored "
        "ones). Giving the stored values writes nothing. NOT_FOUND when there is no such node.",
    )


@strawberry.type(description="What a delete removed.")
class Deletion:
    id: strawberry.ID = strawberry.field(description="The global id of the deleted node.")


def _delete(kind: Kind) -> Any:
    operation = f"delete{kind}"

    async def resolve(root: Any, info: Info[Context, None], id: strawberry.ID) -> Deletion:
        viewer = _writer(info, kind)
        key = arguments.key_of("id", id, kind)
        await _in_grant(info, viewer, [(kind, key)])
        await info.context.store.delete_node(kind, key, _audit(info, operation))
        return Deletion(id=strawberry.ID(global_id(kind, key)))

    resolve.__annotations__ |= {"info": Info[Context, None], "id": strawberry.ID}
    return strawberry.mutation(
        resolver=resolve,
        description=f"Delete {_a(kind)} and every relationship it has (DETACH DELETE: the nodes "
        "at their other ends stay). The audit trail keeps the deleted values. NOT_FOUND when "
        "there is no such node (so a retried delete says NOT_FOUND).",
    )


def _primed(info: Info[Context, None], kind: Kind, record: NodeRecord) -> Any:
    info.context.loaders.nodes[kind].prime(record.id, record, force=True)
    return record


@strawberry.type(description="A relationship between two nodes, with its properties.")
class LinkResult:
    relationship: RelationshipKind  # type: ignore[valid-type]
    source: Node = strawberry.field(name="from", description="Where the relationship starts.")
    target: Node = strawberry.field(name="to", description="Where it ends.")
    roles: list[str] = strawberry.field(description="Its roles (empty where it has none).")
    since: datetime.date | None = strawberry.field(
        description="When it began, where it has a date."
    )


From = Annotated[
    strawberry.ID,
    strawberry.argument(
        name="from", description='Global id of the start, e.g. "Person:ana" (as stored).'
    ),
]
To = Annotated[strawberry.ID, strawberry.argument(name="to", description="Global id of the end.")]


def _relation_of(relationship: RelType, source: str, target: str) -> Any:
    source_kind, source_key = arguments.node_id("from", source)
    target_kind, target_key = arguments.node_id("to", target)
    relation = find_relation(relationship, source_kind, target_kind)
    if relation is None:
        raise BadUserInput(
            "relationship", f"{relationship} does not join a {source_kind} to a {target_kind}"
        )
    return relation, source_key, target_key


def _link_result(relationship: RelType, written: Any) -> LinkResult:
    return LinkResult(
        relationship=relationship,
        source=written.source,
        target=written.target,
        roles=written.roles,
        since=written.since,
    )


@strawberry.type(description=WRITE_RULES)
class NodeMutation:
    create_reserve = _create(Kind.RESERVE)
    update_reserve = _update(Kind.RESERVE)
    delete_reserve = _delete(Kind.RESERVE)
    create_institution = _create(Kind.INSTITUTION)
    update_institution = _update(Kind.INSTITUTION)
    delete_institution = _delete(Kind.INSTITUTION)
    create_project = _create(Kind.PROJECT)
    update_project = _update(Kind.PROJECT)
    delete_project = _delete(Kind.PROJECT)
    create_person = _create(Kind.PERSON)
    update_person = _update(Kind.PERSON)
    delete_person = _delete(Kind.PERSON)
    create_theme = _create(Kind.THEME)
    update_theme = _update(Kind.THEME)
    delete_theme = _delete(Kind.THEME)
    create_network = _create(Kind.NETWORK)
    update_network = _update(Kind.NETWORK)
    delete_network = _delete(Kind.NETWORK)

    @strawberry.mutation(
        description="Create a relationship (in its stored direction, e.g. Person -> Reserve for "
        "WORKS_AT), or set an existing one's properties to exactly these: roles where the "
        "relationship has roles (AFFILIATED_WITH, WORKS_AT, PARTICIPATES_IN, PARTNER_IN), since "
        "where it has a date (AFFILIATED_WITH, MEMBER_OF). Linking again with the same "
        "properties writes nothing. NOT_FOUND when an end does not exist."
    )
    async def link(
        self,
        info: Info[Context, None],
        relationship: RelationshipKind,  # type: ignore[valid-type]
        source: From,
        target: To,
        roles: list[str] | None = None,
        since: datetime.date | None = None,
    ) -> LinkResult:
        viewer = _writer(info)
        relation, source_key, target_key = _relation_of(relationship, source, target)
        await _may_link(info, viewer, relation, source_key, target_key, linking=True)
        props: dict[str, Any] = {}
        if roles is not None:
            props["roles"] = roles
        if since is not None:
            props["since"] = since
        try:
            written = await info.context.store.link(
                relation, source_key, target_key, props, _audit(info, "link")
            )
        except InvalidProperties as exc:
            raise _problems("", exc.problems) from None
        return _link_result(relationship, written)

    @strawberry.mutation(
        description="Remove a relationship; the result is what it held. NOT_FOUND when there is "
        "no such relationship (so a retried unlink says NOT_FOUND)."
    )
    async def unlink(
        self,
        info: Info[Context, None],
        relationship: RelationshipKind,  # type: ignore[valid-type]
        source: From,
        target: To,
    ) -> LinkResult:
        viewer = _writer(info)
        relation, source_key, target_key = _relation_of(relationship, source, target)
        await _may_link(info, viewer, relation, source_key, target_key, linking=False)
        written = await info.context.store.unlink(
            relation, source_key, target_key, _audit(info, "unlink")
        )
        return _link_result(relationship, written)
