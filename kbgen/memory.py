"""Giving freed memory back to the operating system between build stages.

CPython and glibc keep freed memory for reuse: after a stage drops its data
(the token trees after rendering), the process's resident size stays where it
was. Forked workers (page templating) start with the parent's resident pages
and the kernel counts the peak, so freed pages are handed back here.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any


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
