"""Long listings cut into pages: a page of a tag or of the Quizzes list never grows with the vault.

A listing of more than ``list_page_size`` items (kbgen option, default 200)
becomes parts: the first keeps the listing's own URL (every link to it stays
right), part n lives at ``<url>page/n/`` (``<name>/page/n.html`` without
directory URLs), claimed from the one URL function so nothing can take it.
Each part carries the same pager, with previous/next and every part's number,
so every item stays reachable from the first page — the way Material's blog
plugin paginates.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence, TypeVar

from ..vault.urls import relative_url

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` in runs of ``size`` (at least one run, maybe empty); ``size`` < 1 means one run."""
    if size < 1 or len(items) <= size:
        return [items]
    return [items[i:i + size] for i in range(0, len(items), size)]


def part_url(base_url: str, n: int) -> str:
    """Where part ``n`` (2, 3, …) of the listing at ``base_url`` wants to live."""
    if base_url.endswith(".html"):
        return f"{base_url[:-len('.html')]}/page/{n}.html"
    return f"{base_url}page/{n}/"


@dataclass
class Parts:
    """The URLs of a listing's parts, the first being the listing's own."""

    urls: list[str]

    def pager(self, n: int, words: dict[str, str]) -> str:
        """The pager on part ``n`` (1-based); empty when there is one part."""
        if len(self.urls) < 2:
            return ""
        here = self.urls[n - 1]

        def link(i: int, text: str, rel: str = "") -> str:
            href = html.escape(relative_url(here, self.urls[i - 1]) or "./", quote=True)
            return f'<a href="{href}"' + (f' rel="{rel}"' if rel else "") + f'>{text}</a>'

        items = [link(n - 1, "← " + html.escape(words["pager.prev"]), "prev") if n > 1 else ""]
        for i in range(1, len(self.urls) + 1):
            items.append(f'<span aria-current="page">{i}</span>' if i == n else link(i, str(i)))
        items.append(link(n + 1, html.escape(words["pager.next"]) + " →", "next") if n < len(self.urls) else "")
        label = html.escape(words["pager.label"], quote=True)
        status = html.escape(words["pager.part"].format(n=n, total=len(self.urls)))
        return (f'<nav class="kb-pager" aria-label="{label}"><span class="kb-pager__status">{status}</span> '
                + " ".join(item for item in items if item) + "</nav>")


def claim_parts(build: "VaultBuild", owner: str, base_url: str, count: int, srcs: list[str]) -> Parts:
    """URLs for ``count`` parts of the listing at ``base_url``; ``srcs[i]`` is part i+1's page source.

    A part the build already has a page for keeps that page's URL (``kbgen serve``
    making the pages again), so claiming twice never moves a page to ``-2``.
    """
    known = {page.src_path: page.url for page in build.pages if page.url}
    urls = [base_url]
    for n in range(2, count + 1):
        src = srcs[n - 1]
        if src in known:
            urls.append(known[src])
        else:
            urls.append(build.vault.urls.claim(f"page {n} of {owner}", part_url(base_url, n))[0])
    return Parts(urls)
