"""An emulator of the European Central Bank's daily reference-rates file (the FX refresh)."""

from .app import create_fx

__all__ = ["create_fx"]
