"""Forked worker processes for the build's per-note stages: chunks out, results back in order.

Workers are forked, so they start with everything the parent built (the vault,
the link index) without pickling it; only chunk numbers go out and results come
back. Results are yielded in chunk order whatever order the workers finish in,
so what the parent merges never depends on scheduling.

A chunk whose worker raised, or died (a crash, the out-of-memory killer), is
yielded with ``None``: the caller does it in its own process. A dead worker
breaks the whole pool (concurrent.futures notices it; ``multiprocessing.Pool``
would wait for its results forever), so every chunk not yet back is then done
in the parent.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterator, Sequence, TypeVar

log = logging.getLogger("kbgen")

R = TypeVar("R")

# Below this many notes per worker, forking and the second parse cost more than they save.
MIN_NOTES_PER_WORKER = 60
CHUNK_NOTES = 20  # notes per task: results come back steadily, a slow note delays little
_IN_FLIGHT = 4  # chunks queued per worker: enough to keep it busy, few results waiting in the parent

_TASK: Callable[[list[int]], Any] | None = None  # what the forked workers run (inherited, not pickled)
_AFTER_FORK: Callable[[], None] | None = None


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def worker_count(jobs: int | None, items: int, per_worker: int = MIN_NOTES_PER_WORKER) -> int:
    """How many processes to use for ``items`` notes: ``jobs`` (0/None: one per core), 1 when too few."""
    if not can_fork():
        return 1
    wanted = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, items // max(per_worker, 1)))


def chunked(count: int, workers: int, size: int = CHUNK_NOTES) -> list[list[int]]:
    """``range(count)`` in consecutive chunks of at most ``size`` (smaller when there are few items)."""
    size = max(1, min(size, count // max(workers * 2, 1) or 1))
    return [list(range(k, min(k + size, count))) for k in range(0, count, size)]


def run_forked(task: Callable[[list[int]], R], chunks: Sequence[list[int]], workers: int,
               after_fork: Callable[[], None] | None = None) -> Iterator[tuple[list[int], R | None]]:
    """``(chunk, task(chunk))`` for every chunk, in order, computed in ``workers`` forked processes.

    ``None`` in place of a result means the chunk failed in its worker (see the module docstring);
    ``task`` runs in the children exactly as the parent set it up before this call.
    """
    global _TASK, _AFTER_FORK
    _TASK, _AFTER_FORK = task, after_fork
    # The parent's objects go to the collector's permanent generation: a child's collections
    # then never write to (and so copy) the pages holding them.
    gc.freeze()
    broken = False
    pending: deque[tuple[list[int], Future | None]] = deque()
    todo = iter(chunks)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_child_start) as pool:

            def submit() -> bool:
                chunk = next(todo, None)
                if chunk is None:
                    return False
                pending.append((chunk, None if broken else _submit(pool, chunk)))
                return True

            for _ in range(workers * _IN_FLIGHT):
                if not submit():
                    break
            while pending:
                chunk, future = pending.popleft()
                result: Any = None
                if future is not None:
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        if not broken:
                            log.warning("kbgen: a worker process died; the notes it had not finished "
                                        "are built in the main process")
                        broken = True
                    except Exception as exc:  # noqa: BLE001 - that chunk is done again in the parent
                        log.warning("kbgen: a worker failed (%s: %s); its notes are built in the main process",
                                    type(exc).__name__, exc)
                yield chunk, result
                submit()
    finally:
        _TASK = _AFTER_FORK = None


def _submit(pool: ProcessPoolExecutor, chunk: list[int]) -> Future | None:
    try:
        return pool.submit(_run_chunk, chunk)
    except BrokenProcessPool:
        return None


def _child_start() -> None:
    if _AFTER_FORK is not None:
        _AFTER_FORK()


def _run_chunk(chunk: list[int]) -> Any:
    assert _TASK is not None
    return _TASK(chunk)
