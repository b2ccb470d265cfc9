"""Abuse limits on a GraphQL document, checked before anything runs.

    limit        default   when                         refused with
    size         15,000    before parsing: characters   GRAPHQL_VALIDATION_FAILED, limit "size"
    tokens        1,000    while parsing (comments too) GRAPHQL_VALIDATION_FAILED, limit "tokens"
    depth            10    validation                   GRAPHQL_VALIDATION_FAILED, limit "depth"
    aliases          15    validation                   GRAPHQL_VALIDATION_FAILED, limit "aliases"
    directives       50    validation                   GRAPHQL_VALIDATION_FAILED, limit "directives"
    cost         50,000    validation                   GRAPHQL_VALIDATION_FAILED, limit "cost"

Each refusal's `extensions` hold `limit`, `maximum` and, where it is known, `actual` (the cost
refusal also `cost`). The values come from the request's `Context.limits` (hub settings), so the
schema itself is built once, without settings (`hub schema` needs none).

Depth counts nested selections as graphql-depth-limit does (and strawberry's QueryDepthLimiter):
`{ a }` is 0 deep, `{ a { b } }` 1; introspection fields (`__schema`...) count 0. The deepest
query the explorer and dashboards send is 5 deep (schema/operations/02_ReserveSearchByName:
reserves > nodes > networks > edges > node > id); one more relationship followed through
`edges { node { ... } }` adds 3, so 10 leaves room for that and a little more, where GraphQL
Armor's 6 would leave none. Deeper is what the cost limit is for anyway: each relationship level
multiplies the cost by its page size. (tests/api/test_round_trips.py's batching probes, 12 and
15 deep and costing millions, run on a hub with raised limits.)

Cost is an upper bound on the objects an answer can hold, from the page sizes asked for:

    cost(leaf field)                 = 0
    cost(field with a selection)     = n x (1 + cost(its selection))
        n = its `first` or `limit` (a literal, a variable, the argument's default, else 20;
            `first` at most the hub's HUB_MAX_PAGE_SIZE), 1 for a field without one
    cost(selection)                  = the sum over its fields, fragments expanded
    cost(document)                   = that of its most expensive operation

So `reserves(first: 100) { nodes { id name } }` costs 100 x (1 + 1) = 200, and each nested
`people(first: 20) { ... }` inside it multiplies by 20. The explorer's and schema/operations'
queries cost at most about 1,000, `network(limit: 5000)` with its nodes and relationships 15,000.
The same cost is charged against the caller's budget per minute (hub/ratelimit.py).

Fragments are measured once each. Strawberry's QueryDepthLimiter and MaxAliasesLimiter walk a
fragment again at every spread, which is exponential in nested fragments (22 fragments each
spreading the next twice, 187 tokens, took 6 s and 15 s to check here), so they are not used;
MaxTokensLimiter's way (graphql-core's `max_tokens` parse option) is.

When introspection is off, validation runs with graphql-core's `hide_suggestions` (no "Did you
mean ...?" that would reveal the schema) and execution errors lose their suggestions too.
"""

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
    validate,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from schema.paging import DEFAULT_PAGE_SIZE

VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
RATE_LIMITED = "RATE_LIMITED"
PAGE_ARGUMENTS = ("first", "limit")
MAX_BATCH_CEILING = 100  # operations per batched request; HUB_MAX_BATCH up to this
_CAP = 10**15  # costs saturate here (exact beyond this is pointless, and JSON-safe)
_INT_MAX = 2**31 - 1
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """A request's document limits (from hub settings; these defaults without them)."""

    max_depth: int = 10
    max_aliases: int = 15
    max_directives: int = 50
    max_tokens: int = 1000
    max_document_chars: int = 15_000
    max_cost: int = 50_000
    introspection: bool = True


DEFAULT_LIMITS = Limits()


class CostBudget(Protocol):
    """The caller's budget of query cost (hub/ratelimit.py)."""

    def charge(self, cost: int) -> float:
        """Take `cost` from the budget: 0 when taken, else the seconds until it could be."""
        ...


@dataclass(frozen=True, slots=True)
class Measure:
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    cost: int = 0


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _INT_MAX:
        return value
    return None


