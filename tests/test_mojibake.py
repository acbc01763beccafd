"""Repairing double-encoded Korean notes (kbgen.vault.mojibake) against the vault's real samples."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from kbgen.vault import korean_model, mojibake
from kbgen.vault.mojibake import MojibakeRepair, looks_double_encoded, repair, simulate_double_encoding

ROOT = Path(__file__).parent.parent
NOTES = ROOT / "notes"
DAMAGED_RELU = NOTES / "신경망 기울기 소실과 ReLU.md"  # = seeds/000
DAMAGED_GRADIENT = NOTES / "Gradient Vanishing 정리.md"  # = seeds/001
CLEAN_NOTES = [NOTES / "What is Vanishing Gradient.md", NOTES / "깊은 인공신경망의 문제1.md", NOTES / "기울기 소실 문제.md"]
LOST = {0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD}


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def count_truncated_sequences(text: str) -> int:
    """Damaged characters, counted independently of the module: UTF-8 sequences cut short."""
    data = text.encode("cp1254")
    count = i = 0
    while i < len(data):
        b = data[i]
        need = 2 if 0xC2 <= b <= 0xDF else 3 if 0xE0 <= b <= 0xEF else 4 if 0xF0 <= b <= 0xF4 else 1
        j = i + 1
        while j < len(data) and j - i < need and 0x80 <= data[j] < 0xC0:
            j += 1
        count += need > 1 and j - i < need
        i = j
    return count


@pytest.fixture(scope="module")
def relu() -> tuple[str, MojibakeRepair]:
    text = read(DAMAGED_RELU)
    return text, repair(text)


@pytest.fixture(scope="module")
def gradient() -> tuple[str, MojibakeRepair]:
    text = read(DAMAGED_GRADIENT)
    return text, repair(text)


def test_sample_notes_are_detected() -> None:
    assert looks_double_encoded(read(DAMAGED_RELU))
    assert looks_double_encoded(read(DAMAGED_GRADIENT))


def test_relu_note_is_repaired(relu: tuple[str, MojibakeRepair]) -> None:
    _, result = relu
    assert result.repaired
    assert "# 신경망 복잡도 증가 시 기울기 소실 문제와 ReLU 해결책\n" in result.text
    assert "## 🎯 핵심 포인트" in result.text  # 🎯 lost its third byte (8E), 포 and 인 theirs
    assert "## 📝 설명" in result.text
    assert "역전파 과정에서 기울기는 각 레이어를 거치며 활성화 함수의 도함수와 곱해지는데" in result.text
    assert "title: neural-network-vanishing-gradient-relu\n" in result.text  # ASCII front matter intact
    assert not any(c in "ìíëêğŸ€œ™" for c in result.text)  # no mojibake debris left
    assert "tanh²(x)" in result.text  # a genuine Latin-1 character (C2 B2) decoded, not dropped
    assert not looks_double_encoded(result.text)  # repairing twice changes nothing
    assert repair(result.text).text == result.text


def test_gradient_note_is_repaired(gradient: tuple[str, MojibakeRepair]) -> None:
    _, result = gradient
    assert result.repaired
    for phrase in (
        "퍼셉트론이란 입력층과 출력층으로만 구성된 최초의 인공신경망을 의미합니다.",
        "**심층 신경망은 은닉층이 2개 이상인 신경망을 의미합니다.**",
        "배치 정규화는 배치 단위로 입력에 대해 평균을 0으로 만들고, 정규화를 합니다.",
        "이를 Skip Connection이라고 합니다.",
        "키워드로 공부하는 데이터 분석",
    ):
        assert phrase in result.text, phrase


@pytest.mark.parametrize("path", [DAMAGED_RELU, DAMAGED_GRADIENT], ids=["relu", "gradient"])
def test_guesses_count_every_damaged_character(path: Path) -> None:
    text = read(path)
    result = repair(text)
    damaged = count_truncated_sequences(text)
    assert damaged > 100
    assert result.guessed == damaged == len(result.guesses)
    lines = result.text.split("\n")
    for line, col in result.guesses:
        assert 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1])
    line, col = result.guesses[0]
    assert ord(lines[line - 1][col - 1]) >= 0x80  # points at a repaired (non-ASCII) character


def test_first_guess_points_at_the_title(relu: tuple[str, MojibakeRepair]) -> None:
    _, result = relu
    line, col = result.guesses[0]
    assert result.text.splitlines()[line - 1] == "# 신경망 복잡도 증가 시 기울기 소실 문제와 ReLU 해결책"
    assert result.text.splitlines()[line - 1][col - 1] == "망"  # 망 = EB A7 9D, lost 9D


@pytest.mark.parametrize("path", [DAMAGED_RELU, DAMAGED_GRADIENT], ids=["relu", "gradient"])
def test_line_structure_is_preserved(path: Path) -> None:
    text = read(path)
    result = repair(text)
    assert result.text.count("\n") == text.count("\n")
    assert len(result.text.splitlines()) == len(text.splitlines())
    # Lines that were pure ASCII come back byte for byte, at the same line number.
    for before, after in zip(text.split("\n"), result.text.split("\n")):
        if before.isascii():
            assert after == before


@pytest.mark.parametrize("path", CLEAN_NOTES, ids=lambda p: p.stem)
def test_clean_korean_notes_are_left_alone(path: Path) -> None:
    text = read(path)
    assert not looks_double_encoded(text)
    result = repair(text)
    assert result == MojibakeRepair(text, False, 0, [])


@pytest.mark.parametrize(
    "text",
    [
        "Un café pour une naïve à la crème brûlée, s'il vous plaît.\n",
        "# Encodages\n\nLe mot « café » mal décodé devient « cafÃ© », et « à la » devient « Ã  la ».\n",
        "Plain English, nothing to see.\n",
        "Déjà vu: ìa, íe, ëi and êo are just accented Latin here.\n",
        "한국어 노트: 기울기 소실과 ReLU.\n",
    ],
)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert not looks_double_encoded(text)
    assert repair(text) == MojibakeRepair(text, False, 0, [])


def test_partly_damaged_text_keeps_its_clean_parts() -> None:
    clean_head = "---\ntitle: 기울기 소실\ntags: [ml]\n---\n\n"
    body = "# 신경망의 기울기 소실 문제\n\n역전파 과정에서 기울기가 사라진다.\n"
    result = repair(clean_head + simulate_double_encoding(body))
    assert result.repaired
    assert result.text.startswith(clean_head)
    assert result.text == clean_head + body


def test_accuracy_on_a_corrupted_clean_note() -> None:
    clean = read(NOTES / "What is Vanishing Gradient.md")  # = seeds/002
    damaged_positions = [i for i, ch in enumerate(clean) if LOST & set(ch.encode("utf-8"))]
    result = repair(simulate_double_encoding(clean))
    assert len(result.text) == len(clean)
    restored = sum(result.text[i] == clean[i] for i in damaged_positions)
    assert len(damaged_positions) > 150
    assert restored / len(damaged_positions) >= 0.95
    intact = [i for i in range(len(clean)) if i not in set(damaged_positions)]
    assert all(result.text[i] == clean[i] for i in intact)  # everything not damaged is exact


def test_cp1252_damage_is_repaired_too() -> None:
    clean = read(NOTES / "기울기 소실 문제.md")
    result = repair(simulate_double_encoding(clean, codec="cp1252", strip_soft_hyphen=False))
    assert result.repaired
    differing = sum(a != b for a, b in zip(clean, result.text))
    assert len(result.text) == len(clean) and differing <= 3


def test_shared_seed_matches_notes_copy() -> None:
    seeds = ROOT.parent / "shared" / "seeds"
    found = sorted(seeds.glob("000_*.txt")) if seeds.is_dir() else []
    if not found:
        pytest.skip("shared seeds not available")
    assert repair(read(found[0])).text == repair(read(DAMAGED_RELU)).text


def test_works_without_the_frequency_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """No wordfreq: still repairs, using the built-in word-structure lists and the note itself."""
    monkeypatch.setattr(korean_model, "_model", korean_model.KoreanModel({}))
    text = read(DAMAGED_RELU)
    result = repair(text)
    assert result.repaired and result.guessed == count_truncated_sequences(text)
    assert "기울기 소실" in result.text and "ReLU 해결책" in result.text  # the undamaged parts
    assert result.text.count("\n") == text.count("\n")


def test_random_input_never_raises() -> None:
    rng = random.Random(20250818)
    alphabet = (
        "ìíëêÃÂâ€œ‹›˜™šœžŸŽ¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿ğĞİıŞş\x81\x8d\x90\x9d\xad\x85"
        "abc 123\n\r\t#*_`\"'()[]가나다라힣ㅋ🎯📝\u2028\u200d\ufe0f\ud800"
    )
    texts = ["", "ì", "ìí", "ğ", "ì\n", "\x85" * 5]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))) for _ in range(300)]
    korean = read(NOTES / "기울기 소실 문제.md")
    for _ in range(30):  # damaged Korean with random edits: detection fires, repair must cope
        damaged = list(simulate_double_encoding(korean))
        for _ in range(20):
            damaged[rng.randrange(len(damaged))] = rng.choice(alphabet)
        edited = "".join(damaged)
        assert repair(edited).repaired  # not an internal error swallowed into "unrepaired"
        texts.append(edited)
    for text in texts:
        looks_double_encoded(text)
        result = repair(text)
        assert isinstance(result.text, str)
        assert result.text.count("\n") == text.count("\n")
        assert len(result.text.splitlines()) == len(text.splitlines())
        if not result.repaired:
            assert result.text == text and result.guessed == 0


def test_simulation_reproduces_the_damage_found_in_the_notes() -> None:
    """The real files lost exactly the bytes cp1254 leaves undefined, plus AD (soft hyphen)."""
    text = read(DAMAGED_GRADIENT)
    assert "\ufffd" not in text and not any(0x80 <= ord(c) < 0xA0 or c == "\xad" for c in text)
    assert "ğŸ" in read(DAMAGED_RELU)  # F0 9F read as cp1254 (ğ), not cp1252 (ð)
    repaired = repair(text).text
    assert simulate_double_encoding(repaired) == text


def test_repair_is_fast_once_the_model_is_loaded() -> None:
    import time

    korean_model.load_model()
    text = read(DAMAGED_GRADIENT)  # 9 KB
    start = time.perf_counter()
    mojibake.repair(text)
    assert time.perf_counter() - start < 2.0  # ~0.2 s measured; generous for slow CI machines
