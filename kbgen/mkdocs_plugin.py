"""The MkDocs adapter: the only module that knows MkDocs.

It maps MkDocs events onto kbgen's pipeline: ``on_files`` runs the whole
vault build (load → render → emit), and each page then takes its HTML, title,
TOC and metadata from that build instead of Python-Markdown. Replacing MkDocs
(Material announces its end of life in 2027) means replacing this file.
"""
from __future__ import annotations

import dataclasses
import html
import logging
import os
import types
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import jinja2
from mkdocs import utils
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .build import Progress, build_vault, release_tokens
from .mkdocs_build import only_known_plugins, search_index
from .mkdocs_theme import JINJA_CACHE, is_theme_file, themes_own
from .mkdocs_pages import (PageSource, escape_strings, file_at, free_src_uri, mkdocs_navigation, page_meta, page_reader,
                           page_renderer, place)
from .markdown.renderer import NoteRenderer
from .quick_note import refresh_note
from .quick_cache import QuickCache
from .quick_pages import QuickChange
from .vault_build import VaultBuild
from .config import KbgenConfig
from .diagnostics import Diagnostic
from .emit import SitePage
from .emit.page_whitespace import squeeze_whitespace
from .emit.templating import templates_dir
from . import material_translations, mkdocs_search
from .search import rewrite_search_index, use_search_worker
from .site_writer import WriteGuard
from .snapshot import BuildSnapshot
from .nav.tree import NAV_KEY
from .nav.folders import ROOT_LISTING_KEY, has_section_listing, listing_targets, with_section_listing
from .nav.window import PageNav, cut_items, prunes_closed
from .nav import fragments
from .theme_rewrites import RewritingLoader, SourceKeyedBytecodeCache
from .messages import table
from .tags.model import tag_links
from .emit.feed import FEED_PATH
from .emit.note_dates import dates_line
from .vault.urls import note_url, relative_url, url_dest

log = logging.getLogger("mkdocs.plugins.kbgen")

TEMPLATES_DIR = templates_dir()
# Options a mkdocs.yml may not set: they come from MkDocs's own settings.
_DERIVED = {"notes_dir", "use_directory_urls", "language", "site_url", "site_name"}
SEARCH_STATE = "search-pieces.pickle"  # kbgen.search.shard_update's record, in kbgen's cache
NAV_FEATURES = ("navigation.indexes", "navigation.path", "navigation.footer", "navigation.prune")


def _plugin_config_class() -> type[base.Config]:
    """Declare one MkDocs option per KbgenConfig field, so the two never drift apart."""
    attrs: dict[str, Any] = {}
    for f in dataclasses.fields(KbgenConfig):
        if f.name in _DERIVED:
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        kind = type(default) if not isinstance(default, Path) else str
        attrs[f.name] = c.Type(kind, default=str(default) if isinstance(default, Path) else default)
    return type("KbgenPluginConfig", (base.Config,), attrs)


KbgenPluginConfig = _plugin_config_class()


