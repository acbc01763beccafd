r"""Where formulas are in a note: Obsidian's ``$…$`` and ``$$…$$`` rules, exactly.

Obsidian has only dollars::

    inline       $\alpha = 0.01$      no space just inside the dollars; a closing
                                      ``$`` followed by a digit does not close,
                                      so ``$5 and $10`` stays text
    display      $$ … $$              opens at a line's start (top level, list
                                      items, quotes, callouts, right after a
                                      paragraph line) and closes at the NEXT
                                      ``$$``, wherever it is on its line: text
                                      after it stays a paragraph
    in a line    text $$x$$ text      display math inside a paragraph
    literal      \$                   a dollar sign; code spans and blocks are never math

A ``$$`` that never closes stays text and is reported (``math-unclosed``) at its
line; it affects nothing after it. ``\[``, ``\(``, ``\*``… are Markdown escapes
as in Obsidian. Notes brought from MkDocs/arithmatex may turn on
``math_latex_delimiters``: then ``\(…\)``, ``\[…\]`` and bare
``\begin{align}…\end{align}`` environments are math too.

Formulas become ``math_inline`` / ``math_block`` tokens (see :mod:`.math` for
typesetting).
"""
from __future__ import annotations

import re
from typing import Callable

from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# amsmath's top-level environments: written bare, they are display math (latex delimiters only).
MATH_ENVIRONMENTS = frozenset(
    name + star
    for name in ("equation", "align", "alignat", "gather", "multline", "flalign")
    for star in ("", "*")
)
_BEGIN = re.compile(r"\\begin\{([a-zA-Z]+\*?)\}")
_DIGITS = "0123456789"
# How far back (in lines) an interrupting `$$` looks for a `$$` its paragraph opened.
_LOOKBACK_LINES = 50
_LAST_BLOCK_KEY = "_math_block_last_line"  # env: last line of the latest display block


# ---------------------------------------------------------------- block rule


def make_block_rule(latex: bool) -> Callable[[StateBlock, int, int, bool], bool]:
    def math_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        """``$$…$$`` (with ``latex``: ``\\[…\\]``, bare ``\\begin{env}…\\end{env}``) starting a line."""
        if state.sCount[start] - state.blkIndent >= 4:  # an indented code block
            return False
        src = state.src
        pos = state.bMarks[start] + state.tShift[start]
        line_end = state.eMarks[start]
        if src.startswith("$$", pos):
            if silent and _closes_paragraph_math(state, start):
                return False  # `text $$` on an earlier line opened display math: this `$$` closes it
            markup, closer, content_start, env_name = "$$", "$$", pos + 2, ""
        elif latex and src.startswith("\\[", pos):
            markup, closer, content_start, env_name = "\\[", "\\]", pos + 2, ""
        elif latex and src.startswith("\\begin{", pos):
            found = _BEGIN.match(src, pos, line_end)
            if found is None or found.group(1) not in MATH_ENVIRONMENTS:
                return False
            env_name = found.group(1)
            # The environment is part of the TeX: KaTeX typesets \begin{align}…\end{align} itself.
            markup, closer, content_start = "\\begin", f"\\end{{{env_name}}}", pos
        else:
            return False

        found_spans = _block_spans(state, start, end, content_start, closer, keep_closer=bool(env_name))
        if found_spans is None:
            return False
        spans, rest = found_spans
        if silent:
            return True

        last_line = spans[-1][0]
        token = state.push("math_block", "math", 0)
        token.block = True
        token.markup = markup
        token.info = env_name
        token.content = "\n".join(src[a:b] for _, a, b in spans)
        token.map = [start, last_line + 1]
        # Where each TeX line starts in the note, so KaTeX's error offsets become line:col.
        token.meta = {"origins": [(line, a - (src.rfind("\n", 0, a) + 1)) for line, a, _ in spans]}
        # The lines a block took never open or close a paragraph's `$$` (see _closes_paragraph_math).
        state.env[_LAST_BLOCK_KEY] = (last_line, rest is not None)
        if rest is None:
            state.line = last_line + 1
        else:
            # `$$ is called **Laplace's equation**`: what follows the closer on its line
            # is parsed as a paragraph starting there, as Obsidian shows it.
            _start_line_at(state, last_line, rest)
            state.line = last_line
        return True

    return math_block


