"""Deleting old rows a batch at a time, for the retention purges."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, select

from core.db import db

# Rows per DELETE: each batch is its own short transaction, so on PostgreSQL a purge of a big
# table never holds row locks (or bloats one transaction's undo) for the whole run, and the
# webhook endpoints writing to the same table meanwhile wait for a batch at most.
PURGE_BATCH = 1000


def delete_in_batches(model, *conditions: ColumnElement[bool], batch: int = PURGE_BATCH) -> int:
    """Delete the rows of `model` matching every condition, oldest ids first, committing after
    each batch; returns how many went."""
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    deleted = 0
    while True:
        ids = db.session.scalars(
            select(model.id).where(*conditions).order_by(model.id).limit(batch)
        ).all()
        if not ids:
            return deleted
        # the conditions again: a row may have changed since it was read (e.g. been re-queued)
        result = db.session.execute(delete(model).where(model.id.in_(ids), *conditions))
        db.session.commit()
        deleted += result.rowcount or 0
        if len(ids) < batch:
            return deleted
