"""The compiler's version, recorded in every wiring map header."""

from __future__ import annotations

__version__ = "0.1.0"