def _block_spans(
    state: StateBlock, start: int, end: int, content_start: int, closer: str, keep_closer: bool
) -> tuple[list[tuple[int, int, int]], int | None] | None:
    """``(line, begin, end)`` source spans of the TeX and where text after the closer
    starts (None when nothing follows it), or None when the block never closes.

    The first unescaped ``closer`` after the opener closes the block, whatever
    precedes or follows it on its line. The search stops where the container
    does (a non-blank line indented less than the block's list item or quote),
    so a stray ``$$`` cannot swallow the rest of the note.
    """
    src = state.src
    first_end = state.eMarks[start]
    at = _find_closer(src, content_start, first_end, closer)
    if at >= 0:
        if src[at + len(closer): first_end].strip():
            return None  # `$$a$$ more text`: display math inside a paragraph, for the inline rule
        return [(start, content_start, at + (len(closer) if keep_closer else 0))], None

    spans = [(start, content_start, first_end)]
    limit = min(state.blkIndent, state.sCount[start])
    for line in range(start + 1, end):
        begin, line_end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
        if begin >= line_end:  # blank: allowed inside display math
            spans.append((line, line_end, line_end))
            continue
        if 0 <= state.sCount[line] < limit:
            return None
        at = _find_closer(src, begin, line_end, closer)
        if at >= 0:
            after = at + len(closer)
            spans.append((line, begin, after if keep_closer else at))
            rest = after if src[after:line_end].strip() else None
            return spans, rest
        spans.append((line, begin, line_end))
    return None


def _start_line_at(state: StateBlock, line: int, pos: int) -> None:
    """Make block parsing see ``line`` as starting at ``pos`` (its indentation dropped)."""
    line_end = state.eMarks[line]
    shift = 0
    while pos + shift < line_end and state.src[pos + shift] in " \t":
        shift += 1
    state.bMarks[line] = pos
    state.tShift[line] = shift
    state.sCount[line] = state.blkIndent  # at the container's indent: never an indented code block


def _closes_paragraph_math(state: StateBlock, line: int) -> bool:
    """Whether the paragraph above ``line`` left a ``$$`` open (so the ``$$`` here closes it).

    Asked only when a ``$$`` line would interrupt a paragraph; looks back a
    bounded number of lines, so the cost per line stays constant.
    """
    src, count = state.src, 0
    block_line, block_rest = state.env.get(_LAST_BLOCK_KEY, (-1, False))
    first = max(0, line - _LOOKBACK_LINES, block_line)
    for above in range(line - 1, first - 1, -1):
        begin, line_end = state.bMarks[above] + state.tShift[above], state.eMarks[above]
        # A display block's closing line counts only from where the paragraph after it starts.
        if begin >= line_end or (above == block_line and not block_rest):
            break
        at = _find_closer(src, begin, line_end, "$$")
        while at >= 0:
            count += 1
            at = _find_closer(src, at + 2, line_end, "$$")
    return count % 2 == 1


def _find_closer(src: str, pos: int, end: int, closer: str) -> int:
    """Index of the first unescaped ``closer`` in ``src[pos:end]``, or -1."""
    at = src.find(closer, pos, end)
    while at >= 0 and _escaped(src, at, pos):
        at = src.find(closer, at + 1, end)
    return at


def _escaped(text: str, at: int, floor: int = 0) -> bool:
    """True when the delimiter at ``at`` follows an odd run of backslashes (``\\$`` is TeX's dollar)."""
    slashes = 0
    i = at - 1
    while i >= floor and text[i] == "\\":
        slashes += 1
        i -= 1
    return slashes % 2 == 1


