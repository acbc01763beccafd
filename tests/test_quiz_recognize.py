"""Quiz recognition, the ```quiz fence, malformed quizzes and flashcards, through the real renderer."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from material.plugins.search.plugin import Parser

from kbgen.config import KbgenConfig
from kbgen.markdown.renderer import NoteRenderer
from kbgen.study.model import answer_hash, normalize_answer
from kbgen.vault.vault import Vault
from render_support import messages, render

ROOT = Path(__file__).resolve().parent.parent

# Seed 000's "관련 문제" section as it reads once the double encoding is repaired.
SEED_QUIZ = """---
title: neural-network-vanishing-gradient-relu
tags:
- problem/vanishing-gradient
---

# 신경망 복잡도 증가 시 기울기 소실 문제와 ReLU 해결책

## 📝 관련 문제

**Question:** A data science team at an energy analytics company is using neural networks to improve prediction accuracy for electricity consumption. Initially underperforming, they increased model complexity by adding more layers. However, after modification, training accuracy struggles to converge. What is the most probable reason for this behavior?

**Options:**

- A) Use Amazon S3's cross-region replication feature to duplicate the training dataset
- B) Switch to ReLU activation functions to mitigate the vanishing gradient problem
- C) Apply AWS Lambda's function layering to split the neural network into smaller tasks
- D) Increase the epoch count using Amazon SageMaker's training job configuration
- E) Implement data augmentation techniques to increase dataset diversity

**정답: B) Switch to ReLU activation functions to mitigate the vanishing gradient problem**

💡 추가 설명:

- **Option A** - S3 복제는 데이터 가용성 향상이지 모델 수렴 문제 해결책이 아님
- **Option C** - Lambda 함수 레이어링은 배포/관리 최적화이지 신경망 훈련 문제와 무관
- **Option D** - 에포크 증가는 언더피팅 해결책이지만 기울기 소실로 인한 수렴 문제는 해결 불가
- **Option E** - 데이터 증강은 과적합 방지용이지 기울기 소실 문제와 무관
"""


def quizzes(rendered):
    return rendered.data.get("quizzes", [])


def search_text(page_html: str) -> str:
    """What Material's search plugin would index from this HTML (its own parser)."""
    parser = Parser()
    parser.feed(page_html)
    parser.close()
    return " ".join("".join(s.title) + " " + "".join(s.text) for s in parser.data if not s.is_excluded())


def assert_seed_quiz(rendered) -> None:
    found = quizzes(rendered)
    assert len(found) == 1
    quiz = found[0]
    assert quiz.kind == "single"
    assert quiz.question.startswith("A data science team at an energy analytics company")
    assert quiz.question.endswith("What is the most probable reason for this behavior?")
    assert [o.label for o in quiz.options] == ["A", "B", "C", "D", "E"]
    assert [o.label for o in quiz.options if o.correct] == ["B"]
    assert quiz.options[1].text == "Switch to ReLU activation functions to mitigate the vanishing gradient problem"
    with_notes = {o.label: o.feedback for o in quiz.options if o.feedback}
    assert sorted(with_notes) == ["A", "C", "D", "E"]
    assert with_notes["A"].startswith("S3 복제는")
    assert with_notes["E"].startswith("데이터 증강은")


def test_seed_transcription_is_one_quiz_with_five_options_b_correct_and_explanations():
    rendered = render(SEED_QUIZ, "seed.md")
    assert_seed_quiz(rendered)
    html = rendered.html
    quiz = quizzes(rendered)[0]
    assert html.count('type="radio"') == 5
    # Nothing in an attribute says which option is right ...
    assert not re.search(r"data-(correct|answer)", html)
    # ... the script finds it by hash: option 1 (B) carries hash(id:1:1), the others hash(id:n:0).
    keys = re.findall(r'class="kb-quiz__option" data-k="([0-9a-f]{8})"', html)
    assert keys == [answer_hash(quiz.id, f"{n}:{int(n == 1)}") for n in range(5)]
    # Explanations are attached to their options (0-based indexes of A, C, D, E).
    assert re.findall(r'<li data-kb-option="(\d)">', html) == ["0", "2", "3", "4"]
    # The answer sits in a closed <details>, and the quiz markers are gone from the text.
    assert re.search(r'<details class="kb-quiz__key[^"]*" data-search-exclude>', html)
    assert "<details open" not in html
    assert "**Options:**" not in html and "<strong>Options:</strong>" not in html
    assert "<strong>Question:</strong>" not in html
    assert rendered.diagnostics == []


