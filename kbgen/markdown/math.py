r"""Math, with Obsidian's rules (see :mod:`.math_syntax`), typeset by KaTeX when the site is built.

Formulas are ``math_inline`` / ``math_block`` tokens; their render rules only
leave a placeholder and note the formula in ``env``, and a post-processor
typesets all of a page's formulas at once (cache first, then one KaTeX call)
and reports the ones KaTeX rejects at their line and column.
"""
from __future__ import annotations

import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..config import KbgenConfig
from ..katex.engine import RenderResult
from ..katex.typeset import Typesetter
from ..messages import message
from .math_syntax import make_block_rule, make_inline_rule

ERROR_COLOR = "#cc0000"  # KaTeX's default errorColor
# env key: typeset formulas as MathML only (backlink excerpts, kbgen.emit.backlinks).
MATHML_ONLY = "math_mathml_only"


def make_core_rule(typesetter: Typesetter, limit: int = 0) -> Callable[[StateCore], None]:
    """A core rule: locate inline formulas and announce every formula for typesetting ahead.

    Past ``limit`` formulas in a note (0: no limit) the rest are marked to be shown as their
    TeX source and are never announced: KaTeX costs ~0.3 ms a new formula, so a note of
    nothing but formulas would otherwise take many seconds with a cold cache.
    """

    def collect_formulas(state: StateCore) -> None:
        seen = 0

        def counted(token: Token) -> bool:
            """Whether ``token`` is within the limit (else it is marked and reported once)."""
            nonlocal seen
            seen += 1
            if not limit or seen <= limit:
                return True
            token.meta["kb_untypeset"] = True
            if seen == limit + 1:
                _report_too_many(state, token, limit)
            return False

        for token in state.tokens:
            if token.type == "math_block":
                if counted(token):
                    typesetter.expect(token.content.strip(), True)
            elif token.type == "inline" and token.children:
                # A link's display text holds inline tokens of its own (see wikilinks.label_children).
                nested = [c for child in token.children if child.children for c in child.children]
                for child in token.children + nested:
                    if child.type == "math_inline":
                        child.meta["line"] = token.map[0] if token.map else 0
                        child.meta["source"] = state.src
                        if counted(child):
                            typesetter.expect(child.content.strip(), bool(child.meta.get("display")))
                    elif child.type == "math_unclosed":
                        child.meta["line"] = token.map[0] if token.map else 0
                        child.meta["source"] = state.src
                        _report_unclosed(state.env, child)

    return collect_formulas


def _report_too_many(state: StateCore, token: Token, limit: int) -> None:
    """One warning per note, at the opening delimiter of the first formula left untypeset."""
    report = state.env.get("report")
    if report is None:
        return
    if token.type == "math_block":
        line = token.map[0] if token.map else 0
        start = _nth_line_start(state.src, line)
        end = state.src.find("\n", start)
        found = state.src.find(token.markup, start, end if end >= 0 else len(state.src)) if start >= 0 else -1
        line, col = line, (found - start + 1 if found >= 0 else 1)
    else:
        line, col = inline_location(token.meta, token.meta.get("offset", 0) - len(token.markup))
    report.warning("too-many-formulas", f"more than {limit:,} formulas in this note (max_formulas); "
                   "the rest are shown as TeX source, not typeset", body_line=line, col=col)


# ---------------------------------------------------------------- rendering



def formula_digest(markup: str) -> bytes:
    """A typeset formula's fingerprint, as ``data["math"]["markup"]`` records it."""
    return hashlib.blake2b(markup.encode("utf-8", "surrogatepass"), digest_size=16).digest()

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
    if token.meta.get("kb_untypeset"):
        return _untypeset_html(token, env, block=False)
    return _placeholder(env, token, display=bool(token.meta.get("display")), block=False)


