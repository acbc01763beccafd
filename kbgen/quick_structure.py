"""Notes added, deleted or renamed, and a note's other names (aliases, id) changed: ``kbgen serve``'s quick path.

kbgen.quick_note takes an edit that keeps the set of notes and every name other
notes link to a note by. Here the set of names changes, so the link index does:

- the notes whose links may now lead elsewhere, break or resolve are those
  whose text names an old or new name of a changed note (its file name, title,
  aliases, id — the link index resolves nothing else), plus the notes that
  linked to or embedded it; they are parsed, linked and rendered again, with
  the notes that embed them (:func:`refresh_structure`);
- the link index's name tables, anchors, backlinks and embeds lose the old
  notes and learn the new ones; the tag index is made again from every note's
  tags as written; URLs are handed out as a cold build would;
- pages are put together as the emitters would (kbgen.quick_pages): the changed
  notes, the backlinks asides of what they link to before and after, the graph
  data; the pages that list notes (home, tag pages and the tags index, folder
  pages and section lists, the "all notes" page, navigation, feed, Quizzes and
  review) are made again; alias redirect files are added and removed.

The adapter (kbgen.mkdocs_quick with kbgen.mkdocs_structure) adds and removes
MkDocs's files and pages, templates what changed and deletes the files of pages
and aliases that went.

What this does not redo in place returns None, and the full incremental rebuild
runs (nothing was written): a draft or unpublished note on either side; an
index, README or folder note; a folder that appears or goes (folder pages and
sections); a URL that any note, generated page, alias or attachment already
holds, or a URL collision anywhere in the last build; a tag page or a part of a
list that appears or goes; formulas or diagrams appearing or leaving the site;
more than :data:`~kbgen.quick_note.MAX_RENDERED` notes to render again (a name
that many notes' text holds). No MkDocs here.
"""
from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .emit import SiteFile
from .emit.aliases import _taken_urls, _url_key, alias_url, redirect_html, with_alias_list
from .markdown.blockrefs import ENV_KEY as BLOCKS_KEY
from .markdown.link_targets import INDEX_KEY
from .markdown.linkpass import link_note
from .markdown.renderer import NoteRenderer, RenderedNote
from .nav.folders import ancestor_folders
from .markdown.tags import ENV_KEY as TAGS_KEY
from .markdown.tags import INDEX_KEY as TAG_INDEX_KEY
from .messages import message
from .quick_meta import FIXED_FIELDS, _home_again, mentions, _navigation_again, _SameUrls, _tags_index_again, replace_pages, \
    same_tag_pages
from .quick_note import MAX_RENDERED, _embedders, _parse_again
from .quick_pages import QuickChange, _site_wide, changed_pages, feed_later, has_cards, study_pages_again
from .tags import pages as tag_pages
from .tags.model import build_tag_index
from .vault.dates import assign_dates
from .vault.excalidraw import publish_drawings
from .vault.index import link_key, strip_note_suffix, _suffixes
from .vault.load import load_note
from .vault.note import Note
from .vault.urls import is_folder_note, is_index_name, note_url, url_key
from .vault_build import VaultBuild

COLLISIONS = ("url-collision", "alias-collision")


@dataclass
class StructureChange(QuickChange):
    """A quick refresh that changed the set of notes or their names."""

    removed: list[str] = field(default_factory=list)  # notes whose page goes (a renamed note's old path)
    added: list[str] = field(default_factory=list)  # notes with a new page, in vault order
    files_added: list[SiteFile] = field(default_factory=list)  # alias redirects that appear
    files_removed: list[str] = field(default_factory=list)  # site paths of alias redirects that go


def is_structural(build: VaultBuild, src_paths: Iterable[str]) -> bool:
    """Whether these changed files add or remove a note, or change a name other notes link to it by."""
    vault = build.vault
    for src_path in src_paths:
        old = vault.notes.get(src_path)
        path = Path(vault.root) / src_path
        if old is None or not path.is_file():
            if old is not None or path.is_file():
                return True
            continue
        note = load_note(path, Path(vault.root), build.config)
        if any(getattr(note, f) != getattr(old, f) for f in FIXED_FIELDS):
            return True
    return False


