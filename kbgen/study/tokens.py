"""Small operations on markdown-it tokens that the quiz and flashcard rules share."""
from __future__ import annotations

from markdown_it.token import Token

_EMPHASIS = {"strong_open": "strong_close", "em_open": "em_close", "s_open": "s_close"}
_CLOSERS = set(_EMPHASIS.values())


def visible_text(children: list[Token]) -> str:
    """The text a reader sees in inline tokens (markup dropped, no stripping)."""
    parts: list[str] = []
    for tok in children:
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.children:
            parts.append(visible_text(tok.children))
        elif tok.content and tok.type != "html_inline":  # math, wiki links: their content is their text
            parts.append(tok.content)
    return "".join(parts)


def strip_prefix(children: list[Token], count: int) -> list[Token]:
    """Inline tokens without their first ``count`` visible characters (a marker).

    Emphasis that wrapped only the marker (``**A)** text``) goes with it; emphasis
    that goes on past it (``**정답: B) text**``) keeps its opening token.
    """
    out: list[Token] = []
    pending: list[Token] = []  # openers met inside the marker, not yet known to be empty
    remaining = count
    i = 0
    while i < len(children) and remaining > 0:
        tok = children[i]
        i += 1
        if tok.type == "text":
            if len(tok.content) <= remaining:
                remaining -= len(tok.content)
                continue
            out.extend(pending)
            pending = []
            out.append(tok.copy(content=tok.content[remaining:]))
            remaining = 0
        elif tok.type in _EMPHASIS:
            pending.append(tok)
        elif tok.type in _CLOSERS and pending and _EMPHASIS[pending[-1].type] == tok.type:
            pending.pop()
        else:
            out.extend(pending)
            pending = []
            out.append(tok)
            remaining = 0
    rest = children[i:]
    # Emphasis that held nothing but the marker closes right after it: drop the pair.
    while pending and rest and rest[0].type == _EMPHASIS[pending[-1].type]:
        pending.pop()
        rest = rest[1:]
    return _trim_start(out + pending + rest)


def _trim_start(children: list[Token]) -> list[Token]:
    out = list(children)
    while out and out[0].type == "text" and not out[0].content.strip():
        out.pop(0)
    if out and out[0].type == "text":
        out[0] = out[0].copy(content=out[0].content.lstrip())
    return out


def split_lines(inline: Token) -> list[list[Token]]:
    """An inline token's children, one list per source line."""
    lines: list[list[Token]] = [[]]
    for tok in inline.children or []:
        if tok.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(tok)
    return lines


def join_lines(lines: list[list[Token]]) -> list[Token]:
    """Lines of inline tokens as one run, with soft breaks between them."""
    out: list[Token] = []
    for line in lines:
        if out:
            out.append(Token("softbreak", "br", 0))
        out.extend(line)
    return out


def paragraph(lines: list[list[Token]]) -> list[Token]:
    """A new paragraph (open, inline, close) holding these lines."""
    return [Token("paragraph_open", "p", 1, block=True),
            Token("inline", "", 0, children=join_lines(lines), block=True),
            Token("paragraph_close", "p", -1, block=True)]


def inline_children(tokens: list[Token]) -> list[Token]:
    """Every inline child of a run of block tokens, blocks joined by soft breaks."""
    return join_lines([t.children or [] for t in tokens if t.type == "inline"])


def block_end(tokens: list[Token], i: int) -> int:
    """Index just after the block that starts at ``tokens[i]``."""
    if tokens[i].nesting != 1:
        return i + 1
    level = tokens[i].level
    j = i + 1
    while j < len(tokens) and not (tokens[j].level == level and tokens[j].nesting == -1):
        j += 1
    return j + 1
