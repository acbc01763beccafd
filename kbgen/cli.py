"""``kbgen build | serve | check | setup | export anki``: a thin command line over the MkDocs plugin.

The CLI never renders anything itself: ``build`` and ``serve`` run MkDocs
with the kbgen plugin in the plugin list (added when a mkdocs.yml lacks it,
or a default configuration when there is no mkdocs.yml), and ``check`` runs
the same vault pipeline without writing a site.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from . import __version__, up_to_date
from .diagnostics import Diagnostic, count, format_json, format_text
from .config import DEFAULT_CACHE_DIR
from .site_output import atomic_site, spare_slot, unsafe_site_dir

# Material prints an end-of-life banner on every build unless this is set; the
# README says it once instead.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

EXIT_OK, EXIT_ERRORS, EXIT_FAILED = 0, 1, 2
DEFAULT_CONFIG = "mkdocs.yml"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_FAILED
    return int(args.func(args))


def run() -> None:
    """The ``kbgen`` command (and ``python -m kbgen``): :func:`main`, then leave at once.

    By the end of a build everything is written and closed, but the interpreter
    would still free the build's objects one by one on its way out — a second or
    more at 5,000 notes, after the summary line was printed. Only the output
    streams need flushing, and logging's handlers their shutdown.
    """
    status = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`kbgen check | head`)
            pass
    os._exit(status)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kbgen", description="Publish a Markdown note vault as a static site.")
    parser.add_argument("--version", action="version", version=f"kbgen {__version__}")
    sub = parser.add_subparsers(dest="command")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--notes", metavar="DIR", help="notes folder (default: docs_dir of mkdocs.yml, else ./notes)")
        p.add_argument("--config", metavar="FILE", help="mkdocs.yml to use (default: ./mkdocs.yml if present)")

    build = sub.add_parser("build", help="build the site")
    common(build)
    build.add_argument("--site", metavar="DIR", help="output folder (default: site_dir of mkdocs.yml, else ./site)")
    build.add_argument("-q", "--quiet", action="store_true", help="print only the problems and the summary")
    build.add_argument("-j", "--jobs", type=int, metavar="N",
                       help="processes for page templating (default: one per core; 1 = in this process)")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="live preview that rebuilds when notes change")
    common(serve)
    serve.add_argument("-a", "--dev-addr", metavar="IP:PORT", default="127.0.0.1:8000")
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser("check", help="report broken links, bad math and bad front matter; writes nothing")
    common(check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(func=cmd_check)

    export = sub.add_parser("export", help="export the vault's quizzes and flashcards")
    export_sub = export.add_subparsers(dest="target", required=True)
    anki = export_sub.add_parser("anki", help="an Anki package (.apkg); never writes into the notes folder")
    common(anki)
    anki.add_argument("--out", metavar="FILE.apkg", help="package to write (default: ./<notes folder name>.apkg)")
    anki.add_argument("--deck-by", choices=("folder", "tag"), default="folder",
                      help="one deck per top-level folder (default) or per note's first tag")
    anki.set_defaults(func=cmd_export_anki)

    setup = sub.add_parser("setup", help="fetch what builds need once (KaTeX) into the cache")
    common(setup)
    setup.set_defaults(func=cmd_setup)
    return parser


# -- build --------------------------------------------------------------------------------

def cmd_build(args: argparse.Namespace) -> int:
    from mkdocs.exceptions import MkDocsException

    from .mkdocs_build import build_site, only_known_plugins
    from .site_links import record_changes, start_linking_previous_site
    from .snapshot import BuildSnapshot

    started = time.perf_counter()
    _quiet_mkdocs_logging()
    if args.site:  # before MkDocs reads the configuration: kbgen's own words for a dangerous folder
        refused = unsafe_site_dir(Path(args.site), Path(args.notes) if args.notes else None)
        if refused is not None:
            print(f"kbgen: error: {refused}; choose another --site", file=sys.stderr)
            return EXIT_FAILED
    try:
        config = load_mkdocs_config(args.config, notes=args.notes, site=getattr(args, "site", None))
    except (MkDocsException, OSError, ValueError) as exc:
        print(f"kbgen: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    site = Path(config.site_dir)
    refused = unsafe_site_dir(site, Path(config.docs_dir))
    if refused is not None:
        print(f"kbgen: error: {refused}; choose another --site", file=sys.stderr)
        return EXIT_FAILED
    plugin = _kbgen_plugin(config)
    stamp_file, stamps = _inputs_stamp(config, plugin, args)
    inputs = stamps.digest
    spare = spare_slot(stamp_file.parent, site)  # the replaced site, for the next build to start from
    skipped = up_to_date.recorded(stamp_file, inputs, site)
    if skipped is not None:  # nothing changed since the last build: its site is this build's
        return _report(skipped, config.site_dir, started, skipped=True)
    up_to_date.forget(stamp_file)  # from here on the site may change
    # The notes were stamped before the build reads them: the build it keeps starts the next one.
    plugin.snapshot = BuildSnapshot(stamp_file.parent, stamps)
    bar = ProgressBar(enabled=not args.quiet and sys.stderr.isatty())
    diagnostics: list[Diagnostic] = []
    plugin.progress = bar.update
    plugin.on_diagnostics = diagnostics.extend
    try:
        with atomic_site(site, spare) as staging:  # the previous site stays until this one is complete
            # Unchanged files are hard links to the previous site's (every write replaces
            # its file), so the build writes only what changed and the swap stays atomic.
            # Linking a whole tree runs beside the build until it first touches the folder.
            linking = start_linking_previous_site(site, staging, spare)
            try:
                if not only_known_plugins(config):  # another plugin may look at the folder from its first event
                    linking.wait()
                config.site_dir = str(staging)
                config.plugins.on_startup(command="build", dirty=False)
                stats = build_site(config, jobs=args.jobs, progress=bar.update, site_id=str(site),
                                   before_site=linking.wait)
                config.plugins.on_shutdown()
            finally:
                linking.wait()  # no cp left writing into a folder about to be swapped in or removed
                plugin.snapshot.wait()  # no child left writing the kept build
    except (MkDocsException, OSError) as exc:
        bar.clear()
        print(f"kbgen: error: build failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        config.site_dir = str(site)
    if spare is not None:  # the next build links only what this one changed into the spare tree
        record_changes(site, spare, stats.changed)
    bar.clear()
    build = plugin.build
    outcome = up_to_date.Outcome(
        format_text(diagnostics) if diagnostics else "", count(diagnostics, "error"), count(diagnostics, "warning"),
        len(build.vault.notes) if build else 0, (len(build.rendered) + len(build.pages)) if build else 0)
    # A file that could not be written or a package that could not be fetched is the machine's
    # problem, not the notes': the next build must try again.
    if build is not None and not any(d.code == "write" or "could not be fetched" in d.message for d in diagnostics):
        up_to_date.record(stamp_file, inputs, site, outcome)
    return _report(outcome, config.site_dir, started)


def _inputs_stamp(config: Any, plugin: Any, args: argparse.Namespace) -> tuple[Path, "up_to_date.Stamps"]:
    """Where the last build's stamp lives (kbgen's cache) and this build's (kbgen.up_to_date)."""
    from .config import KbgenConfig

    base = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
    cache_dir = KbgenConfig.from_mapping(dict(plugin.config.items()), base=base).cache_dir
    files = [Path(config.config_file_path)] if config.config_file_path else []
    custom = getattr(config.theme, "custom_dir", None)
    extra = repr((vars(args).get("notes"), vars(args).get("site"), os.path.realpath(config.docs_dir),
                  os.path.realpath(config.site_dir), custom, sorted(config.theme.dirs)))
    if custom:
        files.extend(p for p in sorted(Path(custom).rglob("*")) if p.is_file())
    stamps = up_to_date.input_stamps(Path(config.docs_dir), files, extra)
    return up_to_date.record_path(cache_dir, Path(config.site_dir)), stamps


