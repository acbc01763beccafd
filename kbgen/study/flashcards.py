"""Flashcards in the Obsidian spaced-repetition style become flip cards and cloze texts.

Like that plugin, only a note tagged ``#flashcards`` (or ``#flashcards/deck``, in
its front matter or body) is a deck, so Dataview fields (``key:: value``) in other
notes stay text::

    ReLU'(x) for x > 0::1                 one card per line; ":::" makes it
                                          reversed too (back → front)
    Why does a deep sigmoid net stop learning?
    ?                                     a line holding "?" (or "??", reversed)
    Each layer multiplies the gradient    splits a multi-line card: front above,
    by at most 0.25.                      back below

    The ==vanishing gradient== problem.   a paragraph with ==highlights== or
                                          {{c1::…}} is a cloze card
    
A card is a ``<details>``: its ``<summary>`` is the front, so it flips by click,
Enter or Space with no script at all. A cloze paragraph reads as before on the
note's page (highlights stay highlights); the review page blanks one group at a
time. ``**bold**`` is not a cloze: the plugin leaves that off by default, and
these notes bold for emphasis everywhere. Every card is recorded, with its
stable id (:mod:`.cards`), in ``env["data"]["cards"]``.
"""
from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..messages import table
from .cards import BACK_MARK, CLOZE_MARK, FRONT_MARK, Card, unique_card_id
from .tokens import join_lines, split_lines, visible_text

_DECK_TAG = re.compile(r"(?<![\w#&])#flashcards(?:/[\w/-]+)?(?![\w-])")
_SEPARATORS = ((":::", True), ("::", False))  # (separator, reversed)
_SPLIT_LINES = {"?": False, "??": True}
_CLOZE_START = re.compile(r"\{\{c(\d+)::")
FLIP_HINT = "cards.flip"  # message key (kbgen.messages), in the site's language

# (front inline tokens, back inline tokens, reversed)
CardParts = tuple[list[Token], list[Token], bool]


def plugin(md: MarkdownIt, config: Any = None) -> None:
    md.core.ruler.push("kb_flashcards", _find_cards)
    md.add_render_rule("flashcards", render_cards)
    md.add_render_rule("cloze", render_cloze)


def is_deck(env: EnvType, src: str) -> bool:
    tags = getattr(env.get("note"), "tags", None) or []
    if any(t == "flashcards" or str(t).startswith("flashcards/") for t in tags):
        return True
    return "#flashcards" in src and bool(_DECK_TAG.search(src))


def _find_cards(state: StateCore) -> None:
    if state.inlineMode or not is_deck(state.env, state.src):
        return
    tokens = state.tokens
    i = 0
    while i < len(tokens) - 2:
        if tokens[i].type == "paragraph_open" and tokens[i + 1].type == "inline":
            replacement = _paragraph_cards(tokens[i], tokens[i + 1], tokens[i + 2])
            if replacement is None:
                replacement = _cloze(tokens[i], tokens[i + 1], tokens[i + 2])
            if replacement is not None:
                tokens[i:i + 3] = replacement
                i += len(replacement)
                continue
        i += 1
    found: list[Card] = []
    env = state.env
    for token in tokens:
        if token.type == "flashcards":
            for front, back, reverse in token.meta["cards"]:
                front_text, back_text = visible_text(front).strip(), visible_text(back).strip()
                kind = "reversed" if reverse else "basic"
                card = Card(unique_card_id(env, kind, front_text), kind, front_text, back_text,
                            token.map[0] if token.map else 0)
                token.meta.setdefault("ids", []).append(card.id)
                found.append(card)
        elif token.type == "cloze":
            card = token.meta["card"]
            card.id = unique_card_id(env, "cloze", card.front)
            found.append(card)
    if found:
        env.setdefault("data", {}).setdefault("cards", []).extend(found)


def _paragraph_cards(opening: Token, inline: Token, closing: Token) -> list[Token] | None:
    lines = split_lines(inline)
    texts = [_line_text(line) for line in lines]
    for n, text in enumerate(texts):
        if text in _SPLIT_LINES and 0 < n < len(lines) - 1:
            return [_cards_token(opening, [(join_lines(lines[:n]), join_lines(lines[n + 1:]), _SPLIT_LINES[text])])]
    out: list[Token] = []
    plain: list[list[Token]] = []
    cards: list[CardParts] = []
    for line in lines:
        card = split_card(line)
        if card is None:
            if cards:
                out.append(_cards_token(opening, cards))
                cards = []
            plain.append(line)
            continue
        if plain:
            out.extend(_paragraph(opening, inline, closing, plain))
            plain = []
        cards.append(card)
    if not out and not cards:
        return None
    if cards:
        out.append(_cards_token(opening, cards))
    if plain:
        out.extend(_paragraph(opening, inline, closing, plain))
    return out


