"""The review page: every quiz and flashcard of the vault, scheduled by FSRS in the browser.

Each card's finished HTML (cut from its note's page between the markers the
renderers write, after math was typeset, links rebased onto this page) is in
a bank of script files (:mod:`.bank`), loaded a chunk at a time when a card
of it is shown; the list of notes and cards (id, kind, note, tags) is one
more script (``review-data.js``) the page loads at once — it needs every
card's id to count what is due. So the page itself stays the same size
however large the vault. study/assets/review.js schedules the cards with
ts-fsrs and keeps the learner's state in localStorage. Only rendered notes
are read, so unpublished notes leave no trace.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from ..emit import SiteFile, SitePage
from ..emit.page_values import page_value
from ..emit.templating import render_template
from ..messages import table
from ..vault.note import relative_url
from .bank import BANK_DIR, bank_files, bank_prefix, chunk_size, script_assign
from .cards import BACK_MARK, CLOZE_MARK, FRONT_MARK, Card, cut
from .fsrs_assets import emit_fsrs
from .note_count import REVIEW_SRC, review_url
from .quiz_syntax import END_MARK, START_MARK
from .quizzes_page import rebase_links

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

QUIZ_MARKS = (START_MARK, END_MARK)
BANK = "review"
DATA_KEY = "review-data"
DATA_FILE = f"{BANK_DIR}/{DATA_KEY}.js"


@dataclass
class ReviewDeck:
    """What the page ships: notes, card templates (HTML) and the cards that use them."""

    notes: list[dict[str, Any]] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)

    def add_template(self, fragment: str) -> int:
        self.templates.append(fragment)
        return len(self.templates) - 1


def emit(build: "VaultBuild") -> None:
    if not build.config.quizzes_page:
        return
    page_url = review_url(build.vault, build.config.use_directory_urls)  # claimed before rendering
    deck = collect(build, page_url)
    if not deck.cards:
        return
    script = emit_fsrs(build, deck.notes[0]["path"])
    page, files = review_page(build, page_url, deck, script)
    build.pages.append(page)
    build.files.extend(files)


def review_page(build: "VaultBuild", page_url: str, deck: ReviewDeck,
                script: str | None) -> tuple[SitePage, list[SiteFile]]:
    """The review page of ``deck`` (ts-fsrs served at ``script``, when it could be had) and its scripts:
    the deck's list of notes and cards, and the bank of card HTML."""
    words = table(build.config.language)
    tags = sorted({t for n in deck.notes for t in n["tags"]}, key=str.casefold)
    page_html = render_template(
        "review.html",
        t=words,
        tags=tags,
        fsrs_src=relative_url(page_url, script) if script else "",
        data_src=relative_url(page_url, DATA_FILE),
        bank_src=bank_prefix(page_url, BANK),
        bank_size=chunk_size(build.config.list_page_size),
    )
    data = SiteFile(DATA_FILE, script_assign(DATA_KEY, {"notes": deck.notes, "cards": deck.cards}))
    bank = bank_files(BANK, deck.templates, chunk_size(build.config.list_page_size))
    return SitePage(REVIEW_SRC, words["study.review"], page_html, url=page_url), [data, *bank]


def memo_inputs(build: "VaultBuild") -> Iterator[str]:
    """What the page reads besides every note's metadata (kbgen.emit.memo): each quiz and card and its HTML."""
    for src_path, rendered in build.rendered.items():
        quizzes, cards = rendered.data.get("quizzes", []), rendered.data.get("cards", [])
        if not quizzes and not cards:
            continue
        wanted = [(QUIZ_MARKS, quiz.id) for quiz in quizzes] + [
            (m, card.id) for card in cards for m in ([CLOZE_MARK] if card.kind == "cloze" else [FRONT_MARK, BACK_MARK])]
        found = iter(page_value(build, "review-html", src_path, lambda page: [cut(page, m, i) for m, i in wanted],
                                repr(wanted)))
        for quiz in quizzes:
            yield f"{src_path}\0{quiz!r}\0{next(found)}"
        for card in cards:
            count = 1 if card.kind == "cloze" else 2
            yield f"{src_path}\0{card!r}\0" + "\0".join(str(next(found)) for _ in range(count))


def collect(build: "VaultBuild", page_url: str) -> ReviewDeck:
    """Every quiz and card of every rendered note, notes in title order, cards in note order."""
    deck = ReviewDeck()
    order = sorted(build.rendered.items(), key=lambda item: (build.vault.notes[item[0]].title.casefold(), item[0]))
    for src_path, rendered in order:
        quizzes, cards = rendered.data.get("quizzes", []), rendered.data.get("cards", [])
        if not quizzes and not cards:
            continue
        note = build.vault.notes[src_path]
        index = len(deck.notes)
        before = len(deck.cards)

        def piece(marks: tuple[str, str], ident: str) -> str | None:
            found = cut(rendered.html, marks, ident)
            return None if found is None else rebase_links(found, note.url, page_url)

        for quiz in quizzes:
            component = piece(QUIZ_MARKS, quiz.id)
            if component is not None:
                deck.cards.append({"id": quiz.id, "k": "quiz", "n": index, "t": deck.add_template(component)})
        for card in cards:
            _add_card(deck, card, index, piece)
        if len(deck.cards) > before:
            deck.notes.append({"path": src_path, "title": note.title, "tags": list(note.tags or []),
                               "href": relative_url(page_url, note.url)})
    return deck


def _add_card(deck: ReviewDeck, card: Card, index: int, piece: Any) -> None:
    if card.kind == "cloze":
        text = piece(CLOZE_MARK, card.id)
        if text is None:
            return
        t = deck.add_template(f'<p class="kb-review__cloze">{text}</p>')
        for group, ident in zip(card.groups, card.review_ids()):
            deck.cards.append({"id": ident, "k": "cloze", "n": index, "t": t, "g": group})
        return
    front, back = piece(FRONT_MARK, card.id), piece(BACK_MARK, card.id)
    if front is None or back is None:
        return
    t = deck.add_template(f'<div class="kb-review__front">{front}</div><div class="kb-review__back">{back}</div>')
    deck.cards.append({"id": card.id, "k": "card", "n": index, "t": t})
    if card.kind == "reversed":
        deck.cards.append({"id": card.id + "-r", "k": "reverse", "n": index, "t": t})
