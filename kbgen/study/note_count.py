"""The "n cards, m due" line a note shows above its first quiz or flashcard.

The line links to the review page filtered to this note. The build knows n;
how many are due lives in the learner's browser, so the page's script
(study/assets/review.js) fills m in from the card ids the line carries.
"""
from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..messages import table
from ..vault.note import note_url, relative_url

REVIEW_SRC = "review.md"
# vault.indexes[REVIEW_URL_KEY]: the review page's URL. Every note's count line links to it,
# so it is claimed (the one URL function, kbgen.vault.urls) after the notes' and before they render.
REVIEW_URL_KEY = "review_url"
_STUDY_BLOCKS = ("quiz", "flashcards", "cloze")


def plugin(md: MarkdownIt, config: Any = None) -> None:
    md.core.ruler.push("kb_study_count", _insert_count)
    md.add_render_rule("study_count", render_count)


def note_review_ids(data: dict[str, Any]) -> list[str]:
    """The ids a note's cards are reviewed under: its quizzes', then its flashcards'."""
    ids = [quiz.id for quiz in data.get("quizzes", [])]
    for card in data.get("cards", []):
        ids.extend(card.review_ids())
    return ids


def claim_review_url(build: Any) -> None:
    """Claim the review page's URL once the notes have theirs: a note at ``review.md`` keeps it."""
    if build.config.quizzes_page:
        build.vault.indexes[REVIEW_URL_KEY] = build.page_url(REVIEW_SRC)


def review_url(vault: Any, directory_urls: bool) -> str:
    """The review page's URL: as claimed, or (a note rendered outside a build) the one it asks for."""
    indexes = getattr(vault, "indexes", None) or {}
    return indexes.get(REVIEW_URL_KEY) or note_url(REVIEW_SRC, directory_urls)


def review_href(env: EnvType) -> str:
    """The review page filtered to this note, relative to the note's page."""
    note, config = env.get("note"), env.get("config")
    directory_urls = getattr(config, "use_directory_urls", True)
    page = relative_url(getattr(note, "url", ""), review_url(env.get("vault"), directory_urls))
    return f"{page}#note={quote(getattr(note, 'src_path', ''), safe='/')}"


def _insert_count(state: StateCore) -> None:
    if state.inlineMode or not getattr(state.env.get("config"), "quizzes_page", True):
        return
    for i, token in enumerate(state.tokens):
        if token.type in _STUDY_BLOCKS:
            count = Token("study_count", "", 0, map=token.map, level=token.level, block=True)
            state.tokens.insert(i, count)
            return


def render_count(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    ids = note_review_ids(env.get("data", {}))
    words = table(getattr(env.get("config"), "language", "ko"))
    cards = words["study.cards"].replace("{n}", str(len(ids)))
    return (f'<p class="kb-study-count" data-search-exclude data-cards="{" ".join(ids)}" '
            f'data-due-text="{html.escape(words["study.due"], quote=True)}">'
            f'<a href="{html.escape(review_href(env), quote=True)}">{html.escape(cards)}</a>'
            ' <span class="kb-study-count__due"></span></p>\n')
