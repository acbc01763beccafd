"""`kbgen build` with nothing changed reuses the last build whole; any change builds again, equal to a cold build."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbgen.cli import main

from link_vaults import write_vault
from test_site_build import tree

VAULT = {
    "a.md": "---\ntitle: Alpha\ntags: [x]\n---\n# Alpha\n\n[[b]] and [[missing]] and $x^2$\n",
    "b.md": "# Beta\n\n![[a]]\n\n$\\frac{1}{$\n",  # a formula KaTeX rejects: an error, exit status 1
    "img.png": b"\x89PNG\r\n",
}


def _config(tmp: Path, notes: Path, site: Path, cache: Path, name: str = "bench") -> Path:
    path = tmp / f"mkdocs-{site.name}.yml"
    path.write_text(
        f"site_name: {name}\ndocs_dir: {notes}\nsite_dir: {site}\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n"
        "plugins:\n  - search:\n      lang: [ko, en]\n  - tags\n"
        f"  - kbgen:\n      cache_dir: {cache}\n", encoding="utf-8")
    return path


def _age(*folders_or_files: Path) -> None:
    """Files written seconds ago: a stamp taken within RACY_SECONDS of a change is not trusted."""
    past = 1_700_000_000  # one fixed time: setting it again would change the files' ctime
    for item in folders_or_files:
        for path in [item, *item.rglob("*")] if item.is_dir() else [item]:
            if path.lstat().st_mtime != past:
                os.utime(path, (past, past), follow_symlinks=False)


def _build(config: Path, capsys) -> tuple[int, str]:
    _age(config, config.parent / "notes")
    status = main(["build", "-q", "--config", str(config)])
    err = capsys.readouterr().err
    return status, err


def _problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("kbgen: ")]


def _cold(tmp: Path, notes: Path, capsys) -> dict[str, bytes]:
    site = tmp / f"cold{len(list(tmp.glob('cold*')))}"
    _build(_config(tmp, notes, site, tmp / f"cache-{site.name}"), capsys)
    return tree(site)


def test_nothing_changed_reuses_the_site_and_reports_the_same_problems(tmp_path: Path, capsys):
    notes = write_vault(tmp_path / "notes", VAULT)
    site = tmp_path / "site"
    config = _config(tmp_path, notes, site, tmp_path / "cache")
    status, err = _build(config, capsys)
    assert status == 1 and "nothing changed" not in err
    first = tree(site)
    assert "broken-link" in err and _problems(err)

    again, err_again = _build(config, capsys)
    assert "(nothing changed since the last build)" in err_again
    assert again == status
    assert _problems(err_again) == _problems(err)
    assert tree(site) == first == _cold(tmp_path, notes, capsys)


@pytest.mark.parametrize("change", ["edit", "touch", "add", "delete-note", "site-file", "config", "attachment"])
def test_any_change_builds_again_and_equals_a_cold_build(tmp_path: Path, capsys, change: str):
    notes = write_vault(tmp_path / "notes", VAULT)
    site = tmp_path / "site"
    config = _config(tmp_path, notes, site, tmp_path / "cache")
    _build(config, capsys)
    if change == "edit":
        (notes / "a.md").write_text(VAULT["a.md"] + "\nmore text\n", encoding="utf-8")
    elif change == "touch":
        stat = (notes / "a.md").stat()
        os.utime(notes / "a.md", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    elif change == "add":
        (notes / "c.md").write_text("# Gamma\n\n[[a]]\n", encoding="utf-8")
    elif change == "delete-note":
        (notes / "b.md").unlink()
    elif change == "site-file":
        (site / "a" / "index.html").unlink()
    elif change == "config":
        config = _config(tmp_path, notes, site, tmp_path / "cache", name="renamed")
    elif change == "attachment":
        (notes / "img.png").write_bytes(b"\x89PNG\r\nother")
    status, err = _build(config, capsys)
    assert "nothing changed" not in err
    cold = _cold(tmp_path, notes, capsys) if change != "config" else None
    if cold is not None:
        assert tree(site) == cold
    else:
        assert "renamed" in (site / "a" / "index.html").read_text(encoding="utf-8")
    # and with that build recorded, the next one is skipped again
    _, err = _build(config, capsys)
    assert "(nothing changed since the last build)" in err


def test_a_note_changed_moments_before_is_not_trusted_by_its_stamp(tmp_path: Path, capsys):
    notes = write_vault(tmp_path / "notes", VAULT)
    site = tmp_path / "site"
    config = _config(tmp_path, notes, site, tmp_path / "cache")
    assert main(["build", "-q", "--config", str(config)]) in (0, 1)  # files written just now: not recorded
    assert main(["build", "-q", "--config", str(config)]) in (0, 1)
    assert "nothing changed" not in capsys.readouterr().err
