"""Every flashcard kind, stable card ids, the per-note count line and the review page's data."""
from __future__ import annotations

import json
import re
from pathlib import Path

from kbgen.build import build_vault
from kbgen.config import KbgenConfig
from kbgen.study.cards import card_id
from kbgen.study.note_count import REVIEW_SRC
from render_support import render

DECK = "---\ntags: [flashcards]\n---\n# Deck\n\n"


def cards(text: str, name: str = "note.md") -> list:
    return render(text, name).data.get("cards", [])


def test_each_card_kind_and_its_review_ids():
    found = cards(DECK + "one::two\nthree:::four\n\nmulti front\n??\nmulti back\n\n"
                  "plain front\n?\nplain back\n\nThe ==vanishing== and {{c3::exploding::hint}} gradients.\n")
    assert [(c.kind, c.front, c.back) for c in found] == [
        ("basic", "one", "two"),
        ("reversed", "three", "four"),
        ("reversed", "multi front", "multi back"),
        ("basic", "plain front", "plain back"),
        ("cloze", "The vanishing and exploding gradients.", ""),
    ]
    reversed_card, cloze = found[1], found[4]
    assert reversed_card.review_ids() == [reversed_card.id, reversed_card.id + "-r"]
    # {{c3::…}} keeps its number; a highlight takes the next one.
    assert cloze.groups == ["4", "3"]  # in reading order
    assert cloze.review_ids() == [cloze.id + "-c4", cloze.id + "-c3"]


def test_cloze_stays_a_highlight_on_the_note_page_and_bold_is_no_cloze():
    html = render(DECK + "The ==vanishing gradient== and **ReLU** fix.\n\nCurly {{c1::one}} text\n").html
    assert '<mark class="kb-cloze" data-cloze="1">vanishing gradient</mark>' in html
    assert "<strong>ReLU</strong>" in html
    assert '<span class="kb-cloze" data-cloze="1">one</span> text' in html and "{{c1" not in html
    # Outside a deck a highlight is only a highlight.
    assert "<p>The <mark>vanishing</mark> gap.</p>" in render("# N\n\nThe ==vanishing== gap.\n").html


def test_card_ids_follow_note_and_text_not_position():
    before = cards(DECK + "alpha::1\nbeta::2\n")
    after = cards(DECK + "new card::0\nbeta::2 edited\nalpha::1\n")
    ids_before = {c.front: c.id for c in before}
    ids_after = {c.front: c.id for c in after}
    assert ids_after["alpha"] == ids_before["alpha"] == card_id("note.md", "basic", "alpha")
    assert ids_after["beta"] == ids_before["beta"]  # the back changed, the question did not
    assert ids_after["alpha"] != cards(DECK + "alpha::1\n", "other.md")[0].id  # another note, another card
    twice = cards(DECK + "same::1\nsame::2\n")
    assert len({c.id for c in twice}) == 2


def test_the_count_line_precedes_the_first_study_block_with_every_review_id():
    rendered = render("# N\n\nintro\n\n```quiz\nPick\n- [x] a\n- [ ] b\n```\n\n#flashcards\n\nq::a\n", "dir/n.md")
    quiz_id = rendered.data["quizzes"][0].id
    card = rendered.data["cards"][0]
    line = re.search(r'<p class="kb-study-count"[^>]*data-cards="([^"]*)"[^>]*><a href="([^"]*)">([^<]*)</a>',
                     rendered.html)
    assert line is not None
    assert line.group(1).split() == [quiz_id, card.id]
    assert line.group(2) == "../../review/#note=dir/n.md"
    assert line.group(3) == "카드 2장"
    assert rendered.html.index("kb-study-count") < rendered.html.index('class="kb-quiz"')
    assert "kb-study-count" not in render("# N\n\nno cards\n").html


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")


def review_data(build) -> dict:  # type: ignore[no-untyped-def]
    """The deck the review page loads: its script review-data.js, and every card's HTML from the bank."""
    files = {f.dest: f.read_bytes().decode() for f in build.files if f.dest.startswith("assets/kbgen/banks/review")}
    prefix = '(window.kbgenBanks=window.kbgenBanks||{})["review-data"]='
    text = files.pop("assets/kbgen/banks/review-data.js")
    assert text.startswith(prefix) and text.endswith(";\n")
    data = json.loads(text[len(prefix):-2])
    data["templates"] = []
    for n in range(len(files)):
        chunk = files[f"assets/kbgen/banks/review-{n}.js"]
        data["templates"].extend(json.loads(chunk[chunk.index("]=") + 2:-2]))
    return data


def test_review_page_ships_published_cards_only_with_escaped_titles(tmp_path):
    title = "</script><script>alert(1)</script>"
    write(tmp_path, "a/deck.md", f"---\ntitle: '{title}'\ntags: [flashcards, ml]\n---\n\nfront $x^2$::back\n")
    write(tmp_path, "draft.md", "---\ndraft: true\ntags: [flashcards]\n---\n\nsecret::card\n")
    build = build_vault(KbgenConfig(notes_dir=tmp_path))
    data = review_data(build)
    [page] = [p for p in build.pages if p.src_path == REVIEW_SRC]
    assert "<script>alert" not in page.html
    assert data["notes"] == [{"path": "a/deck.md", "title": title, "tags": ["flashcards", "ml"], "href": "../a/deck/"}]
    [card] = data["cards"]
    assert card["k"] == "card" and card["id"] == build.rendered["a/deck.md"].data["cards"][0].id
    assert "secret" not in page.html and "secret" not in json.dumps(data)
    # Math arrives typeset (cut from the finished note), and ts-fsrs is served beside the page.
    [template] = data["templates"]
    assert 'class="katex"' in template and card["t"] == 0
    assert any(f.dest == "assets/ts-fsrs/index.umd.js" for f in build.files)
    assert 'data-fsrs-src="../assets/ts-fsrs/index.umd.js"' in page.html


def test_a_note_at_review_md_keeps_its_url_and_the_review_page_and_count_lines_move_together(tmp_path):
    # The review page's URL comes from the one URL function (kbgen.vault.urls.UrlMap): the note keeps
    # /review/, the page gets /review-2/, and every note's count line links to where the page really is.
    write(tmp_path, "review.md", "# My review notes\n")
    write(tmp_path, "a/deck.md", "---\ntags: [flashcards]\n---\n\nq::a\n")
    build = build_vault(KbgenConfig(notes_dir=tmp_path))
    assert build.vault.notes["review.md"].url == "review/"
    [page] = [p for p in build.pages if p.src_path == REVIEW_SRC]
    assert page.url == "review-2/"
    assert review_data(build)["notes"][0]["href"] == "../a/deck/"
    link = re.search(r'<p class="kb-study-count"[^>]*><a href="([^"]*)">', build.rendered["a/deck.md"].html)
    assert link is not None and link.group(1) == "../../review-2/#note=a/deck.md"
