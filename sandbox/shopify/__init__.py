"""A local Shopify: OAuth, Admin GraphQL, cost throttling and signed webhooks; many shops."""

from sandbox.shopify.app import create_emulator

__all__ = ["create_emulator"]
