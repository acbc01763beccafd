"""The explicit ```` ```quiz ```` format: one question per fence.

````markdown
```quiz
Which activations keep the gradient at 1 for positive inputs?   ← question (Markdown, any lines)

- [x] ReLU                                                       ← [x] right, [ ] wrong;
- [ ] Sigmoid                                                      two or more [x] → checkboxes
  > Its derivative is at most 0.25.                              ← feedback for that option
- [x] Leaky ReLU

---                                                              ← explanation follows
ReLU's derivative is 1 for x > 0.
```
````

Instead of options: ``answer: true`` (``false``, ``참``/``거짓``, ``O``/``X``) makes a
true/false question; one or more ``answer: 0.25`` lines make a short-answer
question whose accepted answers compare without case or extra spaces.

This module reads the text only; Markdown fragments come back as source strings
with their 0-based line within the fence content, for the caller to parse (the
model's question and option texts are Markdown source until the caller replaces
them with the parsed plain text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Option, Quiz

_OPTION = re.compile(r"^[-*+]\s+\[([ xX])\]\s?(.*)$")
_FEEDBACK = re.compile(r"^\s+>\s?(.*)$")
_ANSWER = re.compile(r"^(?:answer|정답|답)\s*[:：]\s*(.*)$", re.IGNORECASE)
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
# The author's own words for true/false decide the option labels.
_TRUTH = {
    "true": ("True", "False", True), "false": ("True", "False", False),
    "참": ("참", "거짓", True), "거짓": ("참", "거짓", False),
    "o": ("O", "X", True), "x": ("O", "X", False),
    "맞다": ("맞다", "틀리다", True), "틀리다": ("맞다", "틀리다", False),
}
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class Fragment:
    source: str  # Markdown
    line: int  # 0-based line of its first line within the fence content


@dataclass
class FencedQuiz:
    quiz: Quiz
    question: Fragment
    options: list[Fragment] = field(default_factory=list)
    feedback: dict[int, Fragment] = field(default_factory=dict)
    explanation: Fragment | None = None


@dataclass
class FenceProblem:
    code: str
    message: str
    line: int  # 0-based line within the fence content (-1: the opening fence)


def parse_fenced_quiz(content: str) -> FencedQuiz | FenceProblem:
    """A quiz from the text inside a ```` ```quiz ```` fence, or why it is not one."""
    lines = content.split("\n")
    question: list[str] = []
    options: list[tuple[bool, str, int]] = []
    feedback: dict[int, list[tuple[str, int]]] = {}
    answers: list[tuple[str, int]] = []
    explanation_at = len(lines)
    for n, line in enumerate(lines):
        if _RULE.match(line) and (options or answers):
            explanation_at = n + 1
            break
        option = _OPTION.match(line)
        answer = _ANSWER.match(line.strip())
        feedback_line = _FEEDBACK.match(line)
        if option:
            options.append((option.group(1) != " ", option.group(2).strip(), n))
        elif feedback_line and options and not answers:
            feedback.setdefault(len(options) - 1, []).append((feedback_line.group(1), n))
        elif answer:
            answers.append((answer.group(1).strip(), n))
        elif options or answers:
            if line.strip():
                return FenceProblem("quiz-fence-syntax", f"unexpected line in quiz: {line.strip()[:40]!r} "
                                    "(options are '- [x] …'/'- [ ] …', answers 'answer: …', explanation after '---')", n)
        else:
            question.append(line)

    question_text = "\n".join(question).strip()
    if not question_text:
        return FenceProblem("quiz-no-question", "quiz has no question text", -1)
    q_fragment = Fragment("\n".join(question), 0)
    explanation = None
    if explanation_at < len(lines) and "\n".join(lines[explanation_at:]).strip():
        explanation = Fragment("\n".join(lines[explanation_at:]), explanation_at)
    plain_explanation = " ".join(l.strip() for l in lines[explanation_at:] if l.strip())

    if options and answers:
        return FenceProblem("quiz-fence-syntax", "quiz has both options and 'answer:' lines; use one or the other",
                            answers[0][1])
    if options:
        correct = sum(1 for right, _, _ in options if right)
        if len(options) < 2:
            return FenceProblem("quiz-no-options", "quiz has fewer than two options", options[0][2])
        if not correct:
            return FenceProblem("quiz-no-answer", "no option is marked right with '- [x]'", options[0][2])
        model = [Option(_LETTERS[n % 26], text, right, " ".join(t for t, _ in feedback.get(n, [])))
                 for n, (right, text, _) in enumerate(options)]
        quiz = Quiz("multiple" if correct > 1 else "single", question_text, model,
                    explanation=plain_explanation, syntax="fence")
        return FencedQuiz(
            quiz, q_fragment,
            options=[Fragment(text, line) for _, text, line in options],
            feedback={n: Fragment("\n".join(t for t, _ in items), items[0][1]) for n, items in feedback.items()},
            explanation=explanation,
        )
    if not answers:
        return FenceProblem("quiz-no-options", "quiz has no options ('- [x] …') and no 'answer: …' line", -1)
    truth = _TRUTH.get(answers[0][0].lower()) if len(answers) == 1 else None
    if truth is not None:
        yes, no, value = truth
        model = [Option(yes, yes, value), Option(no, no, not value)]
        quiz = Quiz("truefalse", question_text, model, explanation=plain_explanation, syntax="fence")
        return FencedQuiz(quiz, q_fragment, options=[Fragment(yes, answers[0][1]), Fragment(no, answers[0][1])],
                          explanation=explanation)
    accepted = [text for text, _ in answers if text]
    if not accepted:
        return FenceProblem("quiz-no-answer", "'answer:' line is empty", answers[0][1])
    quiz = Quiz("short", question_text, accepted=accepted, explanation=plain_explanation, syntax="fence")
    return FencedQuiz(quiz, q_fragment, explanation=explanation)

