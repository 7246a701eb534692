"""Size limits that stroke files and painting settings share; no imports, so the command line checks its
options without loading torch."""

from __future__ import annotations

# The longest side, in pixels, of a canvas or a render: 16384 x 16384 already takes 3 GB as floats.
MAX_IMAGE_SIDE = 16_384
# Rendering costs up to a few ms per stroke (oil paint at 512 px), so 50,000 strokes already take minutes;
# the painter writes hundreds to a few thousand.
MAX_STROKES = 50_000
