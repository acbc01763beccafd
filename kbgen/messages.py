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
        # dates
        "dates.created": "작성",
        "dates.modified": "수정",
        # backlinks
        "backlinks.label": "백링크",
        "backlinks.title": "이 노트를 링크한 노트",
        # embeds
        "embed.depth": "더 깊이 포함하지 않음 — 노트 열기",
        "embed.shown_above": "위에 이미 표시됨",
        # excalidraw drawings
        "excalidraw.unpublished": "이 드로잉은 게시되지 않았습니다 (내보낸 SVG/PNG 이미지가 없음).",
        # graph
        "graph.current": "현재 노트",
        "graph.global": "전체 그래프 보기",
        "graph.legend": "범례",
        "graph.local": "연결된 노트",
        "graph.loading": "그래프를 불러오는 중…",
        "graph.neighbours": "이웃 노트 목록",
        "graph.no_script": "그래프를 보려면 JavaScript가 필요합니다.",
        "graph.other": "기타",
        "graph.root": "최상위",
        "graph.title": "그래프",
        "graph.untagged": "태그 없음",
        # hover previews
        "preview.label": "링크 미리보기",
        "preview.loading": "불러오는 중…",
        # folders
        "folder.all": "모든 노트",
        "folder.contents": "이 섹션의 노트",
        "folder.count": "노트 {n}개",
        "folder.more": "전체 {n}개 보기",
        # home page
        "home.count": "노트 {notes}개 · 태그 {tags}개",
        "home.recent": "최근 바뀐 노트",
        "home.title": "노트 목록",
        # tags
        "tags.children": "하위 태그",
        "tags.count": "태그 {n}개",
        "tags.index_title": "태그",
        "tags.notes": "노트",
        # pages of a long listing (kbgen.emit.paging)
        "pager.label": "페이지",
        "pager.prev": "이전",
        "pager.next": "다음",
        "pager.part": "{n} / {total} 페이지",
        # limits (kbgen.markdown.limits, kbgen.vault.load)
        "limits.cut": "이 노트는 너무 커서 앞부분만 게시했습니다.",
        "limits.formulas": "이 노트는 수식이 너무 많아 이 수식은 TeX 원문 그대로 보여 줍니다.",
        "limits.too_deep": "너무 깊이 중첩된 부분이라 원문 그대로 보여 줍니다.",
        # aliases
        "aliases.label": "별칭",
        # quizzes
        "quiz.again": "다시 하기",
        "quiz.all": "전체",
        "quiz.page_count": "노트 {notes}개의 퀴즈 {quizzes}개. 문제를 누르면 노트에서 풀 수 있습니다.",
        "quiz.practice": "연습 모드",
        "quiz.reset": "기록 초기화",
        "quiz.shuffle": "섞기",
        "quiz.start": "연습 시작",
        "quiz.tag": "태그",
        "quiz.choose": "답을 고르세요.",
        "quiz.correct": "정답입니다!",
        "quiz.counter": "{n} / {total} · 점수 {score}",
        "quiz.history_right": "지난 기록: 맞힘",
        "quiz.history_wrong": "지난 기록: 틀림",
        "quiz.incorrect": "오답입니다. 다시 골라 보세요.",
        "quiz.incorrect_short": "오답입니다. 다시 입력해 보세요.",
        "quiz.last": "결과 보기",
        "quiz.page_title": "퀴즈",
        "quiz.progress": "퀴즈 {total}개 · 푼 문제 {answered}개 · 맞힌 문제 {right}개",
        "quiz.result": "끝! 점수: {score} / {total}",
        "quiz.retry": "다시 풀기",
        "quiz.revealed": "정답을 먼저 확인했습니다 (오답으로 기록).",
        "quiz.short": "답",
        "quiz.skip": "건너뛰기",
        "quiz.source": "노트 보기",
        "quiz.type": "답을 입력하세요.",
        "quiz.untagged": "태그 없음",
        "cards.flip": "뒤집기",
        "quiz.answer": "정답",
        "quiz.check": "정답 확인",
        "quiz.key": "정답과 해설 보기",
        "quiz.next": "다음 문제",
        # study: the review page and the per-note card count ({n}, {m}, {total} are filled in)
        "study.again": "다시",
        "study.all": "전체",
        "study.cards": "카드 {n}장",
        "study.done": "지금 복습할 카드가 없습니다.",
        "study.due": "복습할 카드 {m}장",
        "study.easy": "쉬움",
        "study.export": "진도 내보내기",
        "study.good": "알맞음",
        "study.hard": "어려움",
        "study.import": "진도 가져오기",
        "study.imported": "카드 {n}장의 기록을 가져왔습니다.",
        "study.import_failed": "가져오지 못했습니다: kbgen 복습 기록 파일이 아닙니다.",
        "study.next": "다음 카드",
        "study.noscript": "복습 페이지는 JavaScript가 필요합니다.",
        "study.note": "노트",
        "study.open_note": "노트 보기",
        "study.review": "복습",
        "study.show": "정답 보기",
        "study.summary": "지금 복습할 카드 {m}장 · 전체 {total}장",
        "study.tag": "태그",
    },
    "en": {
        # dates
        "dates.created": "Created",
        "dates.modified": "Updated",
        # backlinks
        "backlinks.label": "Backlinks",
        "backlinks.title": "Notes linking here",
        # embeds
        "embed.depth": "Embedded too deeply — open the note",
        "embed.shown_above": "Already shown above",
        # excalidraw drawings
        "excalidraw.unpublished": "This drawing is not published (no exported SVG/PNG image).",
        # graph
        "graph.current": "This note",
        "graph.global": "Open the full graph",
        "graph.legend": "Legend",
        "graph.local": "Connected notes",
        "graph.loading": "Loading the graph…",
        "graph.neighbours": "Neighbouring notes",
        "graph.no_script": "The graph needs JavaScript.",
        "graph.other": "Other",
        "graph.root": "Top level",
        "graph.title": "Graph",
        "graph.untagged": "No tag",
        # hover previews
        "preview.label": "Link preview",
        "preview.loading": "Loading…",
        # folders
        "folder.all": "All notes",
        "folder.contents": "In this section",
        "folder.count": "{n} notes",
        "folder.more": "All {n}",
        # home page
        "home.count": "{notes} notes · {tags} tags",
        "home.recent": "Recently changed",
        "home.title": "Notes",
        # tags
        "tags.children": "Subtags",
        "tags.count": "{n} tags",
        "tags.index_title": "Tags",
        "tags.notes": "Notes",
        # pages of a long listing (kbgen.emit.paging)
        "pager.label": "Pages",
        "pager.prev": "Previous",
        "pager.next": "Next",
        "pager.part": "page {n} of {total}",
        # limits (kbgen.markdown.limits, kbgen.vault.load)
        "limits.cut": "This note is too large: only its first part is published.",
        "limits.formulas": "Too many formulas in this note: this one is shown as TeX source.",
        "limits.too_deep": "Nested too deeply: shown as source text.",
        # aliases
        "aliases.label": "Also known as",
        # quizzes
        "quiz.again": "Start again",
        "quiz.all": "All",
        "quiz.page_count": "{quizzes} quizzes from {notes} notes. Pick a question to answer it in its note.",
        "quiz.practice": "Practice mode",
        "quiz.reset": "Clear my record",
        "quiz.shuffle": "Shuffle",
        "quiz.start": "Start practising",
        "quiz.tag": "Tag",
        "quiz.choose": "Pick an answer.",
        "quiz.correct": "Correct!",
        "quiz.counter": "{n} / {total} · score {score}",
        "quiz.history_right": "Last time: right",
        "quiz.history_wrong": "Last time: wrong",
        "quiz.incorrect": "Not quite. Pick again.",
        "quiz.incorrect_short": "Not quite. Try again.",
        "quiz.last": "See the result",
        "quiz.page_title": "Quizzes",
        "quiz.progress": "{total} quizzes · {answered} answered · {right} right",
        "quiz.result": "Done! Score: {score} / {total}",
        "quiz.retry": "Try again",
        "quiz.revealed": "You looked at the answer first (counted as wrong).",
        "quiz.short": "Answer",
        "quiz.skip": "Skip",
        "quiz.source": "Open the note",
        "quiz.type": "Type an answer.",
        "quiz.untagged": "No tag",
        "cards.flip": "Flip",
        "quiz.answer": "Answer",
        "quiz.check": "Check answer",
        "quiz.key": "Show answer and explanation",
        "quiz.next": "Next question",
        # study: the review page and the per-note card count ({n}, {m}, {total} are filled in)
        "study.again": "Again",
        "study.all": "All",
        "study.cards": "{n} cards",
        "study.done": "No cards are due now.",
        "study.due": "{m} due",
        "study.easy": "Easy",
        "study.export": "Export progress",
        "study.good": "Good",
        "study.hard": "Hard",
        "study.import": "Import progress",
        "study.imported": "Imported the history of {n} cards.",
        "study.import_failed": "Not imported: this is not a kbgen review file.",
        "study.next": "Next card",
        "study.noscript": "The review page needs JavaScript.",
        "study.note": "Note",
        "study.open_note": "Open note",
        "study.review": "Review",
        "study.show": "Show answer",
        "study.summary": "{m} cards due now · {total} in all",
        "study.tag": "Tag",
    },
}


def table(language: str) -> dict[str, str]:
    """All messages for ``language`` (``ko``, ``en``, ``ko-KR``…), English filling the gaps."""
    base = language.split("-", 1)[0].split("_", 1)[0].lower() if language else FALLBACK
    return {**MESSAGES[FALLBACK], **MESSAGES.get(base, {})}


def message(key: str, language: str) -> str:
    """One message in ``language``; raises KeyError for a key no table has (a kbgen bug)."""
    return table(language)[key]
