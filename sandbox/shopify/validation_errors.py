"""A document's validation errors shaped as Shopify's Admin API shapes them (GraphQL-Ruby's
static validation): each with the `path` from the operation to the offending field or argument
and an `extensions.code` naming the kind of error, as the capture
../shared/specs/shopify/conformance-captures/2026-04.webhook-subscription-conformance.json
(graphqlValidation) shows:

    {"message": "Field 'webhookSubscriptionCreate' is missing required arguments: topic",
     "locations": [{"line": 2, "column": 3}],
     "path": ["mutation MissingCreateWebhookTopic", "webhookSubscriptionCreate"],
     "extensions": {"code": "missingRequiredArguments", "className": "Field",
                    "name": "webhookSubscriptionCreate", "arguments": "topic"}}

The four kinds a client meets most are worded as Shopify words them (missingRequiredArguments
and argumentLiteralsIncompatible from the capture; undefinedField and argumentNotAccepted as
GraphQL-Ruby words them); the others keep graphql-core's message with a code of the same style.
"""

from __future__ import annotations

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    ObjectFieldNode,
    OperationDefinitionNode,
    print_ast,
    specified_rules,
    validate,
)

_CODES = {
    "FieldsOnCorrectTypeRule": "undefinedField",
    "ProvidedRequiredArgumentsRule": "missingRequiredArguments",
    "ValuesOfCorrectTypeRule": "argumentLiteralsIncompatible",
    "KnownArgumentNamesRule": "argumentNotAccepted",
    "KnownTypeNamesRule": "undefinedType",
    "NoUndefinedVariablesRule": "variableNotDefined",
    "NoUnusedVariablesRule": "variableNotUsed",
    "ScalarLeafsRule": "selectionMismatch",
    "VariablesInAllowedPositionRule": "variableMismatch",
    "KnownFragmentNamesRule": "undefinedFragment",
    "NoUnusedFragmentsRule": "useAndDefineFragment",
}


class _Where:
    """For every field, argument and value node: its path and the field it belongs to."""

    def __init__(self, document: DocumentNode):
        self.path: dict[int, list] = {}
        self.field: dict[int, FieldNode] = {}
        self.argument: dict[int, ArgumentNode] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                kind = definition.operation.value
                label = f"{kind} {definition.name.value}" if definition.name else kind
            elif isinstance(definition, FragmentDefinitionNode):
                label = f"fragment {definition.name.value}"
            else:
                continue
            self._selections(definition.selection_set, [label])

    def _selections(self, selection_set, path: list) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                here = [*path, selection.name.value]
                self.path[id(selection)] = here
                self.field[id(selection)] = selection
                for argument in selection.arguments or ():
                    self._value(argument, argument.value, [*here, argument.name.value], selection)
                self._selections(selection.selection_set, here)
            else:  # an inline fragment: its fields sit on the same path
                self._selections(getattr(selection, "selection_set", None), path)

    def _value(self, argument: ArgumentNode, node, path: list, field: FieldNode) -> None:
        for key in (id(node), id(argument)):
            self.path[key], self.field[key], self.argument[key] = path, field, argument
        for inner in getattr(node, "fields", None) or ():
            if isinstance(inner, ObjectFieldNode):
                self._value(argument, inner.value, path, field)
        for inner in getattr(node, "values", None) or ():
            self._value(argument, inner, path, field)


def shopify_errors(schema: GraphQLSchema, document: DocumentNode) -> list[dict]:
    """The document's validation errors, Shopify-shaped; [] when it is valid."""
    where = _Where(document)
    shaped: list[dict] = []
    missing: dict[int, dict] = {}  # one missingRequiredArguments error per field
    for rule in specified_rules:
        for error in validate(schema, document, [rule]):
            code = _CODES.get(rule.__name__, "validationError")
            node = error.nodes[0] if error.nodes else None
            if code == "missingRequiredArguments" and node is not None:
                entry = missing.get(id(node))
                argument = error.message.split("argument '", 1)[1].split("'", 1)[0]
                if entry is not None:
                    entry["extensions"]["arguments"] += f", {argument}"
                    entry["message"] += f", {argument}"
                    continue
                entry = _missing_arguments(node, argument, where, error)
                missing[id(node)] = entry
                shaped.append(entry)
                continue
            shaped.append(_shaped(error, code, node, where))
    return shaped


def _locations(error: GraphQLError, node=None) -> list[dict]:
    if node is not None and node.loc is not None:
        location = node.loc.source.get_location(node.loc.start)
        return [{"line": location.line, "column": location.column}]
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]


def _missing_arguments(field: FieldNode, argument: str, where: _Where, error) -> dict:
    name = field.name.value
    return {
        "message": f"Field '{name}' is missing required arguments: {argument}",
        "locations": _locations(error, field),
        "path": where.path.get(id(field), []),
        "extensions": {
            "code": "missingRequiredArguments",
            "className": "Field",
            "name": name,
            "arguments": argument,
        },
    }


def _shaped(error: GraphQLError, code: str, node, where: _Where) -> dict:
    path = where.path.get(id(node)) if node is not None else None
    field = where.field.get(id(node)) if node is not None else None
    argument = where.argument.get(id(node)) if node is not None else None
    message, extensions, location_node = error.message, {"code": code}, None
    if code == "undefinedField" and isinstance(node, FieldNode):
        type_name = error.message.split("on type '", 1)[1].split("'", 1)[0]
        message = f"Field '{node.name.value}' doesn't exist on type '{type_name}'"
        extensions.update(typeName=type_name, fieldName=node.name.value)
    elif code == "argumentLiteralsIncompatible" and field is not None and argument is not None:
        expected = error.message.split("of type '", 1)[-1].split("'", 1)[0]
        message = (
            f"Argument '{argument.name.value}' on Field '{field.name.value}' has an invalid "
            f"value ({print_ast(argument.value)}). Expected type '{expected}'."
        )
        extensions.update(typeName="Field", argumentName=argument.name.value)
        location_node = field  # Shopify points at the field, as in the capture
    elif code == "argumentNotAccepted" and field is not None and argument is not None:
        message = f"Field '{field.name.value}' doesn't accept argument '{argument.name.value}'"
        extensions.update(name=field.name.value, typeName="Field", argumentName=argument.name.value)
    shaped: dict = {"message": message, "locations": _locations(error, location_node)}
    if path:
        shaped["path"] = path
    shaped["extensions"] = extensions
    return shaped
