"""Finds the question blocks authors already write, in a markdown-it token stream.

Recognized (seed 000 and its relatives)::

    **Question:** A model stops converging after more layers were added. Why?   ← question line
    **Options:**                                                                ← optional label
    - A) The dataset is too small                                               ← options: A) A. (A) ①
    - B) Vanishing gradients from sigmoid activations                             as list items or lines
    **정답: B) Vanishing gradients from sigmoid activations**                     ← answer: letter(s), text optional
    💡 추가 설명:                                                                ← explanation, up to the
    - **Option A** - 데이터 크기는 수렴 문제의 원인이 아님                              next heading / rule / question

Question markers: ``Question:``, ``Q.``, ``Q1.``, ``문제:``, ``질문:``, ``Quiz:`` (bold or not).
Answer markers: ``정답:``, ``답:``, ``해답:``, ``Answer:``, ``Correct answer:``. Several
letters (``B, D``) make a several-answers quiz; an ordered list ``1.`` … with a numeric
answer works too. An explanation line or list item that starts with ``Option A``,
``A)``, ``A:`` or ``A -`` is attached to that option.

:func:`recognize` replaces each quiz's tokens by one ``quiz`` token and returns
the problems of blocks that look like quizzes but are incomplete, so the caller
can warn; those keep their tokens and render as ordinary Markdown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from .model import Option, Quiz, label_key
from .tokens import block_end, inline_children, paragraph, split_lines, strip_prefix, visible_text

_QUESTION = re.compile(r"^(?:question|q|문제|질문|quiz|퀴즈)\s*#?\d*\s*[:.)：]\s*", re.IGNORECASE)
# Anything a question line could start with, anywhere in the source: notes without it skip the pass.
_QUESTION_HINT = re.compile(r"(?:question|q|문제|질문|quiz|퀴즈)\s*#?\d*\s*[*_]*\s*[:.)：]", re.IGNORECASE)
_OPTIONS_LABEL = re.compile(r"^(?:options?|choices?|보기|선택지|선지)\s*[:：]?$", re.IGNORECASE)
_OPTION = re.compile(r"^(?:\(([A-Za-z])\)\s+|([A-Za-z])[).](?:\s+|$)|([①-⑳])\s*)")
_ANSWER = re.compile(r"^(?:correct\s+answers?|answers?|정답|해답|답)\s*[:：]\s*", re.IGNORECASE)
_OPTION_NOTE = re.compile(
    r"^(?:(?:option|choice|보기|선택지|선지)\s*)?\(?([A-Za-z]|[①-⑳]|\d{1,2})\)?\s*(?:[:.)\-–—]\s*|$)",
    re.IGNORECASE,
)
_ANSWER_LABEL = re.compile(r"\(?([A-Za-z]|[①-⑳]|\d{1,2})\)?(?=$|[\s,/&).:]|번|와|과|및)")
_ANSWER_SEPARATOR = re.compile(r"\s*(?:,|/|&|\band\b|및|와|과)\s*", re.IGNORECASE)


@dataclass
class OptionParts:
    inline: list[Token]  # inline children of the option's text, marker stripped
    blocks: list[Token] = field(default_factory=list)  # further blocks of a list-item option


@dataclass
class QuizParts:
    """Token fragments of a quiz, for the renderer (the model holds plain text only)."""

    question: list[Token]  # block tokens
    options: list[OptionParts] = field(default_factory=list)
    # Per-option explanations written apart from the general explanation (fenced quizzes).
    feedback: dict[int, list[Token]] = field(default_factory=dict)
    explanation: list[Token] = field(default_factory=list)  # block tokens

    def all_tokens(self) -> list[Token]:
        """Every token of the quiz as one run, each option an inline token (what a link pass should see)."""
        out = list(self.question)
        for option in self.options:
            out.append(Token("inline", "", 0, children=option.inline))
            out.extend(option.blocks)
        for tokens in self.feedback.values():
            out.extend(tokens)
        return out + self.explanation


@dataclass
class Problem:
    code: str
    message: str
    body_line: int  # 0-based
    col: int = 1


@dataclass
class Found:
    """One recognized quiz: tokens[start:end] of the stream it replaces."""

    start: int
    end: int
    quiz: Quiz
    parts: QuizParts
    end_line: int
    # Applied when the quiz is accepted, so a rejected block keeps its tokens untouched.
    marks: list[tuple[Token, int]] = field(default_factory=list)
    # Lines of the quiz's last paragraph that belong to what follows (the next question).
    tail: list[Token] = field(default_factory=list)
    token: Token | None = None  # the ``quiz`` token that replaced the block


# --------------------------------------------------------------------------- units


@dataclass
class _Unit:
    kind: str  # "line" (one line of a paragraph), "list", "block"
    text: str  # plain text (first line of the first item for a list)
    line: int  # 0-based body line
    children: list[Token] = field(default_factory=list)  # a line's inline tokens
    paragraph: int = -1  # index of the paragraph a line comes from
    tokens: list[Token] = field(default_factory=list)  # a list's or block's tokens
    items: list["_Item"] = field(default_factory=list)
    stop: int = 0  # index after the unit's block (a line: after its paragraph) in the stream


@dataclass
class _Item:
    open: Token  # list_item_open
    text: str  # plain text of the first paragraph
    children: list[Token]  # inline children of the first paragraph
    rest: list[Token]  # the item's tokens after its first paragraph
    line: int


def _units(tokens: list[Token], start: int, end: int) -> list[_Unit]:
    units: list[_Unit] = []
    i = start
    while i < end:
        tok = tokens[i]
        stop = block_end(tokens, i)
        line = tok.map[0] if tok.map else 0
        if tok.type == "paragraph_open":
            for k, children in enumerate(split_lines(tokens[i + 1])):
                units.append(_Unit("line", visible_text(children).strip(), line + k, children=children,
                                   paragraph=i, stop=stop))
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            items = _list_items(tokens, i, stop)
            text = items[0].text if items else ""
            units.append(_Unit("list", text, line, tokens=tokens[i:stop], items=items, stop=stop))
        else:
            units.append(_Unit("block", "", line, tokens=tokens[i:stop], stop=stop))
        i = stop
    return units


def _list_items(tokens: list[Token], start: int, stop: int) -> list[_Item]:
    items: list[_Item] = []
    i = start + 1
    while i < stop - 1:
        item_end = block_end(tokens, i)
        opening = tokens[i]
        body = tokens[i + 1:item_end - 1]
        children: list[Token] = []
        rest = body
        if len(body) >= 3 and body[0].type == "paragraph_open":
            children = body[1].children or []
            rest = body[3:]
        line = opening.map[0] if opening.map else 0
        items.append(_Item(opening, visible_text(children).strip(), children, rest, line))
        i = item_end
    return items


# --------------------------------------------------------------------------- recognition


def may_hold_quiz(src: str) -> bool:
    """False when no line of ``src`` can be a question line (a cheap test before :func:`recognize`)."""
    return _QUESTION_HINT.search(src) is not None


def recognize(tokens: list[Token], src_lines: list[str]) -> tuple[list[Found], list[Problem]]:
    """Replace every question block in ``tokens`` (any nesting level) by one ``quiz`` token.

    Returns what was found (``found.token`` is the new token, ``meta["quiz"]`` its
    model and ``meta["parts"]`` its fragments) and the problems of blocks that look
    like quizzes but are incomplete; those keep their tokens untouched.
    """
    found: list[Found] = []
    problems: list[Problem] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "paragraph_open" and not tok.hidden and i + 1 < len(tokens):
            text = visible_text(split_lines(tokens[i + 1])[0]).strip()
            if _QUESTION.match(text):
                result = _read_quiz(tokens, i, _region_end(tokens, i), src_lines)
                if isinstance(result, Found):
                    for token, n in result.marks:
                        token.attrSet("data-kb-option", str(n))
                    result.token = quiz_token(result.quiz, result.parts, [result.quiz.line, result.end_line],
                                              tok.level)
                    tokens[result.start:result.end] = [result.token, *result.tail]
                    found.append(result)
                elif result is not None:
                    problems.append(result)
        i += 1
    return found, problems


def quiz_token(quiz: Quiz, parts: QuizParts, line_map: list[int] | None, level: int) -> Token:
    """The one token a quiz becomes; ``children`` lists its block tokens for passes that walk nested tokens."""
    return Token("quiz", "", 0, map=line_map, level=level, block=True, children=parts.all_tokens(),
                 meta={"quiz": quiz, "parts": parts})


def _region_end(tokens: list[Token], start: int) -> int:
    """Where a quiz that starts at ``start`` must end: a heading, a rule, or its container's end."""
    level = tokens[start].level
    j = block_end(tokens, start)
    while j < len(tokens):
        tok = tokens[j]
        if tok.level < level or tok.type in ("heading_open", "hr"):
            break
        j = block_end(tokens, j)
    return j


