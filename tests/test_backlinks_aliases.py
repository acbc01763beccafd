"""Backlinks, alias redirect pages, `kbgen check` on links, and the 1,000-note bench vault."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from link_vaults import anchor, build, found, page, write_vault

from kbgen.build import build_vault
from kbgen.cli import main
from kbgen.config import KbgenConfig
from kbgen.markdown.linkpass import iter_refs
from kbgen.search.shards import read_documents

ROOT = Path(__file__).resolve().parent.parent
MAKE_VAULT = ROOT / ".." / "shared" / "bench" / "make_vault.py"


def _aside(html: str) -> str:
    match = re.search(r'<aside class="kb-backlinks".*?</aside>', html, re.S)
    return match.group(0) if match else ""


def test_backlinks_list_linking_notes_with_the_sentence_around_the_link(tmp_path):
    result = build(tmp_path, {
        "ml/relu.md": "---\ntitle: ReLU\n---\n# ReLU\n\nSee [[#ReLU]] here.\n",
        "ml/sigmoid.md": ("---\ntitle: Sigmoid <b>&</b>\n---\n시그모이드는 포화된다. 대신 **[[relu|ReLU]]** 를 쓰면 "
                          "기울기가 1이다. 다른 문장.\n\n표에서도 [ReLU 문서](relu.md) 를 본다.\n"),
        "notes/deep/intro.md": "# Intro\n\n- 목록 안의 [[relu]] 링크\n",
        "private/diary.md": "---\npublish: false\ntitle: Private Diary\n---\nI secretly link [[relu]].\n",
    })
    aside = _aside(page(result, "ml/relu.md"))
    assert "이 노트를 링크한 노트" in aside
    assert anchor(aside, "Sigmoid &lt;b&gt;&amp;&lt;/b&gt;") == "../sigmoid/"
    assert anchor(aside, "Intro") == "../../notes/deep/intro/"
    # The sentence (and the next, when it is short) as inline HTML, the link to this note highlighted.
    assert ('<p class="kb-backlink-context">대신 <strong><mark class="kb-backlink-here">ReLU</mark></strong> '
            '를 쓰면 기울기가 1이다. 다른 문장.</p>') in aside
    assert '<p class="kb-backlink-context">표에서도 <mark class="kb-backlink-here">ReLU 문서</mark> 를 본다.</p>' in aside
    assert '<p class="kb-backlink-context">목록 안의 <mark class="kb-backlink-here">relu</mark> 링크</p>' in aside
    assert "Private Diary" not in aside and "secretly" not in aside and "diary" not in aside
    assert "ReLU</a>" not in aside  # a note's links to itself are not backlinks
    assert not _aside(page(result, "notes/deep/intro.md"))  # nobody links there: no empty box


def test_alias_redirect_pages_and_the_alias_list(tmp_path):
    result = build(tmp_path, {
        "ml/vg.md": '---\ntitle: Vanishing <Gradient>\naliases: ["Vanishing Gradient", "기울기 소실", "x\\"><script>"]\n---\n'
                    "# Vanishing Gradient\n\nBody.\n",
        "user.md": "[[기울기 소실]] and [[vanishing gradient|VG]]\n",
    })
    files = {f.dest: f.read_bytes().decode() for f in result.files}
    redirect = files["vanishing-gradient/index.html"]
    assert '<meta http-equiv="refresh" content="0; url=../ml/vg/">' in redirect
    assert '<link rel="canonical" href="../ml/vg/">' in redirect
    assert '<a href="../ml/vg/">Vanishing &lt;Gradient&gt;</a>' in redirect
    assert '<a href="../ml/vg/">' in files["기울기-소실/index.html"]
    assert '&lt;script&gt;' in files["xscript/index.html"] and "<script>" not in files["xscript/index.html"]
    html = page(result, "ml/vg.md")
    assert html.index('<p class="kb-aliases">별칭: ') > html.index("</h1>")
    assert '<span class="kb-alias">x&quot;&gt;&lt;script&gt;</span>' in html
    assert anchor(page(result, "user.md"), "기울기 소실") == "../ml/vg/"
    assert anchor(page(result, "user.md"), "VG") == "../ml/vg/"


def test_alias_collision_points_at_the_alias_not_an_earlier_mention(tmp_path):
    result = build(tmp_path, {
        "a.md": "---\naliases: [Vanishing Gradient]\n---\n",
        "b.md": "---\ntitle: vanishing-gradient notes\ntags: [vanishing-gradient]\naliases:\n  - vanishing-gradient\n---\n",
    })
    assert [d.split(": warning")[0] for d in found(result, "alias-collision")] == ["b.md:5:5"]


def test_aliases_never_overwrite_pages_or_each_other(tmp_path):
    result = build(tmp_path, {
        "relu.md": "---\naliases: [Sigmoid, Shared]\n---\n# ReLU\n",
        "sigmoid.md": "---\naliases: [shared]\n---\n# Sigmoid\n",
        "draft.md": "---\ndraft: true\naliases: [draft-alias]\n---\n# D\n",
    })
    dests = [f.dest for f in result.files]
    assert "sigmoid/index.html" not in dests  # that is the note's own page
    assert dests.count("shared/index.html") == 1
    assert not [d for d in dests if "draft" in d]  # unpublished notes leave no alias behind
    assert found(result, "alias-collision") == [
        "relu.md:2:11: warning: alias 'Sigmoid' would live at /sigmoid/, which sigmoid.md already uses; "
        "no redirect page was written [alias-collision]",
        "sigmoid.md:2:11: warning: alias 'shared' would live at /shared/, which the alias 'Shared' of relu.md "
        "already uses; no redirect page was written [alias-collision]",
    ]


def test_check_reports_broken_ambiguous_and_cyclic_links_with_positions(tmp_path, capsys):
    notes = write_vault(tmp_path / "notes", {
        "a/x.md": "# X\n", "b/x.md": "# X\n",
        "n.md": "---\ntitle: N\n---\nintro [[x]] and [[nothing here]]\n\n![[m]]\n",
        "m.md": "![[n]]\n",
    })
    status = main(["check", "--notes", str(notes), "--format", "json"])
    problems = json.loads(capsys.readouterr().out)
    assert status == 0  # link problems are warnings: a vault with stubs still builds
    got = {(p["path"], p["line"], p["col"], p["code"]) for p in problems}
    assert {("n.md", 4, 7, "ambiguous-link"), ("n.md", 4, 17, "broken-link"),
            ("n.md", 6, 1, "embed-cycle"), ("m.md", 1, 1, "embed-cycle")} <= got


def test_aliases_are_in_the_built_sites_search_index(tmp_path):
    notes = write_vault(tmp_path / "notes", {
        "ml/vg.md": "---\naliases: [사라지는 기울기]\n---\n# Vanishing Gradient\n\nBody.\n",
    })
    site = tmp_path / "site"
    assert main(["build", "--notes", str(notes), "--site", str(site), "-q"]) == 0
    docs = read_documents(site / "search")
    assert any("사라지는 기울기" in doc["text"] and doc["location"].startswith("ml/vg/") for doc in docs)
    assert (site / "사라지는-기울기" / "index.html").is_file()


@pytest.mark.skipif(not MAKE_VAULT.is_file(), reason="../shared/bench/make_vault.py is not here")
def test_bench_vault_of_1000_notes_resolves_every_link(tmp_path):
    vault = tmp_path / "bench"
    subprocess.run([sys.executable, str(MAKE_VAULT), str(vault), "1000"], check=True, timeout=120)
    result = build_vault(KbgenConfig(notes_dir=vault, cache_dir=tmp_path / "cache"))
    index = result.vault.indexes["links"]
    # The build drops its token trees once rendered: each note is parsed again here, on demand.
    refs = [ref for path in result.rendered for _, ref, _, _ in iter_refs(index.parsed[path].tokens)]
    assert len(refs) == 5000
    alias_refs = [r for r in refs if r.target.startswith("alias-")]
    assert len(alias_refs) > 500
    # make_vault.py writes no front matter, hence no alias, for every tenth note (i % 10 == 9):
    # [[alias-…9]] names nothing there, and that is the only kind of broken link.
    orphan = {r.target for r in alias_refs if int(r.target[-5:]) % 10 == 9}
    broken = found(result, "broken-link")
    assert {re.search(r"'(alias-\d{5})'", d).group(1) for d in broken} == orphan
    for ref in refs:
        if ref.target in orphan:
            continue
        assert ref.resolution.note is not None, ref.raw
        if ref.target.startswith("alias-"):
            assert ref.resolution.note.stem == "note-" + ref.target[-5:]  # through the target's alias
        else:
            assert ref.resolution.note.stem == ref.target
        if ref.fragment:
            assert ref.anchor == "핵심-정리"
    assert not found(result, "ambiguous-link") and not found(result, "embed-cycle")



def test_links_inside_a_recognized_quiz_count_as_backlinks(tmp_path):
    result = build(tmp_path, {
        "q.md": "**Question:** Which note explains [[other|the other one]]?\n\n- A) this\n- B) that\n\n**정답: A**\n",
        "other.md": "# Other\n",
    })
    assert "kb-quiz" in page(result, "q.md")  # the block really became a quiz
    aside = _aside(page(result, "other.md"))
    assert anchor(aside, "q") == "../q/"
    assert 'Which note explains <mark class="kb-backlink-here">the other one</mark>?' in aside
