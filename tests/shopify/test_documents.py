"""Every GraphQL document Crossport can send is valid against the 2026-07 Admin schema."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from graphql import parse, validate

from integrations.shopify import queries

PACKAGE = Path(queries.__file__).resolve().parent
INLINE_GRAPHQL = re.compile(r"^\s*(query|mutation|subscription|fragment)\b[^{]*\{", re.MULTILINE)


@pytest.fixture(scope="module")
def schema(official_schema):
    return official_schema


def test_every_document_in_the_folder_is_valid(schema):
    documents = queries.all_documents()
    assert len(documents) == len(list(queries.DOCUMENTS_DIR.glob("*.graphql"))) >= 15
    problems = {}
    for name, doc in documents.items():
        errors = validate(schema, parse(doc.source))
        if errors:
            problems[name] = [e.message for e in errors]
        # one named operation per file, named like the file: logs and the emulator show it
        [op] = [d for d in parse(doc.source).definitions]
        assert op.name and op.name.value == name
    assert problems == {}


def test_no_graphql_is_written_anywhere_else_in_the_integration():
    # The client sends documents by name only; a string that looks like a document in the
    # Python code would escape the validation above.
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if INLINE_GRAPHQL.search(node.value) and "{" in node.value:
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_the_client_refuses_unknown_documents():
    with pytest.raises(KeyError):
        queries.document("NotADocument")


def test_an_invalid_document_is_an_error_like_shopify(installed):
    import requests

    env, shop = installed
    response = requests.post(
        f"{env.emulator.url}/store/{env.shop}/admin/api/2026-07/graphql.json",
        json={"query": "{ products(first: 1) { nodes { id notAField } } }"},
        timeout=5,
        headers={"X-Shopify-Access-Token": shop.connection.access_token},
    )
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert "notAField" in error["message"] and error["locations"]
    assert "data" not in response.json()
