"""Running tasks on a Ray cluster: the same tasks as pool.py, in Ray actors, one per CPU.

    connect("auto")                          # or "ray://host:port", "host:port", or None: Ray started here
    runner = RayRunner()
    for index, result in runner.run(paint_photo, tasks): ...

Each actor is a long-lived worker process holding one CPU, so it loads its renderer once. A task
carries everything it needs (the photo's bytes) and returns values, so the nodes share no disk. An
actor that dies mid-task (killed, node gone) is restarted by Ray and its task run again; if that too
fails, the task is sent to a fresh actor, at most pool.MAX_ATTEMPTS times in all.
Ray is optional: `pip install "paint-strokes[ray]"`. The nodes need paint-strokes installed as well.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import uuid
from collections import deque
from urllib.parse import urlsplit

from painter.many.pool import MAX_ATTEMPTS, REPORT_EVERY, _cannot_load, throttled_reporter, usable_cores

INSTALL = "Ray is not installed; install it with: pip install 'paint-strokes[ray]'"
CONNECT_TIMEOUT = 5.0  # seconds to reach a cluster's address; Ray itself keeps retrying for about a minute


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ValueError(INSTALL) from None
    return ray


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """ValueError unless something listens at a 'host:port' or 'ray://host:port' address."""
    parts = urlsplit(address if "://" in address else "//" + address)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise ValueError(f"bad Ray address {address!r}; use auto, host:port or ray://host:port")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as err:
        raise ValueError(f"cannot reach the Ray cluster at {address}: {err.strerror or err}") from None


def connect(address: str | None = None, cpus: int | None = None) -> bool:
    """Connect this process to a Ray cluster: `address` 'auto' (the cluster this machine belongs to),
    'host:port' or 'ray://host:port'; None starts a private Ray instance here, bound to 127.0.0.1, with
    `cpus` CPUs (default: this machine's usable cores). Returns whether this call started or joined Ray
    (False when this process was connected already). ValueError naming the address when it fails."""
    if address not in (None, "auto"):
        check_reachable(address)  # Ray itself would retry an unreachable address for a minute
    if "ray" in sys.modules and sys.modules["ray"].is_initialized():
        return False
    if address is None:
        # Ray otherwise binds to this machine's outward-facing address; a private instance needs none.
        # Read when Ray is imported, so only effective if it was not imported before.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    ray = _import_ray()
    options = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
    from painter.omp import PAINT_THREADS

    # Workers on other machines paint under the policy `paint` runs under (a value set here wins).
    options["runtime_env"] = {"env_vars": {name: os.environ.get(name, value) for name, value in PAINT_THREADS.items()}}
    try:
        if address is None:
            ray.init(num_cpus=cpus or usable_cores(), **options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as err:
        where = "a local Ray instance" if address is None else f"the Ray cluster at {address}"
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"cannot start or join {where}: {first}") from None
    return True


def disconnect() -> None:
    """Leave the cluster (and stop a Ray instance this process started)."""
    ray = _import_ray()
    ray.shutdown()


class ProgressBoard:
    """A Ray actor holding the progress messages of every worker until the driver takes them."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, int, int]] = []

    def put(self, message: tuple[int, int, int]) -> None:
        self.messages.append(message)

    def take(self) -> list[tuple[int, int, int]]:
        taken, self.messages = self.messages, []
        return taken


class PainterWorker:
    """A Ray actor's body: runs task functions, posting progress to the driver's ProgressBoard. It finds
    the board by name, so a restarted actor needs nothing but its two small constructor arguments."""

    def __init__(self, board: str, threads: int) -> None:
        import ray

        from painter.many.tasks import set_threads

        os.environ["OMP_NUM_THREADS"] = str(threads)
        set_threads(threads)
        self.board = ray.get_actor(board)

    def call(self, fn, index: int, task):
        return fn(task, report=throttled_reporter(self.board.put.remote, index))


class RayRunner:
    """Tasks on the Ray cluster this process is connected to (see `connect`), in `workers` actors of
    one CPU and one torch thread each (default and at most: the cluster's CPUs)."""

    def __init__(self, workers: int | None = None) -> None:
        ray = _import_ray()

        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.workers = min(workers or cpus, cpus)  # actors beyond the CPUs would wait forever for one
        self.board_name = f"paint-progress-{uuid.uuid4().hex}"
        self.board = ray.remote(num_cpus=0)(ProgressBoard).options(name=self.board_name).remote()
        self._actor = ray.remote(num_cpus=1, max_restarts=MAX_ATTEMPTS, max_task_retries=MAX_ATTEMPTS)(PainterWorker)
        self.actors = [self._new_actor() for _ in range(self.workers)]
        self.running: dict[int, object] = {}  # task index -> the actor painting it

    def _new_actor(self):
        return self._actor.remote(self.board_name, 1)

    def run(self, fn, tasks, on_progress=None, failed=None, load=None):
        import ray
        from ray.exceptions import ActorDiedError, ObjectLostError, RayActorError, WorkerCrashedError

        lost = (ActorDiedError, RayActorError, WorkerCrashedError, ObjectLostError)
        idle = deque(self.actors)
        waiting = deque(range(len(tasks)))
        attempts = [0] * len(tasks)
        refs: dict[object, int] = {}
        while waiting or refs:
            while waiting and idle:
                index = waiting.popleft()
                try:
                    ready = load(tasks[index]) if load else tasks[index]
                except OSError as err:
                    yield index, _cannot_load(failed, tasks[index], err)
                    continue
                actor = idle.popleft()
                attempts[index] += 1
                self.running[index] = actor
                refs[actor.call.remote(fn, index, ready)] = index
            done, _ = ray.wait(list(refs), num_returns=1, timeout=REPORT_EVERY)
            self._drain(on_progress)
            for ref in done:
                index = refs.pop(ref)
                actor = self.running.pop(index)
                try:
                    result = ray.get(ref)
                except lost:
                    # Ray's own restarts and retries are spent: a fresh actor takes the actor's place.
                    self.actors[self.actors.index(actor)] = fresh = self._new_actor()
                    idle.append(fresh)
                    if attempts[index] < MAX_ATTEMPTS:
                        waiting.appendleft(index)
                    elif failed is None:
                        raise
                    else:
                        yield index, failed(tasks[index], f"its Ray worker was lost {attempts[index]} times")
                    continue
                idle.append(actor)
                yield index, result
        self._drain(on_progress)

    def _drain(self, on_progress) -> None:
        import ray

        for message in ray.get(self.board.take.remote()):
            if on_progress is not None:
                on_progress(*message)

    def close(self) -> None:
        """End the actors (a task still running is abandoned)."""
        ray = _import_ray()
        for actor in self.actors:
            ray.kill(actor, no_restart=True)
        ray.kill(self.board, no_restart=True)
        self.actors = []
