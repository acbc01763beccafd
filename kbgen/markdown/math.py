r"""Math, with Obsidian's rules, typeset by KaTeX when the site is built.

Syntax accepted::

    inline       $\alpha = 0.01$      no space just inside the dollars; a closing
                                      ``$`` followed by a digit does not close,
                                      so ``$5 and $10`` stays text
                 \(x^2\)
    display      $$ … $$              on its own lines, wherever a block can stand:
                 \[ … \]              top level, list items (indented 2/4/tab),
                 \begin{align} …      blockquotes and callouts — also right after
                 \end{align}          a paragraph line, with no blank line between
    in a line    text $$x$$ text      display math inside a paragraph
    literal      \$                   a dollar sign; code spans and blocks are never math

Formulas become ``math_inline`` / ``math_block`` tokens; their render rules only
leave a placeholder and note the formula in ``env``, and a post-processor
typesets all of a page's formulas at once (cache first, then one KaTeX call)
and reports the ones KaTeX rejects at their line and column.
"""
from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..config import KbgenConfig
from ..katex.engine import RenderResult
from ..katex.typeset import Typesetter

# amsmath's top-level environments: written bare, they are display math.
MATH_ENVIRONMENTS = frozenset(
    name + star
    for name in ("equation", "align", "alignat", "gather", "multline", "flalign")
    for star in ("", "*")
)
_BEGIN = re.compile(r"\\begin\{([a-zA-Z]+\*?)\}")
_DIGITS = "0123456789"
ERROR_COLOR = "#cc0000"  # KaTeX's default errorColor


# ---------------------------------------------------------------- block rule


