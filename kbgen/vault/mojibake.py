"""Detect and repair Korean UTF-8 that was read as a Windows code page and saved again ("mojibake").

What the damage looks like (measured on the vault's two damaged notes): every UTF-8 byte was
read as one Windows-1252/1254 character (``신`` = EC 8B A0 became ``ì‹\\xa0``, ``🎯`` began with
``ğ``, the Turkish code page's F0) and the result saved as UTF-8. The bytes that code page leaves
undefined - 81 8D 8E 8F 90 9D 9E - were *dropped* (no U+FFFD, no C1 control is left in their
place), and so was AD, which decodes to the invisible soft hyphen and was stripped. Only
continuation bytes are lost, so every character still has its lead byte: the damage shows up as a
UTF-8 sequence that is too short, and the missing byte is one of those eight values. That leaves a
handful of possible characters per damaged one; :mod:`kbgen.vault.korean_model` chooses among the
Hangul ones, a ranked list of common symbols among the rest.

The set of lost bytes is inferred per text: a byte whose character survives somewhere in it
(e.g. ``Ž`` for 8E when the page was cp1252) cannot have been dropped, which keeps candidates few.
"""
from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from .korean_model import is_hangul, load_model

__all__ = ["MojibakeRepair", "looks_double_encoded", "repair", "simulate_double_encoding"]

LOST_BYTES = (0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD)
_MAX_COMBOS = 600  # above this, a run's slots are chosen one at a time instead of jointly
_PRUNE = 6  # Hangul candidates kept per damaged syllable (by unigram prior) before joint scoring
_MAX_RUN = 32  # longer Hangul runs (no real word is) are scored in pieces, to bound the work


def _byte_table() -> dict[str, int]:
    """Character -> byte for cp1252, cp1254 and Latin-1: whichever page did the damage."""
    table: dict[str, int] = {}
    for codec in ("latin-1", "cp1254", "cp1252"):
        for b in range(256):
            try:
                table[bytes([b]).decode(codec)] = b
            except UnicodeDecodeError:
                pass
    return table


# Characters str.splitlines() breaks at: never produced by a repair nor swallowed into one, so the
# repaired text has exactly the lines of the damaged one.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_BYTE_OF = {ch: b for ch, b in _byte_table().items() if ch not in _LINE_BREAKS or b < 0x80}
# Characters that lead a 3-byte Hangul sequence (EA..ED) once misread: a cheap pre-filter.
_HANGUL_LEAD = re.compile("[êëìí]")  # found by the regex engine: this runs on every note
# Common non-Hangul characters whose UTF-8 holds a lost byte, most likely first.
_SYMBOLS = (
    "”\u2010“’…–—•→←⇐⇒↔∞∑∏∂√≈≠≤≥∝∈∇"
    "📝🔍🎯💡📌📍📁📎📊📈📉📚📖📄📋🔑🔗🔥🚀✨⭐❌❗❓➡⬅⬆⬇✅⚠👉👍🤔😀😂😊🙂🙏🎉🧠🔎🔁🔄🔒🔓🔐🔧🔨"
    "🏗🛠🖥🗂🗓🏷⚙⚡📦🧭🧰🗺🔬🔭📐📏📞📭🎓💻🧪🧩🏆"
    "」』【】〝〞「『"
    "íÁÍÐÝÎÏÞρνσαβγδεθλμπτφωΝΞ"
    "ㅎㅁㅏㅍㅐㅝㅞ"
)
_SYMBOL_RANK = {ch: i for i, ch in enumerate(_SYMBOLS)}


@dataclass
class MojibakeRepair:
    """Outcome of :func:`repair`; ``guesses`` points diagnostics at the characters to check."""

    text: str
    repaired: bool
    guessed: int = 0
    guesses: list[tuple[int, int]] = field(default_factory=list)  # (line, column), both 1-based


def simulate_double_encoding(text: str, codec: str = "cp1254", strip_soft_hyphen: bool = True) -> str:
    """Damage ``text`` the way the vault's notes were damaged (for benchmarks and tests)."""
    damaged = text.encode("utf-8").decode(codec, errors="ignore")
    return damaged.replace("\xad", "") if strip_soft_hyphen else damaged


