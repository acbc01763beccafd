"""Page bodies held compressed (kbgen.packed) and the search index split from Material's own list: same site."""
from __future__ import annotations

import datetime
import json
import pickle
import sys

import pytest

from kbgen import mkdocs_plugin, parallel, pickles
from kbgen.markdown.renderer import RenderedNote
from kbgen.packed import PackedText
from kbgen.search.index import as_json_loaded

from parallel_vault import write_parallel_vault
from test_parallel_build import built_site
from test_site_build import assert_same_site


def test_a_packed_body_reads_back_as_it_was_set_and_appended_to():
    body = "<p>기울기 소실 \udcff 깨진 바이트</p>\n" * 50
    page = RenderedNote("a.md", body, "A", [])
    page.pack()
    assert page.packed and len(page._body.data) < len(body)
    page.append("<aside>역링크</aside>")
    assert page.packed  # appending left the body compressed
    assert page.html == body + "<aside>역링크</aside>"
    assert page.html_length == len(page.html)
    assert page.html_utf8() == page.html.encode("utf-8", "surrogatepass")
    page.pack()
    copy = page.copy(diagnostics=["x"])
    assert copy._body is page._body and copy.html == page.html and copy.diagnostics == ["x"]
    for again in (pickle.loads(pickle.dumps(page)), pickles.loads(pickles.dumps(page))):
        assert again == page and again.packed
    page.html = "<p>new</p>"  # set anew: plain until packed again, nothing appended kept
    assert not page.packed and page.html == "<p>new</p>" and page.html_length == 10
    assert str(PackedText("")) == ""


@pytest.mark.parametrize("doc", [
    {"location": "a/", "title": "제목", "text": "본문 \udcff", "tags": ["태그", "t"]},
    {"location": "a/#x", "title": "T", "text": "pair \ud83d\ude00 apart", "boost": 2.5},
    {"location": "b/", "title": "T", "text": "", "tags": ("tuple", "tags"), "boost": datetime.date(2024, 1, 2)},
    {"location": "c/", "title": "T", "text": "x", "boost": True, "search": {"exclude": False}, 3: "int key"},
    {"location": "d/", "title": "T", "text": "x", "boost": float("inf"), "tags": [1, "one"]},
])
def test_a_document_comes_back_as_reading_materials_file_gave_it(doc):
    want = json.loads(json.dumps(doc, default=str))
    got = as_json_loaded(doc)
    assert got == want and [type(v) for v in got.values()] == [type(v) for v in want.values()]
    assert list(got) == list(want)
    assert got is not doc


def note_pages(plugin, stats) -> list:
    return [f.page for f in stats.state.doc_files if f.src_uri in plugin.build.rendered]


