"""The pages of a quick refresh (kbgen.quick_note) put together as the emitters would, and what else changed.

A note page is its rendered body, then what the emitters add: the backlinks
aside, the local graph slot, and the alias line after its title. Those parts
are made here with the emitters' own functions, for the notes rendered again
and for the notes whose backlinks show the edited one; generated pages that
gather what notes say (tag pages, the feed, the Quizzes and review pages, the
graph data) are made again when what they take from a changed page changed.
Each changed object is replaced in the build, so the build stays what a full
build of the vault as it is now holds. No MkDocs here.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable

from .emit import SiteFile, SitePage
from .emit.aliases import alias_line, with_alias_list
from .emit.backlinks import aside_of
from .emit.feed import FEED_PATH, feed_xml
from .emit.graph import DATA_PATH, graph_data, graph_json, graph_page_url, linked_notes, note_slot
from .markdown.mermaid import DATA_KEY as MERMAID_KEY
from .markdown.renderer import ParsedNote, RenderedNote
from .messages import message
from .study import quizzes_page as quizzes
from .study import review_page as review
from .study.bank import BANK_DIR
from .study.fsrs_assets import SCRIPT as FSRS_SCRIPT
from .study.note_count import review_url
from .tags.pages import opening_sentence, pages_listing, sources_listing
from .vault_build import VaultBuild


@dataclass
class QuickChange:
    """What a quick refresh changed: the objects in the build, ready to be written."""

    notes: list[str] = field(default_factory=list)  # notes whose page HTML changed, in vault order
    pages: list[SitePage] = field(default_factory=list)  # generated pages whose HTML changed
    files: list[SiteFile] = field(default_factory=list)  # site files whose content changed
    # Everything a full build would change is in the build now, problems reported included, the search
    # index aside. False when a problem only the whole link pass finds (an embed cycle) may have changed.
    complete: bool = True
    # A title, tags, dates or front matter changed (kbgen.quick_meta): the navigation is laid out again,
    # and the adapter templates the pages whose view of it (sidebar, breadcrumbs, previous/next) changed.
    navigation: bool = False
    # Generated pages and files to make again once the changed note pages are written (kbgen serve shows
    # those first): listings that cannot appear or go on this edit (home, feed, graph data, the tags
    # index, alias redirects, Quizzes and review with as many cards as before). By name: a refresh of
    # several notes makes each once. Each adds to ``pages``/``files``; False: it cannot be done here.
    later: dict[str, Callable[[], bool]] = field(default_factory=dict)
    # The notes rendered again: their parse and page body before the emitters (kbgen.quick_cache).
    rendered: dict[str, tuple[ParsedNote, RenderedNote]] = field(default_factory=dict)

    def finish(self) -> bool:
        """Run the steps left for later; False when one could not be done here (the full rebuild must)."""
        steps, self.later = self.later, {}
        return all(step() for step in steps.values())


def changed_pages(build: VaultBuild, fresh: dict[str, RenderedNote], targets: set[str],
                  links_changed: bool) -> QuickChange | None:
    """Put the pages of ``fresh`` notes and of ``targets`` together again; None when that cannot be done here.

    ``fresh``: notes rendered again (page bodies, before emitters). ``targets``:
    notes whose backlinks aside may show the edited note. ``links_changed``: the
    set of notes it links to changed (graph data and slots).
    """
    change = QuickChange()
    graph_url = graph_page_url(build)
    linked: set[str] | None = None
    data_file = file_of(build, DATA_PATH)
    if links_changed and data_file is not None:
        data = graph_data(build, build.config.graph_groups)
        linked = set(linked_notes(build, data))
        replace_file(change, data_file, graph_json(data))
    assets = _site_wide(build)
    before: dict[str, RenderedNote] = {}
    for src_path in [p for p in build.vault.notes if p in build.rendered and (p in fresh or p in targets)]:
        page = _page_again(build, src_path, fresh.get(src_path), graph_url, linked)
        if page is None:
            return None
        if page.html != build.rendered[src_path].html:
            before[src_path] = build.rendered[src_path]
            change.notes.append(src_path)
        build.rendered[src_path] = page
    if _site_wide(build) != assets:
        return None
    if any((old.data.get("math") or {}).get("browser") for old in before.values()):
        change.complete = False  # formulas left to the browser are counted vault-wide (a warning)
    return change if _generated_again(build, before, change) else None


def _site_wide(build: VaultBuild) -> tuple[bool, ...]:
    """What decides assets every page loads: whether any page has math (typeset, or left to the
    browser) or a diagram. The first formula or the last one gone changes every page's head."""
    data = [r.data for r in build.rendered.values()]
    return (any(d.get("math") for d in data), any((d.get("math") or {}).get("browser") for d in data),
            any(d.get(MERMAID_KEY) for d in data))


def _page_again(build: VaultBuild, src_path: str, fresh: RenderedNote | None, graph_url: str | None,
                linked: set[str] | None) -> RenderedNote | None:
    """The note's page: its (new) body, backlinks aside, graph slot and alias line, as the emitters make them."""
    note = build.vault.notes[src_path]
    old = build.rendered[src_path]
    parts = _body_and_suffix(build, src_path, old.html)
    if parts is None:
        return None
    body, suffix = parts
    if fresh is not None:
        body = fresh.html
    slot = note_slot(build, src_path, graph_url) if graph_url is not None else ""
    if slot and not (src_path in linked if linked is not None else suffix.endswith(slot)):
        slot = ""
    page_html = body + aside_of(build, src_path) + slot
    if note.aliases and build.config.links:
        page_html = with_alias_list(page_html, note.aliases, message("aliases.label", build.config.language))
    build.body_lengths[src_path] = len(body)
    return dataclasses.replace(fresh or old, html=page_html)


