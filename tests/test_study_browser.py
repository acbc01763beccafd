"""The review page and the per-note card counts in headless Chromium, on a real `kbgen build` site."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser_support import block_external_requests, build_site, require_browser

CARDS = """---
tags: [flashcards, ml]
---
# Cards

What kills gradients?::sigmoid saturation
ReLU'(x) for x > 0:::1

The ==vanishing gradient== problem stops deep nets learning.
"""

QUIZ = """---
tags: [practice]
---
# Quiz note

```quiz
Which activation keeps the gradient at 1 for positive inputs?

- [x] ReLU
- [ ] Sigmoid
```
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    require_browser()
    return build_site(tmp_path_factory.mktemp("study-site"), {"cards.md": CARDS, "quiz.md": QUIZ})


@pytest.fixture
def new_page(browser):
    """Pages with their own localStorage each; any script error fails the test."""
    contexts, errors = [], []

    def make():  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
        block_external_requests(context)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []


def saved_state(page) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(page.evaluate("localStorage.getItem('kbgen.review')") or "{}")


def test_flashcard_graded_by_keyboard_is_not_due_after_reload(new_page, base_url):
    from playwright.sync_api import expect

    page = new_page()
    page.goto(base_url + "review/#note=cards.md")
    summary = page.locator(".kb-review__summary")
    expect(summary).to_have_text("지금 복습할 카드 4장 · 전체 4장")  # a card, a reversed pair, a cloze
    card = page.locator(".kb-review__card")
    expect(card.locator(".kb-review__front")).to_have_text("What kills gradients?")
    expect(card.locator(".kb-review__back")).to_be_hidden()
    # Only the "show" button until the answer is shown (Material's buttons ignore a bare [hidden]).
    expect(page.locator(".kb-review__grades")).to_be_hidden()
    expect(page.locator(".kb-review__next")).to_be_hidden()
    first_id = card.get_attribute("data-card")

    # Keyboard only: the focused "show" button takes Space, then "1"–"4" grade.
    expect(page.locator(".kb-review__show")).to_be_focused()
    page.keyboard.press("Space")
    expect(card.locator(".kb-review__back")).to_have_text("sigmoid saturation")
    expect(page.locator(".kb-review__grade[data-rating='3']")).to_be_focused()
    expect(page.locator(".kb-review__show")).to_be_hidden()
    page.keyboard.press("3")
    expect(summary).to_have_text("지금 복습할 카드 3장 · 전체 4장")

    state = saved_state(page)
    assert state["version"] == 1
    assert state["cards"][first_id]["reps"] == 1
    page.reload()
    expect(summary).to_have_text("지금 복습할 카드 3장 · 전체 4장")
    expect(card).not_to_have_attribute("data-card", first_id)
    # The reversed card asks its back first.
    expect(card.locator(".kb-review__front")).to_have_text("ReLU'(x) for x > 0")


def test_cloze_is_a_blank_on_the_review_page_and_a_highlight_on_the_note(new_page, base_url):
    from playwright.sync_api import expect

    page = new_page()
    page.goto(base_url + "cards/")
    expect(page.locator("article mark", has_text="vanishing gradient")).to_be_visible()

    page.goto(base_url + "review/#note=cards.md")
    card = page.locator(".kb-review__card")
    for _ in range(3):  # card, reversed pair: grade them Easy to reach the cloze
        page.locator(".kb-review__show").click()
        page.locator(".kb-review__grade[data-rating='4']").click()
    expect(card).to_have_attribute("data-kind", "cloze")
    expect(card).to_contain_text("The […] problem stops deep nets learning.")
    expect(card).not_to_contain_text("vanishing")
    page.locator(".kb-review__show").click()
    expect(card.locator(".kb-cloze.is-answer")).to_have_text("vanishing gradient")


def test_quiz_answered_in_place_then_nothing_is_due(new_page, base_url):
    from playwright.sync_api import expect

    page = new_page()
    page.goto(base_url + "review/")
    page.locator(".kb-review__note").select_option("quiz.md")
    card = page.locator(".kb-review__card")
    expect(card.locator(".kb-quiz")).to_be_visible()
    card.get_by_label("ReLU").check()
    card.get_by_role("button", name="정답 확인").click()
    expect(card.locator(".kb-quiz")).to_have_attribute("data-state", "correct")
    expect(page.locator(".kb-review__next")).to_be_focused()
    page.keyboard.press("Enter")
    expect(card).to_have_text("지금 복습할 카드가 없습니다.")
    quiz_id = next(iter(saved_state(page)["cards"]))
    assert saved_state(page)["cards"][quiz_id]["state"] != 0  # graded Good, out of "new"


def test_progress_exports_and_imports_into_a_fresh_browser(new_page, base_url, tmp_path):
    from playwright.sync_api import expect

    page = new_page()
    page.goto(base_url + "review/#note=cards.md")
    page.locator(".kb-review__show").click()
    page.locator(".kb-review__grade[data-rating='4']").click()
    graded = list(saved_state(page)["cards"])
    with page.expect_download() as download:
        page.locator(".kb-review__export").click()
    path = tmp_path / "progress.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["format"] == "kbgen-review" and list(exported["cards"]) == graded

    other = new_page()  # another browser: nothing reviewed yet
    other.goto(base_url + "review/#note=cards.md")
    summary = other.locator(".kb-review__summary")
    expect(summary).to_have_text("지금 복습할 카드 4장 · 전체 4장")
    other.locator(".kb-review__file").set_input_files(str(path))
    expect(summary).to_have_text("카드 1장의 기록을 가져왔습니다. 지금 복습할 카드 3장 · 전체 4장")
    assert list(saved_state(other)["cards"]) == graded

    path.write_text('{"cards": 1}', encoding="utf-8")
    other.locator(".kb-review__file").set_input_files(str(path))
    expect(summary).to_have_text("가져오지 못했습니다: kbgen 복습 기록 파일이 아닙니다.")


def test_note_shows_its_counts_and_links_to_its_filtered_review(new_page, base_url):
    from playwright.sync_api import expect

    page = new_page()
    page.goto(base_url + "cards/")
    line = page.locator(".kb-study-count")
    expect(line).to_have_text("카드 4장 · 복습할 카드 4장")
    line.locator("a").click()
    expect(page.locator(".kb-review__note")).to_have_value("cards.md")
    page.locator(".kb-review__show").click()
    page.locator(".kb-review__grade[data-rating='3']").click()
    page.goto(base_url + "cards/")
    expect(page.locator(".kb-study-count")).to_have_text("카드 4장 · 복습할 카드 3장")

    page.goto(base_url + "quiz/")
    expect(page.locator(".kb-study-count")).to_have_text("카드 1장 · 복습할 카드 1장")
