"""``kbgen build``'s way of running MkDocs: ``mkdocs build`` step by step, incremental and on all cores.

The same configuration, plugin events and MkDocs functions as
:func:`mkdocs.commands.build.build` (``_populate_page``, ``_build_page``,
``_build_theme_template``…), in the same order, with three differences that
leave the site exactly as ``mkdocs build`` writes it:

- the site folder is not emptied first: every file is written only when its
  bytes differ (:class:`~kbgen.site_writer.SiteWriter`), and files the build
  did not produce are removed at the end;
- a page whose template inputs are unchanged since the last build
  (kbgen.mkdocs_page_keys) and whose output file is still the one written then is
  not templated again; Material's search index gets the entries recorded for
  it, in page order;
- pages are templated in forked worker processes when there are many; the
  parent writes their output and assembles the search index in page order.

Skipping and workers rely on knowing every plugin's per-page events: when a
plugin other than Material's search and tags or kbgen hooks them, every page
is templated here, in order, as ``mkdocs build`` does.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from mkdocs import utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import File, Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from . import background, memory, pickles, theme_files
from .mkdocs_theme import JINJA_CACHE, ThemeFiles
from .mkdocs_page_keys import page_keys, versions
from .search.index import search_document
from .site_copies import StaticCopies
from .site_writer import SiteWriter

log = logging.getLogger("mkdocs.plugins.kbgen")

# Per-page events of these plugins are understood: they only read the page and,
# for search, append to its index.
KNOWN_PLUGIN_MODULES = ("material.plugins.search.", "material.plugins.tags.", "kbgen.")
_PAGE_EVENTS = ("page_context", "post_page", "pre_template", "template_context", "post_template")
# Below this many pages to template, forking costs more than it saves.
MIN_PAGES_PER_WORKER = 40
CHUNK_PAGES = 25  # pages a worker templates per task


@dataclass
class SiteStats:
    pages: int = 0
    templated: int = 0
    reused: int = 0
    workers: int = 1
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    changed: list[str] = field(default_factory=list)  # files replaced, removed or new (kbgen.site_links.record_changes)
    extra: dict[str, Any] = field(default_factory=dict)
    state: "SiteState | None" = None  # what templating a page again needs (kbgen serve)


@dataclass
class SiteState:
    """The MkDocs side of a finished build, kept by ``kbgen serve`` to template single pages again."""

    config: MkDocsConfig
    files: Any
    nav: Any
    env: Any
    doc_files: list[File]
    # Material's search entries of each page (src_uri), when this module templated every page
    # itself (all plugins' page events understood); kbgen serve replaces a page's after a quick refresh.
    search_entries: dict[str, list] | None = None
    # What each page shows of the navigation (kbgen.mkdocs_views), once a quick refresh needed it.
    views: dict[str, bytes] | None = None


def build_site(config: MkDocsConfig, *, manifest: Path | None = None, jobs: int | None = None,
               progress: Callable[[str, int, int], None] | None = None, site_id: str | None = None,
               before_site: Callable[[], object] | None = None) -> SiteStats:
    """Build the site of ``config`` as ``mkdocs build`` would; see the module docstring.

    ``manifest`` records what each page was built from; by default it lives in
    the kbgen plugin's cache folder, one per ``site_id`` (the site folder; the CLI
    builds into a staging folder and names the final one).
    ``before_site``: called once kbgen's pipeline is done, before the build reads or
    writes the site folder (the CLI's linking of the previous site finishes there,
    kbgen.site_links.SiteLinking; with a plugin it does not know, the CLI waits for the
    linking before the first plugin event itself).
    """
    logger = logging.getLogger("mkdocs")
    warning_counter = utils.CountHandler()
    warning_counter.setLevel(logging.WARNING)
    if config.strict:
        logger.addHandler(warning_counter)
    writer = SiteWriter(Path(config.site_dir))
    stats = SiteStats()
    try:
        with writer.patched(utils):
            _build(config, writer, stats, manifest, jobs, progress, site_id or str(config.site_dir),
                   before_site or (lambda: None))
        if counts := warning_counter.get_counts():
            msg = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {msg} in strict mode!")
    except Exception as e:
        config.plugins.on_build_error(error=e)
        if isinstance(e, BuildError):
            log.error(str(e))
            raise Abort("Aborted with a BuildError!")
        raise
    finally:
        logger.removeHandler(warning_counter)
    stats.removed = writer.remove_stale()
    stats.written, stats.unchanged = writer.written, writer.unchanged
    stats.changed = writer.changed_files()
    return stats


def _build(config: MkDocsConfig, writer: SiteWriter, stats: SiteStats, manifest_path: Path | None,
           jobs: int | None, progress: Callable[[str, int, int], None] | None, site_id: str,
           before_site: Callable[[], object]) -> None:
    config = _on_config(config)
    jobs = _share_jobs(config, jobs)
    if manifest_path is None:
        manifest_path = default_manifest(config, site_id)
    config.plugins.on_pre_build(config=config)
    inclusion = InclusionLevel.is_included
    files = get_files(config)
    env = config.theme.get_env()
    theme = ThemeFiles(env, config, _cache_file(config, theme_files.RECORD), _cache_file(config, JINJA_CACHE),
                       versions())
    # With a child walking the theme (an empty cache) its files are added once kbgen's pipeline is
    # done, when no plugin but kbgen's and Material's sees the files in on_files (kbgen's skips them:
    # they are outside the vault, and a file of the vault or of kbgen's own still wins).
    later = theme.in_child and only_known_plugins(config)
    try:
        if not later:
            theme.add_to(files)
        # The vault's build (kbgen's pipeline, in on_files) lives to the end of this build: no full
        # collection walks it, from the moment it is made (kbgen.memory.thaw) to the end.
        with memory.frozen_heap():
            files = config.plugins.on_files(files, config=config)
            before_site()
            if later:
                theme.add_to(files)
            _build_from_files(config, writer, stats, manifest_path, progress, jobs, env, files, inclusion)
    finally:
        theme.close()


def _on_config(config: MkDocsConfig) -> MkDocsConfig:
    """The plugins' ``on_config``, with kbgen's compiled-template cache in every theme environment they make.

    Material's search plugin makes a fresh environment (``theme.get_env()``) for each of
    its defaults and compiles its language templates there: six compiles, a fixed
    fiftieth of a second of every build. Same environment, same templates; only where
    the compiled code comes from differs (Jinja checks it against the source).
    """
    from .mkdocs_plugin import KbgenPlugin

    cache = next((plugin.template_cache(config) for plugin in config.plugins.values()
                  if isinstance(plugin, KbgenPlugin)), None)
    if cache is None:
        return config.plugins.on_config(config)
    theme = config.theme
    get_env = theme.get_env

    def cached_env() -> Any:
        env = get_env()
        if env.bytecode_cache is None:
            env.bytecode_cache = cache
        return env

    theme.get_env = cached_env  # type: ignore[method-assign]  # this instance, for the event only
    try:
        return config.plugins.on_config(config)
    finally:
        del theme.get_env


def _build_from_files(config: MkDocsConfig, writer: SiteWriter, stats: SiteStats, manifest_path: Path | None,
                      progress: Callable[[str, int, int], None] | None, jobs: int | None, env: Any, files: Any,
                      inclusion: Callable[[InclusionLevel], bool]) -> None:
    set_exclusions(files, config)
    nav = _navigation(config, files)
    for file in files.documentation_pages(inclusion=inclusion):
        if file.page is None and file.inclusion.is_not_in_nav():
            Page(None, file, config)
        assert file.page is not None
        mkdocs_build._populate_page(file.page, config, files)
    env = config.plugins.on_env(env, config=config, files=files)

    # Files.copy_static_files, through the writer; by a child while the pages are templated (kbgen.site_copies).
    site = config.site_dir
    later = {os.path.join(site, name) for template in (*config.theme.static_templates, *config.extra_templates)
             for name in (template, template + ".gz")}
    later.update(file.abs_dest_path for file in files.documentation_pages(inclusion=inclusion))
    copies = StaticCopies(writer, [file for file in files
                                   if not file.is_documentation_page() and inclusion(file.inclusion)], later)
    saving: background.Background | None = None
    try:
        try:
            saving = _build_pages(config, writer, stats, manifest_path, progress, jobs, env, files, nav, inclusion)
        finally:
            copies.finish()
        config.plugins.on_post_build(config=config)
    finally:
        _saved(saving)


def _navigation(config: MkDocsConfig, files: Files) -> Navigation:
    """``get_navigation``, then the plugins' ``on_nav``; without MkDocs's own first where kbgen's replaces it.

    With no nav in mkdocs.yml and no plugin but known ones, kbgen's ``on_nav`` lays the
    navigation out itself and MkDocs's was made only to be dropped (a fiftieth of a second
    at 1,000 notes, every build). It is skipped when kbgen's navigation holds every page
    MkDocs's would: those pages then get their previous, next and parent links from kbgen's
    alone, as before. Otherwise MkDocs's is made and ``on_nav`` runs on it, as always.
    """
    if config.nav is None and only_known_plugins(config):
        nav = config.plugins.on_nav(Navigation([], []), config=config, files=files)
        if _holds_every_page(nav, files):
            return nav
    return config.plugins.on_nav(get_navigation(files, config), config=config, files=files)


def _holds_every_page(nav: Navigation, files: Files) -> bool:
    """Whether every page MkDocs would put in its navigation is in ``nav``'s page list and tree."""
    listed = {id(page) for page in nav.pages}
    in_tree: set[int] = set()
    stack = list(nav.items)
    while stack:
        item = stack.pop()
        if isinstance(item, Page):
            in_tree.add(id(item))
        stack.extend(getattr(item, "children", None) or [])
    return all(file.page is not None and id(file.page) in listed and id(file.page) in in_tree
               for file in files.documentation_pages() if file.inclusion.is_in_nav())


