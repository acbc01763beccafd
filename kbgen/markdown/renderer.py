"""The one markdown-it-py set-up kbgen renders every note with.

Rendering is two-phase so that cross-note features work without global state:
``parse`` turns one note into tokens (headings and block ids known), and
``render`` turns tokens into HTML once every note of the vault has been parsed.
Both are pure functions of (note, vault, config); per-document state travels
in ``env``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from ..config import KbgenConfig
from ..diagnostics import Diagnostic, Reporter
from ..study import flashcards, note_count, quiz_syntax
from ..vault.note import Note
from ..vault.vault import Vault
from ..packed import PACK_MIN, PackedText, digest_parts, head_of, text_of, utf8_of
from . import (blockrefs, callouts, cjk_emphasis, embeds, headings, highlight, html_markdown, kramdown, limits,
               mark, math, mermaid, notelinks, tags, toc_block, wikilinks)
from .headings import Heading, toc_tokens

# A post-processor runs on a note's finished HTML (e.g. to typeset all of a
# page's formulas in one engine call); plugins append to md.kb_postprocessors.
PostProcessor = Callable[[str, dict], str]


@dataclass
class ParsedNote:
    note: Note
    tokens: list[Token]
    env: dict[str, Any]

    @property
    def headings(self) -> list[Heading]:
        return self.env.get("headings", [])


@dataclass
class RenderedNote:
    src_path: str
    html: str  # the page body; held compressed once packed (see ``pack``), a str whenever read
    title: str
    toc: list[dict]  # MkDocs-style TOC tokens
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # What syntax plugins found, by plugin: {"links": [...], "quizzes": [...], …}
    data: dict[str, Any] = field(default_factory=dict)

    def pack(self) -> None:
        """Hold the body compressed (kbgen.packed) until it is set again; reading it decompresses a copy.

        Short appended parts (a graph slot) stay as they are: compressing each cost more than it saves.
        """
        if isinstance(self._body, str):
            self._body = PackedText(self._body)
        tail = _parts(self._tail)
        if any(isinstance(part, str) and len(part) >= PACK_MIN for part in tail):
            self._tail = tuple(PackedText(part) if isinstance(part, str) and len(part) >= PACK_MIN else part
                               for part in tail)

    def append(self, html: "str | PackedText") -> None:
        """``self.html += html`` that leaves a packed body (and packed appended parts) packed."""
        if len(html):
            self._tail = _parts(self._tail) + (html,)

    def body_head(self, size: int) -> tuple[str, bool]:
        """The start of the body as set (before anything inserted or appended), from its first ``size``
        bytes, and whether that is all of it (kbgen.packed.PackedText.head)."""
        return head_of(self._body, size)

    def insert(self, at: int, text: str, head: str) -> bool:
        """Put ``text`` at character ``at`` of the body as set, ``at`` within ``head`` (its start, from
        :meth:`body_head`), leaving a packed body packed; False (nothing done) when it already has one."""
        if at > len(head):
            return False
        return self.insert_at(at, len(head[:at].encode("utf-8", "surrogatepass")), text)

    def insert_at(self, at: int, at_byte: int, text: str) -> bool:
        """:meth:`insert` at character ``at``, byte ``at_byte`` of the body's UTF-8 (both known already)."""
        if self._insert is not None:
            return False
        self._insert = (at, at_byte, text)
        return True

    @property
    def packed(self) -> bool:
        return not isinstance(self._body, str)

    @property
    def html_length(self) -> int:
        """``len(self.html)``, without decompressing it."""
        inserted = len(self._insert[2]) if self._insert is not None else 0
        return len(self._body) + inserted + sum(len(part) for part in _parts(self._tail))

    def html_utf8(self) -> bytes:
        """The body as UTF-8 (what a digest of it needs), without making a str of a packed body."""
        body = utf8_of(self._body)
        if self._insert is not None:
            at, at_byte, text = self._insert
            body = body[:at_byte] + text.encode("utf-8", "surrogatepass") + body[at_byte:]
        tail = _parts(self._tail)
        return body + b"".join(utf8_of(part) for part in tail) if tail else body

    def html_digest(self) -> str:
        """Equal digests, equal :attr:`html`; an unchanged page's digest is its last build's (kbgen.packed.digest_parts).

        Kept with the parts it was made of, compared by identity (the parts are never changed, only
        replaced): the emitters and the page keys ask for every page's digest four or five times a build.
        Pickled with them, it stays right (one pickle keeps shared objects shared): the build kept on disk
        (kbgen.snapshot) brings every page's digest along.
        """
        known = self.__dict__.get("_digested")
        if known is not None and known[0] is self._body and known[1] is self._tail and known[2] is self._insert:
            return known[3]
        parts = digest_parts([self._body, *_parts(self._tail)])
        inserted = repr((self._insert[0], self._insert[2])) if self._insert is not None else ""
        digest = hashlib.sha256(f"{parts}\0{inserted}".encode("utf-8", "surrogatepass")).hexdigest()
        self.__dict__["_digested"] = (self._body, self._tail, self._insert, digest)
        return digest

    def copy(self, **changes: Any) -> "RenderedNote":
        """``dataclasses.replace``, sharing the body as it is held (replace would decompress it)."""
        if "html" in changes:
            body, tail, inserted = changes.pop("html"), "", None
        else:
            body, tail, inserted = self._body, self._tail, self._insert
        copied = replace(self, html="", **changes)
        copied._body, copied._tail, copied._insert = body, tail, inserted
        return copied


