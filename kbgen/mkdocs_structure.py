"""``kbgen serve``: MkDocs's side of a quick refresh that adds, removes or renames notes (kbgen.quick_structure).

The vault side (kbgen.quick_structure) updates the kept build. Here MkDocs's
files follow it: the pages of removed notes and redirects of removed aliases
leave ``Files`` and the site folder; new notes get a ``File`` and a ``Page`` at
the place in ``Files`` a cold build's walk of the notes folder gives them (the
order of the sitemap and the search index); alias redirects are added. Then
the navigation is laid out again, and the pages templated are those whose HTML
changed and those whose view of the navigation changed (kbgen.mkdocs_views),
as for a retitle. Every file is written only when its bytes differ.
"""
from __future__ import annotations

import os
from typing import Any, Callable

from mkdocs.commands import build as mkdocs_build
from mkdocs.structure.files import File, InclusionLevel, set_exclusions
from mkdocs.structure.pages import Page

from .markdown.renderer import NoteRenderer
from .mkdocs_pages import file_at
from .mkdocs_views import views_understood
from .quick_structure import refresh_structure


def refresh(state: Any, plugin: Any, notes: list[str],
            shown: Callable[[list[str]], None] | None = None) -> Any:
    """Show the added, removed and changed ``notes``; a kbgen.mkdocs_quick.QuickRefresh, or None when the full
    rebuild must do it (nothing written then, unless ``shown`` was called).

    The note pages rendered again (a new note, the notes whose links or backlinks changed) are written
    first, pages and redirects that went are removed, and ``shown`` is called with those site paths;
    then the listings, the pages whose view of the navigation changed and the theme's pages follow.
    """
    from .mkdocs_pages import place
    from .mkdocs_quick import QuickRefresh, _tag_mappings, _theme_templates_again, _views, template_page, \
        write_site_file

    config, build, files = state.config, plugin.build, state.files
    if config.nav is not None or not views_understood(config.theme.get("features") or []):
        return None
    before = state.views if state.views is not None else _views(state, plugin)
    if plugin._renderer is None:
        plugin._renderer = NoteRenderer(build.config)
    change = refresh_structure(build, notes, plugin._renderer)
    if change is None:
        return None
    mappings = _tag_mappings(config)
    gone: list[str] = []
    for src_uri in change.removed:
        file = file_at(files, src_uri)
        if file is None:
            return None
        for data in mappings:
            data.pop(file.url, None)
        files.remove(file)
        gone.append(file.dest_uri)
        if state.search_entries is not None:
            state.search_entries.pop(src_uri, None)
    added = []
    for src_uri in change.added:
        file = File(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls)
        place(file, build.vault.notes[src_uri].url)
        added.append(file)
    set_exclusions(added, config)
    _insert_in_walk_order(files, added, set(build.rendered) | set(build.vault.attachments))
    for dest in change.files_removed:
        file = file_at(files, dest)
        if file is not None:
            files.remove(file)
            gone.append(dest)
    redirects = _site_files(state, change.files_added)
    state.doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    for file in added:
        Page(None, file, config)
    for uri in change.notes + change.removed:
        plugin._sources.pop(uri, None)
    doc_pages = [file.page for file in state.doc_files]
    for uri in change.notes:  # their titles and tags, as the navigation and Material's tags plugin show them
        file = file_at(files, uri)
        if file is None or file.page is None:
            return None
        for data in mappings:
            data.pop(file.page.url, None)
        mkdocs_build._populate_page(file.page, config, files)
    for data in mappings:  # in page order, as a build adds them
        kept = dict(data)
        data.clear()
        data.update((page.url, kept[page.url]) for page in doc_pages if page.url in kept)
    state.nav = plugin.on_nav(state.nav, config=config, files=files)
    # The note pages first: nothing is written when one of them fails.
    first = _template_all(state, change.notes, template_page)
    written = _write_all(state, first, write_site_file)
    count = len(written)
    for dest, content in redirects.items():
        count += write_site_file(state, dest, content)
    for dest in gone:
        count += _remove(config.site_dir, dest)
        written.append(dest)
    if shown is not None:
        shown(written)
    # Then what lists notes, and the pages whose sidebar, breadcrumbs or previous/next links changed.
    if plugin.finish_refresh(change) is None:
        return None
    generated = {id(page): uri for uri, page in plugin.pages.items()}
    pages = list(dict.fromkeys(generated[id(p)] for p in change.pages if id(p) in generated))
    for uri in pages:
        plugin._sources.pop(uri, None)
    listed = _write_all(state, _template_all(state, pages, template_page), write_site_file)
    if shown is not None and listed:
        shown(listed)
    state.views = _views(state, plugin)
    views = [page.file.src_uri for page in doc_pages if page.file.src_uri not in pages
             and page.file.src_uri not in change.notes
             and state.views[page.file.src_uri] != before.get(page.file.src_uri)]
    rest = _write_all(state, _template_all(state, views, template_page), write_site_file)
    count += len(listed) + len(rest)
    for dest, content in _site_files(state, change.files).items():
        count += write_site_file(state, dest, content)
    count += _theme_templates_again(state)
    if plugin.quick_cache is not None:  # what the build cache learns when the author pauses
        plugin.quick_cache.took_structure(notes, change.rendered, change.removed)
    return QuickRefresh(count, change.complete and state.search_entries is not None, rest)


