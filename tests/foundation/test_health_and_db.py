from dataclasses import replace

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.models import OrderLink, Shop


def test_health_reports_database_redis_queues_and_workers(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert set(body["queues"]) == {"webhooks", "sync", "listings", "orders", "bulk", "periodic"}
    assert body["workers"] == 0


def test_health_is_503_when_redis_is_down(app_factory, test_settings):
    app = app_factory(redis_url="redis://127.0.0.1:1/0")
    with app.app_context():
        response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["redis"].startswith("down")


def test_migrations_create_every_model_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_order_link_is_unique_per_amazon_order_and_marketplace(app):
    shop = Shop(platform="shopify", domain="u.myshopify.com")
    db.session.add(shop)
    db.session.commit()
    db.session.add(
        OrderLink(shop_id=shop.id, amazon_order_id="111-1", marketplace_id="ATVPDKIKX0DER")
    )
    db.session.commit()
    db.session.add(
        OrderLink(shop_id=shop.id, amazon_order_id="111-1", marketplace_id="ATVPDKIKX0DER")
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_create_app_does_no_io(test_settings):
    from app import create_app

    # an unreachable Redis and a database path that does not exist yet: building must not touch them
    settings = replace(
        test_settings,
        redis_url="redis://127.0.0.1:1/0",
        database_url="sqlite:////nonexistent-dir/x.db",
    )
    create_app({"SETTINGS": settings})


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        assert compare_metadata(context, db.metadata) == []
