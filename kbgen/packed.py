"""Text kept compressed in memory: the finished page bodies of a build.

From render to the end of a build the main process holds every note's page
body, and it is the largest thing it holds (260 MB at 10,000 notes, as Python
strings, most of them two bytes a character because of Korean). The bodies
are read a few times (emitters, MkDocs's page keys, templating in forked
workers), so they are kept zlib-compressed (level 1: 34 MB at 10,000 notes)
and decompressed where read. Text with lone surrogates (a note read with
``surrogateescape``) survives the round trip.
"""
from __future__ import annotations

import zlib

# Fast and already about 4× smaller than UTF-8 for page HTML; higher levels cost more time than they save.
LEVEL = 1


class PackedText:
    """A string, compressed; ``str(packed)`` gives it back."""

    __slots__ = ("data", "length")

    def __init__(self, text: str) -> None:
        self.data = zlib.compress(text.encode("utf-8", "surrogatepass"), LEVEL)
        self.length = len(text)

    def __str__(self) -> str:
        return self.utf8().decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return self.length

    def utf8(self) -> bytes:
        """The text as UTF-8 (lone surrogates as their three bytes), without making a ``str`` of it."""
        return zlib.decompress(self.data)

    def __getstate__(self) -> tuple[bytes, int]:
        return self.data, self.length

    def __setstate__(self, state: tuple[bytes, int]) -> None:
        self.data, self.length = state


def text_of(value: "str | PackedText") -> str:
    return value if isinstance(value, str) else str(value)


def utf8_of(value: "str | PackedText") -> bytes:
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value.utf8()
