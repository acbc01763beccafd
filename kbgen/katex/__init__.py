"""KaTeX for kbgen: fetched from npm at a pinned, verified version (fetch), run in V8
(engine), its output cached on disk (cache), and a page's formulas typeset in one go (typeset)."""