def math_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``$$…$$``, ``\\[…\\]`` or a bare ``\\begin{env}…\\end{env}`` starting a line."""
    if state.sCount[start] - state.blkIndent >= 4:  # an indented code block
        return False
    src = state.src
    pos = state.bMarks[start] + state.tShift[start]
    line_end = state.eMarks[start]
    if src.startswith("$$", pos):
        markup, closer, content_start, env_name = "$$", "$$", pos + 2, ""
    elif src.startswith("\\[", pos):
        markup, closer, content_start, env_name = "\\[", "\\]", pos + 2, ""
    elif src.startswith("\\begin{", pos):
        found = _BEGIN.match(src, pos, line_end)
        if found is None or found.group(1) not in MATH_ENVIRONMENTS:
            return False
        env_name = found.group(1)
        # The environment is part of the TeX: KaTeX typesets \begin{align}…\end{align} itself.
        markup, closer, content_start = "\\begin", f"\\end{{{env_name}}}", pos
    else:
        return False

    spans = _block_spans(state, start, end, content_start, closer, keep_closer=bool(env_name))
    if spans is None:
        return False
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
    state.line = last_line + 1
    return True


def _block_spans(
    state: StateBlock, start: int, end: int, content_start: int, closer: str, keep_closer: bool
) -> list[tuple[int, int, int]] | None:
    """``(line, begin, end)`` source spans of the TeX, or None when the block never closes.

    A line closes the block when it ends with ``closer``. The search stops where
    the container does (a non-blank line indented less than the block's list
    item or quote), so a stray ``$$`` cannot swallow the rest of the note.
    """
    src = state.src
    first_end = state.eMarks[start]
    first = src[content_start:first_end]
    at = _find_closer(first, closer)
    if at >= 0:
        if first[at + len(closer) :].strip():
            return None  # `$$a$$ more text`: display math inside a paragraph, for the inline rule
        stop = content_start + at + (len(closer) if keep_closer else 0)
        return [(start, content_start, stop)]

    spans = [(start, content_start, first_end)]
    limit = min(state.blkIndent, state.sCount[start])
    for line in range(start + 1, end):
        begin, line_end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
        if begin >= line_end:  # blank: allowed inside display math
            spans.append((line, line_end, line_end))
            continue
        if 0 <= state.sCount[line] < limit:
            return None
        text = src[begin:line_end].rstrip()
        if text.endswith(closer) and not _escaped(text, len(text) - len(closer)):
            stop = begin + len(text) - (0 if keep_closer else len(closer))
            spans.append((line, begin, stop))
            return spans
        spans.append((line, begin, line_end))
    return None


def _find_closer(text: str, closer: str) -> int:
    """Index of the first unescaped ``closer`` in ``text``, or -1."""
    at = text.find(closer)
    while at >= 0 and _escaped(text, at):
        at = text.find(closer, at + 1)
    return at


def _escaped(text: str, at: int) -> bool:
    """True when the delimiter at ``at`` follows an odd run of backslashes (``\\$`` is TeX's dollar)."""
    slashes = 0
    i = at - 1
    while i >= 0 and text[i] == "\\":
        slashes += 1
        i -= 1
    return slashes % 2 == 1


# ---------------------------------------------------------------- inline rule


def math_inline(state: StateInline, silent: bool) -> bool:
    """``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]`` inside a paragraph."""
    src, pos, maximum = state.src, state.pos, state.posMax
    char = src[pos]
    if char == "$":
        if pos + 1 < maximum and src[pos + 1] == "$":
            return _inline_delimited(state, silent, "$$", "$$", display=True)
        return _inline_dollar(state, silent)
    if char == "\\" and pos + 1 < maximum and src[pos + 1] in "([":
        if src[pos + 1] == "(":
            return _inline_delimited(state, silent, "\\(", "\\)", display=False)
        return _inline_delimited(state, silent, "\\[", "\\]", display=True)
    return False


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
        _push(state, src[pos + 1 : close], "$", pos + 1, display=False)
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
            state.pending += "$$"
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


def make_core_rule(typesetter: Typesetter) -> Callable[[StateCore], None]:
    """A core rule: locate inline formulas and announce every formula for typesetting ahead."""

    def collect_formulas(state: StateCore) -> None:
        for token in state.tokens:
            if token.type == "math_block":
                typesetter.expect(token.content.strip(), True)
            elif token.type == "inline" and token.children:
                for child in token.children:
                    if child.type == "math_inline":
                        child.meta["line"] = token.map[0] if token.map else 0
                        child.meta["source"] = state.src
                        typesetter.expect(child.content.strip(), bool(child.meta.get("display")))

    return collect_formulas


# ---------------------------------------------------------------- rendering


@dataclass
class Formula:
    tex: str  # the token's TeX without surrounding whitespace (a better cache key)
    display: bool
    block: bool  # on its own lines (a <div>) rather than inside a paragraph (a <span>)
    token: Token
    lead: int  # whitespace stripped from the front of the token's TeX
    report: Any  # the Reporter of the note being rendered when the formula was met


def _placeholder(env: EnvType, token: Token, *, display: bool, block: bool) -> str:
    formulas: list[Formula] = env.setdefault("_math_formulas", [])
    # A nonce per page: a note that writes the placeholder text itself gets nothing.
    nonce = env.setdefault("_math_nonce", secrets.token_hex(8))
    tex = token.content.strip()
    lead = len(token.content) - len(token.content.lstrip())
    formulas.append(Formula(tex, display, block, token, lead, env.get("report")))
    return f"<!--kbgen-math:{nonce}:{len(formulas) - 1}-->"


def _render_inline(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    return _placeholder(env, token, display=bool(token.meta.get("display")), block=False)


def _render_block(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return _placeholder(env, tokens[idx], display=True, block=True) + "\n"


_PLACEHOLDER = re.compile(r"<!--kbgen-math:([0-9a-f]+):(\d+)-->")


def formula_html(formula: Formula, result: RenderResult | None) -> str:
    """The markup a formula leaves on the page, typeset or not."""
    tag = "div" if formula.block else "span"
    if result is None:
        # Typeset in the browser by katex-fallback.js; the TeX shows until then.
        mode = "display" if formula.display else "inline"
        return f'<{tag} class="arithmatex" data-kb-math="{mode}">{html.escape(formula.tex)}</{tag}>'
    if result.ok:
        return f'<{tag} class="arithmatex">{result.html}</{tag}>'
    # As KaTeX shows errors itself: the source, in its error colour, the message as a tooltip.
    style = f"color:{ERROR_COLOR}" + (";white-space:pre-wrap" if formula.block else "")
    source = html.escape(formula.tex)
    title = html.escape(result.error or "", quote=True)
    return f'<{tag} class="arithmatex"><span class="katex-error" title="{title}" style="{style}">{source}</span></{tag}>'


def error_location(formula: Formula, position: int | None) -> tuple[int, int]:
    """0-based body line and 1-based column of ``position`` in the formula's TeX."""
    token, tex = formula.token, formula.token.content
    at = formula.lead + min(max(position or 0, 0), len(formula.tex))
    if "origins" in token.meta:
        origins = token.meta["origins"]
        line_no = min(tex.count("\n", 0, at), len(origins) - 1)
        line, col0 = origins[line_no]
        return line, col0 + (at - (tex.rfind("\n", 0, at) + 1)) + 1
    text: str = token.meta.get("src", "")
    offset = token.meta.get("offset", 0) + at
    line = token.meta.get("line", 0) + text.count("\n", 0, offset)
    fragment_start = text.rfind("\n", 0, offset) + 1
    fragment_end = text.find("\n", offset)
    fragment = text[fragment_start : fragment_end if fragment_end >= 0 else len(text)]
    lines = token.meta.get("source", "").split("\n")
    col0 = _fragment_column(fragment, lines[line]) if line < len(lines) else 0
    return line, col0 + (offset - fragment_start) + 1


def _fragment_column(fragment: str, source_line: str) -> int:
    """Where a line of a paragraph's text starts in its source line (indent and `>` stripped)."""
    if fragment and source_line.endswith(fragment):
        return len(source_line) - len(fragment)
    found = source_line.find(fragment) if fragment else -1
    return max(found, 0)


def make_postprocessor(typesetter: Typesetter) -> Callable[[str, dict], str]:
    """The post-processor typesetting a page's formulas in one go and reporting KaTeX's errors."""

    def typeset_page(page_html: str, env: dict) -> str:
        formulas: list[Formula] = env.pop("_math_formulas", [])
        nonce = env.pop("_math_nonce", None)
        if not formulas:
            return page_html
        started = typesetter.seconds
        results = typesetter.typeset([(f.tex, f.display) for f in formulas])
        report = env.get("report")
        errors = 0
        for formula, result in zip(formulas, results):
            if result is not None and not result.ok:
                errors += 1
                # A formula embedded from another note is reported on that note's own page.
                if report is not None and formula.report is report:
                    line, col = error_location(formula, result.position)
                    report.error("math", result.error or "KaTeX error", body_line=line, col=col)
        pieces = [formula_html(f, r) for f, r in zip(formulas, results)]
        data: dict[str, Any] = env.setdefault("data", {})
        data["math"] = {
            "formulas": len(formulas),
            "errors": errors,
            "browser": sum(1 for r in results if r is None),  # left for katex-fallback.js
            "seconds": typesetter.seconds - started,
            # KaTeX's markup, so a search index can leave it out (see kbgen.search.page_text)
            "markup": sorted({p for p, r in zip(pieces, results) if r is not None and r.ok}, key=len, reverse=True),
        }

        def substitute(match: re.Match) -> str:
            index = int(match.group(2))
            if match.group(1) != nonce or index >= len(pieces):
                return match.group(0)
            return pieces[index]

        return _PLACEHOLDER.sub(substitute, page_html)

    return typeset_page


def plugin(md: MarkdownIt, config: KbgenConfig | None = None) -> None:
    """Math syntax and build-time typesetting; does nothing when ``config.math`` is off."""
    config = config or KbgenConfig()
    if not getattr(config, "math", True):
        return
    md.block.ruler.before(
        "fence", "math_block", math_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.inline.ruler.before("escape", "math_inline", math_inline)
    typesetter = Typesetter(config.cache_dir, config.math_macros)
    md.core.ruler.after("inline", "math_collect", make_core_rule(typesetter))
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_block", _render_block)
    postprocessors = getattr(md, "kb_postprocessors", None)
    if postprocessors is None:
        postprocessors = md.kb_postprocessors = []  # type: ignore[attr-defined]
    postprocessors.append(make_postprocessor(typesetter))
