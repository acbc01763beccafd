"""Flashcards as data: what a card asks, which way it goes, and its stable identity.

A card's id is what the learner's review history is filed under, in the browser
and in Anki (the note GUID). It is derived from the note's path and the card's
own text, never its position, so adding a card above another keeps both
histories; editing a card's front starts a new history, as it should.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

CardKind = Literal["basic", "reversed", "cloze"]

# Marker comments around the parts of a card in a note's finished HTML; the
# review page cuts them out (after math was typeset), like the Quizzes page does quizzes.
FRONT_MARK = ("<!--kb-front:{id}-->", "<!--/kb-front:{id}-->")
BACK_MARK = ("<!--kb-back:{id}-->", "<!--/kb-back:{id}-->")
CLOZE_MARK = ("<!--kb-cloze:{id}-->", "<!--/kb-cloze:{id}-->")


@dataclass
class Card:
    id: str
    kind: CardKind
    front: str  # plain text (the cloze text, for a cloze card)
    back: str = ""  # plain text
    line: int = 0  # 0-based body line
    groups: list[str] = field(default_factory=list)  # cloze deletions' group numbers, in order

    def review_ids(self) -> list[str]:
        """One id per card a learner reviews: a reversed card is two, a cloze one per group."""
        if self.kind == "reversed":
            return [self.id, self.id + "-r"]
        if self.kind == "cloze":
            return [f"{self.id}-c{group}" for group in self.groups]
        return [self.id]


def card_id(path: str, kind: str, text: str) -> str:
    """12 hex digits of SHA-1 over note path, kind and text (2⁴⁸: no collision in any real vault)."""
    return hashlib.sha1(f"{path}\0{kind}\0{text}".encode("utf-8")).hexdigest()[:12]


def unique_card_id(env: Any, kind: str, text: str) -> str:
    """:func:`card_id`, made unique within the note when the same text appears twice."""
    path = getattr(env.get("note"), "src_path", "")
    used: set[str] = env.setdefault("_card_ids", set())
    ident = card_id(path, kind, text)
    n = 1
    while ident in used:
        n += 1
        ident = card_id(path, kind, f"{text}\0{n}")
    used.add(ident)
    return ident


def cut(page_html: str, marks: tuple[str, str], ident: str) -> str | None:
    """The HTML between a pair of marker comments, or None when a post-processor dropped them."""
    start_mark, end_mark = marks[0].format(id=ident), marks[1].format(id=ident)
    start = page_html.find(start_mark)
    end = page_html.find(end_mark, start)
    if start < 0 or end < 0:
        return None
    return page_html[start + len(start_mark):end]