class _Reader:
    """Walks the units of one candidate block: question → options → answer → explanation."""

    def __init__(self, units: list[_Unit]):
        self.units = units
        self.question: list[_Unit] = []
        self.options: list[tuple[str, list[Token], list[Token], int]] = []  # label, inline, blocks, line
        self.answer: _Unit | None = None
        self.answer_spec = ""
        self.explanation: list[_Unit] = []
        self.numbered: _Unit | None = None  # an ordered list that may be the options
        self.consumed = len(units)

    def read(self) -> None:
        phase = "question"
        for n, unit in enumerate(self.units):
            if phase != "question" and unit.kind == "line" and _QUESTION.match(unit.text) and not self._next_option(unit):
                self.consumed = n  # a new question starts the next quiz
                return
            if phase == "explain":
                self.explanation.append(unit)
            elif unit.kind == "line":
                phase = self._line(unit, phase, first=n == 0)
            elif unit.kind == "list" and self._is_option_list(unit):
                for item in unit.items:
                    m = _OPTION.match(item.text)
                    label = next(g for g in m.groups() if g) if m else str(len(self.options) + 1)
                    inline = strip_prefix(item.children, m.end()) if m else item.children
                    self.options.append((label, inline, item.rest, item.line))
                phase = "options"
            else:
                if unit.kind == "list" and unit.tokens[0].type == "ordered_list_open" and not self.options:
                    self.numbered = unit
                self.question.append(unit)

    def _line(self, unit: _Unit, phase: str, first: bool) -> str:
        text = unit.text
        if first:
            marker = _QUESTION.match(text)
            assert marker is not None
            rest = strip_prefix(unit.children, marker.end())
            if rest:
                self.question.append(_Unit("line", visible_text(rest).strip(), unit.line, children=rest,
                                           paragraph=unit.paragraph))
            return "question"
        answer = _ANSWER.match(text)
        if answer:
            self.answer = unit
            self.answer_spec = text[answer.end():]
            return "explain"
        if _OPTIONS_LABEL.match(text) and not self.options:
            return "options"
        option = _OPTION.match(text)
        if option and (phase == "options" or self.question):
            label = next(g for g in option.groups() if g)
            self.options.append((label, strip_prefix(unit.children, option.end()), [], unit.line))
            return "options"
        if phase == "options" and self.options and self.options[-1][3] == unit.line - 1 and unit.paragraph >= 0:
            # A wrapped option line continues the option above it.
            label, inline, blocks, _ = self.options[-1]
            self.options[-1] = (label, inline + [Token("softbreak", "br", 0)] + unit.children, blocks, unit.line)
            return phase
        self.question.append(unit)
        return phase

    def _next_option(self, unit: _Unit) -> bool:
        m = _OPTION.match(unit.text)
        if not m or not self.options:
            return False
        expected = _next_label(self.options[-1][0])
        return label_key(next(g for g in m.groups() if g)) == label_key(expected)

    def _is_option_list(self, unit: _Unit) -> bool:
        if unit.tokens[0].type != "bullet_list_open" or len(unit.items) < 1:
            return False
        return all(_OPTION.match(item.text) for item in unit.items)


