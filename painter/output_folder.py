"""Where a painting's files go, and the rule that keeps two runs from ever mixing in one folder.

The rule: an output folder holds one painting's set of files. A folder that does not exist is made; a
folder holding an earlier painting (it has that painting's metrics.json and nothing but painting files)
is replaced as a whole; any other non-empty folder, or one that holds the photo being painted, is
refused before any work. The new set is written into a hidden folder beside the target and swapped into
its place only when complete, so an interrupted or failed write leaves the earlier painting as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import imageio.v3 as iio

from painter import leftovers
from painter.animation import animation_files, write_animated_svg, write_mp4
from painter.exporters import write_gif, write_image, write_svg
from painter.files import atomic_path, json_text, to_uint8, write_bytes_atomic

SET_FILES = (
    "painting.png",
    "painting.svg",
    "strokes.json",
    "process.gif",
    "process.mp4",
    "painting-animated.svg",
    "style.png",
    "metrics.json",
)
# One file chosen by its extension: `paint photo.jpg -o painting.svg`.
SINGLE_FILES = (".png", ".jpg", ".jpeg", ".webp", ".svg", ".json", ".gif", ".mp4")


def _is_earlier_set(folder: Path, files: tuple[str, ...], marker: str) -> bool:
    """Whether `folder` holds nothing but an earlier set of `files`, its metrics.json saying `marker`."""
    names = {p.name for p in folder.iterdir()}
    if "metrics.json" not in names or not names <= set(files):
        return False
    try:
        return marker in json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def _check_writable(folder: Path, what: str) -> None:
    """Make sure a file can be created in `folder` (the nearest existing ancestor, when it is missing)."""
    place = folder
    while not place.exists():
        if place.parent == place:
            break
        place = place.parent
    if not place.is_dir():
        raise ValueError(f"cannot write {what}: {place} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".paint-probe-", dir=place)
    except OSError as err:
        raise ValueError(f"cannot write {what}: {place} is not writable ({err.strerror})") from None
    os.close(fd)
    os.remove(probe)


def check_folder(
    folder: str | Path,
    photo: str | Path | None = None,
    files: tuple[str, ...] = SET_FILES,
    marker: str = "settings",
    what: str = "painting",
) -> Path:
    """Check, before painting, that `folder` can take a set of `files` under the rule above (an earlier set is
    one whose metrics.json has the key `marker`); ValueError if not."""
    folder = Path(folder)
    if not str(folder):
        raise ValueError("the output folder name is empty")
    leftovers.recover(folder)  # an earlier painting a killed run left hidden is back before the rule is applied
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output folder {folder} is a file")
    if folder.is_dir():
        if photo is not None and Path(photo).resolve().parent == folder.resolve():
            raise ValueError(f"output folder {folder} holds the photo being painted; choose another folder")
        if any(folder.iterdir()) and not _is_earlier_set(folder, files, marker):
            raise ValueError(
                f"output folder {folder} holds other files; choose an empty or new folder (an earlier "
                f"{what}'s folder is replaced as a whole)"
            )
    _check_writable(folder.parent, f"into {folder}")  # the new set is made beside the folder
    return folder


def save_result(result, folder: Path) -> Path:
    """Write a PaintResult's set of files as `folder`, replacing an earlier painting there as a whole."""
    check_folder(folder)
    return replace_folder(folder, lambda partial: _write_set(result, partial))


def save_strokes_only(result, folder: Path) -> Path:
    """Write only strokes.json and metrics.json (marked interrupted, `"written": "strokes only"`) as `folder`:
    what a second Ctrl-C keeps when writing the whole set takes too long. Milliseconds for 50,000 strokes;
    `paint render folder/strokes.json` draws the rest later."""
    check_folder(folder)
    metrics = dict(result.metrics, interrupted=True, written="strokes only")

    def write(partial: Path) -> None:
        (partial / "strokes.json").write_text(result.painting.to_json(), encoding="utf-8")
        (partial / "metrics.json").write_text(json_text(metrics, indent=1), encoding="utf-8")

    return replace_folder(folder, write)


