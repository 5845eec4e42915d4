"""The access matrix computed on every core: this process and worker processes take its rows a few at a time."""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
import traceback
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from iam_desktop.formats.model_file import ModelFileError, dumps_model, loads_model
from iam_desktop.graph.access import AccessGraph
from iam_desktop.graph.answers import AccessMatrix
from iam_desktop.graph.assume import DEFAULT_MAX_DEPTH
from iam_desktop.model.authorization import AuthorizationContext

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess
    from multiprocessing.queues import Queue
    from multiprocessing.sharedctypes import Synchronized
    from multiprocessing.synchronize import Event

Context = Mapping[str, tuple[str, ...]]
PARALLEL_MIN_CELLS = 400_000
"""Below this many cells one process is quicker than starting workers (each opens the model)."""
ROWS_PER_TASK = 8
_POLL_S = 0.05
_STOP_GRACE_S = 5.0


def core_count() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


def matrix_in_parallel(graph: AccessGraph, principal_ids: Iterable[str], resource_ids: Iterable[str],
                       actions: Iterable[str] | None, progress: Callable[[int, int], None] | None = None,
                       cancelled: Callable[[], bool] | None = None, context: Context | None = None,
                       max_depth: int = DEFAULT_MAX_DEPTH, cores: int | None = None,
                       min_cells: int = PARALLEL_MIN_CELLS) -> AccessMatrix:
    """:meth:`AccessGraph.matrix` on ``cores`` cores (default: all this process may use).

    This process and ``cores - 1`` worker processes, each with its own copy of the model, take the rows
    ``ROWS_PER_TASK`` principals at a time; rows are merged here as they come, with ``progress(done,
    total)`` after each task and ``cancelled()`` asked as often. On one core, or for fewer than
    ``min_cells`` cells, it is :meth:`AccessGraph.matrix` itself. Cells explain themselves with
    ``graph`` (``AccessMatrix.answer``). A model that cannot be written as a model file (which workers open) is
    computed in this process too.
    """
    principals, resources = tuple(principal_ids), tuple(resource_ids)
    chosen = tuple(actions) if actions is not None else None
    total = len(principals) * graph.cells_per_row(resources, chosen)
    task_count = -(-len(principals) // ROWS_PER_TASK)
    helpers = min((cores or core_count()) - 1, task_count - 1)
    model_text = _model_text(graph) if helpers >= 1 and total >= min_cells else None
    if model_text is None:
        return graph.matrix(principals, resources, chosen, progress, cancelled, context, max_depth)
    result = graph.empty_matrix(principals, resources, chosen, context, max_depth)
    spawn = multiprocessing.get_context("spawn")  # never fork a process that runs Qt or other threads
    next_task = spawn.Value("i", 0)
    results = spawn.Queue()
    stop = spawn.Event()
    work = (principals, resources, chosen, dict(context or {}), max_depth)
    started = [spawn.Process(target=_help, daemon=True, args=(model_text,
                                                              graph.context.management_accounts, work, next_task,
                                                              results, stop))
               for _ in range(helpers)]
    for process in started:
        process.start()
    merged = _Merge(result, total, progress)
    try:
        while not (cancelled is not None and cancelled()):
            merged.take(results)
            index = _next_task(next_task, task_count)
            if index is None:
                merged.wait_for(results, started, cancelled)
                break
            chunk = principals[index * ROWS_PER_TASK:(index + 1) * ROWS_PER_TASK]
            own = graph.matrix(chunk, resources, chosen, cancelled=cancelled, context=context, max_depth=max_depth)
            merged.add([(p, own.rows[p]) for p in chunk if p in own.rows])
        result.complete = merged.done == total
    finally:
        stop.set()
        _stop(started, results)
    return result


def _model_text(graph: AccessGraph) -> str | None:
    """The model file text the worker processes open, or None when the model cannot be written (then one
    process computes the matrix)."""
    try:
        return dumps_model(graph.workspace)
    except ModelFileError:
        return None


class _Merge:
    """Rows merged into a matrix, with progress after each batch."""

    def __init__(self, result: AccessMatrix, total: int, progress: Callable[[int, int], None] | None) -> None:
        self.result = result
        self.total = total
        self.progress = progress
        self.done = 0
        self.helpers_done = 0

    def add(self, rows: list[tuple[str, bytes | bytearray]]) -> None:
        """Store computed rows and report progress."""
        for principal_id, codes in rows:
            self.result.row(principal_id)[:] = codes
            self.done += len(codes) - codes.count(0)
        if rows and self.progress is not None:
            self.progress(self.done, self.total)

    def take(self, results: Queue, timeout: float | None = None) -> None:
        """Merge what the worker processes have sent (waiting up to ``timeout`` for the first message)."""
        while True:
            try:
                kind, payload = results.get(timeout=timeout) if timeout else results.get_nowait()
            except queue.Empty:
                return
            timeout = None
            if kind == "rows":
                self.add(payload)
            elif kind == "done":
                self.helpers_done += 1
            else:
                raise RuntimeError(f"a matrix worker process failed:\n{payload}")

    def wait_for(self, results: Queue, started: list[BaseProcess], cancelled: Callable[[], bool] | None) -> None:
        """Merge the worker processes' rows until each has said it is done (or the run is cancelled)."""
        while self.helpers_done < len(started) and not (cancelled is not None and cancelled()):
            self.take(results, timeout=_POLL_S)
            if self.helpers_done < len(started) and not any(process.is_alive() for process in started):
                self.take(results)
                if self.helpers_done < len(started):
                    raise RuntimeError("a matrix worker process stopped without sending its rows")


def _next_task(counter: Synchronized[int], task_count: int) -> int | None:
    """Claim the next task's index (shared by every process), or None when all are taken."""
    with counter.get_lock():
        index = counter.value
        if index >= task_count:
            return None
        counter.value = index + 1
    return index


def _stop(started: list[BaseProcess], results: Queue) -> None:
    """Let the worker processes end (reading what they still send, so none waits on a full pipe)."""
    deadline = time.monotonic() + _STOP_GRACE_S
    while any(process.is_alive() for process in started) and time.monotonic() < deadline:
        try:
            results.get(timeout=_POLL_S)
        except queue.Empty:
            pass
    for process in started:
        if process.is_alive():
            process.terminate()
        process.join()


def _help(model_text: str, management_accounts: frozenset[str],
          work: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...] | None, dict[str, tuple[str, ...]], int],
          next_task: Synchronized[int], results: Queue, stop: Event) -> None:
    """A worker process: open the model, then compute the rows of each task it claims until none is left."""
    principals, resources, actions, context, max_depth = work
    task_count = -(-len(principals) // ROWS_PER_TASK)
    try:
        workspace = loads_model(model_text)
        graph = AccessGraph(workspace, AuthorizationContext(workspace, management_accounts))
        while not stop.is_set():
            index = _next_task(next_task, task_count)
            if index is None:
                break
            chunk = principals[index * ROWS_PER_TASK:(index + 1) * ROWS_PER_TASK]
            matrix = graph.matrix(chunk, resources, actions, context=context or None, max_depth=max_depth,
                                  cancelled=stop.is_set)
            results.put(("rows", [(p, bytes(matrix.rows[p])) for p in chunk if p in matrix.rows]))
        results.put(("done", None))
    except Exception:  # noqa: BLE001 (the parent shows it: a worker has no one else to tell)
        results.put(("error", traceback.format_exc()))
