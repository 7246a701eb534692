"""What `paint` was given: one photo, several, folders of photos, or a video clip."""

from __future__ import annotations

import os
from pathlib import Path

# Read by Pillow (painter.images.load_photo); a folder is searched for these, case-insensitively.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp")
# Read through imageio's ffmpeg plugin; ffmpeg reads many more, but these are the clip formats people have.
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp", ".ts")


def is_video(path: str | Path) -> bool:
    """Whether `path` names a video clip (by its extension)."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def find_photos(inputs: list[str | Path]) -> list[Path]:
    """The photos to paint: files as given, and every photo directly inside a folder (sorted by name).
    ValueError for an empty folder, a folder without photos, or a video among photos;
    FileNotFoundError for a missing path."""
    photos: list[Path] = []
    for given in inputs:
        path = Path(given)
        if not path.exists():
            raise FileNotFoundError(f"no such photo or folder: {path}")
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if not p.name.startswith("."))
            if not entries:
                raise ValueError(f"folder {path} is empty; there is nothing to paint")
            # Not only regular files: a link to nothing, a loop of links or a device named like a photo is
            # listed, and fails by name as a damaged photo does, rather than vanishing from the batch.
            found = [p for p in entries if p.suffix.lower() in PHOTO_SUFFIXES and not p.is_dir()]
            if not found:
                kinds = " ".join(PHOTO_SUFFIXES)
                raise ValueError(f"folder {path} holds no photos (looked for {kinds})")
            photos += found
        elif is_video(path):
            raise ValueError(f"{path} is a video; paint a video on its own: paint {path}")
        else:
            photos.append(path)
    real = [os.path.realpath(p) for p in photos]  # unlike Path.resolve, never raises for a loop of links
    unique = list(dict.fromkeys(real))
    if len(unique) < len(photos):
        photos = [photos[real.index(u)] for u in unique]  # each photo painted once
    return photos
