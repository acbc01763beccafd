"""The feed's XML escaping is xml.sax.saxutils's, character for character (kbgen.emit.feed writes it out)."""
from __future__ import annotations

from xml.sax import saxutils

from hypothesis import given, settings
from hypothesis import strategies as st

from kbgen.emit import feed

TEXT = st.text(alphabet=st.sampled_from(list("&<>\"'\n\r\t a가;#\udcff")), max_size=40) | st.text()


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_escape_and_quoteattr_equal_saxutils(text):
    assert feed.escape(text) == saxutils.escape(text)
    assert feed.quoteattr(text) == saxutils.quoteattr(text)


def test_the_quote_cases():
    assert feed.quoteattr('a"b') == "'a\"b'" == saxutils.quoteattr('a"b')
    assert feed.quoteattr("a\"b'c") == '"a&quot;b\'c"' == saxutils.quoteattr("a\"b'c")
    assert feed.escape("<&>") == "&lt;&amp;&gt;"
