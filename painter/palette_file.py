"""Reading `--palette-file`: one colour a line, bounded like a stroke file, with or without a byte-order mark.

    read_palette_file("paints.txt")   # -> "#c03020,#2050a0,..." for PaintSettings.palette

A line is a colour ('#c03020'), optionally followed by its name ('#c03020 cadmium red'); blank lines and
comment lines starting with '# ' or '//' are skipped. The file is checked before it is read (a device or
a pipe would never end), read no further than MAX_PALETTE_BYTES, and may hold at most MAX_COLOURS colours,
so a wrong file (a photo, a log, /dev/zero) is refused at once rather than parsed for minutes.
"""

from __future__ import annotations

from pathlib import Path

from painter.canvas import parse_colour
from painter.files import special_kind
from painter.palette import MAX_COLOURS, hex_colour

MAX_PALETTE_BYTES = 64_000  # 64 colours, each with a long name and a comment line, fit ten times over
BOM = "\ufeff"  # Windows Notepad starts a UTF-8 file with it


def read_palette_file(path: str | Path) -> str:
    """The colours of a palette file as '#rrggbb,...'; FileNotFoundError, or ValueError naming the file and
    the problem (not a file, too large, not UTF-8, a bad colour and its line, too many colours, none)."""
    path = Path(path)
    where = f"palette file {str(path)!r}"
    kind = special_kind(path)
    if kind is not None:
        raise ValueError(f"{where} is {kind}, not a file")
    if not path.exists():
        raise FileNotFoundError(f"{where} does not exist")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PALETTE_BYTES + 1)
    except OSError as err:
        raise ValueError(f"cannot read {where}: {err.strerror}") from None
    if len(data) > MAX_PALETTE_BYTES:
        raise ValueError(f"{where} is larger than {MAX_PALETTE_BYTES:,} bytes, the limit for a palette file")
    try:
        text = data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as err:
        raise ValueError(f"{where} is not UTF-8 text (byte {err.start})") from None
    colours: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0] == "#" or line.lstrip().startswith(("# ", "//")):
            continue
        if len(colours) == MAX_COLOURS:
            raise ValueError(f"{where} holds more than {MAX_COLOURS} colours (line {number})")
        try:
            colours.append(hex_colour(parse_colour(words[0])))
        except ValueError:
            raise ValueError(f"{where} line {number}: {words[0][:40]!r} is not a colour") from None
    if not colours:
        raise ValueError(f"{where} holds no colours")
    return ",".join(colours)
