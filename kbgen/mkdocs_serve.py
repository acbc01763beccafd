"""``kbgen serve``: MkDocs's live-reload server over kbgen's incremental build.

``mkdocs serve`` empties its site folder and rebuilds everything on every
change. Here one process keeps serving one site folder and rebuilds it with
:func:`kbgen.mkdocs_build.build_site`: notes whose text and links are
unchanged come from the build cache, unchanged pages are not templated again,
and only files whose bytes differ are written, so the browser reloads as soon
as the changed pages are on disk. Each rebuild reads the vault afresh, so a
note edited, added, deleted or renamed while a build runs is picked up by the
next one: the server never stops on an error, and the next rebuild converges
on the vault as it is.

Before that rebuild, an edit of a note that keeps its URL, aliases and id is
shown at once (kbgen.quick_note, kbgen.quick_meta): every page that shows the
note is rendered and templated from the previous build kept in memory — after a
title, tag, date or front-matter change also the pages whose view of the
navigation changed (kbgen.mkdocs_views) — written if its bytes differ, and
browsers reload. When that refresh
covered everything a build would change (:attr:`QuickRefresh.complete`) and the
configuration and the day are those of the last build, no rebuild follows: the
kept build, updated in place, serves the next edit, and once no save came for
:data:`SEARCH_INDEX_DELAY` seconds the search index is written from every
page's entries (:func:`finish_quickly`). Otherwise the
rebuild brings every other page up to date and reloads them again.
"""
from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from os.path import isdir, isfile, join
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from mkdocs import utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer, _serve_url, _timestamp
from watchdog.events import FileSystemEvent, FileSystemEventHandler

from .mkdocs_build import SiteState, build_site, search_index
from .mkdocs_views import page_views, views_understood
from .quick_structure import is_structural
from .site_writer import SiteWriter

log = logging.getLogger("mkdocs.plugins.kbgen")
# Seconds without a save after a complete quick refresh before the search index is written.
SEARCH_INDEX_DELAY = 3.0


def serve(config_file: str, dev_addr: str, overrides: dict[str, Any],
          on_built: Callable[[float], None] | None = None) -> None:
    """Serve the site of ``config_file`` on ``dev_addr`` until interrupted."""
    site_dir = tempfile.mkdtemp(prefix="kbgen-serve-")
    host_port = dev_addr

    def get_config():  # type: ignore[no-untyped-def]
        # MkDocs reads its configuration afresh for every build, as mkdocs serve does:
        # plugins start each build from a clean state; kbgen's caches live on disk.
        config = load_config(config_file=config_file, site_dir=site_dir, dev_addr=host_port, **overrides)
        config.plugins.on_startup(command="serve", dirty=False)
        return config

    config = get_config()
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = _serve_url(host, port, mount_path)
    lock = threading.Lock()
    changes = _Changes(config.docs_dir)
    last: list[SiteState] = []  # the previous build, while it is the newest
    built_with: list[tuple] = []  # the configuration file's stamp and the day of that build

    pending: list[threading.Timer] = []  # the search index write a complete quick refresh left

    def finish_later() -> None:
        with lock:
            if pending != [threading.current_thread()]:
                return  # a newer change took over: it writes the index or schedules it again
            pending.clear()
            if last and finish_quickly(last[0]):
                log.info("kbgen: search index written; no rebuild needed")
                return
        with server._rebuild_cond:  # as the watcher asks for a build: the full rebuild writes it
            server._want_rebuild = True
            server._rebuild_cond.notify_all()

    def builder(config: Any = None) -> None:
        with lock:
            for timer in pending:
                timer.cancel()
            pending.clear()
            changed = changes.take()
            quick = _show_at_once(last[0], changed) if last and changed else None
            if quick is not None:
                _reload(server)  # the edited pages first; the search index or the rebuild below takes longer
                if quick.complete and not last[0].config.watch and built_with == [_stamp(config_file)]:
                    # The search index is written once the author pauses (a save every second or two
                    # while typing): meanwhile each save is shown at once. No newer epoch: browsers
                    # need not reload again.
                    log.info(f"kbgen: quick refresh complete, {quick.written} files written")
                    timer = threading.Timer(SEARCH_INDEX_DELAY, finish_later)
                    timer.daemon = True
                    pending.append(timer)
                    timer.start()
                    return
            if config is None:
                config = get_config()
            config.site_url = serve_url
            last.clear()
            built_with[:] = [_stamp(config_file)]
            stats = build_site(config)
            if stats.state is not None:
                last.append(stats.state)
                remember_views(stats.state)  # here, not on the next save: a retitle then waits for one pass only
            log.info(f"kbgen: {stats.templated} pages templated, {stats.reused} unchanged, "
                     f"{stats.written} files written, {stats.removed} removed")
            # A newer version than the one shown after the quick refresh: browsers reload again.
            server._wanted_epoch = _timestamp()

    server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
    # Writes are atomic and only of changed files: the next build need not wait for writes to settle.
    server.build_delay = 0.05

    def error_handler(code: int) -> bytes | None:
        if code in (404, 500):
            error_page = join(site_dir, f"{code}.html")
            if isfile(error_page):
                with open(error_page, "rb") as f:
                    return f.read()
        return None

    server.error_handler = error_handler
    log.info(f"kbgen: serving {site_dir}")
    try:
        builder(config)
        _reload(server)  # no build loop ran this first build: what it wrote is the visible version
        server.watch(config.docs_dir)
        server.observer.schedule(changes, os.path.abspath(config.docs_dir), recursive=True)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            for timer in pending:
                timer.cancel()
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        if isdir(site_dir):
            shutil.rmtree(site_dir)


