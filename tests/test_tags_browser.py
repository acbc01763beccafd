"""In Chromium: a tag chip leads to its tag page, a breadcrumb leads back, and `#tag` finds the note in search."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import block_external_requests, launch_chromium, require_browser, serve_directory
from link_vaults import write_vault

from kbgen.cli import main

VAULT = {
    "ml/활성화 함수.md": "---\ntags: [활성화/relu]\n---\n# 활성화 함수\n\nReLU는 음수를 0으로 만든다.\n",
    "ml/정규화.md": "# 정규화\n\n배치 정규화 이야기. #최적화\n",
    "기타.md": "# 기타\n\n아무 관련 없는 노트.\n",
    "ml/비교.md": "# 비교\n\nReLU와 활성화 함수를 비교한다. 최적화 이야기는 없다.\n",  # says the tags' words, untagged
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tags-browser")
    notes = write_vault(root / "notes", VAULT)
    config = root / "mkdocs.yml"
    config.write_text("site_name: 태그 시험\ndocs_dir: notes\ntheme: {name: material, language: ko}\n"
                      "plugins: [{search: {lang: [ko, en]}}, {kbgen: {cache_dir: cache}}]\n", encoding="utf-8")
    out = root / "site"
    assert main(["build", "--config", str(config), "--notes", str(notes), "--site", str(out), "-q"]) == 0
    return out


def test_chip_tag_page_breadcrumb_and_tag_search(site, tmp_path):
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        block_external_requests(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "ml/%ED%99%9C%EC%84%B1%ED%99%94-%ED%95%A8%EC%88%98/")

        # 1. the note's tag chip leads to the tag's page
        page.locator("nav.md-tags a.md-tag", has_text="활성화/relu").click()
        expect(page).to_have_url(re.compile(r"/tags/%ED%99%9C%EC%84%B1%ED%99%94/relu/$"))
        expect(page.locator("article h1")).to_have_text("#활성화/relu")
        expect(page.locator("article .kb-note-list a")).to_have_text(["활성화 함수"])

        # 2. up to the parent tag through the tag trail, then home through the breadcrumb
        page.locator("article .kb-tag-trail a", has_text="활성화").click()
        expect(page.locator("article h1")).to_have_text("#활성화")
        expect(page.locator("article .kb-tag-children a")).to_have_text(["relu"])
        page.locator("nav.md-path a.md-path__link").first.click()
        expect(page).to_have_url(base)
        expect(page.locator("article h1")).to_have_text("노트 목록")

        # 3. a '#' query searches tags only: a tag at any level of its path, or its start while typing;
        #    a note that only says the word is not found (a plain query still finds it)
        def search(query: str) -> list[str]:
            page.goto(base)
            page.locator("input.md-search__input").click()
            page.keyboard.insert_text(query)
            page.keyboard.press("End")
            expect(page.locator(".md-search-result__meta")).to_have_text(re.compile(r"\d+개의 일치하는 문서|없음|일치하는 문서"))
            return page.locator(".md-search-result__item > .md-search-result__link h1").all_inner_texts()

        assert search("#relu") == ["활성화 함수"]  # the child level of 활성화/relu
        assert search("#활성") == ["활성화 함수"]  # the start of the root level
        assert search("#활성화/re") == ["활성화 함수"]
        assert search("#최적화") == ["정규화"]  # an inline tag
        assert search("#비교") == []
        assert set(search("relu")) == {"활성화 함수", "비교"}
        page.screenshot(path=str(tmp_path / "tag-search.png"))
        context.close()
        browser.close()
    assert errors == []