def _report(outcome: "up_to_date.Outcome", site_dir: str, started: float, *, skipped: bool = False) -> int:
    if outcome.problems:
        print(outcome.problems, file=sys.stderr)
    seconds = time.perf_counter() - started
    note = " (nothing changed since the last build)" if skipped else ""
    print(f"kbgen: {outcome.notes} notes → {outcome.pages} pages in {site_dir}: "
          f"{outcome.errors} errors, {outcome.warnings} warnings, {seconds:.2f} s{note}", file=sys.stderr)
    return EXIT_ERRORS if outcome.errors else EXIT_OK


# -- serve --------------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    from .mkdocs_serve import serve

    config_file, overrides = resolve_config(args.config, notes=args.notes, site=None)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        serve(config_file, args.dev_addr, overrides)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


# -- check --------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    from .build import build_vault

    config = _existing_vault_config(args)
    if config is None:
        return EXIT_FAILED
    build = build_vault(config)
    diagnostics = build.diagnostics
    if args.format == "json":
        print(format_json(diagnostics))
    else:
        if diagnostics:
            print(format_text(diagnostics))
        errors, warnings = count(diagnostics, "error"), count(diagnostics, "warning")
        print(f"kbgen: checked {len(build.vault.notes)} notes: {errors} errors, {warnings} warnings", file=sys.stderr)
    return EXIT_ERRORS if count(diagnostics, "error") else EXIT_OK


