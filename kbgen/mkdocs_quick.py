"""``kbgen serve``'s quick refresh on MkDocs's side: the changed pages templated again from the kept build.

The vault side (kbgen.quick_note, kbgen.quick_meta, kbgen.quick_structure)
updates the build kept in memory after a save. Here MkDocs follows it
(:func:`show_at_once`): the note pages rendered again are templated from the
previous build's MkDocs state (:class:`~kbgen.mkdocs_build.SiteState`),
written if their bytes differ and shown first; then the listings (home, tag
and folder pages), then the pages whose view of the navigation changed
(kbgen.mkdocs_views), the generated files and the theme's own pages. When the
author pauses, :func:`finish_quickly` writes the search index from every page's
entries and brings the build cache up to date (kbgen.quick_cache).
"""
from __future__ import annotations

import gc
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mkdocs import utils
from mkdocs.commands import build as mkdocs_build

from .mkdocs_build import SiteState, search_index
from .mkdocs_pages import file_at
from .mkdocs_views import page_views, views_understood
from .quick_cache import QuickCache
from .quick_structure import is_structural
from .site_writer import SiteWriter

log = logging.getLogger("mkdocs.plugins.kbgen")


@dataclass
class QuickRefresh:
    written: int  # files whose bytes changed
    complete: bool  # the site is now what a full build gives, the search index aside (see finish_quickly)
    pages: list[str] = field(default_factory=list)  # the site paths of the pages written after ``shown``


def show_at_once(state: SiteState, changed: set[str],
                  shown: Callable[[list[str]], None] | None = None) -> QuickRefresh | None:
    """Write the pages and files that the edits of ``changed`` notes change, from ``state`` (kbgen.quick_note).

    The note pages rendered again (the edited notes, their embedders…) are
    written first and ``shown`` is called with their site paths: browsers can
    reload them while the listings, the other pages' navigation and the
    generated files are made. None when the edits are not for the quick path:
    nothing is written then.
    """
    # The kept build is millions of objects: a full collection in the middle of a refresh walked them
    # all (tenths of a second each, several per refresh). What a refresh leaves goes at the next one.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _refresh(state, changed, shown)
    finally:
        if was_enabled:
            gc.enable()


def _refresh(state: SiteState, changed: set[str], shown: Callable[[list[str]], None] | None) -> QuickRefresh | None:
    from .mkdocs_plugin import KbgenPlugin

    plugin = next((p for p in state.config.plugins.values() if isinstance(p, KbgenPlugin)), None)
    if plugin is None or plugin.build is None:
        return None
    notes = sorted(p for p in changed if p.endswith(".md"))
    for path in set(changed) - set(notes):
        # A hidden file (an editor's or Obsidian's own) or a temporary one already gone does not
        # change the site; any other file (an attachment) may change pages that show it.
        if not (path.startswith(".") or "/." in path or not os.path.lexists(os.path.join(plugin.build.vault.root, path))):
            return None
    if not notes:
        return None
    first: list[str] = []  # note pages rendered again: written and shown before the rest
    pages: list[str] = []
    complete = state.search_entries is not None
    navigation: list[str] = []  # notes whose title, tags, dates or front matter changed
    changes = []
    try:
        if is_structural(plugin.build, notes):  # notes added, removed, renamed; aliases or id changed
            from .mkdocs_structure import refresh as refresh_structure

            return refresh_structure(state, plugin, notes, shown)
        for path in notes:
            refreshed = plugin.refresh_page(path)
            if refreshed is None:
                return None
            change, uris = refreshed
            changes.append(change)
            first.extend(uri for uri in change.notes if uri not in first)
            pages.extend(uri for uri in uris if uri not in pages)
            complete = complete and change.complete
            if change.navigation:
                navigation.append(path)
        tagged = navigation and _tagged(state, navigation)  # what tags.json lists of these pages
        if navigation and not _populate_again(state, plugin, navigation):
            return None
        written = _template_and_write(state, first)
        if shown is not None:
            shown(written)
        done: set[str] = set()
        for change in changes:  # a step several notes left is made once, after all of them
            change.later = {key: step for key, step in change.later.items() if key not in done}
            done.update(change.later)
            uris = plugin.finish_refresh(change)
            if uris is None:
                return None
            pages.extend(uri for uri in uris if uri not in pages)
        # The listings (tag pages, home…) next, then the pages whose navigation changed.
        listed = _template_and_write(state, [uri for uri in pages if uri not in first])
        if shown is not None and listed:
            shown(listed)
        more = list(pages)
        if navigation:
            _views_changed(state, plugin, more)
        rest = _template_and_write(state, [uri for uri in more[len(pages):] if uri not in first])
        files = {site_file.dest: site_file for change in changes for site_file in change.files}
        count = len(written) + len(listed) + len(rest)
        for dest, site_file in files.items():
            content = site_file.read_bytes()
            file = file_at(state.files, dest)
            if file is not None:  # as the next build's on_files would give it
                file.content_bytes = content
            count += write_site_file(state, dest, content)
        if navigation:
            count += _theme_templates_again(state, tagged != _tagged(state, navigation))
    except Exception as exc:  # noqa: BLE001 - the full rebuild that follows reports it
        log.debug(f"kbgen: quick refresh failed ({exc})")
        return None
    return QuickRefresh(count, complete, rest)


