"""The Quizzes page: every quiz of the vault, grouped by its note's tags, plus a practice mode.

Each quiz links to its place in its note. The listing is cut into pages of
``list_page_size`` lines (:mod:`kbgen.emit.paging`): ``/quizzes/``, then
``/quizzes/page/2/``…; the first page also holds the practice mode
(study/assets/quiz.js), which runs the quizzes one after another from copies
of the very components the notes show, cut from the notes' finished HTML
between the markers the quiz renderer writes, their relative links rebased
onto the first page. Those copies are not in the page: they are a bank of
script files (:mod:`.bank`) loaded a chunk at a time as the practice reaches
them; the page carries only each quiz's id and tags. Only rendered notes are
read, so unpublished notes leave no trace.
"""
from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from markupsafe import Markup

from ..messages import table
from ..emit import SiteFile, SitePage
from ..emit.page_values import page_value
from ..emit.paging import chunks, claim_parts
from ..emit.templating import render_template
from ..markdown.headings import Heading, slugify, toc_tokens
from ..vault.note import Note
from ..tags.model import tag_links
from ..vault.urls import relative_url
from .bank import bank_files, bank_prefix, chunk_size, script_json
from .model import Quiz
from .quiz_syntax import END_MARK, START_MARK

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

PAGE_SRC = "quizzes.md"
PART_SRC = ".kbgen/quizzes/{n}.md"  # part n ≥ 2 of the listing
BANK = "quizzes"
UNTAGGED = "\x00untagged"  # never a real tag; shown as the message quiz.untagged
QUESTION_CHARS = 160  # the listing shows the start of long questions

_URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')
_NOT_RELATIVE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*:|/)")


@dataclass
class QuizEntry:
    quiz: Quiz
    note: Note
    href: str  # from the Quizzes page to the quiz in its note
    component: str  # the quiz's HTML, links rebased onto the Quizzes page

    @property
    def tags(self) -> list[str]:
        return self.note.tags or [UNTAGGED]

    @property
    def question(self) -> str:
        text = self.quiz.question
        return text if len(text) <= QUESTION_CHARS else text[:QUESTION_CHARS].rstrip() + "…"


@dataclass
class QuizPages:
    """The Quizzes page's parts (the first holds the practice mode) and its bank's chunk files."""

    pages: list[SitePage]
    files: list[SiteFile]


def emit(build: "VaultBuild") -> None:
    if not build.config.quizzes_page:
        return
    made = quizzes_pages(build, build.page_url(PAGE_SRC))
    if made is not None:
        build.pages.extend(made.pages)
        build.files.extend(made.files)


def quizzes_pages(build: "VaultBuild", page_url: str) -> QuizPages | None:
    """The Quizzes pages, the first at ``page_url``; None when no note has a quiz."""
    entries = collect(build, page_url)
    if not entries:
        return None
    groups: dict[str, list[QuizEntry]] = {}
    for entry in entries:
        for tag in entry.tags:
            groups.setdefault(tag, []).append(entry)
    ordered = sorted(groups.items(), key=lambda item: (item[0] == UNTAGGED, item[0].casefold()))
    words = table(build.config.language)
    ordered = [(words["quiz.untagged"] if tag == UNTAGGED else tag, items) for tag, items in ordered]
    headings = _headings([tag for tag, _ in ordered])
    # One line per quiz and tag, cut into parts; a part repeats the heading of the group it continues.
    lines = [(heading, entry) for heading, (_, items) in zip(headings, ordered) for entry in items]
    runs = chunks(lines, build.config.list_page_size)
    srcs = [PAGE_SRC] + [PART_SRC.format(n=n) for n in range(2, len(runs) + 1)]
    parts = claim_parts(build, "the Quizzes page", page_url, len(runs), srcs)
    title = words["quiz.page_title"]
    tag_names = [heading.text for heading in headings]
    tag_number = {name: i for i, name in enumerate(tag_names)}
    # What the practice mode needs of every quiz up front (filter, shuffle, progress): id and tags.
    practice = {
        "bank": bank_prefix(page_url, BANK),
        "size": chunk_size(build.config.list_page_size),
        "tags": tag_names,
        "quizzes": [[e.quiz.id, [tag_number[words["quiz.untagged"] if t == UNTAGGED else t] for t in e.tags]]
                    for e in entries],
    }
    pages = []
    for n, (run, src, url) in enumerate(zip(runs, srcs, parts.urls), start=1):
        part_groups: list[tuple[Heading, list[QuizEntry]]] = []
        for heading, entry in run:
            if not part_groups or part_groups[-1][0] is not heading:
                part_groups.append((heading, []))
            part_groups[-1][1].append(entry)
        page_html = render_template(
            "quizzes.html",
            title=title if n == 1 else f"{title} ({n}/{len(runs)})",
            words=words,
            first=n == 1,
            quizzes=len(entries),
            notes=len({e.note.src_path for e in entries}),
            tag_counts=[(heading.text, len(items)) for heading, (_, items) in zip(headings, ordered)],
            practice_json=script_json(practice),
            groups=part_groups,
            href=lambda entry, url=url: relative_url(url, entry.note.url) + f"#quiz-{entry.quiz.id}",
            tag_hrefs={name: relative_url(url, tag_url) for name, tag_url in tag_links(build.vault, groups)},
            pager=Markup(parts.pager(n, words)),
        )
        pages.append(SitePage(src, title if n == 1 else f"{title} ({n}/{len(runs)})", page_html,
                              toc=toc_tokens([heading for heading, _ in part_groups]), url=url, in_nav=n == 1,
                              meta={"kb_parts": PAGE_SRC} if n > 1 else {}))
    files = bank_files(BANK, [[e.href, e.note.title, e.component] for e in entries],
                       chunk_size(build.config.list_page_size))
    return QuizPages(pages, files)


