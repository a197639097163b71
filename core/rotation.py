"""Key rotation: re-encrypt every stored secret under the newest key, so old keys can be retired."""

from __future__ import annotations

from sqlalchemy import Text, cast, literal, select, update

from core.crypto import EncryptedText, active_keyring
from core.db import Base, db


def encrypted_columns():
    """(table, column) for every EncryptedText column in the schema."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                yield table, column


def rotate_all_secrets() -> int:
    """Re-encrypt each stored ciphertext with the newest key; returns how many were rewritten.

    The ciphertext is read and written as plain Text so the column type does not decrypt it.
    """
    keyring = active_keyring()
    count = 0
    for table, column in encrypted_columns():
        rows = db.session.execute(
            select(table.c.id, cast(column, Text)).where(column.is_not(None))
        ).all()
        for row_id, ciphertext in rows:
            rotated = literal(keyring.rotate(ciphertext), type_=Text)
            db.session.execute(
                update(table).where(table.c.id == row_id).values({column.name: rotated})
            )
            count += 1
    db.session.commit()
    return count