# ---------------------------------------------------------------- inline rule


def make_inline_rule(latex: bool) -> Callable[[StateInline, bool], bool]:
    def math_inline(state: StateInline, silent: bool) -> bool:
        """``$…$`` and ``$$…$$`` (with ``latex``: ``\\(…\\)``, ``\\[…\\]``) inside a paragraph."""
        src, pos, maximum = state.src, state.pos, state.posMax
        char = src[pos]
        if char == "$":
            if pos + 1 < maximum and src[pos + 1] == "$":
                return _inline_delimited(state, silent, "$$", "$$", display=True)
            return _inline_dollar(state, silent)
        if latex and char == "\\" and pos + 1 < maximum and src[pos + 1] in "([":
            if src[pos + 1] == "(":
                return _inline_delimited(state, silent, "\\(", "\\)", display=False)
            return _inline_delimited(state, silent, "\\[", "\\]", display=True)
        return False

    return math_inline


def _inline_dollar(state: StateInline, silent: bool) -> bool:
    src, pos, maximum = state.src, state.pos, state.posMax
    if pos + 1 >= maximum or src[pos + 1].isspace():
        return False
    close = _scan(src, pos + 1, maximum, "$")
    if close < 0 or src[close - 1].isspace():
        return False
    if close + 1 < maximum and src[close + 1] in _DIGITS:
        return False  # `$5 and $10`: currency, not math
    if not silent:
        _push(state, src[pos + 1: close], "$", pos + 1, display=False)
    state.pos = close + 1
    return True


def _inline_delimited(state: StateInline, silent: bool, opener: str, closer: str, *, display: bool) -> bool:
    src, pos, maximum = state.src, state.pos, state.posMax
    start = pos + len(opener)
    close = _scan(src, start, maximum, closer)
    if close < 0 or not src[start:close].strip():
        if opener != "$$":
            return False
        # An unmatched `$$` is text; consuming both keeps the second from opening `$…$`.
        if not silent:
            token = state.push("math_unclosed", "", 0)
            token.content = "$$"
            token.meta = {"src": state.src, "offset": pos}
        state.pos = start
        return True
    if not silent:
        _push(state, src[start:close], opener, start, display=display)
    state.pos = close + len(closer)
    return True


def _scan(src: str, pos: int, maximum: int, closer: str) -> int:
    """Where ``closer`` ends the formula starting at ``pos``, or -1.

    Backslash pairs are skipped (``\\$`` is TeX's dollar), and so are code spans:
    a ``$`` inside backticks is code, never a closing delimiter.
    """
    backslash_closer = closer[0] == "\\"
    while pos < maximum:
        char = src[pos]
        if char == "\\":
            if backslash_closer and src.startswith(closer, pos):
                return pos
            pos += 2
        elif char == "$" and not backslash_closer:
            if src.startswith(closer, pos):
                return pos
            pos += 1
        elif char == "`":
            pos = _skip_code_span(src, pos, maximum)
        else:
            pos += 1
    return -1


def _skip_code_span(src: str, pos: int, maximum: int) -> int:
    """Position after the code span opening at ``pos`` (or after its backticks if it never closes)."""
    run_end = pos
    while run_end < maximum and src[run_end] == "`":
        run_end += 1
    fence = src[pos:run_end]
    at = src.find(fence, run_end, maximum)
    while at >= 0:
        after = at + len(fence)
        if after >= maximum or src[after] != "`":
            return after
        while after < maximum and src[after] == "`":
            after += 1
        at = src.find(fence, after, maximum)
    return run_end


def _push(state: StateInline, tex: str, markup: str, offset: int, *, display: bool) -> None:
    token = state.push("math_inline", "math", 0)
    token.content = tex
    token.markup = markup
    # `src` is the paragraph's text (a reference, not a copy); with the paragraph's first
    # line and the note's source (added by the core rule) it turns KaTeX's error offset into line:col.
    token.meta = {"display": display, "src": state.src, "offset": offset}
