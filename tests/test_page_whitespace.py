"""Page HTML loses template indentation, never whitespace that shows."""
from kbgen.emit.page_whitespace import squeeze_whitespace


def test_blank_lines_and_indentation_between_tags_become_one_newline():
    page = "<nav>\n\n      <ul>\n        <li>a</li>\n   \n  </ul>\n</nav>"
    assert squeeze_whitespace(page) == "<nav>\n<ul>\n<li>a</li>\n</ul>\n</nav>"


def test_spaces_without_a_newline_are_kept():
    assert squeeze_whitespace("<p>a  <b>b</b>\t c</p>") == "<p>a  <b>b</b>\t c</p>"


def test_preformatted_code_script_and_textarea_are_copied_byte_for_byte():
    kept = ('<pre class="kb-mermaid">graph TD\n    A --> B\n\n    B --> C</pre>'
            '<code>x\n\n   y</code><script type="application/json">{"a":\n   "b <pre>"}</script>'
            "<textarea>\n  line\n</textarea><style>\n a { }\n</style>")
    page = "<div>\n   " + kept + "\n   </div>"
    assert squeeze_whitespace(page) == "<div>\n" + kept + "\n</div>"


def test_an_unclosed_protected_element_keeps_the_rest_of_the_page():
    page = "<p>\n  a</p>\n  <pre>\n  not closed\n\n  end"
    assert squeeze_whitespace(page) == "<p>\na</p>\n<pre>\n  not closed\n\n  end"


def test_tag_names_that_only_start_like_protected_ones_are_not_protected():
    assert squeeze_whitespace("<codex>\n   a</codex>") == "<codex>\na</codex>"


def test_built_note_page_keeps_its_code_block_and_loses_navigation_indentation(tmp_path, monkeypatch):
    from browser_support import build_site

    monkeypatch.chdir(tmp_path)
    code = "def f():\n\n        return 1\n"
    site = build_site(tmp_path, {"a.md": f"# A\n\n```python\n{code}```\n", "b.md": "# B\n"})
    page = (site / "a" / "index.html").read_text(encoding="utf-8")
    assert "\n\n" not in page.split("<pre", 1)[0]  # no blank line before the first code block
    assert "\n  <" not in page.split("<pre", 1)[0]  # nor indentation
    code_html = page.split('<code>', 1)[1].split("</code>", 1)[0]
    assert "\n\n        " in code_html  # the blank line and indentation inside the code survive
    assert 'href="../b/"' in page


def test_runs_are_squeezed_as_the_regular_expression_would():
    import random
    import re

    from kbgen.emit.page_whitespace import squeeze_runs

    regex = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(" \t\r\f\n\x0b\xa0ab<>") for _ in range(rng.randint(0, 30)))
        assert squeeze_runs(text) == regex.sub("\n", text), repr(text)


def test_a_protected_element_ends_at_its_closing_tag_after_letters_that_lower_case_longer():
    # "İ" lower-cases to two characters: found in a lower-cased copy, the end of <pre> drifted past "</pre>".
    page = "<p>" + "İ" * 40 + "</p>\n  <PRE>a\n\n  b</Pre>\n  <p>after</p>\n  <p>more</p>"
    assert squeeze_whitespace(page) == "<p>" + "İ" * 40 + "</p>\n<PRE>a\n\n  b</Pre>\n<p>after</p>\n<p>more</p>"


def test_only_ascii_letters_spell_a_protected_tag_name():
    # "ſ" (long s) and "K" (Kelvin) case-fold to s and k, but an HTML tag name compares ASCII case only.
    assert squeeze_whitespace("<ſcript>\n  a</ſcript>\n  b") == "<ſcript>\na</ſcript>\nb"
