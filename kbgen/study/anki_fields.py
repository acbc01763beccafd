"""A vault's quizzes and flashcards as Anki note fields (HTML Anki can show).

The notes go through kbgen's own parser, so every card is found exactly as the
site finds it, but a few render rules differ for Anki: math stays TeX between
``\\(…\\)`` / ``\\[…\\]`` (Anki's MathJax typesets it), images become media
files referenced by a flat name, and links inside the vault lose their ``<a>``
(they point at site pages Anki cannot open). Nothing here knows genanki.
"""
from __future__ import annotations

import hashlib
import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..config import KbgenConfig
from ..markdown import embeds, linkpass
from ..markdown.link_targets import ensure_resolved, media_kind
from ..markdown.renderer import NoteRenderer, ParsedNote
from ..vault.load import load_vault
from ..vault.note import Note
from ..vault.vault import Vault
from .cards import Card
from .model import Quiz
from .recognize import QuizParts

ItemKind = Literal["quiz", "basic", "reversed", "cloze"]

_INTERNAL_LINK = re.compile(r'<a\b(?![^>]*\bhref="(?:https?:|mailto:))[^>]*>(.*?)</a>', re.S)
_CLOZE_PART = re.compile(r'<(mark|span) class="kb-cloze" data-cloze="(\d+)">(.*?)</\1>', re.S)


@dataclass
class AnkiItem:
    kind: ItemKind
    key: str  # stable: the card's or quiz's id with its note path → the Anki note GUID
    fields: list[str]
    note: Note


@dataclass
class VaultCards:
    vault: Vault
    items: list[AnkiItem]
    media: dict[str, Path]  # flat media name → file on disk


def collect_cards(config: KbgenConfig) -> VaultCards:
    """Every quiz and flashcard of the vault's published notes, as Anki fields."""
    vault = load_vault(config)
    renderer = _anki_renderer(config)
    parsed: dict[str, ParsedNote] = {}
    for note in vault.published():
        parsed[note.src_path] = renderer.parse(note, vault)
    linkpass.index_links(vault, parsed)
    media = _MediaNames()
    items: list[AnkiItem] = []
    for src_path in sorted(parsed):
        item = parsed[src_path]
        item.env["anki_media"] = media
        for found in _note_items(renderer, item):
            items.append(found)
    return VaultCards(vault, items, media.files)


# ---------------------------------------------------------------------------- fields


def _note_items(renderer: NoteRenderer, parsed: ParsedNote) -> list[AnkiItem]:
    md, env, note = renderer.md, parsed.env, parsed.note
    items: list[AnkiItem] = []

    def fragment(tokens: list[Token], inline: bool = False) -> str:
        out = (md.renderer.renderInline if inline else md.renderer.render)(tokens, md.options, env)
        return _INTERNAL_LINK.sub(r"\1", out).strip()

    for token in parsed.tokens:
        if token.type == "quiz":
            fields = _quiz_fields(token.meta["quiz"], token.meta["parts"], fragment)
            items.append(AnkiItem("quiz", f"quiz:{note.src_path}:{token.meta['quiz'].id}",
                                  fields + [_source(note)], note))
        elif token.type == "flashcards":
            for (front, back, reverse), ident in zip(token.meta["cards"], token.meta.get("ids", [])):
                items.append(AnkiItem("reversed" if reverse else "basic", f"card:{ident}",
                                      [fragment(front, True), fragment(back, True), _source(note)], note))
        elif token.type == "cloze":
            card: Card = token.meta["card"]
            text = _CLOZE_PART.sub(lambda m: "{{c%s::%s}}" % (m.group(2), m.group(3)),
                                   fragment(token.children[0].children or [], True))
            items.append(AnkiItem("cloze", f"card:{card.id}", [text, _source(note)], note))
    return items