def refresh_structure(build: VaultBuild, src_paths: Iterable[str], renderer: NoteRenderer) -> StructureChange | None:
    """Take in these notes as they are now on disk (added, deleted, edited); see the module.

    On None ``build`` may be half updated: the caller builds afresh.
    """
    vault = build.vault
    index = vault.indexes.get(INDEX_KEY)
    root = Path(vault.root)
    paths = sorted(set(src_paths))
    if index is None or not build.config.links or getattr(build.config, "exclude", None):
        return None
    if any(p.startswith(".") or "/." in p or (root / p).is_symlink() for p in paths):
        return None
    old = {p: vault.notes[p] for p in paths if p in vault.notes}
    new = {p: load_note(root / p, root, build.config) for p in paths if (root / p).is_file()}
    if not _may_take(build, old, new):
        return None
    site_wide = _site_wide(build)
    seeds = _linkers(build, index, old, new)  # notes to link and render again (new ones aside)
    if seeds is None:
        return None
    old_targets = _targets_of(index, set(old) | seeds)
    old_embeds = {p for p in set(old) | seeds if p in index.embedders or any(p in s for s in index.embedders.values())}
    studied = any(has_cards(build.rendered[p]) for p in old if p in build.rendered)
    for p in old:
        _forget_note(build, index, p)
        build.rendered.pop(p, None)
        build.body_lengths.pop(p, None)
    for note in new.values():
        publish_drawings([note], vault.attachments, build.config.language)
        vault.notes[note.src_path] = note
    _in_walk_order(vault.notes)
    if not _urls_again(build, old, new):
        return None
    assign_dates(root, list(new.values()))
    for note in new.values():
        index.add_note(note)
    items = {p: renderer.parse(note, vault) for p, note in new.items()}
    for p, item in items.items():
        index.add_anchors(p, item.headings, item.env.get(BLOCKS_KEY, {}))
    for p, item in items.items():
        link_note(index, item)
        replace = getattr(index.parsed, "replace", None)
        if replace is not None:
            replace(p, item)
    written = {p: list(note.tags) + list(items[p].env.get(TAGS_KEY, [])) for p, note in new.items()}
    old_tags = _tags_again(build, set(old), written)
    if old_tags is None:
        return None
    again = _embedders(index, seeds | set(new))
    again = [p for p in vault.notes if p in again and p in build.rendered and p not in new]
    if len(again) + len(new) > MAX_RENDERED:
        return None
    # Every parse linked again before any render: a page embeds others' parses (b embeds c, c's link changed).
    items.update((p, _parse_again(renderer, build, p)) for p in again)
    fresh: dict[str, RenderedNote] = {p: renderer.render(item) for p, item in items.items()}
    for p, page in fresh.items():
        if p in new:  # what _page_again takes apart: the body and the alias line the emitters add
            note = new[p]
            shown = with_alias_list(page.html, note.aliases, message("aliases.label", build.config.language)) \
                if note.aliases else page.html
            build.rendered[p] = dataclasses.replace(page, html=shown)
            build.body_lengths[p] = len(page.html)
    _in_vault_order(build)
    if _site_wide(build) != site_wide:
        return None
    targets = (old_targets | _targets_of(index, set(new) | seeds)) - set(old)
    base = changed_pages(build, fresh, targets, True)
    if base is None:  # its steps left for later stay so (QuickChange.later): the note pages are shown first
        return None
    change = StructureChange(**{f.name: getattr(base, f.name) for f in dataclasses.fields(QuickChange)})
    change.rendered = {p: (items[p], fresh[p]) for p in fresh}
    change.removed = [p for p in old if p not in new]
    change.added = [p for p in vault.notes if p in new and p not in old]
    change.notes = [p for p in vault.notes if p in build.rendered and (p in change.notes or p in new)]
    studied = studied or any(has_cards(build.rendered[p]) for p in new if p in build.rendered)
    if not _listings_again(build, old, new, old_tags, studied, change):
        return None
    new_embeds = {p for p in set(new) | seeds if p in index.embedders or any(p in s for s in index.embedders.values())}
    change.complete = change.complete and not old_embeds and not new_embeds and not any(
        d.code in ("internal", "write") for d in build.emit_diagnostics)
    return change