def split_card(line: list[Token]) -> CardParts | None:
    """Front, back and direction of a ``front::back`` line; ``None`` when the line is not a card."""
    if any(t.type == "text" and _CLOZE_START.search(t.content) for t in line):
        return None  # the "::" of {{c1::…}}
    depth = 0  # inside a link, "::" is part of its text
    for n, tok in enumerate(line):
        if tok.type == "link_open":
            depth += 1
        elif tok.type == "link_close":
            depth -= 1
        elif tok.type == "text" and depth == 0:
            for sep, reverse in _SEPARATORS:
                at = tok.content.find(sep)
                if at < 0:
                    continue
                front = line[:n] + [tok.copy(content=tok.content[:at].rstrip())]
                back = [tok.copy(content=tok.content[at + len(sep):].lstrip())] + line[n + 1:]
                if _line_text(front) and _line_text(back):
                    return _drop_empty(front), _drop_empty(back), reverse
                return None
    return None


def _line_text(line: list[Token]) -> str:
    return "".join(t.content for t in line if t.type in ("text", "code_inline")).strip()


def _drop_empty(line: list[Token]) -> list[Token]:
    return [t for t in line if not (t.type == "text" and not t.content)]


def _cards_token(opening: Token, cards: list[CardParts]) -> Token:
    return Token("flashcards", "", 0, map=opening.map, level=opening.level, block=True, meta={"cards": cards})


def _paragraph(opening: Token, inline: Token, closing: Token, lines: list[list[Token]]) -> list[Token]:
    return [opening.copy(), inline.copy(children=join_lines(lines)), closing.copy()]


def render_cards(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    hint = html.escape(table(getattr(env.get("config"), "language", "") or "")[FLIP_HINT])
    out = ['<div class="kb-cards">\n']
    for (front, back, reverse), ident in zip(tokens[idx].meta["cards"], tokens[idx].meta.get("ids", [])):
        kind = " kb-card--reversed" if reverse else ""
        out.append(f'<details class="kb-card{kind}" id="card-{ident}" data-card="{ident}"><summary>'
                   f'<span class="kb-card__front">{_marked(FRONT_MARK, ident, self.renderInline(front, options, env))}</span>'
                   f'<span class="kb-card__hint" aria-hidden="true" data-search-exclude>{hint}</span></summary>\n'
                   f'<div class="kb-card__back">{_marked(BACK_MARK, ident, self.renderInline(back, options, env))}</div>'
                   '</details>\n')
    out.append("</div>\n")
    return "".join(out)


def render_cloze(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    card: Card = tokens[idx].meta["card"]
    inner = self.renderInline(tokens[idx].children[0].children or [], options, env)
    return (f'<p class="kb-cloze-text" id="card-{card.id}" data-card="{card.id}">'
            f'{_marked(CLOZE_MARK, card.id, inner)}</p>\n')


def _marked(marks: tuple[str, str], ident: str, fragment: str) -> str:
    return marks[0].format(id=ident) + fragment + marks[1].format(id=ident)


# --------------------------------------------------------------------------- cloze


def _cloze(opening: Token, inline: Token, closing: Token) -> list[Token] | None:
    """A paragraph with ``==highlights==`` or ``{{c1::…}}`` as one cloze token, else None."""
    children = inline.children or []
    if not any(t.type == "mark_open" for t in children) and not any(
            t.type == "text" and "{{c" in t.content for t in children):
        return None
    children = _curly_clozes(children)
    groups: list[str] = []
    numbered = {int(t.meta["group"]) for t in children if t.type == "cloze_open"}
    auto = max(numbered, default=0)
    for tok in children:
        if tok.type == "mark_open":
            auto += 1
            tok.attrs = {"class": "kb-cloze", "data-cloze": str(auto)}
            group = str(auto)
        elif tok.type == "cloze_open":
            group = tok.meta["group"]
        else:
            continue
        if group not in groups:
            groups.append(group)
    if not groups:
        return None
    text = visible_text(children).strip()
    card = Card("", "cloze", text, line=opening.map[0] if opening.map else 0, groups=groups)
    # The paragraph's inline token stays a child, so the link pass finds its links.
    return [Token("cloze", "", 0, map=opening.map, level=opening.level, block=True,
                  children=[inline.copy(children=children)], meta={"card": card})]


def _curly_clozes(children: list[Token]) -> list[Token]:
    """``{{c2::text}}`` (or ``{{c2::text::hint}}``) in text tokens as cloze_open/cloze_close around text."""
    out: list[Token] = []
    open_group = ""
    for tok in children:
        if tok.type != "text":
            out.append(tok)
            continue
        rest = tok.content
        while rest:
            if not open_group:
                match = _CLOZE_START.search(rest)
                if match is None:
                    out.append(tok.copy(content=rest))
                    break
                if match.start():
                    out.append(tok.copy(content=rest[:match.start()]))
                open_group = match.group(1)
                out.append(Token("cloze_open", "span", 1, attrs={"class": "kb-cloze", "data-cloze": open_group},
                                 meta={"group": open_group}))
                rest = rest[match.end():]
            else:
                end = rest.find("}}")
                if end < 0:
                    out.append(tok.copy(content=rest))
                    break
                inner = rest[:end].split("::", 1)[0]  # a hint after "::" is Anki's, not text
                if inner:
                    out.append(tok.copy(content=inner))
                out.append(Token("cloze_close", "span", -1))
                open_group = ""
                rest = rest[end + 2:]
    if open_group:  # never closed: leave the paragraph as the author wrote it
        return children
    return out
