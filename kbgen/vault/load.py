"""The load stage: walk the notes folder and read every note into a Note.

``.md`` files are notes; everything else is an attachment. Hidden folders
(``.obsidian``, ``.trash``, ``.git``) are skipped and symlinks that leave the
vault are not followed, so a published site never exposes files from outside.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Callable, Protocol
from urllib.parse import unquote

from .. import background, pickles
from ..config import KbgenConfig
from ..diagnostics import Diagnostic
from . import frontmatter as fm
from .comments import strip_comments
from .decode import DecodedText, byte_position, decode_bytes, looks_binary
from .excalidraw import publish_drawings
from .exclude import excluded_paths
from .note import Note
from .dates import assign_dates
from .urls import UrlMap, assign_note_urls, note_url
from .vault import Vault

NOTE_SUFFIXES = (".md", ".markdown")
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$")
# Titles like "neural-network-vanishing-gradient-relu" are file slugs, not titles.
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")


def walk_vault(root: Path, diagnostics: list[Diagnostic] | None = None,
               excluded: Callable[[str], bool] | None = None) -> tuple[list[Path], list[Path]]:
    """(note files, attachment files) under ``root``, sorted, skipping hidden and escaping paths.

    Nothing a reader would miss is skipped silently: a hidden note, a broken
    symlink, a symlink leaving the vault, a folder symlink (a loop, or a second
    way into a folder that is published under its own path), a note that is
    not a regular file or a folder that cannot be read each get a ``skipped``
    warning (or a ``read`` error) in ``diagnostics``. Folders excluded by the
    configuration (``excluded(relative_path)``) are left out without a word.
    """
    report = diagnostics if diagnostics is not None else []
    root_real = root.resolve()
    notes: list[Path] = []
    attachments: list[Path] = []

    def rel(path: Path | str) -> str:
        return Path(os.path.relpath(path, root)).as_posix()

    def skipped(path: Path, why: str) -> None:
        report.append(Diagnostic(rel(path), 1, 1, "warning", "skipped", f"not published: {why}"))

    def unreadable(exc: OSError) -> None:
        report.append(Diagnostic(rel(exc.filename or root), 1, 1, "error", "read",
                                 f"cannot read folder: {exc.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=unreadable):
        here = Path(dirpath)
        kept: list[str] = []
        for d in sorted(dirnames):
            path = here / d
            if d.startswith(".") or (excluded is not None and excluded(rel(path))):
                continue
            if path.is_symlink():
                target = _real(path)
                if target is None or not _within(target, root_real):
                    skipped(path, "a folder symlink that leads outside the vault (or nowhere)")
                else:  # its target is walked under its own path; following it loops or publishes twice
                    skipped(path, f"a folder symlink to {rel(target) if target != root_real else 'the vault itself'}, "
                                  "which is published under its own path")
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = here / name
            is_note = name.lower().endswith(NOTE_SUFFIXES)
            if excluded is not None and excluded(rel(path)):
                continue
            if name.startswith("."):
                if is_note:
                    skipped(path, "hidden file (its name starts with '.')")
                continue
            problem = _file_problem(path, root_real)
            if problem is not None:
                if is_note or "outside" not in problem:
                    skipped(path, problem)
                continue
            (notes if is_note else attachments).append(path)
    return notes, attachments


def _real(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return None


def _within(path: Path, root_real: Path) -> bool:
    return path == root_real or root_real in path.parents


def _file_problem(path: Path, root_real: Path) -> str | None:
    """Why a file is not published (None: it is)."""
    if path.is_symlink():
        target = _real(path)
        if target is None:
            return "a symlink to a file that does not exist (or a symlink loop)"
        if not _within(target, root_real):
            return "a symlink that leads outside the vault"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


class LoadedNotes(Protocol):
    """Notes as :func:`load_note` returned them before, for files unchanged since (kbgen.cache.LoadedNotes)."""

    def get(self, path: Path, src_path: str) -> Note | None: ...

    def put(self, path: Path, note: Note) -> None: ...

    def packed(self, path: Path, note: Note) -> tuple[bytes, object]:
        """:meth:`put`, and the note as bytes (:meth:`unpacked` gives it back) with what ``put`` kept of it."""
        ...

    def unpacked(self, path: Path, packed: tuple[bytes, object]) -> Note:
        """The note :meth:`packed` packed (in another process), kept here as ``put`` kept it there."""
        ...


def load_vault(config: KbgenConfig, loaded: LoadedNotes | None = None) -> Vault:
    root = Path(config.notes_dir)
    vault = Vault(root=root)
    note_files, attachment_files = walk_vault(root, vault.diagnostics, excluded_paths(root, config.exclude))
    for note in load_notes(note_files, root, config, loaded):
        vault.notes[note.src_path] = note
    for path in attachment_files:
        vault.attachments[path.relative_to(root).as_posix()] = path
    # Drawings show their exported image, never the plugin's data (needs the attachments).
    publish_drawings(vault.notes.values(), vault.attachments, config.language)
    assign_urls(vault, config.use_directory_urls)
    assign_dates(root, vault.published())
    return vault


def load_notes(paths: list[Path], root: Path, config: KbgenConfig, loaded: LoadedNotes | None = None) -> list[Note]:
    """Every note of ``paths``, in order: from ``loaded`` where still valid, else read (:func:`load_note`).

    Reading, decoding and the front matter's YAML were a serial third of a second at
    1,000 notes with the other core idle: from PARALLEL_LOAD_MIN notes to read, a forked
    child (kbgen.background) reads the second half while this process reads the first,
    and sends them back packed, as the build cache keeps them (its bytes are put there
    too). A child that fails leaves its notes to this process.
    """
    notes: list[Note | None] = []
    todo: list[int] = []
    for n, path in enumerate(paths):
        note = loaded.get(path, path.relative_to(root).as_posix()) if loaded is not None else None
        notes.append(note)
        if note is None:
            todo.append(n)
    theirs = todo[len(todo) // 2:] if len(todo) >= PARALLEL_LOAD_MIN else []
    child = background.start(lambda: [_packed(paths[n], root, config, loaded) for n in theirs],
                             "loading notes") if theirs else None
    mine = todo if child is None else todo[:len(todo) // 2]
    for n in mine:
        notes[n] = _read(paths[n], root, config, loaded)
    if child is not None:
        try:
            for n, packed in zip(theirs, child.join()):
                notes[n] = _unpacked(paths[n], packed, loaded)
        except background.BackgroundFailed:
            for n in theirs:  # read here, as without a child
                notes[n] = _read(paths[n], root, config, loaded)
    return [note for note in notes if note is not None]


# From this many notes to read, a child reads half of them (see load_notes).
PARALLEL_LOAD_MIN = 200


def _read(path: Path, root: Path, config: KbgenConfig, loaded: LoadedNotes | None) -> Note:
    note = load_note(path, root, config)
    if loaded is not None:
        loaded.put(path, note)  # before later stages change it (URL, dates, tags)
    return note


def _packed(path: Path, root: Path, config: KbgenConfig, loaded: LoadedNotes | None) -> tuple[bytes, object]:
    """In the child: one note read and packed (with what the build cache keeps of it)."""
    note = load_note(path, root, config)
    if loaded is not None:
        return loaded.packed(path, note)
    return pickles.dumps(note), None


def _unpacked(path: Path, packed: tuple[bytes, object], loaded: LoadedNotes | None) -> Note:
    if loaded is not None:
        return loaded.unpacked(path, packed)
    note = pickles.loads(packed[0])
    note.abs_path = path
    return note


def assign_urls(vault: Vault, use_directory_urls: bool) -> None:
    """Give every published note its URL, collisions resolved and reported (``url-collision``).

    Unpublished notes take no part: they must not push a published note off its URL.
    """
    vault.urls = UrlMap(use_directory_urls)
    # Attachments keep their paths (links name them): a note whose page would land on
    # one, or need it as a folder (``x.txt`` and ``x.txt.md``), moves instead. Only an
    # attachment that clashes with another (names differing in case) or a site file moves.
    vault.moved_attachments = {}
    for path in sorted(vault.attachments):
        dest, clash = vault.urls.claim_file(path, path)
        if clash is not None:
            vault.moved_attachments[path] = dest
            vault.diagnostics.append(Diagnostic(
                path, 1, 1, "warning", "url-collision",
                f"this file and {clash} would {_clash_kind(path, clash)}; it is published at /{dest}"))
    published = [n.src_path for n in vault.published()]
    for src_path, (url, clash) in assign_note_urls(published, vault.urls).items():
        note = vault.notes[src_path]
        note.url = url
        if clash is not None:
            note.diagnostics.append(Diagnostic(
                src_path, 1, 1, "warning", "url-collision",
                f"this note and {clash} would share the URL /{unquote(note_url(src_path, use_directory_urls))}; "
                f"this note is published at /{unquote(url)}"))


def _clash_kind(path: str, other: str) -> str:
    if other != path and other.casefold() == path.casefold():
        return "be one file on a case-insensitive file system (macOS, Windows)"
    return f"share the path /{path}"


def load_note(path: Path, root: Path, config: KbgenConfig) -> Note:
    src_path = path.relative_to(root).as_posix()
    diagnostics: list[Diagnostic] = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        data = b""
        diagnostics.append(Diagnostic(src_path, 1, 1, "error", "read", f"cannot read note: {exc.strerror}"))
    decoded = decode_bytes(data)
    text = decoded.text
    binary = _report_bad_text(data, decoded, src_path, diagnostics)
    text, cut = cut_to_size(text, config.max_note_size, src_path, diagnostics)
    if config.repair_mojibake:
        text = _repair_mojibake(text, src_path, diagnostics)
    note = note_from_text(src_path, path, text, config.use_directory_urls, diagnostics)
    note.cut, note.binary = cut, binary
    note.encoding = decoded.encoding
    return note


def _report_bad_text(data: bytes, decoded: DecodedText, src_path: str, diagnostics: list[Diagnostic]) -> bool:
    """Binary data, undecodable bytes and NUL characters, each reported where it starts; whether it is binary."""
    text = decoded.text
    if looks_binary(text):
        diagnostics.append(Diagnostic(src_path, 1, 1, "warning", "binary",
                                      "this note looks like binary data, not text; it is published as plain text"))
        return True
    if decoded.lossy:
        line, col = byte_position(data, max(decoded.bad_at, 0), decoded.encoding)
        diagnostics.append(Diagnostic(src_path, line, col, "warning", "encoding",
                                      f"some bytes are not valid {decoded.encoding} and were replaced"))
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        diagnostics.append(Diagnostic(src_path, line, nul - text.rfind("\n", 0, nul), "warning", "encoding",
                                      f"{text.count(chr(0))} NUL character(s) in the note are shown as \ufffd"))
    return False


def cut_to_size(text: str, limit: int, src_path: str, diagnostics: list[Diagnostic]) -> tuple[str, bool]:
    """``text`` cut at the last line end within ``limit`` characters (no limit when ``limit`` ≤ 0).

    Every later stage is linear in a note's size, but a 20 MB note would still
    cost a minute and gigabytes: its first part is published with a notice. A
    line too long to keep whole (one line of 100,000 links) is cut inside, at a
    space, rather than dropped with everything after the last line end.
    """
    if limit <= 0 or len(text) <= limit:
        return text, False
    end = text.rfind("\n", 0, limit) + 1
    if end < limit // 2:
        space = text.rfind(" ", end, limit)
        end = space + 1 if space > end else limit
    line = text.count("\n", 0, end) + 1
    col = end - (text.rfind("\n", 0, end) + 1) + 1
    where = "this line" if col == 1 else "this column of the line"
    diagnostics.append(Diagnostic(src_path, line, col, "warning", "too-large",
                                  f"note has {len(text):,} characters, more than max_note_size ({limit:,}); "
                                  f"it is published up to {where}, with a notice"))
    return text[:end], True


def _repair_mojibake(text: str, src_path: str, diagnostics: list[Diagnostic]) -> str:
    try:
        from .mojibake import looks_double_encoded, repair
    except ImportError:  # pragma: no cover - module always ships
        return text
    if not looks_double_encoded(text):
        return text
    result = repair(text)
    if result.repaired:
        line, col = result.guesses[0] if result.guesses else (1, 1)
        message = "note was double-encoded (UTF-8 read as a Windows code page) and was repaired"
        if result.guessed:
            message += f"; {result.guessed} character(s) had lost a byte and were guessed"
        diagnostics.append(Diagnostic(src_path, line, col, "warning", "mojibake", message))
    return result.text


def note_from_text(src_path: str, abs_path: Path, text: str, use_directory_urls: bool = True,
                   diagnostics: list[Diagnostic] | None = None) -> Note:
    """Build a Note from decoded text: front matter read and normalized, title chosen."""
    diagnostics = diagnostics if diagnostics is not None else []
    parsed = fm.parse_front_matter(text)
    if parsed.error:
        line, col, message = parsed.error
        diagnostics.append(Diagnostic(src_path, line, col, "error", "front-matter", message))
    meta = parsed.data
    body = _without_comments(src_path, parsed.body, parsed.body_offset, diagnostics)
    if body is not parsed.body:  # keep source = front matter + body, comment-free
        text = "\n".join(text.split("\n")[: parsed.body_offset] + [body])
    note = Note(src_path=src_path, abs_path=abs_path, source=text, body=body,
                body_offset=parsed.body_offset, meta=meta, diagnostics=diagnostics)
    _apply_meta(note, meta)
    note.url = note_url(src_path, use_directory_urls)
    return note


def _without_comments(src_path: str, body: str, body_offset: int, diagnostics: list[Diagnostic]) -> str:
    """The transform every later stage relies on: ``%%comments%%`` are gone from the body."""
    stripped = strip_comments(body)
    if stripped.unclosed is not None:
        line, col = stripped.unclosed
        diagnostics.append(Diagnostic(src_path, body_offset + line + 1, col + 1, "warning", "comment",
                                      "unclosed %% comment: the rest of the note is hidden"))
    return stripped.text if stripped.comments else body


def _apply_meta(note: Note, meta: dict) -> None:
    note.aliases = fm.as_text_list(meta.get("aliases", meta.get("alias")))
    note.tags = fm.normalize_tags(meta.get("tags", meta.get("tag")))
    note.id = str(meta["id"]).strip() if meta.get("id") not in (None, "") else None
    note.created = fm.normalize_date(meta.get("created"))
    note.modified = fm.normalize_date(meta.get("modified", meta.get("updated")))
    note.date = fm.normalize_date(meta.get("date"))
    note.author = str(meta["author"]) if meta.get("author") is not None else None
    note.description = str(meta["description"]) if meta.get("description") is not None else None
    note.draft = fm.as_bool(meta.get("draft"), False)
    note.publish = fm.as_bool(meta.get("publish"), True)
    note.title = choose_title(meta.get("title"), first_h1(note.body), note.stem)


def choose_title(front_matter_title: object, h1: str | None, stem: str) -> str:
    """Front matter title → first H1 → file name; a slug-like title yields to a real H1."""
    scalar = isinstance(front_matter_title, (str, int, float))
    title = str(front_matter_title).strip() if scalar else ""  # a list or mapping is no title
    if title and not (h1 and _SLUG.match(title)):
        return title
    if h1:
        return h1
    return title or stem


def first_h1(body: str) -> str | None:
    """The H1 that opens the note, if any.

    Only a leading H1 names the note: exported blog posts often have a section
    H1 halfway down, which is not their title (the file name is better then).
    Blank lines, HTML comments and kramdown attribute lines may precede it.
    """
    in_comment = False
    for line in body.split("\n"):
        stripped = line.strip()
        if in_comment:
            in_comment = "-->" not in stripped
            continue
        if not stripped or stripped.startswith("{:"):
            continue
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        m = _H1.match(line)
        return _strip_inline_markup(m.group(1)) if m else None
    return None


def _strip_inline_markup(text: str) -> str:
    text = re.sub(r"\[\[([^\]|]*\|)?([^\]]*)\]\]", r"\2", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"(\*\*|__|\*|`)", "", text).strip()
