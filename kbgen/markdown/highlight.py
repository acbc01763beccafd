"""Fenced code highlighted by Pygments, in the markup Material styles.

Material's stylesheet and copy button expect what pymdownx.highlight writes:
``<div class="language-x highlight"><pre><span></span><code>…</code></pre></div>``.
"""
from __future__ import annotations

import html
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def _lexer(lang: str):
    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, lang: str) -> str:
    """Highlighted HTML for ``code``; escaped plain text when the language is unknown."""
    lexer = _lexer(lang.lower()) if lang else None
    inner = highlight(code, lexer, _FORMATTER) if lexer is not None else html.escape(code)
    cls = f"language-{html.escape(lang, quote=True)} highlight" if lang else "highlight"
    return f'<div class="{cls}"><pre><span></span><code>{inner}</code></pre></div>\n'


def _fence(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    lang = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    return highlight_code(token.content, lang)


def _code_block(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return highlight_code(tokens[idx].content, "")


def plugin(md: MarkdownIt) -> None:
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _code_block)
