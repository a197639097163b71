"""Static query cost, approximately by Shopify's rules: objects 1, connections 2 + first x child
cost, scalars and enums 0, every mutation field 10."""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)

MUTATION_COST = 10
MAX_QUERY_COST = 1000


def query_cost(
    schema: GraphQLSchema, document: DocumentNode, variables: dict, operation_name: str | None
) -> int:
    """The requested cost of the operation that would run."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if hasattr(d, "type_condition")}
    op = next(
        (
            o
            for o in operations
            if operation_name is None or (o.name and o.name.value == operation_name)
        ),
        None,
    )
    if op is None:
        return 0
    if op.operation == OperationType.MUTATION:
        return MUTATION_COST * sum(
            1 for s in op.selection_set.selections if isinstance(s, FieldNode)
        )
    walker = _Walker(schema, variables, fragments)
    return walker.selection_cost(op.selection_set, schema.query_type)


class _Walker:
    def __init__(self, schema: GraphQLSchema, variables: dict, fragments: dict):
        self.schema = schema
        self.variables = variables
        self.fragments = fragments

    def selection_cost(self, selection_set: SelectionSetNode | None, parent) -> int:
        if selection_set is None or not hasattr(parent, "fields"):
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition:
                    target = self.schema.get_type(selection.type_condition.name.value) or parent
                total += self.selection_cost(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value) or parent
                    total += self.selection_cost(fragment.selection_set, target)
        return total

    def field_cost(self, node: FieldNode, parent) -> int:
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        if named.name.endswith("Connection") and isinstance(named, GraphQLObjectType):
            size = self.argument(node, "first") or self.argument(node, "last") or 1
            return 2 + int(size) * self.connection_child_cost(node, named)
        return 1 + self.selection_cost(node.selection_set, named)

    def connection_child_cost(self, node: FieldNode, connection) -> int:
        # edges { node { ... } } and nodes { ... } cost per object; pageInfo is free.
        cost = 0
        for selection in node.selection_set.selections if node.selection_set else ():
            if not isinstance(selection, FieldNode):
                continue
            if selection.name.value == "nodes":
                cost += 1 + self.selection_cost(
                    selection.selection_set, get_named_type(connection.fields["nodes"].type)
                )
            elif selection.name.value == "edges":
                edge_type = get_named_type(connection.fields["edges"].type)
                for inner in selection.selection_set.selections:
                    if isinstance(inner, FieldNode) and inner.name.value == "node":
                        cost += 1 + self.selection_cost(
                            inner.selection_set, get_named_type(edge_type.fields["node"].type)
                        )
        return max(cost, 1)

    def argument(self, node: FieldNode, name: str):
        for arg in node.arguments or ():
            if arg.name.value == name:
                if isinstance(arg.value, VariableNode):
                    return self.variables.get(arg.value.name.value)
                return value_from_ast_untyped(arg.value)
        return None