def _existing_vault_config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """kbgen's options for ``args``, or None (after saying why) when the notes folder is missing."""
    config = _kbgen_config(args.config, args.notes)
    if not config.notes_dir.is_dir():
        print(f"kbgen: error: notes folder not found: {config.notes_dir}", file=sys.stderr)
        return None
    return config


def cmd_setup(args: argparse.Namespace) -> int:
    """Fetch every front-end package a site may serve (KaTeX, …) into the cache, once."""
    from .emit import graph as _graph, mermaid_assets as _mermaid  # noqa: F401 - they register packages
    from .katex import fetch as _katex  # noqa: F401 - modules register their packages on import
    from .katex import mathjax as _mathjax  # noqa: F401
    from .study import fsrs_assets as _fsrs  # noqa: F401
    from .npm_assets import PACKAGES, ensure_package, last_error

    config = _kbgen_config(args.config, args.notes)
    for package in PACKAGES.values():
        path = ensure_package(config.cache_dir, package)
        if path is None:
            print(f"kbgen: warning: {package.spec} could not be fetched ({last_error(package)}); "
                  "pages that need it fall back as documented", file=sys.stderr)
        else:
            print(f"kbgen: {package.spec} ready in {path}", file=sys.stderr)
    return EXIT_OK


# -- export -------------------------------------------------------------------------------

def cmd_export_anki(args: argparse.Namespace) -> int:
    from .study.anki import ExportError, export_anki

    config = _existing_vault_config(args)
    if config is None:
        return EXIT_FAILED
    out = Path(args.out) if args.out else Path(f"{config.notes_dir.resolve().name or 'notes'}.apkg")
    try:
        result = export_anki(config, out, args.deck_by)
    except (ExportError, OSError) as exc:
        print(f"kbgen: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"kbgen: {result.notes} Anki notes in {result.decks} decks, {result.media} media files → {result.out}",
          file=sys.stderr)
    return EXIT_OK


# -- configuration ------------------------------------------------------------------------

