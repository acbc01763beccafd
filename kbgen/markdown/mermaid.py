"""Mermaid diagrams: a ```` ```mermaid ```` fence is written for Mermaid to draw in the browser.

The fence's text goes into ``<pre class="kb-mermaid">`` escaped, so
without the script the reader sees the diagram's source; the page records that
it has a diagram (``data["mermaid"]``) and the emit stage serves Mermaid only
when some page does (:mod:`kbgen.emit.mermaid_assets`).
"""
from __future__ import annotations

import html
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

DATA_KEY = "mermaid"


def is_mermaid(token: Token) -> bool:
    info = token.info.strip()
    return bool(info) and info.split(maxsplit=1)[0].lower() == "mermaid"


def plugin(md: MarkdownIt, **_options: Any) -> None:
    fallback = md.renderer.rules.get("fence")

    def fence(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        if not is_mermaid(token):
            if fallback is not None:
                return fallback(tokens, idx, options, env)
            return self.fence(tokens, idx, options, env)
        data = env.setdefault("data", {})
        data[DATA_KEY] = data.get(DATA_KEY, 0) + 1
        return f'<pre class="kb-mermaid">{html.escape(token.content)}</pre>\n'

    md.add_render_rule("fence", fence)
