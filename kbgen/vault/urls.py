"""Where every page lives: the one URL function for notes and generated pages.

A URL is the note's path, made readable: spaces and URL-unsafe characters
(``?#%&`` …) become ``-``, letters of every script (Korean too) and case are
kept, and ``.md`` goes. ``ml/Gradient Vanishing 정리.md`` → ``ml/Gradient-Vanishing-정리/``
(``…정리.html`` with ``use_directory_urls: false``). A folder's ``index.md`` or
``README.md`` is the folder's own URL, and so is a folder note
(``folder/folder.md``) when the folder has no index.

Two pages that would share a URL — ``a b.md`` and ``a-b.md``, or names that
differ only in case (case-insensitive file systems) — are told apart
deterministically by a ``-2``, ``-3`` … suffix: a note whose file name needed no
cleaning keeps the plain URL, otherwise the first path in sorted order does.
:class:`UrlMap` hands out URLs and reports who lost; links, embeds, backlinks,
aliases, generated pages, the sitemap and the search index all read the URL
from here (MkDocs is told each page's URL by the adapter).

URLs are returned percent-encoded (as in an ``href``); :func:`url_dest` gives
the file the page is written to.
"""
from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from typing import Callable, Iterable
from urllib.parse import quote, unquote

# \w is Unicode-aware: Hangul, Latin, digits and "_" stay; "." and "-" are safe in a path too.
_UNSAFE = re.compile(r"[^\w.\-]+")
_DASHES = re.compile(r"-{2,}")
INDEX_NAMES = ("index", "readme")
EMPTY_SEGMENT = "page"  # a name made only of punctuation ("???.md")


def url_segment(name: str) -> str:
    """One path segment made URL-safe and readable: ``a b?c`` → ``a-b-c``; NFC (macOS names)."""
    text = unicodedata.normalize("NFC", name)
    text = _DASHES.sub("-", _UNSAFE.sub("-", text)).strip("-")
    text = text.lstrip(".")  # never "." or ".." (a path step) nor a hidden file
    return text or EMPTY_SEGMENT


@functools.lru_cache(maxsize=1 << 16)  # a pure function, asked two or three times per note and build
def clean_path(src_path: str) -> str:
    """``src_path`` without its extension, every segment cleaned: ``a b/c d.md`` → ``a-b/c-d``."""
    stem, _ = posixpath.splitext(src_path)
    return "/".join(url_segment(part) for part in stem.split("/") if part)


@functools.lru_cache(maxsize=1 << 16)  # asked four times per note and build
def is_index_name(src_path: str) -> bool:
    stem = posixpath.splitext(posixpath.basename(src_path))[0]
    return stem.lower() in INDEX_NAMES


def is_folder_note(src_path: str) -> bool:
    """``folder/folder.md``: the note named after its folder (Obsidian's folder-note convention)."""
    folder = posixpath.dirname(src_path)
    stem = posixpath.splitext(posixpath.basename(src_path))[0]
    return bool(folder) and unicodedata.normalize("NFC", stem).casefold() == \
        unicodedata.normalize("NFC", posixpath.basename(folder)).casefold()


def note_url(src_path: str, use_directory_urls: bool = True, *, as_folder: bool | None = None) -> str:
    """The readable URL of the page made from ``src_path`` (before collisions are resolved).

    ``as_folder`` makes the page its folder's own URL; by default only
    ``index.md``/``README.md`` are.
    """
    if as_folder is None:
        as_folder = is_index_name(src_path)
    path = clean_path(src_path)
    if as_folder:
        folder = posixpath.dirname(path)
        if use_directory_urls:
            return _quote(f"{folder}/" if folder else "")
        return _quote(f"{folder}/index.html" if folder else "index.html")
    return _quote(f"{path}/" if use_directory_urls else f"{path}.html")


def url_dest(url: str) -> str:
    """The file (inside the site folder, not encoded) a page with ``url`` is written to."""
    path = unquote(url)
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


def url_key(url: str) -> str:
    """What two URLs share when they would land on the same file (case-insensitive file systems)."""
    return url_dest(url).casefold()


def _quote(path: str) -> str:
    return quote(path, safe="/")


def _with_suffix(url: str, n: int, use_directory_urls: bool) -> str:
    path = unquote(url)
    if path == "" or path.endswith("/index.html"):
        path = path[: -len("index.html")] if path else ""
    if path == "":
        return _quote(f"index-{n}/" if use_directory_urls else f"index-{n}.html")
    if path.endswith("/"):
        return _quote(f"{path[:-1]}-{n}/")
    stem, ext = posixpath.splitext(path)
    return _quote(f"{stem}-{n}{ext}")


# Files the site generator (MkDocs + Material) writes itself: no page may take their place.
SITE_FILES = ("404.html", "sitemap.xml", "sitemap.xml.gz", "search/search_index.json",
              "search/pages.json", "search/worker.js")  # and kbgen's split search index (kbgen.search.shards)


