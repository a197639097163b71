"""The page and API fixtures (shops with staff, signed tokens) for the attack suite too."""

from tests.web.conftest import bearer, shop_a, shop_b  # noqa: F401  (fixtures)
