"""Atomic output and refused site folders."""
from __future__ import annotations

from pathlib import Path

import pytest

import kbgen.mkdocs_plugin as adapter
from kbgen.cli import main
from link_vaults import write_vault


def _vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "notes", {"a.md": "# A first\n", "b.md": "# B\n\n[[a]]\n"})


def _leftovers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".kbgen-"))


def test_a_build_replaces_the_site_and_leaves_no_temporary_folder(tmp_path: Path) -> None:
    notes, site = _vault(tmp_path), tmp_path / "site"
    site.mkdir()
    (site / "stale.html").write_text("from an older build")
    assert main(["build", "-q", "--notes", str(notes), "--site", str(site)]) == 0
    assert "A first" in (site / "a" / "index.html").read_text(encoding="utf-8")
    assert not (site / "stale.html").exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_or_failed_build_leaves_the_previous_site(tmp_path: Path, monkeypatch, failure) -> None:
    notes, site = _vault(tmp_path), tmp_path / "site"
    assert main(["build", "-q", "--notes", str(notes), "--site", str(site)]) == 0
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (notes / "a.md").write_text("# A changed\n")

    def broken(config, progress=None, snapshot=None):
        raise failure("stopped halfway")

    monkeypatch.setattr(adapter, "build_vault", broken)
    with pytest.raises(failure):
        main(["build", "-q", "--notes", str(notes), "--site", str(site)])
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert _leftovers(tmp_path) == []


def test_dangerous_site_folders_are_refused(tmp_path: Path, capsys) -> None:
    notes = _vault(tmp_path)
    (tmp_path / "keep.txt").write_text("keep")
    cases = {
        str(notes): "is the notes folder",
        str(tmp_path): "contains the notes folder",
        str(notes / "site"): "is inside the notes folder",
        "/": "is the root of the file system",
        str(Path.home()): "is the home folder",
    }
    for site, why in cases.items():
        assert main(["build", "-q", "--notes", str(notes), "--site", site]) == 2
        assert why in capsys.readouterr().err
    assert (tmp_path / "keep.txt").read_text() == "keep"
    assert sorted(p.name for p in notes.iterdir()) == ["a.md", "b.md"]


def test_the_replaced_site_is_kept_in_the_cache_and_the_next_build_starts_from_it(tmp_path: Path, monkeypatch,
                                                                                 capsys) -> None:
    import kbgen.site_links as site_links
    from test_site_build import tree

    notes, site, cache = _vault(tmp_path), tmp_path / "site", tmp_path / "cache"

    def configured(site: Path, cache: Path) -> Path:
        config = tmp_path / f"{site.name}.yml"
        config.write_text(f"site_name: s\ndocs_dir: {notes}\nsite_dir: {site}\ntheme:\n  name: material\n"
                          f"plugins:\n  - search\n  - kbgen:\n      cache_dir: {cache}\n", encoding="utf-8")
        return config

    config = configured(site, cache)
    changes = [
        lambda: (notes / "a.md").write_text("# A edited\n\nnew words\n"),
        lambda: (notes / "c.md").write_text("# C\n\n[[a]]\n"),
        lambda: (notes / "img.png").write_bytes(b"\x89PNG\r\n"),
        lambda: (notes / "b.md").unlink(),
        lambda: (notes / "img.png").unlink(),
        lambda: (notes / "d").mkdir() or (notes / "d" / "e.md").write_text("# E\n"),
    ]
    assert main(["build", "-q", "--config", str(config)]) == 0
    for step, change in enumerate(changes):
        if step == 2:  # from here on the kept site must be what every build starts from, linked up to the
            # site by what the last build recorded it changed (site_links.record_changes), not by comparing trees
            monkeypatch.setattr(site_links, "_start_cp", lambda *a: pytest.fail("linked afresh"))
            monkeypatch.setattr(site_links, "_sync_links", lambda *a: pytest.fail("trees compared"))
        change()
        assert main(["build", "-q", "--config", str(config)]) == 0
        cold = tmp_path / f"cold{step}"
        assert main(["build", "-q", "--config", str(configured(cold, tmp_path / f"cache-{step}"))]) == 0
        assert tree(site) == tree(cold), step
    assert (cache / "previous-site").is_dir()  # in the cache, not beside the site
    assert _leftovers(tmp_path) == []
    capsys.readouterr()


