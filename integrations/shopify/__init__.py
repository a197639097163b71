"""Shopify: install (OAuth), expiring tokens, session tokens, webhook signatures, the GraphQL
client with cost-based pacing, bulk import and the store adapter."""
