"""The mapping API: product types to choose from, their forms, mapping profiles, live samples.

Importing the route modules registers their operations on the API blueprint (no I/O here).
"""

from web.api.mapping import (  # noqa: F401  (imported for their routes)
    forms,
    product_types,
    profiles,
    samples,
)
