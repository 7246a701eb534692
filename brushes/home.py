"""The user's own folder for paint's files: trained renderer weights and brushes made from scans.

It sits at the bottom of the package tree (brushes) because both the brush registry and the renderer
checkpoints look there, and renderers already depend on brushes, never the other way round.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HOME_ENV = "PAINT_HOME"
# A user brush's name is its folder's: a file name on every platform, and a readable flag value.
USER_BRUSH_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def user_data_dir() -> Path:
    """The folder for the user's own files: $PAINT_HOME, else ~/.local/share/paint (or
    $XDG_DATA_HOME/paint) on Linux, ~/Library/Application Support/paint on macOS and
    %LOCALAPPDATA%\\paint on Windows."""
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "paint"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "paint"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "paint"


def user_brush_dir() -> Path:
    """Where brushes made with `paint brushes new` live, one folder per brush."""
    return user_data_dir() / "brushes"
