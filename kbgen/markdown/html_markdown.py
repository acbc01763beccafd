"""HTML blocks marked ``markdown="1"`` (kramdown, PHP Markdown Extra) render the Markdown inside.

Syntax::

    <details markdown="1">
    <summary>Title</summary>
    **bold**, lists and | tables |
    </details>

CommonMark would treat that whole element as one raw HTML block (it only ends
at a blank line), so ``**bold**`` would show with its asterisks. Here the
opening tag, the ``<summary>`` of a ``<details>`` and the closing tag stay raw
HTML while the lines between are parsed as Markdown blocks, blank lines around
them or not. ``markdown="span"`` parses the inside as inline Markdown and
``markdown="0"`` keeps it raw. Inline elements (``<span markdown="1">``) sit in
paragraphs, whose Markdown is parsed anyway. The ``markdown`` attribute itself
never reaches the output. Nested elements of the same tag are matched; an
element that is never closed is closed at the end of its container, with a
warning.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.html_blocks import block_names
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore

_OPEN_TAG = re.compile(
    r"""<(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*>"""
)
_MARKDOWN_ATTR = re.compile(r"""\s+markdown(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+)))?(?=[\s/>]|$)""", re.I)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCK_TAGS = frozenset(block_names)


def _markdown_mode(attrs: str) -> tuple[str, str] | None:
    """("block" | "span" | "raw", attrs without ``markdown``), or None if there is no such attribute."""
    m = _MARKDOWN_ATTR.search(attrs)
    if not m:
        return None
    value = (m["dq"] if m["dq"] is not None else m["sq"] if m["sq"] is not None else m["bare"] or "1").strip().lower()
    mode = {"0": "raw", "span": "span"}.get(value, "block")
    return mode, attrs[: m.start()] + attrs[m.end() :]


def _html_markdown_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[pos : pos + 1] != "<" or state.sCount[start_line] - state.blkIndent >= 4 \
            or not state.md.options.get("html"):
        return False
    first = _line(state, start_line)
    opening = _OPEN_TAG.match(first)
    if not opening or opening["tag"].lower() not in _BLOCK_TAGS:
        return False  # inline elements sit in paragraphs, whose Markdown is parsed anyway
    parsed = _markdown_mode(opening["attrs"])
    if parsed is None:
        return False
    if silent:
        return True  # like CommonMark's block-level HTML, it may interrupt a paragraph
    mode, attrs = parsed
    tag = opening["tag"].lower()
    head = f"<{opening['tag']}{attrs}>"

    close = _find_close(state, tag, start_line, end_line, opening.end())
    if close is None:
        report = state.env.get("report")
        if report is not None:
            report.warning("html-markdown", f"<{tag} markdown> is never closed; it was closed at the end of its "
                           "container", body_line=start_line, col=state.sCount[start_line] + 1)
        close_line, close_start, tail = end_line, None, f"</{opening['tag']}>"
    else:
        close_line, close_start = close
        tail = _line(state, close_line)[close_start:]
    last_line = close_line + 1 if close is not None else close_line

    if mode == "raw":
        text = state.getLines(start_line, last_line, state.blkIndent, True)
        _html(state, text.replace(opening.group(0), head, 1).rstrip("\n") + "\n", [start_line, last_line])
    elif close_line == start_line:  # <div markdown="1">**one line**</div>
        _html(state, head + ("\n" if mode == "block" else ""), [start_line, last_line])
        _inline(state, first[opening.end():close_start].strip(), [start_line, last_line], mode)
        _html(state, tail + "\n", [start_line, last_line])
    else:
        after_open, body_start = first[opening.end():], start_line + 1
        if tag == "details":
            summary, body_start = _summary(state, body_start, close_line)
            after_open += summary
        before_close = _line(state, close_line)[:close_start] if close_start is not None else ""
        if mode == "span":
            body = state.getLines(body_start, close_line, state.blkIndent, False)
            text = "\n".join(part.strip() for part in (after_open, body, before_close) if part.strip())
            _html(state, head, [start_line, body_start])
            _inline(state, text, [start_line, last_line], mode)
        else:
            if after_open.strip().startswith("<"):  # e.g. <details markdown="1"><summary>…</summary>
                head, after_open = head + after_open, ""
            _html(state, head + "\n", [start_line, body_start])
            _inline(state, after_open.strip(), [start_line, start_line + 1], mode)
            state.md.block.tokenize(state, body_start, close_line)
            _inline(state, before_close.strip(), [close_line, last_line], mode)
        _html(state, tail + "\n", [close_line, last_line])
    state.line = last_line
    return True


def _strip_markdown_attribute(text: str) -> str:
    def clean(m: re.Match) -> str:
        parsed = _markdown_mode(m["attrs"])
        return m.group(0) if parsed is None else f"<{m['tag']}{parsed[1]}>"

    return _OPEN_TAG.sub(clean, text)


def _strip_leftover_attributes(state: StateCore) -> None:
    """``markdown`` attributes this rule did not consume (inline elements, odd layouts) are dropped too."""
    if "markdown" not in state.src:
        return
    for token in state.tokens:
        if token.type == "html_block" and "markdown" in token.content:
            token.content = _strip_markdown_attribute(token.content)
        for child in token.children or ():
            if child.type == "html_inline" and "markdown" in child.content:
                child.content = _strip_markdown_attribute(child.content)


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _find_close(state: StateBlock, tag: str, start_line: int, end_line: int, offset: int) -> tuple[int, int] | None:
    """(line, column) of the ``</tag>`` that closes the element opened on ``start_line``.

    Counts nested elements of the same tag and skips fenced code, where tags are text.
    """
    tags = re.compile(rf"<(/?)({re.escape(tag)})(?=[\s/>])[^>]*?(/?)>", re.I)
    depth = 1
    fence: str | None = None
    for line in range(start_line, end_line):
        text = _line(state, line)
        if line != start_line:
            indented = " " * max(0, state.sCount[line] - state.blkIndent) + text
            m = _FENCE.match(indented)
            if fence is not None:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                    fence = None
                continue
            if m:
                fence = m.group(1)
                continue
        for found in tags.finditer(text, offset if line == start_line else 0):
            if found.group(3):  # <tag … /> opens nothing
                continue
            depth += -1 if found.group(1) else 1
            if depth == 0:
                return line, found.start()
    return None


def _summary(state: StateBlock, line: int, close_line: int) -> tuple[str, int]:
    """The ``<summary>…</summary>`` that opens a ``<details>``: raw HTML, even without a blank line after it."""
    if line >= close_line or not _line(state, line).lstrip().lower().startswith("<summary"):
        return "", line
    parts: list[str] = []
    for current in range(line, close_line):
        text = _line(state, current)
        if not text.strip():  # an unclosed summary ends at a blank line
            return "\n" + "\n".join(parts), current
        parts.append(text)
        if "</summary>" in text.lower():
            return "\n" + "\n".join(parts), current + 1
    return "\n" + "\n".join(parts), close_line


def _html(state: StateBlock, content: str, line_map: list[int]) -> None:
    token = state.push("html_block", "", 0)
    token.content = content
    token.map = line_map


def _inline(state: StateBlock, content: str, line_map: list[int], mode: str) -> None:
    """Inline Markdown: a paragraph inside block elements, bare inside span elements."""
    if not content:
        return
    if mode == "block":
        token = state.push("paragraph_open", "p", 1)
        token.map = line_map
    token = state.push("inline", "", 0)
    token.content = content
    token.map = line_map
    token.children = []
    if mode == "block":
        state.push("paragraph_close", "p", -1)


def plugin(md: MarkdownIt) -> None:
    """Parse the Markdown inside HTML elements that carry ``markdown="1"``."""
    md.block.ruler.before(
        "html_block", "html_markdown", _html_markdown_block, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.core.ruler.after("inline", "html_markdown_attributes", _strip_leftover_attributes)
