"""Bytes on disk → text: BOMs, UTF-16, legacy Korean code pages, line endings."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass


@dataclass
class DecodedText:
    text: str
    encoding: str
    lossy: bool = False  # some bytes could not be decoded and were replaced
    bad_at: int = -1  # offset in the bytes of the first one replaced


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a note: UTF-8 (with or without BOM), UTF-16 with BOM, CP949/EUC-KR.

    CP949 is a superset of EUC-KR, so one attempt covers both. Nothing raises:
    undecodable bytes become U+FFFD and ``lossy`` says so.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _finish(data[3:], "utf-8-sig")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _finish(data, "utf-16")
    for encoding in ("utf-8", "cp949"):
        try:
            return DecodedText(normalize_newlines(data.decode(encoding)), encoding)
        except UnicodeDecodeError:
            continue
    return _finish(data, "utf-8")


def _finish(data: bytes, encoding: str) -> DecodedText:
    try:
        return DecodedText(normalize_newlines(data.decode(encoding if encoding != "utf-8-sig" else "utf-8")), encoding)
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8" if encoding == "utf-8-sig" else encoding, errors="replace")
        return DecodedText(normalize_newlines(text), encoding, lossy=True, bad_at=exc.start)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def byte_position(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """(1-based line, 1-based column in characters) of byte ``offset``."""
    line_start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    line = data.count(b"\n", 0, offset) + 1 if b"\n" in data[:offset] else data.count(b"\r", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8" if encoding == "utf-8-sig" else encoding, errors="replace")
    return line, len(prefix) + 1


# Control characters but tab, line feed and form feed (every note's head is counted: the regex engine does it).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0d-\x1f]")


def looks_binary(text: str, sample: int = 4096) -> bool:
    """Whether decoded text is binary data: in its first ``sample`` characters, control characters
    (tab and line ends aside) and replaced bytes make up more than 30 %, controls alone over 2 %.

    Invalid UTF-8 alone (all U+FFFD) is a damaged text file, not binary; so is a NUL here and there.
    """
    head = text[:sample]
    if not head:
        return False
    controls = len(_CONTROLS.findall(head))
    replaced = head.count("\ufffd")
    return (controls + replaced) > 0.3 * len(head) and controls > 0.02 * len(head)
