"""Korean search: the separator that cuts particles, compound parts in the index, and Material's search box."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from browser_support import block_external_requests, launch_chromium, require_browser, serve_directory
from kbgen.search import (
    PARTS_FIELD,
    SEPARATOR,
    compound_parts,
    document_parts,
    korean_search_index,
    rewrite_search_index,
    stem,
    words,
)
from kbgen.search.shards import read_documents, read_terms

ROOT = Path(__file__).resolve().parent.parent
WHAT_IS = "Q. What is Vanishing Gradient?"
DEEP = "15. 깊은 인공신경망의 문제1(feat. vanishing gradient)"  # says 기울기를 and 기울기, never 기울기가
PROBLEM = "기울기 소실 문제"
COMPOUND_NOTE = """---
title: 합성어 메모
---
# 합성어 메모

순방향신경망에서 그래디언트소실현상을 정리했다.
"""


# -- the separator as a stemmer ------------------------------------------------------------

@pytest.mark.parametrize("word, expected", [
    ("기울기가", "기울기"), ("기울기는", "기울기"), ("기울기를", "기울기"), ("기울기", "기울기"),
    ("역전파를", "역전파"), ("신경망에서는", "신경망"), ("알고리즘으로도", "알고리즘"),
    ("신경망들이", "신경망"), ("입력층과의", "입력층"), ("문제입니다", "문제"),
    ("학습하는", "학습"), ("소실된다", "소실"), ("ReLU의", "relu"), ("3.14는", "3.14"),
    # Too short to lose a syllable, or not a particle pair: the word stays whole.
    ("나이가", "나이"), ("결과", "결과"), ("정도", "정도"), ("스파이가", "스파이"), ("퍼셉트론이란", "퍼셉트론"),
])
def test_stem_cuts_one_particle_or_ending(word, expected):
    assert stem(word) == expected


def test_words_split_on_punctuation_and_drop_particles():
    text = "오차 역전파(Backpropagation) 과정에서 기울기(Gradient)가 작아져서, \"ReLU\"를 쓴다."
    assert list(words(text)) == ["오차", "역전파", "backpropagation", "과정", "기울기", "gradient",
                                 "작아져서", "relu", "쓴다"]
    assert list(words("a &lt;b&gt; c.d 0.25")) == ["a", "b", "c", "d", "0.25"]


def test_separator_never_eats_query_syntax():
    # lunr's query lexer splits terms on the same expression: these must survive.
    for char in "*+^~":
        assert not re.search(SEPARATOR, char), char
    assert list(words("기울기*")) == ["기울기*"]


@pytest.mark.parametrize("word, parts", [
    ("기울기소실", ["울기소실", "기소실", "소실"]),
    ("relu함수", ["함수"]),
    ("순방향신경망", ["방향신경망", "향신경망", "신경망", "경망"]),
    ("소실", []),
    ("작아졌습니다", []),  # a predicate's pieces are endings, not words
])
def test_compound_parts_are_the_inner_suffixes(word, parts):
    assert compound_parts(word) == tuple(parts)


# -- search_index.json post-processing ------------------------------------------------------

def _index(separator: str = r"[\s\-]+") -> dict:
    return {
        "config": {"lang": ["ko", "en"], "separator": separator, "pipeline": [" "],
                   "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}}},
        "docs": [
            {"location": "a/", "title": "기울기소실 정리", "text": "<p>순방향신경망의 <code>기울기소실</code> &amp; 소실</p>"},
            {"location": "a/#x", "title": "ReLU", "text": "<p>ReLU는 간단하다.</p>"},
        ],
    }


def test_index_gets_the_separator_a_hidden_field_and_compound_parts():
    index = korean_search_index(_index())
    config = index["config"]
    assert config["separator"] == SEPARATOR
    assert config["fields"][PARTS_FIELD] == {"boost": 0.5}
    assert config["fields"]["title"] == {"boost": 1000.0}  # Material's own fields untouched
    first, second = index["docs"]
    parts = first[PARTS_FIELD].split(" ")
    assert "신경망" in parts and "기소실" in parts
    assert "소실" not in parts  # the note has the word 소실 itself: prefix search finds it already
    assert first["text"] == "<p>순방향신경망의 <code>기울기소실</code> &amp; 소실</p>"  # what the results show
    assert PARTS_FIELD not in second
    assert korean_search_index(json.loads(json.dumps(index))) == index  # idempotent


def test_an_author_chosen_separator_is_kept():
    index = korean_search_index(_index(separator=r"[\s\-_]+"))
    assert index["config"]["separator"] == r"[\s\-_]+"
    assert PARTS_FIELD in index["docs"][0]


def test_document_parts_reads_title_and_text_without_markup():
    doc = {"title": "활성화함수", "text": "<p class=\"x\">경사하강법</p>"}
    assert document_parts(doc).split(" ") == ["성화함수", "화함수", "함수", "사하강법", "하강법", "강법"]


def test_rewrite_search_index_without_a_file_does_nothing(tmp_path):
    assert rewrite_search_index(tmp_path) is False
    assert not (tmp_path / "search").exists()
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text("{not json", encoding="utf-8")
    assert rewrite_search_index(tmp_path) is False
    assert (tmp_path / "search" / "search_index.json").read_text(encoding="utf-8") == "{not json"


def test_rewrite_search_index_splits_it_into_utf8_pieces(tmp_path):
    path = tmp_path / "search" / "search_index.json"
    path.parent.mkdir()
    path.write_text(json.dumps(_index()), encoding="ascii")  # Material's \uXXXX form
    assert rewrite_search_index(tmp_path) is True
    stub = json.loads(path.read_bytes())
    assert stub["docs"] == []  # the page fetches the config only
    assert stub["config"]["separator"] == SEPARATOR and stub["config"]["kbgen"]["documents"] == 2
    docs = read_documents(tmp_path / "search")
    assert [d["location"] for d in docs] == ["a/", "a/#x"]
    assert docs[0]["text"] == "<p>순방향신경망의 <code>기울기소실</code> &amp; 소실</p>"
    assert "기울기소실".encode("utf-8") in (tmp_path / "search" / "docs" / "0.json").read_bytes()
    terms = read_terms(tmp_path / "search")
    assert terms["a/"]["title"] == {"기울기소실", "정리"}
    assert {"순방향신경망", "기울기소실", "소실"} <= terms["a/"]["text"]  # no "code", "amp": markup is skipped
    assert {"신경망", "기소실"} <= terms["a/"][PARTS_FIELD]
    assert terms["a/#x"]["text"] == {"relu", "간단하다"}  # 는 is cut off, as in the browser
    assert (tmp_path / "search" / "worker.js").is_file()


def test_rewrite_search_index_survives_a_lone_surrogate(tmp_path):
    index = _index()
    index["docs"][1]["text"] = "<p>bad \udc80 byte</p>"
    path = tmp_path / "search" / "search_index.json"
    path.parent.mkdir()
    path.write_text(json.dumps(index), encoding="ascii")
    assert rewrite_search_index(tmp_path) is True
    assert read_documents(tmp_path / "search")[1]["text"] == "<p>bad ? byte</p>"


# -- a real build of the sample vault ------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from kbgen.cli import main

    base = tmp_path_factory.mktemp("search-site")
    notes = base / "notes"
    shutil.copytree(ROOT / "notes", notes)
    (notes / "합성어 메모.md").write_text(COMPOUND_NOTE, encoding="utf-8")
    out = base / "site"
    assert main(["build", "--notes", str(notes), "--site", str(out), "--config", str(ROOT / "mkdocs.yml"), "-q"]) == 0
    return out


def test_built_index_is_korean_aware(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["ko", "en"]
    assert index["config"]["separator"] == SEPARATOR
    assert PARTS_FIELD in index["config"]["fields"]
    memo = next(d for d in read_documents(site / "search") if d["title"] == "합성어 메모" and "#" not in d["location"])
    assert {"소실현상", "신경망"} <= read_terms(site / "search")[memo["location"]][PARTS_FIELD]
    assert memo["text"] == "<p>순방향신경망에서 그래디언트소실현상을 정리했다.</p>"


def test_index_leaves_out_katex_markup_and_generated_pages_but_pages_keep_it(site):
    docs = read_documents(site / "search")
    assert not any("katex" in d["text"] for d in docs)  # no formula markup in the index
    leaky = next(d for d in docs if "Leaky ReLU" in d["title"] and "What" in d["location"])
    assert "뉴런이 죽는 문제 해결" in leaky["text"]  # the prose around the formula stays
    assert "\\alpha" not in leaky["text"] and "α" not in leaky["text"]
    assert not any(d["location"].startswith(("quizzes/", "index.html")) or d["location"] == "" for d in docs)
    page = (site / "What-is-Vanishing-Gradient" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="katex"') == 9  # the page itself still has all 9 of its formulas


# -- Material's search box in Chromium --------------------------------------------------------

@pytest.fixture(scope="module")
def browser(site):
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def base_url(site):
    with serve_directory(site) as base:
        yield base


@pytest.fixture
def search(browser, base_url, tmp_path):
    """Type a query into a freshly loaded page's search box; returns (article titles, marked words)."""
    contexts = []
    problems: list[str] = []

    def run(query: str, screenshot: str | None = None) -> tuple[list[str], list[str]]:
        from playwright.sync_api import expect

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        block_external_requests(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("worker", lambda worker: worker.on(
            "console", lambda msg: problems.append(msg.text) if msg.type in ("warning", "error") else None))
        page.goto(base_url)
        box = page.locator("input.md-search__input")
        box.click()
        # Material reads the box on keyup. A Korean IME commits text and then
        # fires keyup; insert_text + End does the same (keyboard.type fires no
        # keyup for Hangul, and fill() none at all).
        page.keyboard.insert_text(query)
        page.keyboard.press("End")
        expect(page.locator(".md-search-result__meta")).to_have_text(re.compile(r"\d+개의 일치하는 문서"))
        if screenshot:
            page.locator(".md-search__output").screenshot(path=str(tmp_path / screenshot))
        titles = page.locator(".md-search-result__item > .md-search-result__link h1").all_inner_texts()
        marks = page.locator(".md-search-result__item mark").all_text_contents()  # some sit in closed <details>
        return titles, marks

    yield run
    for context in contexts:
        context.close()
    assert problems == []


def test_korean_word_finds_the_notes(search):
    titles, marks = search("기울기", screenshot="기울기.png")
    assert {WHAT_IS, DEEP, PROBLEM} <= set(titles)
    assert "기울기" in marks and all(m.startswith("기울기") for m in marks)  # and 기울기소실: a prefix match


def test_particle_form_finds_notes_with_other_particles(search):
    titles, marks = search("기울기가")
    assert {WHAT_IS, DEEP, PROBLEM} <= set(titles)  # DEEP only says 기울기를 and 기울기
    assert "기울기" in marks and "기울기가" not in marks  # the particle is not part of the match


def test_backpropagation_in_korean_and_in_english(search):
    assert WHAT_IS in search("역전파")[0]  # 역전파(Backpropagation), 역전파를
    assert WHAT_IS in search("역전파를")[0]
    assert WHAT_IS in search("Backpropagation")[0]  # inside parentheses after Korean


def test_latin_query_still_works(search):
    titles, marks = search("ReLU")
    assert {WHAT_IS, DEEP} <= set(titles)
    assert "ReLU" in marks and all(m.lower().startswith("relu") for m in marks)


def test_part_of_a_compound_finds_it(search):
    assert "합성어 메모" in search("소실", screenshot="소실.png")[0]  # only as 그래디언트소실현상을
    assert "합성어 메모" in search("신경망")[0]  # only as 순방향신경망에서


def test_javascript_splits_like_python(browser, base_url):
    """The separator means the same to the browser's RegExp as to Python's re (Material's split loop)."""
    samples = [
        "오차 역전파(Backpropagation)를 통해 기울기가 작아져서, \"ReLU\"는 쓴다.",
        "신경망에서는 알고리즘으로도 입력층과의 3.14는 a.b x&lt;y 스파이가 나이가 퍼셉트론이란",
        "학습하는 소실된다 문제입니다. 기울기소실 relu함수 [Layer 1: ReLU] → 기울기: 1.0",
    ]
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url)
    split = page.evaluate("""([separator, samples]) => samples.map(text => {
        const re = new RegExp(separator, "g"), out = []
        let match, index = 0
        do {
          match = re.exec(text)
          const until = match ? match.index : text.length
          if (index < until) out.push(text.slice(index, until).toLowerCase())
          if (match) { index = match.index + match[0].length; if (!match[0].length) re.lastIndex = match.index + 1 }
        } while (match)
        return out
    })""", [SEPARATOR, samples])
    context.close()
    assert split == [list(words(text)) for text in samples]


