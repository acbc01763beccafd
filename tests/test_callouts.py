"""Obsidian callouts render in the markup Material styles as admonitions."""
from __future__ import annotations

import pytest
from render_support import render_html

from kbgen.markdown.callouts import MATERIAL_TYPES


def test_plain_callout_with_title_and_body():
    html = render_html("> [!note] 핵심 정리\n> 본문 **굵게**\n")
    assert html == (
        '<div class="admonition note" data-callout="note">\n'
        '<p class="admonition-title">핵심 정리</p>\n'
        "<p>본문 <strong>굵게</strong></p>\n"
        "</div>\n"
    )


def test_default_title_is_the_type_capitalized():
    assert '<p class="admonition-title">Tip</p>' in render_html("> [!tip]\n> body\n")
    assert '<p class="admonition-title">Faq</p>' in render_html("> [!FAQ]\n> body\n")


def test_folded_and_open_callouts_are_details():
    folded = render_html("> [!warning]- 접힌 제목\n> hidden\n")
    assert folded == (
        '<details class="warning" data-callout="warning">\n<summary>접힌 제목</summary>\n<p>hidden</p>\n</details>\n'
    )
    opened = render_html("> [!tip]+ Open\n> shown\n")
    assert opened.startswith('<details class="tip" data-callout="tip" open="open">\n<summary>Open</summary>')


@pytest.mark.parametrize(
    "obsidian, material",
    [
        ("note", "note"), ("abstract", "abstract"), ("summary", "abstract"), ("tldr", "abstract"),
        ("info", "info"), ("todo", "info"), ("tip", "tip"), ("hint", "tip"), ("important", "tip"),
        ("success", "success"), ("check", "success"), ("done", "success"),
        ("question", "question"), ("help", "question"), ("faq", "question"),
        ("warning", "warning"), ("caution", "warning"), ("attention", "warning"),
        ("failure", "failure"), ("fail", "failure"), ("missing", "failure"),
        ("danger", "danger"), ("error", "danger"), ("bug", "bug"), ("example", "example"),
        ("quote", "quote"), ("cite", "quote"),
    ],
)
def test_every_obsidian_type_maps_to_a_material_type(obsidian, material):
    assert MATERIAL_TYPES[obsidian] == material
    html = render_html(f"> [!{obsidian}] T\n> b\n")
    assert html.startswith(f'<div class="admonition {material}" data-callout="{obsidian}">')


def test_unknown_type_renders_as_note_with_its_name():
    html = render_html("> [!my-box]\n> b\n")
    assert html.startswith('<div class="admonition note" data-callout="my-box">\n<p class="admonition-title">My-box</p>')


def test_title_is_inline_markdown_and_escaped():
    html = render_html("> [!info] *기울기* & <b\n> body\n")
    assert '<p class="admonition-title"><em>기울기</em> &amp; &lt;b</p>' in html


def test_nested_callouts_and_lists():
    html = render_html("> [!example] Outer\n> - one\n>\n> > [!bug]- Inner\n> > inner text\n")
    assert html == (
        '<div class="admonition example" data-callout="example">\n'
        '<p class="admonition-title">Outer</p>\n'
        "<ul>\n<li>one</li>\n</ul>\n"
        '<details class="bug" data-callout="bug">\n<summary>Inner</summary>\n<p>inner text</p>\n</details>\n'
        "</div>\n"
    )


def test_title_only_callout_has_no_empty_paragraph():
    assert render_html("> [!quote] 인용\n") == (
        '<div class="admonition quote" data-callout="quote">\n<p class="admonition-title">인용</p>\n</div>\n'
    )


def test_plain_blockquotes_and_lookalikes_stay_blockquotes():
    assert render_html("> just a quote\n") == "<blockquote>\n<p>just a quote</p>\n</blockquote>\n"
    assert render_html("> text [!note] later\n").startswith("<blockquote>")


def test_kramdown_class_before_a_callout_is_kept():
    html = render_html("{: .highlight }\n> [!warning] 주의\n> body\n")
    assert html.startswith('<div class="admonition warning highlight" data-callout="warning">')


def test_github_alert_syntax_works_too():
    html = render_html("> [!IMPORTANT]\n> Read this.\n")
    assert html.startswith('<div class="admonition tip" data-callout="important">\n<p class="admonition-title">Important</p>')