def _build_pages(config: MkDocsConfig, writer: SiteWriter, stats: SiteStats, manifest_path: Path | None,
                 progress: Callable[[str, int, int], None] | None, jobs: int | None, env: Any, files: Any, nav: Any,
                 inclusion: Callable[[InclusionLevel], bool]) -> background.Background | None:
    """Template and write the pages; the child writing the page manifest meanwhile (:func:`_saved` waits)."""
    for template in config.theme.static_templates:
        mkdocs_build._build_theme_template(template, env, files, config, nav)
    for template in config.extra_templates:
        mkdocs_build._build_extra_template(template, files, config, nav)

    doc_files = files.documentation_pages(inclusion=inclusion)
    templating = _PageTemplating(config, doc_files, nav, env, writer, stats, progress)
    templating.run(_load_manifest(manifest_path), jobs)

    for file in doc_files:
        assert file.page is not None
        file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
    stats.state = SiteState(config, files, nav, env, doc_files, templating.entries)
    # Pickled by a child while the search index is written: every page's search entries, a fiftieth
    # of a second at 1,000 notes of a build after one edit.
    manifest = templating.manifest
    saving = background.start(lambda: _save_manifest(manifest_path, manifest), "page manifest")
    if saving is None:
        _save_manifest(manifest_path, manifest)
    return saving


