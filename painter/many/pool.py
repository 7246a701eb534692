"""Running tasks on this machine: one after another in this process, or N at once in worker processes.

A runner takes a task function `fn(task, report)` (importable, so that workers find it) and a list of
tasks, and yields `(index, result)` as each task finishes, in whatever order they finish. While a
task runs, `report(done, total)` in the worker reaches the driver as `on_progress(index, done, total)`.
Tasks never raise for bad input (they return their error); a worker that dies costs its task a retry.
cluster.RayRunner does the same on a Ray cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import queue
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from multiprocessing import resource_tracker
from typing import Any, Protocol

TaskFn = Callable[..., Any]  # fn(task, report=None) -> result
OnProgress = Callable[[int, int, int], None]  # (task index, done, total)
Failed = Callable[[Any, str], Any]  # (task, why) -> the result that stands for a task no worker could finish
# Makes a task ready to send, just before it is sent (e.g. reads the photo's bytes), so that a batch of
# thousands of photos never holds them all in memory. An OSError from it fails that task alone.
Load = Callable[[Any], Any]

MAX_ATTEMPTS = 3  # a task whose worker died this many times is given up, not the batch
REPORT_EVERY = 0.2  # seconds between progress messages from a worker; the bar needs no more


class Runner(Protocol):
    def run(
        self,
        fn: TaskFn,
        tasks: list,
        on_progress: OnProgress | None = None,
        failed: Failed | None = None,
        load: Load | None = None,
    ) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...


def usable_cores() -> int:
    """CPU cores this process may use (its affinity where the system tells, else all of them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def threads_per_worker(workers: int, cores: int | None = None) -> int:
    """Torch threads for each of `workers` processes, so that together they fit the cores."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    return max(1, (cores or usable_cores()) // workers)


def _cannot_load(failed: Failed | None, task, err: OSError):
    if failed is None:
        raise err
    return failed(task, str(err))


class InlineRunner:
    """Tasks one after another in this process (one worker: the renderer loads once, nothing to spawn),
    each with `threads` torch threads (default: every usable core, as threads_per_worker(1))."""

    shares_disk = True  # tasks may name files rather than carry their bytes

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or threads_per_worker(1)

    def run(self, fn, tasks, on_progress=None, failed=None, load=None):
        for index, task in enumerate(tasks):
            report = (lambda done, total, i=index: on_progress(i, done, total)) if on_progress else None
            try:
                ready = load(task) if load else task
            except OSError as err:
                yield index, _cannot_load(failed, task, err)
                continue
            yield index, fn(ready, report=report)

    def close(self) -> None:
        pass


# ---- worker processes ---------------------------------------------------------------------------------
_progress: Any = None  # in a worker process: the queue its progress messages go to


PARENT_CHECK_S = 1.0  # how soon a worker notices that its driver is gone


def _end_with_parent(parent: int) -> None:
    """End this worker process once its driver is gone: a driver killed by SIGKILL cannot stop its workers,
    which would otherwise paint on for nobody (reparented to init). Polls, as Linux's PR_SET_PDEATHSIG
    follows the thread that started the process, not the process, and other systems have none."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)  # no cleanup to wait for: the driver that would read the results is gone


def _start_worker(progress, threads: int, parent: int | None = None) -> None:
    global _progress
    _progress = progress
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle; it stops the workers
    if parent is not None:
        threading.Thread(target=_end_with_parent, args=(parent,), name="paint-parent-watch", daemon=True).start()
    os.environ["OMP_NUM_THREADS"] = str(threads)
    from painter.omp import use_paint_threads

    use_paint_threads()  # a library user's workers run under the policy `paint` runs under
    import torch

    torch.set_num_threads(threads)


def throttled_reporter(send: Callable[[tuple[int, int, int]], None], index: int) -> Callable[[int, int], None]:
    """A task's progress callback that sends (index, done, total) at most every REPORT_EVERY seconds,
    and always the last one."""
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= REPORT_EVERY or done == total:
            last = now
            send((index, done, total))

    return report


def _run_in_worker(fn: TaskFn, index: int, task) -> Any:
    return fn(task, report=throttled_reporter(_progress.put, index))


class _RememberingTracker(resource_tracker.ResourceTracker):
    """Python's resource tracker (the process that unlinks a driver's semaphores if the driver dies), with the
    driver's own list of the names it registered. The stock one, killed mid-batch, is relaunched knowing
    nothing: each name the driver unregisters afterwards makes it print a KeyError traceback, and a driver
    killed afterwards leaves its semaphores behind. This one tells the relaunched tracker every name
    still held before anything else, so neither happens (and its "might leak" warning is not true)."""

    def __init__(self, fd: int | None = None, pid: int | None = None) -> None:
        super().__init__()
        self._fd, self._pid = fd, pid  # a tracker already running stays the one used
        self._held: set[tuple[str, str]] = set()

    def ensure_running(self) -> None:
        """Every way in relaunches through here: register and unregister (through _send) and getfd, which
        spawning a process calls. Relaunching only in register and unregister missed a tracker relaunched
        by a spawn, which knew none of the names: its later unregisters printed the KeyError (seen once in
        a full test run)."""
        before = self._pid
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "process died unexpectedly ... might leak": not so, see below
            super().ensure_running()
        if before is not None and self._pid != before:
            for name, rtype in sorted(self._held):
                super().register(name, rtype)  # its own ensure_running finds the new tracker alive

    def register(self, name: str, rtype: str) -> None:
        self._held.add((name, rtype))
        super().register(name, rtype)

    def unregister(self, name: str, rtype: str) -> None:
        super().unregister(name, rtype)  # a tracker relaunched on the way is told this name first
        self._held.discard((name, rtype))


def _remember_tracked_names() -> None:
    """Make this process's resource tracker a _RememberingTracker (once), before the runner creates the
    queues and locks it registers. multiprocessing looks the tracker up as module attributes, so those are
    what is replaced; names registered before this call are known to the running tracker only."""
    stock = resource_tracker._resource_tracker
    if isinstance(stock, _RememberingTracker) or not all(hasattr(stock, name) for name in ("_fd", "_pid")):
        return  # done already, or a Python whose tracker is built otherwise: the stock one stays
    tracker = _RememberingTracker(stock._fd, stock._pid)
    resource_tracker._resource_tracker = tracker
    resource_tracker.ensure_running = tracker.ensure_running
    resource_tracker.register = tracker.register
    resource_tracker.unregister = tracker.unregister
    resource_tracker.getfd = tracker.getfd


class ProcessRunner:
    """Tasks in `workers` processes at once, each with torch threads so that all fit the cores.

    Processes are spawned (not forked: a fork of a process that has run torch can hang in OpenMP) and
    kept for the whole run, so each loads its renderer once. If a worker process dies, the pool is
    started again and the unfinished tasks are sent again, each at most MAX_ATTEMPTS times."""

    shares_disk = True  # the workers run on this machine: tasks may name files rather than carry their bytes

    def __init__(self, workers: int, threads: int | None = None) -> None:
        self.workers = workers
        self.threads = threads or threads_per_worker(workers)
        _remember_tracked_names()
        self._context = multiprocessing.get_context("spawn")
        self._progress = self._context.Queue()
        self._pool: cf.ProcessPoolExecutor | None = None

    def _open(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(
                self.workers,
                self._context,
                initializer=_start_worker,
                initargs=(self._progress, self.threads, os.getpid()),
            )
        return self._pool

    def run(self, fn, tasks, on_progress=None, failed=None, load=None):
        attempts = [0] * len(tasks)
        waiting = list(range(len(tasks)))
        running: dict[cf.Future, int] = {}
        while waiting or running:
            pool = self._open()
            while waiting and len(running) < 2 * self.workers:  # one queued behind each busy worker
                index = waiting.pop(0)
                try:
                    ready = load(tasks[index]) if load else tasks[index]
                except OSError as err:
                    yield index, _cannot_load(failed, tasks[index], err)
                    continue
                attempts[index] += 1
                running[pool.submit(_run_in_worker, fn, index, ready)] = index
            finished, _ = cf.wait(running, timeout=REPORT_EVERY, return_when=cf.FIRST_COMPLETED)
            self._drain(on_progress)
            broken = False
            for future in finished:
                index = running.pop(future)
                try:
                    result = future.result()
                except cf.process.BrokenProcessPool:
                    broken = True
                    if attempts[index] < MAX_ATTEMPTS:
                        waiting.insert(0, index)
                    else:
                        yield index, self._give_up(failed, tasks[index], attempts[index])
                    continue
                yield index, result
            if broken:  # every task still running went down with the pool: send them again
                for future, index in running.items():
                    future.cancel()
                    if attempts[index] < MAX_ATTEMPTS:
                        waiting.insert(0, index)
                    else:
                        yield index, self._give_up(failed, tasks[index], attempts[index])
                running = {}
                self._kill()
        self._drain(on_progress)

    @staticmethod
    def _give_up(failed: Failed | None, task, attempts: int):
        why = f"the worker process died {attempts} times while painting it"
        if failed is None:
            raise RuntimeError(why)
        return failed(task, why)

    def _drain(self, on_progress: OnProgress | None) -> None:
        while True:
            try:
                message = self._progress.get_nowait()
            except queue.Empty:
                return
            if on_progress is not None:
                on_progress(*message)

    def _kill(self) -> None:
        if self._pool is None:
            return
        # ProcessPoolExecutor cannot stop a running task; its processes are ended instead (Python 3.14
        # has terminate_workers() for this).
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        """Stop the workers (a task still running is abandoned)."""
        self._kill()
