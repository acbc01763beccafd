"""Graph data, the local graph slot, Mermaid fences and the browser bundle's messages."""
from __future__ import annotations

import json
import posixpath
import re
import shutil

from kbgen.emit.graph import DATA_PATH
from kbgen.emit.mermaid_assets import MERMAID
from kbgen.emit.web_assets import SCRIPT, messages_json
from kbgen.npm_assets import _COMPLETE, cached_package, ensure_package, package_dir
from link_vaults import PROJECT_CACHE, build, page
from render_support import render


def _file(result, dest: str) -> str:
    return next(f.read_bytes().decode("utf-8") for f in result.files if f.dest == dest)


def test_graph_has_published_notes_and_their_links_embeds_included(tmp_path):
    result = build(tmp_path, {
        "ml/relu.md": "# ReLU\n\n[[sigmoid]] and [[sigmoid]] again, and [[nowhere]].\n",
        "ml/sigmoid.md": "# Sigmoid\n\n![[calculus]]\n",
        "math/calculus.md": "---\ntags: [math, core]\n---\n# Calculus\n\nText.\n",
        "top.md": "# Top\n\n[[secret]]\n",
        "secret.md": "---\npublish: false\n---\n# Secret\n\n[[relu]]\n",
    })
    data = json.loads(_file(result, DATA_PATH))
    titles = [n["t"] for n in data["nodes"]]
    assert titles == ["Calculus", "ReLU", "Sigmoid", "Top"]  # no Secret
    assert "secret" not in _file(result, DATA_PATH).lower()
    by_title = {n["t"]: i for i, n in enumerate(data["nodes"])}
    pairs = {tuple(sorted((titles[a], titles[b]))) for a, b in data["links"]}
    assert pairs == {("ReLU", "Sigmoid"), ("Calculus", "Sigmoid")}  # the embed counts; one edge per pair
    assert [data["nodes"][by_title[t]]["n"] for t in ("ReLU", "Sigmoid", "Calculus", "Top")] == [1, 2, 1, 0]
    assert data["nodes"][by_title["ReLU"]]["u"] == "ml/relu/"
    groups = [data["groups"][n["g"]] for n in data["nodes"]]
    assert groups == ["math", "ml", "ml", "최상위"]


def test_graph_groups_by_first_tag_when_asked(tmp_path):
    result = build(tmp_path, {
        "a.md": "---\ntags: [alpha, beta]\n---\n[[b]]\n",
        "b.md": "# B\n",
    }, graph_groups="tag", language="en")
    data = json.loads(_file(result, DATA_PATH))
    assert [data["groups"][n["g"]] for n in data["nodes"]] == ["alpha", "No tag"]


def test_local_graph_slot_only_on_linked_notes_and_global_page(tmp_path):
    result = build(tmp_path, {"ml/a.md": "# A\n\n[[b]]\n", "ml/b.md": "# B\n", "c.md": "# C\n"})
    slot = '<section class="kb-graph-local" data-kb-graph-page="../../graph/">'
    assert slot in page(result, "ml/a.md") and slot in page(result, "ml/b.md")
    assert "kb-graph-local" not in page(result, "c.md")
    graph_page = next(p for p in result.pages if p.src_path == "graph.md")
    assert 'data-kb-graph="global"' in graph_page.html
    assert "assets/force-graph/force-graph.min.js" in [f.dest for f in result.files]


def test_graph_data_escapes_markup_and_can_be_turned_off(tmp_path):
    result = build(tmp_path, {"a.md": "---\ntitle: '</script><b>x</b>'\n---\n[[b]]\n", "b.md": "# B\n"})
    text = _file(result, DATA_PATH)
    assert "<" not in text and json.loads(text)["nodes"][0]["t"] == "</script><b>x</b>"
    off = build(tmp_path / "off", {"a.md": "[[b]]\n", "b.md": "# B\n"}, graph=False)
    assert DATA_PATH not in [f.dest for f in off.files]
    assert "kb-graph" not in page(off, "a.md")


def test_mermaid_fence_is_marked_for_the_browser_and_escaped():
    rendered = render("```mermaid\ngraph TD\n  A[<b>x</b>] --> B\n```\n\n```python\nx = 1\n```")
    assert '<pre class="kb-mermaid">graph TD\n  A[&lt;b&gt;x&lt;/b&gt;] --&gt; B\n</pre>' in rendered.html
    assert 'class="language-python highlight"' in rendered.html
    assert rendered.data["mermaid"] == 1
    assert "mermaid" not in render("```python\nx = 1\n```").data


