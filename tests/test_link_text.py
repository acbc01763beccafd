"""Wiki-link display text is inline Markdown (never a nested link); heading targets match whatever markup they carry."""
from __future__ import annotations

from katex_support import fresh_cache
from link_vaults import build, found, page, write_vault

from kbgen.build import build_vault
from kbgen.config import KbgenConfig

TYPES = """# Types

### **PropTypes.string**

문자열.

### `PropTypes.number` 와 $x^2$

숫자.
"""


def test_display_text_is_rendered_as_inline_markdown(tmp_path):
    result = build(tmp_path, {
        "types.md": TYPES,
        "a.md": "[[types#Types#**PropTypes.string**|**PropTypes.string**]] 와 [[types|`code` *em* ==mark==]]\n",
    })
    html = page(result, "a.md")
    assert '<a class="kb-link" href="../types/#proptypesstring"><strong>PropTypes.string</strong></a>' in html
    assert '<a class="kb-link" href="../types/"><code>code</code> <em>em</em> <mark>mark</mark></a>' in html
    assert "**" not in html and not found(result, "broken-link")


def test_same_note_heading_link_with_markup(tmp_path):
    result = build(tmp_path, {"types.md": TYPES + "\n[[#Types#**PropTypes.string**|**PropTypes.string**]]\n"})
    assert '<a class="kb-link" href="#proptypesstring"><strong>PropTypes.string</strong></a>' in page(result, "types.md")


def test_heading_with_code_and_math_matches_with_or_without_markup(tmp_path):
    result = build(tmp_path, {
        "types.md": TYPES,
        "a.md": "[[types#`PropTypes.number` 와 $x^2$|A]] [[types#PropTypes.number 와 x^2|B]]\n",
    })
    html = page(result, "a.md")
    assert html.count('href="../types/#proptypesnumber-와-x2"') == 2
    assert not found(result, "broken-link")


def test_math_in_display_text_is_typeset(tmp_path):
    notes = write_vault(tmp_path / "notes", {"b.md": "# B\n", "a.md": "[[b|$\\alpha$ 값]]\n"})
    html = build_vault(KbgenConfig(notes_dir=notes, cache_dir=fresh_cache(tmp_path))).rendered["a.md"].html
    assert '<a class="kb-link" href="../b/"><span class="arithmatex">' in html and "$\\alpha$" not in html


def test_links_never_nest_in_display_text(tmp_path):
    result = build(tmp_path, {
        "b.md": "# B\n", "c.md": "# C\n",
        "a.md": "[[b|see [c](c.md) and <https://example.com> **now**]]\n",
    })
    html = page(result, "a.md")
    assert html.count("<a ") == 1
    assert '<a class="kb-link" href="../b/">see c and https://example.com <strong>now</strong></a>' in html


def test_plain_display_text_is_escaped(tmp_path):
    result = build(tmp_path, {"b.md": "# B\n", "a.md": "[[b|<img src=x onerror=alert(1)>]]\n"})
    html = page(result, "a.md")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
