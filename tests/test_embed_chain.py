"""Embed chains: followed until a note repeats in the chain, depth limit, ids and footnotes kept apart."""
from __future__ import annotations

import re
from collections import Counter

from link_vaults import build, page


def _ids(html: str) -> list[str]:
    return re.findall(r' id="([^"]*)"', html)


def test_chain_is_followed_until_a_note_repeats_with_a_link_up(tmp_path):
    result = build(tmp_path, {
        "p.md": "# P\n\n![[a]]\n",
        "a.md": "# A\n\nAlpha text.\n\n![[b]]\n",
        "b.md": "# B\n\nBeta text.\n\n![[a]]\n",
    }, language="en")
    html = page(result, "p.md")
    assert html.count("Alpha text.") == 1 and html.count("Beta text.") == 1  # B shown; A not twice
    assert '<div class="kb-embed kb-embed-note" id="kb-embed-1">' in html
    repeat = re.search(r'class="kb-embed kb-embed-note kb-embed-cycle">.*?</div>', html).group(0)
    assert '<a href="#kb-embed-1">Already shown above</a>' in repeat
    # The page itself repeating points to its top.
    back = build(tmp_path / "self", {"p.md": "# P\n\nPage text.\n\n![[q]]\n", "q.md": "# Q\n\n![[p]]\n"},
                 language="ko")
    html = page(back, "p.md")
    assert html.count("Page text.") == 1 and '<a href="#">위에 이미 표시됨</a>' in html


def test_a_note_may_show_its_own_section(tmp_path):
    result = build(tmp_path, {"p.md": "# P\n\n![[#Part]]\n\n## Part\n\nPart text.\n"})
    assert page(result, "p.md").count("Part text.") == 2


def test_depth_limit_shows_a_link_to_the_note(tmp_path):
    files = {f"n{i}.md": f"# N{i}\n\nText {i}.\n\n![[n{i + 1}]]\n" for i in range(5)}
    files["n5.md"] = "# N5\n\nText 5.\n"
    result = build(tmp_path, files, embed_depth=2, language="en")
    html = page(result, "n0.md")
    assert "Text 1." in html and "Text 2." in html and "Text 3." not in html
    assert re.search(r'kb-embed-depth">.*?<a href="../n3/">Embedded too deeply — open the note</a>', html)


def test_heading_and_footnote_ids_inside_embeds_never_collide(tmp_path):
    result = build(tmp_path, {
        "p.md": "# Same\n\nPage claim.[^1]\n\n## Sec\n\n![[a]]\n\n![[a#Sec]]\n\n[Jump](#sec)\n\n[^1]: page note\n",
        "a.md": "# Same\n\nEmbedded claim.[^1]\n\n## Sec\n\nSection text. See [[p#Sec]].\n\n[^1]: embedded note\n",
    })
    html = page(result, "p.md")
    ids = _ids(html)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert "sec" in ids and "kb-embed-1-sec" in ids and "kb-embed-2-sec" in ids
    assert "fn1" in ids and "kb-embed-1-fn2" in ids
    # Footnote links inside the embed go to the embed's footnotes (numbered after the page's), the page's to the page's.
    assert '<a href="#kb-embed-1-fn2" id="kb-embed-1-fnref2">[2]</a>' in html
    assert '<a href="#fn1" id="fnref1">[1]</a>' in html
    # A link to the page's own heading from inside an embed still reaches it.
    assert 'href="#sec"' in html and "#kb-embed-1-kb" not in html
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target


def test_block_embed_shows_only_the_block(tmp_path):
    result = build(tmp_path, {
        "p.md": "# P\n\n![[a#^key]]\n",
        "a.md": "# A\n\nBefore.\n\nThe key sentence. ^key\n\nAfter.\n",
    })
    body = re.search(r'<div class="kb-embed-content">\n(.*?)</div></div>', page(result, "p.md"), re.S).group(1)
    assert "The key sentence." in body and "Before." not in body and "After." not in body


def _captions(html: str) -> list[str]:
    return re.findall(r'<sup class="footnote-ref"><a href="#[^"]+" id="[^"]+">\[([^\]]+)\]</a></sup>', html)


def _footnote_items(html: str) -> list[tuple[str, str]]:
    """(value, text) of each footnote <li> in page order; the page's own list has no value (it counts from 1)."""
    return re.findall(r'<li (?:value="(\d+)" )?id="[^"]+" class="footnote-item"><p>(.*?)(?: <a href="#[^"]+" '
                      r'class="footnote-backref">|<sup)', html)


def test_embedded_footnotes_are_numbered_apart_and_sections_bring_their_definitions(tmp_path):
    result = build(tmp_path, {
        "p.md": "# P\n\nPage claim.[^1]\n\n![[a]]\n\n![[a#Sec]]\n\n![[a#^blk]]\n\nMore.[^2]\n\n"
                "[^1]: page one\n[^2]: page two\n",
        "a.md": "# A\n\nIntro.[^x]\n\n## Sec\n\nSection cites.[^y]\n\n## Other\n\nOther text.[^z] ^blk\n\n"
                "[^x]: ex note\n[^y]: why note cites[^z]\n[^z]: zed note\n",
    })
    html = page(result, "p.md")
    ids = _ids(html)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    # Every visible number is the page's own once: the page keeps 1-2, the whole embed shows 3-5,
    # the section 6-7 (y and z, which y cites), the block 8.
    assert _captions(html) == ["1", "3", "4", "5", "5:1", "6", "7:1", "8", "2"]
    assert _footnote_items(html) == [("3", "ex note"), ("4", "why note cites"), ("5", "zed note"),
                                     ("6", "why note cites"), ("7", "zed note"), ("8", "zed note"),
                                     ("", "page one"), ("", "page two")]
    section = re.search(r'<div class="kb-embed kb-embed-note" id="kb-embed-2">.*?</div></div>', html, re.S).group(0)
    assert "why note cites" in section and "zed note" in section and "ex note" not in section
    assert "Other text." not in section
    block = re.search(r'<div class="kb-embed kb-embed-note" id="kb-embed-3">.*?</div></div>', html, re.S).group(0)
    assert "Other text." in block and "zed note" in block and "why note" not in block
    # Every footnote link and every back-link (↩) lands on something shown on this page.
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target
    assert html.count('class="footnote-backref"') == 9  # 2 page + 4 whole (z cited twice) + 2 section + 1 block
