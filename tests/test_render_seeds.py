"""The five seed notes render as they look in Obsidian (whole pipeline, no MkDocs).

notes/ holds the seeds under their real names:
000 신경망 기울기 소실과 ReLU (Obsidian, double-encoded) · 001 Gradient Vanishing 정리 (velog, double-encoded)
002 What is Vanishing Gradient (Obsidian) · 003 깊은 인공신경망의 문제1 (Gatsby) · 004 기울기 소실 문제 (Jekyll)
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kbgen.build import build_vault
from kbgen.vault_build import VaultBuild
from kbgen.config import KbgenConfig

NOTES = Path(__file__).resolve().parent.parent / "notes"
SEED_000 = "신경망 기울기 소실과 ReLU.md"
SEED_001 = "Gradient Vanishing 정리.md"
SEED_002 = "What is Vanishing Gradient.md"
SEED_003 = "깊은 인공신경망의 문제1.md"
SEED_004 = "기울기 소실 문제.md"


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> VaultBuild:
    vault = tmp_path_factory.mktemp("seeds") / "notes"
    shutil.copytree(NOTES, vault)
    return build_vault(KbgenConfig(notes_dir=vault, cache_dir=vault.parent / "cache"))


def html_of(build: VaultBuild, name: str) -> str:
    return build.rendered[name].html


def element(html: str, tag: str, containing: str) -> str:
    """The innermost ``<tag …>…</tag>`` that contains ``containing`` (no nesting of ``tag`` inside)."""
    for m in re.finditer(rf"<{tag}\b[^>]*>((?:(?!<{tag}\b).)*?)</{tag}>", html, re.S):
        if containing in m.group(0):
            return m.group(0)
    raise AssertionError(f"no <{tag}> contains {containing!r}")


def test_every_seed_renders_without_errors(build):
    assert set(build.rendered) == {SEED_000, SEED_001, SEED_002, SEED_003, SEED_004}
    errors = [d.format() for d in build.diagnostics if d.severity == "error"]
    assert errors == []


# --- seed 000: Obsidian note that arrived double-encoded ---


def test_seed_000_title_and_headings_are_korean_again(build):
    pytest.importorskip("kbgen.vault.mojibake")
    rendered = build.rendered[SEED_000]
    assert rendered.title == "신경망 복잡도 증가 시 기울기 소실 문제와 ReLU 해결책"
    assert '<h1 id="신경망-복잡도-증가-시-기울기-소실-문제와-relu-해결책">신경망 복잡도 증가 시 기울기 소실 문제와 ReLU 해결책' in rendered.html
    assert '<h2 id="핵심-포인트">🎯 핵심 포인트' in rendered.html
    assert "ì" not in rendered.html and "ë" not in rendered.html  # no mojibake left


def test_seed_000_code_blocks_use_materials_highlight_markup(build):
    html = html_of(build, SEED_000)
    block = element(html, "div", "5개 레이어 Sigmoid 네트워크")
    assert block.startswith('<div class="highlight"><pre><span></span><code>')


# --- seed 001: velog export ---


def test_seed_001_images_links_and_quotes(build):
    pytest.importorskip("kbgen.vault.mojibake")
    html = html_of(build, SEED_001)
    assert '<img src="https://images.velog.io/images/yunyoseob/post/6b718ffa-2e99-46c2-9048-50fa1b6c6fa9/image.png" alt="" />' in html
    assert "<blockquote>\n<p><strong>심층 신경망은 은닉층이 2개 이상인 신경망을 의미합니다.</strong></p>" in html


# --- seed 002: Obsidian ---


def test_seed_002_bolds_dying_relu_before_a_particle(build):
    html = html_of(build, SEED_002)
    assert "<strong>x ≤ 0에서는 기울기가 0이 되어 뉴런이 죽는 문제(Dying ReLU)</strong>가 발생할 수 있음." in html
    assert "<strong>오차 역전파(Backpropagation)</strong> 과정에서" in html
    assert "**" not in html


def test_seed_002_heading_ids_keep_korean_letters(build):
    html = html_of(build, SEED_002)
    assert ('<h2 id="1-기울기-소실-문제의-원인"><strong>1. 기울기 소실 문제의 원인</strong>'
            '<a class="headerlink" href="#1-기울기-소실-문제의-원인" title="Permanent link">&para;</a></h2>') in html
    toc_ids = [child["id"] for top in build.rendered[SEED_002].toc for child in top["children"]]
    assert "1-기울기-소실-문제의-원인" in toc_ids


def test_seed_002_list_items_continue_with_two_space_indents(build):
    html = html_of(build, SEED_002)
    item = element(html, "li", "도함수:")
    assert "cases" in item  # the indented $$ … $$ block stays inside the list item
    assert "<code>Xavier Initialization</code>" in html


# --- seed 003: Gatsby post ---


def test_seed_003_list_right_after_a_paragraph_is_a_list(build):
    html = html_of(build, SEED_003)
    assert ("우리는 크게 2가지의 문제에 봉착한다.</p>\n<ul>\n"
            "<li><strong>Vanishing Gradient</strong></li>\n<li><strong>Overfitting</strong></li>\n"
            "<li>(bonus) loss landscape 의 non-convexity</li>\n</ul>") in html
    assert "- **Vanishing" not in html


def test_seed_003_toc_block_becomes_a_nav_of_its_headings(build):
    html = html_of(build, SEED_003)
    nav = element(html, "nav", "kb-toc")
    targets = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav)
    assert targets[0] == ("0-지난-이야기", "0. 지난 이야기")
    assert ("3-sigmoid가-범인-해결책은", "3. Sigmoid가 범인! 해결책은?") in targets
    assert len(targets) == 7
    for ident, _ in targets:
        assert f'<h2 id="{ident}">' in html
    assert "```toc" not in html


def test_seed_003_raw_html_passes_through(build):
    html = html_of(build, SEED_003)
    assert "이번글에서는 깊은 인공신경망의 문제점과 그 해결방안에 대해 다뤄보고자 한다.</p>\n<br>\n<br>" in html
    assert "공부했다.<br>\n" in html


# --- seed 004: Jekyll just-the-docs ---


def test_seed_004_shows_no_kramdown_syntax(build):
    html = html_of(build, SEED_004)
    assert "{:" not in html
    assert 'markdown="1"' not in html and "markdown=" not in html


def test_seed_004_attribute_classes_land_on_the_right_elements(build):
    html = html_of(build, SEED_004)
    assert html.count('<h1 class="fs-8" id="기울기-소실-문제') == 2  # the page heading and the backup copy
    assert '<p class="label label-yellow">2.2 딥러닝 문제/이슈</p>' in html
    quote = element(html, "blockquote", "Vanishing Gradient Problem")
    assert quote.startswith('<blockquote class="highlight">\n<p><strong>기울기소실 문제 (Vanishing Gradient Problem)</strong>')
    assert '<h4 class="highlight-purple" id="그룹-1-해결방안">그룹 1: 해결방안' in html


def test_seed_004_markdown_inside_divs_renders_strong_and_tables(build):
    html = html_of(build, SEED_004)
    concept = element(html, "div", "개념 영역")
    assert concept.startswith('<div class="exam-concept-block">\n<h2 id="개념-영역">🧠 개념 영역')
    assert concept.count("<table>") == 3
    assert '<td style="text-align:left"><strong>기울기소실 문제</strong></td>' in concept
    tech = element(html, "div", "기술 영역")
    assert tech.startswith('<div class="exam-tech-block">')
    assert '<td style="text-align:left"><strong>&gt; 학습효율</strong></td>' in tech


def test_seed_004_details_render_their_markdown(build):
    # Seed 004's <details> hold headings, lists, quotes and task lists (its bold and tables are in the divs).
    html = html_of(build, SEED_004)
    assert len(re.findall(r"<details>", html)) == 2
    details = element(html, "details", "상세 설명")
    assert details.startswith('<details>\n<summary><h3 style="display:inline">📖 상세 설명 (클릭해서 펼치기)</h3></summary>\n')
    assert '<h4 id="내용">내용' in details
    assert "<li>\n<blockquote>\n<p>MLP(Multi Layer Perceptron)</p>\n</blockquote>\n</li>" in details
    backup = element(html, "details", "기존 내용 (백업)")
    assert '<h1 class="fs-8" id="기울기-소실-문제-vanishing-gradient">' in backup
    assert "<code>기울기 소실</code>" in backup
    assert "<em>(이미지 내용 추출 후 작성)</em>" in backup
    assert '<input class="task-list-item-checkbox" disabled="disabled" type="checkbox"> 개념 이해' in backup


def test_seed_004_keeps_the_csv_comment(build):
    html = html_of(build, SEED_004)
    assert html.startswith("<!-- CSV_APPLIED: 기술사_기본필수노트_AI - AI.csv | NO=9 | "
                           "중토픽=기울기소실 문제 (Vanishing Gradient Problem) -->\n")


def test_bare_urls_become_links_but_file_names_do_not():
    from render_support import render_html

    html = render_html("참고: https://example.com/a?b=1 그리고 ReLU.py, model.pt 파일\n")
    assert '<a href="https://example.com/a?b=1">https://example.com/a?b=1</a>' in html
    assert "ReLU.py" in html and 'href="http://ReLU.py"' not in html
    assert html.count("<a ") == 1