def _next_label(label: str) -> str:
    if label.isdigit():
        return str(int(label) + 1)
    if label in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲":
        return chr(ord(label) + 1)
    return chr(ord(label) + 1) if label.isalpha() else label


def _read_quiz(tokens: list[Token], start: int, end: int, src_lines: list[str]) -> Found | Problem | None:
    units = _units(tokens, start, end)
    reader = _Reader(units)
    reader.read()
    all_units = units
    units = units[: reader.consumed]
    q_line = units[0].line
    col = _indent_col(src_lines, q_line)
    if reader.answer is None:
        if reader.options:
            return Problem("quiz-no-answer", "question has options but no answer line (정답: …/Answer: …); "
                           "rendered as ordinary Markdown", q_line, col)
        return None  # a "문제:" paragraph that is just prose
    labels, answer_text = parse_answer_spec(reader.answer_spec)
    if not reader.options and reader.numbered is not None and labels and all(l.isdigit() for l in labels):
        _use_numbered_options(reader)
    if len(reader.options) < 2:
        return Problem("quiz-no-options", "question has an answer line but no options (A) …, B) …); "
                       "rendered as ordinary Markdown", q_line, col)
    keys = [label_key(o[0]) for o in reader.options]
    if not labels and answer_text:
        labels = _labels_by_text(reader, answer_text)
    missing = [l for l in labels if label_key(l) not in keys]
    if not labels or missing:
        shown = missing[0] if missing else reader.answer_spec.strip()
        letters = f"{reader.options[0][0]}–{reader.options[-1][0]}"
        a_col = _answer_col(src_lines, reader.answer.line, shown)
        return Problem("quiz-bad-answer", f"answer '{shown}' is not one of the options ({letters}); "
                       "rendered as ordinary Markdown", reader.answer.line, a_col)
    return _build(tokens, start, units, all_units, reader, {label_key(l) for l in labels})