def test_syncing_a_kept_tree_links_exactly_the_sites_files(tmp_path: Path) -> None:
    import os
    import random

    from kbgen.site_links import _sync_links

    rng = random.Random(4)
    site, kept = tmp_path / "site", tmp_path / "kept"
    names = ["a", "b", "c/d", "c/e", "f/g/h", "i"]
    for tree_root in (site, kept):
        for name in rng.sample(names, 4):
            path = tree_root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{tree_root.name} {name}")
    (kept / "b").unlink(missing_ok=True)
    (kept / "b").mkdir()  # a folder where the site has a file (or nothing)
    (kept / "b" / "x").write_text("x")
    shared = site / "shared"
    shared.write_text("same")
    os.link(shared, kept / "shared")
    assert _sync_links(site, kept) is True
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*") if p.is_file()) == files
    for name in files:
        assert (kept / name).stat().st_ino == (site / name).stat().st_ino
    assert sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*") if p.is_dir()) == \
        sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir())


def test_the_writers_real_paths_are_realpaths(tmp_path: Path) -> None:
    """SiteWriter remembers each folder's real path; every answer must still be os.path.realpath's
    (the files it produced are told from the stale ones by it)."""
    import os

    from kbgen.site_writer import SiteWriter

    d = tmp_path
    (d / "a" / "b").mkdir(parents=True)
    (d / "a" / "b" / "f").write_text("x")
    os.symlink(d / "a", d / "l")
    os.symlink("b", d / "a" / "lb")
    os.symlink("f", d / "a" / "b" / "lf")
    writer = SiteWriter(d)
    for path in [d / "l/b/f", d / "l/lb/lf", d / "a/b/new/x", f"{d}/l/b/../b/f", f"{d}//a/./b/f", d / "a/lb/f",
                 d / "a/lb/missing", d / "a/b/lf"]:
        assert writer._real(str(path)) == os.path.realpath(path), path
        real, found = writer._real_stat(str(path))  # the same real path and the file's stat, in one lstat
        assert real == os.path.realpath(path), path
        want = os.stat(path) if os.path.exists(path) else None
        assert (found.st_ino, found.st_size, found.st_mode) == (want.st_ino, want.st_size, want.st_mode) \
            if want is not None else found is None, path
    assert writer._real(str(d / "l/lb/lf")) == str((d / "a/b/f").resolve())


def test_a_site_touched_since_the_last_build_is_compared_whole(tmp_path: Path, capsys) -> None:
    """The record of what the last build changed names the site folder as it left it: a file added to
    the site by hand since (or any other change of the folder) makes the next build compare both trees."""
    import kbgen.site_links as site_links
    from test_site_build import tree

    notes, site, cache = _vault(tmp_path), tmp_path / "site", tmp_path / "cache"
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: s\ndocs_dir: {notes}\nsite_dir: {site}\ntheme:\n  name: material\n"
                      f"plugins:\n  - search\n  - kbgen:\n      cache_dir: {cache}\n", encoding="utf-8")
    args = ["build", "-q", "--config", str(config)]
    for step in range(3):  # cold; then the kept site appears; then a record of the changes to it
        (notes / "a.md").write_text(f"# A\n\nversion {step}\n")
        assert main(args) == 0
    assert (cache / ("previous-site" + site_links.CHANGES_SUFFIX)).is_file()
    (site / "by-hand.txt").write_text("not the build's")
    compared = []
    original = site_links._sync_links
    site_links._sync_links = lambda *a: compared.append(1) or original(*a)
    try:
        (notes / "a.md").write_text("# A\n\nversion 3\n")
        assert main(args) == 0
    finally:
        site_links._sync_links = original
    assert compared == [1]
    assert not (site / "by-hand.txt").exists()
    cold = tmp_path / "cold.yml"
    cold.write_text(config.read_text(encoding="utf-8").replace(str(site), str(tmp_path / "cold"))
                    .replace(str(cache), str(tmp_path / "cold-cache")), encoding="utf-8")
    assert main(["build", "-q", "--config", str(cold)]) == 0
    assert tree(site) == tree(tmp_path / "cold")
    capsys.readouterr()