def _seq_len(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


@functools.lru_cache(maxsize=4096)
def _candidates(seq: bytes, lost: tuple[int, ...]) -> list[str]:
    """Every character ``seq`` can be once its missing continuation bytes are put back."""
    missing = _seq_len(seq[0]) - len(seq)
    found: set[str] = set()
    pending = [bytes(seq)]
    for _ in range(missing):
        pending = [s[:p] + bytes([b]) + s[p:] for s in pending for p in range(1, len(s) + 1) for b in lost]
    for s in pending:
        try:
            found.add(s.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return sorted(found - _LINE_BREAKS)


# A parsed piece of text: (kind, start, end, payload). kind is "keep" (copy text[start:end]),
# "ok" (payload is the decoded character) or "dmg" (payload is the list of candidates).
_Unit = tuple[str, int, int, object]


def _lost_bytes(text: str) -> tuple[int, ...]:
    present = {_BYTE_OF[ch] for ch in set(text) if ch in _BYTE_OF and 0x80 <= _BYTE_OF[ch] < 0xC0}
    # Latin-1 maps 8E to U+008E but cp1252 to Ž: only a character that *is* in the text counts.
    return tuple(b for b in LOST_BYTES if b not in present)


def _parse(text: str, lost: tuple[int, ...]) -> list[_Unit]:
    units: list[_Unit] = []
    n, i = len(text), 0
    while i < n:
        b = _BYTE_OF.get(text[i])
        need = _seq_len(b) if b is not None else 0
        if need == 0:
            units.append(("keep", i, i + 1, None))
            i += 1
            continue
        j = i + 1
        while j < n and j - i < need and 0x80 <= _BYTE_OF.get(text[j], 0) < 0xC0:
            j += 1
        seq = bytes(_BYTE_OF[c] for c in text[i:j])
        if j - i == need:
            try:
                ch = seq.decode("utf-8")
            except UnicodeDecodeError:
                ch = ""
            units.append(("ok", i, j, ch) if ch and ch not in _LINE_BREAKS else ("keep", i, j, None))
        else:
            cands = _candidates(seq, lost) if lost else []
            units.append(("dmg", i, j, cands) if cands else ("keep", i, j, None))
        i = j
    return units


def _analyse(text: str) -> tuple[bool, list[_Unit]]:
    leads = _HANGUL_LEAD.finditer(text)
    if next(leads, None) is None or next(leads, None) is None:  # fewer than two
        return False, []
    units = _parse(text, _lost_bytes(text))
    hangul = other = 0
    for kind, start, end, payload in units:
        if kind == "ok":
            ch = str(payload)
            if is_hangul(ch) or "\u3131" <= ch <= "\u318e":
                hangul += 1
            else:
                other += 1
        elif kind == "dmg" or end - start > 1 or text[start] in _BYTE_OF and _BYTE_OF[text[start]] >= 0x80:
            other += 1
    native = sum(1 for ch in text if is_hangul(ch))
    plausible = hangul >= 2 and hangul > native and hangul >= 0.6 * (hangul + other)
    return plausible, units


def looks_double_encoded(text: str) -> bool:
    """True when ``text`` reads as Korean UTF-8 seen through a Windows code page.

    Fires only if re-encoding gives mostly valid Hangul - more Hangul than the text already has -
    so accented Latin text (``café``, even ``Ã  la`` in a note about encodings) is left alone.
    """
    try:
        return _analyse(text)[0]
    except Exception:  # detection must never break loading a note
        return False


def _is_pictograph(ch: str) -> bool:
    return bool(ch) and (0x1F000 <= ord(ch) < 0x1FB00 or 0x2600 <= ord(ch) < 0x2800)


def _is_emoji(ch: str) -> bool:
    """The blocks people actually type emoji from (not dominoes, alchemy or legacy computing)."""
    o = ord(ch)
    return 0x1F300 <= o < 0x1F650 or 0x1F680 <= o < 0x1F700 or 0x1F900 <= o < 0x1FB00 or 0x2600 <= o < 0x27C0


def _symbol_score(ch: str, prev: str, nxt: str) -> float:
    """Rank a non-Hangul candidate: the common-symbol list first, then Unicode category."""
    if ch == "\u200d":  # zero-width joiner: only inside an emoji sequence
        return 1000.0 if _is_pictograph(prev) and _is_pictograph(nxt) else -1000.0
    if ch == "\ufe0f":  # emoji presentation selector, after a symbol
        return 1000.0 if _is_pictograph(prev) or prev in "↔↕©®™" else -1000.0
    rank = _SYMBOL_RANK.get(ch)
    if rank is not None:
        return 500.0 - rank
    if _is_emoji(ch):
        return 100.0 - ord(ch) / 1e7
    if _is_pictograph(ch):
        return 60.0 - ord(ch) / 1e7
    cat = unicodedata.category(ch)
    if cat == "Cn" or ord(ch) >= 0x20000:  # unassigned, or rare ideographs beyond the BMP
        return -50.0
    base = {"L": 50.0, "P": 40.0, "S": 40.0, "N": 30.0, "Z": 10.0, "M": 0.0}.get(cat[0], -100.0)
    return base - ord(ch) / 1e7


def _context_char(units: list[_Unit], chosen: list[str], k: int, step: int) -> str:
    k += step
    while 0 <= k < len(units):
        if chosen[k]:
            return chosen[k]
        k += step
    return ""


_MARKUP = ("*", "_", "~", "`")


def _starts_word(chosen: list[str], k: int) -> float:
    """How surely the Hangul run at ``k`` begins a word (where a particle cannot stand).

    0 right after a letter or closing bracket (``ReLU는``, ``**굵게**는``); 0.5 after a Latin word
    and a space, since technical Korean often writes ``ReLU 의``; 1 otherwise.
    """
    j = k - 1
    while j >= 0 and chosen[j] in _MARKUP:
        j -= 1
    if j < 0:
        return 1.0
    prev = chosen[j]
    if prev in "\"'":
        return 1.0 if j == 0 or chosen[j - 1].isspace() or chosen[j - 1] in "([{" else 0.0
    if prev == " ":
        while j >= 0 and (chosen[j] == " " or chosen[j] in _MARKUP):
            j -= 1
        return 0.5 if j >= 0 and (chosen[j].isascii() and chosen[j].isalnum() or chosen[j] == ")") else 1.0
    return 0.0 if prev.isalnum() or prev in ")]}%" else 1.0


def _previous_word(chosen: list[str], k: int) -> str:
    """The Hangul word just before position ``k``, across spaces only ("" if there is none)."""
    j = k - 1
    while j >= 0 and chosen[j] == " ":
        j -= 1
    if j == k - 1:
        return ""
    end = j + 1
    while j >= 0 and len(chosen[j]) == 1 and is_hangul(chosen[j]):
        j -= 1
    return "".join(chosen[j + 1 : end])


def _decide(text: str, units: list[_Unit]) -> list[str]:
    """The character for every unit (empty for "keep" units, which are copied verbatim)."""
    chosen = [str(p) if kind == "ok" else (text[s:e] if kind == "keep" else "") for kind, s, e, p in units]
    hangul_slot = [False] * len(units)
    for k, (kind, _s, _e, payload) in enumerate(units):
        if kind == "dmg":
            hangul = [c for c in payload if is_hangul(c)]  # type: ignore[union-attr]
            if hangul:
                units[k] = (kind, _s, _e, hangul)
                hangul_slot[k] = True
    # Runs of Hangul, damaged or not; intact runs are the note's own vocabulary.
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(units):
        if hangul_slot[k] or is_hangul(chosen[k][:1]) and len(chosen[k]) == 1:
            j = k
            while j < len(units) and (hangul_slot[j] or (len(chosen[j]) == 1 and is_hangul(chosen[j]))):
                j += 1
            runs.extend((a, min(a + _MAX_RUN, j)) for a in range(k, j, _MAX_RUN))
            k = j
        else:
            k += 1
    intact = ["".join(chosen[a:b]) for a, b in runs if not any(hangul_slot[a:b])]
    intact += [w for w in "".join(c if is_hangul(c) else " " for c in text).split()]  # native Korean
    model = load_model().with_document(intact)
    for a, b in runs:
        slots = [k for k in range(a, b) if hangul_slot[k]]
        if not slots:
            continue
        options = {
            k: sorted(units[k][3], key=model.unigram, reverse=True)[:_PRUNE]  # type: ignore[arg-type]
            for k in slots
        }
        initial = _starts_word(chosen, a)
        previous = _previous_word(chosen, a)

        def score(pick: dict[int, str], a: int = a, b: int = b, first: float = initial, prev: str = previous) -> float:
            return model.score("".join(pick.get(k, chosen[k]) for k in range(a, b)), first, prev)

        total = 1
        for k in slots:
            total *= len(options[k])
        if total <= _MAX_COMBOS:
            best = max(
                (dict(zip(slots, combo)) for combo in itertools.product(*(options[k] for k in slots))), key=score
            )
        else:
            best = {k: options[k][0] for k in slots}
            for _sweep in range(2):
                for k in slots:
                    best[k] = max(options[k], key=lambda c, k=k: score({**best, k: c}))
        for k, ch in best.items():
            chosen[k] = ch
    for k, (kind, _s, _e, payload) in enumerate(units):
        if kind == "dmg" and not hangul_slot[k]:
            prev, nxt = _context_char(units, chosen, k, -1)[-1:], _context_char(units, chosen, k, 1)[:1]
            chosen[k] = max(payload, key=lambda c: _symbol_score(c, prev, nxt))  # type: ignore[arg-type]
    return chosen


def repair(text: str) -> MojibakeRepair:
    """Undo the double encoding if :func:`looks_double_encoded`, else return ``text`` unchanged.

    Lines are kept one for one (newlines are ASCII and survive the damage), so diagnostics that
    point into the repaired text point at the same line of the file. Never raises: any internal
    error leaves the text as it was.
    """
    try:
        plausible, units = _analyse(text)
        if not plausible:
            return MojibakeRepair(text, False)
        chosen = _decide(text, units)
    except Exception:  # a repair bug must not stop the build; the text is returned as read
        return MojibakeRepair(text, False)
    out: list[str] = []
    guesses: list[tuple[int, int]] = []
    line, col = 1, 1
    for (kind, _start, _end, _payload), piece in zip(units, chosen):
        if kind == "dmg":
            guesses.append((line, col))
        out.append(piece)
        newlines = piece.count("\n")
        if newlines:
            line += newlines
            col = len(piece) - piece.rfind("\n")
        else:
            col += len(piece)
    return MojibakeRepair("".join(out), True, len(guesses), guesses)
