"""What a killed run leaves behind, and how the next run clears it: scratch folders in the temp folder,
half-written `.NAME.partial-*` folders and an earlier painting left in `.NAME.old-*` by a kill between
the two renames of a folder swap.

Every such folder paint makes holds a lock file (LOCK) that its process keeps locked (flock) while it
lives; the kernel drops the lock when the process dies, SIGKILL included. A folder is cleared only when
it is provably paint's (its name has paint's pattern and it holds LOCK) and not in use (the lock can be
taken), so two runs at once never clear each other's work.

    with scratch_folder("paint-task-") as scratch:   # also clears scratch folders of dead runs
        ...
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

LOCK = ".paint-lock"  # inside every folder paint makes for itself; locked while its process lives
SCRATCH_PREFIX = "paint-"  # scratch folders in the temp folder: paint-*, paint-task-*, paint-frame-*


class Held:
    """A lock on `folder / LOCK`, made and taken; `release()` lets it go (the process's death does too)."""

    def __init__(self, folder: Path) -> None:
        self.fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing drops the flock
            self.fd = -1


def make_held_folder(parent: Path, prefix: str) -> tuple[Path, Held]:
    """A fresh folder `parent/prefix*` (mkdtemp, private) holding a lock this process keeps."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    return folder, Held(folder)


def unused(folder: Path) -> bool:
    """Whether `folder` is one paint made (it holds LOCK) and no living process holds its lock."""
    try:
        fd = os.open(folder / LOCK, os.O_RDWR)
    except OSError:
        return False  # no lock file: not provably paint's, or already being removed
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


@contextlib.contextmanager
def scratch_folder(prefix: str = SCRATCH_PREFIX) -> Iterator[Path]:
    """A private scratch folder in the temp folder, removed on leaving; scratch folders that dead runs
    left (a SIGKILL skips every cleanup) are removed first."""
    assert prefix.startswith(SCRATCH_PREFIX), prefix
    parent = Path(tempfile.gettempdir())
    clear_scratch(parent)
    folder, held = make_held_folder(parent, prefix)
    try:
        yield folder
    finally:
        held.release()
        shutil.rmtree(folder, ignore_errors=True)


def clear_scratch(parent: Path) -> list[Path]:
    """Remove the scratch folders of dead runs from `parent` (the temp folder); the folders removed."""
    removed = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(SCRATCH_PREFIX) and not entry.is_symlink() and entry.is_dir() and unused(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def partial_prefix(folder: Path) -> str:
    return f".{folder.name}.partial-"


def old_prefix(folder: Path) -> str:
    return f".{folder.name}.old-"


def recover(folder: Path) -> Path | None:
    """Clear what killed runs left beside output `folder`: its unused `.partial-*` folders are removed;
    an unused `.old-*` holding the earlier painting is moved back to `folder` when `folder` is missing
    (the kill came between the two renames), else removed (the new painting was in place). Returns the
    folder recovered, if any."""
    parent = folder.parent
    if not parent.is_dir():
        return None
    recovered = None
    for entry in sorted(parent.iterdir()):
        if entry.is_symlink() or not entry.is_dir():
            continue
        if entry.name.startswith(partial_prefix(folder)) and unused(entry):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(old_prefix(folder)) and unused(entry):
            earlier = entry / "set"
            if earlier.is_dir() and not os.path.lexists(folder):
                os.replace(earlier, folder)
                recovered = folder
            shutil.rmtree(entry, ignore_errors=True)
    return recovered