def test_linking_the_recorded_changes_makes_the_kept_tree_the_site(tmp_path: Path) -> None:
    import os

    from kbgen.site_links import _sync_changed

    site, kept = tmp_path / "site", tmp_path / "kept"
    for root in (site, kept):
        (root / "c").mkdir(parents=True)
    (site / "same").write_text("same")
    os.link(site / "same", kept / "same")
    (site / "new").write_text("new in the site")  # written by the last build
    (kept / "old").write_text("removed by the last build")
    (site / "c" / "changed").write_text("the site's")
    (kept / "c" / "changed").write_text("before")
    (kept / "c" / "was-folder").mkdir()
    (kept / "c" / "was-folder" / "x").write_text("x")
    (site / "c" / "was-folder").write_text("a file now")
    (site / "d" / "e").mkdir(parents=True)
    (site / "d" / "e" / "f").write_text("in a new folder")
    changed = ["new", "old", "c/changed", "c/was-folder", "d/e/f"]
    assert _sync_changed(site, kept, changed) is True
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*") if p.is_file()) == files
    for name in files:
        assert (kept / name).stat().st_ino == (site / name).stat().st_ino, name
    assert _sync_changed(site, kept, ["../outside"]) is False  # never a path outside the site


def test_stale_files_go_and_only_the_folders_they_emptied(tmp_path: Path) -> None:
    """SiteWriter.remove_stale: what the build did not produce goes, newer files and folder symlinks stay."""
    import os
    import time

    from kbgen.site_writer import SiteWriter

    site = tmp_path / "site"
    for rel in ("keep/a.html", "keep/old.html", "gone/deep/er/x.html", "gone/y.html", "mixed/sub/z.html",
                "mixed/w.html", "top.html", "stale.kbgen-tmp", "empty/"):
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not rel.endswith("/"):
            path.write_text(rel)
    (site / "empty").mkdir(exist_ok=True)
    outside = tmp_path / "outside"
    (outside / "inner").mkdir(parents=True)
    (outside / "inner" / "o.html").write_text("o")
    (site / "mixed" / "link").symlink_to(outside, target_is_directory=True)
    old = time.time() - 100
    for path in site.rglob("*"):
        if not path.is_symlink():
            os.utime(path, (old, old))
    writer = SiteWriter(site)
    writer.write(b"keep/a.html", str(site / "keep" / "a.html"))  # produced, same bytes
    writer.write(b"new", str(site / "fresh" / "n.html"))  # produced, new
    (site / "mixed" / "sub" / "z.html").write_text("written by other code during the build")
    assert writer.remove_stale() == 6  # old.html, x.html, y.html, w.html, top.html, stale.kbgen-tmp
    left = sorted(str(p.relative_to(site)) for p in site.rglob("*"))
    assert left == ["fresh", "fresh/n.html", "keep", "keep/a.html", "mixed", "mixed/link", "mixed/sub",
                    "mixed/sub/z.html"]
    assert (outside / "inner" / "o.html").is_file()  # a folder symlink is not followed
    assert str(site / "top.html") in writer.changed and str(site / "keep" / "a.html") not in writer.changed


def _slow_cp(delay: float, log: list[str]):
    """kbgen.site_links._start_cp whose ``cp -al`` starts only after ``delay`` seconds: the build runs ahead."""
    import subprocess

    def start(site: Path, staging: Path) -> subprocess.Popen:
        log.append("started")
        return subprocess.Popen(["sh", "-c", f'sleep {delay}; exec cp -al -- "$0/." "$1/"', str(site), str(staging)])

    return start


