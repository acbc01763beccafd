"""Navigation: folders as sections, nav_order and collation, Jekyll parents, folder pages, breadcrumbs, prev/next."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from link_vaults import build, write_vault

from kbgen.cli import main

VAULT = {
    "ml/intro.md": "---\ntitle: Intro\nnav_order: 2\n---\n# Intro\n",
    "ml/setup.md": "---\nnav_order: 1\n---\n# Setup\n",
    "ml/n10.md": "# 노트 10\n",
    "ml/n2.md": "# 노트 2\n",
    "ml/deep/deep.md": "# Deep\n",  # a folder note: the section's own page
    "ml/deep/layer.md": "# Layer\n",
    "수학/행렬.md": "# 행렬\n",
    "guide/index.md": "---\ntitle: 가이드\n---\n# 가이드\n",
    "guide/child.md": "---\ntitle: Child\nparent: Intro\n---\n# Child\n",  # Jekyll parent in another folder
    "guide/wiki.md": "---\ntitle: Wiki child\nparent: \"[[setup]]\"\n---\n# Wiki child\n",
    "top.md": "---\ntitle: Orphan\nparent: Nowhere\n---\n# Orphan\n",
    "draft.md": "---\ndraft: true\n---\n# Draft\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nav")
    notes = write_vault(root / "notes", VAULT)
    out = root / "site"
    assert main(["build", "--notes", str(notes), "--site", str(out), "-q"]) == 0
    return out


def sidebar(html: str) -> list[str]:
    nav = html[html.index("md-nav--primary"):html.index('class="md-content"')]
    return [t.strip() for t in re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', nav, re.S)]


def breadcrumbs(html: str) -> list[tuple[str, str]]:
    path = re.search(r'<nav class="md-path".*?</nav>', html, re.S)
    assert path, "no breadcrumbs"
    return re.findall(r'href="([^"]*)" class="md-path__link">\s*<span class="md-ellipsis">\s*(.*?)\s*</span>',
                      path.group(0), re.S)


def footer(html: str) -> dict[str, str]:
    return {kind: href for href, kind in
            re.findall(r'<a href="([^"]*)" class="md-footer__link md-footer__link--(prev|next)"', html)}


def read(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_sections_order_and_parents(site, tmp_path):
    # home first; folders and notes by nav_order, then title (numbers by value); generated pages last
    result = build(tmp_path, VAULT)

    def shape(node):
        return [(c.title, shape(c)) if c.children else c.title for c in node.children]

    assert shape(result.vault.indexes["nav"]) == [
        "노트 목록",
        ("ml", [("Setup", ["Wiki child"]), ("Intro", ["Child"]), ("Deep", ["Layer"]), "노트 2", "노트 10"]),
        "Orphan", "가이드", ("수학", ["행렬"]), "그래프"]
    # navigation.prune: the sidebar carries the open section only
    assert sidebar(read(site, "ml/deep/layer")) == [
        "노트 목록", "ml", "Setup", "Intro", "Deep", "Layer", "노트 2", "노트 10", "Orphan", "가이드", "수학", "그래프"]


def test_folder_note_and_folder_pages(site):
    assert "<h1" in read(site, "ml/deep") and "Deep" in read(site, "ml/deep")  # ml/deep/deep.md lives at /ml/deep/
    folder = read(site, "ml")
    listing = re.findall(r'<li><a (?:class="kb-folder-link" )?href="([^"]+)">([^<]+)</a>', folder)
    assert listing == [("setup/", "Setup"), ("intro/", "Intro"), ("deep/", "deep/"), ("n2/", "노트 2"), ("n10/", "노트 10")]
    assert (site / "수학" / "index.html").is_file()  # a generated page for a folder without a folder note


def test_breadcrumbs_and_previous_next(site):
    html = read(site, "ml/deep/layer")
    assert breadcrumbs(html) == [("../../..", "노트 목록"), ("../../", "ml"), ("../", "Deep")]
    assert footer(html) == {"prev": "../", "next": "../../n2/"}
    assert breadcrumbs(read(site, "top")) == [("..", "노트 목록")]  # top-level notes get the home crumb
    assert breadcrumbs(read(site, "guide/child")) == [("../..", "노트 목록"), ("../../ml/", "ml"),
                                                      ("../../ml/intro/", "Intro")]


def test_unresolved_parent_is_a_warning_with_its_line(tmp_path, capsys):
    notes = write_vault(tmp_path / "notes", VAULT)
    assert main(["check", "--notes", str(notes)]) == 0
    out = capsys.readouterr()
    assert "top.md:3:1: warning: parent 'Nowhere' not used in the navigation: no note or folder has that title " \
           "or name [nav-parent]" in out.out + out.err


def test_folder_listing_places_subfolders_by_their_folder_notes_nav_order(tmp_path):
    # As the sidebar does: a folder note's nav_order places its folder's section.
    files = {
        "f/z.md": "---\nnav_order: 3\n---\n# Zeta\n",
        "f/a/index.md": "---\nnav_order: 2\n---\n# Alpha\n",
        "f/a/x.md": "# X\n",
        "f/b/b.md": "---\nnav_order: 1\n---\n# Beta\n",
        "f/b/y.md": "# Y\n",
        "f/c/w.md": "# W\n",  # no folder note: after every nav_order, by name
    }
    result = build(tmp_path, files)
    [page] = [p for p in result.pages if p.meta.get("kb_folder") == "f"]
    listing = re.findall(r'<li><a (?:class="kb-folder-link" )?href="([^"]+)">([^<]+)</a>', page.html)
    assert listing == [("b/", "b/"), ("a/", "a/"), ("z/", "Zeta"), ("c/", "c/")]
    [f] = [c for c in result.vault.indexes["nav"].children if c.title == "f"]
    assert [c.title for c in f.children] == ["Beta", "Alpha", "Zeta", "c"]


def nav_links(html: str) -> list[tuple[str, str]]:
    nav = html[html.index("md-nav--primary"):html.index('class="md-content"')]
    return [(href, title.strip()) for href, title in
            re.findall(r'<a href="([^"]*)" class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*(.*?)\s*</span>',
                       nav, re.S)]


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    # 'big' holds 90 notes of its own and 30 nested under it by `parent: big` from another folder.
    files = {f"big/n{i:03}.md": f"# 노트 {i}\n" for i in range(90)}
    files.update({f"other/m{i:02}.md": f"---\nparent: big\n---\n# 중첩 {i}\n" for i in range(30)})
    root = tmp_path_factory.mktemp("bignav")
    notes = write_vault(root / "notes", files)
    out = root / "site"
    assert main(["build", "--notes", str(notes), "--site", str(out), "-q"]) == 0
    return out


def test_an_open_section_shows_the_pages_neighbourhood_and_links_to_the_full_listing(big_site):
    from kbgen.nav.window import LIMIT

    html = read(big_site, "big/n050")
    links = nav_links(html)
    titles = [t for _, t in links]
    # the page itself, its neighbours in navigation order, and "all 120" → the folder page
    assert "노트 50" in titles and "노트 43" in titles and "노트 57" in titles
    assert "노트 10" not in titles and "노트 80" not in titles and "중첩 5" not in titles
    section = titles[titles.index("big") + 1:titles.index("전체 120개 보기")]
    assert len(section) == LIMIT
    assert ("../", "전체 120개 보기") in links
    # the folder page lists everything the section holds, nested notes included, in navigation order
    listing = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', read(big_site, "big"))
    assert len(listing) == 120
    assert listing[:2] == [("n000/", "노트 0"), ("n001/", "노트 1")]
    assert ("../other/m05/", "중첩 5") in listing
    # previous/next still walk every page
    assert footer(html) == {"prev": "../n049/", "next": "../n051/"}


def test_a_page_does_not_grow_with_its_section(big_site, tmp_path):
    files = {f"big/n{i:03}.md": f"# 노트 {i}\n" for i in range(30)}
    files["other/solo.md"] = "# 혼자\n"
    notes = write_vault(tmp_path / "notes", files)
    assert main(["build", "--notes", str(notes), "--site", str(tmp_path / "site"), "-q"]) == 0
    small = nav_links(read(tmp_path / "site", "big/n020"))
    large = nav_links(read(big_site, "big/n020"))
    assert len(large) == len(small)  # 120 notes in the section or 30: the same sidebar length
    assert len([t for _, t in small if re.fullmatch(r"노트 \d+", t)]) == 15


def test_a_long_top_level_links_to_a_page_listing_all_of_it(tmp_path):
    # A flat vault: the top of the sidebar is cut too, and its "all" link leads to /all/, which lists every note.
    files = {f"n{i:02}.md": f"# 노트 {i}\n" for i in range(40)}
    notes = write_vault(tmp_path / "notes", files)
    assert main(["build", "--notes", str(notes), "--site", str(tmp_path / "site"), "-q"]) == 0
    links = nav_links(read(tmp_path / "site", "n20"))
    assert "노트 5" not in [t for _, t in links] and ("../all/", "전체 41개 보기") in links  # 40 notes and the graph
    listing = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', read(tmp_path / "site", "all"))
    assert [t for _, t in listing if t.startswith("노트")] == [f"노트 {i}" for i in range(40)]
    small = write_vault(tmp_path / "small", {"a.md": "# A\n"})
    assert main(["build", "--notes", str(small), "--site", str(tmp_path / "site2"), "-q"]) == 0
    assert not (tmp_path / "site2" / "all").exists()  # nothing cut, no such page


def folder_note_vault(count: int) -> dict[str, str]:
    # f/ has a folder note (with an alias, and linked from another note: backlinks) and `count` notes:
    # all but 30 of its own, 30 nested under it by `parent:` from another folder.
    files = {f"f/n{i:03}.md": f"# 노트 {i}\n" for i in range(count - 30)}
    files.update({f"other/m{i:02}.md": f"---\nparent: 폴더 소개\n---\n# 중첩 {i}\n" for i in range(30)})
    files["f/n007.md"] = '# 노트 7 <b>&"\n'  # the list escapes what the author wrote
    files["f/index.md"] = "---\naliases: [폴더 별칭]\n---\n# 폴더 소개\n\n작성자가 쓴 소개.\n"
    files["links.md"] = "# 링크\n\n[[폴더 소개]]\n"
    return files


@pytest.fixture(scope="module")
def folder_note_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("foldernote")
    notes = write_vault(root / "notes", folder_note_vault(120))
    assert main(["build", "--notes", str(notes), "--site", str(root / "site"), "-q"]) == 0
    return root / "site"


def section_list(page_html: str) -> list[tuple[str, str]]:
    at = page_html.index('<section class="kb-section-listing">')
    part = page_html[at:page_html.index("</section>", at)]
    return re.findall(r'<li><a (?:class="kb-folder-link" )?href="([^"]+)">([^<]+)</a>', part)


def test_a_folder_notes_section_is_cut_and_its_all_link_leads_to_the_list_on_the_folder_note(folder_note_site):
    from kbgen.nav.window import LIMIT

    links = nav_links(read(folder_note_site, "f/n050"))
    titles = [t for _, t in links]
    assert "노트 50" in titles and "노트 10" not in titles and "중첩 5" not in titles
    section = titles[titles.index("폴더 소개") + 1:titles.index("전체 120개 보기")]
    assert len(section) == LIMIT
    assert ("../#kb-section-list", "전체 120개 보기") in links
    # the folder note: the author's text, then the complete list, then the backlinks
    page = read(folder_note_site, "f")
    assert page.index("작성자가 쓴 소개.") < page.index('id="kb-section-list"') < page.index("kb-backlinks")
    assert '<h2 id="kb-section-list">이 섹션의 노트</h2>' in page
    assert '<p class="kb-folder-count">노트 120개</p>' in page
    listing = section_list(page)
    assert len(listing) == 120
    assert listing[:2] == [("n000/", "노트 0"), ("n001/", "노트 1")]
    assert ("../other/m05/", "중첩 5") in listing
    assert ("n007/", "노트 7 &lt;b&gt;&amp;&#34;") in listing
    assert page.count("<b>&") == 0
    # on the folder note itself the link stays on the page
    assert ("#kb-section-list", "전체 120개 보기") in nav_links(page)
    assert footer(read(folder_note_site, "f/n050")) == {"prev": "../n049/", "next": "../n051/"}


def test_the_appended_list_stays_out_of_search(folder_note_site):
    from kbgen.search.shards import read_documents

    [intro] = [d for d in read_documents(folder_note_site / "search") if d["location"] == "f/"]
    assert "작성자가 쓴 소개." in intro["text"] and "노트 50" not in intro["text"]


def test_a_folder_notes_page_does_not_grow_with_its_section(folder_note_site, tmp_path):
    notes = write_vault(tmp_path / "notes", folder_note_vault(40))
    assert main(["build", "--notes", str(notes), "--site", str(tmp_path / "site"), "-q"]) == 0
    small = nav_links(read(tmp_path / "site", "f/n000"))
    large = nav_links(read(folder_note_site, "f/n000"))
    assert len(large) == len(small)  # 120 notes in the section or 40: the same sidebar length
    assert ("../#kb-section-list", "전체 40개 보기") in small


def test_a_parent_notes_children_are_cut_and_listed_on_the_parent_note(tmp_path):
    files = {f"q/c{i:02}.md": f"---\nparent: 부모\n---\n# 자식 {i}\n" for i in range(40)}
    files["q/p.md"] = "# 부모\n\n부모 노트 본문.\n"
    files["q/z.md"] = "# 형제\n"
    notes = write_vault(tmp_path / "notes", files)
    assert main(["build", "--notes", str(notes), "--site", str(tmp_path / "site"), "-q"]) == 0
    links = nav_links(read(tmp_path / "site", "q/c20"))
    children = [t for _, t in links if t.startswith("자식")]
    assert len(children) == 15 and "자식 20" in children
    assert ("../p/#kb-section-list", "전체 40개 보기") in links
    page = read(tmp_path / "site", "q/p")
    assert page.index("부모 노트 본문.") < page.index('id="kb-section-list"')
    assert [t for _, t in section_list(page)] == [f"자식 {i}" for i in range(40)]
    assert section_list(page)[0] == ("../c00/", "자식 0")


def test_a_short_author_section_is_neither_cut_nor_listed(tmp_path):
    files = {f"f/n{i:02}.md": f"# 노트 {i}\n" for i in range(15)}
    files["f/index.md"] = "# 폴더 소개\n"
    notes = write_vault(tmp_path / "notes", files)
    assert main(["build", "--notes", str(notes), "--site", str(tmp_path / "site"), "-q"]) == 0
    titles = [t for _, t in nav_links(read(tmp_path / "site", "f/n07"))]
    assert [t for t in titles if re.fullmatch(r"노트 \d+", t)] == [f"노트 {i}" for i in range(15)]
    assert not any("전체" in t for t in titles)
    assert "kb-section-listing" not in read(tmp_path / "site", "f")


def test_an_authors_nav_is_not_cut_and_gets_no_list(tmp_path):
    files = {f"f/n{i:02}.md": f"# 노트 {i}\n" for i in range(30)}
    files["f/index.md"] = "# 폴더 소개\n"
    notes = write_vault(tmp_path / "notes", files)
    nav = "".join(f"  - f/n{i:02}.md\n" for i in range(30))
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\ndocs_dir: notes\ntheme: {name: material, language: ko}\n"
                      f"plugins: [search, {{kbgen: {{cache_dir: cache}}}}]\nnav:\n  - f/index.md\n{nav}",
                      encoding="utf-8")
    assert main(["build", "--config", str(config), "--notes", str(notes), "--site", str(tmp_path / "site"), "-q"]) == 0
    titles = [t for _, t in nav_links(read(tmp_path / "site", "f/n15"))]
    assert [t for t in titles if re.fullmatch(r"노트 \d+", t)] == [f"노트 {i}" for i in range(30)]
    assert "kb-section-listing" not in read(tmp_path / "site", "f")


def test_closed_sections_handed_over_with_their_first_child_give_the_same_pages(tmp_path, monkeypatch):
    # Material walks every child of a closed (pruned) section on every page; kbgen hands it over
    # with its first child only (kbgen.nav.window._pruned). The pages must not change.
    from kbgen.nav import window

    files = {f"f{a}/s{b}/n{c}.md": f"# 노트 {a}-{b}-{c}\n" for a in range(4) for b in range(5) for c in range(6)}
    files.update({f"f{a}/f{a}.md": f"# 폴더 {a}\n" for a in range(4)})  # folder notes: sections with an index page
    files["f0/s0/deep/d1.md"] = "# 깊은 노트\n"
    notes = write_vault(tmp_path / "notes", files)
    shortened: list[int] = []
    original = window._pruned

    def pruned(item):
        out = original(item)
        if out is not item:
            shortened.append(len(item.children))
        return out

    monkeypatch.setattr(window, "_pruned", pruned)
    assert main(["build", "--notes", str(notes), "--site", str(tmp_path / "short"), "-q", "-j", "1"]) == 0
    assert shortened and max(shortened) >= 5  # closed sections with many children were shortened
    monkeypatch.setattr(window, "prunes_closed", lambda features: False)
    monkeypatch.setattr("kbgen.mkdocs_plugin.prunes_closed", lambda features: False)
    count = len(shortened)
    assert main(["build", "--notes", str(notes), "--site", str(tmp_path / "whole"), "-q", "-j", "1"]) == 0
    assert len(shortened) == count  # the second build handed every section over whole
    pages = sorted(p.relative_to(tmp_path / "whole") for p in (tmp_path / "whole").rglob("*.html"))
    assert len(pages) > 120
    for page in pages:
        assert (tmp_path / "short" / page).read_bytes() == (tmp_path / "whole" / page).read_bytes(), page
