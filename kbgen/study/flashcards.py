"""Flashcards in the Obsidian spaced-repetition style become flip cards.

Like that plugin, only a note tagged ``#flashcards`` (or ``#flashcards/deck``, in
its front matter or body) is a deck, so Dataview fields (``key:: value``) in other
notes stay text::

    ReLU'(x) for x > 0::1                 one card per line (":::" too)

    Why does a deep sigmoid net stop learning?
    ?                                     a line holding "?" (or "??") splits a
    Each layer multiplies the gradient    multi-line card: front above, back below
    by at most 0.25.

A card is a ``<details>``: its ``<summary>`` is the front, so it flips by click,
Enter or Space with no script at all.
"""
from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .tokens import join_lines, split_lines

_DECK_TAG = re.compile(r"(?<![\w#&])#flashcards(?:/[\w/-]+)?(?![\w-])")
_SEPARATORS = (":::", "::")
_SPLIT_LINES = ("?", "??")
FLIP_HINT = "뒤집기"

Card = tuple[list[Token], list[Token]]  # (front inline tokens, back inline tokens)


def plugin(md: MarkdownIt, config: Any = None) -> None:
    md.core.ruler.push("kb_flashcards", _find_cards)
    md.add_render_rule("flashcards", render_cards)


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
            if replacement is not None:
                tokens[i:i + 3] = replacement
                i += len(replacement)
                continue
        i += 1


def _paragraph_cards(opening: Token, inline: Token, closing: Token) -> list[Token] | None:
    lines = split_lines(inline)
    texts = [_line_text(line) for line in lines]
    for n, text in enumerate(texts):
        if text in _SPLIT_LINES and 0 < n < len(lines) - 1:
            return [_cards_token(opening, [(join_lines(lines[:n]), join_lines(lines[n + 1:]))])]
    out: list[Token] = []
    plain: list[list[Token]] = []
    cards: list[Card] = []
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


def split_card(line: list[Token]) -> Card | None:
    """Front and back of a ``front::back`` line; ``None`` when the line is not a card."""
    depth = 0  # inside a link, "::" is part of its text
    for n, tok in enumerate(line):
        if tok.type == "link_open":
            depth += 1
        elif tok.type == "link_close":
            depth -= 1
        elif tok.type == "text" and depth == 0:
            for sep in _SEPARATORS:
                at = tok.content.find(sep)
                if at < 0:
                    continue
                front = line[:n] + [tok.copy(content=tok.content[:at].rstrip())]
                back = [tok.copy(content=tok.content[at + len(sep):].lstrip())] + line[n + 1:]
                if _line_text(front) and _line_text(back):
                    return _drop_empty(front), _drop_empty(back)
                return None
    return None


def _line_text(line: list[Token]) -> str:
    return "".join(t.content for t in line if t.type in ("text", "code_inline")).strip()


def _drop_empty(line: list[Token]) -> list[Token]:
    return [t for t in line if not (t.type == "text" and not t.content)]


def _cards_token(opening: Token, cards: list[Card]) -> Token:
    return Token("flashcards", "", 0, map=opening.map, level=opening.level, block=True, meta={"cards": cards})


def _paragraph(opening: Token, inline: Token, closing: Token, lines: list[list[Token]]) -> list[Token]:
    return [opening.copy(), inline.copy(children=join_lines(lines)), closing.copy()]


def render_cards(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    out = ['<div class="kb-cards">\n']
    for front, back in tokens[idx].meta["cards"]:
        out.append(f'<details class="kb-card"><summary><span class="kb-card__front">'
                   f'{self.renderInline(front, options, env)}</span>'
                   f'<span class="kb-card__hint" aria-hidden="true" data-search-exclude>{FLIP_HINT}</span></summary>\n'
                   f'<div class="kb-card__back">{self.renderInline(back, options, env)}</div></details>\n')
    out.append("</div>\n")
    return "".join(out)
