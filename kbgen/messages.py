"""Every string kbgen adds to a page, in each interface language, from one table.

The language is the site's ``theme.language`` (``KbgenConfig.language``); a
language kbgen has no table for falls back to English, and a key missing from
a table falls back to English too, so a page never shows a bare key.
"""
from __future__ import annotations

FALLBACK = "en"

# key → text. Keep the keys sorted within each feature's block; add every key to both tables.
MESSAGES: dict[str, dict[str, str]] = {
    "ko": {
        # home page
        "home.count": "노트 {notes}개 · 태그 {tags}개",
        "home.recent": "최근 바뀐 노트",
        "home.title": "노트 목록",
        # tags
        "tags.children": "하위 태그",
        "tags.count": "태그 {n}개",
        "tags.index_title": "태그",
        "tags.notes": "노트",
        # quizzes
        "quiz.answer": "정답",
        "quiz.check": "정답 확인",
        "quiz.key": "정답과 해설 보기",
        "quiz.next": "다음 문제",
    },
    "en": {
        # home page
        "home.count": "{notes} notes · {tags} tags",
        "home.recent": "Recently changed",
        "home.title": "Notes",
        # tags
        "tags.children": "Subtags",
        "tags.count": "{n} tags",
        "tags.index_title": "Tags",
        "tags.notes": "Notes",
        # quizzes
        "quiz.answer": "Answer",
        "quiz.check": "Check answer",
        "quiz.key": "Show answer and explanation",
        "quiz.next": "Next question",
    },
}


def table(language: str) -> dict[str, str]:
    """All messages for ``language`` (``ko``, ``en``, ``ko-KR``…), English filling the gaps."""
    base = language.split("-", 1)[0].split("_", 1)[0].lower() if language else FALLBACK
    return {**MESSAGES[FALLBACK], **MESSAGES.get(base, {})}


def message(key: str, language: str) -> str:
    """One message in ``language``; raises KeyError for a key no table has (a kbgen bug)."""
    return table(language)[key]
