"""Aliases as addresses: a redirect page per alias, and the aliases shown on the note.

``aliases: [Vanishing Gradient]`` on ``ml/vg.md`` gives
``vanishing-gradient/index.html``, which forwards to the note (meta refresh,
canonical link, and a visible link for when refresh is off). An alias never
replaces a note's page, a generated page, a vault file or an earlier alias;
such a collision is reported as ``alias-collision`` and skipped.

The aliases are also listed under the note's title (the message aliases.label) so that the
site search finds a note by any of its names.
"""
from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..diagnostics import Diagnostic
from ..messages import message
from ..markdown.headings import slugify
from ..vault.note import Note
from ..vault.urls import note_url, relative_url
from . import SiteFile
from .page_values import page_value_of

if TYPE_CHECKING:
    from ..markdown.renderer import RenderedNote
    from ..vault_build import VaultBuild

_LEADING_H1 = re.compile(r"^\s*<h1\b[^>]*>.*?</h1>\s*", re.S)
_SPACE = re.compile(r"\s*")
_H1_OPENS = re.compile(r"\s*<h1\b")
# How much of a packed body is decompressed to find where its alias line goes (its title).
HEAD_BYTES = 4096


def emit(build: "VaultBuild") -> None:
    if not build.config.links:
        return
    directory_urls = build.config.use_directory_urls
    taken = _taken_urls(build)
    label = message("aliases.label", build.config.language)
    for src_path in sorted(build.rendered):
        note = build.vault.notes[src_path]
        if not note.published or not note.aliases:
            continue
        # Kept between builds with the page's digest (kbgen.emit.page_values): most notes of a vault
        # have aliases, and working all this out again for each was a thirtieth of a second per build
        # after one edit at 1,000 notes. Everything it depends on is the page or the salt.
        redirects, place = page_value_of(build, "aliases", src_path,
                                         lambda page: _redirects_and_place(note, page, directory_urls),
                                         repr((note.aliases, note.url, note.title)))
        for alias, key, where, dest, content in redirects:
            if key in taken:
                build.emit_diagnostics.append(Diagnostic(
                    src_path, *_alias_position(note, alias), "warning", "alias-collision",
                    f"alias '{alias}' would live at /{where}, which {taken[key]} already uses; "
                    "no redirect page was written"))
                continue
            taken[key] = f"the alias '{alias}' of {src_path}"
            build.files.append(SiteFile(dest, content=content))
        rendered = build.rendered[src_path]
        if place is None or not rendered.insert_at(*place, alias_line(note.aliases, label)):
            rendered.html = with_alias_list(rendered.html, note.aliases, label)


# (alias, its URL's key, the URL as shown, the redirect page's path, its HTML)
Redirect = tuple[str, str, str, str, str]


def _redirects_and_place(note: Note, rendered: "RenderedNote",
                         directory_urls: bool) -> tuple[tuple[Redirect, ...], tuple[int, int] | None]:
    """The note's redirect pages (but for an alias that already is its address), and where its alias line goes."""
    own = _url_key(note.url)
    redirects = []
    for alias in note.aliases:
        url = alias_url(alias, directory_urls)
        key = _url_key(url)
        if key == own:
            continue  # the alias already is the note's address
        where = unquote(url)
        dest = where + "index.html" if url.endswith("/") else where
        redirects.append((alias, key, where, dest, redirect_html(alias, note, url)))
    return tuple(redirects), _alias_place(rendered)


def alias_line(aliases: list[str], label: str) -> str:
    """The "별칭: a, b" paragraph :func:`with_alias_list` inserts."""
    names = ", ".join(f'<span class="kb-alias">{html.escape(a)}</span>' for a in aliases)
    return f'<p class="kb-aliases">{html.escape(label)}: {names}</p>\n'


def alias_url(alias: str, use_directory_urls: bool = True) -> str:
    """Where an alias's redirect page lives: ``Vanishing Gradient`` → ``vanishing-gradient/``."""
    return note_url(slugify(alias) + ".md", use_directory_urls)


def redirect_html(alias: str, note: Note, url: str) -> str:
    href = html.escape(relative_url(url, note.url), quote=True)
    title = html.escape(note.title)
    return (
        "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{title}</title>\n"
        f"<link rel=\"canonical\" href=\"{href}\">\n"
        f"<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n</head>\n<body>\n"
        f"<p>{html.escape(alias)} → <a href=\"{href}\">{title}</a></p>\n</body>\n</html>\n"
    )


def with_alias_list(page_html: str, aliases: list[str], label: str) -> str:
    """The page body with "별칭: a, b" after its leading ``<h1>`` (or at the top)."""
    line = alias_line(aliases, label)
    match = _LEADING_H1.match(page_html)
    at = match.end() if match else 0
    return page_html[:at] + line + page_html[at:]


def _insert_alias_line(rendered: "RenderedNote", line: str) -> bool:
    """:func:`with_alias_list` on a page whose body stays packed; False when it cannot (see :func:`_alias_place`)."""
    place = _alias_place(rendered)
    return place is not None and rendered.insert_at(*place, line)


def _alias_place(rendered: "RenderedNote") -> tuple[int, int] | None:
    """Where :func:`with_alias_list` puts the alias line (character, byte of the body's UTF-8), told from
    the body's start alone.

    Most notes have aliases, and unpacking, editing and packing every body again was a
    sixth of a build after one edit at 5,000 notes. None when the start cannot tell
    (a title longer than the start, a body of white space): then the whole page is read.
    """
    head, whole = rendered.body_head(HEAD_BYTES)
    whole = whole and not rendered.html_length > len(head)  # nothing appended the match could reach into
    match = _LEADING_H1.match(head)
    if match is not None:
        if match.end() >= len(head) and not whole:
            return None  # the white space after the title may go on past the start
        at = match.end()
    elif whole or (len(head) - _SPACE.match(head).end() >= 4 and not _H1_OPENS.match(head)):
        at = 0  # the start already shows the body opens with something else than <h1
    else:
        return None
    return at, len(head[:at].encode("utf-8", "surrogatepass"))


def _taken_urls(build: "VaultBuild") -> dict[str, str]:
    """Every address a real page or file already has, case-folded (case-insensitive file systems)."""
    directory_urls = build.config.use_directory_urls
    taken: dict[str, str] = {}
    for src_path in build.rendered:
        taken[_url_key(build.vault.notes[src_path].url)] = src_path
    for page in build.pages:
        taken[_url_key(page.url or note_url(page.src_path, directory_urls))] = f"the page {page.src_path}"
    attachments = [build.vault.attachment_site_path(path) for path in build.vault.attachments]
    for path in attachments + [f.dest for f in build.files]:
        taken[_url_key(path)] = path
        if path.endswith("/index.html") or path == "index.html":
            taken[_url_key(path[: -len("index.html")])] = path
    return taken


def _url_key(url: str) -> str:
    return unquote(url).strip("/").casefold()


def _alias_position(note: Note, alias: str) -> tuple[int, int]:
    """Line and column (1-based) where the front matter names the alias, for the diagnostic.

    The search starts at the ``aliases:`` key: the alias text often appears in
    the title or tags above it too.
    """
    lines = note.source.split("\n")[: note.body_offset]
    start = next((i for i, line in enumerate(lines) if re.match(r"alias(es)?\s*:", line)), 0)
    for number, line in enumerate(lines[start:], start + 1):
        if alias in line:
            return number, line.index(alias) + 1
    return start + 1, 1