def _may_take(build: VaultBuild, old: dict[str, Note], new: dict[str, Note]) -> bool:
    """The preconditions of the module docstring that need no change made yet."""
    if not old and not new:
        return False
    if any(not n.published for n in [*old.values(), *new.values()]):
        return False
    if any(is_index_name(p) or is_folder_note(p) for p in [*old, *new]):
        return False
    vault = build.vault
    if any(d.code in COLLISIONS for d in [*vault.diagnostics, *build.emit_diagnostics]) or any(
            d.code in COLLISIONS for n in vault.notes.values() for d in n.diagnostics):
        return False
    before = ancestor_folders(p for p, n in vault.notes.items() if n.published)
    after = ancestor_folders([*(p for p, n in vault.notes.items() if n.published and p not in old), *new])
    return before == after


def _names(note: Note) -> set[str]:
    """What a link to the note may say, as the text search below compares it (NFC, case-folded; a link's
    destination also decoded, kbgen.quick_meta.mentions). The link index resolves a note by nothing else:
    the suffixes of its path (each holds the file name), its id, aliases and title."""
    stem = posixpath.basename(strip_note_suffix(note.src_path))
    names = {stem, note.title, *note.aliases}
    if note.id:
        names.add(note.id)
    return {link_key(n) for n in names if n and n.strip()}


def _linkers(build: VaultBuild, index: Any, old: dict[str, Note], new: dict[str, Note]) -> set[str] | None:
    """The published notes (not among the changed ones) whose links may resolve differently now."""
    names: set[str] = set()
    for note in [*old.values(), *new.values()]:
        names |= _names(note)
    found: set[str] = set()
    for p in old:
        found |= set(index.backlinks.get(p, {})) | index.embedders.get(p, set())
    for p, note in build.vault.notes.items():
        if p in old or p in new or p in found or p not in build.rendered:
            continue
        if mentions(note.source, names):
            found.add(p)
            if len(found) > MAX_RENDERED:
                return None
    found -= set(old) | set(new)
    return {p for p in found if p in build.rendered}


def _targets_of(index: Any, sources: set[str]) -> set[str]:
    """The notes whose backlinks show one of ``sources``."""
    return {target for target, linking in index.backlinks.items() if not sources.isdisjoint(linking)}


def _forget_note(build: VaultBuild, index: Any, src_path: str) -> None:
    """Take a note out of the vault and the link index (its names, anchors, links and backlinks)."""
    note = build.vault.notes.pop(src_path)
    index.notes.pop(src_path, None)
    key = index._path_key.pop(src_path, link_key(strip_note_suffix(src_path)))
    tables = [(index._by_suffix, s) for s in _suffixes(key)]
    if note.id:
        tables.append((index._by_id, link_key(note.id)))
    tables += [(index._by_alias, link_key(a)) for a in note.aliases]
    if note.title:
        tables.append((index._by_title, link_key(note.title)))
    for table, name in tables:
        paths = table.get(name, [])
        if src_path in paths:
            paths.remove(src_path)
        if not paths:
            table.pop(name, None)
    for mapping in (index.headings, index._heading_keys, index.blocks, index.backlinks, index.embedders):
        mapping.pop(src_path, None)
    index.forget_links_of(src_path)
    parsed = index.parsed
    for attr in ("_late", "restored"):
        kept = getattr(parsed, attr, None)
        if isinstance(kept, dict):
            kept.pop(src_path, None)
    if isinstance(parsed, dict):
        dict.pop(parsed, src_path, None)


def _walk_key(src_path: str) -> tuple:
    """Where kbgen.vault.load.walk_vault lists a note: folders sorted, a folder's files before its subfolders."""
    parts = src_path.split("/")
    return tuple((1, part) for part in parts[:-1]) + ((0, parts[-1]),)


def _in_walk_order(notes: dict[str, Note]) -> None:
    items = sorted(notes.items(), key=lambda item: _walk_key(item[0]))
    notes.clear()
    notes.update(items)


def _in_vault_order(build: VaultBuild) -> None:
    rendered = build.rendered
    items = [(p, rendered[p]) for p in build.vault.notes if p in rendered]
    rendered.clear()
    rendered.update(items)


def _urls_again(build: VaultBuild, old: dict[str, Note], new: dict[str, Note]) -> bool:
    """The new notes' URLs as a cold build hands them out; False when any page's would differ.

    With no collision anywhere (checked before), a note that is not an index or folder note gets the URL
    its path asks for unless something holds it: then a cold build would move one of the two.
    """
    vault = build.vault
    for note in old.values():
        vault.urls.owners.pop(url_key(note.url), None)
    taken = _taken_urls(build)  # alias redirects and generated files too
    for p, note in new.items():
        note.url = note_url(p, vault.urls.use_directory_urls)
        key = url_key(note.url)
        if vault.urls._taken_by(key) is not None or _url_key(note.url) in taken:
            return False
        vault.urls._take(key, p)
    return True


