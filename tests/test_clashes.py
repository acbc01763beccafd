"""Name clashes and write failures never abort a build: distinct paths, a warning, the rest written."""
from __future__ import annotations

import types
from pathlib import Path

import mkdocs.utils

import kbgen.mkdocs_plugin as adapter
from kbgen.cli import main
from kbgen.mkdocs_plugin import KbgenPlugin
from link_vaults import write_vault


def _build(tmp_path: Path, files: dict[str, str | bytes], capsys) -> tuple[int, str, Path]:
    notes = write_vault(tmp_path / "notes", files)
    site = tmp_path / "site"
    status = main(["build", "-q", "--notes", str(notes), "--site", str(site)])
    return status, capsys.readouterr().err, site


def test_note_and_attachment_with_the_same_path_both_published(tmp_path, capsys) -> None:
    # The real vault that failed with FileExistsError: x.txt and x.txt.md side by side.
    status, err, site = _build(tmp_path, {
        "touch_typing/special_characters.txt": "!@#$%^&*()\n",
        "touch_typing/special_characters.txt.md": "# Special characters\n\nSee [[special_characters.txt]].\n",
        "touch_typing/other.md": "# Other\n\n[[special_characters.txt.md|the note]]\n",
    }, capsys)
    assert status == 0, err
    assert (site / "touch_typing" / "special_characters.txt").read_text() == "!@#$%^&*()\n"
    page = site / "touch_typing" / "special_characters.txt-2" / "index.html"
    assert "Special characters" in page.read_text(encoding="utf-8")
    assert 'href="../special_characters.txt-2/"' in (site / "touch_typing" / "other" / "index.html").read_text()
    assert ("touch_typing/special_characters.txt.md:1:1: warning: this note and touch_typing/special_characters.txt "
            "would share the URL") in err


def test_note_named_like_a_generated_or_site_file_moves_aside(tmp_path, capsys) -> None:
    status, err, site = _build(tmp_path, {
        "quizzes.md": "# My quizzes note\n\nhandwritten\n",
        "q.md": "# Q\n\n```quiz\n2+2?\n\n- [x] 4\n- [ ] 5\n```\n",
        "sitemap.xml.md": "# Sitemap note\n",
    }, capsys)
    assert status == 0, err
    assert "handwritten" in (site / "quizzes" / "index.html").read_text(encoding="utf-8")
    generated = [p for p in site.glob("quizzes-*/index.html")]
    assert len(generated) == 1 and "q/#" in generated[0].read_text(encoding="utf-8")
    assert "Sitemap note" in (site / "sitemap.xml-2" / "index.html").read_text(encoding="utf-8")
    assert (site / "sitemap.xml").is_file()
    assert "url-collision" in err


def test_attachment_vanishing_mid_build_is_reported_and_the_rest_written(tmp_path, capsys, monkeypatch) -> None:
    real = adapter.build_vault

    def build_then_delete(config, progress=None, snapshot=None):  # the file disappears after the vault was read
        result = real(config, progress=progress, snapshot=snapshot)
        (config.notes_dir / "img.png").unlink()
        return result

    monkeypatch.setattr(adapter, "build_vault", build_then_delete)
    status, err, site = _build(tmp_path, {"img.png": b"\x89PNG", "n.md": "# N\n\n![[img.png]]\n"}, capsys)
    assert status == 1
    assert "img.png:1:1: error: cannot write img.png (" in err and "[write]" in err
    assert (site / "n" / "index.html").is_file()


def test_a_page_that_cannot_be_written_is_reported_not_fatal(tmp_path) -> None:
    plugin = KbgenPlugin()
    plugin.build = types.SimpleNamespace(emit_diagnostics=[], rendered={}, files=[])
    blocked = tmp_path / "a" / "index.html"
    blocked.mkdir(parents=True)  # a folder where the page file must go
    plugin._files = [types.SimpleNamespace(abs_dest_path=str(blocked), src_uri="a.md", dest_uri="a/index.html")]
    plugin.on_pre_build(None)
    try:
        mkdocs.utils.write_file(b"<html>page</html>", str(blocked))  # as MkDocs writes a page: no exception
    finally:
        plugin.on_build_error(RuntimeError())
    (d,) = plugin.build.emit_diagnostics
    assert (d.path, d.severity, d.code) == ("a.md", "error", "write")
    assert "cannot write a/index.html (Is a directory)" in d.message


def test_names_differing_only_in_case_get_distinct_paths_on_any_disk(tmp_path, capsys) -> None:
    # Written on a case-sensitive disk; on macOS or Windows each pair would be one file.
    status, err, site = _build(tmp_path, {
        "img.png": b"\x89PNG lower", "IMG.png": b"\x89PNG upper", "sitemap.xml": "<mine/>",
        "Case.md": "# Upper\n", "case.md": "# Lower\n",
        "n.md": "# N\n\n![[img.png]] ![[IMG.png]] [[sitemap.xml]] [[Case]] [[case]]\n",
    }, capsys)
    assert status == 0, err
    assert (site / "IMG.png").read_bytes() == b"\x89PNG upper"  # first in sorted order keeps its name
    assert (site / "img-2.png").read_bytes() == b"\x89PNG lower"
    assert (site / "sitemap-2.xml").read_text() == "<mine/>"  # the site's own sitemap keeps its name
    page = (site / "n" / "index.html").read_text(encoding="utf-8")
    assert 'src="../img-2.png"' in page and 'src="../IMG.png"' in page
    assert 'href="../sitemap-2.xml"' in page
    assert ("img.png:1:1: warning: this file and IMG.png would be one file on a case-insensitive file system "
            "(macOS, Windows); it is published at /img-2.png [url-collision]") in err
    assert "sitemap.xml:1:1: warning: this file and the site's sitemap.xml would share the path" in err
    assert "case.md:1:1: warning: this note and Case.md would share the URL" in err
    written = [p.relative_to(site).as_posix() for p in site.rglob("*")]
    assert len({p.casefold() for p in written}) == len(written)  # nothing two files on a case-insensitive disk
