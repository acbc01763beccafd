"""Material's own template files, read with a few lines rewritten so that kbgen can memoize what they draw.

Two of Material's partials do the same work on every page with the same result
for the whole build: the sidebar's closed items (kbgen.nav.fragments) and the
translated words (kbgen.material_translations). Each is rewritten only when the
file is Material's own — not a ``custom_dir`` override — and is byte for byte a
version whose behaviour was checked (each module keeps the digests it knows);
any other file is read as written. Jinja only; no MkDocs import.
"""
from __future__ import annotations

from typing import Any, Callable

import jinja2

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
