"""Quizzes: question blocks and ```` ```quiz ```` fences become interactive practice.

A core rule (after inline parsing, so wiki links and math inside questions are
already tokens) replaces each quiz by one ``quiz`` token carrying the model
(:mod:`kbgen.study.model`) and records it in ``env["data"]["quizzes"]``. The
render rule writes an accessible component that works without JavaScript: the
answer and explanations sit in a closed ``<details>`` that Material's search
skips (``data-search-exclude``); the script (study/assets/quiz.js) checks answers
against hashes, so no ``data-correct`` attribute gives the answer away.

A block that looks like a quiz but is incomplete gets a warning and stays
ordinary Markdown.
"""
from __future__ import annotations

import html
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..markdown.link_targets import place, source_lines
from ..messages import table
from .fenced import FencedQuiz, FenceProblem, Fragment, parse_fenced_quiz
from .model import Quiz, answer_hash, normalize_answer
from .recognize import OptionParts, QuizParts, may_hold_quiz, quiz_token, recognize
from .tokens import inline_children, visible_text

# Words the component shows: message keys (kbgen.messages), in the site's language.
LABELS = {"check": "quiz.check", "retry": "quiz.retry", "key": "quiz.key", "answer": "quiz.answer",
          "short": "quiz.short"}


def _labels(env: EnvType) -> dict[str, str]:
    config = env.get("config")
    words = table(getattr(config, "language", "") or "")
    return {name: html.escape(words[key]) for name, key in LABELS.items()}
# Parts of a note's HTML between these markers are one quiz (the Quizzes page reuses them).
START_MARK = "<!--kb-quiz:{id}-->"
END_MARK = "<!--/kb-quiz:{id}-->"


def plugin(md: MarkdownIt, config: Any = None) -> None:
    md.core.ruler.push("kb_quiz", _find_quizzes)
    md.add_render_rule("quiz", render_quiz)


# --------------------------------------------------------------------------- parsing


def _find_quizzes(state: StateCore) -> None:
    if state.inlineMode:
        return
    env = state.env
    report = env.get("report")
    for i, token in enumerate(state.tokens):
        if token.type == "fence" and token.info.strip().lower() == "quiz":
            replacement = _fence_quiz(state.md, token, env, report, source_lines(state))
            if replacement is not None:
                state.tokens[i] = replacement
    if may_hold_quiz(state.src):
        _found, problems = recognize(state.tokens, state.src.split("\n"))
        for problem in problems:
            if report is not None:
                report.warning(problem.code, problem.message, body_line=problem.body_line, col=problem.col)
    found: list[Quiz] = [t.meta["quiz"] for t in state.tokens if t.type == "quiz"]
    for quiz in found:
        quiz.id = _quiz_id(env, quiz)
    if found:
        env.setdefault("data", {}).setdefault("quizzes", []).extend(found)


def _fence_quiz(md: MarkdownIt, token: Token, env: EnvType, report: Any, lines: list[str]) -> Token | None:
    first = (token.map[0] if token.map else 0) + 1  # body line of the fence's first content line
    result = parse_fenced_quiz(token.content)
    if isinstance(result, FenceProblem):
        if report is not None:
            line = first - 1 if result.line < 0 else first + result.line
            report.warning(result.code, result.message + "; rendered as a code block", body_line=line)
        return None
    quiz = result.quiz
    quiz.line = first - 1
    parts = _fence_parts(md, result, env, first, lines)
    quiz.question = visible_text(inline_children(parts.question)).strip()
    for option, option_parts in zip(quiz.options, parts.options):
        option.text = visible_text(option_parts.inline).strip()
    return quiz_token(quiz, parts, list(token.map) if token.map else None, token.level)


def _fence_parts(md: MarkdownIt, fenced: FencedQuiz, env: EnvType, first: int, lines: list[str]) -> QuizParts:
    def blocks(fragment: Fragment | None) -> list[Token]:
        tokens = parse_blocks(md, fragment.source, env, first + fragment.line) if fragment else []
        _locate_links(tokens, lines)
        return tokens

    def option(fragment: Fragment) -> OptionParts:
        line = first + fragment.line
        inline = Token("inline", "", 0, map=[line, line + 1], content=fragment.source,
                       children=parse_inline(md, fragment.source, env))
        _locate_links([inline], lines)
        return OptionParts(inline.children or [])

    return QuizParts(
        question=blocks(fenced.question),
        options=[option(f) for f in fenced.options],
        feedback={n: blocks(f) for n, f in fenced.feedback.items()},
        explanation=blocks(fenced.explanation),
    )


def _locate_links(tokens: list[Token], lines: list[str]) -> None:
    """Line and column for links in a fence's fragments: the link plugin's own rule ran before they existed."""
    for token in tokens:
        for child in token.children or []:
            if child.meta and "kb_pos" in child.meta:
                place(child.meta["kb_link"], token, child.meta.pop("kb_pos"), lines)


def parse_blocks(md: MarkdownIt, src: str, env: EnvType, line_offset: int = 0) -> list[Token]:
    """Block and inline tokens of a Markdown fragment, without re-running the core rules."""
    tokens: list[Token] = []
    md.block.parse(src, md, env, tokens)
    for token in tokens:
        if token.map:
            token.map = [token.map[0] + line_offset, token.map[1] + line_offset]
        if token.type == "inline":
            token.children = parse_inline(md, token.content, env)
    return tokens


