"""Write sandbox/shopify/admin_schema.graphql: the part of Shopify's Admin schema that Crossport's
documents reach, so the emulator needs nothing outside this repository.

Run it after adding or changing a document in integrations/shopify/graphql/, with the official
schema beside the project (see docs/operations.md):

    python -m sandbox.shopify.schema_subset

What it keeps: every type and field a document selects (with Shopify's @deprecated marks), the
deprecated fields of DEPRECATED_KEPT, all arguments of those fields (their
defaults reach the emulator's resolvers), the input objects and enums those arguments need, in
full, the scalar fields of each interface kept, and the interface fields an object must repeat.
Descriptions are left out; the file says in its own words what it is.
tests/shopify/test_schema_subset.py checks the result against the official schema whenever that
is present, and every document against the result always.
"""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLUnionType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    is_leaf_type,
    parse,
    print_ast,
    visit,
)
from graphql.pyutils import Undefined
from graphql.utilities import ast_from_value

from integrations.shopify import queries
from sandbox.server import specs_dir
from sandbox.shopify.schema import OFFICIAL_SCHEMA_FILE, SUBSET_FILE

HEADER = """\
# The part of Shopify's Admin GraphQL API 2026-07 that Crossport uses and the Shopify emulator
# answers: the types and fields reached by the documents in integrations/shopify/graphql/.
# Names and types are Shopify's (checked against the official schema by
# tests/shopify/test_schema_subset.py when ../shared/specs is present); nothing else is.
# Written by `python -m sandbox.shopify.schema_subset`; regenerate rather than hand-edit.
"""

BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}

# Deprecated fields Crossport no longer sends (it reads `media` instead), kept so the emulator
# still answers them as Shopify does, with X-Shopify-API-Deprecated-Reason
# (tests/shopify/test_deprecations.py); collected like one more document.
DEPRECATED_KEPT = """
query DeprecatedKept {
  product(id: "") {
    images(first: 1) { nodes { url } edges { node { url } } pageInfo { hasNextPage endCursor } }
    variants(first: 1) { nodes { image { url } } }
  }
}
"""


class _Usage:
    """Which fields of which types the documents select, and which named types they touch."""

    def __init__(self, schema: GraphQLSchema):
        self.schema = schema
        self.fields: dict[str, set[str]] = {}
        self.types: set[str] = set()

    def add_type(self, named: GraphQLNamedType) -> None:
        if named.name in self.types or named.name.startswith("__"):
            return
        self.types.add(named.name)
        if isinstance(named, GraphQLInputObjectType):
            for field in named.fields.values():
                self.add_type(get_named_type(field.type))

    def add_field(self, parent: GraphQLNamedType, name: str, field: GraphQLField) -> None:
        self.add_type(parent)
        self.fields.setdefault(parent.name, set()).add(name)
        self.add_type(get_named_type(field.type))
        for arg in field.args.values():
            self.add_type(get_named_type(arg.type))

    def close_interfaces(self) -> None:
        """A kept interface keeps its scalar fields (Node: id), and an object the fields of each
        kept interface it implements, as a valid schema demands."""
        changed = True
        while changed:
            changed = False
            for name in list(self.types):
                named = self.schema.get_type(name)
                if isinstance(named, GraphQLInterfaceType):
                    for field_name, field in named.fields.items():
                        leaf = is_leaf_type(get_named_type(field.type))
                        if leaf and field_name not in self.fields.get(name, set()):
                            self.add_field(named, field_name, field)
                            changed = True
                if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                    continue
                for interface in named.interfaces:
                    if interface.name not in self.types:
                        continue
                    for field_name in self.fields.get(interface.name, ()):
                        if field_name not in self.fields.get(name, set()):
                            self.add_field(named, field_name, named.fields[field_name])
                            changed = True