def replace_folder(folder: Path, write: Callable[[Path], None]) -> Path:
    """Make `folder` hold what `write(partial)` writes into a fresh hidden folder beside it: swapped into place
    when complete, replacing what was there as a whole; on failure nothing changes. Both hidden folders hold
    a lock while this runs, so that after a kill the next run clears them and, when the kill came between
    the two renames, moves the earlier painting back (painter.leftovers.recover)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    leftovers.recover(folder)
    partial, held = leftovers.make_held_folder(folder.parent, leftovers.partial_prefix(folder))
    try:
        os.chmod(partial, 0o777 & ~_umask())  # mkdtemp makes it private; the result gets the usual permissions
        write(partial)
        if folder.exists():
            old, old_held = leftovers.make_held_folder(folder.parent, leftovers.old_prefix(folder))
            os.replace(folder, old / "set")
            try:
                (partial / leftovers.LOCK).unlink()  # the painting's folder holds its files only
                os.replace(partial, folder)
            except OSError:
                os.replace(old / "set", folder)  # the earlier painting back where it was
                raise
            finally:
                old_held.release()  # from here, should the removal fail, the next run clears it
            shutil.rmtree(old, ignore_errors=True)
        else:
            (partial / leftovers.LOCK).unlink()
            os.replace(partial, folder)
    except OSError as err:
        raise OSError(err.errno, f"cannot write into {folder}: {err.strerror or err}") from None
    finally:
        held.release()
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return folder


def _write_set(result, folder: Path) -> None:
    """Every file of the set into `folder` (a private, fresh folder: no atomic renames needed)."""
    size = result.settings.output_size
    (folder / "strokes.json").write_text(result.painting.to_json(), encoding="utf-8")  # first: the cheapest
    write_image(result.image, folder / "painting.png")
    write_svg(result.painting, folder / "painting.svg", size)
    made = animation_files(result.settings.animation)
    if "process.gif" in made:
        write_gif(result.painting, folder / "process.gif")
    if "process.mp4" in made:
        write_mp4(result.painting, folder / "process.mp4")
    if made:  # the strokes appearing one by one, in any browser
        write_animated_svg(result.painting, folder / "painting-animated.svg", size)
    if result.style_image is not None:
        write_image(result.style_image, folder / "style.png")
    (folder / "metrics.json").write_text(json_text(result.metrics, indent=1), encoding="utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_single(path: str | Path, inputs: tuple[str | Path | None, ...] = ()) -> Path:
    """Check, before painting, that one output file of this kind can be written at `path`, and that it is
    none of `inputs` (the photo, the style image) by any name: a link, a hard link or another spelling of
    the same path would otherwise have the painting replace the photo."""
    path = Path(path)
    if path.suffix.lower() not in SINGLE_FILES:
        kinds = ", ".join(SINGLE_FILES)
        raise ValueError(f"unknown output type {path.suffix or '(none)'!r} for {path}; use one of {kinds}")
    if path.is_dir():
        raise ValueError(f"output file {path} is a folder")
    for given in inputs:
        if given is not None and path.exists() and Path(given).exists() and os.path.samefile(path, given):
            raise ValueError(f"output file {path} is {given}, which is being painted; choose another name")
    _check_writable(path.parent, str(path))
    return path


def write_single(result, path: Path) -> Path:
    """One file of the painting, its kind chosen by the extension (SINGLE_FILES), written atomically."""
    check_single(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":
        write_svg(result.painting, path, result.settings.output_size)
    elif suffix == ".json":
        write_bytes_atomic(path, result.painting.to_json().encode("utf-8"))
    elif suffix == ".gif":
        write_gif(result.painting, path)
    elif suffix == ".mp4":
        write_mp4(result.painting, path)
    else:
        with atomic_path(path) as tmp:
            iio.imwrite(tmp, to_uint8(result.image), extension=suffix)
    return path
