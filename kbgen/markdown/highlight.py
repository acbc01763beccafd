"""Fenced code highlighted by Pygments, in the markup Material styles.

Material's stylesheet and copy button expect what pymdownx.highlight writes:
``<div class="language-x highlight"><pre><span></span><code>…</code></pre></div>``.
"""
from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

# In a note's render env: what its last render highlighted, (language, code) → HTML (kbgen.incremental
# puts it there from the build cache). In its data: what this render highlighted, kept in the cache.
REUSE_KEY = "kb_highlighted"
DATA_KEY = "highlighted"


@lru_cache(maxsize=1)
def _formatter():  # type: ignore[no-untyped-def]
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def _lexer(lang: str):  # type: ignore[no-untyped-def]
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, lang: str, env: dict[str, Any] | None = None) -> str:
    """Highlighted HTML for ``code``; escaped plain text when the language is unknown.

    With a note's render ``env``, a block its last render highlighted is taken from there:
    Pygments' first use of a language in a process (importing it and compiling the lexer's
    expressions) was a twentieth of a second of a build after one edit of a note with code.
    """
    cls = f"language-{html.escape(lang, quote=True)} highlight" if lang else "highlight"
    if not lang:
        inner = html.escape(code)
    else:
        key = (lang, code)
        before = env.get(REUSE_KEY) if env is not None else None
        inner = before.get(key) if before else None
        if inner is None:
            inner = _highlighted(code, lang)
        if env is not None and isinstance(env.get("data"), dict):
            env["data"].setdefault(DATA_KEY, {})[key] = inner
    return f'<div class="{cls}"><pre><span></span><code>{inner}</code></pre></div>\n'


def _highlighted(code: str, lang: str) -> str:
    lexer = _lexer(lang.lower())
    if lexer is None:
        return html.escape(code)
    from pygments import highlight

    return highlight(code, lexer, _formatter())


def _fence(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    lang = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    return highlight_code(token.content, lang, env)


def _code_block(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return highlight_code(tokens[idx].content, "")


def plugin(md: MarkdownIt) -> None:
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _code_block)