class _Collector(Visitor):
    """Records each selected field (with its parent type) and each fragment's type condition."""

    def __init__(self, info: TypeInfo, usage: _Usage):
        super().__init__()
        self.info, self.usage = info, usage

    def enter_field(self, node, *_):
        parent, field = self.info.get_parent_type(), self.info.get_field_def()
        if parent is not None and field is not None:
            self.usage.add_field(parent, node.name.value, field)

    def enter_inline_fragment(self, node, *_):
        if node.type_condition:
            self.usage.add_type(self.usage.schema.get_type(node.type_condition.name.value))

    def enter_fragment_definition(self, node, *_):
        self.usage.add_type(self.usage.schema.get_type(node.type_condition.name.value))


def collect(schema: GraphQLSchema, sources: list[str]) -> _Usage:
    usage = _Usage(schema)
    usage.add_type(schema.query_type)
    usage.add_type(schema.mutation_type)
    for source in [*sources, DEPRECATED_KEPT]:
        info = TypeInfo(schema)
        visit(parse(source), TypeInfoVisitor(info, _Collector(info, usage)))
    usage.close_interfaces()
    return usage


def render(schema: GraphQLSchema, usage: _Usage) -> str:
    blocks = [HEADER, "schema {\n  query: QueryRoot\n  mutation: Mutation\n}\n"]
    for name in sorted(usage.types - BUILTIN_SCALARS):
        blocks.append(_render_type(schema.get_type(name), usage))
    return "\n".join(blocks)


def _render_type(named: GraphQLNamedType, usage: _Usage) -> str:
    if isinstance(named, GraphQLScalarType):
        return f"scalar {named.name}\n"
    if isinstance(named, GraphQLEnumType):
        values = "".join(f"  {name}{_deprecated(value)}\n" for name, value in named.values.items())
        return f"enum {named.name} {{\n{values}}}\n"
    if isinstance(named, GraphQLUnionType):
        members = [t.name for t in named.types if t.name in usage.types]
        return f"union {named.name} = {' | '.join(members)}\n"
    if isinstance(named, GraphQLInputObjectType):
        lines = [f"  {n}: {f.type}{_default(f)}{_deprecated(f)}\n" for n, f in named.fields.items()]
        return f"input {named.name} {{\n{''.join(lines)}}}\n"
    keyword = "interface" if isinstance(named, GraphQLInterfaceType) else "type"
    kept = [i.name for i in named.interfaces if i.name in usage.types]
    implements = f" implements {' & '.join(kept)}" if kept else ""
    lines = []
    for field_name in sorted(usage.fields.get(named.name, ())):
        field = named.fields[field_name]
        args = ", ".join(
            f"{n}: {a.type}{_default(a)}{_deprecated(a)}" for n, a in field.args.items()
        )
        lines.append(
            f"  {field_name}{f'({args})' if args else ''}: {field.type}{_deprecated(field)}\n"
        )
    return f"{keyword} {named.name}{implements} {{\n{''.join(lines)}}}\n"


def _default(argument) -> str:
    if argument.default_value is Undefined:
        return ""
    node = ast_from_value(argument.default_value, argument.type)
    return f" = {print_ast(node)}" if node is not None else ""


def _deprecated(element) -> str:
    """Shopify's @deprecated marks, kept: the emulator names them in
    X-Shopify-API-Deprecated-Reason, and documents are checked against them."""
    reason = getattr(element, "deprecation_reason", None)
    if reason is None:
        return ""
    return f" @deprecated(reason: {print_ast(ast_from_value(reason, GraphQLString))})"


def crossport_documents() -> list[str]:
    return [doc.source for doc in queries.all_documents().values()]


def main() -> None:
    official = specs_dir().joinpath(*OFFICIAL_SCHEMA_FILE)
    schema = build_schema(official.read_text(encoding="utf-8"), assume_valid=True)
    text = render(schema, collect(schema, crossport_documents()))
    Path(SUBSET_FILE).write_text(text, encoding="utf-8")
    print(f"wrote {SUBSET_FILE} ({text.count(chr(10))} lines)")


if __name__ == "__main__":
    main()
