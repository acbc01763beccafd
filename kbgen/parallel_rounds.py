"""Forked workers that keep what their first round made for their second: chunks pinned to workers.

kbgen.parallel forks a fresh pool for each round, and any worker takes any
chunk. The build's parse and render rounds are one round apart (the parent
indexes in between), and a worker that rendered the notes it parsed would not
need to parse them again. Here each worker owns a fixed share of the chunks
(every ``workers``-th one), runs the first round over them, waits for the
parent's message, runs its setup with it and then the second round over the
same chunks, so whatever it kept in between is still there.

Results are yielded in chunk order, whatever order the workers finish in. A
chunk that raised in its worker, or that a dead worker (a crash, the
out-of-memory killer) never sent, is yielded with ``None``: the caller does it
in its own process, as with kbgen.parallel. :meth:`Rounds.close` ends every
worker still running (a build that stops between the rounds).
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterator, Sequence

log = logging.getLogger("kbgen")

_FAILED = object()  # a chunk the parent must do itself


class Rounds:
    """``workers`` forked processes running ``first`` then, after :meth:`second_round`, ``second`` on their chunks."""

    def __init__(self, chunks: Sequence[list[int]], workers: int, first: Callable[[list[int]], Any],
                 setup: Callable[[Any], None], second: Callable[[list[int]], Any],
                 after_fork: Callable[[], None] | None = None):
        self.chunks = list(chunks)
        self._first, self._setup, self._second, self._after_fork = first, setup, second, after_fork
        self.count = max(1, min(workers, len(self.chunks)))
        self._workers: list[tuple[Any, Connection]] = []
        self._alive: set[int] = set()
        # The parent's objects go to the collector's permanent generation: a worker's collections
        # then never write to (and so copy) the pages holding them.
        gc.freeze()
        context = multiprocessing.get_context("fork")
        for w in range(self.count):
            mine, theirs = context.Pipe()
            process = context.Process(target=self._serve, args=(theirs, w), daemon=True)
            process.start()
            theirs.close()
            self._workers.append((process, mine))
            self._alive.add(w)

    def _owned(self, w: int) -> list[int]:
        """Worker ``w``'s chunks, every ``count``-th from its own, in the order it sends them."""
        return list(range(w, len(self.chunks), self.count))

    def first_round(self) -> Iterator[tuple[list[int], Any]]:
        """``(chunk, first(chunk) or None)`` for every chunk, in order."""
        return self._collect()

    def second_round(self, message: Any) -> Iterator[tuple[list[int], Any]]:
        """Send ``message`` to every worker (its ``setup``), then ``(chunk, second(chunk) or None)`` in order."""
        for w in sorted(self._alive):
            try:
                self._workers[w][1].send(message)
            except OSError:  # it died after its first round: its chunks come back as failed
                self._alive.discard(w)
        return self._collect()

    def close(self) -> None:
        """End every worker: done ones exit by themselves, one still waiting for a message is stopped."""
        for process, conn in self._workers:
            try:
                conn.close()  # a worker waiting for the second round reads the end and exits
            except OSError:
                pass
        for process, _ in self._workers:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        self._workers, self._alive = [], set()

    def _collect(self) -> Iterator[tuple[list[int], Any]]:
        # A worker sends its chunks in order: what it sent is a prefix of what it owns, so a dead
        # worker's missing chunks are the rest of its list.
        owned = [self._owned(w) for w in range(self.count)]
        sent = [0] * self.count
        results: dict[int, Any] = {}  # received, not yet yielded
        for w in range(self.count):
            if w not in self._alive:  # gone before this round: its chunks are done here
                results.update((c, _FAILED) for c in owned[w])
        listening = {self._workers[w][1]: w for w in self._alive if owned[w]}
        for c in range(len(self.chunks)):
            while c not in results:
                for conn in wait(list(listening)):
                    w = listening[conn]
                    try:
                        done, ok, value = conn.recv()
                    except (EOFError, OSError):  # the worker died: what it did not send is done here
                        log.warning("kbgen: a worker process died; the notes it had not finished "
                                    "are built in the main process")
                        self._alive.discard(w)
                        results.update((k, _FAILED) for k in owned[w][sent[w]:])
                        sent[w] = len(owned[w])
                    else:
                        results[done] = value if ok else _FAILED
                        sent[w] += 1
                        if not ok:
                            log.warning("kbgen: a worker failed (%s); its notes are built in the main process",
                                        value)
                    if sent[w] == len(owned[w]):
                        del listening[conn]
            value = results.pop(c)
            yield self.chunks[c], (None if value is _FAILED else value)

    def _serve(self, conn: Connection, w: int) -> None:
        """In worker ``w``: the first round over its chunks, then the message, setup and the second round."""
        if self._after_fork is not None:
            self._after_fork()
        mine = self._owned(w)
        self._run(conn, mine, self._first)
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the parent stopped between the rounds
            return
        try:
            self._setup(message)
        except Exception as exc:  # noqa: BLE001 - every chunk of the second round is done by the parent
            for c in mine:
                conn.send((c, False, f"{type(exc).__name__}: {exc}"))
            return
        self._run(conn, mine, self._second)

    def _run(self, conn: Connection, mine: list[int], task: Callable[[list[int]], Any]) -> None:
        for c in mine:
            try:
                outcome = (c, True, task(self.chunks[c]))
            except Exception as exc:  # noqa: BLE001 - the parent does this chunk itself
                outcome = (c, False, f"{type(exc).__name__}: {exc}")
            conn.send(outcome)
