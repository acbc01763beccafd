"""A ```` ```toc ```` fence (Gatsby/Obsidian plugin syntax) becomes the note's table of contents."""
from __future__ import annotations

import html

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .headings import Heading, toc_tokens


def render_toc(headings: list[Heading]) -> str:
    def items(nodes: list[dict]) -> str:
        out = []
        for node in nodes:
            child = f"<ul>{items(node['children'])}</ul>" if node["children"] else ""
            out.append(f'<li><a href="#{html.escape(node["id"])}">{node["name"]}</a>{child}</li>')
        return "".join(out)

    # The note's title heading is the page title already; list what is below it.
    body = [h for h in headings if h.level > 1] or headings
    return f'<nav class="kb-toc" aria-label="목차"><ul>{items(toc_tokens(body))}</ul></nav>\n'


def plugin(md: MarkdownIt) -> None:
    fence = md.renderer.rules.get("fence")

    def render_fence(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        if tokens[idx].info.strip().lower() == "toc":
            return render_toc(env.get("headings", []))
        return fence(tokens, idx, options, env) if fence else self.fence(tokens, idx, options, env)

    md.add_render_rule("fence", render_fence)
