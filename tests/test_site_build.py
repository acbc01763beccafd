"""`kbgen build` drives MkDocs itself (incremental, parallel) and writes exactly what `mkdocs build` writes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbgen import mkdocs_build
from kbgen.cli import _kbgen_plugin, _quiet_mkdocs_logging, load_mkdocs_config
from kbgen.mkdocs_build import build_site

from link_vaults import write_vault

ROOT = Path(__file__).resolve().parent.parent


def config_file(tmp: Path, notes: Path, site: Path, cache: Path, site_url: str | None = None) -> Path:
    path = tmp / f"mkdocs-{site.name}.yml"
    url = f"site_url: {site_url}\n" if site_url else ""
    path.write_text(
        f"site_name: t\n{url}docs_dir: {notes}\nsite_dir: {site}\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n  features: [navigation.prune]\n"
        "plugins:\n  - search:\n      lang: [ko, en]\n  - tags\n"
        f"  - kbgen:\n      cache_dir: {cache}\n", encoding="utf-8")
    return path


def kbgen_build(path: Path, jobs: int | None = None) -> mkdocs_build.SiteStats:
    _quiet_mkdocs_logging()
    config = load_mkdocs_config(str(path), notes=None, site=None)
    _kbgen_plugin(config).on_diagnostics = lambda diagnostics: None
    config.plugins.on_startup(command="build", dirty=False)
    return build_site(config, jobs=jobs)


def mkdocs_cli_build(path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(path)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def assert_same_site(got: Path, want: Path) -> None:
    a, b = tree(got), tree(want)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == []


def vault(tmp: Path, n: int = 12) -> Path:
    files = {f"dir{i % 3}/note{i}.md": f"---\ntags: [t{i % 4}]\n---\n# Note {i}\n\n[[note{(i + 1) % n}]] 기울기가 $x_{i}$\n\n## Part\n\ntext {i}\n"
             for i in range(n)}
    files["index.md"] = "# Home\n\n![[note1]]\n"
    return write_vault(tmp / "notes", files)


def test_kbgen_build_writes_what_mkdocs_build_writes(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    kbgen_build(config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache"))
    mkdocs_cli_build(config_file(tmp_path, notes, tmp_path / "site-mkdocs", tmp_path / "cache-mkdocs"))
    assert_same_site(tmp_path / "site", tmp_path / "site-mkdocs")


@pytest.mark.parametrize("nav", [None, "  - seed-001.md\n"])
def test_kbgen_build_skips_mkdocs_navigation_only_where_kbgen_lays_it_out(tmp_path, monkeypatch, nav):
    """No nav in mkdocs.yml: kbgen's on_nav replaces MkDocs's navigation, which is not made (the pages'
    previous/next/parent links come from kbgen's, as when it was made and dropped); an author's nav:
    MkDocs's is made. Either way the site is what ``mkdocs build`` writes."""
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    made = []
    original = mkdocs_build.get_navigation
    monkeypatch.setattr(mkdocs_build, "get_navigation", lambda *a: made.append(1) or original(*a))
    configs = []
    for name in ("site", "site-mkdocs"):
        config = config_file(tmp_path, notes, tmp_path / name, tmp_path / f"cache-{name}")
        if nav is not None:
            first = sorted(p.name for p in notes.glob("*.md"))[0]
            config.write_text(config.read_text(encoding="utf-8") + "nav:\n" + nav.replace("seed-001.md", first),
                              encoding="utf-8")
        configs.append(config)
    kbgen_build(configs[0])
    assert made == ([] if nav is None else [1])
    mkdocs_cli_build(configs[1])
    assert_same_site(tmp_path / "site", tmp_path / "site-mkdocs")


def test_a_page_missing_from_kbgen_navigation_has_mkdocs_navigation_made(monkeypatch):
    """Where kbgen's navigation lacks a page MkDocs's would hold, MkDocs's is made first, as before."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation, Section
    from mkdocs.structure.pages import Page

    config = MkDocsConfig()
    config.load_dict({"site_name": "x", "docs_dir": "/docs", "site_dir": "/site"})
    files = Files([File(p, "/docs", "/site", True) for p in ("a.md", "b/c.md", "d.md")])
    pages = [Page(None, files.src_uris[p], config) for p in ("a.md", "b/c.md", "d.md")]
    whole = Navigation([pages[0], Section("b", [pages[1]]), pages[2]], pages)
    assert mkdocs_build._holds_every_page(whole, files)
    assert not mkdocs_build._holds_every_page(Navigation([pages[0], Section("b", [pages[1]])], pages[:2]), files)
    assert not mkdocs_build._holds_every_page(Navigation([pages[0], pages[2]], pages), files)  # listed, not in the tree
    Page(None, File("e.md", "/docs", "/site", True), config)  # not among the files: not MkDocs's business
    files.append(File("f.md", "/docs", "/site", True))  # a page of MkDocs's navigation with no Page yet
    assert not mkdocs_build._holds_every_page(whole, files)


def test_rebuilds_reuse_unchanged_pages_and_equal_a_cold_build(tmp_path):
    notes = vault(tmp_path)
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    first = kbgen_build(config)
    assert first.templated == first.pages and first.reused == 0
    stray = tmp_path / "site" / "old-page" / "index.html"
    stray.parent.mkdir()
    stray.write_text("from an older build", encoding="utf-8")
    again = kbgen_build(config)
    assert again.templated == 0 and again.reused == again.pages
    assert not stray.exists() and not stray.parent.exists()
    # one body edit: only that page and the pages showing it (its linker, the page embedding note1)
    note1 = notes / "dir1" / "note1.md"
    note1.write_text(note1.read_text(encoding="utf-8").replace("text 1", "changed body"), encoding="utf-8")
    edited = kbgen_build(config)
    assert 0 < edited.templated < edited.pages
    (notes / "dir2" / "note5.md").unlink()  # a deleted note: its page goes, navigation changes everywhere
    kbgen_build(config)
    assert not (tmp_path / "site" / "dir2" / "note5").exists()
    mkdocs_cli_build(config_file(tmp_path, notes, tmp_path / "cold", tmp_path / "cold-cache"))
    assert_same_site(tmp_path / "site", tmp_path / "cold")


@pytest.mark.skipif(sys.platform == "win32", reason="workers are forked")
def test_parallel_templating_equals_serial(tmp_path, monkeypatch):
    monkeypatch.setattr(mkdocs_build, "MIN_PAGES_PER_WORKER", 2)
    notes = vault(tmp_path, 30)
    parallel = kbgen_build(config_file(tmp_path, notes, tmp_path / "site-2", tmp_path / "cache-2"), jobs=2)
    serial = kbgen_build(config_file(tmp_path, notes, tmp_path / "site-1", tmp_path / "cache-1"), jobs=1)
    assert parallel.workers == 2 and serial.workers == 1
    assert_same_site(tmp_path / "site-2", tmp_path / "site-1")