def _saved(saving: background.Background | None) -> None:
    if saving is not None:
        try:
            saving.join()
        except background.BackgroundFailed as exc:  # the next build templates its pages again
            log.warning("kbgen: page manifest not written (%s)", exc)


# -- pages ---------------------------------------------------------------------------------

@dataclass
class _Output:
    key: str
    dest: str  # inside the site folder
    size: int
    mtime_ns: int
    search: list | None  # Material search entries of the page


class _PageTemplating:
    def __init__(self, config: MkDocsConfig, doc_files: list[File], nav: Any, env: Any, writer: SiteWriter,
                 stats: SiteStats, progress: Callable[[str, int, int], None] | None):
        self.config, self.doc_files, self.nav, self.env = config, doc_files, nav, env
        self.writer, self.stats, self.progress = writer, stats, progress
        self.search = search_index(config)
        self.understood = _page_events_understood(config)
        self.manifest: dict[str, _Output] = {}
        self.entries: dict[str, list] | None = None  # each page's search entries, once all are known

    def run(self, previous: dict[str, _Output], jobs: int | None) -> None:
        pages = [file.page for file in self.doc_files]
        self.stats.pages = len(pages)
        if not self.understood:  # someone else's plugin: exactly as MkDocs, in order
            for n, page in enumerate(pages, 1):
                self._template(page)
                self._report(n, len(pages))
            return
        keys = page_keys(self.config, pages, self.nav)
        entries: dict[str, list] = {}
        todo: list[int] = []
        for n, page in enumerate(pages):
            old = previous.get(page.file.src_uri)
            if old is not None and old.key == keys[n] and old.dest == page.file.dest_uri \
                    and self.writer.keep_if_unchanged(page.file.abs_dest_path, old.size, old.mtime_ns):
                entries[page.file.src_uri] = old.search or []
                self.manifest[page.file.src_uri] = old
                self.stats.reused += 1
            else:
                todo.append(n)
        started = time.perf_counter()
        # Everything built so far lives until the end: keep the collector from walking it
        # for every page, and, in forked workers, from touching (copying) all of it.
        with memory.frozen_heap():
            # Each page is written as soon as it is templated: holding every page's bytes
            # until the end was hundreds of megabytes at 5,000 notes.
            for k, output, search in self._template_all([pages[n] for n in todo], jobs):
                self._keep(pages[todo[k]], keys[todo[k]], output, search, entries)
        self.stats.extra["templating_s"] = time.perf_counter() - started
        self.stats.templated = len(todo)
        if self.search is not None:  # in page order, as one serial build appends them
            self.search.entries = [e for page in pages for e in entries.get(page.file.src_uri, [])]
        self.entries = entries

    def _keep(self, page: Page, key: str, output: bytes | None, search: list, entries: dict[str, list]) -> None:
        dest = page.file.abs_dest_path
        if output is not None:
            utils.write_file(output, dest)  # the writer, behind kbgen's guard: a failure is that page's error
            if self.writer.failed and os.path.realpath(dest) in self.writer.failed:  # realpath: lstat per part
                return  # no manifest entry (the next build writes it again) and nothing to search
        size, mtime_ns = self.writer.stamp(dest)
        entries[page.file.src_uri] = search
        self.manifest[page.file.src_uri] = _Output(key, page.file.dest_uri, size, mtime_ns, search)

    def _template_all(self, pages: list[Page], jobs: int | None) -> Iterator[tuple[int, bytes | None, list]]:
        """(position in ``pages``, output, search entries) of every page, as they are templated."""
        workers = min(jobs or os.cpu_count() or 1, max(1, len(pages) // MIN_PAGES_PER_WORKER))
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            for n, page in enumerate(pages):
                yield (n, *self._captured(page, n + 1, len(pages)))
            return
        self.stats.workers = workers
        global _WORK
        _WORK = (self, pages)
        # Small chunks: results come back (and are written) steadily, never all at once.
        size = max(1, min(CHUNK_PAGES, len(pages) // workers))
        chunks = [list(range(k, min(k + size, len(pages)))) for k in range(0, len(pages), size)]
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                done = 0
                for chunk, outputs in zip(chunks, pool.imap(_template_chunk, chunks)):
                    for n, (output, search) in zip(chunk, outputs):
                        yield n, output, search
                    done += len(chunk)
                    self._report(done, len(pages))
        finally:
            _WORK = None

    def _captured(self, page: Page, n: int = 0, total: int = 0) -> tuple[bytes | None, list]:
        """Template one page as ``_build_page`` does; return its bytes and search entries instead of writing."""
        before = len(self.search.entries) if self.search is not None else 0
        with self.writer.capturing() as captured:
            self._template(page)
        # Kept with the page in the manifest, JSON-loaded and hashed once (kbgen.search.index.SearchDocument)
        search = [search_document(e) for e in self.search.entries[before:]] if self.search is not None else []
        if self.search is not None:
            del self.search.entries[before:]
        if total:
            self._report(n, total)
        return captured.get(page.file.abs_dest_path), search

    def _template(self, page: Page) -> None:
        mkdocs_build._build_page(page, self.config, self.doc_files, self.nav, self.env, False,
                                 excluded=page.file.inclusion.is_excluded())

    def _report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress("write", done, total)


_WORK: tuple[_PageTemplating, list[Page]] | None = None


def _template_chunk(indexes: list[int]) -> list[tuple[bytes | None, list]]:
    """In a forked worker: template these pages of the parent's list."""
    assert _WORK is not None
    templating, pages = _WORK
    templating.progress = None
    return [templating._captured(pages[n]) for n in indexes]


def _share_jobs(config: MkDocsConfig, jobs: int | None) -> int | None:
    """One knob: kbgen's parse and render use as many processes as page templating.

    ``-j`` wins over the ``jobs`` option of the kbgen plugin; the number templating uses is returned.
    """
    from .mkdocs_plugin import KbgenPlugin

    for plugin in config.plugins.values():
        if isinstance(plugin, KbgenPlugin) and plugin.kb is not None:
            if jobs is not None:
                plugin.kb.jobs = jobs
            elif plugin.kb.jobs:
                jobs = plugin.kb.jobs
    return jobs


def search_index(config: MkDocsConfig) -> Any | None:
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if type(plugin).__module__.startswith("material.plugins.search.") and isinstance(
                getattr(index, "entries", None), list):
            return index
    return None


def only_known_plugins(config: MkDocsConfig) -> bool:
    """Whether every plugin is one whose use of ``page.content`` is known (kbgen's, Material's search and tags)."""
    return all((type(p).__module__ + ".").startswith(KNOWN_PLUGIN_MODULES) for p in config.plugins.values())


def _page_events_understood(config: MkDocsConfig) -> bool:
    for event in _PAGE_EVENTS:
        for method in config.plugins.events.get(event, []):
            owner = getattr(method, "__self__", None)
            module = type(owner).__module__ if owner is not None else getattr(method, "__module__", "")
            if not (module + ".").startswith(KNOWN_PLUGIN_MODULES):
                return False
    search_plugins = [p for p in config.plugins.values() if "search" in type(p).__module__]
    return all(type(p).__module__.startswith("material.plugins.search.") for p in search_plugins) and (
        not search_plugins or search_index(config) is not None)


def _cache_file(config: MkDocsConfig, name: str) -> Path | None:
    from .mkdocs_plugin import KbgenPlugin

    for plugin in config.plugins.values():
        if isinstance(plugin, KbgenPlugin) and plugin.kb is not None and plugin.kb.build_cache:
            return Path(plugin.kb.cache_dir) / name
    return None


def default_manifest(config: MkDocsConfig, site_id: str) -> Path | None:
    from .mkdocs_plugin import KbgenPlugin

    for plugin in config.plugins.values():
        if isinstance(plugin, KbgenPlugin) and plugin.kb is not None:
            site = hashlib.sha256(os.path.realpath(site_id).encode()).hexdigest()[:16]
            return Path(plugin.kb.cache_dir) / f"pages-{site}.pickle"
    return None


def _load_manifest(path: Path | None) -> dict[str, _Output]:
    if path is None:
        return {}
    try:
        data = pickles.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - no manifest or a damaged one: template everything
        return {}
    return data if isinstance(data, dict) else {}


def _save_manifest(path: Path | None, manifest: dict[str, _Output]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:  # written as pickled: it holds every page's search entries
            pickles.dump(manifest, f)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("kbgen: page manifest not written (%s)", exc)
