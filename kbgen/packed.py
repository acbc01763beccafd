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

import codecs
import hashlib
import zlib
from typing import Iterable

# Fast and already about 4× smaller than UTF-8 for page HTML; higher levels cost more time than they save.
LEVEL = 1
# Appended parts of a page shorter than this stay plain when it is packed (compressing costs more).
PACK_MIN = 256


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

    def head(self, size: int) -> tuple[str, bool]:
        """The text's start, from its first ``size`` bytes of UTF-8 (a character cut there left out),
        and whether that is the whole text: a look at the start decompresses only the start."""
        raw = zlib.decompressobj().decompress(self.data, size)
        text = codecs.getincrementaldecoder("utf-8")("surrogatepass").decode(raw, final=len(raw) < size)
        return text, len(text) == self.length

    def __getstate__(self) -> tuple[bytes, int]:
        return self.data, self.length

    def __setstate__(self, state: tuple[bytes, int]) -> None:
        self.data, self.length = state


def text_of(value: "str | PackedText") -> str:
    return value if isinstance(value, str) else str(value)


def utf8_of(value: "str | PackedText") -> bytes:
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value.utf8()


def head_of(value: "str | PackedText", size: int) -> tuple[str, bool]:
    """:meth:`PackedText.head` of either form."""
    return (value, True) if isinstance(value, str) else value.head(size)


def digest_parts(parts: Iterable["str | PackedText"]) -> str:
    """A digest of text as it is held: equal digests, equal text (the converse need not hold).

    A packed part is hashed compressed (a quarter of the bytes, and nothing to decompress):
    the same text packed twice compresses the same, so an unchanged page keeps its digest.
    """
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part.data
        digest.update(b"s" if isinstance(part, str) else b"z")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()
