"""Values read off a note's page HTML (its opening sentence, its quizzes' HTML), kept between builds.

The emit memo's keys (kbgen.emit.memo) and the tag pages read such values of
every note on every build; each one unpacked that note's whole page (kbgen.packed),
a tenth of a build after one edit at 5,000 notes. A value is kept with the digest
of the page it was read from (``RenderedNote.html_digest``, computed without
unpacking) and the build's namespace (kbgen's code and configuration); a page
whose digest differs is read again. Equal digests mean equal HTML, so a kept
value is the one reading the page would give.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .. import pickles

if TYPE_CHECKING:
    from ..markdown.renderer import RenderedNote
    from ..vault_build import VaultBuild

log = logging.getLogger(__name__)
T = TypeVar("T")

FILE = "page-values.pickle"  # in the emit memo's folder
_KEY_BYTES = 64


class PageValues:
    """``value(name, src_path, rendered, read)``: ``read(rendered.html)``, or what it gave for the same page last time."""

    def __init__(self, folder: Path | str, namespace: str):
        self.path = Path(folder) / FILE
        self.key = hashlib.sha256(f"page-values\0{namespace}".encode()).hexdigest()
        self._old: dict[tuple[str, str], tuple[str, Any]] | None = None
        self._new: dict[tuple[str, str], tuple[str, Any]] = {}
        self.read = 0  # values read off a page in this build (tests, profiles)
        self.reads: dict[str, int] = {}  # the same, by value name

    def value(self, name: str, src_path: str, rendered: "RenderedNote", read: Callable[[str], T], salt: str = "") -> T:
        """``salt``: what ``read`` depends on besides the page (e.g. the ids it looks for)."""
        return self.value_of(name, src_path, rendered, lambda page: read(page.html), salt)

    def value_of(self, name: str, src_path: str, rendered: "RenderedNote", make: Callable[["RenderedNote"], T],
                 salt: str = "") -> T:
        """:meth:`value` of ``make(rendered)``: for a value that needs less than the whole page (its start)."""
        if self._old is None:
            self._old = self._load()
        digest = f"{rendered.html_digest()}\0{salt}"
        slot = (name, src_path)
        kept = self._new.get(slot) or self._old.get(slot)
        if kept is not None and kept[0] == digest:
            self._new[slot] = kept
            return kept[1]
        value = make(rendered)
        self.read += 1
        self.reads[name] = self.reads.get(name, 0) + 1
        self._new[slot] = (digest, value)
        return value

    def save(self) -> None:
        """Keep this build's values for the next build (only when they differ from the last build's)."""
        if self._old is None or self._new == self._old:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                fh.write(self.key.encode("ascii"))
                pickles.dump(self._new, fh)
            os.replace(tmp, self.path)
        except Exception as exc:  # noqa: BLE001 - not kept: the next build reads the pages again
            log.debug("kbgen: %s not written (%s)", self.path.name, exc)

    def _load(self) -> dict[tuple[str, str], tuple[str, Any]]:
        try:
            with open(self.path, "rb") as fh:
                if fh.read(_KEY_BYTES).decode("ascii", "replace") != self.key:
                    return {}
                values = pickles.load(fh)
        except Exception:  # noqa: BLE001 - none, or damaged: read the pages
            return {}
        return values if isinstance(values, dict) else {}


def page_value(build: "VaultBuild", name: str, src_path: str, read: Callable[[str], T], salt: str = "") -> T:
    """``read`` of the note's page HTML as it is now, through the build's :class:`PageValues` when it has one."""
    return page_value_of(build, name, src_path, lambda page: read(page.html), salt)


def page_value_of(build: "VaultBuild", name: str, src_path: str, make: Callable[["RenderedNote"], T],
                  salt: str = "") -> T:
    """:func:`page_value` of ``make(rendered)`` (the note's RenderedNote as it is now)."""
    rendered = build.rendered[src_path]
    values = getattr(build.emit_memo, "page_values", None)
    if values is None:
        return make(rendered)
    return values.value_of(name, src_path, rendered, make, salt)
