"""Excalidraw drawings: the exported image (or a notice), never the plugin's banner, text elements or data."""
from __future__ import annotations

from link_vaults import build, page

DRAWING = """---
excalidraw-plugin: parsed
tags: [excalidraw]
---
==⚠  Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu of this document. ⚠== You can decompress Drawing data with the command palette: 'Decompress current Excalidraw file'. For more info check in plugin settings under 'Saving'

# Excalidraw Data

## Text Elements
Input layer ^a1b2c3

Hidden layer ^d4e5f6

%%
## Drawing
```compressed-json
N4KAkARALgngDgUwgLgAQQQDwMYEMA2AlgCYBOuA7hADTgQBuCpAzoQPYB2KqATLZMzYBXUtiRoIACyhQ4zZAHoFAc0JRJQgEYA6bGwC2CgF7N6hbEbL
```
%%
"""

OLD_FORMAT = """==⚠  Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu of this document. ⚠==

설명: 신경망 구조도.

# Text Elements
Input layer ^abc

%%
# Drawing
```json
{"type":"excalidraw","version":2,"elements":[]}
```
%%
"""

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'

LEAKS = ("EXCALIDRAW VIEW", "Text Elements", "Excalidraw Data", "Input layer", "compressed-json", "N4KAkAR",
         "Drawing", "decompress", '"elements"', "==", "%%")


def _assert_no_plugin_data(html: str) -> None:
    for leak in LEAKS:
        assert leak not in html, leak


def test_drawing_with_exported_svg_shows_the_image(tmp_path):
    result = build(tmp_path, {"draw/Net.excalidraw.md": DRAWING, "draw/Net.excalidraw.svg": SVG})
    html = page(result, "draw/Net.excalidraw.md")
    assert '<img class="kb-embed-image" src="../Net.excalidraw.svg" alt="Net.excalidraw.svg" loading="lazy">' in html
    _assert_no_plugin_data(html)
    assert result.rendered["draw/Net.excalidraw.md"].title == "Net"


def test_drawing_without_an_export_shows_a_notice(tmp_path):
    result = build(tmp_path, {"Net.excalidraw.md": DRAWING})
    html = page(result, "Net.excalidraw.md")
    assert '<p class="kb-excalidraw-missing">이 드로잉은 게시되지 않았습니다' in html
    _assert_no_plugin_data(html)


def test_old_format_keeps_the_authors_prose_and_uses_a_png_export(tmp_path):
    result = build(tmp_path, {"Net.excalidraw.md": OLD_FORMAT, "Net.excalidraw.png": b"\x89PNG\r\n\x1a\n"})
    html = page(result, "Net.excalidraw.md")
    assert 'src="../Net.excalidraw.png"' in html and "설명: 신경망 구조도." in html
    _assert_no_plugin_data(html)


def test_embedding_a_drawing_shows_the_same_image(tmp_path):
    result = build(tmp_path, {
        "draw/Net.excalidraw.md": DRAWING, "draw/Net.excalidraw.svg": SVG,
        "notes/a.md": "# A\n\n![[Net.excalidraw]]\n\n인라인 ![[Net.excalidraw|200]] 도.\n",
    })
    html = page(result, "notes/a.md")
    assert '<img class="kb-embed-image" src="../../draw/Net.excalidraw.svg" alt="Net.excalidraw.svg" loading="lazy">' in html
    assert 'src="../../draw/Net.excalidraw.svg" alt="Net.excalidraw.svg" width="200" loading="lazy">' in html
    _assert_no_plugin_data(html)