def _body_and_suffix(build: VaultBuild, src_path: str, page_html: str) -> tuple[str, str] | None:
    """The page's rendered body and what the emitters appended to it, alias line taken out."""
    body_length = build.body_lengths.get(src_path)
    if body_length is None:
        return None
    note = build.vault.notes[src_path]
    if note.aliases and build.config.links:
        line = alias_line(note.aliases, message("aliases.label", build.config.language))
        at = page_html.find(line)
        if at < 0 or at > body_length:
            return None
        page_html = page_html[:at] + page_html[at + len(line):]
    if len(page_html) < body_length:
        return None
    return page_html[:body_length], page_html[body_length:]


def _generated_again(build: VaultBuild, before: dict[str, RenderedNote], change: QuickChange) -> bool:
    """Make the generated pages and files that show changed pages again; False when one appears or goes."""
    pages = {page.src_path: page for page in build.pages}
    summarized = {p for p, old in before.items() if not build.vault.notes[p].description
                  and opening_sentence(old.html) != opening_sentence(build.rendered[p].html)}
    if summarized:  # the line tag pages and the feed show for a note
        if any(src not in pages for src in sources_listing(build, summarized)):
            return False  # a tag's list gained a page

        def tag_pages_again() -> bool:
            for page in pages_listing(build, summarized):
                replace_page(change, pages[page.src_path], page)
            return True

        change.later["tag pages, summaries " + " ".join(sorted(summarized))] = tag_pages_again
        feed_later(build, change)
    studied = [p for p, old in before.items() if has_cards(old) or has_cards(build.rendered[p])]
    if studied and same_cards(before, build):
        change.later["study"] = lambda: study_pages_again(build, change)
        return True
    return study_pages_again(build, change) if studied else True


def feed_later(build: VaultBuild, change: QuickChange) -> None:
    def feed_again() -> bool:
        feed = file_of(build, FEED_PATH)
        if feed is not None:
            replace_file(change, feed, feed_xml(build) or "")
        return True

    change.later["feed"] = feed_again


def same_cards(before: dict[str, RenderedNote], build: VaultBuild) -> bool:
    """Whether the notes of ``before`` have as many quizzes and cards as they had: the Quizzes and review
    pages, their parts and their script files then neither appear nor go (kbgen.study.bank counts)."""
    def counts(rendered: RenderedNote) -> tuple[int, int]:
        return len(rendered.data.get("quizzes") or ()), len(rendered.data.get("cards") or ())

    return all(counts(old) == counts(build.rendered[p]) for p, old in before.items())


def study_pages_again(build: VaultBuild, change: QuickChange) -> bool:
    """Make the Quizzes and review pages again; False when one appears or goes."""
    if not build.config.quizzes_page:
        return True
    pages = {page.src_path: page for page in build.pages}
    old_quizzes = pages.get(quizzes.PAGE_SRC)
    made = quizzes.quizzes_pages(build, old_quizzes.url if old_quizzes is not None else "")
    if (old_quizzes is None) != (made is None):
        return False
    if made is not None and not _replace_all(build, change, pages, made.pages, made.files, quizzes.BANK):
        return False
    url = review_url(build.vault, build.config.use_directory_urls)
    deck = review.collect(build, url)
    old_review = pages.get(review.REVIEW_SRC)
    if (old_review is None) != (not deck.cards):
        return False
    if deck.cards:
        script = FSRS_SCRIPT if file_of(build, FSRS_SCRIPT) is not None else None
        page, files = review.review_page(build, url, deck, script)
        return _replace_all(build, change, pages, [page], files, review.BANK)
    return True


def _replace_all(build: VaultBuild, change: QuickChange, pages: dict[str, SitePage], new_pages: list[SitePage],
                 new_files: list[SiteFile], bank: str) -> bool:
    """Replace pages and bank files made again; False when one is new or gone (a listing got longer or
    shorter, a bank a chunk more or less)."""
    files = {f.dest: f for f in build.files}
    prefix = f"{BANK_DIR}/{bank}-"
    if {f.dest for f in new_files} != {dest for dest in files if dest.startswith(prefix)}:
        return False
    parts = {p.src_path for p in new_pages}
    if not parts <= set(pages) or any(p.meta.get("kb_parts") == new_pages[0].src_path and p.src_path not in parts
                                      for p in pages.values()):
        return False
    for page in new_pages:
        replace_page(change, pages[page.src_path], page)
    for file in new_files:
        replace_file(change, files[file.dest], file.content if isinstance(file.content, str) else "")
    return True


def has_cards(rendered: RenderedNote) -> bool:
    return bool(rendered.data.get("quizzes") or rendered.data.get("cards"))


def file_of(build: VaultBuild, dest: str) -> SiteFile | None:
    return next((f for f in build.files if f.dest == dest), None)


def replace_file(change: QuickChange, file: SiteFile, content: str) -> None:
    if file.read_bytes() != content.encode("utf-8"):
        file.content, file.source = content, None
        change.files.append(file)


def replace_page(change: QuickChange, old: SitePage | None, new: SitePage | None) -> None:
    """Give ``old`` (the object the build and the MkDocs adapter hold) the HTML and TOC of ``new``."""
    if old is None or new is None or (old.html == new.html and old.toc == new.toc):
        return
    old.html, old.toc = new.html, new.toc
    change.pages.append(old)
