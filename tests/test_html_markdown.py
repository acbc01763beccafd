"""HTML blocks with markdown="1": the Markdown inside is rendered, the attribute is gone."""
from __future__ import annotations

from render_support import messages, render, render_html


def test_div_without_blank_lines_renders_its_markdown():
    html = render_html('<div class="box" markdown="1">\n**bold**\n- item\n</div>\nafter\n')
    assert html == (
        '<div class="box">\n<p><strong>bold</strong></p>\n<ul>\n<li>item</li>\n</ul>\n</div>\n<p>after</p>\n'
    )


def test_details_keeps_summary_as_html_and_renders_tables():
    html = render_html(
        '<details markdown="1">\n<summary><h3 style="display:inline">제목</h3></summary>\n'
        "| a | b |\n|---|---|\n| **c** | d |\n</details>\n"
    )
    assert html.startswith('<details>\n<summary><h3 style="display:inline">제목</h3></summary>\n<table>')
    assert "<td><strong>c</strong></td>" in html
    assert html.endswith("</table>\n</details>\n")


def test_summary_on_the_opening_line():
    html = render_html('<details markdown="1"><summary>More</summary>\n- x\n</details>\n')
    assert html == "<details><summary>More</summary>\n<ul>\n<li>x</li>\n</ul>\n</details>\n"


def test_markdown_attribute_spellings_are_all_removed():
    for attr in ('markdown="1"', "markdown='1'", 'markdown="block"', "markdown", "MARKDOWN=1"):
        html = render_html(f'<div {attr}>\n*x*\n</div>\n')
        assert html == "<div>\n<p><em>x</em></p>\n</div>\n", attr


def test_nested_elements_of_the_same_tag():
    html = render_html('<div markdown="1">\n<div class="inner" markdown="1">\n*inner*\n</div>\ntext after\n</div>\n')
    assert html == '<div>\n<div class="inner">\n<p><em>inner</em></p>\n</div>\n<p>text after</p>\n</div>\n'


def test_closing_tag_inside_fenced_code_does_not_close():
    html = render_html('<div markdown="1">\n```html\n</div>\n```\n*still inside*\n</div>\n')
    assert html.count("</div>\n") == 2
    assert html.endswith("<p><em>still inside</em></p>\n</div>\n")


def test_one_line_element_and_span_mode():
    assert render_html('<div markdown="1">**one**</div>\n') == "<div>\n<p><strong>one</strong></p>\n</div>\n"
    assert render_html('<div markdown="span">\n**one**\n</div>\n') == "<div><strong>one</strong></div>\n"


def test_markdown_zero_stays_raw():
    assert render_html('<div markdown="0">\n**raw**\n</div>\n') == "<div>\n**raw**\n</div>\n"


def test_may_interrupt_a_paragraph():
    html = render_html('para\n<div markdown="1">\n*in*\n</div>\n')
    assert html == "<p>para</p>\n<div>\n<p><em>in</em></p>\n</div>\n"


def test_inline_element_keeps_commonmark_and_loses_the_attribute():
    html = render_html('Text <span markdown="1">**b**</span> end\n')
    assert html == "<p>Text <span><strong>b</strong></span> end</p>\n"


def test_unclosed_element_is_closed_and_reported():
    rendered = render('---\ntitle: t\n---\n<div markdown="1">\n*x*\n')
    assert rendered.html == "<div>\n<p><em>x</em></p>\n</div>\n"
    assert messages(rendered, "html-markdown") == [
        "4:1: <div markdown> is never closed; it was closed at the end of its container"
    ]


def test_inside_a_list_item():
    html = render_html('- item\n\n  <div markdown="1">\n  **b**\n  </div>\n')
    assert "<li>\n<p>item</p>\n<div>\n<p><strong>b</strong></p>\n</div>\n</li>" in html


def test_plain_html_blocks_are_untouched():
    html = render_html("<div class=\"x\">\n**raw**\n</div>\n\n<!-- comment -->\n<br>\n")
    assert html == '<div class="x">\n**raw**\n</div>\n<!-- comment -->\n<br>\n'
