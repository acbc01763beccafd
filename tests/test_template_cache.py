"""Theme templates come compiled from kbgen's cache in every environment of a build, the plugins' own too."""
from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from kbgen.cli import main


def _vault(tmp_path: Path, build_cache: bool = True) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\n본문.\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"site_name: s\ndocs_dir: {notes}\nsite_dir: {tmp_path / 'site'}\n"
        "theme:\n  name: material\n  language: ko\n"
        f"plugins:\n  - search\n  - tags\n  - kbgen:\n      cache_dir: {tmp_path / 'cache'}\n"
        f"      build_cache: {str(build_cache).lower()}\n", encoding="utf-8")
    return config


def _compiled_in_build(config: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates Jinja compiled from source during one ``kbgen build`` (cache misses)."""
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    with monkeypatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", compile)
        assert main(["build", "-q", "--config", str(config)]) == 0
    return compiled


def test_a_build_after_an_edit_compiles_no_theme_template(tmp_path, monkeypatch):
    """Material's search plugin compiles its language templates in on_config, in environments of its
    own (one per default it looks up): they too take kbgen's compiled-template cache."""
    config = _vault(tmp_path)
    first = _compiled_in_build(config, monkeypatch)
    assert "partials/language.html" in first and "partials/languages/ko.html" in first  # the plugin's lookups
    (tmp_path / "notes" / "a.md").write_text("# A\n\n고친 본문.\n", encoding="utf-8")
    assert _compiled_in_build(config, monkeypatch) == []
    assert "고친 본문" in (tmp_path / "site" / "a" / "index.html").read_text(encoding="utf-8")


def test_without_the_build_cache_templates_are_compiled_every_build(tmp_path, monkeypatch):
    config = _vault(tmp_path, build_cache=False)
    _compiled_in_build(config, monkeypatch)
    (tmp_path / "notes" / "a.md").write_text("# A\n\n고친 본문.\n", encoding="utf-8")
    again = _compiled_in_build(config, monkeypatch)
    assert "partials/language.html" in again and "main.html" in again
    assert not (tmp_path / "cache" / "jinja").exists()


def test_one_template_read_as_two_sources_keeps_both_compiled(tmp_path, monkeypatch):
    """The pages' environment reads language.html rewritten (kbgen.theme_rewrites), Material's search
    plugin as written: each compiles once into the shared folder, then both are read from it."""
    from kbgen.theme_rewrites import RewritingLoader, SourceKeyedBytecodeCache

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.html").write_text("as written", encoding="utf-8")
    plain = jinja2.FileSystemLoader(str(tmp_path / "t"))

    def environments() -> tuple[jinja2.Environment, jinja2.Environment]:
        cache = SourceKeyedBytecodeCache(str(tmp_path / "cache"))
        rewritten = RewritingLoader(plain, lambda filename: True, {"x.html": lambda source: "rewritten"})
        return (jinja2.Environment(loader=plain, bytecode_cache=cache),
                jinja2.Environment(loader=rewritten, bytecode_cache=cache))

    (tmp_path / "cache").mkdir()
    compiled: list[str] = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, source, *a, **k: compiled.append(source)
                        or original(self, source, *a, **k))
    for build in range(3):
        own, pages = environments()
        assert own.get_template("x.html").render() == "as written"
        assert pages.get_template("x.html").render() == "rewritten"
    assert compiled == ["as written", "rewritten"]  # the first build only
