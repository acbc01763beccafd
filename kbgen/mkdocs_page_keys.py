"""Page keys: one digest per page of everything its template output depends on (kbgen.mkdocs_build).

A page whose key and output file are as the last build left them is not
templated again. The key hashes what every page shares once — kbgen's code,
the theme's and MkDocs's versions, the configuration, the navigation, every
page's title, URL and metadata, kbgen's own files — then each page's content,
TOC and the part kbgen adds only when it templates the page (its dates line).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Callable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from .cache import code_fingerprint

MANIFEST_VERSION = 3  # 2: a page's content hashed as UTF-8, not repr(); 3: search entries as SearchDocuments


def page_keys(config: MkDocsConfig, pages: list[Page], nav: Any) -> list[str]:
    """One key per page: equal keys, equal output.

    A page's template sees its own content, TOC and metadata, the navigation
    (every page's title and URL), tags (every page's metadata), the
    configuration and the theme. All of it is hashed: what every page shares
    once, then each page's own part.
    """
    shared = hashlib.sha256()
    shared.update(f"{MANIFEST_VERSION}\0{code_fingerprint()}\0{versions()}".encode())
    config_file = config.config_file_path
    if config_file and os.path.isfile(config_file):
        shared.update(Path(config_file).read_bytes())
    for name in ("site_name", "site_url", "docs_dir", "use_directory_urls", "extra_css",
                 "extra_javascript", "extra", "copyright", "repo_url", "edit_uri", "nav", "markdown_extensions"):
        shared.update(f"\0{name}={config.get(name)!r}".encode("utf-8", "surrogatepass"))
    shared.update(repr((dict(config.theme.items()), list(config.theme.dirs))).encode("utf-8", "surrogatepass"))
    shared.update(repr(list(config.plugins)).encode())
    shared.update(_nav_repr(nav.items).encode("utf-8", "surrogatepass"))
    shared.update(repr(_kbgen_files(config)).encode("utf-8", "surrogatepass"))
    for page in pages:
        shared.update(repr((page.file.src_uri, page.url, page.title, page.meta, page.file.inclusion.name))
                      .encode("utf-8", "surrogatepass"))
    keys = []
    extra = _page_key_extra(config)
    for page in pages:
        own = shared.copy()
        # The content as UTF-8 behind its length, not repr()'d: repr copied and escaped every
        # page's HTML once more on every build.
        content = page.content or ""
        own.update(f"{page.file.src_uri!r}\0{page.content is None}\0{len(content)}\0".encode("utf-8", "surrogatepass"))
        own.update(content.encode("utf-8", "surrogatepass"))
        own.update(_toc_repr(page.toc).encode("utf-8", "surrogatepass"))
        own.update(b"\0" + extra(page.file.src_uri).encode("utf-8", "surrogatepass"))  # kbgen's dates line
        keys.append(own.hexdigest())
    return keys


def _kbgen_files(config: MkDocsConfig) -> list[str]:
    """The files kbgen's build adds (a feed makes every page link it)."""
    from .mkdocs_plugin import KbgenPlugin

    for plugin in config.plugins.values():
        if isinstance(plugin, KbgenPlugin) and plugin.build is not None:
            return sorted(f.dest for f in plugin.build.files)
    return []


def _page_key_extra(config: MkDocsConfig) -> Callable[[str], str]:
    """What kbgen adds to a page only when it is templated (its dates line), by src_uri."""
    from .mkdocs_plugin import KbgenPlugin

    for plugin in config.plugins.values():
        if isinstance(plugin, KbgenPlugin) and plugin.build is not None:
            return plugin.page_key_extra
    return lambda src_uri: ""


def _nav_repr(items: list[Any]) -> str:
    return "[" + ",".join(f"({type(i).__name__},{getattr(i, 'title', None)!r},{getattr(i, 'url', None)!r},"
                          f"{_nav_repr(getattr(i, 'children', None) or [])})" for i in items) + "]"


def _toc_repr(toc: Any) -> str:
    return "[" + ",".join(f"({i.id!r},{i.title!r},{i.level},{_toc_repr(i.children)})" for i in toc) + "]"


def versions() -> str:
    """The versions of the libraries that shape a page beside kbgen."""
    import importlib.metadata as md

    out = []
    for name in ("mkdocs", "mkdocs-material", "jinja2", "markupsafe"):
        try:
            out.append(f"{name}={md.version(name)}")
        except md.PackageNotFoundError:
            pass
    return ",".join(out)
