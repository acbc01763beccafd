"""The link index: every way a note can be addressed, looked up in O(1).

Built once per build from *all* notes (an unpublished target must resolve to
"unpublished", not "missing") and all attachments. Resolution follows
Obsidian, in this order:

1. ``./x`` and ``../x`` are relative to the linking note's folder, ``/x`` to the
   vault root; such a path matches exactly or not at all, and a path that
   climbs out of the vault never resolves.
2. A target with an attachment's extension (``img.png``) is looked up among
   attachments by path suffix: ``img.png`` finds ``any/folder/img.png``.
3. A note is found by path suffix (``name``, ``folder/name``, with or without
   ``.md``), then by front-matter ``id``, then alias, then title — the first
   kind that matches wins.
4. Several candidates of that kind: an exact vault path wins; otherwise the
   note nearest the linking note (fewest folder steps), then the shortest
   path; the link is reported as ambiguous.

Keys are NFC-normalized and case-folded, so NFD file names from macOS and
``[[relu]]`` vs ``ReLU.md`` match.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .note import Note

NOTE_SUFFIXES = (".md", ".markdown")
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
# Sentences kept per (target, linking note) for its backlink; the page shows fewer.
MAX_CONTEXTS = 5
# Links from one note to one target whose excerpts are cut at most: a note repeating the
# same sentence 40,000 times otherwise cuts 40,000 excerpts that all turn out duplicates.
MAX_EXCERPT_TRIES = 50


def link_key(text: str) -> str:
    """The form names are compared in: NFC, case-folded, outer spaces dropped."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).strip().casefold())


def heading_key(text: str) -> str:
    """Headings match the way Obsidian matches them: ignoring case, punctuation and markup."""
    return " ".join(_PUNCT.sub(" ", link_key(text)).split())


def strip_note_suffix(path: str) -> str:
    lowered = path.lower()
    for suffix in NOTE_SUFFIXES:
        if lowered.endswith(suffix):
            return path[: -len(suffix)]
    return path


def has_note_suffix(path: str) -> bool:
    return path.lower().endswith(NOTE_SUFFIXES)


@dataclass(frozen=True)
class Resolution:
    """Where a link target leads: a note, an attachment, or nowhere."""

    note: Note | None = None
    attachment: str | None = None  # vault-relative path of the file
    candidates: tuple[str, ...] = ()  # every match, when there was more than one
    ambiguous: bool = False
    outside: bool = False  # the path climbs out of the vault

    @property
    def found(self) -> bool:
        return self.note is not None or self.attachment is not None


@dataclass
class Backlink:
    source: str  # src_path of the linking note
    contexts: list[str] = field(default_factory=list)  # sentences around the links
    # The same, as inline tokens (kbgen.markdown.excerpt.Excerpt), one per context; None where none.
    excerpts: list[Any] = field(default_factory=list)
    links: int = 0  # how many links from ``source`` were offered, with or without context


