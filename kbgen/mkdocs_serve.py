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
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from os.path import isdir, isfile, join
from typing import Any, Callable
from urllib.parse import urlsplit

from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer, _serve_url

from .mkdocs_build import build_site

log = logging.getLogger("mkdocs.plugins.kbgen")


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

    def builder(config: Any = None) -> None:
        with lock:
            if config is None:
                config = get_config()
            config.site_url = serve_url
            stats = build_site(config)
            log.info(f"kbgen: {stats.templated} pages templated, {stats.reused} unchanged, "
                     f"{stats.written} files written, {stats.removed} removed")

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
        server.watch(config.docs_dir)
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
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        if isdir(site_dir):
            shutil.rmtree(site_dir)