def parse_inline(md: MarkdownIt, src: str, env: EnvType) -> list[Token]:
    children: list[Token] = []
    md.inline.parse(src, md, env, children)
    for child in children:
        if child.type == "text_special":  # what the text_join core rule would do
            child.type = "text"
    return children


def _quiz_id(env: EnvType, quiz: Quiz) -> str:
    """Stable across builds (note path + question), unique within the vault."""
    note = env.get("note")
    path = getattr(note, "src_path", "")
    base = answer_hash(path, quiz.question)
    used: set[str] = env.setdefault("_quiz_ids", set())
    ident, n = base, 1
    while ident in used:
        ident = answer_hash(base, str(n))
        n += 1
    used.add(ident)
    return ident


# --------------------------------------------------------------------------- rendering


def render_quiz(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    labels = _labels(env)
    quiz: Quiz = tokens[idx].meta["quiz"]
    parts: QuizParts = tokens[idx].meta["parts"]
    ident = html.escape(quiz.id, quote=True)
    root = f"quiz-{ident}"
    option_html = [self.renderInline(p.inline, options, env) for p in parts.options]

    out = [START_MARK.format(id=ident)]
    key = ""
    if quiz.kind == "short":
        hashes = sorted({answer_hash(quiz.id, normalize_answer(a)) for a in quiz.accepted})
        key = f' data-key="{" ".join(hashes)}"'
    out.append(f'<div class="kb-quiz" id="{root}" data-quiz="{ident}" data-kind="{quiz.kind}"{key}>\n')
    out.append(f'<div class="kb-quiz__question" id="{root}-q">\n{self.render(parts.question, options, env)}</div>\n')
    if quiz.kind == "short":
        out.append(f'<div class="kb-quiz__short"><label for="{root}-input" data-search-exclude>{labels["short"]}</label> '
                   f'<input type="text" id="{root}-input" class="kb-quiz__input" autocomplete="off" '
                   f'spellcheck="false"></div>\n')
    else:
        kind = "checkbox" if quiz.kind == "multiple" else "radio"
        out.append(f'<fieldset class="kb-quiz__options" aria-labelledby="{root}-q">\n')
        for n, (option, text) in enumerate(zip(quiz.options, option_html)):
            check = answer_hash(quiz.id, f"{n}:{int(option.correct)}")
            badge = "" if option.label == option.text else \
                f'<span class="kb-quiz__label">{html.escape(option.label)}</span> '
            extra = self.render(parts.options[n].blocks, options, env) if parts.options[n].blocks else ""
            out.append(f'<div class="kb-quiz__option" data-k="{check}">'
                       f'<input type="{kind}" name="{root}" id="{root}-{n}" value="{n}">'
                       f'<label for="{root}-{n}">{badge}<span class="kb-quiz__text">{text}</span></label>'
                       f'{extra}</div>\n')
        out.append("</fieldset>\n")
    # Buttons and feedback are not content: keep their words out of search results.
    out.append(f'<div class="kb-quiz__actions" hidden data-search-exclude><button type="button" class="md-button md-button--primary '
               f'kb-quiz__check">{labels["check"]}</button> <button type="button" class="md-button kb-quiz__retry" '
               f'hidden>{labels["retry"]}</button></div>\n')
    out.append('<p class="kb-quiz__feedback" role="status" aria-live="polite" data-search-exclude></p>\n')
    # The custom element keeps the whole key out of Material's search index even
    # when an explanation nests its own <details> or <div> (its parser un-skips
    # an excluded element when any element with the same tag name closes).
    out.append(f'<details class="kb-quiz__key success" data-search-exclude><summary>{labels["key"]}</summary>'
               f'<kb-quiz-key data-search-exclude>\n')
    out.append(_answer_html(quiz, option_html, labels["answer"]))
    if parts.feedback:
        out.append('<ul class="kb-quiz__notes">\n')
        for n, fragment in sorted(parts.feedback.items()):
            label = html.escape(quiz.options[n].label)
            out.append(f'<li data-kb-option="{n}"><strong>{label})</strong> {_render_loose(self, fragment, options, env)}</li>\n')
        out.append("</ul>\n")
    if parts.explanation:
        out.append(f'<div class="kb-quiz__explanation">\n{self.render(parts.explanation, options, env)}</div>\n')
    out.append("</kb-quiz-key></details>\n</div>\n")
    out.append(END_MARK.format(id=ident) + "\n")
    return "".join(out)


def _render_loose(self: RendererHTML, tokens: list[Token], options: OptionsDict, env: EnvType) -> str:
    """A one-paragraph fragment as inline HTML (so it runs on after a label), else as blocks."""
    if len(tokens) == 3 and tokens[0].type == "paragraph_open" and tokens[1].type == "inline":
        return self.renderInline(tokens[1].children or [], options, env)
    return self.render(tokens, options, env)


def _answer_html(quiz: Quiz, option_html: list[str], label: str) -> str:
    if quiz.kind == "short":
        shown = " · ".join(html.escape(a) for a in quiz.accepted)
    else:
        shown = " · ".join(
            text if option.label == option.text else f"{html.escape(option.label)}) {text}"
            for option, text in zip(quiz.options, option_html) if option.correct
        )
    return f'<p class="kb-quiz__answer"><strong>{label}:</strong> {shown}</p>\n'