class LinkIndex:
    """Names, paths, ids, aliases and titles of every note; attachments by file name."""

    def __init__(self, notes: Iterable[Note], attachments: Iterable[str] = ()):
        self.notes: dict[str, Note] = {}
        self._path_key: dict[str, str] = {}  # src_path -> key of the path without suffix
        self._by_suffix: dict[str, list[str]] = {}
        self._by_id: dict[str, list[str]] = {}
        self._by_alias: dict[str, list[str]] = {}
        self._by_title: dict[str, list[str]] = {}
        self._attachment_key: dict[str, str] = {}
        self._attachments_by_suffix: dict[str, list[str]] = {}
        # Filled by the link pass from parsed notes:
        self.headings: dict[str, list[Any]] = {}  # src_path -> [Heading] (kbgen.markdown.headings)
        self._heading_keys: dict[str, list[tuple[str, str]]] = {}
        self.blocks: dict[str, dict[str, Any]] = {}  # src_path -> {folded block id: anchor}
        self.backlinks: dict[str, dict[str, Backlink]] = {}  # target -> {source: Backlink}
        # target -> notes whose pages transclude it (``![[target]]``): they show its text.
        self.embedders: dict[str, set[str]] = {}
        self.parsed: Mapping[str, Any] = {}  # src_path -> ParsedNote, for transclusion
        for note in notes:
            self.add_note(note)
        for path in attachments:
            self.add_attachment(path)

    # -- building ---------------------------------------------------------

    def add_note(self, note: Note) -> None:
        path = note.src_path
        self.notes[path] = note
        key = link_key(strip_note_suffix(path))
        self._path_key[path] = key
        for suffix in _suffixes(key):
            self._by_suffix.setdefault(suffix, []).append(path)
        if note.id:
            self._by_id.setdefault(link_key(note.id), []).append(path)
        for alias in note.aliases:
            self._by_alias.setdefault(link_key(alias), []).append(path)
        if note.title:
            self._by_title.setdefault(link_key(note.title), []).append(path)

    def add_attachment(self, path: str) -> None:
        key = link_key(path)
        self._attachment_key[path] = key
        for suffix in _suffixes(key):
            self._attachments_by_suffix.setdefault(suffix, []).append(path)

    def add_anchors(self, src_path: str, headings: Sequence[Any], blocks: Mapping[str, Any]) -> None:
        self.headings[src_path] = list(headings)
        self._heading_keys.pop(src_path, None)
        self.blocks[src_path] = dict(blocks)

    def add_backlink(self, target: str, source: str, context: str, excerpt: Any = None) -> None:
        entry = self.backlinks.setdefault(target, {}).setdefault(source, Backlink(source))
        entry.links += 1
        # A few sentences per linking note are shown; keeping all made a note with
        # thousands of links to one target quadratic (each checked against all).
        if context and len(entry.contexts) < MAX_CONTEXTS and context not in entry.contexts:
            entry.contexts.append(context)
            entry.excerpts.append(excerpt)

    def add_embed(self, target: str, source: str) -> None:
        self.embedders.setdefault(target, set()).add(source)

    def forget_links_of(self, source: str) -> None:
        """Drop every backlink and embed ``source`` recorded: ``kbgen serve`` indexes its new text instead."""
        for target in [t for t, sources in self.backlinks.items() if source in sources]:
            del self.backlinks[target][source]
            if not self.backlinks[target]:
                del self.backlinks[target]
        for target in [t for t, sources in self.embedders.items() if source in sources]:
            self.embedders[target].discard(source)
            if not self.embedders[target]:
                del self.embedders[target]

    def wants_context(self, target: str, source: str) -> bool:
        """Whether another link from ``source`` to ``target`` is worth cutting an excerpt for."""
        entry = self.backlinks.get(target, {}).get(source)
        return entry is None or (len(entry.contexts) < MAX_CONTEXTS and entry.links < MAX_EXCERPT_TRIES)

    # -- lookups ----------------------------------------------------------

    def resolve(self, target: str, from_note: Note | None, *, relative_first: bool = False) -> Resolution:
        """Find what ``target`` (a wiki-link or Markdown path, no ``#fragment``) points to.

        ``relative_first`` is for Markdown links, whose paths are relative to
        the linking note before anything else.
        """
        raw = unicodedata.normalize("NFC", target.strip().replace("\\", "/"))
        from_folder = from_note.folder if from_note is not None else ""
        if not raw:
            return Resolution(note=from_note)
        if raw.startswith("/"):
            return self._exact_inside(raw.lstrip("/"))
        if raw.startswith(("./", "../")):
            return self._exact_inside(posixpath.join(from_folder, raw))
        if relative_first and from_folder:
            nearby = posixpath.normpath(posixpath.join(from_folder, raw))
            if not _escapes(nearby):
                found = self._exact(nearby)
                if found.found:
                    return found
        path = posixpath.normpath(raw)
        if _escapes(path):
            return Resolution(outside=True)
        return self._by_name(path, from_folder)

    def find_heading(self, src_path: str, chain: Sequence[str]) -> Any | None:
        """The heading ``chain[-1]`` nested under ``chain[0]`` … (``[[n#A#B]]``)."""
        headings = self.headings.get(src_path, [])
        keys = self._heading_keys.get(src_path)
        if keys is None:
            # A heading matches by its text, or by its Markdown as written (markup and all).
            keys = self._heading_keys[src_path] = [
                (heading_key(h.text), heading_key(getattr(h, "source", "") or h.text)) for h in headings]
        start, end, found = 0, len(headings), None
        for segment in chain:
            wanted = heading_key(segment)
            hit = next((i for i in range(start, end)
                        if wanted in keys[i] or _id_matches(headings[i].id, segment)), None)
            if hit is None:
                return None
            found = headings[hit]
            start = hit + 1
            end = next((j for j in range(hit + 1, len(headings)) if headings[j].level <= found.level),
                       len(headings))
        return found

    def find_block(self, src_path: str, block_id: str) -> Any | None:
        return self.blocks.get(src_path, {}).get(block_id.casefold())

    def backlinks_of(self, src_path: str) -> list[Backlink]:
        return list(self.backlinks.get(src_path, {}).values())

    # -- internals --------------------------------------------------------

    def _exact_inside(self, path: str) -> Resolution:
        path = posixpath.normpath(path)
        return Resolution(outside=True) if _escapes(path) else self._exact(path)

    def _exact(self, path: str) -> Resolution:
        """The note or attachment at exactly this vault path (case and Unicode form aside)."""
        if not has_note_suffix(path) and file_extension(path):
            key = link_key(path)
            for candidate in self._attachments_by_suffix.get(key, ()):
                if self._attachment_key[candidate] == key:
                    return Resolution(attachment=candidate)
        note_key = link_key(strip_note_suffix(path))
        for candidate in self._by_suffix.get(note_key, ()):
            if self._path_key[candidate] == note_key:
                return Resolution(note=self.notes[candidate])
        return Resolution()

    def _by_name(self, path: str, from_folder: str) -> Resolution:
        if has_note_suffix(path):
            note_key = link_key(strip_note_suffix(path))
            return self._choose_note(self._by_suffix.get(note_key, []), note_key, from_folder,
                                     strip_note_suffix(path))
        key = link_key(path)
        if file_extension(path):
            files = self._attachments_by_suffix.get(key)
            if files:
                chosen, ambiguous, candidates = _choose(files, key, from_folder, self._attachment_key, path)
                return Resolution(attachment=chosen, ambiguous=ambiguous, candidates=candidates)
        for table in (self._by_suffix, self._by_id, self._by_alias, self._by_title):
            paths = table.get(key)
            if paths:
                return self._choose_note(paths, key, from_folder, path)
        return Resolution()

    def _choose_note(self, paths: list[str], key: str, from_folder: str, written: str) -> Resolution:
        if not paths:
            return Resolution()
        chosen, ambiguous, candidates = _choose(paths, key, from_folder, self._path_key, written)
        return Resolution(note=self.notes[chosen], ambiguous=ambiguous, candidates=candidates)