def test_seed_quiz_question_is_searchable_and_the_answer_key_is_not():
    html = render(SEED_QUIZ, "seed.md").html
    text = search_text(html)
    assert "What is the most probable reason for this behavior?" in text
    assert "Implement data augmentation techniques" in text  # options are part of the question
    assert "정답" not in text
    assert "S3 복제는" not in text and "데이터 증강은" not in text
    assert "정답 확인" not in text  # button labels are not content either


def test_nested_details_and_divs_in_an_explanation_do_not_leak_into_search():
    # Material's parser un-skips an excluded element when any element with the same tag closes.
    note = """**Q.** Which one?

- A) this
- B) that

Answer: A

<details><summary>more</summary>inner</details>

<div>box</div>

SECRET-AFTER the nested blocks
"""
    rendered = render(note)
    assert len(quizzes(rendered)) == 1
    text = search_text(rendered.html)
    assert "Which one?" in text
    assert "SECRET-AFTER" not in text and "inner" not in text


def test_seed_file_itself_gives_the_same_quiz():
    pytest.importorskip("kbgen.vault.mojibake")
    from kbgen.vault.load import load_note

    root = ROOT / "notes"
    note = load_note(root / "신경망 기울기 소실과 ReLU.md", root, KbgenConfig(notes_dir=root))
    rendered = NoteRenderer(KbgenConfig(notes_dir=root)).render_note(note, Vault(root=root, notes={note.src_path: note}))
    assert_seed_quiz(rendered)
    assert not [d for d in rendered.diagnostics if d.code.startswith("quiz")]


@pytest.mark.parametrize("text, labels, correct", [
    # Options as lines of the question's paragraph, bold marker, English answer line.
    ("**Q.** What is 2+2?\nA) 3\nB) 4\nC) 5\n\n**Answer:** B\n", ["A", "B", "C"], ["B"]),
    # Korean marker, circled options, answer by number.
    ("**문제:** 시그모이드 도함수의 최댓값은?\n\n① 1\n② 0.5\n③ 0.25\n④ 0\n\n정답: ③\n", ["①", "②", "③", "④"], ["③"]),
    # An ordered list answered by number.
    ("문제 3. 활성화 함수는?\n\n1. ReLU\n2. Adam\n3. Dropout\n\n답: 1번\n", ["1", "2", "3"], ["1"]),
    # "A." options, two answers → several correct.
    ("Question: Which keep gradients?\n\n- A. ReLU\n- B. Sigmoid\n- C. Leaky ReLU\n\nCorrect answer: A, C\n",
     ["A", "B", "C"], ["A", "C"]),
    # "(A)" options and an answer given only by the option's text.
    ("**Q1.** Capital of France?\n\n- (A) Paris\n- (B) Rome\n\n답: Paris\n", ["A", "B"], ["A"]),
])
def test_question_block_variants(text, labels, correct):
    rendered = render(text)
    assert rendered.diagnostics == []
    [quiz] = quizzes(rendered)
    assert [o.label for o in quiz.options] == labels
    assert [o.label for o in quiz.options if o.correct] == correct
    kind = "checkbox" if len(correct) > 1 else "radio"
    assert rendered.html.count(f'type="{kind}"') == len(labels)


def test_per_option_explanation_lines_attach_and_general_explanation_stays():
    text = "**Q.** Pick one\n\n- A) x\n- B) y\n\n정답: A\n\n해설: 일반 설명.\nB) y는 틀렸다\n"
    rendered = render(text)
    [quiz] = quizzes(rendered)
    assert quiz.options[1].feedback == "y는 틀렸다"
    assert "일반 설명" in quiz.explanation
    assert '<p data-kb-option="1">B) y는 틀렸다</p>' in rendered.html


def test_two_quizzes_in_one_section_and_explanation_stops_at_the_next_heading():
    text = ("## 문제\n\nQ1. first?\nA) a\nB) b\n정답: A\nQ2. second?\nA) c\nB) d\n정답: B\n\n"
            "둘째 해설\n\n## 다음 절\n\n본문\n")
    rendered = render(text)
    found = quizzes(rendered)
    assert [q.question for q in found] == ["first?", "second?"]
    assert [[o.correct for o in q.options] for q in found] == [[True, False], [False, True]]
    assert found[1].explanation == "둘째 해설"
    assert '<h2 id="다음-절">' in rendered.html and "<p>본문</p>" in rendered.html
    assert "<p>본문</p>" not in rendered.html.split("<!--/kb-quiz")[1].split("-->")[0]
    assert len({q.id for q in found}) == 2


