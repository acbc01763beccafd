"""Pickling that leaves no UTF-8 copy behind in the strings it pickles.

CPython pickles a ``str`` through ``PyUnicode_AsUTF8AndSize``, which caches the
UTF-8 encoding inside every non-ASCII string for the rest of its life. The
build cache pickles every page's HTML, excerpts and note bodies, mostly Korean:
each of them then carried a second, UTF-8 copy until the end of the build
(about 15 MB per 1,000 notes). Long non-ASCII strings are encoded here into
separate bytes instead (a persistent id), which go once they are written.
"""
from __future__ import annotations

import io
import pickle
from typing import IO, Any

# Below this length the copy costs less than the call that avoids it.
_MIN_LENGTH = 256


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        if type(obj) is str and len(obj) >= _MIN_LENGTH and not obj.isascii():
            return obj.encode("utf-8", "surrogatepass")
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        if type(pid) is not bytes:
            raise pickle.UnpicklingError("unknown persistent id")
        return pid.decode("utf-8", "surrogatepass")


def dumps(obj: Any) -> bytes:
    """``pickle.dumps(obj, protocol=5)``, except for what it leaves in ``obj``'s strings (see the module)."""
    out = io.BytesIO()
    _Pickler(out, protocol=5).dump(obj)
    return out.getvalue()


def dump(obj: Any, file: IO[bytes]) -> None:
    """:func:`dumps` into ``file`` as it goes: the bytes of a large object are never all in memory."""
    _Pickler(file, protocol=5).dump(obj)


def load(file: IO[bytes]) -> Any:
    """The object :func:`dump` wrote to ``file``."""
    return _Unpickler(file).load()


def loads(data: bytes) -> Any:
    """The object :func:`dumps` pickled."""
    return _Unpickler(io.BytesIO(data)).load()
