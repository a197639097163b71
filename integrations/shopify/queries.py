"""Every GraphQL document Crossport sends to Shopify, one .graphql file each in ./graphql/.

The client only sends documents by name from here, so a test can find and validate all of them
against the Admin schema; nothing builds a document at run time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

DOCUMENTS_DIR = Path(__file__).resolve().parent / "graphql"


@dataclass(frozen=True)
class Document:
    name: str
    source: str

    @property
    def is_mutation(self) -> bool:
        lines = [
            ln for ln in self.source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
        ]
        return bool(lines) and lines[0].lstrip().startswith("mutation")


@functools.cache
def all_documents() -> dict[str, Document]:
    """name (file stem) -> Document, for every file in ./graphql/."""
    return {
        path.stem: Document(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(DOCUMENTS_DIR.glob("*.graphql"))
    }


def document(name: str) -> Document:
    try:
        return all_documents()[name]
    except KeyError:
        raise KeyError(f"no GraphQL document {name!r} in {DOCUMENTS_DIR}") from None
