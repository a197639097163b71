"""Crossport's Amazon side: seller authorization, the SP-API client layer and its operations."""