def _render_block(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    if tokens[idx].meta.get("kb_untypeset"):
        return _untypeset_html(tokens[idx], env, block=True) + "\n"
    return _placeholder(env, tokens[idx], display=True, block=True) + "\n"


def _untypeset_html(token: Token, env: EnvType, *, block: bool) -> str:
    """A formula past ``max_formulas``: its TeX in a box, as a formula no engine accepts (no error)."""
    tag = "div" if block else "span"
    notice = html.escape(message("limits.formulas", getattr(env.get("config"), "language", "en")), quote=True)
    return (f'<{tag} class="arithmatex kb-math-untypeset" title="{notice}">'
            f'<code class="kb-math-source">{html.escape(token.content.strip())}</code></{tag}>')


_PLACEHOLDER = re.compile(r"<!--kbgen-math:([0-9a-f]+):(\d+)-->")


def formula_html(formula: Formula, result: RenderResult | None, mathml_only: bool = False) -> str:
    """The markup a formula leaves on the page, typeset or not.

    ``mathml_only``: a KaTeX formula keeps only its MathML half, which browsers typeset natively
    (MathML Core) — a quarter of the bytes, for the copies of formulas in backlink excerpts.
    """
    tag = "div" if formula.block else "span"
    if mathml_only and result is not None and result.ok and result.path != "mathjax":
        start, end = result.html.find("<math"), result.html.rfind("</math>")
        if 0 <= start < end:
            return f'<{tag} class="arithmatex kb-math-mathml">{result.html[start:end + len("</math>")]}</{tag}>'

    if result is None:
        # Typeset in the browser by katex-fallback.js; the TeX shows until then.
        mode = "display" if formula.display else "inline"
        return f'<{tag} class="arithmatex" data-kb-math="{mode}">{html.escape(formula.tex)}</{tag}>'
    if result.ok:
        extra = " kb-mathjax" if result.path == "mathjax" else ""
        return f'<{tag} class="arithmatex{extra}">{result.html}</{tag}>'
    # Neither KaTeX nor MathJax accepts it: the source in a box, the error under it.
    source = html.escape(formula.tex)
    error = html.escape(result.error or "", quote=True)
    return (f'<{tag} class="arithmatex kb-math-error" title="{error}"><code class="kb-math-source">{source}</code>'
            f'<span class="kb-math-message">{error}</span></{tag}>')


def error_location(formula: Formula, position: int | None) -> tuple[int, int]:
    """0-based body line and 1-based column of ``position`` in the formula's TeX."""
    token, tex = formula.token, formula.token.content
    at = formula.lead + min(max(position or 0, 0), len(formula.tex))
    if "origins" in token.meta:
        origins = token.meta["origins"]
        line_no = min(tex.count("\n", 0, at), len(origins) - 1)
        line, col0 = origins[line_no]
        return line, col0 + (at - (tex.rfind("\n", 0, at) + 1)) + 1
    return inline_location(token.meta, token.meta.get("offset", 0) + at)


def inline_location(meta: dict, offset: int) -> tuple[int, int]:
    """0-based body line and 1-based column of ``offset`` in an inline token's paragraph text."""
    text: str = meta.get("src", "")
    line = meta.get("line", 0) + text.count("\n", 0, offset)
    fragment_start = text.rfind("\n", 0, offset) + 1
    fragment_end = text.find("\n", offset)
    fragment = text[fragment_start : fragment_end if fragment_end >= 0 else len(text)]
    source: str = meta.get("source", "")
    # Only the one source line is needed: find it without splitting the whole note.
    line_start = _nth_line_start(source, line)
    line_end = source.find("\n", line_start)
    source_line = source[line_start: line_end if line_end >= 0 else len(source)] if line_start >= 0 else ""
    col0 = _fragment_column(fragment, source_line) if line_start >= 0 else 0
    return line, col0 + (offset - fragment_start) + 1


def _nth_line_start(text: str, n: int) -> int:
    at = 0
    for _ in range(n):
        at = text.find("\n", at) + 1
        if at == 0:
            return -1
    return at


def _report_unclosed(env: dict, token: Token) -> None:
    """A ``$$`` that never closes is text, as in Obsidian; say so at its line and column."""
    report = env.get("report")
    if report is None:
        return
    line, col = inline_location(token.meta, token.meta["offset"])
    report.warning("math-unclosed", "'$$' is never closed, so it is shown as text", body_line=line, col=col)


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
        mathml_only = bool(env.get(MATHML_ONLY))
        pieces = [formula_html(f, r, mathml_only) for f, r in zip(formulas, results)]
        data: dict[str, Any] = env.setdefault("data", {})
        typeset = [r for r in results if r is not None and r.ok]
        data["math"] = {
            "formulas": len(formulas),
            "errors": errors,
            # Which path each formula took (see kbgen.katex.typeset); failed = "errors".
            "katex": sum(1 for r in typeset if r.path == "katex"),
            "rewritten": sum(1 for r in typeset if r.path == "rewritten"),
            "mathjax": sum(1 for r in typeset if r.path == "mathjax"),
            "failed": sum(1 for r in results if r is not None and not r.ok),
            "browser": sum(1 for r in results if r is None),  # left for katex-fallback.js
            "seconds": typesetter.seconds - started,
            # Digests of KaTeX's markup, so a search index can leave it out (kbgen.search.page_text);
            # digests, not the markup: every page's copy stayed in memory until the search index.
            "markup": sorted({formula_digest(p) for p, r in zip(pieces, results) if r is not None and r.ok}),
        }

        def substitute(match: re.Match) -> str:
            index = int(match.group(2))
            if match.group(1) != nonce or index >= len(pieces):
                return match.group(0)
            return pieces[index]

        return _PLACEHOLDER.sub(substitute, page_html)

    return typeset_page


def _render_unclosed(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return html.escape(tokens[idx].content)


def plugin(md: MarkdownIt, config: KbgenConfig | None = None) -> None:
    """Math syntax and build-time typesetting; does nothing when ``config.math`` is off."""
    config = config or KbgenConfig()
    if not getattr(config, "math", True):
        return
    latex = bool(getattr(config, "math_latex_delimiters", False))
    md.block.ruler.before(
        "fence", "math_block", make_block_rule(latex), {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.inline.ruler.before("escape", "math_inline", make_inline_rule(latex))
    typesetter = Typesetter(config.cache_dir, config.math_macros)
    md.kb_typesetter = typesetter  # type: ignore[attr-defined]  # forked workers reopen its cache
    limit = max(int(getattr(config, "max_formulas", 0) or 0), 0)
    md.core.ruler.after("inline", "math_collect", make_core_rule(typesetter, limit))
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_block", _render_block)
    md.add_render_rule("math_unclosed", _render_unclosed)
    postprocessors = getattr(md, "kb_postprocessors", None)
    if postprocessors is None:
        postprocessors = md.kb_postprocessors = []  # type: ignore[attr-defined]
    postprocessors.append(make_postprocessor(typesetter))
