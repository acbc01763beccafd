"""Generated pages that would grow with the vault are split: tag lists and the Quizzes list into pages,
the quiz and card HTML of the Quizzes and review pages into bank chunks loaded on demand.

One real `kbgen build` of a 300-note bench vault with ``list_page_size: 20`` (chunks of 5): every
note and quiz is listed exactly once across the parts, the parts link to each other, every link on
them resolves, and the practice mode and the review page work across chunks in Chromium (served, and
from file://).
"""
from __future__ import annotations

import json
import posixpath
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"
PAGE_SIZE = 20
CHUNK = PAGE_SIZE // 4


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from kbgen.cli import main

    if not MAKE_VAULT.is_file():
        pytest.skip(f"{MAKE_VAULT} not available")
    base = tmp_path_factory.mktemp("paging")
    subprocess.run([sys.executable, str(MAKE_VAULT), str(base / "notes"), "300"], check=True,
                   stdout=subprocess.DEVNULL)
    config = base / "mkdocs.yml"
    config.write_text(
        f"site_name: paging\ndocs_dir: notes\nsite_dir: site\ntheme:\n  name: material\n  language: ko\n"
        f"plugins:\n  - search\n  - kbgen:\n      list_page_size: {PAGE_SIZE}\n", encoding="utf-8")
    assert main(["build", "--config", str(config), "-q"]) == 0
    return base / "site"


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def target(site: Path, page_rel: str, href: str) -> str:
    """The site file (relative) an href on the page ``page_rel`` leads to."""
    path = unquote(href.split("#", 1)[0].split("?", 1)[0])
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path)) if path else page_rel
    if path.endswith("/") or (site / joined).is_dir():
        joined = posixpath.join(joined, "index.html")
    return joined


def parts(site: Path, first: str) -> list[str]:
    """The pages of a listing, following each page's "next" link from the first."""
    out = [first]
    while True:
        found = re.search(r'<nav class="kb-pager".*?</nav>', read(site, out[-1]), re.S)
        nxt = found and re.search(r'<a href="([^"]+)" rel="next">', found.group(0))
        if not nxt:
            return out
        out.append(target(site, out[-1], nxt.group(1)))
        assert len(out) < 1000


def article(html: str) -> str:
    return re.search(r"<article\b.*?</article>", html, re.S).group(0)


def bank_items(site: Path, name: str) -> list:
    items: list = []
    n = 0
    while (site / f"assets/kbgen/banks/{name}-{n}.js").is_file():
        text = read(site, f"assets/kbgen/banks/{name}-{n}.js")
        prefix = f'(window.kbgenBanks=window.kbgenBanks||{{}})["{name}-{n}"]='
        assert text.startswith(prefix)
        chunk = json.loads(text[len(prefix):].rstrip().rstrip(";"))
        assert 0 < len(chunk) <= CHUNK
        items.extend(chunk)
        n += 1
    return items


def test_every_note_of_a_tag_is_listed_exactly_once_across_its_pages(site: Path):
    # What the note pages say about their tags (their chips), against what the tag pages list.
    tagged: dict[str, set[str]] = {}
    for page in site.rglob("index.html"):
        rel = page.relative_to(site).as_posix()
        chips = re.search(r'<nav class="md-tags"\s*>(.*?)</nav>', page.read_text(encoding="utf-8"), re.S)
        for href in re.findall(r'href="([^"]+)"', chips.group(1) if chips else ""):
            tagged.setdefault(target(site, rel, href), set()).add(rel)
    assert tagged
    split = 0
    for tag_page, notes in tagged.items():
        pages = parts(site, tag_page)
        split += len(pages) > 1
        listed: Counter[str] = Counter()
        for rel in pages:
            entries = re.findall(r'<li><a href="([^"]+)">', article(read(site, rel)).split('<h2 id="notes">', 1)[1])
            assert 0 < len(entries) <= PAGE_SIZE
            listed.update(target(site, rel, href) for href in entries)
        assert max(listed.values()) == 1, tag_page  # no note twice
        assert notes <= set(listed), tag_page  # every note wearing the chip (a parent lists its children's too)
        total = int(re.search(r'<h2 id="notes">[^<]*<span class="kb-tag-count">(\d+)</span>',
                              read(site, tag_page)).group(1))
        assert total == sum(listed.values())
    assert split >= 5  # the bench vault's tags have ~30 notes each: two pages each