def _quiz_fields(quiz: Quiz, parts: QuizParts, fragment: Any) -> list[str]:
    """Question, Options, Answer, Explanation."""
    question = fragment(parts.question)
    texts = [fragment(p.inline, True) for p in parts.options]
    labelled = [t if o.label == o.text else f"{html.escape(o.label)}) {t}" for o, t in zip(quiz.options, texts)]
    options = "".join(f"<li>{t}</li>" for t in labelled)
    options = f'<ul class="kb-options">{options}</ul>' if options else ""
    if quiz.kind == "short":
        answer = " · ".join(html.escape(a) for a in quiz.accepted)
    else:
        answer = " · ".join(t for o, t in zip(quiz.options, labelled) if o.correct)
    notes = "".join(f"<li><b>{html.escape(quiz.options[n].label)})</b> {_loose(f, fragment)}</li>"
                    for n, f in sorted(parts.feedback.items()))
    explanation = (f"<ul>{notes}</ul>" if notes else "") + (fragment(parts.explanation) if parts.explanation else "")
    return [question, options, answer, explanation]


def _loose(tokens: list[Token], fragment: Any) -> str:
    """A one-paragraph fragment as inline HTML (it runs on after a label), else as blocks."""
    if len(tokens) == 3 and tokens[0].type == "paragraph_open" and tokens[1].type == "inline":
        return fragment(tokens[1].children or [], True)
    return fragment(tokens)


def _source(note: Note) -> str:
    return f"{html.escape(note.title)} <small>({html.escape(note.src_path)})</small>"


# ---------------------------------------------------------------------------- render rules


def _anki_renderer(config: KbgenConfig) -> NoteRenderer:
    renderer = NoteRenderer(config)
    md = renderer.md
    md.kb_postprocessors = []  # type: ignore[attr-defined]  # no KaTeX: Anki's MathJax typesets
    md.add_render_rule("math_inline", _math_inline)
    md.add_render_rule("math_block", _math_block)
    original_embed = md.renderer.rules.get(embeds.TOKEN)
    original_image = md.renderer.rules.get("image") or RendererHTML.image

    def embed(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        resolution = ensure_resolved(tokens[idx].meta["kb_link"], env)
        if resolution.attachment is not None and media_kind(resolution.attachment) == "image":
            name = env["anki_media"].add(resolution.attachment, env["vault"])
            if name:
                return f'<img src="{html.escape(name, quote=True)}">'
        return original_embed(self, tokens, idx, options, env) if original_embed else ""

    def image(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        path = _vault_image(tokens[idx].attrGet("src") or "", env)
        name = env["anki_media"].add(path, env["vault"]) if path else ""
        if name:
            tokens[idx].attrSet("src", name)
        return original_image(self, tokens, idx, options, env)

    md.add_render_rule(embeds.TOKEN, embed)
    md.add_render_rule("image", image)
    return renderer


def _math_inline(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    tex = html.escape(token.content.strip(), quote=False)
    return f"\\[{tex}\\]" if token.meta and token.meta.get("display") else f"\\({tex}\\)"


def _math_block(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return f"<div>\\[{html.escape(tokens[idx].content.strip(), quote=False)}\\]</div>\n"


def _vault_image(src: str, env: EnvType) -> str | None:
    """The vault path of a Markdown image's ``src`` (relative to the note's page or its folder)."""
    if not src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:|^/", src):
        return None
    vault: Vault = env["vault"]
    note: Note = env["note"]
    target = unquote(src.split("#", 1)[0].split("?", 1)[0])
    page_dir = note.url if note.url.endswith("/") else posixpath.dirname(note.url)
    for base in (page_dir, posixpath.dirname(note.src_path)):
        path = posixpath.normpath(posixpath.join(base, target))
        if path in vault.attachments:
            return path
    return None


class _MediaNames:
    """Flat, unique media names for vault files (Anki keeps all media in one folder)."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}
        self.by_path: dict[str, str] = {}

    def add(self, path: str, vault: Vault) -> str:
        if path not in vault.attachments:
            return ""
        name = self.by_path.get(path)
        if name is None:
            name = posixpath.basename(path)
            if name in self.files:  # another folder's file of the same name
                name = hashlib.sha1(path.encode("utf-8")).hexdigest()[:8] + "-" + name
            self.files[name] = vault.attachments[path]
            self.by_path[path] = name
        return name
