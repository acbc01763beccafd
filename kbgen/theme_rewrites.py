"""Material's own template files, read with a few lines rewritten so that kbgen can memoize what they draw.

Two of Material's partials do the same work on every page with the same result
for the whole build: the sidebar's closed items (kbgen.nav.fragments) and the
translated words (kbgen.material_translations). Each is rewritten only when the
file is Material's own — not a ``custom_dir`` override — and is byte for byte a
version whose behaviour was checked (each module keeps the digests it knows);
any other file is read as written.

The pages' environment reads a rewritten file; others read it as written
(Material's search plugin compiles ``language.html`` in environments of its
own). Jinja's bytecode cache keeps one compiled file per template, so the two
sources replaced each other's code in every build: :class:`SourceKeyedBytecodeCache`
keeps one per template and source. Jinja only; no MkDocs import.
"""
from __future__ import annotations

import os
from typing import Any, Callable

import jinja2
from jinja2.bccache import Bucket

# template name → its rewrite (None: the file is not one the rewrite knows, read it as written)
Rewrite = Callable[[str], "str | None"]


class RewritingLoader(jinja2.BaseLoader):
    """The theme's loader, giving each template of ``rewrites`` rewritten when it is the theme's own (``is_own``)."""

    def __init__(self, loader: jinja2.BaseLoader, is_own: Callable[[str | None], bool],
                 rewrites: dict[str, Rewrite]) -> None:
        self.loader, self.is_own, self.rewrites = loader, is_own, dict(rewrites)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        rewrite = self.rewrites.get(template)
        if rewrite is not None and self.is_own(filename):
            source = rewrite(source) or source
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


class SourceKeyedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates in ``directory``, one file per template name, file and source (see the module)."""

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> Bucket:
        checksum = self.get_source_checksum(source)
        bucket = Bucket(environment, self.source_key(name, filename, source, checksum), checksum)
        self.load_bytecode(bucket)
        return bucket

    def source_key(self, name: str, filename: str | None, source: str, checksum: str | None = None) -> str:
        return f"{self.get_cache_key(name, filename)}-{(checksum or self.get_source_checksum(source))[:16]}"

    def path_of(self, name: str, filename: str | None, source: str) -> str:
        """The file this cache keeps the compiled ``source`` of the template ``name`` in."""
        return os.path.join(self.directory, self.pattern % self.source_key(name, filename, source))
