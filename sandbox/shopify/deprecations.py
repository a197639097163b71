"""Which deprecated fields and arguments a document uses, named for Shopify's
X-Shopify-API-Deprecated-Reason header.

Since 2025-04 the header lists the deprecations a query used, comma separated, as
`Type.field` ("X-Shopify-API-Deprecated-Reason: Shop.products, Shop.productVariants",
https://shopify.dev/changelog/graphql-return-actual-deprecation-reasons). Shopify's example shows
fields only; a deprecated argument is named here as `Type.field.argument` (the emulator's own
choice). The marks are the official schema's @deprecated, kept in admin_schema.graphql.
"""

from __future__ import annotations

import functools

from graphql import TypeInfo, TypeInfoVisitor, Visitor, visit

from sandbox.shopify.schema import load_schema, parse_document


class _Finder(Visitor):
    def __init__(self, info: TypeInfo):
        super().__init__()
        self.info = info
        self.found: list[str] = []

    def _add(self, name: str) -> None:
        if name not in self.found:
            self.found.append(name)

    def enter_field(self, node, *_):
        parent, field = self.info.get_parent_type(), self.info.get_field_def()
        if parent is not None and field is not None and field.deprecation_reason is not None:
            self._add(f"{parent.name}.{node.name.value}")

    def enter_argument(self, node, *_):
        parent, field = self.info.get_parent_type(), self.info.get_field_def()
        argument = self.info.get_argument()
        if parent is None or field is None or argument is None:
            return
        if argument.deprecation_reason is not None:
            # the field's name: TypeInfo is inside the field while visiting its arguments
            field_name = next(n for n, f in parent.fields.items() if f is field)
            self._add(f"{parent.name}.{field_name}.{node.name.value}")


@functools.lru_cache(maxsize=512)
def deprecations(source: str) -> tuple[str, ...]:
    """The deprecated fields and arguments a (valid) document selects or passes."""
    info = TypeInfo(load_schema())
    finder = _Finder(info)
    visit(parse_document(source), TypeInfoVisitor(info, finder))
    return tuple(finder.found)