class _Measurer:
    """Measures one operation; each fragment once (memoised), cycles count nothing."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults: dict[str, ValueNode | None] = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
        }
        self.max_page_size = max_page_size
        self.memo: dict[str, Measure] = {}
        self.active: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        root = self.schema.get_root_type(operation.operation)
        found = self.selection_set(operation.selection_set, root)
        directives = len(operation.directives or ()) + sum(
            len(definition.directives or ()) for definition in operation.variable_definitions or ()
        )
        return Measure(found.depth, found.aliases, found.directives + directives, found.cost)

    def selection_set(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Measure:
        depth = aliases = directives = cost = 0
        for selection in node.selections if node else ():
            if isinstance(selection, FieldNode):
                found = self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent
                found = self.selection_set(selection.selection_set, kind)
            elif isinstance(selection, FragmentSpreadNode):
                found = self.fragment(selection.name.value)
            else:  # pragma: no cover - no other selections exist
                continue
            depth = max(depth, found.depth)
            aliases += found.aliases
            directives += found.directives + len(selection.directives or ())
            cost = min(_CAP, cost + found.cost)
        return Measure(depth, aliases, directives, cost)

    def fragment(self, name: str) -> Measure:
        if name in self.memo:
            return self.memo[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.active:
            return Measure()  # unknown or cyclic: validation reports it
        self.active.add(name)
        try:
            found = self.selection_set(
                fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value)
            )
        finally:
            self.active.discard(name)
        found = Measure(
            found.depth,
            found.aliases,
            found.directives + len(fragment.directives or ()),
            found.cost,
        )
        self.memo[name] = found
        return found

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Measure:
        alias = 1 if node.alias else 0
        if node.selection_set is None:
            return Measure(aliases=alias)
        name = node.name.value
        definition: Any = None
        if name == "__schema":
            definition = SchemaMetaFieldDef
        elif name == "__type":
            definition = TypeMetaFieldDef
        elif isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(name)
        child = get_named_type(definition.type) if definition is not None else None
        inner = self.selection_set(node.selection_set, child)
        if name.startswith("__"):  # introspection answers from memory: no depth, no cost
            return Measure(0, inner.aliases + alias, inner.directives, 0)
        size = self.page_size(node, definition)
        cost = min(_CAP, size * (1 + inner.cost))
        return Measure(1 + inner.depth, inner.aliases + alias, inner.directives, cost)

    def page_size(self, node: FieldNode, definition: Any) -> int:
        if definition is None:
            return 1
        argument = next((name for name in PAGE_ARGUMENTS if name in definition.args), None)
        if argument is None:
            return 1
        value: int | None = None
        for given in node.arguments or ():
            if given.name.value == argument:
                value = self.value(given.value)
        if value is None:
            value = _int(definition.args[argument].default_value)
        if value is None:
            value = min(DEFAULT_PAGE_SIZE, self.max_page_size)
        if argument == "first":  # more is refused by the field (BAD_USER_INPUT) before any work
            value = min(value, self.max_page_size)
        return value

    def value(self, node: ValueNode) -> int | None:
        if isinstance(node, IntValueNode):
            try:
                return _int(int(node.value))
            except ValueError:  # pragma: no cover - the lexer only makes valid integers
                return None
        if isinstance(node, VariableNode):
            name = node.name.value
            if self.variables.get(name) is not None:
                return _int(self.variables[name])
            default = self.defaults.get(name)
            return self.value(default) if default is not None else None
        return None


def measure_operations(
    schema: GraphQLSchema,
    definitions: Any,
    variables: dict[str, Any] | None,
    max_page_size: int,
) -> Iterator[tuple[OperationDefinitionNode, Measure]]:
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    for definition in definitions:
        if isinstance(definition, OperationDefinitionNode):
            measurer = _Measurer(schema, fragments, definition, variables or {}, max_page_size)
            yield definition, measurer.operation(definition)


def _refusal(message: str, node: Any, limit: str, maximum: int, **more: int) -> GraphQLError:
    return GraphQLError(
        message,
        node,
        extensions={"code": VALIDATION_FAILED, "limit": limit, "maximum": maximum, **more},
    )


def _refusals(
    operation: OperationDefinitionNode, found: Measure, limits: Limits
) -> Iterator[GraphQLError]:
    what = f"operation {operation.name.value}" if operation.name else "operation"
    if found.depth > limits.max_depth:
        yield _refusal(
            f"The {what} is {found.depth} levels deep; at most {limits.max_depth} are allowed.",
            operation, "depth", limits.max_depth, actual=found.depth,
        )  # fmt: skip
    if found.aliases > limits.max_aliases:
        yield _refusal(
            f"The {what} uses {found.aliases} aliases; at most {limits.max_aliases} are allowed.",
            operation, "aliases", limits.max_aliases, actual=found.aliases,
        )  # fmt: skip
    if found.directives > limits.max_directives:
        yield _refusal(
            f"The {what} uses {found.directives} directives; "
            f"at most {limits.max_directives} are allowed.",
            operation, "directives", limits.max_directives, actual=found.directives,
        )  # fmt: skip
    if found.cost > limits.max_cost:
        yield _refusal(
            f"The {what} costs {found.cost} (page sizes multiplied through its nesting); "
            f"at most {limits.max_cost} is allowed. Ask for smaller pages or fewer levels.",
            operation, "cost", limits.max_cost, actual=found.cost, cost=found.cost,
        )  # fmt: skip


def limits_rule(
    limits: Limits,
    variables: dict[str, Any] | None,
    max_page_size: int,
    measured: Callable[[str | None, Measure], None],
) -> type[ValidationRule]:
    """A validation rule checking depth, aliases, directives and cost of every operation."""

    class AbuseLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for operation, found in measure_operations(
                context.schema, context.document.definitions, variables, max_page_size
            ):
                measured(operation.name.value if operation.name else None, found)
                for error in _refusals(operation, found, limits):
                    context.report_error(error)

    return AbuseLimitsRule


def _over_budget(cost: int, retry_after: int) -> GraphQLError:
    return GraphQLError(
        f"This operation costs {cost}, more than is left of your query cost budget this "
        f"minute; retry in {retry_after} s.",
        extensions={
            "code": RATE_LIMITED, "limit": "cost budget", "cost": cost, "retryAfter": retry_after,
        },
    )  # fmt: skip


def without_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


class AbuseLimits(SchemaExtension):
    """Applies the request's Limits (see the module docstring) and charges its cost budget.

    Reports `extensions.cost`: what the operation cost (as charged to the caller's budget).
    """

    def __init__(self) -> None:
        self.costs: dict[str | None, int] = {}

    def _context(self) -> Any:
        return self.execution_context.context

    def _limits(self) -> Limits:
        limits = getattr(self._context(), "limits", None)
        return limits if isinstance(limits, Limits) else DEFAULT_LIMITS

    def _measured(self, name: str | None, found: Measure) -> None:
        self.costs[name] = found.cost

    def on_operation(self) -> Iterator[None]:
        limits = self._limits()
        execution = self.execution_context
        # graphql-core 3.3's parse takes it; strawberry's ParseOptions type does not list it yet
        execution.parse_options["max_source_length"] = limits.max_document_chars  # type: ignore[typeddict-unknown-key]
        execution.parse_options["max_tokens"] = limits.max_tokens
        rule = limits_rule(
            limits,
            execution.variables,
            getattr(self._context(), "max_page_size", 100),
            self._measured,
        )
        execution.validation_rules = (*execution.validation_rules, rule)
        yield
        # CodedErrors (whose on_operation ends before this one's: AbuseLimits comes first in
        # the schema's extensions) codes every error without an original exception as a
        # validation failure: a refusal for the cost budget is RATE_LIMITED.
        result = execution.result
        for error in getattr(result, "errors", None) or ():
            extensions = error.extensions or {}
            if extensions.get("limit") == "cost budget":
                error.extensions = {**extensions, "code": RATE_LIMITED}

    def on_parse(self) -> Iterator[None]:
        yield
        limits = self._limits()
        size = f"Syntax Error: Source contains more than {limits.max_document_chars} code points."
        tokens = f"Syntax Error: Document contains more than {limits.max_tokens} tokens."
        for error in self.execution_context.pre_execution_errors or ():
            if error.message.startswith(size):
                error.message = (
                    f"The document has {len(self.execution_context.query or '')} characters; "
                    f"at most {limits.max_document_chars} are allowed."
                )
                error.extensions = {
                    "code": VALIDATION_FAILED, "limit": "size",
                    "maximum": limits.max_document_chars,
                    "actual": len(self.execution_context.query or ""),
                }  # fmt: skip
            elif error.message.startswith(tokens):
                error.message = (
                    f"The document has more than {limits.max_tokens} tokens; "
                    f"at most {limits.max_tokens} are allowed."
                )
                error.extensions = {
                    "code": VALIDATION_FAILED, "limit": "tokens", "maximum": limits.max_tokens,
                }  # fmt: skip

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        if not self._limits().introspection and execution.graphql_document is not None:
            rules = execution.validation_rules
            if NoSchemaIntrospectionCustomRule not in rules:
                rules = (*rules, NoSchemaIntrospectionCustomRule)
                execution.validation_rules = rules
            # Validate here, without suggestions; strawberry then skips its own validation.
            execution.pre_execution_errors = validate(
                execution.schema._schema, execution.graphql_document, rules, hide_suggestions=True
            )
        yield

    def _cost(self) -> int:
        name = self.execution_context.operation_name
        if name is None and len(self.costs) == 1:
            return next(iter(self.costs.values()))
        return self.costs.get(name, 0)

    def on_execute(self) -> Iterator[None]:
        budget = getattr(self._context(), "cost_budget", None)
        cost = self._cost()
        if budget is not None and cost > 0:
            wait = budget.charge(cost)
            if wait > 0:
                self.execution_context.result = GraphQLExecutionResult(
                    data=None, errors=[_over_budget(cost, max(1, math.ceil(wait)))]
                )
        yield
        result = self.execution_context.result
        if not self._limits().introspection and result is not None:
            for error in getattr(result, "errors", None) or ():
                error.message = without_suggestions(error.message)

    def get_results(self) -> dict[str, Any]:
        return {"cost": self._cost()} if self.costs else {}