def _parts(tail: "str | PackedText | tuple") -> tuple:
    """What ``append`` added, as a tuple of parts (older cache entries hold one str, "" for none)."""
    if isinstance(tail, tuple):
        return tail
    return (tail,) if len(tail) else ()


def _get_html(self: RenderedNote) -> str:
    body = text_of(self._body)
    if self._insert is not None:
        at, _, text = self._insert
        body = body[:at] + text + body[at:]
    tail = _parts(self._tail)
    return body + "".join(text_of(part) for part in tail) if tail else body


def _set_html(self: RenderedNote, value: str) -> None:
    # _body: the page as set; _insert: (character, byte, text) put into it since (kbgen.emit.aliases);
    # _tail: what ``append`` added since, as parts (each a str or a PackedText).
    self._body, self._tail, self._insert = value, (), None


# After @dataclass: as a class attribute before it, the property would be taken for the field's default.
RenderedNote.html = property(_get_html, _set_html, doc="The page body as a str (decompressed when packed).")  # type: ignore[assignment]
RenderedNote._insert = None  # type: ignore[attr-defined]  # entries cached before it existed


def build_markdown(config: KbgenConfig) -> MarkdownIt:
    """The MarkdownIt instance: CommonMark + GFM bits + kbgen's syntax plugins."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    # GFM-style bare URLs only: fuzzy matching turns file names like ReLU.py into links.
    md.linkify.set({"fuzzy_link": False})
    md.linkify.pretest = _linkify_pretest(md.linkify.pretest)  # type: ignore[method-assign]
    md.use(limits.plugin, config=config)  # first: it guards the block parser every other rule runs in
    md.kb_postprocessors = []  # type: ignore[attr-defined]
    md.kb_config = config  # type: ignore[attr-defined]
    md.use(cjk_emphasis.plugin)
    md.use(mark.plugin)
    md.use(html_markdown.plugin)
    md.use(kramdown.plugin)
    md.use(callouts.plugin)
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.use(headings.plugin)
    md.use(highlight.plugin)
    md.use(mermaid.plugin)
    md.use(toc_block.plugin)
    md.use(tags.plugin)
    for extension in _optional_plugins():
        md.use(extension, config=config)
    return md


def _linkify_pretest(pretest: Callable[[str], bool]) -> Callable[[str], bool]:
    """linkify-it's pretest is a large regex run on every paragraph; without fuzzy
    links every link it can find has a ``:`` (scheme) or an ``@`` (e-mail)."""

    def quick_pretest(text: str) -> bool:
        return (":" in text or "@" in text) and pretest(text)

    return quick_pretest


def _optional_plugins() -> list[Callable]:
    """Syntax modules that take the config, in the order their rules must run.

    Quizzes and flashcards come last: their core rules read the tokens the
    link and math rules made.
    """
    return [wikilinks.plugin, embeds.plugin, blockrefs.plugin, notelinks.plugin, math.plugin,
            quiz_syntax.plugin, flashcards.plugin, note_count.plugin]


class NoteRenderer:
    """Parses and renders notes with one shared MarkdownIt instance."""

    def __init__(self, config: KbgenConfig):
        self.config = config
        self.md = build_markdown(config)
        # src_path → the code blocks the note's last render highlighted (kbgen.incremental.Plan)
        self.highlighted: dict[str, dict] = {}

    def before_fork(self) -> None:
        """Leave no typesetting thread running and no formula-cache connection open across a fork."""
        typesetter = getattr(self.md, "kb_typesetter", None)
        if typesetter is not None:
            typesetter.before_fork()

    def after_fork(self) -> None:
        """In a forked worker: its own formula-cache connection and KaTeX engine."""
        typesetter = getattr(self.md, "kb_typesetter", None)
        if typesetter is not None:
            typesetter.after_fork()

    def flush(self) -> None:
        """Typeset the formulas announced so far (a worker's batch of notes is done)."""
        typesetter = getattr(self.md, "kb_typesetter", None)
        if typesetter is not None:
            typesetter.flush()

    def new_env(self, note: Note, vault: Vault) -> dict[str, Any]:
        return {
            "note": note,
            "vault": vault,
            "config": self.config,
            "renderer": self,
            "report": Reporter(note.src_path, note.body_offset),
            "data": {},
            highlight.REUSE_KEY: self.highlighted.get(note.src_path),
        }

    def parse(self, note: Note, vault: Vault) -> ParsedNote:
        env = self.new_env(note, vault)
        # Binary data is shown, not parsed: its stray $, [[ and * would only produce noise.
        tokens = [limits.plain_text(note.body)] if note.binary else self.md.parse(note.body, env)
        if note.cut:
            tokens.append(limits.cut_notice(self.config))
        return ParsedNote(note, tokens, env)

    def render(self, parsed: ParsedNote) -> RenderedNote:
        env = parsed.env
        html = self.md.renderer.render(parsed.tokens, self.md.options, env)
        for post in self.md.kb_postprocessors:  # type: ignore[attr-defined]
            html = post(html, env)
        note = parsed.note
        return RenderedNote(
            src_path=note.src_path,
            html=html,
            title=note.title,
            toc=toc_tokens(parsed.headings),
            diagnostics=list(env["report"].items),
            data=env["data"],
        )

    def render_note(self, note: Note, vault: Vault) -> RenderedNote:
        """Parse and render in one go (for a single note, or a vault with no cross-links)."""
        return self.render(self.parse(note, vault))
