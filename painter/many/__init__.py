"""Painting many pictures: a batch of photos, the frames of a video, on this machine or a Ray cluster.

    inputs.py   what the command was given: photos, folders of photos, or a video
    tasks.py    what a worker runs: one photo in (its bytes), strokes and metrics out
    pool.py     running tasks here: in this process, or in a pool of worker processes
    cluster.py  running the same tasks on a Ray cluster (the optional `ray` extra)
    batch.py    a batch of photos: output folders, resuming, the summary
    video.py    a video: frames painted warm-started from the previous frame, joined into painting.mp4
    command.py  the `paint PHOTO... | DIR | VIDEO` front end the CLI dispatches to

Workers return strokes and metrics (small); the driver writes every file, so workers share no disk.
"""
