"""A local emulator of Amazon's Selling Partner API and Login with Amazon (see app.py)."""

from .app import create_emulator

__all__ = ["create_emulator"]
