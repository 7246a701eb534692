"""Atomic file writes: a temporary file beside the target, renamed onto it when complete.

Used by every package that writes files (checkpoints, stroke caches, paintings, plots), so it sits at
the bottom of the layering and imports nothing from this project.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it is renamed onto `path`, on error removed,
    so a crash never leaves a half-written file. An OSError (a full disk, a folder that cannot be
    written) is raised again naming `path`, never the hidden temporary file."""
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
        os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; outputs get the usual permissions
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as err:
        if getattr(err, "written_path", None) is not None:
            raise  # already names its file: an atomic_path nested in this one failed
        raise _naming(err, path, tmp) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


def _naming(err: OSError, path: Path, tmp: str | None) -> OSError:
    """The same error (same errno, so the same subclass) with a message that names `path`."""
    reason = err.strerror or str(err)
    if err.filename is not None and str(err.filename) not in (tmp, str(path)):
        reason += f": {str(err.filename)!r}"  # e.g. the folder that could not be made
    message = f"cannot write {str(path)!r}: {reason}"
    named = OSError(err.errno, message) if err.errno is not None else OSError(message)
    named.written_path = str(path)  # type: ignore[attr-defined]
    return named


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def special_kind(path: str | Path) -> str | None:
    """What `path` is when it exists but is no regular file, for an error message ("a character device",
    "a pipe (FIFO)", ...); None for a regular file or nothing there. Symbolic links are followed; a loop
    of them, or one to nothing, is named. Reading a device or a pipe would block or never end (/dev/zero),
    so readers of user files ask this first."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if os.path.islink(path) else None
    except OSError as err:
        return "a loop of symbolic links" if err.errno == errno.ELOOP else f"unreadable ({err.strerror})"
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((kind for test, kind in kinds if test(mode)), None)