def _template_and_write(state: SiteState, uris: list[str]) -> list[str]:
    """Template the pages of ``uris``, then write those whose bytes changed (nothing is written when one
    fails); their site paths."""
    outputs = [template_page(state, uri) for uri in uris]
    written = []
    for uri, (dest, content, search) in zip(uris, outputs):
        if write_site_file(state, dest, content):
            written.append(dest)
        if state.search_entries is not None:
            state.search_entries[uri] = search
    return written


def _populate_again(state: SiteState, plugin: Any, notes: list[str]) -> bool:
    """Lay MkDocs's navigation out again after titles or places changed (the pages' views of it are
    compared later: :func:`_views_changed`); False when that view is not understood."""
    config = state.config
    if config.nav is not None or not views_understood(config.theme.get("features") or []):
        return False
    if state.views is None:  # what each page showed before: the first such edit after a build
        state.views = _views(state, plugin)
    doc_pages = [file.page for file in state.doc_files]
    mappings = _tag_mappings(config)
    for src_uri in notes:  # their titles, as the navigation shows them
        file = file_at(state.files, src_uri)
        if file is None or file.page is None:
            return False
        for data in mappings:  # Material's tags plugin maps the page again (it may have no tags now)
            data.pop(file.page.url, None)
        mkdocs_build._populate_page(file.page, config, state.files)
    for data in mappings:  # in page order, as a build adds them
        kept = dict(data)
        data.clear()
        data.update((page.url, kept[page.url]) for page in doc_pages if page.url in kept)
    state.nav = plugin.on_nav(state.nav, config=config, files=state.files)
    return True


def _views_changed(state: SiteState, plugin: Any, pages: list[str]) -> None:
    """Add to ``pages`` every page whose view of the navigation changed (kbgen.mkdocs_views)."""
    before = state.views or {}
    state.views = _views(state, plugin)
    pages.extend(file.src_uri for file in state.doc_files
                 if state.views[file.src_uri] != before.get(file.src_uri) and file.src_uri not in pages)


def _tag_mappings(config: Any) -> list[dict]:
    """The page → tags mappings of Material's tags plugin (written to tags.json), by page URL."""
    out = []
    for plugin in config.plugins.values():
        data = getattr(getattr(plugin, "mappings", None), "data", None)
        if type(plugin).__module__.startswith("material.plugins.tags.") and isinstance(data, dict):
            out.append(data)
    return out


def _tags_export_again(state: SiteState, writer: SiteWriter) -> None:
    """Material's tags.json again (titles and tags of every tagged page), as its on_env writes it."""
    for plugin in state.config.plugins.values():
        if not (type(plugin).__module__.startswith("material.plugins.tags.") and plugin.config.enabled
                and plugin.config.export):
            continue
        from material.plugins.tags.structure.mapping.storage import MappingStorage

        path = os.path.normpath(os.path.join(state.config.site_dir, plugin.config.export_file))
        with tempfile.TemporaryDirectory() as folder:
            MappingStorage(plugin.config).save(os.path.join(folder, "tags.json"), plugin.mappings)
            writer.write(Path(folder, "tags.json").read_bytes(), path)


def remember_views(state: SiteState) -> None:
    """After a full build: record what each page shows of the navigation now (the next retitle compares
    with it), and start following quick refreshes for the build cache (kbgen.quick_cache)."""
    from .mkdocs_plugin import KbgenPlugin

    plugin = next((p for p in state.config.plugins.values() if isinstance(p, KbgenPlugin)), None)
    features = state.config.theme.get("features") or []
    if plugin is not None and plugin.build is not None:
        plugin.quick_cache = QuickCache(plugin.build)  # quick refreshes from here on go to the build cache
    if plugin is None or plugin.build is None or state.config.nav is not None or not views_understood(features):
        return
    state.views = _views(state, plugin)


