"""kramdown attribute lists: applied to the right element, never shown, bad ones reported."""
from __future__ import annotations

import re

from render_support import messages, render, render_html

from kbgen.markdown.kramdown import parse_attribute_list


def test_parse_attribute_list():
    ial = parse_attribute_list(' .a .b #main title="x \\" y" data-n=3 lang=\'ko\' ref ')
    assert ial is not None
    assert ial.classes == ["a", "b"]
    assert ial.id == "main"
    assert ial.attrs == [("title", 'x " y'), ("data-n", "3"), ("lang", "ko")]
    assert ial.refs == ["ref"]
    assert parse_attribute_list('title="unterminated') is None
    assert parse_attribute_list("").classes == []


def test_line_after_heading_applies_to_heading_and_is_not_shown():
    html = render_html("# 기울기 소실 문제\n{: .fs-8 }\n\nText\n")
    assert '<h1 class="fs-8" id="기울기-소실-문제">' in html
    assert "{:" not in html
    assert "<p>Text</p>" in html


def test_last_line_of_paragraph_applies_to_paragraph():
    html = render_html("2.2 딥러닝 문제/이슈\n{: .label .label-yellow }\n")
    assert html == '<p class="label label-yellow">2.2 딥러닝 문제/이슈</p>\n'


def test_standalone_line_before_a_block_applies_to_the_next_block():
    html = render_html("Intro.\n\n{: .highlight }\n> **quote**\n")
    assert '<blockquote class="highlight">\n<p><strong>quote</strong></p>' in html
    assert "{:" not in html


def test_line_directly_after_one_block_and_before_another_prefers_the_one_before():
    html = render_html("## Title\n{: .a }\n> quote\n")
    assert '<h2 class="a" id="title">' in html
    assert "<blockquote>" in html


def test_line_after_table_applies_to_table_not_a_new_row():
    html = render_html("| a | b |\n|---|---|\n| 1 | 2 |\n{: .wide }\n")
    assert '<table class="wide">' in html
    assert html.count("<tr>") == 2
    assert "{:" not in html


def test_line_after_hr_and_before_list():
    html = render_html("---\n{: .thin }\n\nx\n\n{: .steps }\n1. one\n2. two\n")
    assert '<hr class="thin" />' in html
    assert '<ol class="steps">' in html


def test_lazy_line_after_quote_applies_to_quote():
    html = render_html("> quote\n{: .note }\n")
    assert html.startswith('<blockquote class="note">\n<p>quote</p>')


def test_indented_line_in_tight_list_applies_to_the_item_lazy_line_to_the_list():
    html = render_html("- a\n  {: .item }\n- b\n{: .list }\n")
    assert '<ul class="list">' in html
    assert '<li class="item">a</li>' in html
    assert "{:" not in html


def test_id_and_attributes_are_escaped():
    html = render_html('Para\n{: #a<b title="a<b>&\\"c" }\n')
    assert '<p title="a&lt;b&gt;&amp;&quot;c" id="a&lt;b">Para</p>' in html


def test_event_handlers_are_refused_with_a_warning():
    rendered = render('Para\n{: onclick="alert(1)" .ok }\n')
    assert rendered.html == '<p class="ok">Para</p>\n'
    assert messages(rendered, "kramdown") == ["2:1: attribute list: event handler 'onclick' is not applied"]


def test_unusable_lists_are_dropped_with_line_numbers():
    text = "---\ntitle: T\n---\n\nPara\n\n{: .lonely }\n\nMore\n{: broken=\"x }\n"
    rendered = render(text)
    assert "{:" not in rendered.html
    assert "<p>More</p>" in rendered.html
    assert messages(rendered, "kramdown") == [
        "7:1: the attribute list '{: .lonely }' is not next to an element that can carry it; it was dropped",
        "10:1: cannot read the attribute list '{: broken=\"x }'; it was dropped",
    ]


def test_definitions_and_references_and_extensions():
    html = render_html("{:warn: .callout .red}\n\nPara\n{: warn }\n\n{::options parse_block_html=\"true\" /}\n")
    assert '<p class="callout red">Para</p>' in html
    assert "{:" not in html and "options" not in html


def test_header_id_suffix_wins_over_generated_id():
    html = render_html("## Setup steps {#setup}\n\n## Other\n")
    assert '<h2 id="setup">Setup steps<a class="headerlink" href="#setup"' in html
    assert '<h2 id="other">' in html


def test_ial_id_on_heading_wins_over_generated_id():
    html = render_html("## 설치\n{: #install .big }\n")
    assert '<h2 class="big" id="install">설치' in html
    assert 'href="#install"' in html


def test_id_clashing_with_a_heading_is_reported_and_the_heading_gets_another():
    rendered = render("Para\n{: #intro }\n\n## Intro\n")
    assert '<p id="intro">' in rendered.html
    assert '<h2 id="intro_1">' in rendered.html
    assert messages(rendered, "kramdown") == [
        "2:4: id 'intro' is also the id of the heading on line 4, which gets a numbered id instead"
    ]


def test_duplicate_ids_are_made_unique_and_reported():
    rendered = render("A\n{: #x }\n\nB\n{: #x }\n")
    ids = re.findall(r'id="([^"]+)"', rendered.html)
    assert ids == ["x", "x_1"]
    assert messages(rendered, "kramdown") == ["5:4: id 'x' is used twice in this note; this one became 'x_1'"]


def test_span_lists_apply_to_the_element_before_them():
    html = render_html("[Go](https://example.com){: .btn .btn-primary } **굵게**{: .label }가 `x`{: .language-python }\n")
    assert '<a href="https://example.com" class="btn btn-primary">Go</a>' in html
    assert '<strong class="label">굵게</strong>가' in html
    assert '<code class="language-python">x</code>' in html
    assert "{:" not in html


def test_span_image_attributes():
    html = render_html('![diagram](a.png){: width="50%" }\n')
    assert 'width="50%"' in html and "{:" not in html


def test_span_list_after_plain_text_is_dropped_with_a_warning():
    rendered = render("plain text {: .x } here\n")
    assert rendered.html == "<p>plain text  here</p>\n"
    assert messages(rendered, "kramdown") == [
        "1:12: the attribute list '{: .x }' follows no link, image, code or emphasis; it was dropped"
    ]


def test_kramdown_toc_replaces_the_list_and_honours_no_toc():
    text = "# Page\n\n## Contents\n{: .no_toc .text-delta }\n\n1. TOC\n{:toc}\n\n## 첫째\n\n### 둘째\n"
    html = render_html(text)
    nav = re.search(r'<nav class="kb-toc".*?</nav>', html, re.S)
    assert nav is not None
    assert 'href="#첫째"' in nav.group(0) and 'href="#둘째"' in nav.group(0)
    assert "#contents" not in nav.group(0)
    assert "<ol>" not in html and "TOC" not in html


def test_braces_that_are_not_attribute_lists_stay_text():
    html = render_html("Set {a, b} and {:not closed\n\n`{: .code }`\n\n```\n{: .in-fence }\n```\n")
    assert "Set {a, b} and {:not closed" in html
    assert "<code>{: .code }</code>" in html
    assert "{: .in-fence }" in html


def test_attribute_line_inside_html_markdown_block():
    html = render_html('<div markdown="1">\n#### 그룹 1: 해결방안\n{: .highlight-purple }\n</div>\n')
    assert '<h4 class="highlight-purple" id="그룹-1-해결방안">' in html
