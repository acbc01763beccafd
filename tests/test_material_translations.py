"""Material's translated words looked up once per build (kbgen.material_translations) leave every page byte-identical."""
from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs import utils

from kbgen import material_translations
from kbgen.theme_rewrites import RewritingLoader

from link_vaults import write_vault
from memo_support import memoized_and_plain
from test_site_build import config_file, vault

MATERIAL = Path(utils.get_theme_dir("material"))


def test_pages_with_memoized_translations_equal_pages_translated_word_by_word(tmp_path, monkeypatch):
    plugin, plain = memoized_and_plain(tmp_path, vault(tmp_path), monkeypatch, material_translations, "memo_source",
                                       lambda source: None)
    assert plugin._translations.hits > 100  # the memo answered most of the words …
    assert plugin._translations.memo is None  # … for this build only
    assert plain._translations.hits == 0
    page = (tmp_path / "site" / "dir1" / "note1" / "index.html").read_text(encoding="utf-8")
    assert 'placeholder="검색"' in page  # Korean words in the page (the search box), as Material's table has them


def test_a_custom_dir_language_file_is_read_as_written(tmp_path):
    notes = write_vault(tmp_path / "notes", {"a.md": "# A\n"})
    custom = tmp_path / "overrides" / "partials"
    custom.mkdir(parents=True)
    source = (MATERIAL / material_translations.TEMPLATE).read_text(encoding="utf-8")
    (custom / "language.html").write_text(source.replace("or key }}", "or key }}!"), encoding="utf-8")
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  name: material\n", f"  name: material\n  custom_dir: {tmp_path / 'overrides'}\n"), encoding="utf-8")
    from kbgen.cli import main

    assert main(["build", "-q", "--config", str(config)]) == 0
    page = (tmp_path / "site" / "a" / "index.html").read_text(encoding="utf-8")
    assert 'placeholder="검색!"' in page


def test_the_installed_materials_language_file_is_known():
    # A Material upgrade that changes language.html turns the memo off: this says so.
    rewritten = material_translations.memo_source((MATERIAL / material_translations.TEMPLATE).read_text(encoding="utf-8"))
    assert rewritten is not None and rewritten.count("{% macro t(key) %}") == 1
    assert material_translations.memo_source("{% macro t(key) %}{{ key }}{% endmacro %}") is None


def _env(memo: material_translations.TranslationMemo, language: str = "ko") -> jinja2.Environment:
    env = jinja2.Environment(loader=RewritingLoader(jinja2.FileSystemLoader(str(MATERIAL)), lambda filename: True,
                                                    {material_translations.TEMPLATE: material_translations.memo_source}),
                             autoescape=True)
    env.globals[material_translations.GLOBAL] = memo
    env.globals["config"] = {"theme": {"language": language}}
    return env


WORDS = ('{% import "partials/language.html" as lang with context %}'
         '{{ lang.t("search.placeholder") }}|{{ lang.t("nav") }}|{{ lang.t("search.placeholder") }}|{{ lang.t("no.such") }}')


def test_each_word_is_looked_up_once_in_a_build_and_every_time_outside_one():
    memo = material_translations.TranslationMemo()
    template = _env(memo).from_string(WORDS)
    assert template.render() == "검색|네비게이션|검색|no.such"  # outside a build: looked up afresh, nothing kept
    assert memo.memo is None and memo.hits == 0
    memo.start()
    assert template.render() == "검색|네비게이션|검색|no.such"
    assert template.render() == "검색|네비게이션|검색|no.such"
    assert sorted(memo.memo) == ["nav", "no.such", "search.placeholder"] and memo.hits == 5
    assert all(isinstance(word, Markup) for word in memo.memo.values())  # the macro's own output, as it gives it
    memo.stop()
    assert memo.memo is None


def test_a_key_that_is_not_a_string_is_looked_up_afresh():
    memo = material_translations.TranslationMemo()
    memo.start()
    calls = []
    assert memo(lambda key: calls.append(key) or f"<{key}>", 3) == "<3>"
    assert memo(lambda key: calls.append(key) or f"<{key}>", 3) == "<3>"
    assert calls == [3, 3] and memo.memo == {}
