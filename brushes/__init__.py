"""The brush registry: every module in this package that defines `BRUSH` is a built-in brush, and every
brush made with `paint brushes new` (a folder in the user folder, see brushes.scanned) is a user brush.

Adding a brush is adding one module (plus its trained renderer weights) or one user folder; nothing
else names brushes. A built-in name always wins over a user brush of the same name.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from brushes.base import Brush, Param
from brushes.home import USER_BRUSH_NAME, user_brush_dir

__all__ = ["Brush", "Param", "get_brush", "brush_names", "all_brushes", "is_builtin", "user_brushes"]


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
# User brushes read so far, keyed by folder, with the modification times they were read at: a brush
# is read again only when its files change, so every caller in a process shares one brush object.
_USER_CACHE: dict[Path, tuple[tuple[int, ...], Brush]] = {}


def is_builtin(name: str) -> bool:
    """Whether `name` is a brush shipped in this package (which `paint brushes remove` never removes)."""
    return name in _REGISTRY


def _read_user_brush(folder: Path) -> Brush:
    """The user brush in `folder`, from the cache while its files are unchanged; ValueError if unreadable."""
    from brushes.scanned import SPEC_FILE, TEXTURE_FILE, load_scanned

    stamp = tuple((folder / f).stat().st_mtime_ns if (folder / f).exists() else 0 for f in (SPEC_FILE, TEXTURE_FILE))
    cached = _USER_CACHE.get(folder)
    if cached is None or cached[0] != stamp:
        _USER_CACHE[folder] = (stamp, load_scanned(folder))
    return _USER_CACHE[folder][1]


def user_brushes() -> dict[str, Brush]:
    """The readable user brushes, by name (a folder that cannot be read is left out here; `get_brush` on
    its name says what is wrong with it)."""
    root = user_brush_dir()
    found: dict[str, Brush] = {}
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.is_dir() and folder.name not in _REGISTRY:
            try:
                found[folder.name] = _read_user_brush(folder)
            except ValueError:
                continue
    return found


def brush_names() -> list[str]:
    """Names of the registered brushes, built-in and the user's, sorted."""
    return sorted({*_REGISTRY, *user_brushes()})


def all_brushes() -> list[Brush]:
    """Every brush, built-in and the user's, sorted by name."""
    user = user_brushes()
    return [_REGISTRY.get(name) or user[name] for name in brush_names()]


def get_brush(name: str) -> Brush:
    """The brush registered under `name`, built-in or in the user folder; ValueError naming the known
    brushes otherwise (or what is wrong with the user brush of that name)."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    if isinstance(name, str) and USER_BRUSH_NAME.fullmatch(name) and (user_brush_dir() / name).is_dir():
        return _read_user_brush(user_brush_dir() / name)
    raise ValueError(f"unknown brush {name!r}; known brushes: {', '.join(brush_names())}")
