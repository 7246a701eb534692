"""The painter: photos into paintings made of brush strokes.

The library API, the same one the `paint` command uses:

    from painter import PaintSettings, paint
    result = paint("photo.jpg", PaintSettings(brush="oilpaint", strokes=1000))
    result.save("outputs/photo")   # painting.png, painting.svg, strokes.json, process.gif, metrics.json
    print(result.metrics["psnr"], len(result.painting))

The photo may be a path, image bytes, a numpy array (H, W, 3) or (H, W) or a PIL image.
`PaintJob(photo, settings)` does the same step by step (`run()` yields progress, `painting()` or
`finish()` give the painting so far), and `load_painting("strokes.json")` reads a stroke file back.
Call `painter.omp.use_paint_threads()` before importing torch to run under the `paint` command's
OpenMP policy.
"""

from __future__ import annotations

__all__ = ["PaintJob", "PaintResult", "PaintSettings", "Painting", "SettingsError", "load_painting", "paint"]

_HOMES = {
    "PaintJob": "painter.job",
    "PaintResult": "painter.job",
    "paint": "painter.job",
    "PaintSettings": "painter.settings",
    "SettingsError": "painter.settings",
    "Painting": "painter.strokes",
    "load_painting": "painter.strokes",
}


def __getattr__(name: str):
    # Imported on first use, so `import painter.cli` (the `paint` command) starts without loading the painter.
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'painter' has no attribute {name!r}")
