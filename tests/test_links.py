"""Wiki links, Markdown links and Hugo refs: resolution, hrefs, diagnostics, what never leaks."""
from __future__ import annotations

import unicodedata
from urllib.parse import quote

from link_vaults import anchor, build, found, hrefs, page

from kbgen.config import KbgenConfig
from kbgen.markdown.renderer import NoteRenderer
from kbgen.vault.load import load_vault

RELU = """---
title: ReLU 함수
aliases: [렐루]
id: 1738159745-KFPP
---
# ReLU 함수

## 정의

ReLU는 max(0, x) 이다. ^def-1

## 도함수

### 양수 구간

기울기는 1.

## 비교

### 양수 구간

다른 절의 같은 제목.

### **기울기 소실(Vanishing Gradient) 문제란?**

굵은 제목.
"""


def test_every_wiki_link_form_lands_on_the_right_page_and_anchor(tmp_path):
    result = build(tmp_path, {
        "ml/relu.md": RELU,
        "ml/links.md": (
            "# Links\n\n"
            "[[relu]] · [[relu|렐루 함수]] · [[ml/relu]] · [[relu.md]] · [[relu#도함수]]\n"
            "[[relu#비교#양수 구간]] · [[relu#^def-1]] · [[#로컬 절]] · [[relu#정의|정의 보기]]\n\n"
            "## 로컬 절\n\n"
            "| 표 | 링크 |\n|---|---|\n| a | [[relu\\|표 안 링크]] |\n"
        ),
    })
    html = page(result, "ml/links.md")
    assert anchor(html, "relu") == "../relu/"
    assert anchor(html, "렐루 함수") == "../relu/"
    assert anchor(html, "ml/relu") == "../relu/"
    assert anchor(html, "relu.md") == "../relu/"
    assert anchor(html, "relu &gt; 도함수") == "../relu/#도함수"
    # [[n#A#B]] is heading B under A: the second "양수 구간", whose id got a suffix
    assert anchor(html, "relu &gt; 비교 &gt; 양수 구간") == "../relu/#양수-구간_1"
    assert anchor(html, "relu &gt; ^def-1") == "../relu/#^def-1"
    assert anchor(html, "로컬 절") == "#로컬-절"
    assert anchor(html, "정의 보기") == "../relu/#정의"
    assert anchor(html, "표 안 링크") == "../relu/"  # \| inside a table cell
    target = page(result, "ml/relu.md")
    for fragment in ("도함수", "양수-구간_1", "^def-1", "정의"):
        assert f'id="{fragment}"' in target  # every anchor exists in the target page
    assert not found(result, "broken-link")


def test_heading_targets_match_like_obsidian(tmp_path):
    result = build(tmp_path, {
        "relu.md": RELU,
        "a.md": "[[relu#기울기 소실(Vanishing Gradient) 문제란?]] [[relu#기울기 소실 vanishing gradient 문제란]] "
                "[[relu#도함수]] [[relu#정의|x]] [[relu#없는 제목|y]]\n",
    })
    html = page(result, "a.md")
    slug = "기울기-소실vanishing-gradient-문제란"
    assert f'id="{slug}"' in page(result, "relu.md")
    assert anchor(html, "relu &gt; 기울기 소실(Vanishing Gradient) 문제란?") == f"../relu/#{slug}"
    assert anchor(html, "relu &gt; 기울기 소실 vanishing gradient 문제란") == f"../relu/#{slug}"
    assert anchor(html, "y") == "../relu/"  # a missing heading still reaches the note…
    assert found(result, "broken-link") == [  # …and is reported at its column
        "a.md:1:108: warning: no heading '없는 제목' in relu.md [broken-link]"]


def test_seed_002_zettelkasten_id_link_is_not_a_markdown_link(tmp_path):
    result = build(tmp_path, {
        "partial.md": "---\nid: 1738159745-KFPP\n---\n# Partial derivative\n",
        "vg.md": "---\nid: 1738159475-TWPO\n---\n# Q\n\n* [[1738159745-KFPP|Partial]](편미분)\n",
    })
    html = page(result, "vg.md")
    assert '<li><a class="kb-link" href="../partial/">Partial</a>(편미분)</li>' in html


def test_names_match_without_case_or_unicode_form(tmp_path):
    nfd_name = unicodedata.normalize("NFD", "기울기 소실.md")
    assert nfd_name != unicodedata.normalize("NFC", nfd_name)
    result = build(tmp_path, {
        f"ko/{nfd_name}": "# 기울기 소실\n\n본문.\n",
        "ko/ReLU Note.md": "# ReLU\n",
        "index.md": "# 홈\n\n[[기울기 소실]] [[RELU NOTE]] [[ko/relu note.MD]] [[기울기 소실#본문 없음|x]]\n",
    })
    html = page(result, "index.md")
    nfc_url = "ko/" + quote("기울기-소실", safe="/") + "/"
    assert anchor(html, "기울기 소실") == nfc_url  # URLs are NFC whatever form the file name has on disk
    assert anchor(html, "RELU NOTE") == "ko/ReLU-Note/"
    assert anchor(html, "ko/relu note.MD") == "ko/ReLU-Note/"
    assert [d.split(": ", 1)[1] for d in found(result, "broken-link")] == [
        "warning: no heading '본문 없음' in " + f"ko/{nfd_name} [broken-link]"]