def parse_answer_spec(spec: str) -> tuple[list[str], str]:
    """(``["B", "D"]``, rest) from ``"B, D"`` / ``"B) text"`` / ``"3번"``; ([], text) when no label leads."""
    spec = spec.strip()
    labels: list[str] = []
    pos = 0
    while True:
        m = _ANSWER_LABEL.match(spec, pos)
        if not m:
            break
        labels.append(m.group(1))
        pos = m.end()
        sep = _ANSWER_SEPARATOR.match(spec, pos)
        if not sep or not _ANSWER_LABEL.match(spec, sep.end()):
            break
        pos = sep.end()
    if not labels:
        return [], spec
    rest = re.sub(r"^[).:\s번]*", "", spec[pos:])
    return labels, rest


def _labels_by_text(reader: _Reader, answer_text: str) -> list[str]:
    wanted = _loose(answer_text)
    return [label for label, inline, _, _ in reader.options if wanted and _loose(visible_text(inline)) == wanted]


def _loose(text: str) -> str:
    return re.sub(r"[\s*_`.]+", " ", text).strip().lower()


def _use_numbered_options(reader: _Reader) -> None:
    unit = reader.numbered
    assert unit is not None
    reader.question.remove(unit)
    start = int(unit.tokens[0].attrGet("start") or 1)
    for n, item in enumerate(unit.items):
        reader.options.append((str(start + n), item.children, item.rest, item.line))


def _build(tokens: list[Token], start: int, units: list[_Unit], all_units: list[_Unit], reader: _Reader,
           correct: set[str]) -> Found:
    options = [Option(label, visible_text(inline).strip(), label_key(label) in correct)
               for label, inline, _, _ in reader.options]
    by_key = {o.key: n for n, o in enumerate(options)}
    marks: list[tuple[Token, int]] = []
    explanation, general = _explanation_tokens(reader.explanation, by_key, options, marks)
    kind = "multiple" if len(correct) > 1 else "single"
    question = _blocks(reader.question)
    quiz = Quiz(kind, visible_text(inline_children(question)).strip(), options,
                explanation=general, line=units[0].line, syntax="block")
    parts = QuizParts(
        question=question,
        options=[OptionParts(inline, blocks) for _, inline, blocks, _ in reader.options],
        explanation=explanation,
    )
    last = units[-1]
    tail = _unread_lines(all_units, len(units))
    end_line = tail[0].map[0] if tail else max(t.map[1] for t in tokens[start:last.stop] if t.map)
    return Found(start, last.stop, quiz, parts, end_line, marks, tail)


