"""kbgen's reading features in the browser: one script and one stylesheet for every page.

``kbgen-web.js`` is the interface messages (:mod:`kbgen.messages`, in the site's
language, as escaped JSON) followed by the parts in :data:`PARTS` — hover
previews, the graph view's loader, Mermaid's loader. Each part is a few
kilobytes; the heavy libraries (force-graph, Mermaid) and the graph data are
fetched by those parts only on pages that show a graph or a diagram. It goes
first in ``extra_javascript`` so that other scripts (quizzes) can read the
messages too, as ``window.kbgenMessages``.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING

from ..messages import table
from . import SiteFile

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

ASSET_DIR = "assets/kbgen-web"
SCRIPT = f"{ASSET_DIR}/kbgen-web.js"
STYLESHEET = f"{ASSET_DIR}/kbgen-web.css"
PARTS = ("core.js", "preview.js", "graph.js", "mermaid.js")


def safe_json(value: object, *, ascii_only: bool = True) -> str:
    """JSON that is safe inside a script or HTML: no ``<``, ``>`` or ``&`` (so no ``</script>``
    and no markup however it is later embedded), and with ``ascii_only`` no U+2028."""
    text = json.dumps(value, ensure_ascii=ascii_only, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def messages_json(language: str) -> str:
    """The message table of ``language`` as :func:`safe_json`."""
    return safe_json(table(language))


def script(language: str) -> str:
    web = resources.files("kbgen.web")
    parts = [f"window.kbgenMessages = {messages_json(language)};\n"]
    parts += [web.joinpath(name).read_text(encoding="utf-8") for name in PARTS]
    return "\n".join(parts)


def emit(build: "VaultBuild") -> None:
    web = resources.files("kbgen.web")
    build.files.append(SiteFile(SCRIPT, content=script(build.config.language)))
    build.files.append(SiteFile(STYLESHEET, content=web.joinpath("web.css").read_text(encoding="utf-8")))
    build.extra_javascript.insert(0, SCRIPT)
    build.extra_css.append(STYLESHEET)