def test_every_quiz_is_listed_once_per_tag_and_banked_once(site: Path):
    pages = parts(site, "quizzes/index.html")
    assert len(pages) > 5
    lines: Counter[tuple[str, str]] = Counter()
    for rel in pages:
        body = article(read(site, rel))
        rows = 0
        for heading, listing in re.findall(r'<h2 id="([^"]+)">.*?</h2>\s*<ul class="kb-quiz-list">(.*?)</ul>', body, re.S):
            for quiz_id in re.findall(r'<li><a href="[^"]+#quiz-([0-9a-f]{8})">', listing):
                lines[(heading, quiz_id)] += 1
                rows += 1
        assert 0 < rows <= PAGE_SIZE
        assert "kb-quiz__" not in body  # no quiz component: those are in the bank
    assert max(lines.values()) == 1
    practice = json.loads(re.search(r'class="kb-practice__data">(.*?)</script>', read(site, "quizzes/index.html")).group(1))
    ids = [quiz_id for quiz_id, _ in practice["quizzes"]]
    assert len(ids) == len(set(ids)) == 100  # make_vault.py: a quiz in every third note
    assert {quiz_id for _, quiz_id in lines} == set(ids)
    # Each quiz is listed under each of its tags, and nowhere else.
    per_quiz = Counter(quiz_id for _, quiz_id in lines)
    assert all(per_quiz[q] == len(tags) for q, tags in practice["quizzes"])
    items = bank_items(site, "quizzes")
    assert practice["size"] == CHUNK and len(items) == 100
    assert [re.search(r"#quiz-([0-9a-f]{8})$", href).group(1) for href, _, _ in items] == ids
    assert all(f'id="quiz-{quiz_id}"' in html for (_, _, html), quiz_id in zip(items, ids))


def test_the_review_page_ships_no_card_and_its_bank_holds_each_once(site: Path):
    page = read(site, "review/index.html")
    assert "kb-quiz__" not in page and "kb-review__front" not in page
    text = read(site, "assets/kbgen/banks/review-data.js")
    data = json.loads(text[text.index("]=") + 2:].rstrip().rstrip(";"))
    templates = bank_items(site, "review")
    assert len(data["cards"]) == len({c["id"] for c in data["cards"]}) == 100
    assert sorted(c["t"] for c in data["cards"]) == list(range(len(templates)))
    assert all(f'id="quiz-{c["id"]}"' in templates[c["t"]] for c in data["cards"])


def test_every_link_and_script_on_the_split_pages_resolves(site: Path):
    pages = [p.relative_to(site).as_posix() for folder in ("tags", "quizzes", "review")
             for p in (site / folder).rglob("index.html")]
    assert any("/page/" in p for p in pages)
    checked = 0
    for rel in pages:
        html = read(site, rel)
        for href in re.findall(r'(?:href|src|data-src|data-fsrs-src)="([^"]+)"', html):
            if re.match(r"^[a-z]+:|^#|^/", href):
                continue
            assert (site / target(site, rel, href)).is_file(), f"{rel}: {href}"
            checked += 1
    assert checked > 1000


def test_a_note_page_weighs_what_its_content_and_navigation_need(site: Path):
    """Bounds from each page's own content: Material's chrome is fixed plus a little per navigation link;
    a backlink is its excerpt's text and formulas' MathML plus a few tags — not KaTeX's HTML again."""
    pages = [p for p in site.rglob("index.html") if 'class="kb-dates"' in p.read_text(encoding="utf-8")]
    assert len(pages) == 300
    backlinks = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        body = article(html)
        chrome = len(html.encode()) - len(body.encode())
        nav_links = len(re.findall(r'class="md-nav__link', html))
        assert chrome <= 10_000 + 250 * nav_links, page
        aside = re.search(r'<aside class="kb-backlinks".*?</aside>', body, re.S)
        if aside is None:
            continue
        assert "katex-html" not in aside.group(0)
        for item in re.findall(r"<li>.*?</li>", aside.group(0), re.S):
            formulas = re.findall(r"<math\b.*?</math>", item, re.S)
            text = re.sub(r"<[^>]+>", "", re.sub(r"<math\b.*?</math>", "", item, flags=re.S))
            markup = len(item.encode()) - len(text.encode()) - sum(len(f.encode()) for f in formulas)
            assert markup <= 500, item
            backlinks += 1
    assert backlinks > 300


# ------------------------------------------------------------------ in Chromium


def _answer_shown_quiz(scope) -> None:  # type: ignore[no-untyped-def]
    quiz = scope.locator(".kb-quiz").first
    quiz.locator("input").first.check()
    quiz.get_by_role("button", name="정답 확인").click()