@pytest.mark.skipif(sys.platform == "win32" or not parallel.can_fork(), reason="workers are forked")
def test_packed_bodies_and_materials_list_build_the_site_plain_bodies_and_its_file_build(tmp_path, monkeypatch):
    notes = write_parallel_vault(tmp_path / "notes")
    monkeypatch.setattr(parallel, "MIN_NOTES_PER_WORKER", 10)
    diagnostics, plugin, stats = built_site(tmp_path, notes, "packed", 2)
    assert plugin.build.workers == 2 and stats.workers == 2
    # The memory-saving path is the one taken: bodies packed, MkDocs's note pages without their content.
    assert plugin.build.rendered and all(page.packed for page in plugin.build.rendered.values())
    assert {page.content for page in note_pages(plugin, stats)} == {""}
    index = json.loads((tmp_path / "packed" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"] == [] and index["config"]["kbgen"]["documents"] > 300  # split from Material's list

    # The same vault with bodies never packed, MkDocs's pages holding their content, and Material's
    # whole index written and read back: the code before kbgen.packed.
    monkeypatch.setattr(RenderedNote, "pack", lambda self: None)
    monkeypatch.setattr(mkdocs_plugin, "only_known_plugins", lambda config: False)
    monkeypatch.setattr(mkdocs_plugin, "search_index", lambda config: None)
    plain_diagnostics, plain, plain_stats = built_site(tmp_path, notes, "plain", 2)
    assert not any(page.packed for page in plain.build.rendered.values())
    assert all(page.content for page in note_pages(plain, plain_stats))
    assert_same_site(tmp_path / "packed", tmp_path / "plain")
    assert diagnostics == plain_diagnostics


_LONG_TITLE = "<h1 id=\"t\">" + "긴 제목 " * 1200 + "</h1>\n<p>본문</p>\n"


@pytest.mark.parametrize("body, tail", [
    ("<h1 id=\"a\">제목</h1>\n<p>본문 \udcff</p>\n", ()),
    ("  \n<h1>제목</h1>\n\n<p>x</p>", ("<aside>역링크</aside>",)),
    ("<p>제목 없는 노트</p>\n" * 300, ()),
    ("<h1>끝까지 제목</h1>", ()),
    ("<h1>끝까지 제목</h1>", ("\n  <aside>a</aside>",)),  # the space after the title runs into the aside
    ("<h1>닫히지 않은 제목", ("</h1><aside>a</aside>",)),  # the title closes in the aside
    (_LONG_TITLE, ()),  # longer than the start looked at
    ("<h1>" + "가" * 1364 + "</h1>\n" + " " * 5000 + "<p>x</p>", ()),  # white space past the start
    (" " * 5000 + "<h1>t</h1><p>x</p>", ()),
    ("\u3000<h1>전각 공백</h1>\u3000<p>x</p>", ()),
    ("<h1x>not a title</h1x><p>y</p>", ()),
    ("<h1", ()),
    ("", ("<aside>only</aside>",)),
])
def test_the_alias_line_goes_where_the_whole_page_says(body, tail):
    """kbgen.emit.aliases puts the alias line into a packed body from its start alone; the page must be
    what with_alias_list makes of the whole HTML, in every case the start cannot or can tell."""
    from kbgen.emit import aliases

    page = RenderedNote("a.md", body, "A", [])
    page.pack()
    for part in tail:
        page.append(part)
    want = aliases.with_alias_list(page.html, ["별칭 \udcff", "<b>"], "별칭")
    if not aliases._insert_alias_line(page, aliases.alias_line(["별칭 \udcff", "<b>"], "별칭")):
        page.html = aliases.with_alias_list(page.html, ["별칭 \udcff", "<b>"], "별칭")
    assert page.html == want
    assert page.html_length == len(want)
    assert page.html_utf8() == want.encode("utf-8", "surrogatepass")
    page.pack()
    assert page.html == want and pickles.loads(pickles.dumps(page)).html == want


def test_a_body_with_a_title_keeps_its_packed_bytes_and_its_digest_tells_pages_apart():
    from kbgen.emit import aliases

    body = "<h1 id=\"t\">기울기</h1>\n" + "<p>본문 문장.</p>\n" * 400
    page = RenderedNote("a.md", body, "A", [])
    page.pack()
    packed, digest = page._body, page.html_digest()
    assert aliases._insert_alias_line(page, aliases.alias_line(["VG"], "별칭"))
    assert page._body is packed and page.html.startswith("<h1 id=\"t\">기울기</h1>\n<p class=\"kb-aliases\">")
    assert page.html_digest() != digest  # the inserted line is part of the digest
    other = RenderedNote("a.md", body, "A", [])
    other.pack()
    other.append(aliases.alias_line(["VG"], "별칭"))
    assert other.html_digest() not in (digest, page.html_digest())
    same = RenderedNote("a.md", body, "A", [])
    same.pack()
    assert same.html_digest() == digest  # packed alike: an unchanged page keeps its key


def test_a_kept_digest_follows_every_change_of_the_page():
    """html_digest is kept between calls; each way of changing the page must give the digest a fresh page has."""
    def fresh(page: RenderedNote) -> str:
        return page.copy().html_digest()  # a new object: nothing kept

    page = RenderedNote("a.md", "<h1>제목</h1>\n<p>본문.</p>\n" * 40, "A", [])
    seen = {page.html_digest()}
    for change in (lambda p: p.pack(), lambda p: p.append("<aside>" + "뒤에 " * 200 + "</aside>"),
                   lambda p: p.pack(), lambda p: p.insert_at(0, 0, "<p>앞</p>"),
                   lambda p: setattr(p, "html", "<p>새 본문</p>"), lambda p: p.append("x")):
        change(page)
        assert page.html_digest() == fresh(page)
        assert page.html_digest() not in seen  # every change here changes the page as held
        seen.add(page.html_digest())
    back = pickle.loads(pickle.dumps(page))
    assert "_digested" in vars(back) and back.html_digest() == page.html_digest() == fresh(back)
    back.append("<p>after</p>")  # pickled with its parts, the kept digest still follows a change
    assert back.html_digest() == fresh(back) != page.html_digest()