def default_config_text(notes: Path, site: Path, cache: Path | None = None) -> str:
    """The mkdocs.yml kbgen uses when the project has none; ``cache``: kbgen's cache folder."""
    import yaml

    # The generated file lives inside the cache, and relative paths count from a config's own
    # folder: the cache must be absolute here or it would land in .kbgen-cache/.kbgen-cache.
    kbgen: Any = {"kbgen": {"cache_dir": str(cache.resolve())}} if cache is not None else "kbgen"

    config = {
        "site_name": notes.resolve().name or "Notes",
        "docs_dir": str(notes.resolve()),
        "site_dir": str(site.resolve()),
        "theme": {
            "name": "material",
            "language": "ko",
            "font": False,
            "features": ["navigation.prune", "navigation.top", "navigation.indexes",
                         "search.highlight", "content.code.copy", "toc.follow"],
        },
        "plugins": [{"search": {"lang": ["ko", "en"]}}, kbgen],
    }
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def resolve_config(config_path: str | None, *, notes: str | None, site: str | None) -> tuple[str, dict[str, Any]]:
    """(config file to load, overrides for mkdocs.config.load_config)."""
    overrides: dict[str, Any] = {}
    if notes:
        overrides["docs_dir"] = str(Path(notes).resolve())
    if site:
        overrides["site_dir"] = str(Path(site).resolve())
    path = Path(config_path) if config_path else Path(DEFAULT_CONFIG)
    if config_path and not path.is_file():
        raise FileNotFoundError(f"config file not found: {config_path}")
    if path.is_file():
        plugins = _plugins_with_kbgen(path)
        if plugins is not None:
            overrides["plugins"] = plugins
        return str(path), overrides
    # No mkdocs.yml: write kbgen's default next to its cache, never into the notes.
    notes_dir = Path(notes or "notes")
    site_dir = Path(site or "site")
    cache = Path(DEFAULT_CACHE_DIR).resolve()  # as `kbgen setup` and _kbgen_config see it
    generated = cache / "mkdocs.generated.yml"
    generated.parent.mkdir(parents=True, exist_ok=True)
    text = default_config_text(notes_dir, site_dir, cache)
    if not generated.is_file() or generated.read_text(encoding="utf-8") != text:  # its stamp says "changed"
        generated.write_text(text, encoding="utf-8")
    return str(generated), overrides


def _plugins_with_kbgen(path: Path) -> list | None:
    """The config's plugin list with kbgen added, or None when kbgen is already there."""
    from mkdocs.utils.yaml import yaml_load

    with path.open("rb") as fh:
        data = yaml_load(fh) or {}
    plugins = data.get("plugins")
    if plugins is None:
        return ["search", "kbgen"]
    names = [p if isinstance(p, str) else next(iter(p), "") for p in (plugins if isinstance(plugins, list) else plugins.keys())]
    if "kbgen" in names:
        return None
    if isinstance(plugins, dict):
        return [*({k: v} for k, v in plugins.items()), "kbgen"]
    return [*plugins, "kbgen"]


def load_mkdocs_config(config_path: str | None, *, notes: str | None, site: str | None):  # type: ignore[no-untyped-def]
    from mkdocs.config import load_config

    config_file, overrides = resolve_config(config_path, notes=notes, site=site)
    return load_config(config_file=config_file, **overrides)


def _kbgen_config(config_path: str | None, notes: str | None):  # type: ignore[no-untyped-def]
    """kbgen's options as the plugin would see them, without building anything.

    Relative paths (the cache) count from the mkdocs.yml's folder, as in the plugin.
    """
    from .config import KbgenConfig

    path = Path(config_path) if config_path else Path(DEFAULT_CONFIG)
    options: dict[str, Any] = {}
    base = Path.cwd()
    docs_dir = Path("notes")
    if path.is_file():
        from mkdocs.utils.yaml import yaml_load

        with path.open("rb") as fh:
            data = yaml_load(fh) or {}
        base = path.resolve().parent
        docs_dir = base / data.get("docs_dir", "docs")
        plugins = data.get("plugins") or []
        items = plugins.items() if isinstance(plugins, dict) else (
            next(iter(p.items())) if isinstance(p, dict) else (p, {}) for p in plugins)
        for name, value in items:
            if name == "kbgen" and isinstance(value, dict):
                options = dict(value)
    config = KbgenConfig.from_mapping(options, base=base)
    config.notes_dir = Path(notes) if notes else docs_dir
    return config


def _kbgen_plugin(config):  # type: ignore[no-untyped-def]
    from .mkdocs_plugin import KbgenPlugin

    for plugin in config.plugins.values():
        if isinstance(plugin, KbgenPlugin):
            return plugin
    raise ValueError("the kbgen plugin is not enabled in the configuration")


def _quiet_mkdocs_logging() -> None:
    """kbgen prints its own summary; keep MkDocs's info chatter out, warnings in."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s: %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING)
    logger.propagate = False


class ProgressBar:
    """A one-line progress bar on stderr for long builds (only on a terminal)."""

    MIN_TOTAL = 200

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.shown = False
        self.last = 0.0

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total < self.MIN_TOTAL:
            return
        now = time.monotonic()
        if done != total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{stage:>7} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
