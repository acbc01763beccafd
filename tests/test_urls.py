"""The one URL function: readable URLs, Korean and case kept, collisions told apart with a warning."""
from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pytest
from link_vaults import anchor, build, found, page, write_vault

from kbgen.cli import main
from kbgen.vault.urls import UrlMap, assign_note_urls, note_url, url_dest, url_segment
from kbgen.search.shards import read_documents


@pytest.mark.parametrize("name, segment", [
    ("Gradient Vanishing 정리", "Gradient-Vanishing-정리"),
    ("What is it?", "What-is-it"),
    ("a#b%c&d", "a-b-c-d"),
    ("C++ & C# 비교", "C-C-비교"),
    ("  spaced   out  ", "spaced-out"),
    ("v1.2_final", "v1.2_final"),
    ("ReLU", "ReLU"),  # case kept
    ("기울기 소실/문제", "기울기-소실-문제"),
    ("..", "page"),  # never a path step
    ("???", "page"),
    ("\u1100\u1175\u110b\u116e\u11af\u1100\u1175", "기울기"),  # NFD (macOS) → NFC
])
def test_url_segment(name, segment):
    assert url_segment(name) == segment


def test_note_url_layouts():
    assert note_url("ml/Gradient Vanishing 정리.md") == quote("ml/Gradient-Vanishing-정리/")
    assert note_url("ml/Gradient Vanishing 정리.md", False) == quote("ml/Gradient-Vanishing-정리.html")
    assert note_url("index.md") == ""
    assert note_url("index.md", False) == "index.html"
    assert note_url("deep learning/README.md") == "deep-learning/"
    assert note_url("deep learning/README.md", False) == "deep-learning/index.html"
    assert url_dest(note_url("a b/c.md")) == "a-b/c/index.html"
    assert url_dest(note_url("a b/c.md", False)) == "a-b/c.html"


def test_collisions_are_deterministic_and_the_readable_name_wins():
    paths = ["a b.md", "a-b.md", "A-B.md", "ml/ml.md", "ml/x.md", "ml.md"]
    first = assign_note_urls(paths, UrlMap())
    again = assign_note_urls(list(reversed(paths)), UrlMap())
    assert first == again
    assert first["a-b.md"] == ("a-b-2/", "A-B.md")  # case-insensitive file systems: A-B and a-b clash
    assert first["A-B.md"] == ("A-B/", None)  # sorted first among the readable names
    assert first["a b.md"] == ("a-b-3/", "A-B.md")  # needed cleaning: yields to both
    # a folder note is its folder's page; the note named like the folder gets a suffix
    assert first["ml/ml.md"] == ("ml/", None)
    assert first["ml.md"] == ("ml-2/", "ml/ml.md")


def test_folder_note_yields_to_the_folder_index():
    urls = assign_note_urls(["f/f.md", "f/index.md"], UrlMap())
    assert urls["f/index.md"] == ("f/", None)
    assert urls["f/f.md"] == ("f/f/", None)


def test_links_follow_the_url_and_a_collision_is_a_warning(tmp_path):
    result = build(tmp_path, {
        "a b.md": "# 띄어쓰기\n",
        "a-b.md": "# 줄표\n",
        "질문?.md": "# 물음\n",
        "links.md": "# L\n\n[[a b]] [[a-b]] [[질문?|물음]] [md](<a b.md>)\n",
    })
    html = page(result, "links.md")
    assert anchor(html, "a b") == "../a-b-2/"
    assert anchor(html, "a-b") == "../a-b/"
    assert anchor(html, "물음") == "../" + quote("질문") + "/"
    assert anchor(html, "md") == "../a-b-2/"
    assert found(result, "url-collision") == [
        "a b.md:1:1: warning: this note and a-b.md would share the URL /a-b/; "
        "this note is published at /a-b-2/ [url-collision]"]


def test_unpublished_notes_do_not_push_a_note_off_its_url(tmp_path):
    result = build(tmp_path, {"a b.md": "---\ndraft: true\n---\n# D\n", "a-b.md": "# P\n", "x.md": "# X\n"})
    assert result.vault.notes["a-b.md"].url == "a-b/"
    assert found(result, "url-collision") == []


def _site(tmp_path, files, directory_urls=True):
    notes = write_vault(tmp_path / "notes", files)
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"site_name: t\nsite_url: https://example.org/\ndocs_dir: notes\nuse_directory_urls: {str(directory_urls).lower()}\n"
        "theme: {name: material, language: ko}\nplugins: [search, {kbgen: {cache_dir: cache}}]\n", encoding="utf-8")
    site = tmp_path / "site"
    assert main(["build", "--config", str(config), "--notes", str(notes), "--site", str(site), "-q"]) == 0
    return site


def test_site_pages_sitemap_and_search_use_the_same_urls(tmp_path):
    site = _site(tmp_path, {
        "딥러닝 기초/What is it?.md": "---\naliases: [Other Name]\n---\n# Q\n\n[[R&D 노트]]\n",
        "R&D 노트.md": "# RD\n",
    })
    page_html = (site / "딥러닝-기초" / "What-is-it" / "index.html").read_text(encoding="utf-8")
    assert anchor(page_html, "R&amp;D 노트") == "../../" + quote("R-D-노트") + "/"
    assert (site / "R-D-노트" / "index.html").is_file()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locs = sorted(unquote(u) for u in re.findall(r"<loc>([^<]*)</loc>", sitemap))
    assert "https://example.org/딥러닝-기초/What-is-it/" in locs
    assert "https://example.org/R-D-노트/" in locs
    locations = {unquote(d["location"]) for d in read_documents(site / "search")}
    assert "딥러닝-기초/What-is-it/" in locations
    redirect = (site / "other-name" / "index.html").read_text(encoding="utf-8")
    assert 'href="../' + quote("딥러닝-기초") + '/What-is-it/"' in redirect


def test_use_directory_urls_false(tmp_path):
    site = _site(tmp_path, {"폴더/노트 하나.md": "# 하나\n\n[[둘 셋]]\n", "둘 셋.md": "# 둘\n"}, directory_urls=False)
    page_html = (site / "폴더" / "노트-하나.html").read_text(encoding="utf-8")
    assert anchor(page_html, "둘 셋") == "../" + quote("둘-셋") + ".html"
    assert (site / "둘-셋.html").is_file()
    assert (site / "index.html").is_file()


def _relpath_href(from_url: str, to_url: str) -> str:
    """relative_url as it was written with posixpath.relpath (the reference for the faster one)."""
    import posixpath

    from_dir = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    target = posixpath.normpath("/" + to_url) if to_url else "/"
    rel = posixpath.relpath(target, posixpath.normpath("/" + from_dir))
    if (to_url == "" or to_url.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return rel


def test_relative_url_gives_what_relpath_gives():
    import random

    from kbgen.vault.urls import relative_url

    rng = random.Random(7)
    parts = ["a", "b", "..", ".", "", "x y", "노트", "a.html", "tags", "index.html"]
    assert relative_url("a/b/", "a/c/") == "../c/" and relative_url("a/", "a/") == "./"
    assert relative_url("a/b.html", "") == "../" and relative_url("", "x/y.png") == "x/y.png"
    for _ in range(20000):
        f = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4)))
        t = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4)))
        assert relative_url(f, t) == _relpath_href(f, t), (f, t)
