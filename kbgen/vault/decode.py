"""Bytes on disk → text: BOMs, UTF-16, legacy Korean code pages, line endings."""
from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass
class DecodedText:
    text: str
    encoding: str
    lossy: bool = False  # some bytes could not be decoded and were replaced


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
    except UnicodeDecodeError:
        text = data.decode("utf-8" if encoding == "utf-8-sig" else encoding, errors="replace")
        return DecodedText(normalize_newlines(text), encoding, lossy=True)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
