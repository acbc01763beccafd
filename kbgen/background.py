"""One piece of a build done in a forked child while the build goes on: started now, waited for later.

A cold build on two cores spends about a third of its time in serial steps of
the main process (loading, emitting, the search index) with the other core
idle. A step whose result nobody in this process reads until later (the build
cache's rows, files written under the site folder) can run in a child forked at
the moment its inputs are complete: the child sees exactly what the parent held
then, does the work, sends back a small picklable result and exits.

The caller always keeps the way to do the work itself: :func:`start` returns
None where fork is unavailable, and :meth:`Background.join` raises
:class:`BackgroundFailed` (with what went wrong) when the child raised, died or
sent nothing, so a failure is reported, never lost. Every started child is
waited for by ``join`` (call it in a ``finally``): none outlives the build.
"""
from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
from typing import Any, Callable

from .parallel import can_fork


class BackgroundFailed(Exception):
    """The child did not finish its work (raised, died, or its result could not be sent)."""


class Background:
    """A forked child doing ``work()``; :meth:`join` waits for it and returns what ``work`` returned."""

    def __init__(self, work: Callable[[], Any], what: str):
        self.what = what
        self._result: tuple[bool, Any] | None = None
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the child: never returns into the parent's code
            status = 1
            try:
                os.close(read)
                # Short-lived: no collection walks (and so copies) the heap it shares with the parent.
                # The parent's freezing is left to kbgen.memory's scopes.
                gc.disable()
                with contextlib.suppress(ValueError):  # Ctrl-C ends it with the parent
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                try:
                    outcome = (True, work())
                except BaseException as exc:  # noqa: BLE001 - sent to the parent, which reports it
                    outcome = (False, f"{type(exc).__name__}: {exc}")
                try:
                    data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # noqa: BLE001 - an unpicklable result is a failure too
                    data = pickle.dumps((False, f"result not sent ({type(exc).__name__}: {exc})"))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def join(self) -> Any:
        """Wait for the child; its result, or :class:`BackgroundFailed`. Once; later calls answer the same."""
        if self._result is None:
            chunks = []
            try:
                with os.fdopen(self._read, "rb") as pipe:  # read to the end first: a big result fills the pipe
                    while chunk := pipe.read(1 << 20):
                        chunks.append(chunk)
            finally:
                try:
                    _, status = os.waitpid(self._pid, 0)
                except ChildProcessError:  # reaped by someone else: what it sent decides
                    status = 0
            try:
                self._result = pickle.loads(b"".join(chunks))
            except Exception:  # noqa: BLE001 - nothing, or half, came back: the child died
                self._result = (False, f"the process ended ({_ended(status)}) before it was done")
        ok, value = self._result
        if not ok:
            raise BackgroundFailed(f"{self.what}: {value}")
        return value


def start(work: Callable[[], Any], what: str) -> Background | None:
    """``work()`` in a forked child, now; None where processes cannot be forked (the caller does it itself)."""
    if not can_fork():
        return None
    try:
        return Background(work, what)
    except OSError:  # no process or pipe to spare: the caller does the work
        return None


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
