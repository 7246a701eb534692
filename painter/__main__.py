"""`python -m painter` and the `paint` command: the command line, with an interrupt during start-up
(importing torch takes a moment) answered in one line like any other."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from painter.cli import main as cli_main
    except KeyboardInterrupt:
        print("paint: interrupted", file=sys.stderr)
        return 130
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