def test_search_result_link_highlights_the_stem_on_the_page(browser, base_url):
    context = browser.new_context()
    block_external_requests(context)
    page = context.new_page()
    page.goto(base_url + quote("What-is-Vanishing-Gradient") + "/?h=" + quote("기울기"))
    marks = page.locator("mark[data-md-highlight]")
    marks.first.wait_for()
    assert set(marks.all_inner_texts()) == {"기울기"}
    context.close()


def test_split_index_replaces_its_pieces_and_never_writes_through_a_hard_link(tmp_path):
    # kbgen build starts the new site as hard links to the previous one (kbgen.site_writer):
    # a piece written in place would change the site being served.
    from kbgen.search.shards import write_shards

    search = tmp_path / "search"
    search.mkdir()
    first = _index()
    first["docs"].append({"location": "c/", "title": "C", "text": "<p>c</p>"})  # two pages: docs/0.json, docs/1.json
    write_shards(korean_search_index(first), search)
    assert (search / "docs" / "1.json").is_file()
    previous = tmp_path / "previous-pages.json"
    os.link(search / "pages.json", previous)
    before = previous.read_bytes()
    (search / "docs" / "note").mkdir()  # a note's page that lives in the folder: never removed
    (search / "docs" / "note" / "index.html").write_text("page", encoding="utf-8")
    index = korean_search_index(_index())
    index["docs"] = [{"location": "b/", "title": "B", "text": "<p>b</p>"}]
    write_shards(index, search)
    assert previous.read_bytes() == before
    assert [d["location"] for d in read_documents(search)] == ["b/"]
    assert sorted(p.name for p in (search / "docs").iterdir()) == ["0.json", "note"]
