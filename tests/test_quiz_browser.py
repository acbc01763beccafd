"""Quizzes in a real browser: a full `kbgen build` site served locally, driven by headless Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.vault.urls import note_url as kbgen_note_url
from browser_support import block_external_requests, build_site, require_browser

ROOT = Path(__file__).resolve().parent.parent
SEED = "신경망 기울기 소실과 ReLU.md"

FENCED = """---
tags: [practice]
---
# Fenced quizzes

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
기울기가 사라지는 현상의 이름은?
answer: 기울기 소실
answer: vanishing gradient
---
EXPLAINED-SHORT
```
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    require_browser()
    pytest.importorskip("kbgen.vault.mojibake")  # the seed note is double-encoded
    seed = (ROOT / "notes" / SEED).read_bytes().decode("utf-8")
    return build_site(tmp_path_factory.mktemp("quiz-site"), {SEED: seed, "fenced.md": FENCED})


@pytest.fixture
def page(browser, base_url):
    """A fresh page (own localStorage) that fails the test on any script error."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    block_external_requests(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def note_url(base: str, name: str) -> str:
    return base + kbgen_note_url(name)


def test_seed_quiz_wrong_then_right_shows_feedback_and_explanations(page, base_url, tmp_path):
    from playwright.sync_api import expect

    page.goto(note_url(base_url, SEED))
    quiz = page.locator(".kb-quiz").first
    key = quiz.locator(".kb-quiz__key")
    expect(quiz.locator(".kb-quiz__option")).to_have_count(5)
    # Before answering the answer is not shown.
    expect(key).not_to_have_attribute("open", "")
    expect(quiz.locator(".kb-quiz__answer")).not_to_be_visible()

    quiz.get_by_label("Use Amazon S3's cross-region replication").check()
    quiz.get_by_role("button", name="정답 확인").click()
    expect(quiz).to_have_attribute("data-state", "incorrect")
    expect(quiz.locator(".kb-quiz__feedback")).to_have_text("오답입니다. 다시 골라 보세요.")
    # The author's explanation of option A appears under it; the key stays closed.
    option_a = quiz.locator(".kb-quiz__option").nth(0)
    expect(option_a).to_have_class("kb-quiz__option is-wrong")
    expect(option_a.locator(".kb-quiz__note")).to_contain_text("S3 복제는")
    expect(quiz.locator(".kb-quiz__answer")).not_to_be_visible()

    quiz.get_by_label("Switch to ReLU activation functions").check()
    quiz.get_by_role("button", name="정답 확인").click()
    expect(quiz).to_have_attribute("data-state", "correct")
    expect(quiz.locator(".kb-quiz__feedback")).to_have_text("정답입니다!")
    expect(quiz.locator(".kb-quiz__option").nth(1)).to_have_class("kb-quiz__option is-right")
    expect(key).to_have_attribute("open", "")
    expect(quiz.locator(".kb-quiz__answer")).to_be_visible()
    expect(quiz.locator(".kb-quiz__answer")).to_contain_text("B) Switch to ReLU")
    for text in ("S3 복제는", "Lambda 함수", "에포크 증가는", "데이터 증강은"):
        expect(key.locator(".kb-quiz__explanation li", has_text=text)).to_be_visible()
    quiz.screenshot(path=str(tmp_path / "seed-quiz.png"))

    # Progress survives a reload: the first try was wrong.
    page.reload()
    expect(page.locator(".kb-quiz").first.locator(".kb-quiz__history")).to_have_text("지난 기록: 틀림")


def test_quizzes_are_keyboard_operable(page, base_url):
    from playwright.sync_api import expect

    page.goto(note_url(base_url, "fenced.md"))
    quiz = page.locator(".kb-quiz").first  # several answers: checkboxes
    boxes = quiz.locator("input[type=checkbox]")
    expect(boxes).to_have_count(3)
    boxes.nth(0).focus()
    page.keyboard.press("Space")  # A: ReLU
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # B: Sigmoid (wrong)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past C, onto the check button
    expect(quiz.get_by_role("button", name="정답 확인")).to_be_focused()
    page.keyboard.press("Space")
    expect(quiz).to_have_attribute("data-state", "incorrect")
    expect(quiz.locator(".kb-quiz__option").nth(1).locator(".kb-quiz__note")).to_contain_text("at most 0.25")

    page.keyboard.press("Shift+Tab")  # back to C
    page.keyboard.press("Space")  # C: Leaky ReLU
    page.keyboard.press("Shift+Tab")  # B
    page.keyboard.press("Space")  # untick Sigmoid
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(quiz).to_have_attribute("data-state", "correct")
    expect(quiz.locator(".kb-quiz__explanation")).to_be_visible()
    expect(quiz.get_by_role("button", name="다시 풀기")).to_be_focused()  # focus is not dropped

    short = page.locator(".kb-quiz").nth(1)
    short.get_by_label("답").focus()
    page.keyboard.type("  Vanishing   Gradient ")
    page.keyboard.press("Enter")
    expect(short).to_have_attribute("data-state", "correct")
    expect(short.locator(".kb-quiz__explanation")).to_contain_text("EXPLAINED-SHORT")


def test_practice_mode_runs_every_quiz_and_shows_the_score(page, base_url):
    from playwright.sync_api import expect

    page.goto(base_url + "quizzes/")
    practice = page.locator(".kb-practice")
    expect(practice).to_be_visible()
    expect(practice.locator(".kb-practice__progress")).to_have_text("퀴즈 3개 · 푼 문제 0개 · 맞힌 문제 0개")
    practice.get_by_role("button", name="연습 시작").click()
    answers = {
        "Which activations": ["A ReLU", "C Leaky ReLU"],  # a label reads "letter text"
        "A data science team": ["B Switch to ReLU activation functions"],
    }
    for n in range(3):
        quiz = practice.locator(".kb-practice__slot .kb-quiz")
        expect(practice.locator(".kb-practice__counter")).to_contain_text(f"{n + 1} / 3")
        question = quiz.locator(".kb-quiz__question").inner_text()
        if question.startswith("기울기가"):
            quiz.get_by_label("답").fill("기울기 소실")
        else:
            for label in next(v for k, v in answers.items() if question.startswith(k)):
                quiz.get_by_label(label).check()
        quiz.get_by_role("button", name="정답 확인").click()
        expect(quiz).to_have_attribute("data-state", "correct")
        practice.locator(".kb-practice__next").click()
    expect(practice.locator(".kb-practice__result")).to_have_text("끝! 점수: 3 / 3")
    expect(practice.locator(".kb-practice__progress")).to_have_text("퀴즈 3개 · 푼 문제 3개 · 맞힌 문제 3개")
    practice.get_by_role("button", name="기록 초기화").click()
    expect(practice.locator(".kb-practice__progress")).to_have_text("퀴즈 3개 · 푼 문제 0개 · 맞힌 문제 0개")


def test_without_javascript_the_answer_waits_in_a_closed_details(browser, base_url):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(note_url(base_url, SEED))
    quiz = page.locator(".kb-quiz").first
    expect(quiz.locator(".kb-quiz__check")).to_be_hidden()
    expect(quiz.locator(".kb-quiz__answer")).to_be_hidden()
    quiz.locator(".kb-quiz__key summary").click()
    expect(quiz.locator(".kb-quiz__answer")).to_contain_text("B) Switch to ReLU")
    expect(quiz.locator(".kb-quiz__explanation")).to_contain_text("데이터 증강은")
    context.close()
