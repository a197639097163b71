"""The app's routes, read from its url_map (a new route is covered without editing a test), and
what each needs: the minimum role its require_shop guard declares (`view.min_role`), a valid-
shaped body from the OpenAPI registry's schema, and a snapshot of a shop's rows."""

from __future__ import annotations

import hashlib
import re

from cryptography.fernet import Fernet
from marshmallow import fields, validate
from sqlalchemy import select

from core.settings import Settings

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
PARAM = re.compile(r"<(?:(?P<kind>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def bare_app():
    """An app built only to read its routes (nothing is connected at build time)."""
    from app import create_app

    settings = Settings(
        env="test",
        database_url="sqlite://",
        redis_url="redis://127.0.0.1:1/0",
        secret_key="route-enumeration-only",
        encryption_keys=(Fernet.generate_key().decode(),),
        shopify_api_key="k",
        shopify_api_secret="s" * 32,
    )
    return create_app({"SETTINGS": settings, "TESTING": True})


def routes() -> list[tuple[str, str, str | None]]:
    """(rule, method, min_role or None when the view has no require_shop guard)."""
    app = bare_app()
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        min_role = getattr(app.view_functions[rule.endpoint], "min_role", None)
        for method in rule.methods - SKIPPED_METHODS:
            found.add((rule.rule, method, min_role))
    return sorted(found)


def params(rule: str) -> list[tuple[str | None, str]]:
    """[(converter or None, name)] of the rule's path parameters."""
    return [(m.group("kind"), m.group("name")) for m in PARAM.finditer(rule)]


def fill(rule: str, values: dict[str, object]) -> str:
    return PARAM.sub(lambda m: str(values[m.group("name")]), rule)


def _sample(field: fields.Field, ids: dict[str, int]):
    one_of = [v for v in field.validators if isinstance(v, validate.OneOf)]
    if one_of:
        return list(one_of[0].choices)[0]
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, fields.Integer):
        return 1
    if isinstance(field, fields.Decimal | fields.Float):
        return "1.5"
    if isinstance(field, fields.List):
        return [_sample(field.inner, ids)]
    if isinstance(field, fields.Dict):
        return {}
    if isinstance(field, fields.Nested):
        return {}
    return "HOME"


def valid_body(rule: str, method: str, ids: dict[str, int] | None = None) -> dict | None:
    """A body of the shape the registry's schema loads (None when the route declares none).
    An `*_ids` list carries the ids given for it (e.g. product_ids -> the product's id)."""
    from web.api.registry import OPERATIONS

    for op in OPERATIONS.values():
        if "/api" + op.rule == rule and op.method == method.lower() and op.body is not None:
            body = {}
            for name, field in op.body.fields.items():
                key = name.removesuffix("s") if name.endswith("_ids") else name
                if ids and key in ids:
                    body[name] = [ids[key]] if name.endswith("_ids") else ids[key]
                else:
                    body[name] = _sample(field, ids or {})
            if "marketplace_ids" in body:
                body["marketplace_ids"] = ["ATVPDKIKX0DER"]
            return body
    return None


def id_query(rule: str, method: str, ids: dict[str, int]) -> dict:
    """The query fields of the registry's schema that name a row (`*_id` integers), set to
    the given ids (None for a name not given)."""
    from web.api.registry import OPERATIONS

    for op in OPERATIONS.values():
        if "/api" + op.rule == rule and op.method == method.lower() and op.query is not None:
            return {
                name: ids.get(name)
                for name, field in op.query.fields.items()
                if name.endswith("_id") and isinstance(field, fields.Integer)
            }
    return {}


def snapshot(db, shop_id: int) -> tuple[int, str]:
    """(row count, hash) over the shop's row and every row of every table with a shop_id."""
    rows = []
    for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
        if table.name == "shops":
            query = select(table).where(table.c.id == shop_id)
        elif "shop_id" in table.c:
            query = select(table).where(table.c.shop_id == shop_id)
        else:
            continue
        for row in db.session.execute(query).all():
            rows.append(f"{table.name}:{sorted(row._mapping.items(), key=lambda kv: kv[0])!r}")
    rows.sort()
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def queued_for(shop_id: int) -> list[str]:
    """Ids of the RQ jobs (waiting, scheduled or done) whose meta names the shop."""
    from rq.job import Job

    from core.redis import get_redis

    redis = get_redis()
    found = []
    for key in redis.scan_iter("rq:job:*"):
        job_id = key.decode().removeprefix("rq:job:")
        if ":" in job_id:
            continue  # rq's own sub-keys (dependents, ...)
        try:
            job = Job.fetch(job_id, connection=redis)
        except Exception:  # noqa: BLE001 - a key of another kind: not a job
            continue
        if (job.meta or {}).get("shop_id") == shop_id:
            found.append(job_id)
    return sorted(found)