def _unread_lines(units: list[_Unit], consumed: int) -> list[Token]:
    """The lines after the quiz that share its last paragraph, as a paragraph of their own."""
    if consumed >= len(units) or units[consumed].kind != "line" or consumed == 0:
        return []
    shared = units[consumed].paragraph
    if units[consumed - 1].paragraph != shared:
        return []
    rest = [u for u in units[consumed:] if u.kind == "line" and u.paragraph == shared]
    tokens = paragraph([u.children for u in rest])
    tokens[0].map = tokens[1].map = [rest[0].line, rest[-1].line + 1]
    tokens[1].content = "\n".join(u.text for u in rest)
    return tokens


def _explanation_tokens(units: list[_Unit], by_key: dict[str, int], options: list[Option],
                        marks: list[tuple[Token, int]]) -> tuple[list[Token], str]:
    """The explanation's tokens with per-option parts marked, and its general plain text."""
    out: list[Token] = []
    general: list[str] = []
    lines: list[_Unit] = []  # consecutive lines of one paragraph, not attached to an option

    def flush() -> None:
        if lines:
            out.extend(paragraph([u.children for u in lines]))
            general.append(" ".join(u.text for u in lines))
            lines.clear()

    for unit in units:
        if unit.kind == "line":
            target = _option_note(unit.text, by_key)
            if lines and lines[-1].paragraph != unit.paragraph:
                flush()
            if target is None:
                lines.append(unit)
                continue
            flush()
            n, note = target
            para = paragraph([unit.children])
            marks.append((para[0], n))
            options[n].feedback = note
            out.extend(para)
            continue
        flush()
        if unit.kind == "list":
            for item in unit.items:
                target = _option_note(item.text, by_key)
                if target is not None:
                    n, note = target
                    marks.append((item.open, n))
                    options[n].feedback = " ".join(filter(None, [note, _plain(item.rest)]))
                else:
                    general.append(item.text)
        else:
            general.append(_plain(unit.tokens))
        out.extend(unit.tokens)
    flush()
    return out, " ".join(g for g in general if g).strip()


def _option_note(text: str, by_key: dict[str, int]) -> tuple[int, str] | None:
    m = _OPTION_NOTE.match(text)
    if not m or label_key(m.group(1)) not in by_key:
        return None
    return by_key[label_key(m.group(1))], text[m.end():].strip()


def _plain(tokens: list[Token]) -> str:
    return " ".join(visible_text(t.children or []).strip() for t in tokens if t.type == "inline").strip()


def _blocks(units: list[_Unit]) -> list[Token]:
    """Block tokens for a run of units: lines of one paragraph are joined again."""
    out: list[Token] = []
    lines: list[list[Token]] = []
    current = None
    for unit in units:
        if unit.kind == "line" and (current is None or unit.paragraph == current):
            lines.append(unit.children)
            current = unit.paragraph
            continue
        if lines:
            out.extend(paragraph(lines))
            lines, current = [], None
        if unit.kind == "line":
            lines.append(unit.children)
            current = unit.paragraph
        else:
            out.extend(unit.tokens)
    if lines:
        out.extend(paragraph(lines))
    return out


def _indent_col(src_lines: list[str], line: int) -> int:
    text = src_lines[line] if 0 <= line < len(src_lines) else ""
    return len(text) - len(text.lstrip()) + 1


def _answer_col(src_lines: list[str], line: int, label: str) -> int:
    text = src_lines[line] if 0 <= line < len(src_lines) else ""
    colon = re.search(r"[:：]", text)
    at = text.find(label, colon.end() if colon else 0) if label else -1
    return at + 1 if at >= 0 else _indent_col(src_lines, line)