def _tags_again(build: VaultBuild, old: set[str], written: dict[str, list[str]]) -> set[str] | None:
    """The tag index with the changed notes' tags: the old notes' tags as written; None when a tag page
    would appear, go or move."""
    tags = build.vault.indexes.get(TAG_INDEX_KEY)
    if tags is None:
        return None if any(written.values()) else set()
    if set(written) == old and all(tags.written.get(p, []) == names for p, names in written.items()):
        for p, names in written.items():  # the same tags as written (an alias or id changed)
            build.vault.notes[p].tags = [tag.name for tag in tags.of_note(names)]
        return set()
    note_tags = {p: (written[p] if p in written else tags.written.get(p, []))
                 for p in build.vault.notes if p in written or p in tags.written}
    index = build_tag_index(note_tags, _SameUrls(build.config.use_directory_urls))  # type: ignore[arg-type]
    if index.tags.keys() != tags.tags.keys() or index.index_url != tags.index_url or any(
            tag.url != tags.tags[key].url for key, tag in index.tags.items()):
        return None
    index.written = note_tags
    build.vault.indexes[TAG_INDEX_KEY] = index
    for p, names in note_tags.items():
        build.vault.notes[p].tags = [tag.name for tag in index.of_note(names)]
    return {name for p in old for name in tags.written.get(p, [])}


def _listings_again(build: VaultBuild, old: dict[str, Note], new: dict[str, Note], old_tags: set[str],
                    studied: bool, change: StructureChange) -> bool:
    """Every generated page and file that lists notes, made again; alias redirects added and removed."""
    before = {id(page): (page.html, page.toc) for page in build.pages}
    pages = {page.src_path: page for page in build.pages}
    # What can neither appear nor go is made once the note pages are shown (QuickChange.later).
    change.later["home"] = lambda: _home_again(build, pages, change)
    change.later["tags index"] = lambda: _tags_index_again(build, pages, change)
    feed_later(build, change)
    index = build.vault.indexes.get(TAG_INDEX_KEY)
    if index is not None and index.tags:
        listed = {p for p in new if p in build.rendered}
        if not same_tag_pages(pages, tag_pages.sources_listing(build, listed, old_tags)):
            return False  # a part of a tag's list would appear or go
        change.later["tag pages"] = lambda: replace_pages(change, pages,
                                                          tag_pages.pages_listing(build, listed, old_tags))
    if not _navigation_again(build, change):
        return False
    if studied and not study_pages_again(build, change):
        return False
    if not _aliases_again(build, old, new, change):
        return False
    listed_ids = {id(page) for page in change.pages}
    change.pages.extend(page for page in build.pages
                        if id(page) not in listed_ids and before.get(id(page)) != (page.html, page.toc))
    change.navigation = True
    return True


def _aliases_again(build: VaultBuild, old: dict[str, Note], new: dict[str, Note], change: StructureChange) -> bool:
    """Redirect files of the changed notes' aliases: the old ones go, the new ones come (kbgen.emit.aliases)."""
    directory_urls = build.config.use_directory_urls
    gone = {_alias_dest(alias_url(a, directory_urls)) for n in old.values() for a in n.aliases
            if _url_key(alias_url(a, directory_urls)) != _url_key(n.url)}
    build.files[:] = [f for f in build.files if f.dest not in gone]
    taken = _taken_urls(build)
    for note in new.values():
        for alias in note.aliases:
            url = alias_url(alias, directory_urls)
            key = _url_key(url)
            if key == _url_key(note.url):
                continue
            if key in taken:
                return False  # an alias-collision a cold build reports
            taken[key] = alias
            file = SiteFile(_alias_dest(url), content=redirect_html(alias, note, url))
            build.files.append(file)
            change.files_added.append(file)
    change.files_removed = sorted(gone - {f.dest for f in change.files_added})
    return True


def _alias_dest(url: str) -> str:
    from urllib.parse import unquote

    return unquote(url) + "index.html" if url.endswith("/") else unquote(url)
