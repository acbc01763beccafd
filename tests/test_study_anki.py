"""`kbgen export anki`: the package opens as Anki's SQLite collection with the expected notes,
fields, decks, tags and media; GUIDs survive edits; the notes folder is never written."""
from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from kbgen.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + b"kbgen-test-image"

CARDS = """---
tags: [flashcards, ml/deep]
---
# Cards

Sigmoid slope at $\\sigma'(0)$::0.25 ![[plot.png]]
ReLU:::rectifier

The ==vanishing gradient== stops [[quiz|deep nets]] learning.
"""

QUIZ = """# Quiz

```quiz
What is $$x^2$$ at 2?

- [x] 4
- [ ] 5
  > 2 + 3 is 5.
---
Because $2 \\cdot 2 = 4$.
```
"""


def write(root: Path, path: str, content: str | bytes) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


@pytest.fixture
def vault(tmp_path) -> Path:
    notes = tmp_path / "notes"
    write(notes, "ml/cards.md", CARDS)
    write(notes, "quiz.md", QUIZ)
    write(notes, "img/plot.png", PNG)
    write(notes, "draft.md", "---\ndraft: true\ntags: [flashcards]\n---\n\nsecret::card\n")
    return notes


def export(notes: Path, out: Path, *extra: str) -> dict:
    assert main(["export", "anki", "--notes", str(notes), "--out", str(out), *extra]) == 0
    with zipfile.ZipFile(out) as package:
        names = set(package.namelist())
        media_map = json.loads(package.read("media"))
        media = {name: package.read(number) for number, name in media_map.items()}
        collection = out.parent / (out.name + ".anki2")
        collection.write_bytes(package.read("collection.anki2"))
    db = sqlite3.connect(collection)
    try:
        models = {int(k): v for k, v in json.loads(db.execute("select models from col").fetchone()[0]).items()}
        decks = {int(k): v["name"] for k, v in json.loads(db.execute("select decks from col").fetchone()[0]).items()}
        notes = []
        for guid, mid, flds, tags, nid in db.execute("select guid, mid, flds, tags, id from notes order by id"):
            deck_ids = {d for (d,) in db.execute("select did from cards where nid = ?", (nid,))}
            notes.append({"guid": guid, "model": models[mid]["name"], "fields": flds.split("\x1f"),
                          "tags": tags.split(), "decks": {decks[d] for d in deck_ids},
                          "cards": db.execute("select count(*) from cards where nid = ?", (nid,)).fetchone()[0]})
    finally:
        db.close()
    return {"names": names, "media": media, "notes": notes}


def by_model(result: dict, model: str) -> list[dict]:
    return [n for n in result["notes"] if n["model"] == model]


def test_package_holds_notes_fields_decks_tags_and_media(vault, tmp_path):
    result = export(vault, tmp_path / "out" / "vault.apkg")
    assert result["media"] == {"plot.png": PNG}
    assert len(result["notes"]) == 4  # draft left out

    [basic] = by_model(result, "kbgen flashcard")
    assert basic["fields"][:2] == ["Sigmoid slope at \\(\\sigma'(0)\\)", '0.25 <img src="plot.png">']
    assert basic["tags"] == ["flashcards", "ml::deep"]
    assert basic["decks"] == {"notes::ml"}

    [reversed_card] = by_model(result, "kbgen flashcard (and reversed)")
    assert reversed_card["fields"][:2] == ["ReLU", "rectifier"] and reversed_card["cards"] == 2

    [cloze] = by_model(result, "kbgen cloze")
    # The wiki link keeps its text but not its site-only href.
    assert cloze["fields"][0] == "The {{c1::vanishing gradient}} stops deep nets learning."

    [quiz] = by_model(result, "kbgen multiple choice")
    question, options, answer, explanation, source = quiz["fields"]
    assert question == "<p>What is \\[x^2\\] at 2?</p>"
    assert options == '<ul class="kb-options"><li>A) 4</li><li>B) 5</li></ul>'
    assert answer == "A) 4"
    assert explanation == "<ul><li><b>B)</b> 2 + 3 is 5.</li></ul><p>Because \\(2 \\cdot 2 = 4\\).</p>"
    assert source == "Quiz <small>(quiz.md)</small>"
    assert quiz["decks"] == {"notes"} and quiz["tags"] == []


def test_a_second_export_of_an_edited_vault_keeps_the_guids(vault, tmp_path):
    first = export(vault, tmp_path / "first.apkg")
    edited = CARDS.replace("# Cards\n", "# Cards\n\nNew card::added first\n").replace("::0.25", "::one quarter")
    write(vault, "ml/cards.md", edited)
    write(vault, "quiz.md", QUIZ.replace("Because", "Since"))
    second = export(vault, tmp_path / "second.apkg")

    def guids(result: dict) -> dict[str, str]:
        return {n["fields"][0]: n["guid"] for n in result["notes"]}

    before, after = guids(first), guids(second)
    assert len(after) == len(before) + 1
    for front, guid in before.items():  # same question, same GUID, though backs and positions changed
        assert after[front] == guid
    [sigmoid] = [n for n in second["notes"] if n["fields"][0].startswith("Sigmoid")]
    assert sigmoid["fields"][1].startswith("one quarter")


def test_decks_by_tag(vault, tmp_path):
    result = export(vault, tmp_path / "tags.apkg", "--deck-by", "tag")
    assert {d for n in result["notes"] for d in n["decks"]} == {"notes::flashcards", "notes"}


def test_export_never_writes_into_the_notes_folder(vault, capsys):
    before = sorted((p, p.stat().st_mtime_ns) for p in vault.rglob("*"))
    assert main(["export", "anki", "--notes", str(vault), "--out", str(vault / "deck.apkg")]) == 2
    assert "inside the notes folder" in capsys.readouterr().err
    assert sorted((p, p.stat().st_mtime_ns) for p in vault.rglob("*")) == before
