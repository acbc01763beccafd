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

    def broken(config, progress=None):
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