def _practice_across_chunks(page, url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url)
    practice = page.locator(".kb-practice")
    expect(practice.locator(".kb-practice__progress")).to_have_text("퀴즈 100개 · 푼 문제 0개 · 맞힌 문제 0개")
    practice.get_by_role("button", name="연습 시작").click()
    seen = set()
    for n in range(CHUNK + 2):  # past the first chunk
        expect(practice.locator(".kb-practice__counter")).to_contain_text(f"{n + 1} / 100")
        quiz = practice.locator(".kb-practice__slot .kb-quiz")
        expect(quiz).to_have_count(1)
        seen.add(quiz.get_attribute("id"))
        expect(practice.locator(".kb-practice__source")).to_contain_text("노트 보기: ")
        _answer_shown_quiz(practice.locator(".kb-practice__slot"))
        expect(quiz).to_have_attribute("data-state", re.compile(".+"))
        practice.locator(".kb-practice__next").click()
    assert len(seen) == CHUNK + 2
    expect(practice.locator(".kb-practice__progress")).to_contain_text(f"푼 문제 {CHUNK + 2}개")
    banks = {u.rsplit("/", 1)[1] for u in requested if "/banks/" in u}
    assert banks == {"quizzes-0.js", "quizzes-1.js"}  # in order: one chunk, then the next, nothing more


@pytest.fixture
def page(browser):
    """A page with its own localStorage; a script error on it fails the test."""
    context = browser.new_context()
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def test_practice_mode_runs_across_bank_chunks(page, base_url):
    _practice_across_chunks(page, base_url + "quizzes/")


def test_practice_mode_works_from_file_urls(page, site):
    _practice_across_chunks(page, (site / "quizzes" / "index.html").as_uri())


def test_review_schedules_cards_from_several_chunks_and_keeps_state(page, base_url):
    from playwright.sync_api import expect

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base_url + "review/")
    summary = page.locator(".kb-review__summary")
    expect(summary).to_have_text("지금 복습할 카드 100장 · 전체 100장")
    expect(page.locator(".kb-review__note option")).to_have_count(101)  # "all" and every note with cards
    card = page.locator(".kb-review__card")
    for n in range(CHUNK + 2):
        expect(card.locator(".kb-quiz")).to_have_count(1)
        _answer_shown_quiz(card)
        page.locator(".kb-review__next").click()
        expect(summary).to_have_text(f"지금 복습할 카드 {100 - n - 1}장 · 전체 100장")
    state = json.loads(page.evaluate("localStorage.getItem('kbgen.review')"))
    assert len(state["cards"]) == CHUNK + 2
    assert {u.rsplit("/", 1)[1] for u in requested if "/banks/" in u} == {"review-data.js", "review-0.js", "review-1.js"}
    # A reload starts from the saved state: the graded cards are not due.
    page.reload()
    expect(summary).to_have_text(f"지금 복습할 카드 {100 - CHUNK - 2}장 · 전체 100장")
    assert card.locator(".kb-quiz").get_attribute("id").removeprefix("quiz-") not in state["cards"]


def test_a_long_folder_list_and_the_all_notes_page_go_on_over_further_pages(tmp_path: Path):
    from kbgen.build import build_vault
    from kbgen.config import KbgenConfig

    notes = tmp_path / "notes"
    (notes / "flat").mkdir(parents=True)
    for n in range(45):
        (notes / "flat" / f"f{n:02d}.md").write_text(f"# Flat {n:02d}\n", encoding="utf-8")
        (notes / f"top{n:02d}.md").write_text(f"# Top {n:02d}\n", encoding="utf-8")
    build = build_vault(KbgenConfig(notes_dir=notes, list_page_size=PAGE_SIZE))
    by_url = {page.url: page for page in build.pages}
    for first, wanted in (("flat/", {f"Flat {n:02d}" for n in range(45)}),
                          ("all/", {f"Top {n:02d}" for n in range(45)} | {"flat/"})):
        url, listed, hops = first, Counter(), 0
        while True:
            page = by_url[url]
            body = page.html.split('<ul class="kb-note-list kb-folder-list">', 1)[1].split("</ul>", 1)[0]
            titles = re.findall(r"<a (?:class=\"kb-folder-link\" )?href=\"[^\"]+\">([^<]+)</a>", body)
            assert 0 < len(titles) <= PAGE_SIZE
            listed.update(titles)
            assert url == first or not page.in_nav  # further pages stay out of the sidebar
            pager = re.search(r'<nav class="kb-pager".*?</nav>', page.html, re.S)
            nxt = re.search(r'<a href="([^"]+)" rel="next">', pager.group(0))
            if not nxt:
                break
            url = posixpath.normpath(posixpath.join(url, nxt.group(1))) + "/"
            hops += 1
        assert hops == 2  # 45 (46) entries: three pages of at most 20
        assert wanted <= set(listed) and max(listed.values()) == 1  # /all/ also lists the graph page
    assert by_url["flat/page/2/"].title == "flat (2/3)"
