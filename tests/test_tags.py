"""Tags: Obsidian's inline #tag rules, the tag tree, tag pages, the tags index and the chips."""
from __future__ import annotations

import re

import pytest
from link_vaults import anchor, build, page, write_vault

from kbgen.cli import main
from kbgen.collation import sort_key
from kbgen.config import KbgenConfig
from kbgen.markdown.renderer import NoteRenderer
from kbgen.vault.load import note_from_text


def inline_tags(body: str) -> list[str]:
    note = note_from_text("n.md", None, body)  # type: ignore[arg-type]
    env = NoteRenderer(KbgenConfig(math=True)).parse(note, None).env  # type: ignore[arg-type]
    return env.get("kb_tags", [])


@pytest.mark.parametrize("body, tags", [
    ("#tag", ["tag"]),
    ("text #태그 text", ["태그"]),
    ("#상위/하위", ["상위/하위"]),
    ("#a_b-c/d2", ["a_b-c/d2"]),
    ("#trailing/ x", ["trailing"]),
    ("#tag, #다음.", ["tag", "다음"]),
    ("#y2024", ["y2024"]),
    ("- item #in-list", ["in-list"]),
    ("| a | #cell |\n|---|---|\n| 1 | 2 |", ["cell"]),
    ("## Heading #in-heading", ["in-heading"]),  # a tag in a heading's text counts; its # markers do not
    # negatives
    ("#2024", []),  # only digits
    ("#1/2", []),
    ("# heading", []),
    ("## heading", []),
    ("a#b", []),  # not after whitespace
    ("`#code`", []),
    ("```\n#code\n```", []),
    ("    #indented-code", []),
    ("$#x$ and $$\n#y\n$$", []),
    ("[#not-a-tag](https://example.org)", []),
    ("[x](https://example.org/#frag)", []),
    ("<https://example.org/#frag>", []),
    ("https://example.org/#frag", []),
    ('<span title="#attr">t</span>', []),
    ("\\#escaped", []),
    ("#a//b", []),
    ("[[note#heading]]", []),
    ("&#35;entity", []),
])
def test_inline_tag_rules(body, tags):
    assert inline_tags(body) == tags


def test_sort_key_hangul_latin_numbers():
    names = ["노트 10", "노트 2", "가나", "Beta", "alpha", "다", "나", "노트 1"]
    assert sorted(names, key=sort_key) == ["alpha", "Beta", "가나", "나", "노트 1", "노트 2", "노트 10", "다"]


VAULT = {
    "a.md": "---\ntags: [problem/vanishing-gradient, ML]\ndescription: 설명 <b>한 줄</b>\n---\n# A\n\n본문 #태그\n",
    "b.md": "---\ntags: ml\n---\n# B\n\n첫 문장입니다. 둘째 문장. #Problem #problem/relu\n",
    "c.md": "# C\n\n#ml 만.\n",
    "secret.md": "---\ndraft: true\ntags: [secret, problem/hidden]\n---\n# S\n\n#secret-inline\n",
}


def test_tag_tree_grouping_and_spelling(tmp_path):
    result = build(tmp_path, VAULT)
    index = result.vault.indexes["tags"]
    assert [t.name for t in index.ordered()] == [
        "ml", "problem", "problem/relu", "problem/vanishing-gradient", "태그"]
    ml = index.find("ML")
    assert ml.name == "ml"  # written "ml" twice and "ML" once
    assert ml.notes == ["a.md", "b.md", "c.md"]
    assert sorted(index.find("problem").all_notes()) == ["a.md", "b.md"]  # children's notes too
    assert index.find("secret") is None and index.find("problem/hidden") is None  # drafts add nothing
    assert result.vault.notes["b.md"].tags == ["ml", "problem", "problem/relu"]


def test_tag_pages_and_index(tmp_path):
    result = build(tmp_path, VAULT)
    pages = {p.url: p for p in result.pages}
    problem = pages["tags/problem/"]
    assert problem.title == "#problem" and not problem.in_nav and not problem.searchable
    assert anchor(problem.html, "relu") == "relu/"
    assert anchor(problem.html, "vanishing-gradient") == "vanishing-gradient/"
    assert re.search(r'href="relu/">relu</a> <span class="kb-tag-count">1</span>', problem.html)
    assert anchor(problem.html, "A") == "../../a/" and anchor(problem.html, "B") == "../../b/"
    assert "설명 &lt;b&gt;한 줄&lt;/b&gt;" in problem.html  # the description, escaped
    assert "첫 문장입니다." in problem.html and "둘째 문장" not in problem.html  # the opening sentence only
    relu = pages["tags/problem/relu/"]
    assert anchor(relu.html, "problem") == "../"  # the trail up to the parent tag
    assert anchor(relu.html, "A") is None
    index = pages["tags/"]
    assert anchor(index.html, "vanishing-gradient") == "problem/vanishing-gradient/"
    assert re.search(r'href="ml/">ml</a> <span class="kb-tag-count">3</span>', index.html)
    assert "secret" not in "".join(p.html for p in result.pages)
    # inline tags link to their page
    assert anchor(page(result, "a.md"), "#태그") == "../tags/%ED%83%9C%EA%B7%B8/"
    home = pages[""]
    assert anchor(home.html, "problem") == "tags/problem/"


def test_chips_on_note_pages_link_to_tag_pages(tmp_path):
    notes = write_vault(tmp_path / "notes", VAULT)
    site = tmp_path / "site"
    assert main(["build", "--notes", str(notes), "--site", str(site), "-q"]) == 0
    html = (site / "b" / "index.html").read_text(encoding="utf-8")
    chips = re.findall(r'<a href="([^"]+)" class="md-tag">\s*([^<]*?)\s*</a>', html)
    assert chips == [("../tags/ml/", "ml"), ("../tags/problem/", "problem"), ("../tags/problem/relu/", "problem/relu")]
    assert (site / "tags" / "problem" / "relu" / "index.html").is_file()
    assert (site / "tags" / "index.html").is_file()
    assert not (site / "tags" / "secret").exists()
    sidebar = html.split('class="md-content"')[0]
    assert "#problem/relu" not in sidebar  # tag pages stay out of the navigation