def memo_inputs(build: "VaultBuild") -> Iterator[str]:
    """What these pages read besides every note's metadata (kbgen.emit.memo): each quiz and its HTML."""
    for src_path, rendered in build.rendered.items():
        quizzes = rendered.data.get("quizzes", [])
        if not quizzes:
            continue
        ids = [quiz.id for quiz in quizzes]
        parts = page_value(build, "quiz-html", src_path, lambda page: [component_html(page, i) for i in ids], repr(ids))
        for quiz, part in zip(quizzes, parts):
            yield f"{src_path}\0{quiz!r}\0{part}"


def collect(build: "VaultBuild", page_url: str) -> list[QuizEntry]:
    """Every quiz of every rendered note, in note title order, then by position in the note."""
    entries: list[QuizEntry] = []
    for src_path, rendered in build.rendered.items():
        quizzes: list[Quiz] = rendered.data.get("quizzes", [])
        if not quizzes:
            continue
        note = build.vault.notes[src_path]
        for quiz in quizzes:
            component = component_html(rendered.html, quiz.id)
            if component is None:
                continue  # a post-processor dropped it; the note itself still shows it
            entries.append(QuizEntry(
                quiz, note,
                href=f"{relative_url(page_url, note.url)}#quiz-{quiz.id}",
                component=rebase_links(component, note.url, page_url),
            ))
    entries.sort(key=lambda e: (e.note.title.casefold(), e.note.src_path, e.quiz.line))
    return entries


def component_html(note_html: str, quiz_id: str) -> str | None:
    """The finished HTML of one quiz, cut from its note's page."""
    start_mark, end_mark = START_MARK.format(id=quiz_id), END_MARK.format(id=quiz_id)
    start = note_html.find(start_mark)
    end = note_html.find(end_mark, start)
    if start < 0 or end < 0:
        return None
    return note_html[start + len(start_mark):end]


def rebase_links(fragment: str, from_url: str, to_url: str) -> str:
    """``href``/``src`` values relative to the page at ``from_url``, made relative to ``to_url``."""
    from_dir = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"

    def fix(match: re.Match) -> str:
        value = html.unescape(match.group(2))
        if not value or _NOT_RELATIVE.match(value):
            return match.group(0)
        path, sep, rest = _split_suffix(value)
        if path:
            target = posixpath.normpath(posixpath.join(from_dir, path))
            target = "" if target == "." else target
            if path.endswith("/") and target:
                target += "/"
        else:
            target = from_url  # "#fragment" of the note itself
        new = relative_url(to_url, target) + sep + rest
        return f'{match.group(1)}="{html.escape(new, quote=True)}"'

    return _URL_ATTR.sub(fix, fragment)


def _split_suffix(value: str) -> tuple[str, str, str]:
    cut = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=-1)
    if cut < 0:
        return value, "", ""
    return value[:cut], value[cut], value[cut + 1:]


def _headings(tags: list[str]) -> list[Heading]:
    used: dict[str, int] = {}
    out: list[Heading] = []
    for tag in tags:
        base = "tag-" + slugify(tag)
        n = used.get(base, 0)
        used[base] = n + 1
        out.append(Heading(2, base if n == 0 else f"{base}_{n}", tag, 0))
    return out