def test_inline_markdown_in_question_and_options_is_rendered():
    rendered = render("**Q.** Why is `relu` *fast*?\n\n- A) **max**(0, x)\n- B) exp\n\n정답: A\n")
    html = rendered.html
    assert "Why is <code>relu</code> <em>fast</em>?" in html
    assert '<span class="kb-quiz__text"><strong>max</strong>(0, x)</span>' in html


def test_author_text_is_escaped_in_quizzes():
    rendered = render('**Q.** <img src=x onerror=alert(1)> & "quotes"?\n\n- A) <script>x</script>\n- B) b\n\n정답: A\n')
    # Raw HTML follows the renderer's html option, like everywhere else; the model keeps text.
    [quiz] = quizzes(rendered)
    assert '"quotes"' in quiz.question


# ----------------------------------------------------------------------------- malformed

def test_no_options_warns_at_the_question_line_and_renders_as_markdown():
    text = "---\ntitle: t\n---\n\n# T\n\n**Question:** What is ReLU?\n\n**정답:** 0 이상에서 기울기 1\n"
    rendered = render(text)
    assert quizzes(rendered) == []
    assert messages(rendered, "quiz-no-options") == [
        "7:1: question has an answer line but no options (A) …, B) …); rendered as ordinary Markdown"]
    assert "<p><strong>Question:</strong> What is ReLU?</p>" in rendered.html
    assert "<p><strong>정답:</strong> 0 이상에서 기울기 1</p>" in rendered.html
    assert "kb-quiz" not in rendered.html


def test_answer_letter_that_is_not_an_option_warns_with_line_and_column():
    text = "---\ntags: [x]\n---\n**Q.** Pick\n\n- A) one\n- B) two\n\n**정답: F**\n"
    rendered = render(text)
    assert quizzes(rendered) == []
    assert messages(rendered, "quiz-bad-answer") == [
        "9:7: answer 'F' is not one of the options (A–B); rendered as ordinary Markdown"]
    assert "<li>A) one</li>" in rendered.html and "<strong>정답: F</strong>" in rendered.html


def test_options_without_an_answer_line_warn():
    rendered = render("intro\n\nQuestion: Pick\n\n- A) one\n- B) two\n")
    assert messages(rendered, "quiz-no-answer") == [
        "3:1: question has options but no answer line (정답: …/Answer: …); rendered as ordinary Markdown"]
    assert "<p>Question: Pick</p>" in rendered.html


def test_a_problem_statement_without_options_or_answer_is_just_prose():
    rendered = render("**문제:** 층이 깊어지면 기울기가 사라진다.\n\n- 원인: 시그모이드\n")
    assert quizzes(rendered) == [] and rendered.diagnostics == []
    assert "<strong>문제:</strong> 층이 깊어지면" in rendered.html


# ----------------------------------------------------------------------------- fenced

FENCED = """# Fenced

```quiz
Which activations keep the gradient at **1** for positive inputs?

- [x] ReLU
- [ ] Sigmoid
  > Its derivative is at most 0.25.
- [x] Leaky ReLU

---
ReLU's derivative is 1 for x > 0.
```

```quiz
Sigmoid의 도함수 최댓값은 0.25이다.
answer: 참
```

```quiz
What is the maximum of sigma'(x)?
answer: 0.25
answer: 1/4
---
At x = 0.
```

```quiz
Pick one
- [ ] a
- [x] b
```
"""