def _site_files(state: Any, site_files: list[Any]) -> dict[str, bytes]:
    """The bytes of these kbgen site files, by site path; MkDocs's ``Files`` gets them as the next build's
    on_files would give them."""
    config, files = state.config, state.files
    contents: dict[str, bytes] = {}
    for site_file in site_files:
        contents[site_file.dest] = site_file.read_bytes()
        file = file_at(files, site_file.dest)
        if file is not None:
            file.content_bytes = contents[site_file.dest]
        else:
            files.append(File.generated(config, site_file.dest, content=contents[site_file.dest]))
    return contents


def _template_all(state: Any, uris: list[str], template_page: Callable) -> list[tuple[str, tuple]]:
    """Every page of ``uris`` templated before any is written: nothing is written when one fails."""
    return [(uri, template_page(state, uri)) for uri in uris]


def _write_all(state: Any, outputs: list[tuple[str, tuple]], write_site_file: Callable) -> list[str]:
    """Write the templated pages whose bytes changed, keep their search entries; their site paths."""
    written = []
    for uri, (dest, content, search) in outputs:
        if write_site_file(state, dest, content):
            written.append(dest)
        if state.search_entries is not None:
            state.search_entries[uri] = search
    return written


def _mkdocs_walk_key(src_uri: str) -> tuple:
    """Where MkDocs's get_files lists a file: folders sorted, index and README first, files before subfolders."""
    parts = src_uri.split("/")
    name = parts[-1]
    return tuple((1, part) for part in parts[:-1]) + ((0, os.path.splitext(name)[0] not in ("index", "README"), name),)


def _insert_in_walk_order(files: Any, added: list[File], vault_files: set[str]) -> None:
    """Put each new note's file among the vault's files where a cold build's walk has it."""
    items = list(files.src_uris.items())
    for file in added:
        key = _mkdocs_walk_key(file.src_uri)
        ours = [n for n, (uri, _) in enumerate(items) if uri in vault_files and uri != file.src_uri]
        at = next((n for n in ours if _mkdocs_walk_key(items[n][0]) > key), ours[-1] + 1 if ours else len(items))
        items.insert(at, (file.src_uri, file))
    files._src_uris = dict(items)


def _remove(site_dir: str, dest: str) -> int:
    """Delete a page or file that went, and the folders it leaves empty; 1 when it was there."""
    path = os.path.join(site_dir, dest)
    try:
        os.remove(path)
    except FileNotFoundError:
        return 0
    folder = os.path.dirname(path)
    root = os.path.realpath(site_dir)
    while os.path.realpath(folder) != root and folder.startswith(site_dir):
        try:
            os.rmdir(folder)
        except OSError:
            break
        folder = os.path.dirname(folder)
    return 1
