"""Embeds (notes, sections, blocks, files) and block ids."""
from __future__ import annotations

import re

from link_vaults import anchor, build, found, page

TARGET = """# Target

Intro paragraph with a [[other|link inside]].

## Section A

Alpha text. ^alpha

- first item ^item-1
- second item

## Section B

Beta text.
"""


def _embed_bodies(html: str) -> list[str]:
    return re.findall(r'<div class="kb-embed-content">\n(.*?)</div></div>', html, re.S)


def test_note_section_and_block_embeds_transclude_just_that_part(tmp_path):
    result = build(tmp_path, {
        "lib/target.md": TARGET,
        "lib/other.md": "# Other\n",
        "pages/host.md": "# Host\n\n![[target]]\n\n![[target#Section A]]\n\n![[target#^alpha]]\n\n![[target#^item-1]]\n",
    })
    html = page(result, "pages/host.md")
    whole, section, block, item = _embed_bodies(html)
    assert "Intro paragraph" in whole and "Beta text." in whole
    # links inside embedded content are relative to the page that shows them
    assert anchor(whole, "link inside") == "../../lib/other/"
    assert "Alpha text." in section and "first item" in section and "Beta text." not in section
    assert "Intro" not in section
    # ids inside an embed are prefixed with the embed's own id, so they never collide with the page's
    assert block.strip() == '<p id="kb-embed-3-^alpha">Alpha text.</p>'
    assert item.strip() == '<li id="kb-embed-4-^item-1">first item</li>'
    assert anchor(html, "Target") == "../../lib/target/"
    assert anchor(html, "Target › Section A") == "../../lib/target/#section-a"
    assert "<p><div" not in html  # block embeds are never nested in a paragraph
    assert not result.diagnostics


def test_image_and_file_embeds_are_found_anywhere_by_name(tmp_path):
    result = build(tmp_path, {
        "assets/deep/figure one.png": b"\x89PNG",
        "files/paper.pdf": b"%PDF",
        "files/talk.mp3": b"ID3",
        "files/demo.mp4": b"mp4",
        "files/data.csv": b"a,b",
        "notes/n.md": ("![[figure one.png]] ![[figure one.png|300]] ![[figure one.png|300x200]] "
                       "![[figure one.png|Loss <curve>|640]]\n\n"
                       "![[paper.pdf]]\n\n![[talk.mp3]] ![[data.csv]]\n\n![[demo.mp4]]\n\n![[nowhere.png]]\n"),
    })
    html = page(result, "notes/n.md")
    src = "../../assets/deep/figure%20one.png"
    assert f'<img class="kb-embed-image" src="{src}" alt="figure one.png" loading="lazy">' in html
    assert f'src="{src}" alt="figure one.png" width="300" loading="lazy">' in html
    assert f'alt="figure one.png" width="300" height="200"' in html
    assert 'alt="Loss &lt;curve&gt;" width="640"' in html
    assert '<iframe src="../../files/paper.pdf"' in html
    assert '<audio class="kb-embed-audio" controls preload="metadata" src="../../files/talk.mp3">' in html
    assert '<video class="kb-embed-video" controls preload="metadata" src="../../files/demo.mp4">' in html
    assert anchor(html, "data.csv") == "../../files/data.csv"
    assert '<span class="kb-unresolved">nowhere.png</span>' in html
    assert found(result, "broken-link") == [
        "notes/n.md:9:1: warning: link target 'nowhere.png' matches no note or file [broken-link]"]


def test_embed_cycles_are_cut_and_reported(tmp_path):
    result = build(tmp_path, {
        "a.md": "# A\n\ntext a\n\n![[b]]\n",
        "b.md": "# B\n\ntext b\n\n![[a]]\n",
        "self.md": "# Self\n\n## Part\n\nsee below\n\n![[#Part]]\n",
        "c.md": "# C\n\n![[a]]\n",
    })
    a = page(result, "a.md")
    assert a.count("text b") == 1 and a.count("text a") == 1  # b's embed of a is cut
    assert 'kb-embed-cycle' in a
    assert page(result, "self.md").count("see below") == 2  # the section once, then cut
    assert page(result, "c.md").count("text a") == 1
    assert found(result, "embed-cycle") == [
        "a.md:5:1: warning: embedding '![[b]]' leads back to itself: a.md → b.md → a.md [embed-cycle]",
        "b.md:5:1: warning: embedding '![[a]]' leads back to itself: b.md → a.md → b.md [embed-cycle]",
        "self.md:7:1: warning: embedding '![[#Part]]' leads back to itself: self.md → self.md [embed-cycle]",
    ]


def test_embeds_nest_up_to_the_depth_limit(tmp_path):
    chain = {f"n{i}.md": f"# N{i}\n\nbody {i}\n\n![[n{i + 1}]]\n" for i in range(5)}
    chain["n5.md"] = "# N5\n\nbody 5\n"
    result = build(tmp_path, chain, embed_depth=2)
    html = page(result, "n0.md")
    assert "body 1" in html and "body 2" in html and "body 3" not in html
    assert '<div class="kb-embed kb-embed-note kb-embed-depth">' in html
    assert anchor(html, "N3") == "../n3/"  # the cut embed still links to its note


def test_embeds_mid_sentence_unpublished_and_missing(tmp_path):
    result = build(tmp_path, {
        "t.md": "# T\n\nbody\n",
        "hidden.md": "---\ntitle: Hidden Title\ndraft: true\n---\nsecret body\n",
        "n.md": "See ![[t]] inline.\n\n![[hidden]]\n\n![[ghost]]\n",
    })
    html = page(result, "n.md")
    assert '<p>See <a class="kb-link kb-embed-link" href="../t/">t</a> inline.</p>' in html
    assert "<p>hidden</p>" in html and "Hidden Title" not in html and "secret body" not in html
    assert '<p><span class="kb-unresolved">ghost</span></p>' in html
    assert found(result, "broken-link") == [
        "n.md:5:1: warning: link target 'ghost' matches no note or file [broken-link]"]


def test_block_ids_become_anchors_and_their_text_is_hidden(tmp_path):
    result = build(tmp_path, {
        "b.md": ("A claim worth linking. ^claim\n\n- item one ^li-1\n- item two\n\n"
                 "| a | b |\n|---|---|\n| 1 | 2 |\n\n^table-1\n\n```python\nx = 1\n```\n\n^code-1\n\n"
                 "Not an id: `x ^in-code` and E = mc^2\n\n> quoted line\n> second ^quote-1\n"),
        "link.md": "[[b#^claim]] [[b#^li-1]] [[b#^table-1]] [[b#^code-1]] [[b#^quote-1]] [[b#^nope]]\n",
    })
    html = page(result, "b.md").split('<aside class="kb-backlinks"')[0]
    assert '<p id="^claim">A claim worth linking.</p>' in html
    assert '<li id="^li-1">item one</li>' in html
    assert '<table id="^table-1">' in html
    assert '<a class="kb-block-anchor" id="^code-1"></a>' in html
    assert "<code>x ^in-code</code> and E = mc^2" in html
    assert '<p id="^quote-1">quoted line\nsecond</p>' in html
    assert "^claim" not in html.replace('id="^claim"', "")
    assert "^table-1" not in html.replace('id="^table-1"', "")
    links = page(result, "link.md")
    for ident in ("claim", "li-1", "table-1", "code-1", "quote-1"):
        assert f'href="../b/#^{ident}"' in links
    assert found(result, "broken-link") == ["link.md:1:70: warning: no block '^nope' in b.md [broken-link]"]
