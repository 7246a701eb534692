"""The painting engine: a schedule of stages run over one painting state.

    plan.py       the grid of blocks, the level plan and the allocation of strokes to blocks (pure)
    schedule.py   the quality presets, which build a schedule of stages from the budget, size and brush
    state.py      what the stages share: the photo, the strokes so far, the canvas they make
    seeder.py     new strokes where the painting misses most, in the photo's colour, along its edges
    objective.py  the loss: weighted terms, each naming the stroke values it may move
    blocks.py     the block stage: one level of the grid, its blocks optimised together
    canvas.py     the canvas stage: every stroke on the whole canvas, drawn in windows
    painter.py    runs a schedule, reports progress, hands out the painting so far

Nothing here imports at package import time, so `painter.engine.schedule` (torch-free) stays cheap.
"""