class KbgenPlugin(BasePlugin[KbgenPluginConfig]):  # type: ignore[valid-type]
    """``plugins: [kbgen]`` — render the vault with kbgen inside any MkDocs build."""

    def __init__(self) -> None:
        self.kb: KbgenConfig | None = None
        self.build: VaultBuild | None = None
        self.pages: dict[str, SitePage] = {}
        self._listings: dict[str, str] = {}  # a section's own page's URL → its complete list's
        self._closed_pruned = False  # Material's own nav-item.html prunes closed sections (kbgen.nav.window)
        self._sources: dict[str, PageSource | None] = {}  # per build, by src_uri
        # No plugin but kbgen's and Material's search and tags reads a page's content outside its
        # templating: a note page's MkDocs Page holds none (its body stays packed in the build).
        self._lean = False
        self._search_docs: tuple[Any, list] | None = None  # Material's index and its documents, kept back
        # Set by the kbgen CLI; plain ``mkdocs build`` logs diagnostics instead.
        self.progress: Progress | None = None
        self.on_diagnostics: Callable[[list[Diagnostic]], None] | None = None
        self.snapshot: BuildSnapshot | None = None  # the last build kept on disk, to start from (kbgen.snapshot)
        self.pages_written = 0
        self.has_feed = False  # the build wrote feed.xml
        self._renderer: NoteRenderer | None = None  # kept between quick refreshes (kbgen serve)
        self.quick_cache: QuickCache | None = None  # what quick refreshes owe the build cache (kbgen serve)
        self._files: Files | None = None
        self._site_dir = ""
        self._writes = WriteGuard(utils, self._write_failed)
        self._fragments = fragments.NavFragments()  # closed sidebar items, rendered once per build
        self._translations = material_translations.TranslationMemo()  # Material's words, looked up once per build
        self._template_cache: SourceKeyedBytecodeCache | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        mkdocs_search.install()  # Material's search parser, linear in a page's size
        self.kb = self._options(config)
        self.kb.notes_dir = Path(config.docs_dir)
        self.kb.use_directory_urls = config.use_directory_urls
        self.kb.language = str(config.theme.get("language") or "en")
        self.kb.site_url = str(config.site_url or "")
        self.kb.site_name = str(config.site_name or "")
        self._lean = only_known_plugins(config)
        # Our overrides go in front of Material's templates but behind the user's custom_dir.
        position = 1 if config.theme.custom_dir else 0
        if TEMPLATES_DIR.is_dir() and str(TEMPLATES_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(position, str(TEMPLATES_DIR))
        # The site must work offline: Material's default pulls Roboto from Google Fonts.
        if config.theme.name == "material":
            config.theme["font"] = False
            features = config.theme.get("features") or []
            # Breadcrumbs, previous/next, folder pages as sections, and pages that do not grow with the vault.
            config.theme["features"] = features + [f for f in NAV_FEATURES if f not in features]
        return config

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        # Material writes its settings into every page as JSON (``tojson``), translations included:
        # as \uXXXX escapes a Korean word costs twice its UTF-8 bytes (~0.7 KB a page). The
        # HTML-special characters are still escaped by Jinja's htmlsafe_json_dumps.
        env.policies["json.dumps_kwargs"] = {**env.policies.get("json.dumps_kwargs", {}), "ensure_ascii": False}
        # MkDocs makes a new environment for every build: checking each template's file time on every
        # {% include %} (about 40 a page) cannot find a change within one.
        env.auto_reload = False
        index = search_index(config)
        if index is not None:
            mkdocs_search.use_sections_index(index)  # every plugin's on_config made its index by now
        self._closed_pruned = config.theme.name == "material" and prunes_closed(
            config.theme.get("features") or []) and themes_own(env, "partials/nav-item.html", "material")
        if config.theme.name == "material" and not isinstance(env.loader, RewritingLoader):
            self._rewrite_theme(env, config)
        if env.bytecode_cache is None:
            env.bytecode_cache = self.template_cache(config)
        return env

    def _rewrite_theme(self, env: Any, config: MkDocsConfig) -> None:
        """Material's own partials read rewritten for this build's memos (kbgen.theme_rewrites), until on_post_build."""
        rewrites = {material_translations.TEMPLATE: material_translations.memo_source}
        env.globals[material_translations.GLOBAL] = self._translations
        self._translations.start()
        if fragments.memoizable(config.theme.get("features") or []) and themes_own(env, fragments.TEMPLATE, "material"):
            rewrites[fragments.TEMPLATE] = fragments.wrapped_source
            env.globals[fragments.GLOBAL] = self._fragments
            self._fragments.start()  # the navigation's objects stand till then
        env.loader = RewritingLoader(env.loader, lambda filename: is_theme_file(filename, "material"), rewrites)

    def template_cache(self, config: MkDocsConfig) -> jinja2.BytecodeCache | None:
        """Compiled theme templates, kept in kbgen's cache folder; None with the build cache off.

        Compiling Material's templates was a fixed third of a second per build; Jinja checks
        each cached template against its source's checksum, so a changed theme recompiles.
        Known before this plugin's ``on_config`` (from its own options): kbgen.mkdocs_build
        gives it to the environments other plugins make in theirs.
        """
        kb = self.kb or self._options(config)
        if not kb.build_cache:
            return None
        folder = Path(kb.cache_dir) / JINJA_CACHE
        if self._template_cache is None or self._template_cache.directory != str(folder):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                return None  # no cache: templates are compiled as before
            self._template_cache = SourceKeyedBytecodeCache(str(folder))
        return self._template_cache

    def _options(self, config: MkDocsConfig) -> KbgenConfig:
        options = {k: v for k, v in self.config.items()}
        base_dir = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        return KbgenConfig.from_mapping(options, base=base_dir)

    def on_pre_build(self, config: MkDocsConfig) -> None:
        self._writes.install()  # until on_post_build: a page that cannot be written is reported, not fatal

    def on_build_error(self, error: Exception) -> None:
        self._writes.remove()
        self._fragments.stop()
        self._translations.stop()
        self._give_back_search_docs()

    @event_priority(-100)  # after other plugins have added or removed files
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.kb is not None
        self._files, self._site_dir = files, config.site_dir
        self.pages_written = 0
        self.build = build = build_vault(self.kb, progress=self.progress, snapshot=self.snapshot)
        release_tokens(build)
        self.has_feed = any(f.dest == FEED_PATH for f in build.files)  # once: every page links to it
        self._sources = {}
        docs_dir = Path(config.docs_dir).resolve()
        for file in list(files):
            if not _inside(file.abs_src_path, docs_dir):
                continue  # theme assets and files other plugins generated
            if file.is_documentation_page():
                if file.src_uri not in build.rendered:
                    files.remove(file)  # unpublished, hidden, or outside the vault: no trace
                else:
                    place(file, build.vault.notes[file.src_uri].url)
            elif file.src_uri not in build.vault.attachments:
                files.remove(file)  # hidden folders and symlinks that leave the vault
            else:
                self._publish_attachment(file)
        # A note or file that appeared between MkDocs's scan and kbgen's (`kbgen serve` while
        # the author saves): publish what kbgen read, so pages and navigation agree.
        for src_uri in [*build.rendered, *build.vault.attachments]:
            if file_at(files, src_uri) is None:
                file = File(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls)
                if src_uri in build.rendered:
                    place(file, build.vault.notes[src_uri].url)
                else:
                    self._publish_attachment(file)
                files.append(file)
        self.pages = {}
        for page in build.pages:
            src_uri = page.src_path
            if file_at(files, src_uri) is not None:  # a note has the generated page's file name
                src_uri = free_src_uri(files, src_uri)
                build.emit_diagnostics.append(Diagnostic(
                    page.src_path, 1, 1, "warning", "url-collision",
                    f"this note has the file name of kbgen's generated page '{page.title}', "
                    f"which is published at /{url_dest(page.url or '')} instead"))
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, src_uri, content="", inclusion=inclusion)
            place(file, page.url or note_url(page.src_path, config.use_directory_urls))
            files.append(file)
            self.pages[src_uri] = page
        # Sections with a complete list (kbgen.nav.folders): the sidebar may cut them and link there.
        generated = {page.src_path: src_uri for src_uri, page in self.pages.items()}
        self._listings = {}
        # An author's nav: is never cut (see on_nav), so no list is added to the notes either.
        for src_path, anchor in (listing_targets(build) if config.nav is None else {}).items():
            file = file_at(files, generated.get(src_path, src_path))
            if file is not None:
                self._listings[file.url] = file.url + anchor
        for site_file in build.files:
            existing = file_at(files, site_file.dest)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, site_file.dest, content=site_file.read_bytes()))
        for css in build.extra_css:
            if css not in config.extra_css:
                config.extra_css.append(css)
        for js in build.extra_javascript:
            if js not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(js)
        return files

    def _publish_attachment(self, file: File) -> None:
        """Copy it where kbgen says (its own path unless it clashed), reporting a failed copy."""
        assert self.build is not None
        site_path = self.build.vault.attachment_site_path(file.src_uri)
        if site_path != file.src_uri:
            place(file, quote(site_path))
        file.copy_file = types.MethodType(_guarded_copy(self._not_written), file)  # type: ignore[method-assign]

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # A nav written in mkdocs.yml is the author's; otherwise kbgen lays it out (kbgen.nav.tree).
        root = self.build.vault.indexes.get(NAV_KEY) if self.build is not None else None
        if config.nav is not None or root is None:
            return nav
        generated = {page.src_path: src_uri for src_uri, page in self.pages.items()}
        return mkdocs_navigation(root, files, config, generated)

    def refresh_page(self, src_uri: str) -> "tuple[QuickChange, list[str]] | None":
        """Take in an edit of a note that the quick path covers (kbgen.quick_note): what changed and
        the src_uris of the pages to template again; None when the full rebuild must do it."""
        if self.build is None:
            return None
        if self._renderer is None:
            self._renderer = NoteRenderer(self.build.config)
        change = refresh_note(self.build, src_uri, self._renderer)
        if change is None:
            return None
        generated = {id(page): uri for uri, page in self.pages.items()}
        uris = change.notes + [generated[id(page)] for page in change.pages if id(page) in generated]
        for uri in uris:
            self._sources.pop(uri, None)
        if self.quick_cache is not None:
            self.quick_cache.took(src_uri, change.rendered)
        return change, uris

    def finish_refresh(self, change: "QuickChange") -> "list[str] | None":
        """Make what :meth:`refresh_page` left for later (QuickChange.later): the src_uris of the further
        pages to template again; None when the full rebuild must do it."""
        known = len(change.pages)
        if not change.finish():
            return None
        generated = {id(page): uri for uri, page in self.pages.items()}
        uris = [generated[id(page)] for page in change.pages[known:] if id(page) in generated]
        for uri in uris:
            self._sources.pop(uri, None)
        return uris

    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        note = self.build.vault.notes.get(page.file.src_uri) if self.build is not None else None
        if note is not None and note.modified is not None:
            page.update_date = note.modified.isoformat()  # the sitemap's lastmod
        source = self._page_source(page.file.src_uri)
        if source is not None:
            page.read_source = types.MethodType(page_reader(source), page)  # type: ignore[method-assign]
            page.render = types.MethodType(page_renderer(source), page)  # type: ignore[method-assign]
        return page

    @event_priority(-1000)  # last: what it returns is what MkDocs writes
    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        self.pages_written += 1
        source = self._sources.get(page.file.src_uri)
        if source is not None and source.deferred:
            page.content = ""  # templated here (one process, kbgen serve): not held until the end
        output = squeeze_whitespace(output)
        output = use_search_worker(output)
        if self.has_feed:
            href = html.escape(relative_url(page.url, FEED_PATH), quote=True)
            feed = f'<link rel="alternate" type="application/atom+xml" title="Atom" href="{href}">'
            output = output.replace("</head>", feed + "</head>", 1)
        if self.progress is not None and self.build is not None:
            self.progress("write", self.pages_written, len(self.build.rendered) + len(self.pages))
        return output

    @event_priority(-1000)
    def on_post_template(self, output: str, template_name: str, config: MkDocsConfig) -> str:
        """The theme's own HTML pages (404.html) squeezed as note pages are: they draw the same sidebar."""
        return squeeze_whitespace(output) if template_name.endswith(".html") else output

    def _not_written(self, file: File, problem: str) -> None:
        self._report_not_written(file.src_uri, file.dest_uri, problem)

    def _report_not_written(self, src: str, dest: str, problem: str) -> None:
        if self.build is not None:
            self.build.emit_diagnostics.append(Diagnostic(
                src, 1, 1, "error", "write", f"cannot write {dest} ({problem}); the rest of the site is written"))

    def _write_failed(self, path: str, error: OSError) -> None:
        """A file MkDocs (or Material) could not write: reported for the note it came from."""
        target = os.path.realpath(path)
        for file in self._files or ():
            if os.path.realpath(file.abs_dest_path) == target:
                self._not_written(file, error.strerror or str(error))
                return
        site = self._site_dir or os.path.dirname(path)
        dest = Path(os.path.relpath(path, site)).as_posix()  # a page of the site itself (sitemap, search index)
        self._report_not_written(dest, dest, error.strerror or str(error))

    @event_priority(100)  # before Material's search plugin writes its index
    def _keep_back_search_docs(self, config: MkDocsConfig) -> None:
        """Let Material write its index without documents: kbgen splits them from the plugin's own list.

        Material's file held the whole site's text as JSON (\\u escapes: 6 bytes a Hangul
        syllable), and reading it back made every document once more: about 150 MB at the
        end of a 10,000-note build, for a file kbgen replaces anyway. Not under MkDocs's
        ``--dirty`` serve, where Material merges the previous index in.
        """
        self._fragments.stop()  # every page is templated; kbgen serve may change titles from here on
        self._translations.stop()
        index = search_index(config)
        material = next((p for p in config.plugins.values() if getattr(p, "search_index", None) is index), None)
        if index is None or material is None or not material.config.enabled or getattr(material, "is_dirty", True) \
                or getattr(material, "search_index_prev", None) is not None:
            return
        self._search_docs = (index, index.entries)
        index.entries = []

    def _give_back_search_docs(self) -> list | None:
        if self._search_docs is None:
            return None
        index, docs = self._search_docs
        index.entries, self._search_docs = docs, None
        return docs

    @event_priority(-100)  # after Material's search plugin has written its index
    def _after_search_index(self, config: MkDocsConfig) -> None:
        self._writes.remove()
        docs = self._give_back_search_docs()
        aliases = {} if self.build is None else {
            note.url: note.aliases for src, note in self.build.vault.notes.items()
            if src in self.build.rendered and note.aliases}
        index = Path(config.site_dir) / "search" / "search_index.json"
        try:
            # Korean-aware separator, word parts, aliases; pieces patched when only some pages changed
            state = Path(self.kb.cache_dir) / SEARCH_STATE if self.kb is not None and self.kb.build_cache else None
            rewrite_search_index(index.parent.parent, aliases, state, docs,
                                 jobs=self.kb.jobs if self.kb is not None else None)
        except OSError as exc:
            self._write_failed(str(index), exc)
        if self.build is None:
            return
        diagnostics = self.build.diagnostics
        if self.on_diagnostics is not None:
            self.on_diagnostics(diagnostics)
            return
        for d in diagnostics:
            (log.error if d.severity == "error" else log.warning)(d.format())

    on_post_build = CombinedEvent(_keep_back_search_docs, _after_search_index)

    def page_key_extra(self, src_uri: str) -> str:
        """What the page's output depends on beyond MkDocs's page content (kbgen.mkdocs_page_keys):
        its dates line, and its body when the Page does not hold it (``PageSource.deferred``)."""
        source = self._page_source(src_uri)
        if source is None:
            return ""
        if source.deferred:
            return f"{source.dates}\0{source.content_digest()}"
        return source.dates

    def _page_source(self, src_uri: str) -> "PageSource | None":
        if src_uri not in self._sources:
            self._sources[src_uri] = self._make_page_source(src_uri)
        return self._sources[src_uri]

    def _make_page_source(self, src_uri: str) -> "PageSource | None":
        if self.build is None:
            return None
        rendered = self.build.rendered.get(src_uri)
        if rendered is not None:
            note = self.build.vault.notes[src_uri]
            # What search sees, and the page with its dates, are made only for a page templated
            # again: most pages of an incremental build are not (seconds at 5,000), and held for
            # every page they were two more copies of the site's HTML in memory. The body itself
            # stays packed in the build (kbgen.packed) and is read where needed, unless a section
            # list goes into it (a few folder notes).
            listed = self._listings and has_section_listing(self.build, src_uri)
            return PageSource(note.body, page_meta(note), rendered.toc, rendered.data,
                               dates_line(note, self.build.config.language), rendered=rendered,
                               listed=with_section_listing(self.build, src_uri, rendered.html) if listed else None,
                               deferred=self._lean and not listed)
        page = self.pages.get(src_uri)
        if page is not None:
            meta = escape_strings({**page.meta, "title": page.title})
            if not page.searchable:
                meta["search"] = {"exclude": True}
            return PageSource("", meta, page.toc, {}, listed=page.html)
        return None

    # Material's search plugin indexes page.content in on_page_context (priority 0):
    # it gets the page as kbgen.search wants it indexed, and the page gets its HTML back.
    @event_priority(100)
    def _content_for_search(self, context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
        source = self._page_source(page.file.src_uri)
        if source is not None:
            page.content = source.search_html()
        return context

    @event_priority(-100)
    def _content_for_page(self, context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
        source = self._page_source(page.file.src_uri)
        if source is not None:
            page.content = source.page_html()
        if self.kb is not None and self.build is not None and config.nav is None:
            # kbgen's navigation, its open sections cut around this page: the HTML must not grow with the vault.
            top, listings = self.sidebar_lists()
            context["nav"] = PageNav(nav, cut_items(nav.items, table(self.kb.language)["folder.more"], top,
                                                    listings, closed_pruned=self._closed_pruned))
        note = self.build.vault.notes.get(page.file.src_uri) if self.build is not None else None
        if note is not None and note.published:
            # Material's partials/tags.html prints these as chips; kbgen's link to its tag pages.
            context["tags"] = [types.SimpleNamespace(name=html.escape(name), url=url, hidden=False)
                               for name, url in tag_links(self.build.vault, note.tags)]
        return context

    on_page_context = CombinedEvent(_content_for_search, _content_for_page)

    def sidebar_lists(self) -> tuple[str | None, dict[str, str]]:
        """Where the sidebar's cut lists are complete: the top list's page, each section's (kbgen.nav.window)."""
        top = self.build.vault.indexes.get(ROOT_LISTING_KEY) if self.build is not None else None
        return top, self._listings


def _guarded_copy(not_written: Callable[[File, str], None]) -> Callable[..., None]:
    """``File.copy_file`` for an attachment: one that vanished or cannot be read is reported, not fatal."""
    def copy_file(self: File, dirty: bool = False) -> None:
        try:
            File.copy_file(self, dirty)
        except OSError as exc:
            not_written(self, exc.strerror or str(exc))

    return copy_file


def _inside(path: str | None, root: Path) -> bool:
    """Whether ``path`` is ``root`` or under it (compared as normalized strings: once per file of the site)."""
    if not path:
        return False
    path, top = os.path.abspath(path), os.path.abspath(root)
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)