def _views(state: SiteState, plugin: Any) -> dict[str, bytes]:
    top_url, listings = plugin.sidebar_lists()
    return page_views([file.page for file in state.doc_files], list(state.nav.items), top_url, listings)


def _tagged(state: SiteState, notes: list[str]) -> list:
    """The titles and tags Material's tags.json gives these notes' pages (it lists every tagged page)."""
    out = []
    for src_uri in notes:
        file = file_at(state.files, src_uri)
        page = file.page if file is not None else None
        mappings = [data.get(page.url) for data in _tag_mappings(state.config)] if page is not None else []
        out.append((page.title if page is not None else None,
                    [None if m is None else (repr(m.item), sorted(repr(t) for t in m.tags)) for m in mappings]))
    return out


def _theme_templates_again(state: SiteState, tags_export: bool = True) -> int:
    """Material's tags.json and the theme's own pages (404, sitemap) again, each written only when its text
    changed; how many were written."""
    config, written = state.config, 0
    writer = SiteWriter(Path(config.site_dir))
    if tags_export:
        _tags_export_again(state, writer)
        written += writer.written
    with writer.patched(utils):
        for name in config.theme.static_templates:
            try:
                template = state.env.get_template(name)
            except Exception:  # noqa: BLE001 - MkDocs skips a missing one too
                continue
            output = mkdocs_build._build_template(name, template, state.files, config, state.nav)
            path = os.path.join(config.site_dir, name)
            try:
                with open(path, "rb") as f:
                    if f.read() == output.encode("utf-8"):
                        continue
            except OSError:
                pass
            mkdocs_build._build_theme_template(name, state.env, state.files, config, state.nav)
            written += 1
    return written


def template_page(state: SiteState, src_uri: str) -> tuple[str, bytes, list]:
    """Read and template the page of ``src_uri`` once more from ``state``: (its path in the site, its
    bytes, its search entries). The kbgen plugin must already hold the page's new content. Nothing is
    written, and the search index is left as it was."""
    file = file_at(state.files, src_uri)
    if file is None or file.page is None:
        raise LookupError(f"no page for {src_uri}")
    config = state.config
    search = search_index(config)
    before = len(search.entries) if search is not None else 0
    writer = SiteWriter(Path(config.site_dir))
    try:
        with writer.patched(utils), writer.capturing() as captured:
            mkdocs_build._populate_page(file.page, config, state.files)
            mkdocs_build._build_page(file.page, config, state.doc_files, state.nav, state.env, False,
                                     excluded=file.inclusion.is_excluded())
        entries = search.entries[before:] if search is not None else []
    finally:
        if search is not None:
            del search.entries[before:]
    return file.dest_uri, captured[file.abs_dest_path], entries


def write_site_file(state: SiteState, dest: str, content: bytes) -> bool:
    """Write ``content`` at ``dest`` in the site if the file's bytes differ; whether it was written."""
    writer = SiteWriter(Path(state.config.site_dir))
    writer.write(content, os.path.join(state.config.site_dir, dest))
    return writer.written > 0


def finish_quickly(state: SiteState, on_disk: Any = None) -> bool:
    """End a complete quick refresh as a build ends: the search index from every page's entries, and
    the plugins' ``on_post_build`` (Material writes the index, kbgen splits it and reports problems).
    ``on_disk``: the vault as :func:`vault_on_disk` read it (read here when None).

    False when that failed: the full rebuild must follow.
    """
    if state.search_entries is None:
        return False
    cache = quick_cache(state)
    if cache is not None:  # the next build, serve's own or ``kbgen build``, does not parse those notes again
        cache.save(on_disk)
    search = search_index(state.config)
    if search is not None:
        search.entries = [e for file in state.doc_files for e in state.search_entries.get(file.src_uri, [])]
    writer = SiteWriter(Path(state.config.site_dir))
    try:
        with writer.patched(utils):
            state.config.plugins.on_post_build(config=state.config)
    except Exception as exc:  # noqa: BLE001 - the full rebuild that follows reports it
        log.debug(f"kbgen: search index after a quick refresh failed ({exc})")
        return False
    return not writer.failed


def quick_cache(state: SiteState) -> QuickCache | None:
    """What the quick refreshes since the last full build owe the build cache (kbgen.quick_cache)."""
    from .mkdocs_plugin import KbgenPlugin

    return next((plugin.quick_cache for plugin in state.config.plugins.values()
                 if isinstance(plugin, KbgenPlugin) and plugin.quick_cache is not None), None)