def test_mermaid_is_served_only_when_a_page_has_a_diagram(tmp_path):
    plain = build(tmp_path / "plain", {"a.md": "# A\n"})
    assert not any(f.dest.startswith("assets/mermaid/") for f in plain.files)


# A relative static or dynamic import in a minified ES module: from"./x.mjs", import("./x.mjs").
_RELATIVE_IMPORT = re.compile(r'(?:\bfrom|\bimport)\s*\(?\s*"(\.{1,2}/[^"]+)"')


def test_diagram_site_serves_mermaid_esm_with_every_chunk_it_imports(tmp_path):
    ready = ensure_package(PROJECT_CACHE, MERMAID)
    assert ready is not None, "kbgen setup fetches mermaid"
    shutil.copytree(ready, package_dir(tmp_path / "cache", MERMAID))  # the cache build() uses
    result = build(tmp_path, {"a.md": "# A\n\n```mermaid\ngraph TD\n  A --> B\n```\n"})
    served = {f.dest[len("assets/mermaid/"):]: f for f in result.files if f.dest.startswith("assets/mermaid/")}
    assert "mermaid.min.js" not in served  # the 5.4 MB self-contained build is gone
    # Follow the imports from the entry: each must be a file of the site (offline, no CDN),
    # and every served module must be reachable (nothing kept that no page can load).
    reached, todo = set(), ["mermaid.esm.min.mjs"]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        assert name in served, f"{name} is imported but not served"
        reached.add(name)
        text = served[name].read_bytes().decode("utf-8")
        todo += [posixpath.normpath(posixpath.join(posixpath.dirname(name), rel))
                 for rel in _RELATIVE_IMPORT.findall(text)]
    assert reached == {name for name in served if name.endswith(".mjs")}
    assert any(name.startswith("chunks/mermaid.esm.min/flowDiagram-") for name in reached)
    assert set(served) - reached == {"LICENSE"}


def test_a_cache_unpacked_under_an_older_keep_list_is_fetched_again(tmp_path):
    # The cache of the mermaid.min.js days: complete, same version, but no ESM entry.
    old = package_dir(tmp_path, MERMAID)
    old.mkdir(parents=True)
    for name in ("mermaid.min.js", "LICENSE", _COMPLETE):
        (old / name).write_text("x", encoding="utf-8")
    assert cached_package(tmp_path, MERMAID) is None
    (old / "mermaid.esm.min.mjs").write_text("x", encoding="utf-8")
    assert cached_package(tmp_path, MERMAID) == old


def test_browser_bundle_carries_the_message_table_in_the_site_language(tmp_path):
    ko = build(tmp_path / "ko", {"a.md": "# A\n"}, language="ko")
    en = build(tmp_path / "en", {"a.md": "# A\n"}, language="en")
    assert "window.kbgenMessages = " in _file(ko, SCRIPT)
    assert json.dumps("연결된 노트", ensure_ascii=True) in _file(ko, SCRIPT)
    assert '"graph.local":"Connected notes"' in _file(en, SCRIPT)
    assert ko.extra_javascript[0] == SCRIPT  # before the quiz script, which reads the messages


def test_messages_json_cannot_close_a_script():
    text = messages_json("en")
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["graph.title"] == "Graph"


def test_quiz_backlink_and_card_words_follow_the_site_language(tmp_path):
    files = {
        "q.md": "# Q\n\n```quiz\nPick one.\n\n- [x] Yes\n- [ ] No\n```\n\n[[t]]\n",
        "t.md": "# T\n",
    }
    en = build(tmp_path / "en", files, language="en")
    ko = build(tmp_path / "ko", files, language="ko")
    assert "Check answer</button>" in page(en, "q.md") and "정답 확인</button>" in page(ko, "q.md")
    assert "Show answer and explanation</summary>" in page(en, "q.md")
    assert ">Notes linking here <" in page(en, "t.md") and ">이 노트를 링크한 노트 <" in page(ko, "t.md")
    assert 'aria-label="Backlinks"' in page(en, "t.md")
    quizzes = next(p for p in en.pages if p.src_path == "quizzes.md")
    assert quizzes.title == "Quizzes" and "Start practising</button>" in quizzes.html
