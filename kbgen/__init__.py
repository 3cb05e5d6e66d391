"""kbgen: a static site generator for self-service help centers."""

from __future__ import annotations

__version__ = "0.1.0"