def test_same_name_in_two_folders_prefers_path_then_nearest_then_shortest(tmp_path):
    result = build(tmp_path, {
        "a/x.md": "# A x\n",
        "b/x.md": "# B x\n",
        "a/deep/from-a.md": "[[x]] and [[b/x]]\n",
        "root.md": "[[x]]\n",
        "c/y.md": "# C y\n",
        "y.md": "# root y\n",
        "c/deep/from-c.md": "[[y]]\n",
    })
    from_a = page(result, "a/deep/from-a.md")
    assert anchor(from_a, "x") == "../../x/"  # a/x.md is nearer than b/x.md
    assert anchor(from_a, "b/x") == "../../../b/x/"
    # equally near from the root: the shorter, then alphabetical path wins, and it is reported
    assert anchor(page(result, "root.md"), "x") == "../a/x/"
    # an exact vault path beats a nearer note, silently
    assert anchor(page(result, "c/deep/from-c.md"), "y") == "../../../y/"
    assert found(result, "ambiguous-link") == [
        "a/deep/from-a.md:1:1: warning: 'x' matches 2 files (a/x.md, b/x.md); linked to a/x.md [ambiguous-link]",
        "root.md:1:1: warning: 'x' matches 2 files (a/x.md, b/x.md); linked to a/x.md [ambiguous-link]",
    ]


def test_aliases_titles_and_ids_are_addresses(tmp_path):
    result = build(tmp_path, {
        "ml/relu.md": RELU,
        "b.md": "[[렐루]] [[ReLU 함수]] [[1738159745-kfpp]]\n",
    })
    html = page(result, "b.md")
    assert hrefs(html) == ["../ml/relu/"] * 3


def test_links_inside_code_are_left_alone(tmp_path):
    result = build(tmp_path, {
        "a.md": "# A\n\n`[[missing]]` and ``![[x.png]]`` and `[t](gone.md)`\n\n```\n[[missing]]\n```\n\n"
                "    [[indented]]\n",
    })
    html = page(result, "a.md")
    assert "<p><code>[[missing]]</code> and <code>![[x.png]]</code> and <code>[t](gone.md)</code></p>" in html
    assert "<code>[[missing]]\n</code></pre>" in html
    assert "<code>[[indented]]\n</code></pre>" in html
    assert "kb-" not in html
    assert not found(result, "broken-link")


def test_wiki_links_inside_math_are_left_alone(tmp_path):
    result = build(tmp_path, {"a.md": "Inline $a [[b]] c$ and\n\n$$\n[[d]] + x\n$$\n"})
    html = page(result, "a.md")
    assert "kb-unresolved" not in html and "kb-link" not in html
    assert html.count('class="arithmatex"') == 2
    assert not found(result, "broken-link")


def test_broken_link_is_shown_without_href_and_reported_at_line_and_column(tmp_path):
    result = build(tmp_path, {
        "notes/a.md": "---\ntitle: A\n---\n\n> quote with [[Missing Note]]\n\n- item [[also missing|텍스트]]\n",
    })
    html = page(result, "notes/a.md")
    assert '<span class="kb-unresolved">Missing Note</span>' in html
    assert '<span class="kb-unresolved">텍스트</span>' in html
    assert "href" not in html.split("<blockquote>")[1]
    assert found(result, "broken-link") == [
        "notes/a.md:5:14: warning: link target 'Missing Note' matches no note or file [broken-link]",
        "notes/a.md:7:8: warning: link target 'also missing' matches no note or file [broken-link]",
    ]


def test_unpublished_and_draft_targets_leak_neither_title_nor_url(tmp_path):
    result = build(tmp_path, {
        "private/secret.md": "---\ntitle: Top Secret Plans\npublish: false\naliases: [hidden-alias]\n---\nbody\n",
        "private/draft-note.md": "---\ntitle: Unfinished Draft Title\ndraft: true\n---\nbody\n",
        "public.md": "# Public\n\n[[secret]] · [[Top Secret Plans|see]] · [[hidden-alias]] · [[secret#body]]\n"
                     "[[draft-note]] · [md](private/secret.md) · ![[secret]] · [[secret|<b>x</b>]]\n",
    })
    assert set(result.rendered) == {"public.md"}
    html = page(result, "public.md")
    for leak in ("Top Secret Plans", "Unfinished Draft Title", "private/", "secret/", "draft-note/", "kb-link"):
        assert leak not in html.replace("[[Top Secret Plans|see]]", "")
    assert "<p>secret · see · hidden-alias · secret &gt; body\ndraft-note · md · secret · &lt;b&gt;x&lt;/b&gt;</p>" in html
    assert not found(result, "broken-link")  # unpublished is not missing


