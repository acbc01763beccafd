"""``kbgen export anki``: the vault's quizzes and flashcards as an Anki package (.apkg).

genanki writes the package (Anki's collection format is SQLite plus a media
map; a maintained library keeps up with it so we do not). One deck per
top-level folder, or per first tag; one note type for multiple choice, one for
flashcards (with a reversed variant) and Anki's cloze type. Note GUIDs come
from the cards' stable ids, so importing a newer export updates the learner's
notes instead of duplicating them. Model and deck ids are fixed numbers
derived from their names: Anki matches note types by id.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import genanki

from ..config import KbgenConfig
from .anki_fields import AnkiItem, collect_cards

DeckBy = Literal["folder", "tag"]

_CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; color: #222; background: #fff; }
.kb-options { list-style: none; padding-left: 0; } .kb-options li { margin: .3em 0; }
small { color: #888; } mark { background: #fff3a3; }
"""
_SOURCE = '<div class="kb-source"><small>{{Source}}</small></div>'


def _stable_int(name: str) -> int:
    """A positive 63-bit id from a name (Anki ids are signed 64-bit)."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:15], 16)


MULTIPLE_CHOICE = genanki.Model(
    _stable_int("kbgen multiple choice v1"), "kbgen multiple choice",
    fields=[{"name": n} for n in ("Question", "Options", "Answer", "Explanation", "Source")],
    templates=[{
        "name": "Quiz",
        "qfmt": "{{Question}}{{Options}}",
        "afmt": '{{FrontSide}}<hr id="answer"><b>{{Answer}}</b>{{Explanation}}' + _SOURCE,
    }],
    css=_CSS,
)
BASIC = genanki.Model(
    _stable_int("kbgen flashcard v1"), "kbgen flashcard",
    fields=[{"name": n} for n in ("Front", "Back", "Source")],
    templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + _SOURCE}],
    css=_CSS,
)
REVERSED = genanki.Model(
    _stable_int("kbgen flashcard reversed v1"), "kbgen flashcard (and reversed)",
    fields=[{"name": n} for n in ("Front", "Back", "Source")],
    templates=[
        {"name": "Card", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + _SOURCE},
        {"name": "Reversed", "qfmt": "{{Back}}", "afmt": '{{FrontSide}}<hr id="answer">{{Front}}' + _SOURCE},
    ],
    css=_CSS,
)
CLOZE = genanki.Model(
    _stable_int("kbgen cloze v1"), "kbgen cloze",
    fields=[{"name": "Text"}, {"name": "Source"}],
    templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}" + _SOURCE}],
    css=_CSS,
    model_type=genanki.Model.CLOZE,
)
MODELS = {"quiz": MULTIPLE_CHOICE, "basic": BASIC, "reversed": REVERSED, "cloze": CLOZE}


@dataclass
class ExportResult:
    out: Path
    notes: int  # Anki notes written
    decks: int
    media: int


class ExportError(RuntimeError):
    """The export cannot be written (e.g. its file would land inside the notes folder)."""


def export_anki(config: KbgenConfig, out: Path, deck_by: DeckBy = "folder") -> ExportResult:
    """Write every published quiz and card of ``config.notes_dir`` to the package ``out``."""
    notes_dir = Path(config.notes_dir).resolve()
    target = Path(out).resolve()
    if target == notes_dir or notes_dir in target.parents:
        raise ExportError(f"{out} is inside the notes folder {config.notes_dir}; kbgen never writes there")
    cards = collect_cards(config)
    root = notes_dir.name or "kbgen"
    decks: dict[str, genanki.Deck] = {}
    for item in cards.items:
        name = deck_name(item, root, deck_by)
        deck = decks.get(name)
        if deck is None:
            deck = decks[name] = genanki.Deck(_stable_int("kbgen deck " + name), name)
        deck.add_note(genanki.Note(model=MODELS[item.kind], fields=item.fields, tags=anki_tags(item.note.tags),
                                   guid=genanki.guid_for("kbgen", item.key)))
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_package(list(decks.values()), cards.media, target)
    return ExportResult(target, len(cards.items), len(decks), len(cards.media))


def deck_name(item: AnkiItem, root: str, deck_by: DeckBy) -> str:
    """``vault::folder`` (top-level folder) or ``vault::tag::sub`` (first tag); the vault's own deck otherwise."""
    if deck_by == "tag":
        tags = item.note.tags or []
        return f"{root}::{tags[0].replace('/', '::')}" if tags else root
    folder = item.note.src_path.split("/", 1)[0] if "/" in item.note.src_path else ""
    return f"{root}::{folder}" if folder else root


def anki_tags(tags: list[str] | None) -> list[str]:
    """Anki tags have no spaces; its hierarchy separator is ``::``."""
    return [t.strip().replace(" ", "_").replace("/", "::") for t in tags or [] if t.strip()]


def _write_package(decks: list[genanki.Deck], media: dict[str, Path], target: Path) -> None:
    """genanki stores each media file under its base name, and ours are renamed when two
    folders hold the same name: copy them under their flat names into a temporary folder first."""
    with tempfile.TemporaryDirectory(prefix="kbgen-anki-") as tmp:
        paths = []
        for name, source in media.items():
            flat = Path(tmp) / name
            shutil.copyfile(source, flat)
            paths.append(str(flat))
        genanki.Package(decks, media_files=paths).write_to_file(str(target))
