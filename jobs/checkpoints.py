"""Checkpoints: where a periodic sweep of one shop stopped, so the next one starts there."""

from __future__ import annotations

from core.db import db
from core.models import Checkpoint


def checkpoint_row(shop_id: int, name: str) -> Checkpoint:
    """The shop's checkpoint row of that name, created empty (value "") on first use.

    A new row is committed at once: the caller goes on to call its platform, and a write
    transaction held across that call locks SQLite's single writer, so the API log (written
    from its own session for every call) waited 15 s and failed with "database is locked"."""
    row = db.session.query(Checkpoint).filter_by(shop_id=shop_id, name=name).first()
    if row is None:
        row = Checkpoint(shop_id=shop_id, name=name, value="")
        db.session.add(row)
        db.session.commit()
    return row
