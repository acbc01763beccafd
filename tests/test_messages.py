from kbgen.messages import MESSAGES, message, table


def test_every_language_has_every_key():
    keys = {lang: set(t) for lang, t in MESSAGES.items()}
    assert keys["ko"] == keys["en"]


def test_language_variants_and_fallback():
    assert message("quiz.next", "ko") == "다음 문제"
    assert message("quiz.next", "ko-KR") == "다음 문제"
    assert message("quiz.next", "en") == "Next question"
    assert message("quiz.next", "fr") == "Next question"  # no French table: English
    assert table("")["quiz.check"] == "Check answer"
