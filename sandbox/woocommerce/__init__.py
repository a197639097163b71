"""A local emulator of a WooCommerce store's REST API, key flow, webhooks and wp-admin."""

from sandbox.woocommerce.app import create_emulator

__all__ = ["create_emulator"]
