"""Numbered releases of the register (issue 14): making one (`make_release`), reading one
(`routing`: `?release=N` through the release router) and comparing two (`diff`).
docs/releases.md explains the design."""

from .making import make_release

__all__ = ["make_release"]
