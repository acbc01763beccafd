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

Before that rebuild, a save is shown at once when the quick path takes it
(kbgen.mkdocs_quick): an edit of a note's text, title, tags, dates or front
matter (kbgen.quick_note, kbgen.quick_meta), a note added, deleted or renamed,
or its aliases or id changed (kbgen.quick_structure). The note pages rendered
again are written and shown first, the listings next, the other pages whose
navigation changed after; a browser tab reloads when its own page was
rewritten (kbgen.page_reload). When that refresh covered everything a build
would change (``QuickRefresh.complete``) and the configuration and the day are
those of the last build, no rebuild follows: the kept build, updated in place,
serves the next edit, and once no save came for :data:`SEARCH_INDEX_DELAY`
seconds the search index is written from every page's entries and the build
cache is brought up to date (``finish_quickly``, kbgen.quick_cache). Otherwise
the rebuild brings every other page up to date and reloads them again.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from os.path import isdir, isfile, join
from typing import Any, Callable
from urllib.parse import urlsplit

from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer, _serve_url

from .mkdocs_build import SiteState, build_site
from .mkdocs_quick import finish_quickly, quick_cache, remember_views, show_at_once
from .page_reload import PageReload
from .serve_watch import Changes, native_observer

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
    changes = Changes(config.docs_dir)
    last: list[SiteState] = []  # the previous build, while it is the newest
    built_with: list[tuple] = []  # the configuration file's stamp and the day of that build

    pending: list[threading.Timer] = []  # the search index write a complete quick refresh left

    def finish_later() -> None:
        with lock:
            cache = quick_cache(last[0]) if last and pending == [threading.current_thread()] else None
        # Reading every note (a second at 5,000) without the lock: a save meanwhile is shown at once.
        on_disk = cache.vault_on_disk() if cache is not None else None
        with lock:
            if pending != [threading.current_thread()]:
                return  # a newer change took over: it writes the index or schedules it again
            pending.clear()
            if last and finish_quickly(last[0], on_disk):
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
            # The note pages rendered again are shown as soon as they are written, the other pages after.
            quick = show_at_once(last[0], changed, server.show) if last and changed else None
            if quick is not None:
                server.show(quick.pages)  # the search index or the rebuild below takes longer
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
            # A newer version than the one shown after the quick refresh: every open page reloads.
            server.show(None)

    server = _Server(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
    server.observer = native_observer(config.docs_dir) or server.observer
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
        builder(config)  # no build loop runs this first build: the builder shows what it wrote
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


class _Server(PageReload, LiveReloadServer):
    """MkDocs's live-reload server; a tab reloads when its own page was rewritten (kbgen.page_reload)."""


def _stamp(config_file: str) -> tuple:
    """What a build depends on besides the notes: the configuration file, and the day (generated pages show it)."""
    try:
        stat = os.stat(config_file)
        file: tuple = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    except OSError:
        file = ()
    return file, time.strftime("%Y-%m-%d", time.gmtime())
