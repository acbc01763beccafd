"""The theme's part of a build: its static files, and on an empty cache its templates compiled by a forked child.

MkDocs finds a theme's static files by walking every file of the theme
(Material ships thousands of icons); kbgen.theme_files records the result for
later builds. Jinja compiles Material's templates (main.html, base.html and
about forty partials) on first use; the kbgen plugin keeps their bytecode in
its cache for later builds. A build with an empty cache did both in the main
process, about a quarter of a second at the start of the build, while the
other core idled until the vault's parse workers started. Neither depends on
the vault: a child forked before kbgen's pipeline (kbgen.background) walks the
theme, writes the same record, compiles the templates into the same bytecode
folder, and the build takes the theme's files from the child once its pipeline
is done. A build that finds both in the cache forks nothing.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from mkdocs import utils
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from . import background, theme_files
from .mkdocs_pages import file_at
from .theme_rewrites import SourceKeyedBytecodeCache

log = logging.getLogger("mkdocs.plugins.kbgen")

JINJA_CACHE = "jinja"  # compiled theme templates, in kbgen's cache (set by the kbgen plugin's on_env)
# The templates every page build loads, besides the partials (all of partials/ is compiled).
_PAGE_TEMPLATES = ("main.html", "base.html", "404.html", "sitemap.xml")


class ThemeFiles:
    """``files.add_files_from_theme(env, config)``, replayed from kbgen.theme_files while the theme's folders stand.

    ``record_path``: where the record lives (None: no cache, walk every time); ``jinja_dir``: the bytecode
    folder, compiled into by the child when the build finds it empty.
    """

    def __init__(self, env: Any, config: MkDocsConfig, record_path: Path | None, jinja_dir: Path | None,
                 versions: str):
        self.env, self.config = env, config
        self.record: theme_files.Record | None = None
        self.pairs: list[tuple[str, str]] | None = None
        self._child: background.Background | None = None
        loader = getattr(env, "loader", None)
        if record_path is None or type(loader).__name__ != "FileSystemLoader":
            return
        # static_templates is a set: sorted, or its order (hash seed) differs in every process and no record holds.
        key = (list(loader.searchpath), list(config.theme.dirs), sorted(config.theme.static_templates),
               sorted(utils.markdown_extensions), versions)
        self.record = theme_files.Record(record_path, key, loader.searchpath)
        self.pairs = self.record.pairs()
        compile_into = jinja_dir if jinja_dir is not None and not _compiled(env, jinja_dir) else None
        if self.pairs is None or compile_into is not None:
            self._child = background.start(lambda: self._prepare(compile_into), "theme files and templates")

    @property
    def in_child(self) -> bool:
        """Whether a child is walking the theme (its files are best added once the pipeline is done)."""
        return self._child is not None

    def add_to(self, files: Files) -> None:
        """Add the theme's static files that the vault does not override."""
        if self.record is None:
            files.add_files_from_theme(self.env, self.config)
            return
        pairs = self.pairs
        if pairs is None and self._child is not None:
            try:
                pairs = self.wait()
            except background.BackgroundFailed as exc:  # walked here, as without a child
                log.warning("kbgen: %s", exc)
        if pairs is None:  # every static file of the theme, whatever the vault has
            pairs = _walk(self.env, self.config)
            self.record.save(pairs)
        for src_uri, folder in pairs:
            if file_at(files, src_uri) is None:  # theme files do not override the vault's
                files.append(File(src_uri, folder, self.config.site_dir, self.config.use_directory_urls))

    def wait(self) -> list[tuple[str, str]] | None:
        """Wait for the child, if any (a build that failed half-way too); the pairs it walked."""
        child, self._child = self._child, None
        return child.join() if child is not None else None

    def close(self) -> None:
        """At the end of the build (or its failure): the child is waited for; a failure was reported by add_to."""
        try:
            self.wait()
        except background.BackgroundFailed:
            pass

    def _prepare(self, compile_into: Path | None) -> list[tuple[str, str]] | None:
        """In the child: the record (walked when missing), then the templates' bytecode."""
        assert self.record is not None
        pairs = self.pairs
        if pairs is None:
            pairs = _walk(self.env, self.config)
            self.record.save(pairs)
        if compile_into is not None:
            _compile(self.config, compile_into)
        return pairs


def _walk(env: Any, config: MkDocsConfig) -> list[tuple[str, str]]:
    found = Files([])
    found.add_files_from_theme(env, config)
    return [(f.src_uri, f.src_dir) for f in found]


def _compiled(env: Any, folder: Path) -> bool:
    """Whether ``folder`` holds compiled code of the theme's page templates (an earlier build's).

    By the file Jinja would read, not by the folder being empty: plugins compile their own
    templates into it during on_config (Material's search plugin, kbgen.mkdocs_build._on_config).
    A file there whose source changed since is compiled again where it is used, as before.
    """
    cache = SourceKeyedBytecodeCache(str(folder))
    for name in ("main.html", "base.html"):
        try:
            source, filename, _ = env.loader.get_source(env, name)
        except Exception:  # noqa: BLE001 - a theme without it: nothing to compile ahead
            return True
        if not os.path.isfile(cache.path_of(name, filename, source)):
            return False
    return True


def _compile(config: MkDocsConfig, folder: Path) -> None:
    """Compile the page templates and every partial into ``folder`` as the plugin's on_env cache keeps them.

    The same loader (MkDocs's theme environment) names the same files, so the main process and
    the page workers find them by name and source checksum. A template that does not compile
    here (a filter a plugin adds in on_env) is compiled where it is used, as before.
    """
    env = config.theme.get_env()
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = SourceKeyedBytecodeCache(str(folder))
    language = str(config.theme.get("language") or "en")
    names = list(_PAGE_TEMPLATES)
    for root in env.loader.searchpath:
        partials = os.path.join(root, "partials")
        for dirpath, dirnames, filenames in os.walk(partials):
            dirnames.sort()
            for name in sorted(filenames):
                rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                in_languages = rel.startswith("partials/languages/")
                if name.endswith(".html") and (not in_languages or name in (f"{language}.html", "en.html")):
                    names.append(rel)
    for name in dict.fromkeys(names):
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001 - see the docstring: compiled where it is used
            continue


def themes_own(env: Any, template: str, theme: str) -> bool:
    """Whether ``template`` is the theme's own file, not an override of it (a custom_dir's)."""
    try:
        _, filename, _ = env.loader.get_source(env, template)
    except Exception:  # noqa: BLE001 - no such template, or a loader that cannot say: assume an override
        return False
    return is_theme_file(filename, theme)


def is_theme_file(filename: str | None, theme: str) -> bool:
    """Whether ``filename`` is one of the installed theme's own files."""
    try:
        return bool(filename) and Path(filename).resolve().is_relative_to(Path(utils.get_theme_dir(theme)).resolve())
    except Exception:  # noqa: BLE001 - no such theme: not its file
        return False
