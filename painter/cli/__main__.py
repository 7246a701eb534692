"""`python -m painter.cli`: the `paint` command."""

from __future__ import annotations

import sys

from painter.__main__ import main

sys.exit(main())
