"""The brush registry: every module in this package that defines `BRUSH` is a brush.

Adding a brush is adding one module (plus its trained renderer weights); nothing else names brushes.
"""

from __future__ import annotations

import importlib
import pkgutil

from brushes.base import Brush, Param

__all__ = ["Brush", "Param", "get_brush", "brush_names", "all_brushes"]


def _discover() -> dict[str, Brush]:
    found: dict[str, Brush] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        brush = getattr(module, "BRUSH", None)
        if isinstance(brush, Brush):
            assert brush.name not in found, f"two brushes are named {brush.name!r}"
            found[brush.name] = brush
    return found


_REGISTRY = _discover()


def brush_names() -> list[str]:
    """Names of the registered brushes, sorted."""
    return sorted(_REGISTRY)


def all_brushes() -> list[Brush]:
    return [_REGISTRY[name] for name in brush_names()]


def get_brush(name: str) -> Brush:
    """The brush registered under `name`; ValueError naming the known brushes otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown brush {name!r}; known brushes: {', '.join(brush_names())}") from None
