"""Malformed input: every problem is a diagnostic with its position, and the rest of the vault builds."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbgen.config import KbgenConfig
from kbgen.vault.load import load_vault
from link_vaults import build, page, write_vault


def _diag(result, path: str, code: str):
    found = [d for d in result.diagnostics if d.path == path and d.code == code]
    assert found, [d.format() for d in result.diagnostics]
    return found[0]


def test_invalid_utf8_nul_and_binary_are_reported_where_they_are(tmp_path: Path) -> None:
    result = build(tmp_path, {
        "bad-utf8.md": "# ok\n\nfine line\n둘째 줄 ".encode() + b"\xff\xfe rest\n",
        "nul.md": "# n\n\nab\x00cd\n",
        "binary.md": bytes(range(256)) * 20,
    }, math=False)
    bad = _diag(result, "bad-utf8.md", "encoding")
    assert (bad.line, bad.col, bad.severity) == (4, 6, "warning")  # after "둘째 줄 " (5 characters)
    nul = _diag(result, "nul.md", "encoding")
    assert (nul.line, nul.col) == (3, 3) and "NUL" in nul.message
    assert "ab\ufffdcd" in page(result, "nul.md")
    assert _diag(result, "binary.md", "binary").severity == "warning"
    binary = page(result, "binary.md")  # still published, as plain text, not parsed
    assert "<code>" in binary[:60] and "&lt;" in binary and "\x00" not in binary
    assert not [d for d in result.diagnostics if d.path == "binary.md" and d.severity == "error"]


def test_symlink_loop_dangling_outside_and_hidden_notes_are_named(tmp_path: Path) -> None:
    notes = write_vault(tmp_path / "notes", {"a.md": "# a\n", "sub/b.md": "# b\n", ".hidden.md": "# h\n",
                                             ".obsidian/app.md": "# settings\n"})
    (tmp_path / "outside.md").write_text("# secret\n")
    os.symlink("..", notes / "sub" / "loop")
    os.symlink("gone.md", notes / "dangling.md")
    os.symlink(tmp_path / "outside.md", notes / "out.md")
    vault = load_vault(KbgenConfig(notes_dir=notes))
    assert sorted(vault.notes) == ["a.md", "sub/b.md"]
    messages = {d.path: d.message for d in vault.diagnostics if d.code == "skipped"}
    assert set(messages) == {".hidden.md", "dangling.md", "out.md", "sub/loop"}
    assert "does not exist" in messages["dangling.md"]
    assert "outside the vault" in messages["out.md"]
    assert "the vault itself" in messages["sub/loop"]
    assert all(d.severity == "warning" and (d.line, d.col) == (1, 1) for d in vault.diagnostics)


def test_odd_file_names_all_get_pages(tmp_path: Path) -> None:
    names = ["odd #?%[] name.md", "emoji 🙂 note.md", " leading space.md", "Case.md", "case.md", "x.txt.md"]
    result = build(tmp_path, {**{n: f"# {n.strip()}\n\n[[Case]]\n" for n in names}, "x.txt": "att\n"}, math=False)
    assert sorted(result.rendered) == sorted(names)
    urls = [result.vault.notes[n].url for n in names]
    assert len(set(u.casefold() for u in urls)) == len(urls)  # distinct even on a case-insensitive disk
    assert all(u and "#" not in u and "?" not in u for u in urls)


def test_unreadable_or_vanished_note_is_an_error_and_the_rest_builds(tmp_path: Path, monkeypatch) -> None:
    notes = write_vault(tmp_path / "notes", {"a.md": "# a\n", "locked.md": "# locked\n", "gone.md": "# g\n"})
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.md":
            raise PermissionError(13, "Permission denied")
        if self.name == "gone.md":
            raise FileNotFoundError(2, "No such file or directory")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    vault = load_vault(KbgenConfig(notes_dir=notes))
    errors = {d.path: d.message for n in vault.notes.values() for d in n.diagnostics if d.code == "read"}
    assert errors == {"locked.md": "cannot read note: Permission denied",
                      "gone.md": "cannot read note: No such file or directory"}
    assert vault.notes["a.md"].title == "a"


@pytest.mark.parametrize("folder", ["Templates", "private"])
def test_excluded_and_template_folders_are_not_loaded(tmp_path: Path, folder: str) -> None:
    notes = write_vault(tmp_path / "notes", {"a.md": "# a\n", f"{folder}/t.md": "# {{title}}\n",
                                             f"{folder}/pic.png": b"png",
                                             ".obsidian/templates.json": '{"folder": "Templates"}'})
    vault = load_vault(KbgenConfig(notes_dir=notes, exclude=["private"]))
    assert sorted(vault.notes) == ["a.md"] and not vault.attachments
    assert not vault.diagnostics