def _suffixes(key: str) -> list[str]:
    """``a/b/c`` → ``c``, ``b/c``, ``a/b/c``: every path a link may name it by."""
    parts = key.split("/")
    return ["/".join(parts[i:]) for i in range(len(parts) - 1, -1, -1)]


def _escapes(path: str) -> bool:
    return path == ".." or path.startswith(("../", "/"))


def file_extension(path: str) -> str:
    """``Fig 1.PNG`` → ``png``; "" when the name has none (``v1.2`` and ``Dr. Kim`` have none)."""
    ext = posixpath.splitext(posixpath.basename(path))[1][1:].lower()
    return ext if ext.isalnum() and not ext.isdigit() else ""


def _choose(paths: list[str], key: str, from_folder: str, keys: Mapping[str, str],
            written: str) -> tuple[str, bool, tuple[str, ...]]:
    """(chosen path, ambiguous?, all candidates): exact path, then nearest, then shortest.

    ``written`` is the link's path as spelled (NFC, note suffix dropped): among exact
    matches, names that differ only in case (``IMG.png``, ``img.png``), it decides.
    """
    unique = list(dict.fromkeys(paths))
    if len(unique) == 1:
        return unique[0], False, ()
    exact = [p for p in unique if keys[p] == key]
    if len(exact) > 1:
        spelled = [p for p in exact if unicodedata.normalize("NFC", strip_note_suffix(p)) == written]
        exact = spelled if len(spelled) == 1 else exact
    if len(exact) == 1:
        return exact[0], False, ()
    pool = exact or unique
    here = _segments(from_folder)
    ranked = sorted(pool, key=lambda p: (_distance(here, _segments(posixpath.dirname(p))), p.count("/"), len(p), p))
    return ranked[0], True, tuple(sorted(unique))


def _segments(folder: str) -> list[str]:
    return [s for s in link_key(folder).split("/") if s]


def _distance(a: list[str], b: list[str]) -> int:
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return (len(a) - common) + (len(b) - common)


def _id_matches(ident: str, segment: str) -> bool:
    """A fragment written as the id itself (``#기울기-소실``), as Markdown links do."""
    segment = segment.strip()
    return ident == segment or ident.casefold() == segment.casefold().replace(" ", "-")
