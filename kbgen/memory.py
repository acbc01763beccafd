"""Giving freed memory back to the operating system between build stages.

CPython and glibc keep freed memory for reuse: after a stage drops its data
(the token trees after rendering), the process's resident size stays where it
was. Forked workers (page templating) start with the parent's resident pages
and the kernel counts the peak, so freed pages are handed back here.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
from typing import Any, Iterator


@functools.lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def give_back() -> None:
    """Return whole free pages of the C heap to the system (glibc's ``malloc_trim``); elsewhere nothing."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


_frozen_depth = 0


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep everything alive so far out of the cyclic collector's sight until the outermost scope ends.

    After the vault pipeline the heap holds the whole build (every page, the
    vault, MkDocs's pages: millions of objects at 10,000 notes) and all of it
    lives to the end. Each automatic full collection walked all of it again —
    during MkDocs's populate, the search index and everything between — so a
    collection cost grew with the vault. Frozen objects are skipped (and, in
    forked workers, not touched, so not copied). Nested scopes (page templating
    inside the build) leave the outer freeze in place; ``kbgen serve`` builds
    again in the same process, so the outermost scope unfreezes for the garbage
    of this build to go.
    """
    global _frozen_depth
    gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if _frozen_depth == 0:
            gc.unfreeze()


def thaw() -> None:
    """``gc.unfreeze()`` at the end of a stage, unless a :func:`frozen_heap` scope is open: then what the
    stage made is frozen too (it lives as long as the scope), and the scope's end unfreezes it all."""
    if _frozen_depth:
        gc.freeze()
    else:
        gc.unfreeze()
