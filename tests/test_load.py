"""The load stage: which files are notes, how bytes become text, what is skipped."""
from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from kbgen.config import KbgenConfig
from kbgen.vault.decode import decode_bytes
from kbgen.vault.load import load_vault, walk_vault

KOREAN = "# 기울기 소실\n\n역전파 과정에서 기울기가 작아진다.\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (KOREAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + KOREAN.encode("utf-8"), "utf-8-sig"),
        (KOREAN.encode("utf-16"), "utf-16"),  # Python writes a BOM
        (codecs.BOM_UTF16_BE + KOREAN.encode("utf-16-be"), "utf-16"),
        (KOREAN.encode("cp949"), "cp949"),
        (KOREAN.encode("euc-kr"), "cp949"),
    ],
)
def test_decodings(data, encoding):
    decoded = decode_bytes(data)
    assert decoded.text == KOREAN
    assert decoded.encoding == encoding
    assert not decoded.lossy


def test_crlf_and_cr_are_normalized():
    assert decode_bytes(b"a\r\nb\rc\n").text == "a\nb\nc\n"


def test_undecodable_bytes_are_replaced_and_reported(tmp_path):
    (tmp_path / "bad.md").write_bytes(b"# ok\n\n\xff\xfe\xfd garbage \x80\n")
    vault = load_vault(KbgenConfig(notes_dir=tmp_path))
    note = vault.notes["bad.md"]
    assert "garbage" in note.body
    assert [d.code for d in note.diagnostics] == ["encoding"]


def test_notes_attachments_hidden_folders_and_escaping_symlinks(tmp_path):
    root = tmp_path / "vault"
    (root / "sub").mkdir(parents=True)
    (root / ".obsidian").mkdir()
    (root / ".trash").mkdir()
    (root / "a.md").write_text("# A\n", encoding="utf-8")
    (root / "sub" / "b.markdown").write_text("# B\n", encoding="utf-8")
    (root / "sub" / "pic.png").write_bytes(b"\x89PNG")
    (root / ".obsidian" / "workspace.md").write_text("# hidden\n", encoding="utf-8")
    (root / ".trash" / "old.md").write_text("# old\n", encoding="utf-8")
    (root / ".hidden.md").write_text("# hidden\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# secret\n", encoding="utf-8")
    os.symlink(outside, root / "linked-out")
    os.symlink(outside / "secret.md", root / "secret-link.md")
    os.symlink(root / "a.md", root / "inside-link.md")

    notes, attachments = walk_vault(root)
    rel = sorted(p.relative_to(root).as_posix() for p in notes)
    assert rel == ["a.md", "inside-link.md", "sub/b.markdown"]
    assert [p.relative_to(root).as_posix() for p in attachments] == ["sub/pic.png"]


def test_note_urls_follow_mkdocs_layout(tmp_path):
    (tmp_path / "폴더").mkdir()
    (tmp_path / "폴더" / "노트 하나.md").write_text("# 하나\n", encoding="utf-8")
    (tmp_path / "index.md").write_text("# Home\n", encoding="utf-8")
    vault = load_vault(KbgenConfig(notes_dir=tmp_path))
    assert vault.notes["폴더/노트 하나.md"].url == "%ED%8F%B4%EB%8D%94/%EB%85%B8%ED%8A%B8-%ED%95%98%EB%82%98/"
    assert vault.notes["index.md"].url == ""
    flat = load_vault(KbgenConfig(notes_dir=tmp_path, use_directory_urls=False))
    assert flat.notes["폴더/노트 하나.md"].url.endswith("%ED%95%98%EB%82%98.html")


def test_sample_vault_loads_every_seed_with_its_title():
    notes = Path(__file__).resolve().parent.parent / "notes"
    vault = load_vault(KbgenConfig(notes_dir=notes))
    titles = {n.title for n in vault.notes.values()}
    assert titles == {
        "신경망 복잡도 증가 시 기울기 소실 문제와 ReLU 해결책",  # seed 000, repaired; slug title yields to H1
        "Gradient Vanishing 정리",  # velog export: no front matter, no leading H1 → file name
        "Q. What is Vanishing Gradient?",
        "15. 깊은 인공신경망의 문제1(feat. vanishing gradient)",
        "기울기 소실 문제",
    }


def test_a_pickled_note_comes_back_whole_and_holds_its_body_once():
    """Notes are kept pickled between builds (kbgen.cache.LoadedNotes): the body, the end of the source,
    is pickled as its length; any other body as it is."""
    import pickle

    from kbgen import pickles
    from kbgen.vault.note import Note

    text = "본문 문장 \udcff. " * 300
    whole = Note("a.md", Path("/v/a.md"), "---\ntitle: 제목\n---\n" + text, text, 3, {"title": "제목"}, title="제목")
    others = [Note("b.md", Path("/v/b.md"), "# B\n", "", 0), Note("c.md", Path("/v/c.md"), "abc", "not its end", 0),
              Note("d.md", Path("/v/d.md"), text, text, 0)]
    for note in [whole, *others]:
        back = pickles.loads(pickles.dumps(note))
        assert back == note and vars(back) == vars(note)
        assert pickle.loads(pickle.dumps(note)) == note
    assert len(pickles.dumps(whole)) < len(text.encode("utf-8", "surrogatepass")) * 1.2  # not twice
