"""Front matter of every dialect in the seeds, tag/alias shapes, YAML errors, and the title rule."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kbgen.config import KbgenConfig
from kbgen.vault import frontmatter as fm
from kbgen.vault.load import choose_title, load_vault, note_from_text

NOTES = Path(__file__).resolve().parent.parent / "notes"


def note(text: str, name: str = "folder/My Note.md"):
    return note_from_text(name, Path(name), text)


@pytest.fixture(scope="module")
def seeds():
    return load_vault(KbgenConfig(notes_dir=NOTES)).notes


def test_obsidian_seed_lists(seeds):
    n = seeds["What is Vanishing Gradient.md"]  # seed 002
    assert n.id == "1738159475-TWPO"
    assert n.aliases == ["Vanishing Gradient"]
    assert n.tags == ["vanishing gradient"]
    assert n.title == "Q. What is Vanishing Gradient?"
    assert n.body_offset == 7 and n.body.startswith("\n# Q. What is")


def test_jekyll_seed_keeps_layout_parent_nav_order(seeds):
    n = seeds["기울기 소실 문제.md"]  # seed 004
    assert n.title == "기울기 소실 문제"
    assert n.meta["layout"] == "default"
    assert n.meta["parent"] == "2. 딥러닝"
    assert n.meta["grand_parent"] == "AI (인공지능)"
    assert n.meta["nav_order"] == 7
    assert n.tags == []


def test_gatsby_seed_empty_tags_categories_and_string_date(seeds):
    n = seeds["깊은 인공신경망의 문제1.md"]  # seed 003
    assert n.title == "15. 깊은 인공신경망의 문제1(feat. vanishing gradient)"
    assert n.tags == []
    assert n.meta["categories"] == "AI/ML/DL"
    assert n.date == dt.date(2023, 2, 15)
    assert n.author == "tanny"
    assert n.meta["emoji"] == "🔮"


def test_velog_seed_has_no_front_matter_and_is_named_by_its_file(seeds):
    n = seeds["Gradient Vanishing 정리.md"]  # seed 001
    assert n.meta == {} and n.body_offset == 0
    assert n.title == "Gradient Vanishing 정리"
    assert not [d for d in n.diagnostics if d.code == "front-matter"]


def test_slug_title_yields_to_the_h1_and_dates_and_flow_aliases(seeds):
    pytest.importorskip("kbgen.vault.mojibake")
    n = seeds["신경망 기울기 소실과 ReLU.md"]  # seed 000: blank lines inside the fences
    assert n.title == "신경망 복잡도 증가 시 기울기 소실 문제와 ReLU 해결책"
    assert n.created == dt.date(2025, 8, 18) and n.modified == dt.date(2025, 8, 18)
    assert n.aliases == ["vanishing-gradient", "relu-solution", "deep-network-training"]
    assert n.tags[:2] == ["problem/vanishing-gradient", "technique/relu-activation"]
    assert len(n.tags) == 5


@pytest.mark.parametrize(
    "value, expected",
    [
        ("- a\n  - '#b'\n  - c/d", ["a", "b", "c/d"]),
        ("[x, '#y', x]", ["x", "y"]),
        ("'one, two,three'", ["one", "two", "three"]),
        ("'#alpha #beta'", ["alpha", "beta"]),
        ("single", ["single"]),
        ("", []),
        ("[]", []),
        ("42", ["42"]),
    ],
)
def test_tag_shapes(value, expected):
    text = f"---\ntags: {value}\n---\nbody\n" if not value.startswith("-") else f"---\ntags:\n  {value}\n---\nbody\n"
    assert note(text).tags == expected


def test_tag_key_singular_and_aliases_as_list_or_string():
    assert note("---\ntag: solo\n---\n").tags == ["solo"]
    assert note("---\naliases: [A, B]\n---\n").aliases == ["A", "B"]
    assert note("---\naliases: Only One\n---\n").aliases == ["Only One"]
    assert note("---\nalias: 별칭\n---\n").aliases == ["별칭"]
    assert note("---\naliases:\n---\n").aliases == []


def test_dates_as_dates_datetimes_and_strings():
    n = note("---\ndate: '2023-02-15 22:00:00'\ncreated: 2024-01-02\nupdated: 2024-03-04T05:06:07\n---\n")
    assert n.date == dt.date(2023, 2, 15)
    assert n.created == dt.date(2024, 1, 2)
    assert n.modified == dt.date(2024, 3, 4)
    assert fm.normalize_date("not a date") is None
    assert fm.normalize_date("2023-02-30") is None


def test_invalid_yaml_is_an_error_at_its_file_line_and_the_body_still_builds():
    text = "---\ntitle: ok\nx: 1\nbad: : :\ny: 2\n---\n# Body Title\n\ntext\n"
    n = note(text)
    errors = [d for d in n.diagnostics if d.code == "front-matter"]
    assert len(errors) == 1
    assert errors[0].severity == "error"
    assert errors[0].line == 4
    assert "invalid YAML front matter" in errors[0].message
    assert n.body == "# Body Title\n\ntext\n" and n.body_offset == 6
    assert n.title == "Body Title"


def test_front_matter_that_is_not_a_mapping():
    n = note("---\n- a\n- b\n---\nbody\n")
    assert [(d.line, d.message) for d in n.diagnostics] == [(2, "front matter is not a mapping of keys to values")]
    assert n.body == "body\n"


def test_unclosed_fence_is_a_thematic_break_not_front_matter():
    n = note("---\ntitle: x\n\nText\n")
    assert n.meta == {} and n.body_offset == 0 and n.title == "My Note"


def test_draft_and_publish_flags():
    assert not note("---\ndraft: true\n---\n").published
    assert not note("---\npublish: false\n---\n").published
    assert not note("---\npublish: 'no'\n---\n").published
    assert note("---\npublish: true\ndraft: false\n---\n").published


@pytest.mark.parametrize(
    "front_matter_title, h1, expected",
    [
        ("Real Title", "Heading", "Real Title"),
        ("neural-network-vanishing-gradient-relu", "신경망 제목", "신경망 제목"),
        ("neural-network-vanishing-gradient-relu", None, "neural-network-vanishing-gradient-relu"),
        (None, "Heading", "Heading"),
        ("", None, "stem"),
        (2024, None, "2024"),
    ],
)
def test_title_rule(front_matter_title, h1, expected):
    assert choose_title(front_matter_title, h1, "stem") == expected


def test_leading_h1_after_comments_and_attribute_lines_names_the_note():
    assert note("<!-- c -->\n{: .x }\n# **굵은** [제목](u)\n").title == "굵은 제목"
    assert note("Intro paragraph\n\n# Later H1\n").title == "My Note"


def test_odd_yaml_values_never_raise():
    impossible = note("---\ndate: 2023-02-30\n---\nbody\n")
    assert impossible.date is None and impossible.meta["date"] == "2023-02-30"
    assert impossible.diagnostics == []
    nested = note("---\ntitle: [a, b]\ntags: [[x], {k: v}, ok]\naliases: {a: b}\n---\n")
    assert nested.title == "My Note"
    assert nested.tags == ["ok"]
    assert nested.aliases == []
    assert note("---\ntitle: 2024\n---\n").title == "2024"