class UrlMap:
    """Hands out the site's URLs, one owner each; the first claim wins, later ones get ``-2``, ``-3``…

    A URL is taken when its file is, and also when a file is where its folder
    would be (or the other way round): the note ``x.txt.md`` wants
    ``x.txt/index.html``, which cannot be written beside the attachment ``x.txt``.
    """

    def __init__(self, use_directory_urls: bool = True) -> None:
        self.use_directory_urls = use_directory_urls
        self.owners: dict[str, str] = {}  # url_key → owner (a src_path or a description)
        self.folders: dict[str, str] = {}  # folder of a claimed file (casefolded) → that file's owner
        for path in SITE_FILES:
            self.reserve_file(f"the site's {path}", path)

    def reserve_file(self, owner: str, path: str) -> str | None:
        """Take the file ``path`` (an attachment, a site file: it cannot move); the owner it clashes with, if any."""
        key = path.casefold()
        clash = self._taken_by(key)
        self._take(key, owner)
        return clash

    def claim(self, owner: str, url: str) -> tuple[str, str | None]:
        """(the URL ``owner`` gets, the owner of ``url`` when it was taken)."""
        return self._claim(owner, url, lambda n: _with_suffix(url, n, self.use_directory_urls))

    def claim_file(self, owner: str, path: str) -> tuple[str, str | None]:
        """(the site path the file ``path`` gets, who had it): ``img.png`` beside ``IMG.png`` gets ``img-2.png``.

        Two files whose names differ only in case would be one file on a case-insensitive
        file system (macOS, Windows): the second to claim moves, whatever the build's disk.
        """
        stem, ext = posixpath.splitext(path)
        url, clash = self._claim(owner, _quote(path), lambda n: _quote(f"{stem}-{n}{ext}"))
        return unquote(url), clash

    def _claim(self, owner: str, url: str, suffixed: Callable[[int], str]) -> tuple[str, str | None]:
        key = url_key(url)
        previous = self._taken_by(key)
        if previous is None:
            self._take(key, owner)
            return url, None
        n = 2
        while True:
            candidate = suffixed(n)
            if self._taken_by(url_key(candidate)) is None:
                self._take(url_key(candidate), owner)
                return candidate, previous
            n += 1

    def try_claim(self, owner: str, url: str) -> str | None:
        """Take ``url`` if it is free; otherwise leave it and return its owner."""
        key = url_key(url)
        previous = self._taken_by(key)
        if previous is None:
            self._take(key, owner)
        return previous

    def owner(self, url: str) -> str | None:
        return self.owners.get(url_key(url))

    def _taken_by(self, key: str) -> str | None:
        if key in self.owners:
            return self.owners[key]
        if key in self.folders:  # a file would replace a folder that holds others
            return self.folders[key]
        for folder in _folders(key):  # a folder would need a name a file has
            if folder in self.owners:
                return self.owners[folder]
        return None

    def _take(self, key: str, owner: str) -> None:
        self.owners.setdefault(key, owner)
        for folder in _folders(key):
            self.folders.setdefault(folder, owner)


def _folders(key: str) -> list[str]:
    """``a/b/c.html`` → ``["a", "a/b"]``."""
    parts = key.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def folder_note_paths(src_paths: Iterable[str]) -> set[str]:
    """The folder notes that become their folder's page: ``f/f.md`` when ``f`` has no index note."""
    paths = list(src_paths)
    indexed = {posixpath.dirname(p) for p in paths if is_index_name(p)}
    return {p for p in paths if is_folder_note(p) and posixpath.dirname(p) not in indexed}


def assign_note_urls(src_paths: Iterable[str], urls: UrlMap) -> dict[str, tuple[str, str | None]]:
    """Every note's URL: {src_path: (url, the note it collided with or None)}, deterministic.

    Index notes and folder notes claim first (a folder's own page), then notes
    whose file name needed no cleaning, then the rest; ties in sorted path order.
    """
    paths = list(src_paths)
    folder_notes = folder_note_paths(paths)

    def wanted(path: str) -> str:
        return note_url(path, urls.use_directory_urls, as_folder=path in folder_notes or is_index_name(path))

    def order(path: str) -> tuple:
        as_folder = path in folder_notes or is_index_name(path)
        readable = clean_path(path) == posixpath.splitext(path)[0]
        return (not is_index_name(path), not as_folder, not readable, path.casefold(), path)

    result: dict[str, tuple[str, str | None]] = {}
    for path in sorted(paths, key=order):
        if path in folder_notes and urls.try_claim(path, wanted(path)) is None:
            result[path] = (wanted(path), None)
            continue
        # A folder note whose folder URL is taken keeps its own name instead.
        result[path] = urls.claim(path, note_url(path, urls.use_directory_urls))
    return result


@functools.lru_cache(maxsize=4096)
def _segments(url: str) -> tuple[str, ...]:
    return tuple(part for part in posixpath.normpath("/" + url).split("/") if part)


def relative_url(from_url: str, to_url: str) -> str:
    """An href from the page at ``from_url`` to ``to_url`` (both site-relative)."""
    from_dir = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    # posixpath.relpath, on two paths already absolute and normal (it was a fifth of the
    # emitters' time: every backlink, tag and folder list makes one per entry).
    base = _segments(from_dir)
    target = _segments(to_url) if to_url else ()
    common, most = 0, min(len(base), len(target))
    while common < most and base[common] == target[common]:
        common += 1
    rel = "/".join([".."] * (len(base) - common) + list(target[common:])) or "."
    if (to_url == "" or to_url.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    if rel == "./":
        return "./"
    return rel
