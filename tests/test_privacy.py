"""Privacy: nothing of a private note reaches ANY file of the built site (pages, search, sitemap, graph, feeds…)."""
from __future__ import annotations

import gzip
from pathlib import Path

from kbgen.cli import main
from link_vaults import write_vault

MARKERS = ["zqxdraft", "zqxunpub", "zqxexcluded", "zqxobsidian", "zqxtemplate", "zqxcomment", "zqxglob"]


def _private_note(marker: str, front: str) -> str:
    return (f"---\n{front}\ntitle: {marker} title\ntags: [{marker}-tag, shared]\naliases: [{marker}-alias]\n"
            f"description: {marker} description\n---\n# {marker} heading\n\n{marker} body #{marker}inline\n\n"
            f"```quiz\n{marker} question?\n\n- [x] {marker} right\n- [ ] wrong\n```\n\n"
            f"{marker} front::{marker} back\n\n![[public]]\n")


def test_private_notes_leave_no_trace_in_any_output_file(tmp_path: Path, capsys) -> None:
    notes = write_vault(tmp_path / "notes", {
        "public.md": ("---\ntags: [shared, flashcards]\n---\n# Public\n\n"
                      "[[d]] [[u]] [[private/e]] [[Templates/t]] [[drawings/g.excalidraw]] [[o]] "
                      "[t](u.md) ![[d]] ![[u#H]]\n\n"
                      "Visible %%zqxcomment inline%% text.\n\n%%\nzqxcomment block\n%%\n\n"
                      "```quiz\n2+2?\n\n- [x] 4\n- [ ] 5\n```\n"),
        "d.md": _private_note("zqxdraft", "draft: true"),
        "u.md": _private_note("zqxunpub", "publish: false"),
        "private/e.md": _private_note("zqxexcluded", "draft: false"),
        "private/zqxexcluded.txt": "zqxexcluded attachment\n",
        "drawings/g.excalidraw.md": _private_note("zqxglob", "draft: false"),
        "Templates/t.md": _private_note("zqxtemplate", "title: <% tp.file.title %>"),
        ".obsidian/templates.json": '{"folder": "Templates"}',
        ".obsidian/workspace.json": '{"zqxobsidian": 1}',
        ".obsidian/o.md": _private_note("zqxobsidian", "draft: false"),
    })
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: privacy\ndocs_dir: notes\nsite_dir: site\nsite_url: https://example.org/\n"
        "theme: {name: material, language: en}\n"
        "plugins:\n  - search\n  - kbgen:\n      exclude: [private, '*.excalidraw.md']\n", encoding="utf-8")
    status = main(["build", "-q", "--config", str(tmp_path / "mkdocs.yml")])
    err = capsys.readouterr().err
    assert status in (0, 1), err
    site = tmp_path / "site"
    public = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert "Visible" in public and "text." in public  # the page itself is there
    written = [p for p in site.rglob("*") if p.is_file()]
    assert any(p.name == "search_index.json" for p in written) and (site / "sitemap.xml").is_file()
    leaks = []
    for path in written:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace").lower()
        name = path.relative_to(site).as_posix().lower()
        leaks += [f"{name}: {m}" for m in MARKERS if m in text or m in name]
    assert leaks == []
