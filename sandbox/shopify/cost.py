"""Query cost by Shopify's rules (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits,
"Cost calculation"): scalars and enums 0, objects 1, connections 2 + first x the cost of a node,
a mutation 10 plus what its payload selects. The requested cost is reckoned before running, on
the page sizes asked; the actual cost on what came back (a page of 2 where 25 were asked, a null
object), and Shopify refunds the difference to the bucket. The captures show both, e.g.
inventorySetQuantities with a group, its changes, their item and location: requested 14, actual
14; a product page asked for 10 images and 25 variants: requested 39, actual 10
(../shared/specs/shopify/conformance-captures/2026-04.inventorySetQuantities-quantity-bounds,
2025-01.product-set-parity). userErrors are not charged (the 14 above leaves nothing for them)."""

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
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict,
    operation_name: str | None,
    data: dict | None = None,
) -> int:
    """The requested cost of the operation that would run; with `data` (its result), the actual
    cost of what it returned."""
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
    walker = _Walker(schema, variables, fragments)
    if op.operation == OperationType.MUTATION:
        total = 0
        for node in op.selection_set.selections:
            if not isinstance(node, FieldNode):
                continue
            definition = schema.mutation_type.fields.get(node.name.value)
            payload = get_named_type(definition.type) if definition else None
            returned = None
            if data is not None:
                returned = data.get(node.alias.value if node.alias else node.name.value) or {}
            total += MUTATION_COST + walker.payload_cost(node.selection_set, payload, returned)
        return total
    if data is None:
        return walker.selection_cost(op.selection_set, schema.query_type)
    return walker.actual_cost(op.selection_set, schema.query_type, data)


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
        if definition is None or _uncharged(node):
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

    def payload_cost(self, selection_set: SelectionSetNode | None, payload, data) -> int:
        """A mutation's payload: its own fields (job, order, ...) are covered by the 10, what
        they select beneath is charged (orderCancel's job { id done }: 10; inventorySetQuantities'
        group { changes { item location } }: 13, as captured)."""
        if selection_set is None or not hasattr(payload, "fields"):
            return 0
        total = 0
        for node in selection_set.selections:
            if not isinstance(node, FieldNode) or _uncharged(node):
                continue
            definition = payload.fields.get(node.name.value)
            named = get_named_type(definition.type) if definition else None
            if named is None or is_leaf_type(named):
                continue
            if data is None:
                total += max(0, self.field_cost(node, payload) - 1)
            else:
                total += max(0, self.actual_field_cost(node, payload, data) - 1)
        return total

    def actual_cost(self, selection_set: SelectionSetNode | None, parent, data) -> int:
        """The cost of what `data` holds for this selection: null objects cost nothing, a
        connection 2 + each node returned, a list of objects as much as its dearest element."""
        if selection_set is None or not isinstance(data, dict) or not hasattr(parent, "fields"):
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.actual_field_cost(selection, parent, data)
            elif isinstance(selection, InlineFragmentNode | FragmentSpreadNode):
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment is None:
                        continue
                    condition, inner = fragment.type_condition, fragment.selection_set
                else:
                    condition, inner = selection.type_condition, selection.selection_set
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.actual_cost(inner, target or parent, data)
        return total

    def actual_field_cost(self, node: FieldNode, parent, data: dict) -> int:
        definition = parent.fields.get(node.name.value)
        value = data.get(node.alias.value if node.alias else node.name.value)
        if definition is None or value is None or _uncharged(node):
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        if named.name.endswith("Connection") and isinstance(named, GraphQLObjectType):
            cost = 2
            for selection in node.selection_set.selections if node.selection_set else ():
                if not isinstance(selection, FieldNode):
                    continue
                key = selection.alias.value if selection.alias else selection.name.value
                if selection.name.value == "nodes":
                    node_type = get_named_type(named.fields["nodes"].type)
                    for item in value.get(key) or []:
                        cost += 1 + self.actual_cost(selection.selection_set, node_type, item)
                elif selection.name.value == "edges":
                    edge_type = get_named_type(named.fields["edges"].type)
                    node_type = get_named_type(edge_type.fields["node"].type)
                    for edge in value.get(key) or []:
                        for inner in selection.selection_set.selections:
                            if isinstance(inner, FieldNode) and inner.name.value == "node":
                                item = (edge or {}).get(
                                    inner.alias.value if inner.alias else "node"
                                )
                                cost += 1 + self.actual_cost(inner.selection_set, node_type, item)
            return cost
        if isinstance(value, list):
            return 1 + max(
                (self.actual_cost(node.selection_set, named, item) for item in value), default=0
            )
        return 1 + self.actual_cost(node.selection_set, named, value)

    def argument(self, node: FieldNode, name: str):
        for arg in node.arguments or ():
            if arg.name.value == name:
                if isinstance(arg.value, VariableNode):
                    return self.variables.get(arg.value.name.value)
                return value_from_ast_untyped(arg.value)
        return None


def _uncharged(node: FieldNode) -> bool:
    """A payload's userErrors (userErrors, orderCancelUserErrors, ...) cost nothing."""
    return node.name.value == "userErrors" or node.name.value.endswith("UserErrors")