def _linked_builds(tmp_path: Path, hooks: str | None = None) -> tuple[Path, Path, Path]:
    """A vault, a config building it (kbgen, Material's search; ``hooks``: a hook file's source) and its site."""
    notes, site = _vault(tmp_path), tmp_path / "site"
    hook_line = ""
    if hooks is not None:
        (tmp_path / "hooks.py").write_text(hooks, encoding="utf-8")
        hook_line = f"hooks:\n  - {tmp_path / 'hooks.py'}\n"

    def configured(site: Path, cache: Path) -> Path:
        config = tmp_path / f"{site.name}.yml"
        config.write_text(f"site_name: s\ndocs_dir: {notes}\nsite_dir: {site}\ntheme:\n  name: material\n"
                          f"plugins:\n  - search\n  - kbgen:\n      cache_dir: {cache}\n{hook_line}", encoding="utf-8")
        return config

    return notes, configured(site, tmp_path / "cache"), configured(tmp_path / "cold", tmp_path / "cold-cache")


def test_the_previous_site_linked_beside_the_build_is_complete_before_the_build_writes(tmp_path: Path,
                                                                                       monkeypatch) -> None:
    import kbgen.site_links as site_links
    from test_site_build import tree

    notes, config, cold = _linked_builds(tmp_path)
    assert main(["build", "-q", "--config", str(config)]) == 0  # from nothing: no previous site, no spare
    (notes / "a.md").write_text("# A edited\n\nnew words\n")
    log: list[str] = []
    # The first build after one from nothing links the whole site; a cp still running when the build
    # wrote its pages would fail on them (and empty the folder), or leave the old pages in place.
    monkeypatch.setattr(site_links, "_start_cp", _slow_cp(0.8, log))
    assert main(["build", "-q", "--config", str(config)]) == 0
    assert log == ["started"]
    assert main(["build", "-q", "--config", str(cold)]) == 0
    site = tmp_path / "site"
    assert tree(site) == tree(tmp_path / "cold")
    assert "new words" in (site / "a" / "index.html").read_text(encoding="utf-8")
    assert _leftovers(tmp_path) == []


def test_with_a_plugin_kbgen_does_not_know_the_previous_site_is_linked_before_its_first_event(tmp_path: Path,
                                                                                              monkeypatch) -> None:
    import kbgen.site_links as site_links

    seen = tmp_path / "seen.txt"
    hooks = ("import os\n\n\ndef on_pre_build(config):\n"
             f"    with open({str(seen)!r}, 'a') as out:\n"
             "        out.write(str(os.path.isfile(os.path.join(config.site_dir, 'a', 'index.html'))) + '\\n')\n")
    notes, config, _ = _linked_builds(tmp_path, hooks)
    assert main(["build", "-q", "--config", str(config)]) == 0
    (notes / "a.md").write_text("# A edited\n")
    log: list[str] = []
    monkeypatch.setattr(site_links, "_start_cp", _slow_cp(0.8, log))
    assert main(["build", "-q", "--config", str(config)]) == 0
    assert log == ["started"]
    # first build: an empty staging folder; the second: the previous site's page already linked in
    assert seen.read_text().split() == ["False", "True"]


def test_a_failed_cp_leaves_the_files_linked_one_by_one_and_the_same_site(tmp_path: Path, monkeypatch) -> None:
    import subprocess

    import kbgen.site_links as site_links
    from test_site_build import tree

    notes, config, cold = _linked_builds(tmp_path)
    assert main(["build", "-q", "--config", str(config)]) == 0
    (notes / "b.md").write_text("# B edited\n\n[[a]]\n")
    linked: list[int] = []
    link_each = site_links._link_each
    monkeypatch.setattr(site_links, "_start_cp", lambda site, staging: subprocess.Popen(
        ["sh", "-c", 'mkdir -p "$0/half" && exit 1', str(staging)]))
    monkeypatch.setattr(site_links, "_link_each", lambda site, staging: linked.append(1) or link_each(site, staging))
    assert main(["build", "-q", "--config", str(config)]) == 0
    assert linked == [1]
    assert main(["build", "-q", "--config", str(cold)]) == 0
    assert tree(tmp_path / "site") == tree(tmp_path / "cold")
    assert not (tmp_path / "site" / "half").exists()
