"""Checkpoints: where a periodic sweep of one shop stopped, so the next one starts there."""

from __future__ import annotations

from core.db import db
from core.models import Checkpoint


def checkpoint_row(shop_id: int, name: str) -> Checkpoint:
    """The shop's checkpoint row of that name, created empty (value "") on first use."""
    row = db.session.query(Checkpoint).filter_by(shop_id=shop_id, name=name).first()
    if row is None:
        row = Checkpoint(shop_id=shop_id, name=name, value="")
        db.session.add(row)
        db.session.flush()
    return row