def test_nothing_reaches_outside_the_vault(tmp_path):
    result = build(tmp_path, {
        "a/b.md": "[[../../etc/passwd]] [[/etc/passwd]] [x](../../../etc/passwd) [[passwd]]\n",
        "etc/passwd.md": "# not reachable by ../\n",
    })
    html = page(result, "a/b.md")
    assert '<span class="kb-unresolved">../../etc/passwd</span>' in html
    assert '<span class="kb-unresolved">x</span>' in html
    # "/" and plain names mean the vault's root and the vault's notes, never the file system
    assert anchor(html, "/etc/passwd") == "../../etc/passwd/"
    assert anchor(html, "passwd") == "../../etc/passwd/"
    assert [d for d in found(result, "broken-link")] == [
        "a/b.md:1:1: warning: link target '../../etc/passwd' is outside the vault [broken-link]",
        "a/b.md:1:38: warning: link target '../../../etc/passwd' is outside the vault [broken-link]",
    ]


def test_markdown_links_to_notes_and_files_are_rewritten_for_the_page(tmp_path):
    result = build(tmp_path, {
        "ml/other note.md": "# Other\n\n## 두 번째 절\n",
        "ml/sub/x.md": "# X\n",
        "files/report.pdf": b"%PDF-1.4",
        "ml/img/figure.png": b"\x89PNG",
        "ml/a.md": (
            "[plain](other%20note.md) [angle](<other note.md>) [rel](sub/x.md) [up](../ml/sub/x.md)\n"
            "[frag](other%20note.md#두-번째-절) [text-frag](<other note.md#두 번째 절>) [pdf](../files/report.pdf)\n"
            "![fig](img/figure.png) [site](https://example.com/x.md) [here](#top) [gone](missing.md)\n"
            "[by-name](x.md)\n"
        ),
    })
    html = page(result, "ml/a.md")
    assert anchor(html, "plain") == "../other-note/"
    assert anchor(html, "angle") == "../other-note/"
    assert anchor(html, "rel") == "../sub/x/"
    assert anchor(html, "up") == "../sub/x/"
    assert anchor(html, "frag") == "../other-note/#두-번째-절"
    assert anchor(html, "text-frag") == "../other-note/#두-번째-절"
    assert anchor(html, "pdf") == "../../files/report.pdf"
    assert '<img src="../img/figure.png" alt="fig"' in html
    assert anchor(html, "site") == "https://example.com/x.md"
    assert anchor(html, "here") == "#top"
    assert '<span class="kb-unresolved">gone</span>' in html
    assert anchor(html, "by-name") == "../sub/x/"  # Obsidian's shortest-path Markdown links
    assert found(result, "broken-link") == [
        "ml/a.md:3:70: warning: link target 'missing.md' matches no note or file [broken-link]"]


def test_hugo_ref_and_relref_shortcodes(tmp_path):
    result = build(tmp_path, {
        "posts/first post.md": "---\ntitle: First <Post>\n---\n## Setup\n",
        "posts/second.md": '[one]({{< ref "first post.md" >}}) [two]({{< relref "first post#setup" >}}) '
                           '{{< ref "/posts/first post.md" >}} [three]({{% ref "nowhere.md" %}})\n'
                           '`{{< ref "x" >}}`\n',
    })
    html = page(result, "posts/second.md")
    assert anchor(html, "one") == "../first-post/"
    assert anchor(html, "two") == "../first-post/#setup"
    assert anchor(html, "First &lt;Post&gt;") == "../first-post/"  # a bare shortcode shows the title
    assert '<span class="kb-unresolved">three</span>' in html
    assert '<code>{{&lt; ref &quot;x&quot; &gt;}}</code>' in html
    assert len(found(result, "broken-link")) == 1


def test_single_note_render_resolves_without_the_link_pass(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("[[b#Part]] [[c]]\n", encoding="utf-8")
    (notes / "b.md").write_text("# B\n\n## Part\n", encoding="utf-8")
    config = KbgenConfig(notes_dir=notes, cache_dir=tmp_path / "cache")
    vault = load_vault(config)
    rendered = NoteRenderer(config).render_note(vault.notes["a.md"], vault)
    assert '<a class="kb-link" href="../b/#part">b &gt; Part</a>' in rendered.html
    assert [d.format() for d in rendered.diagnostics] == [
        "a.md:1:12: warning: link target 'c' matches no note or file [broken-link]"]


def test_links_switch_turns_the_whole_feature_off(tmp_path):
    result = build(tmp_path, {"a.md": "---\naliases: [x]\n---\n[[b]] ![[b]]\n", "b.md": "# B\n"}, links=False)
    assert "[[b]] ![[b]]" in page(result, "a.md")
    assert "links" not in result.vault.indexes
    assert not [f for f in result.files if f.dest.endswith("x/index.html")]
