"""Korean emphasis next to punctuation, without changing CommonMark for other text."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from render_support import render_html

from kbgen.markdown.cjk_emphasis import is_cjk


@pytest.mark.parametrize(
    "source, expected",
    [
        ("**오차 역전파(Backpropagation)** 과정", "<strong>오차 역전파(Backpropagation)</strong> 과정"),
        ("**문제(Dying ReLU)**가 발생", "<strong>문제(Dying ReLU)</strong>가 발생"),
        ("**기울기(Gradient)** 가", "<strong>기울기(Gradient)</strong> 가"),
        ("**시그모이드(Sigmoid), Tanh 같은 활성화 함수**를 사용", "<strong>시그모이드(Sigmoid), Tanh 같은 활성화 함수</strong>를 사용"),
        ("*‘기울기’*는 작다", "<em>‘기울기’</em>는 작다"),
        ("_기울기_가 작아", "<em>기울기</em>가 작아"),
        ("__소실(vanishing)__이", "<strong>소실(vanishing)</strong>이"),
        ("~~취소(x)~~가", "<s>취소(x)</s>가"),
        ("값은 **1/4**이다", "값은 <strong>1/4</strong>이다"),
    ],
)
def test_korean_emphasis_next_to_punctuation(source, expected):
    assert render_html(source + "\n") == f"<p>{expected}</p>\n"


def test_seed_sentence_with_dying_relu():
    source = "다만 **x ≤ 0에서는 기울기가 0이 되어 뉴런이 죽는 문제(Dying ReLU)**가 발생할 수 있음.\n"
    assert "<strong>x ≤ 0에서는 기울기가 0이 되어 뉴런이 죽는 문제(Dying ReLU)</strong>가" in render_html(source)


def test_soft_line_breaks_between_korean_lines_are_kept():
    # Korean separates words with spaces: deleting the line break would glue two words.
    assert render_html("첫째 줄입니다\n둘째 줄입니다\n") == "<p>첫째 줄입니다\n둘째 줄입니다</p>\n"


@pytest.mark.parametrize(
    "source",
    [
        "snake_case_word",
        "2*3*4",
        "foo*bar*",
        "**bold** text and *em*phasis",
        "a * b * c",
        "__init__.py and _private_",
        "*(paren)*word",
        "**(bold)**word",
        "~~strike~~",
        "1 ~~ 2",
    ],
)
def test_plain_english_renders_as_commonmark(source):
    commonmark = MarkdownIt("commonmark").enable("strikethrough")
    assert render_html(source + "\n") == commonmark.render(source + "\n")


def test_is_cjk_covers_hangul_but_not_latin_or_punctuation():
    assert all(is_cjk(c) for c in "가힣ㄱ漢かカ")
    assert not any(is_cjk(c) for c in "aZ0(),.!")