def test_fenced_quizzes_of_each_kind():
    rendered = render(FENCED)
    assert rendered.diagnostics == []
    multiple, truefalse, short, single = quizzes(rendered)
    assert multiple.kind == "multiple" and multiple.syntax == "fence"
    assert multiple.question == "Which activations keep the gradient at 1 for positive inputs?"
    assert [(o.label, o.text, o.correct) for o in multiple.options] == [
        ("A", "ReLU", True), ("B", "Sigmoid", False), ("C", "Leaky ReLU", True)]
    assert multiple.options[1].feedback == "Its derivative is at most 0.25."
    assert multiple.explanation == "ReLU's derivative is 1 for x > 0."
    assert truefalse.kind == "truefalse"
    assert [(o.label, o.correct) for o in truefalse.options] == [("참", True), ("거짓", False)]
    assert short.kind == "short" and short.accepted == ["0.25", "1/4"]
    assert single.kind == "single"

    html = rendered.html
    assert html.count('type="checkbox"') == 3
    assert html.count('type="radio"') == 2 + 2
    assert "Which activations keep the gradient at <strong>1</strong> for positive inputs?" in html
    assert '<li data-kb-option="1"><strong>B)</strong> Its derivative is at most 0.25.</li>' in html
    # A short answer ships as hashes of its normalized accepted answers, never as text outside the key.
    key = re.search(rf'data-quiz="{short.id}" data-kind="short" data-key="([0-9a-f ]+)"', html).group(1)
    assert set(key.split()) == {answer_hash(short.id, normalize_answer(a)) for a in ("0.25", " 1/4 ")}
    before_key = html.split(f'data-quiz="{short.id}"')[1].split('<details')[0]
    assert "0.25" not in before_key and "1/4" not in before_key


def test_malformed_fence_warns_at_its_line_and_stays_a_code_block():
    text = "---\ntitle: t\n---\n# T\n\n```quiz\nPick one\n- [ ] a\n- [ ] b\n```\n\n```quiz\n- [x] a\n```\n"
    rendered = render(text)
    assert quizzes(rendered) == []
    assert messages(rendered) == [
        "8:1: no option is marked right with '- [x]'; rendered as a code block",
        "12:1: quiz has no question text; rendered as a code block",
    ]
    assert rendered.html.count('<div class="language-quiz highlight">') == 2
    assert "- [ ] a" in rendered.html


# ----------------------------------------------------------------------------- flashcards

def test_flashcards_in_a_deck_note_become_flip_cards():
    text = ("---\ntags: [flashcards/ml]\n---\n# Cards\n\nReLU'(x) for x > 0::1\nSigmoid max slope:::**0.25**\n\n"
            "Why does a deep sigmoid net stop learning?\n?\nEach layer multiplies the gradient by at most 0.25.\n\n"
            "plain paragraph\n")
    html = render(text).html
    cards = re.findall(r'<details class="kb-card[^"]*" id="card-\w+" data-card="\w+"><summary>'
                       r'<span class="kb-card__front"><!--kb-front:\w+-->(.*?)<!--/kb-front:\w+--></span>.*?'
                       r'<div class="kb-card__back"><!--kb-back:\w+-->(.*?)<!--/kb-back:\w+--></div></details>',
                       html, re.S)
    assert cards == [
        ("ReLU'(x) for x &gt; 0", "1"),
        ("Sigmoid max slope", "<strong>0.25</strong>"),
        ("Why does a deep sigmoid net stop learning?", "Each layer multiplies the gradient by at most 0.25."),
    ]
    assert "<p>plain paragraph</p>" in html


def test_double_colons_outside_a_deck_stay_text():
    html = render("# Note\n\nauthor:: tanny\n").html
    assert "kb-card" not in html and "<p>author:: tanny</p>" in html


def test_inline_deck_tag_and_links_with_colons():
    html = render("#flashcards\n\n[a::b](https://x.test/a::b) stays\nfront::back\n").html
    assert html.count('class="kb-card"') == 1
    assert '<a href="https://x.test/a::b">a::b</a> stays' in html


def test_marker_alone_on_its_line_leaves_no_empty_emphasis():
    rendered = render("**Question:**\n\nWhat is it?\n\n- A) a\n- B) b\n\nAnswer: B\n")
    [quiz] = quizzes(rendered)
    assert quiz.question == "What is it?"
    assert '<div class="kb-quiz__question" id="quiz-' + quiz.id + '-q">\n<p>What is it?</p>\n</div>' in rendered.html
    assert "<strong></strong>" not in rendered.html


def test_links_in_quizzes_are_reported_at_their_own_line_and_column():
    text = ("# T\n\n**Q.** about [[missing-in-block]]?\n\n- A) a\n- B) b\n\n정답: A\n\n"
            "- item\n\n  ```quiz\n  about\n  - [x] go [[missing-option]]\n  - [ ] b\n    > see [[missing-feedback]]\n  ```\n")
    assert messages(render(text), "broken-link") == [
        "3:14: link target 'missing-in-block' matches no note or file",
        "14:12: link target 'missing-option' matches no note or file",
        "16:11: link target 'missing-feedback' matches no note or file",
    ]
