"""The plain data model of a quiz: what a note asks, which options are right, and why.

Nothing here knows Markdown or HTML: the recognizers fill a :class:`Quiz` from
tokens, the renderer and the Quizzes page read it. Texts are plain text (for
listings, ids and tests); rendered fragments travel separately on the token.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

QuizKind = Literal["single", "multiple", "truefalse", "short"]
QuizSyntax = Literal["block", "fence"]

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_SPACES = re.compile(r"\s+")


@dataclass
class Option:
    label: str  # as the author wrote it: "A", "b", "③", "2"
    text: str  # plain text of the option
    correct: bool = False
    feedback: str = ""  # plain text of the explanation attached to this option

    @property
    def key(self) -> str:
        return label_key(self.label)


@dataclass
class Quiz:
    kind: QuizKind
    question: str  # plain text
    options: list[Option] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # short answers that count as right
    explanation: str = ""  # plain text of the general explanation
    line: int = 0  # 0-based body line of the question (markdown-it's token.map[0])
    syntax: QuizSyntax = "block"
    id: str = ""  # unique within the vault, stable across builds; set by the renderer

    @property
    def correct_options(self) -> list[Option]:
        return [o for o in self.options if o.correct]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def label_key(label: str) -> str:
    """A comparable form of an option label: ``b`` → ``B``, ``③`` → ``3``."""
    label = label.strip()
    if len(label) == 1 and label in _CIRCLED:
        return str(_CIRCLED.index(label) + 1)
    return label.upper()


def normalize_answer(text: str) -> str:
    """How typed short answers are compared (the page's script does the same)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().lower()


def answer_hash(salt: str, value: str) -> str:
    """FNV-1a (32 bit) of UTF-8 ``salt:value`` as 8 hex digits.

    The answer key ships in this form so the page can check an answer without
    the right option being readable in the DOM. It is obfuscation, not secrecy:
    quiz.js computes the same function.
    """
    h = 0x811C9DC5
    for byte in f"{salt}:{value}".encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"