class _Changes(FileSystemEventHandler):
    """The files changed since the last build, as the watcher reports them."""

    def __init__(self, docs_dir: str):
        self.docs_dir = os.path.realpath(docs_dir)
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._folders = False  # a folder appeared, went or moved: not for a quick refresh

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        with self._lock:
            if event.is_directory:
                self._folders = self._folders or event.event_type != "modified"
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                if raw:
                    path = os.path.relpath(os.path.realpath(os.fsdecode(raw)), self.docs_dir)
                    self._paths.add(path.replace(os.sep, "/"))

    def take(self) -> set[str] | None:
        """The changed files' paths in the vault; None after a change of folders."""
        with self._lock:
            paths, folders = self._paths, self._folders
            self._paths, self._folders = set(), False
        return None if folders else paths


@dataclass
class QuickRefresh:
    written: int  # files whose bytes changed
    complete: bool  # the site is now what a full build gives, the search index aside (see finish_quickly)


def _show_at_once(state: SiteState, changed: set[str]) -> QuickRefresh | None:
    """Write the pages and files that the edits of ``changed`` notes change, from ``state`` (kbgen.quick_note).

    None when the edits are not for the quick path: nothing is written then.
    """
    # The kept build is millions of objects: a full collection in the middle of a refresh walked them
    # all (tenths of a second each, several per refresh). What a refresh leaves goes at the next one.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _refresh(state, changed)
    finally:
        if was_enabled:
            gc.enable()


def _refresh(state: SiteState, changed: set[str]) -> QuickRefresh | None:
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
    pages: list[str] = []
    files: dict[str, bytes] = {}
    complete = state.search_entries is not None
    navigation: list[str] = []  # notes whose title, tags, dates or front matter changed
    try:
        if is_structural(plugin.build, notes):  # notes added, removed, renamed; aliases or id changed
            from .mkdocs_structure import refresh as refresh_structure

            return refresh_structure(state, plugin, notes)
        for path in notes:
            refreshed = plugin.refresh_page(path)
            if refreshed is None:
                return None
            change, uris = refreshed
            pages.extend(uri for uri in uris if uri not in pages)
            for site_file in change.files:
                files[site_file.dest] = site_file.read_bytes()
                file = state.files.get_file_from_path(site_file.dest)
                if file is not None:  # as the next build's on_files would give it
                    file.content_bytes = files[site_file.dest]
            complete = complete and change.complete
            if change.navigation:
                navigation.append(path)
        if navigation:
            if not _navigation_again(state, plugin, navigation, pages):
                return None
        # Every page first, then the writes: nothing is written when a page fails.
        outputs = [template_page(state, uri) for uri in pages]
        written = 0
        for uri, (dest, content, search) in zip(pages, outputs):
            written += write_site_file(state, dest, content)
            if state.search_entries is not None:
                state.search_entries[uri] = search
        for dest, content in files.items():
            written += write_site_file(state, dest, content)
        if navigation:
            written += _theme_templates_again(state)
    except Exception as exc:  # noqa: BLE001 - the full rebuild that follows reports it
        log.debug(f"kbgen: quick refresh failed ({exc})")
        return None
    return QuickRefresh(written, complete)


def _navigation_again(state: SiteState, plugin: Any, notes: list[str], pages: list[str]) -> bool:
    """Lay MkDocs's navigation out again after titles or places changed, and add to ``pages`` every page
    whose view of it changed (kbgen.mkdocs_views); False when that view is not understood."""
    config = state.config
    if config.nav is not None or not views_understood(config.theme.get("features") or []):
        return False
    doc_pages = [file.page for file in state.doc_files]
    before = state.views if state.views is not None else _views(state, plugin)
    mappings = _tag_mappings(config)
    for src_uri in notes:  # their titles, as the navigation shows them
        file = state.files.get_file_from_path(src_uri)
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
    state.views = _views(state, plugin)
    pages.extend(page.file.src_uri for page in doc_pages
                 if state.views[page.file.src_uri] != before.get(page.file.src_uri) and page.file.src_uri not in pages)
    return True


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
    """Record what each page shows of the navigation now (the next retitle compares with it)."""
    from .mkdocs_plugin import KbgenPlugin

    plugin = next((p for p in state.config.plugins.values() if isinstance(p, KbgenPlugin)), None)
    features = state.config.theme.get("features") or []
    if plugin is None or plugin.build is None or state.config.nav is not None or not views_understood(features):
        return
    state.views = _views(state, plugin)


def _views(state: SiteState, plugin: Any) -> dict[str, bytes]:
    top_url, listings = plugin.sidebar_lists()
    return page_views([file.page for file in state.doc_files], list(state.nav.items), top_url, listings)


def _theme_templates_again(state: SiteState) -> int:
    """Material's tags.json and the theme's own pages (404, sitemap) again, each written only when its text
    changed; how many were written."""
    config, written = state.config, 0
    writer = SiteWriter(Path(config.site_dir))
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
    file = state.files.get_file_from_path(src_uri)
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


def finish_quickly(state: SiteState) -> bool:
    """End a complete quick refresh as a build ends: the search index from every page's entries, and
    the plugins' ``on_post_build`` (Material writes the index, kbgen splits it and reports problems).

    False when that failed: the full rebuild must follow.
    """
    if state.search_entries is None:
        return False
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


def _stamp(config_file: str) -> tuple:
    """What a build depends on besides the notes: the configuration file, and the day (generated pages show it)."""
    try:
        stat = os.stat(config_file)
        file: tuple = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    except OSError:
        file = ()
    return file, time.strftime("%Y-%m-%d", time.gmtime())


def _reload(server: LiveReloadServer) -> None:
    """Tell browsers the site changed now (MkDocs does so only after the builder returns)."""
    with server._epoch_cond:
        server._visible_epoch = server._wanted_epoch
        server._epoch_cond.notify_all()
