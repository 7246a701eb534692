"""What every `paint` command shares: the parser, number options, the line between a user's mistake and a
bug, exit codes, Ctrl-C / SIGTERM handling and the output checks.

Imports nothing heavy: `paint --help` and a mistyped option answer without loading torch.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path

from painter.settings import PaintSettings, SettingsError

# Exit codes: what a script calling `paint` can tell apart.
OK = 0
FAILED = 1  # a bug (with its traceback), or some photos of a batch failed
USER_ERROR = 2  # bad input: a one-line message says what
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT); the strokes so far are written
TERMINATED = 143  # SIGTERM (128 + SIGTERM); likewise

REPORT_BUG = "paint: this is a bug, not your mistake; please report it with the lines above"


class UserError(Exception):
    """Bad input (a file, an option value, the command line): one line on stderr, exit code 2."""


class UsageError(UserError):
    """A bad command line."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(f"{message} (see '{self.prog} --help')")


def flag(field: str) -> str:
    """The command-line flag of a PaintSettings field."""
    return "--" + field.replace("_", "-")


@contextlib.contextmanager
def checking() -> Iterator[None]:
    """The boundary where the library reads what the user gave (settings, files, output places): a
    ValueError or OSError raised inside is the user's to fix, so it becomes a UserError naming the flag.
    The same errors raised anywhere else are bugs, and are reported as such."""
    try:
        yield
    except SettingsError as err:
        raise UserError(err.named(flag)) from err
    except (ValueError, OSError) as err:
        raise UserError(str(err)) from err


def settings_from_args(args: argparse.Namespace) -> PaintSettings:
    """PaintSettings from the flags given; the fields of flags not given keep their defaults."""
    given = {f.name: getattr(args, f.name) for f in fields(PaintSettings) if getattr(args, f.name, None) is not None}
    with checking():
        if getattr(args, "palette_file", None) is not None:
            from painter.palette_file import read_palette_file

            given["palette"] = read_palette_file(args.palette_file)
        return PaintSettings(**given)


def number(
    kind: type[int] | type[float] = int,
    low: float | None = None,
    high: float | None = None,
    *,
    above: bool = False,
    what: str | None = None,
) -> Callable[[str], float]:
    """An argparse `type` reading a whole number (kind=int) or a number (float) between `low` and `high`
    (either may be None: no limit; `above`: more than `low`, not equal). Its errors are one line naming the
    value; a bounded float must also be finite. `what` names the unit when the value does not parse, e.g.
    "seconds"."""
    noun = what or ("a whole number" if kind is int else "a number")
    prefix = "" if kind is int else "a number "

    def read(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        # An unbounded float goes on as it is (nan, inf): the library it is for names its own limits.
        if kind is float and (low is not None or high is not None) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}")
        too_low = low is not None and (value <= low if above else value < low)
        too_high = high is not None and value > high
        if too_low or too_high:
            of = "" if kind is int else "of "  # "a number of at least 0", "at least 1"
            if low is not None and high is not None:
                raise argparse.ArgumentTypeError(f"must be {prefix}between {low:g} and {high:g}, got {text}")
            if too_low:
                relation = "more than" if above else f"{of}at least"
                raise argparse.ArgumentTypeError(f"must be {prefix}{relation} {low:g}, got {text}")
            raise argparse.ArgumentTypeError(f"must be {prefix}{of}at most {high:g}, got {text}")
        return value

    read.__name__ = noun  # argparse names the type by it in its own messages
    return read


positive_int = number(int, 1)
whole_number = number(int)


class Terminated(BaseException):
    """SIGTERM, turned into an exception so a killed run stops like Ctrl-C: the work so far is kept. A
    BaseException like KeyboardInterrupt, so that no `except Exception` on the way (a server's request
    handler, a batch task) takes it for an error and goes on."""


def _terminate(signum, frame):
    raise Terminated


class Stoppable:
    """`with Stoppable() as stop:` runs its block until it ends or Ctrl-C / SIGTERM stops it; then
    `stop.reason` is "interrupt" or "terminate" (None when it ran to the end) and `stop.code` the exit code.
    SIGTERM is handled only inside the block."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def __enter__(self) -> Stoppable:
        self._previous = signal.signal(signal.SIGTERM, _terminate)
        return self

    def __exit__(self, kind, err, traceback) -> bool:
        signal.signal(signal.SIGTERM, self._previous)
        if kind is KeyboardInterrupt:
            self.reason = "interrupt"
        elif kind is Terminated:
            self.reason = "terminate"
        return self.reason is not None

    @property
    def code(self) -> int:
        return {None: OK, "interrupt": INTERRUPTED, "terminate": TERMINATED}[self.reason]


def output_given(args: argparse.Namespace) -> str | None:
    """The output named by -o/--output or --out (not both, not empty), or None."""
    if args.output is not None and args.out is not None:
        raise UsageError("give either -o/--output or --out, not both")
    target = args.output if args.output is not None else args.out
    if target is not None and not target.strip():
        raise UsageError("the output name is empty")
    return target


def check_png_name(path: str, what: str) -> None:
    """A preview or sheet is a PNG: a UserError before any work otherwise."""
    if Path(path).suffix.lower() != ".png":
        raise UserError(f"the {what} is a PNG; got {path!r}")
