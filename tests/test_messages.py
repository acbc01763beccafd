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


def test_alias_line_and_untagged_quiz_group_follow_the_site_language(tmp_path):
    from link_vaults import build, page

    files = {
        "a.md": "---\naliases: [Other]\n---\n# A\n\n**Question:** Why?\n\n**Options:**\n1. x\n2. y\n\n정답: 1\n",
    }
    english = build(tmp_path / "en", files, language="en")
    assert '<p class="kb-aliases">Also known as: ' in page(english, "a.md")
    quizzes = next(p for p in english.pages if p.src_path == "quizzes.md").html
    assert ">No tag<" in quizzes and "태그 없음" not in quizzes
    assert '"No tag"' in quizzes.replace("&#34;", '"').replace("&quot;", '"')
    korean = build(tmp_path / "ko", files, language="ko")
    assert '<p class="kb-aliases">별칭: ' in page(korean, "a.md")
    assert ">태그 없음<" in next(p for p in korean.pages if p.src_path == "quizzes.md").html
